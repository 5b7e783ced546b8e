"""Telling the build's threads to stop when the build is interrupted or fails.

The SPARQL checks and the dumps run in a pool's threads beside SHACL (``kg/build.py``). Ctrl-C
reaches the main thread only, and the pool then waits for its threads: they went on to the end
(~35 s at 60k articles; the dumps alone take ~700 s at a million), and one whose child process
never answered kept the build waiting for ever. ``Stop`` tells them: the checks stop before
their next query, and the dumps' child processes are killed, which ends the store's writes into
their pipes.

A build killed outright (SIGKILL: the OOM killer, ``kill -9``) runs no code of its own: its
child processes (``sort``, ``sed``, ``cat``, ``tee``, the dumps' converters) are started with
``ends_with_build``, so that Linux kills them when it dies, where they went on until their input
ended (for ever for one that waited on something else).
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from functools import partial

#: prctl(2)'s option that has the kernel signal a process when the thread that started it ends.
PR_SET_PDEATHSIG = 1


def _prctl() -> Callable[..., int] | None:
    """libc's ``prctl`` on Linux (None elsewhere, or where it cannot be loaded)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None


_PRCTL = _prctl()


def ends_with_build() -> Callable[[], None] | None:
    """A ``preexec_fn`` for a child process of the build: the child is killed when the build's
    thread that starts it ends, killed or not (None where the system has no such means). The
    build's threads wait for the children they start, so none ends before its children."""
    return None if _PRCTL is None else partial(_die_with, os.getpid())


def _die_with(parent: int) -> None:
    assert _PRCTL is not None
    _PRCTL(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the build ended before the request was made
        os.kill(os.getpid(), signal.SIGKILL)


class Stop:
    """Set once (``stop``) by the thread that handles the build's end; read by the others."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._processes: list[subprocess.Popen[bytes]] = []
        self.stopped = False

    def watch(self, process: subprocess.Popen[bytes]) -> None:
        """Kill ``process`` when the build stops (at once, if it has)."""
        with self._lock:
            self._processes.append(process)
            stopped = self.stopped
        if stopped:
            process.kill()

    def stop(self) -> None:
        """Stop: kill every process watched."""
        with self._lock:
            self.stopped = True
            processes = list(self._processes)
        for process in processes:
            if process.poll() is None:
                process.kill()
