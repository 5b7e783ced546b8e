"""A graph's N-Quads lines, kept aside as a build loads them, for the release dumps.

Reading a graph back from the store decodes every term: at 100k articles that read alone took
~70 s of CPU for the articles graph, the largest part of writing the dumps. The lines the loader
hands to ``bulk_load`` are the same quads as text. GNU ``sort --unique`` takes a copy of them
while they load (C locale: plain byte order, so the same lines give the same bytes on every
run), spills sorted runs to the staging folder and merges them when the dumps read its output.
Sorted lines keep each subject's lines together, as the Turtle and JSON-LD writers want.

The copy only stands for the graph when it is exact: the loader drops it when it removes
anything (a replaced or deleted article), the build when a later step writes into the graph,
and the dumps count the quads they wrote against the store and read the store instead when the
numbers differ.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable
from contextlib import suppress

from pyoxigraph import NamedNode, Quad

#: Memory ``sort`` may use for its runs (more spills to disk, not to memory).
SORT_BUFFER_MB = 256
#: How many runs ``sort`` merges at once. With its default (16) a million articles' ~40 runs are
#: first merged in groups the moment the input ends, on the cores the next build steps need
#: (60M shuffled lines: the first output line came 87 s later, and sort took 29 s more CPU, than
#: with every run merged in the one pass the dumps read); each run merged at once holds a file
#: and an ``lz4`` process.
SORT_MERGE_RUNS = 64


class GraphSpool:
    """The lines of one named graph, sorted and de-duplicated by ``sort`` as they are added.

    ``sort`` writes its output into a pipe the spool keeps open (``output``, ``output_writer``):
    the dumps read it, and write the other graphs into the same pipe after ``sort`` ends.
    """

    def __init__(self, graph: NamedNode, folder: str) -> None:
        self.graph = graph
        self.valid = True
        #: Set by the dumps when they were written from this spool.
        self.used = False
        self._suffix = f" <{graph.value}> .\n"
        self.output, self.output_writer = os.pipe()
        # lz4 packs N-Quads 9× (sorted runs 14×) for little CPU: the runs of a million articles
        # took ~1.5 GB of disk instead of ~13 GB beside the store
        packing = ["--compress-program=lz4"] if shutil.which("lz4") else []
        self._sort: subprocess.Popen[bytes] | None = subprocess.Popen(
            ["sort", "--unique", f"--buffer-size={SORT_BUFFER_MB}M",
             f"--batch-size={SORT_MERGE_RUNS}", f"--temporary-directory={folder}", *packing],
            stdin=subprocess.PIPE, stdout=self.output_writer, stderr=subprocess.PIPE,
            env=dict(os.environ, LC_ALL="C"))

    def add(self, items: Iterable[str | Quad]) -> None:
        """Keep the lines of the graph among ``items`` (a ``Quad`` in the graph drops the copy:
        its text would be pyoxigraph's, not the loader's)."""
        if not self.valid or self._sort is None or self._sort.stdin is None:
            return
        suffix, graph = self._suffix, self.graph
        kept: list[str] = []
        for item in items:
            if isinstance(item, str):
                if item.endswith(suffix):
                    kept.append(item)
            elif item.graph_name == graph:
                self.drop()
                return
        try:
            self._sort.stdin.write("".join(kept).encode("utf-8"))
        except OSError:  # sort stopped (its message is read by ``wait``): the store is read
            self.drop()

    def drop(self) -> None:
        """The graph will differ from the lines: stop keeping them."""
        self.valid = False
        self._stop()

    def take_output(self) -> tuple[int, int]:
        """The read and write ends of the pipe ``sort`` writes into; the caller closes them."""
        ends, self.output, self.output_writer = (self.output, self.output_writer), -1, -1
        return ends

    def end_input(self) -> None:
        """No more lines: ``sort`` sorts what it has and waits for the dumps to read it."""
        if self._sort is not None and self._sort.stdin is not None:
            self._sort.stdin.close()

    def wait(self) -> str:
        """Wait for ``sort`` to write everything; its error message, or "" when it succeeded."""
        if self._sort is None:
            return "sort was stopped"
        self.end_input()
        assert self._sort.stderr is not None
        message = self._sort.stderr.read().decode("utf-8", "replace").strip()
        if self._sort.wait():
            return message.splitlines()[-1] if message else f"exit status {self._sort.returncode}"
        return ""

    def close(self) -> None:
        """Stop ``sort`` if it still runs and close the pipe."""
        self._stop()
        for end in ("output", "output_writer"):
            fd = getattr(self, end)
            if fd >= 0:
                os.close(fd)
                setattr(self, end, -1)

    def _stop(self) -> None:
        if self._sort is not None:
            self._sort.kill()
            self._sort.wait()
            for stream in (self._sort.stdin, self._sort.stderr):
                if stream is not None:
                    # sort is gone: input still buffered has nowhere to go (BrokenPipeError),
                    # and the stream is closed all the same
                    with suppress(OSError):
                        stream.close()
            self._sort = None
