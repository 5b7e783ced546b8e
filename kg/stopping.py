"""Telling the build's threads to stop when the build is interrupted or fails.

The SPARQL checks and the dumps run in a pool's threads beside SHACL (``kg/build.py``). Ctrl-C
reaches the main thread only, and the pool then waits for its threads: they went on to the end
(~35 s at 60k articles; the dumps alone take ~700 s at a million), and one whose child process
never answered kept the build waiting for ever. ``Stop`` tells them: the checks stop before
their next query, and the dumps' child processes are killed, which ends the store's writes into
their pipes.
"""

from __future__ import annotations

import subprocess
import threading


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
