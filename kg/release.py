"""Release files: the dumps, the checksums and the manifest; and the ``current`` pointer.

Dumps are gzip (``kg.compression``) with no name or time in the header, so the same store gives
the same bytes.
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import json
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import suppress
from itertools import islice
from operator import ne
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, Store, parse, serialize

from kg import citations, iris, searchindex, sssom
from kg.compression import gzip_writer
from kg.metadata import DUMPS, Tallies
from kg.namespaces import PREFIXES
from kg.records import Rejected
from kg.results import RdfXmlWriter
from kg.spool import GraphLines, SortedStoreGraph, python_call, whole_lines, write_into_pipe
from kg.stopping import Stop, ending_with_build

if TYPE_CHECKING:
    from kg.build import BuildReport

MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"
QUARANTINE = "quarantine.jsonl"
VOID_FILE = "void.ttl"
#: Format name → pyoxigraph format for each dump.
FORMATS = {
    "turtle": RdfFormat.TURTLE,
    "ntriples": RdfFormat.N_TRIPLES,
    "nquads": RdfFormat.N_QUADS,
    "jsonld": RdfFormat.JSON_LD,
}


#: The graph name that ends an N-Quads line (``<iri> .``): removing it gives the N-Triples line.
_GRAPH_TAIL = re.compile(rb' (<[^ <>"\n]*>) \.\n')
#: How much N-Quads text the N-Triples writer takes at a time.
_CHUNK = 1 << 20
#: A comment line the build writes into the scan after the graphs it describes and before the
#: description itself (graph/metadata): the N-Quads converter answers it with its tallies.
TALLY_MARK = b"# evkg: end of the described graphs\n"
#: The first term of each line, its second, and the class of each rdf:type line, in lines with
#: a newline put before the first: a pattern that opens with a literal ``\n`` is searched for
#: that byte (~3× faster than ``^`` in MULTILINE mode, which is tried at every byte).
_SUBJECT = re.compile(rb"\n([^ \n]+)")
_PREDICATE = re.compile(rb"\n[^ \n]+ ([^ \n]+)")
_TYPED = re.compile(rb"\n[^ \n]+ <http://www\.w3\.org/1999/02/22-rdf-syntax-ns#type> ([^ \n]+) ")

#: The release's description, made once the other graphs are read (``write_dumps``).
Describe = Callable[[Tallies | None], Iterable[Quad]]


def write_dumps(store: Store, directory: Path, spool: GraphLines | None = None,
                describe: Describe | None = None, stop: Stop | None = None) -> dict[str, int]:
    """Each dump format, streamed from the store (whose iteration order is stable) or, for the
    graph ``spool`` kept, from its sorted lines when they hold exactly what the store holds
    (``spool.used`` tells), else from that graph read from the store and sorted
    (``spool.resorted``); returns the number of quads in each named graph, by graph IRI.

    With ``describe``, graph/metadata is written last: once every other graph has gone through
    the dumps, ``describe`` gets what the N-Quads converter counted in them (``GraphTally``;
    ``None`` where the store was dumped format by format) and its quads are added to the store
    and to the dumps. The store's graph/metadata must then be empty.

    With ``stop``, a build that stops kills the child processes (and tries no other way).
    """
    if _all_in_named_graphs(store):
        found = None
        if spool is not None and spool.valid:
            found = _write_dumps_in_one_scan(store, directory, spool, describe, stop)
            spool.used = found is not None
        _check_stop(stop)
        if found is None and spool is not None and not isinstance(spool, SortedStoreGraph):
            # the kept lines were not the graph: sorted from the store, the next ingest can
            # still carry them
            resorted = SortedStoreGraph(spool.graph, str(spool.folder))
            try:
                found = _write_dumps_in_one_scan(store, directory, resorted, describe, stop)
            except Exception:  # the store, read in its own order, still gives the dumps
                found = None
            finally:
                resorted.close()
            spool.resorted = found is not None
        _check_stop(stop)
        if found is None:
            found = _write_dumps_in_one_scan(store, directory, None, describe, stop)
            assert found is not None, "without a spool a dump short of the store raises"
        counts, description = found
        if description:
            store.extend(description)
    else:
        if describe is not None:
            store.extend(describe(None))
        counts = _write_dumps_format_by_format(store, directory)
    metadata = iris.graph_iri("metadata")
    with (directory / VOID_FILE).open("wb") as out:
        store.dump(out, RdfFormat.TURTLE, from_graph=metadata, prefixes=PREFIXES)
    return counts


def _check_stop(stop: Stop | None) -> None:
    if stop is not None and stop.stopped:
        raise RuntimeError("the build stopped before its dumps were written")


def _all_in_named_graphs(store: Store) -> bool:
    """True when every quad is in a graph named by an IRI (so each N-Quads line ends in one)."""
    if next(iter(store.quads_for_pattern(None, None, None, DefaultGraph())), None) is not None:
        return False
    return all(isinstance(graph, NamedNode) for graph in store.named_graphs())


def _write_dumps_format_by_format(store: Store, directory: Path) -> dict[str, int]:
    """The general way: one scan of the store per format."""
    for name, (file_name, _) in DUMPS.items():
        fmt = FORMATS[name]
        prefixes = PREFIXES if fmt in (RdfFormat.TURTLE, RdfFormat.JSON_LD) else None
        with gzip_writer(directory / file_name) as out:
            if fmt.supports_datasets:
                store.dump(out, fmt, prefixes=prefixes)
            else:
                serialize((q.triple for q in store), out, fmt, prefixes=prefixes)
    counts: dict[str, int] = {}
    for quad in store:
        if isinstance(quad.graph_name, NamedNode):
            counts[quad.graph_name.value] = counts.get(quad.graph_name.value, 0) + 1
    return counts


def _write_dumps_in_one_scan(store: Store, directory: Path, spool: GraphLines | None = None,
                             describe: Describe | None = None, stop: Stop | None = None
                             ) -> tuple[dict[str, int], list[Quad]] | None:
    """Every dump from one scan of the store (with ``spool``: its sorted lines stand for its
    graph, and the other graphs are read from the store after them; ``None`` when they are not
    what the store holds).

    Reading a store decodes every term and costs far more than any serialisation, so the
    store is read once, as N-Quads into a pipe: pyoxigraph writes a path in Rust without
    holding the GIL, so SHACL can run in Python meanwhile, and the path is the pipe's own
    ``/proc/self/fd`` link. ``tee`` copies the text to three child processes
    (``convert_nquads``) side by side: one writes N-Quads and N-Triples (the same lines without
    the graph name) and counts the quads per graph, the others parse the text back and write
    Turtle and JSON-LD. Nothing of the scan touches the disk (at a million articles a plain
    copy would be ~13 GB) and no Python thread of the build copies it (it would wait for the
    GIL that SHACL holds). The bytes are those of dumping each format from the store.

    With a spool (``kg/spool.py``: ``sort``'s output or the previous release's lines, merged
    with the touched subjects' lines), the graph's lines go into the same pipe first (they hold
    most of a release's quads: reading them back from the store was the slowest part), and
    only the other graphs, in the order of their IRIs, are read from the store.

    With ``describe`` (see ``write_dumps``) the scan then carries ``TALLY_MARK``; the N-Quads
    converter answers with its tallies of the graphs before it, and ``describe``'s quads follow
    the mark. They are returned with the counts, not added to the store.
    """
    kinds = ("nquads", "turtle", "jsonld")
    processes: list[subprocess.Popen[bytes]] = []
    pipes: list[int] = []

    def pipe() -> tuple[int, int]:
        ends = os.pipe()
        pipes.extend(ends)
        return ends

    def close(*ends: int) -> None:
        for end in ends:
            if end in pipes:
                pipes.remove(end)
                os.close(end)

    dump_error: OSError | None = None
    sort_error = ""
    description: list[Quad] = []
    metadata = iris.graph_iri("metadata")
    tee: subprocess.Popen[bytes] | None = None
    try:
        inputs = []
        for kind in kinds:
            read_end, write_end = pipe()
            command, env = python_call("kg.release.convert_nquads", kind, str(directory))
            processes.append(subprocess.Popen(ending_with_build(command), stdin=read_end,
                                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                              env=env))
            if stop is not None:
                stop.watch(processes[-1])
            close(read_end)
            inputs.append(write_end)
        if spool is not None:  # the spool's lines go into its pipe
            scan_read, scan_write = spool.take_output()
            pipes.extend((scan_read, scan_write))
        else:
            scan_read, scan_write = pipe()
        # -p: a converter that stopped does not stop the copy to the others
        tee = subprocess.Popen(
            ending_with_build(["tee", "-p", *(f"/dev/fd/{fd}" for fd in inputs[1:])]),
            stdin=scan_read, stdout=inputs[0], pass_fds=inputs[1:])
        if stop is not None:  # (killed, it ends the writes into the scan: the store's, sort's)
            stop.watch(tee)
        close(scan_read, *inputs)
        if spool is not None:
            sort_error = spool.wait(store)
            others = sorted((g for g in store.named_graphs() if isinstance(g, NamedNode)
                             and g != spool.graph and not (describe and g == metadata)),
                            key=lambda g: g.value)
            for graph in others:
                dump_error = dump_error or _dump_into_pipe(store, scan_write, graph)
        else:
            dump_error = _dump_into_pipe(store, scan_write, None)
        if describe is not None and dump_error is None:
            description = _describe_in_scan(scan_write, processes[0], describe)
        close(scan_write)
        tee.wait()
        outputs = [p.communicate() for p in processes]
    except BaseException:
        close(*list(pipes))
        for process in [*processes, *([tee] if tee else [])]:
            process.kill()
            process.wait()
        raise
    if spool is not None and sort_error:
        return None  # (a line cut short by a failing sort may have failed a converter too)
    failed = [(kind, err) for kind, p, (_, err) in zip(kinds, processes, outputs, strict=True)
              if p.returncode]
    if failed:
        kind, message = failed[0]
        # the converter's error is the last line of its traceback
        lines = message.decode("utf-8", "replace").strip().splitlines() or ["(no message)"]
        raise RuntimeError(f"writing the {kind} dump failed: {lines[-1]}")
    if dump_error is not None or tee is None or tee.returncode:
        raise RuntimeError(f"reading the store into the dumps failed: {dump_error or 'tee'}")
    counts: dict[str, int] = json.loads(outputs[0][0].splitlines()[-1])
    dumped, stored = sum(counts.values()), len(store) + len(description)
    if spool is not None and dumped != stored:
        return None  # the spool's lines were not the graph: the caller reads the store
    if dumped != stored:
        raise RuntimeError(f"the dump holds {dumped} quads but the store {stored}")
    return counts, description


def _describe_in_scan(scan: int, converter: subprocess.Popen[bytes], describe: Describe
                      ) -> list[Quad]:
    """Mark the end of the described graphs in the scan, take the N-Quads converter's tallies
    of them, and write ``describe``'s quads after the mark (its quads, each once)."""
    with open(scan, "wb", closefd=False) as out:
        out.write(TALLY_MARK)
    assert converter.stdout is not None
    answer = converter.stdout.readline()
    if not answer:  # the converter stopped: its error is reported with the others
        return []
    description = list(dict.fromkeys(describe(json.loads(answer))))
    with open(scan, "wb", closefd=False) as out:
        out.write(serialize(description, format=RdfFormat.N_QUADS) or b"")
    return description


def _dump_into_pipe(store: Store, pipe: int, graph: NamedNode | None) -> OSError | None:
    """N-Quads of the store (or of one graph) into the pipe's write end; the error, if any."""
    if graph is None:
        return write_into_pipe(lambda path: store.dump(path, RdfFormat.N_QUADS), pipe)
    # a dump from one graph would write it as the default graph
    return write_into_pipe(lambda path: serialize(
        store.quads_for_pattern(None, None, None, graph), path, RdfFormat.N_QUADS), pipe)


def convert_nquads(kind: str, directory: str) -> None:
    """Run by ``write_dumps`` in a child process: read N-Quads from standard input and write, in
    ``directory``, N-Quads and N-Triples (printing the quads per graph as JSON), Turtle, or
    JSON-LD."""
    source = cast(io.BufferedReader, sys.stdin.buffer)  # read1: a BufferedReader
    folder = Path(directory)
    if kind == "turtle":
        with gzip_writer(folder / DUMPS["turtle"][0]) as out:
            serialize((q.triple for q in parse(source, RdfFormat.N_QUADS)), out,
                      RdfFormat.TURTLE, prefixes=PREFIXES)
    elif kind == "jsonld":
        with gzip_writer(folder / DUMPS["jsonld"][0]) as out:
            serialize(parse(source, RdfFormat.N_QUADS), out, RdfFormat.JSON_LD,
                      prefixes=PREFIXES)
    elif kind == "nquads":
        counts: dict[str, int] = {}
        tallies: dict[str, GraphTally] | None = {}
        with (gzip_writer(folder / DUMPS["nquads"][0]) as nquads,
              gzip_writer(folder / DUMPS["ntriples"][0]) as ntriples):
            # read1: what the pipe holds, without waiting for a whole chunk (after the tally
            # mark the build waits for the answer before it writes more)
            for lines in whole_lines(source.read1, _CHUNK):
                if tallies is not None and (at := _mark_at(lines)) >= 0:
                    _write_lines(lines[:at], nquads, ntriples, counts, tallies)
                    sys.stdout.write(json.dumps({g: t.summary() for g, t in tallies.items()},
                                                sort_keys=True) + "\n")
                    sys.stdout.flush()
                    lines, tallies = lines[at + len(TALLY_MARK):], None
                _write_lines(lines, nquads, ntriples, counts, tallies)
        sys.stdout.write(json.dumps(counts))
    else:
        raise ValueError(f"unknown dump kind {kind!r}")


def _mark_at(lines: bytes) -> int:
    """Where ``TALLY_MARK`` starts a line of ``lines``, else -1."""
    if lines.startswith(TALLY_MARK):
        return 0
    at = lines.find(b"\n" + TALLY_MARK)
    return at + 1 if at >= 0 else -1


class GraphTally:
    """The VoID statistics of one graph, counted from its N-Quads lines as they pass.

    It needs the lines of one graph to come together, and within them the lines of one subject:
    the spool's lines are sorted, and the store is read graph by graph in its graph-subject
    order. Counting them here holds no set of subjects (the SPARQL counts held ~1.1 GB at a
    million articles); the properties and classes are few.
    """

    def __init__(self) -> None:
        self.triples = 0
        self.subjects = 0
        self.last_subject = b""
        self.properties: set[bytes] = set()
        self.classes: Counter[bytes] = Counter()
        #: Of the graph's lines as written: the same graph gives the same lines (sorted, or
        #: in the store's order, which follows the terms' encoding, not their history).
        self.digest = hashlib.sha256()

    def add(self, lines: bytes) -> None:
        """Count whole lines of this graph."""
        self.digest.update(lines)
        framed = b"\n" + lines
        subjects = _SUBJECT.findall(framed)
        if not subjects:
            return
        self.triples += len(subjects)
        self.subjects += (subjects[0] != self.last_subject) + sum(
            map(ne, islice(subjects, 1, None), subjects))
        self.last_subject = subjects[-1]
        self.properties.update(_PREDICATE.findall(framed))
        self.classes.update(_TYPED.findall(framed))

    def summary(self) -> dict[str, object]:
        """Triples, distinct subjects and properties, the subjects typed with each class
        (by the class's N-Quads term), and the SHA-256 of the lines — as JSON."""
        return {"triples": self.triples, "distinctSubjects": self.subjects,
                "properties": len(self.properties),
                "classes": {c.decode("utf-8"): n for c, n in sorted(self.classes.items())},
                "sha256": self.digest.hexdigest()}


def _write_lines(lines: bytes, nquads: IO[bytes], ntriples: IO[bytes],
                 counts: dict[str, int], tallies: dict[str, GraphTally] | None = None) -> None:
    """Whole N-Quads lines to the N-Quads dump, without their graph to the N-Triples dump;
    counted per graph (and tallied, with ``tallies``)."""
    nquads.write(lines)
    number = lines.count(b"\n")
    # most blocks hold one graph: then every line ends with the first line's tail (a tail ends
    # a line, so counting it counts lines), and the block is counted whole
    first = _GRAPH_TAIL.search(lines)
    if first is not None and lines.count(first.group()) == number:
        ntriples.write(lines.replace(first.group(), b" .\n"))  # ~3× faster than the regex
        _count_graph(first.group(1), lines, number, counts, tallies)
        return
    triples, replaced = _GRAPH_TAIL.subn(b" .\n", lines)
    if replaced != number:
        raise ValueError("an N-Quads line without a graph IRI in a named-graph dump")
    ntriples.write(triples)
    start = 0  # else each run of lines of one graph
    matches = list(_GRAPH_TAIL.finditer(lines))
    for number, match in enumerate(matches):
        following = matches[number + 1] if number + 1 < len(matches) else None
        if following is None or following.group(1) != match.group(1):
            run = lines[start:match.end()]
            _count_graph(match.group(1), run, run.count(b"\n"), counts, tallies)
            start = match.end()


def _count_graph(term: bytes, lines: bytes, number: int, counts: dict[str, int],
                 tallies: dict[str, GraphTally] | None) -> None:
    graph = term[1:-1].decode("utf-8")
    counts[graph] = counts.get(graph, 0) + number
    if tallies is not None:
        tallies.setdefault(graph, GraphTally()).add(lines)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


#: The project's folder: a file under it (the default articles, the curated findings) is named
#: in release files relative to it, so that a release neither publishes where its builder keeps
#: the project nor differs from a build of the same inputs in another checkout.
PROJECT = Path(__file__).resolve().parents[1]


def shown_path(name: str) -> str:
    """How release files name a source: as the user gave it, or relative to the project."""
    path = Path(name)
    if path.is_absolute() and path.is_relative_to(PROJECT):
        return path.relative_to(PROJECT).as_posix()
    return name


def quarantine_line(item: Rejected) -> str:
    """A record's line in ``quarantine.jsonl`` (without its line break)."""
    file, reason = item.provenance.file, item.reason
    if file and shown_path(file) != file:
        reason = reason.replace(file, shown_path(file))
    return json.dumps({"file": shown_path(file), "position": item.provenance.position,
                       "pmid": item.pmid, "title": item.title, "reason": reason},
                      ensure_ascii=False, sort_keys=True)


def write_quarantine(report: BuildReport, directory: Path) -> None:
    with (directory / QUARANTINE).open("w", encoding="utf-8") as out:
        for item in report.quarantine:
            out.write(quarantine_line(item))
            out.write("\n")


def lists_quarantined(release_dir: Path, items: Iterable[Rejected]) -> bool:
    """Whether the release's ``quarantine.jsonl`` lists every one of ``items``."""
    listed = set((release_dir / QUARANTINE).read_text(encoding="utf-8").splitlines())
    return all(quarantine_line(item) in listed for item in items)


def write_release(store: Store, directory: Path, report: BuildReport, *,
                  counts: dict[str, int] | None = None) -> dict[str, int]:
    """Write dumps (unless ``counts``, what ``write_dumps`` returned, says they are written),
    quarantine, checksums and manifest; return the triple count per graph."""
    if counts is None:
        counts = write_dumps(store, directory)
    write_quarantine(report, directory)
    mappings = sssom.write_release_mappings(store, directory, report.version)
    triples = {name: counts.get(iris.graph_iri(name).value, 0) for name in iris.GRAPH_NAMES}
    files = [*(f for f, _ in DUMPS.values()), VOID_FILE, QUARANTINE, *mappings, *citations.LISTS]
    sums = {f: sha256(directory / f) for f in files}
    (directory / CHECKSUMS).write_text("".join(f"{sums[f]}  {f}\n" for f in files),
                                       encoding="utf-8")
    media = {f: m for f, m in DUMPS.values()} | {VOID_FILE: "text/turtle",
                                                  QUARANTINE: "application/jsonl"} | {
        f: citations.MEDIA_TYPE for f in citations.LISTS} | mappings
    manifest = {
        "version": report.version,
        "based_on": report.based_on or None,  # the release an ingest applied its files to
        "articles": report.articles,
        "triples": triples,
        "files": [{"name": f, "bytes": (directory / f).stat().st_size, "sha256": sums[f],
                   "media_type": media[f]} for f in files],
        "sources": {shown_path(name): vars(count) for name, count in report.files.items()},
        "quarantined": len(report.quarantine),
        # the graph whose lines open the N-Quads dump, sorted (an ingest carries them over)
        "nquads_sorted_graph": report.nquads_sorted_graph or None,
        # each graph's N-Quads lines but graph/metadata's (which names the release): an
        # ingest whose graphs are the previous release's publishes nothing (``same_graphs``)
        "graph_sha256": report.graph_sha256 or None,
        # the --mesh and --mirbase files (an ingest not given them takes these again)
        "inputs": report.inputs,
        # a fingerprint of the evkg (code, ontology, curated data) that made all of it
        "made_with": report.made_with or None,
        # the base its IRIs are minted under (EVKG_BASE_IRI): a server and an ingest need it
        "base_iri": iris.base_iri(),
        # the labels' index the server searches (kg/searchindex.py); not among the files,
        # whose bytes a build makes the same: SQLite's bytes are its own
        "search_index": None if report.search_labels is None else {
            "file": searchindex.INDEX_FILE, "format": searchindex.INDEX_FORMAT,
            "labels": report.search_labels},
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n",
                                      encoding="utf-8")
    return triples


#: ``evkg export --format`` name → pyoxigraph format.
EXPORT_FORMATS = {
    "nq": RdfFormat.N_QUADS, "trig": RdfFormat.TRIG, "nt": RdfFormat.N_TRIPLES,
    "ttl": RdfFormat.TURTLE, "jsonld": RdfFormat.JSON_LD, "rdfxml": RdfFormat.RDF_XML,
}


def export_graph(store_dir: Path, fmt: str, graph: str | None, out: IO[bytes]) -> None:
    """Dump a store (or one named graph) in ``fmt``; triple formats take the union of graphs."""
    from kg.store import open_read_only

    rdf_format = EXPORT_FORMATS[fmt]
    store = open_read_only(store_dir)
    if rdf_format == RdfFormat.RDF_XML:
        out = cast(IO[bytes], RdfXmlWriter(out))
    prefixes = PREFIXES if rdf_format in (RdfFormat.TURTLE, RdfFormat.TRIG,
                                          RdfFormat.RDF_XML, RdfFormat.JSON_LD) else None
    if graph is not None:
        named = iris.named_graph(graph)
        if rdf_format.supports_datasets:  # N-Quads and TriG keep the graph's name
            serialize(store.quads_for_pattern(None, None, None, named), out, rdf_format,
                      prefixes=prefixes)
        else:
            store.dump(out, rdf_format, from_graph=named, prefixes=prefixes)
    elif rdf_format.supports_datasets:
        store.dump(out, rdf_format, prefixes=prefixes)
    else:
        serialize((q.triple for q in store), out, rdf_format, prefixes=prefixes)


def same_graphs(previous: Path, staging: Path) -> bool:
    """Whether the release written in ``staging`` holds ``previous``'s graphs, but for
    graph/metadata (which names the release), by the manifests' SHA-256 of their lines."""
    graphs = read_manifest(staging).get("graph_sha256")
    return bool(graphs) and read_manifest(previous).get("graph_sha256") == graphs


def same_files(previous: Path, staging: Path, *names: str) -> bool:
    """Whether the two releases' files of these names are the same bytes (by the manifests'
    SHA-256; a file one release lacks differs)."""
    def sums(release_dir: Path) -> list[object]:
        listed = {f["name"]: f["sha256"] for f in read_manifest(release_dir)["files"]}
        return [listed.get(name) for name in names]

    return sums(previous) == sums(staging)


def nquads_sorted_graph(release_dir: Path) -> str:
    """The graph whose lines open the release's N-Quads dump, sorted ("" when none does, or
    the release is older than the manifest's field)."""
    return str(read_manifest(release_dir).get("nquads_sorted_graph") or "")


def read_manifest(release_dir: Path) -> dict[str, Any]:
    """The release's ``manifest.json``; a ``ValueError`` naming it when it is no manifest."""
    path = release_dir / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:  # (a UnicodeDecodeError too)
        raise ValueError(f"{path} is not a release manifest ({error}): the release is damaged; "
                         "build it again") from None
    if not isinstance(manifest, dict):
        raise ValueError(f"{path} is not a release manifest (not a JSON object): the release "
                         "is damaged; build it again")
    return manifest


def point_current(out: Path, release_dir: Path) -> None:
    """Point ``out/current`` at ``release_dir`` atomically (a symlink swapped by rename), for
    good: the folder's names are synced to the disk."""
    link = out / "current"
    temporary = out / f".current-{os.getpid()}"
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    temporary.symlink_to(release_dir.relative_to(out))
    os.replace(temporary, link)
    sync_folder(out)


def sync_tree(folder: Path) -> None:
    """fsync each file under ``folder`` and each folder, once (links are not followed): what a
    rename then publishes holds its data after a power cut, not an empty or short file under
    its final name (its data may reach the disk some seconds after its name). A file that
    cannot be synced raises an ``OSError`` that names it."""
    for path, _, files in os.walk(folder):
        for name in files:
            file = os.path.join(path, name)
            if not os.path.isfile(file) or os.path.islink(file):
                continue
            try:
                descriptor = os.open(file, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
                try:
                    os.fsync(descriptor)
                finally:
                    os.close(descriptor)
            except OSError as error:  # (named: fsync's own error names no file)
                raise OSError(error.errno, error.strerror, file) from None
        sync_folder(Path(path))


def sync_folder(folder: Path) -> None:
    """fsync ``folder``: the names renamed into it (or out of it) outlast a power cut. As
    SQLite does, a folder that cannot be read (mode 0333) or synced (some network file
    systems) is left as it is: the rename is done, and was all that was asked."""
    with suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def current_release(out: Path) -> Path:
    """The release folder ``out/current`` points to; a clear error when there is none."""
    link = out / "current"
    if not link.exists():
        check_build_folder(out)
        if link.is_symlink():
            raise FileNotFoundError(f"{link} points at {os.readlink(link)}, which is not there: "
                                    f"build again (`evkg build --out {out}`)")
        raise FileNotFoundError(f"no release at {out}: run `evkg build --out {out}` first")
    return link.resolve()


def check_build_folder(out: Path) -> None:
    """A ``FileNotFoundError`` when ``out`` is none of what a build folder may be (there, or
    not yet made): a file, a release, a release's store. A server of a remote store, which
    needs no release, checks its ``--store`` so too."""
    if out.exists() and not out.is_dir():
        raise not_a_folder(out)
    if is_release(out):
        raise FileNotFoundError(
            f"{out} is a release, not a build folder: give the folder that holds its "
            f"releases/ and current ({out.resolve().parent.parent})")
    if is_release_store(out):  # not a folder to build into
        raise FileNotFoundError(
            f"{out} is a release's store, not a build folder: give the build folder that "
            f"holds the release ({out.resolve().parent.parent.parent})")
    # its name and parent as the path names them (`.` and `..` inside it too, not a link's)
    folder = Path(os.path.abspath(out))
    if folder.name == "releases" and os.path.lexists(folder.parent / "current"):
        # (`evkg build --out DIR/releases` would make a build folder inside it)
        raise FileNotFoundError(
            f"{out} is the releases/ of a build folder, not a build folder: give the folder "
            f"that holds it and current ({folder.parent})")


def servable_release(out: Path) -> Path:
    """The release ``out/current`` points to, when a server can serve it: its manifest read and
    its store opened; else an ``OSError`` or ``ValueError`` saying what is damaged."""
    served = current_release(out)
    read_manifest(served)
    store = served / "store"
    if not store.is_dir():
        raise FileNotFoundError(f"no store at {store}: the release is damaged; build it again")
    try:
        Store.read_only(str(store))
    except OSError as error:
        raise OSError(f"the store at {store} does not open ({error}): the release is damaged; "
                      "build it again") from None
    return served


def lease(release_dir: Path) -> int:
    """Hold ``release_dir`` as in use, for as long as the returned descriptor stays open (in
    this process and in those it forks): a shared ``flock`` on its manifest, which ``evkg
    prune`` tests before it removes a release (``kg.pruning``). Waits while a prune removes
    the release, and then raises ``FileNotFoundError``: the release is gone."""
    path = release_dir / MANIFEST
    descriptor = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH)
        if not os.path.samestat(os.fstat(descriptor), path.stat()):
            raise FileNotFoundError(f"{release_dir} was removed (evkg prune)")
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


def not_a_folder(out: Path, *, or_release: bool = False) -> FileNotFoundError:
    """The error for a build folder (``--store``, ``--out``, ``--into``) that names a file
    (``or_release``: for a command that also takes a release folder), in the words of every
    command."""
    return FileNotFoundError(f"{out} is a file, not a build folder: give the folder `evkg build "
                             f"--out` writes{' (or one of its releases)' if or_release else ''}")


def release_to_read(out: Path) -> Path:
    """What ``--store`` names for a command that only reads (query, validate, export, load):
    a build folder's current release, or a release folder itself (``DIR/current``,
    ``DIR/releases/{version}``: an older release can be read too), or a release's store
    (``DIR/current/store``, which ``evkg query`` takes as a store)."""
    if out.exists() and not out.is_dir():
        raise not_a_folder(out, or_release=True)
    if is_release_store(out):
        return out.parent.resolve()
    return out.resolve() if is_release(out) else current_release(out)


def is_release(folder: Path) -> bool:
    return (folder / MANIFEST).is_file() and (folder / "store").is_dir()


def is_release_store(folder: Path) -> bool:
    """Whether ``folder`` is a release's store (``DIR/current/store``)."""
    return folder.name == "store" and is_release(folder.parent)


def holds_release(folder: Path, staging: Path) -> bool:
    """Whether ``folder`` holds the release written in ``staging`` whole: the same manifest
    (which names every file with its size and SHA-256), each of those files of its size and
    SHA-256, and a store. A release of the same version may differ: damaged since, or made
    while a source changed under the build (its version names what the source held when the
    build began). (The SHA-256 of a million articles' dumps takes seconds, the build minutes.)"""
    try:
        if (folder / MANIFEST).read_bytes() != (staging / MANIFEST).read_bytes():
            return False
        manifest = read_manifest(folder)
        files, index = manifest["files"], manifest.get("search_index")
        return (folder / "store").is_dir() and all(
            (folder / f["name"]).stat().st_size == f["bytes"] for f in files) and all(
            sha256(folder / f["name"]) == f["sha256"] for f in files) and (
            not isinstance(index, dict) or (folder / str(index.get("file"))).is_file())
    except (OSError, ValueError, KeyError):
        return False


#: The result cache's folder in a build folder (``evkg serve``'s unless EVKG_CACHE_DIR names
#: another), where an answer of a release is a file named ``answer_file`` names.
CACHE_FOLDER = "cache"


#: An answer's key in its file's name (``server.cache.cache_key``: a hex SHA-256), as a regular
#: expression: the cache's folder may be shared, and only such names are the cache's.
ANSWER_KEY = "[0-9a-f]{64}"


def answer_file(version: str, key: str) -> str:
    """The name of the result cache's file of answer ``key`` of release ``version`` (``""``:
    a store that is no release): by version first, so that evkg prune removes the answers of
    the releases it removes."""
    return f"{version}-{key}" if version else key


#: The file a build or an ingest holds locked (``flock``) while it writes a build folder.
WRITE_LOCK = ".evkg-writing.lock"

#: The note a build that made a build folder leaves in it until a release is published there:
#: the folder and the parent folders it made too, each by device and inode (a copy of the note
#: elsewhere names none there). Whichever build holds the folder last and fails removes a
#: folder so noted where nothing was published (``kg.build.Writing``).
MADE_NOTE = ".evkg-made-by-a-build"


def is_build_folder(folder: Path) -> bool:
    """Whether ``folder`` is a build folder evkg wrote (``releases/`` beside ``current`` or
    the write lock)."""
    return (folder / "releases").is_dir() and (
        (folder / "current").is_symlink() or (folder / WRITE_LOCK).exists())


def within_release(folder: Path) -> Path | None:
    """The release folder (or a build's ``releases/`` folder) ``folder`` is or lies in, if any:
    no build or ingest may write there (it would nest a build inside a published release)."""
    for candidate in (folder, *folder.parents):
        if is_release(candidate) or (candidate.name == "releases"
                                     and is_build_folder(candidate.parent)):
            return candidate
    return None
