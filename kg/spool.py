"""A graph's N-Quads lines, kept aside as a build loads them, for the release dumps.

Reading a graph back from the store decodes every term: at 100k articles that read alone took
~70 s of CPU for the articles graph, the largest part of writing the dumps. The lines the loader
hands to ``bulk_load`` are the same quads as text. GNU ``sort --unique`` takes a copy of them
while they load (C locale: plain byte order, so the same lines give the same bytes on every
run), spills sorted runs to the staging folder and merges them when the dumps read its output.
Sorted lines keep each subject's lines together, as the Turtle and JSON-LD writers want.

Some lines stop being the graph's: a replaced or deleted article's (removed from the store),
the lines a later step writes (citations, retraction marks). Whoever changes the graph names
the subjects it changes (``touch``; a superset is harmless): their lines are then read from
the store, and ``carry_lines`` merges them with the kept lines of every other subject, in a
child process. The dumps count the quads they wrote against the store and read the store
instead when the numbers differ.

An ingest changes a few subjects of a graph it read whole into the previous release's dumps,
whose N-Quads file opens with that graph's lines, sorted (the manifest's
``nquads_sorted_graph``). ``CarriedGraph`` takes them from there the same way: the previous
lines of every subject the ingest did not touch, merged with the store's lines of those it
did, without reading the whole graph back from the store.

Where there are no such lines (an ingest into a release whose dump does not open with them
sorted, or lines that turned out not to be the graph), ``SortedStoreGraph`` reads the graph
from the store through ``sort``, so that the release opens with it sorted again and the next
ingest can carry it.
"""

from __future__ import annotations

import bisect
import contextlib
import itertools
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, cast

from pyoxigraph import BlankNode, NamedNode, Quad, RdfFormat, Store, serialize

from kg.compression import open_gzip
from kg.stopping import ending_with_build

#: Memory ``sort`` may use for its runs (more spills to disk, not to memory).
SORT_BUFFER_MB = 256
#: How many runs ``sort`` merges at once. With its default (16) a million articles' ~40 runs are
#: first merged in groups the moment the input ends, on the cores the next build steps need
#: (60M shuffled lines: the first output line came 87 s later, and sort took 29 s more CPU, than
#: with every run merged in the one pass the dumps read); each run merged at once holds a file
#: and an ``lz4`` process.
SORT_MERGE_RUNS = 64


def sort_command(folder: str) -> list[str]:
    """GNU ``sort`` de-duplicating N-Quads lines, its runs in ``folder`` (run it in the C
    locale: plain byte order, the same bytes on every run)."""
    # lz4 packs N-Quads 9× (sorted runs 14×) for little CPU: the runs of a million articles
    # took ~1.5 GB of disk instead of ~13 GB beside the store
    packing = ["--compress-program=lz4"] if shutil.which("lz4") else []
    return ["sort", "--unique", f"--buffer-size={SORT_BUFFER_MB}M",
            f"--batch-size={SORT_MERGE_RUNS}", f"--temporary-directory={folder}", *packing]


def c_locale() -> dict[str, str]:
    """The environment of ``sort`` and the other text tools the dumps run (read when they
    start)."""
    return dict(os.environ, LC_ALL="C")


def write_into_pipe(write: Callable[[str], object], pipe: int) -> OSError | None:
    """``write`` (a pyoxigraph dump or serialisation, which writes a path in Rust without
    holding the GIL) given the path of the pipe's write end; the error, if any.

    pyoxigraph syncs the file it has written; a pipe cannot be synced (EINVAL, which pyoxigraph
    reports in the message only, errno unset) and that comes after the last byte, so that one
    error is no error: the readers count what they got.
    """
    try:
        write(f"/proc/self/fd/{pipe}")
    except OSError as error:
        if "(os error 22)" not in str(error):
            return error
    return None


def python_call(function: str, *args: str) -> tuple[list[str], dict[str, str]]:
    """The command and environment that run ``function`` (``module.name``) of this project in
    a child Python with ``args`` (the project's root on its path, as in a checkout)."""
    module, name = function.rsplit(".", 1)
    root = str(Path(__file__).resolve().parents[1])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (root, os.environ.get("PYTHONPATH", "")) if p))
    return [sys.executable, "-c", f"import sys; from {module} import {name}; "
            f"{name}(*sys.argv[1:])", *args], env


def whole_lines(read: Callable[[int], bytes], size: int) -> Iterator[bytes]:
    """Blocks of whole lines from ``read`` (each ends with a newline); an error when the input
    ends in the middle of a line."""
    rest = b""
    while data := read(size):
        head, newline, rest = (rest + data).rpartition(b"\n")
        if newline:
            yield head + newline
    if rest:
        raise ValueError("the N-Quads lines ended in the middle of a line")


class GraphLines:
    """The sorted lines of one named graph, written into a pipe the dumps read (``output``,
    ``output_writer``) before they write the other graphs into the same pipe.

    The lines come from a sorted source (``sort``'s output for a build, the previous release's
    dump for an ingest); the subjects a build or an ingest writes to or removes from otherwise
    (``touch``: removals, later updates; a superset is harmless) are read from the store
    instead, and ``carry_lines`` merges the two in a child process (the build's own threads
    would wait for the GIL that SHACL holds meanwhile).
    """

    #: Where the dumps took the graph from, when they took it from here (``BuildReport``).
    source = "loaded lines"
    #: Whether the subjects the build changes must be named (``touch``): not when the whole
    #: graph is read from the store anyway.
    follows_changes = True

    def __init__(self, graph: NamedNode, folder: str) -> None:
        self.graph = graph
        self.valid = True
        #: Set by the dumps when they were written from these lines, or (``resorted``) from
        #: the graph read from the store and sorted, when these lines were not the graph.
        self.used = False
        self.resorted = False
        self._suffix = f" <{graph.value}> .\n"
        self.folder = Path(folder)
        self._touched: set[str] = set()
        self.output, self.output_writer = os.pipe()
        self._writer = -1

    def add(self, items: Iterable[str | Quad]) -> None:
        """Lines and quads the loader loads (those of other graphs are ignored)."""
        raise NotImplementedError

    def touch(self, subjects: Iterable[str]) -> None:
        """Subjects (N-Triples terms) whose lines a removal or an update changes."""
        self._touched.update(subjects)

    def drop(self) -> None:
        """The graph will differ from the lines: stop keeping them."""
        self.valid = False

    def end_input(self) -> None:
        """No more lines are added."""

    def take_output(self) -> tuple[int, int]:
        """The read and write ends of the pipe the lines go into; the caller closes them
        (after ``wait``)."""
        ends, self.output, self.output_writer = (self.output, self.output_writer), -1, -1
        self._writer = ends[1]
        return ends

    def wait(self, store: Store | None = None) -> str:
        """Write every line into the pipe; an error message, or "" when all went well."""
        raise NotImplementedError

    def close(self) -> None:
        """Close the pipe (and stop whatever still writes into it)."""
        for end in ("output", "output_writer"):
            fd = getattr(self, end)
            if fd >= 0:
                os.close(fd)
                setattr(self, end, -1)

    def _merge(self, store: Store, source: str, stdin: int | None = None) -> str:
        """Run ``carry_lines`` on ``source`` (a dump, or "-": ``stdin``) with the touched
        subjects' lines from ``store``, into the pipe."""
        assert self._writer >= 0, "wait follows take_output"
        subjects = self.folder / "carried-subjects.txt"
        fresh = self.folder / "carried-lines.nq"
        lines: list[bytes] = []
        for subject in self._touched:
            try:
                term = (BlankNode(subject[2:]) if subject.startswith("_:")
                        else NamedNode(subject[1:-1]))
            except ValueError:  # a term written with escapes: the dumps read the store
                return f"cannot carry the lines of subject {subject}"
            text = serialize(store.quads_for_pattern(term, None, None, self.graph),
                             format=RdfFormat.N_QUADS)
            lines.extend(text.splitlines(keepends=True) if text else ())
        subjects.write_bytes("".join(f"{s}\n" for s in sorted(self._touched)).encode("utf-8"))
        fresh.write_bytes(b"".join(sorted(set(lines))))
        command, env = python_call("kg.spool.carry_lines", source, self.graph.value,
                                   str(subjects), str(fresh))
        try:
            child = subprocess.run(ending_with_build(command), stdin=stdin, stdout=self._writer,
                                   stderr=subprocess.PIPE, check=False, env=env)
        finally:  # the staging folder becomes the release
            subjects.unlink()
            fresh.unlink()
        if child.returncode:
            message = child.stderr.decode("utf-8", "replace").strip().splitlines()
            return message[-1] if message else f"exit status {child.returncode}"
        return ""


class GraphSpool(GraphLines):
    """The lines of one named graph, sorted and de-duplicated by ``sort`` as they are added.

    ``sort`` writes its output into a pipe of its own: ``wait`` copies it into the dumps' pipe
    (``cat``), or merges it with the touched subjects' lines when a removal or an update
    touched any.
    """

    def __init__(self, graph: NamedNode, folder: str) -> None:
        super().__init__(graph, folder)
        self._sorted, sorted_writer = os.pipe()
        self._sort: subprocess.Popen[bytes] | None = subprocess.Popen(
            ending_with_build(sort_command(folder)), stdin=subprocess.PIPE,
            stdout=sorted_writer, stderr=subprocess.PIPE, env=c_locale())
        os.close(sorted_writer)

    def add(self, items: Iterable[str | Quad]) -> None:
        """Keep the lines of the graph among ``items`` (a ``Quad``'s subject is touched: its
        text would be pyoxigraph's, not the loader's)."""
        if not self.valid or self._sort is None or self._sort.stdin is None:
            return
        suffix, graph = self._suffix, self.graph
        kept: list[str] = []
        for item in items:
            if isinstance(item, str):
                if item.endswith(suffix):
                    kept.append(item)
            elif item.graph_name == graph:
                self._touched.add(str(item.subject))
        try:
            self._sort.stdin.write("".join(kept).encode("utf-8"))
        except OSError:  # sort stopped (its message is read by ``wait``): the store is read
            self.drop()

    def drop(self) -> None:
        super().drop()
        self._stop()

    def end_input(self) -> None:
        """No more lines: ``sort`` sorts what it has and waits for the dumps to read it."""
        if self._sort is not None and self._sort.stdin is not None:
            self._sort.stdin.close()

    def wait(self, store: Store | None = None) -> str:
        """Write ``sort``'s output into the pipe, merged with the touched subjects' lines from
        ``store``; ``sort``'s error message or the merge's, or "" when both succeeded."""
        if self._sort is None:
            return "sort was stopped"
        self.end_input()
        if self._touched:
            assert store is not None, "touched subjects are read from the store"
            merged = self._merge(store, "-", stdin=self._sorted)
        else:
            copy = subprocess.run(ending_with_build(["cat"]), stdin=self._sorted,
                                  stdout=self._writer, stderr=subprocess.PIPE, check=False)
            merged = copy.stderr.decode("utf-8", "replace").strip() if copy.returncode else ""
        os.close(self._sorted)  # a reader that stopped early leaves sort a broken pipe, not a
        self._sorted = -1  # full one it would wait on forever
        assert self._sort.stderr is not None
        message = self._sort.stderr.read().decode("utf-8", "replace").strip()
        if self._sort.wait():
            return message.splitlines()[-1] if message else f"exit status {self._sort.returncode}"
        return merged

    def close(self) -> None:
        self._stop()
        if self._sorted >= 0:
            os.close(self._sorted)
            self._sorted = -1
        super().close()

    def _stop(self) -> None:
        if self._sort is not None:
            self._sort.kill()
            self._sort.wait()
            for stream in (self._sort.stdin, self._sort.stderr):
                if stream is not None:
                    # sort is gone: input still buffered has nowhere to go (BrokenPipeError),
                    # and the stream is closed all the same
                    with contextlib.suppress(OSError):
                        stream.close()
            self._sort = None


class SortedStoreGraph(GraphLines):
    """A graph's lines read from the store and sorted, where there are no kept lines to start
    from. The store writes the graph as N-Triples (in Rust, without the GIL), ``sed`` names the
    graph again and ``sort`` sorts the lines into the dumps' pipe: ~1 s of ``sort`` CPU a
    million lines more than reading the store unsorted."""

    source = "store, sorted"
    follows_changes = False

    def add(self, items: Iterable[str | Quad]) -> None:
        """Nothing is kept: the whole graph is read from the store."""

    def wait(self, store: Store | None = None) -> str:
        assert store is not None and self._writer >= 0, "wait follows take_output"
        if any(c in self.graph.value for c in "|&\\"):  # not in a sed replacement
            return f"cannot name the graph {self.graph.value} in sed"
        children: list[subprocess.Popen[bytes]] = []
        error: OSError | None = None
        done = False
        triples, triples_writer = os.pipe()
        try:
            try:
                children.append(subprocess.Popen(
                    ending_with_build(["sed", f"s| \\.$|{self._suffix[:-1]}|"]),
                    stdin=triples, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                    env=c_locale()))
            finally:
                os.close(triples)
            named = children[0].stdout
            assert named is not None
            with named:
                children.append(subprocess.Popen(
                    ending_with_build(sort_command(str(self.folder))), stdin=named,
                    stdout=self._writer, stderr=subprocess.PIPE, env=c_locale()))
            error = write_into_pipe(lambda path: store.dump(
                path, RdfFormat.N_TRIPLES, from_graph=self.graph), triples_writer)
            done = True
        except OSError as failure:  # a tool that cannot start
            error = failure
        finally:
            os.close(triples_writer)  # the end of the input: the tools finish
            if not done:
                for child in children:
                    child.kill()
        messages = [child.communicate()[1].decode("utf-8", "replace").strip()
                    for child in children]
        if error is not None:
            return f"reading the graph from the store into sort failed: {error}"
        for tool, child, message in zip(("sed", "sort"), children, messages, strict=True):
            if child.returncode:
                return f"{tool}: {message.splitlines()[-1] if message else child.returncode}"
        return ""


class CarriedGraph(GraphLines):
    """A graph's lines carried over from the previous release's N-Quads dump (``dump``, which
    opens with them, sorted), with the subjects an ingest touched read afresh from the store."""

    source = "carried lines"

    def __init__(self, graph: NamedNode, folder: str, dump: Path) -> None:
        super().__init__(graph, folder)
        self._dump = dump

    def add(self, items: Iterable[str | Quad]) -> None:
        suffix, graph, touched = self._suffix, self.graph, self._touched
        for item in items:
            if isinstance(item, str):
                if item.endswith(suffix):
                    touched.add(item[:item.index(" ")])
            elif item.graph_name == graph:
                touched.add(str(item.subject))

    def wait(self, store: Store | None = None) -> str:
        """Merge the previous release's lines of the untouched subjects with the touched
        subjects' lines from ``store`` into the pipe."""
        assert store is not None, "carried lines take the touched subjects from the store"
        return self._merge(store, str(self._dump))


def carry_lines(source: str, graph: str, subjects_file: str, fresh_file: str) -> None:
    """Run by ``GraphLines._merge`` in a child process: write on standard output the lines of
    ``graph`` that open ``source`` (an N-Quads dump, gzipped, or "-": ``sort``'s output on
    standard input), sorted, leaving out those of the subjects listed in ``subjects_file``,
    merged with the (sorted) lines of ``fresh_file``.

    The lines go a block at a time: a block that holds no touched subject and no fresh line is
    copied as it is (an ingest touches few subjects of a large graph), and its order is checked
    by ``sorted`` in C rather than line by line.
    """
    touched = sorted(set(Path(subjects_file).read_bytes().splitlines()) - {b""})
    fresh = Path(fresh_file).read_bytes().splitlines(keepends=True)
    out = cast(IO[bytes], sys.stdout.buffer)
    taken = 0  # fresh lines written so far
    last = b""
    with (contextlib.nullcontext(sys.stdin.buffer) if source == "-"
          else open_gzip(source)) as lines_in:
        blocks = whole_lines(cast(IO[bytes], lines_in).read, _BLOCK)
        for block, lines in _graph_blocks(blocks, f" <{graph}> .\n".encode()):
            if lines[0] <= last or lines != sorted(lines):
                raise ValueError(f"{source}: the lines of the graph are not sorted")
            last = lines[-1]
            first_key = lines[0][:lines[0].index(b" ")]
            last_key = last[:last.index(b" ")]
            keys = touched[bisect.bisect_left(touched, first_key):
                           bisect.bisect_right(touched, last_key)]
            end = bisect.bisect_left(fresh, last, taken)
            if not keys and end == taken:
                out.write(block)
                continue
            for key in reversed(keys):  # a subject's lines: from "key " up to "key \xff"
                del lines[bisect.bisect_left(lines, key + b" "):
                          bisect.bisect_left(lines, key + b" \xff")]
            for line in fresh[taken:end]:
                bisect.insort(lines, line)
            taken = end
            out.write(b"".join(lines))
    out.write(b"".join(fresh[taken:]))
    out.flush()


#: How much of the source ``carry_lines`` takes at a time.
_BLOCK = 4 << 20


def _graph_blocks(blocks: Iterator[bytes], suffix: bytes) -> Iterator[tuple[bytes, list[bytes]]]:
    """The blocks (of whole lines) while they are lines of the graph (``suffix`` ends them),
    with their lines."""
    for block in blocks:
        lines = block.splitlines(keepends=True)
        if block.count(suffix) < len(lines) or not block.endswith(suffix):
            ours = list(itertools.takewhile(lambda line: line.endswith(suffix), lines))
            if ours:
                yield b"".join(ours), ours
            return  # the graph's lines end in this block
        yield block, lines
