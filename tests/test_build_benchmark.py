"""The build benchmark's measures (``benchmarks/build.py``), on small child processes."""

from __future__ import annotations

import sys

from benchmarks.build import run_child

#: A process that holds 100 MB while a child of its own holds another 100 MB beside it.
PARENT_AND_CHILD = """
import subprocess, sys
held = b"x" * (100 << 20)
subprocess.run([sys.executable, "-c", sys.argv[1]], check=True)
"""
CHILD = """
import time
held = b"x" * (100 << 20)
time.sleep(2)
"""


def test_peak_rss_adds_the_children_that_run_beside_a_process() -> None:
    measured = run_child([sys.executable, "-c", PARENT_AND_CHILD, CHILD])
    assert 100 <= measured.largest_mb < 150  # wait4: the largest process alone
    assert measured.tree_mb >= 200, measured
