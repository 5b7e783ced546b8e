"""The build benchmark's measures (``benchmarks/build.py``), on small child processes."""

from __future__ import annotations

import sys

import pytest

from benchmarks.build import Result, run_child, table

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
    # wait4 gives the largest process alone: about 100 MB, or the RSS of the process that
    # starts the child, whose pages a forked child counts until it execs (290 MB under the
    # whole suite's pytest); the tree holds both at once
    assert measured.largest_mb >= 100, measured
    assert measured.tree_mb >= 200, measured


def test_the_table_gives_the_seconds_its_ratio_is_computed_from(
        capsys: pytest.CaptureFixture[str]) -> None:
    result = Result(10_000, records=10_000, e2e_seconds=38.3, bulk_seconds=11.9)
    result.parse.cpu = result.map_build.cpu = 1.0
    table([result])
    row = next(line for line in capsys.readouterr().out.splitlines()
               if line.startswith("| 10,000 |"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    e2e, bulk, ratio = (cells[5], cells[8], cells[9])
    assert (e2e, bulk, ratio) == ("38.3 s", "11.9 s", "3.22")
