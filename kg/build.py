"""The one place that knows the order of the build: read → map → load → describe → check → release.

Every step works on iterators, so the default 93 articles and a PubMed baseline take the same
path. A build writes into a staging folder and only a complete, validated release is moved into
``releases/`` and pointed to by ``current`` (atomically), so a failed or killed build leaves the
release being served untouched.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import gc
import hashlib
import os
import resource
import shutil
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import IO, Any, TypeVar

from pyoxigraph import BlankNode, NamedNode, Quad, QuerySolutions, RdfFormat, Store, parse

from kg import citations, iris, mesh, mirbase, release, searchindex, validate
from kg.citations import (
    DoiCitation,
    materialise_listed,
    point_citations,
    previous_listed,
    read_doi_citations,
)
from kg.findings import FindingNames, curated_dois, finding_quads, read_curated_findings
from kg.inputs import (
    DATA_DIR,
    ONTOLOGY_DIR,
    BuildError,
    Inputs,
    default_sources,
    mesh_tables,
    option_of,
    recorded_inputs,
    remembered_inputs,
    shown_file,
)
from kg.linking import ArticleLinker
from kg.loading import ArticleIndex, ArticleLoader, FileCount, prune_shared
from kg.meshnames import MeshNames
from kg.meshsupplementary import (
    SupplementaryFile,
    SupplementaryRecord,
    mapped_heading_uis,
    mapped_pair_quads,
    read_supplementary_file,
    supplementary_record_quads,
)
from kg.metadata import DUMPS, Tallies, metadata_quads
from kg.namespaces import EVKG, FABIO, MESH, MESHV, RDF, SKOS
from kg.plurals import counted
from kg.pruning import remove_staging
from kg.records import Rejected
from kg.release import MADE_NOTE, WRITE_LOCK, within_release
from kg.sources import iter_source_files, read_source, record_places
from kg.spool import CarriedGraph, GraphLines, GraphSpool, SortedStoreGraph
from kg.statistics import statistics_quads
from kg.stopping import SignalsHeld, Stop
from kg.store import create_store, load_quads, open_read_only
from kg.vocabulary import Concept, concept_quads, read_concepts, vocabulary_quads


@dataclass
class BuildReport:
    version: str = ""
    release_dir: Path | None = None
    files: dict[str, FileCount] = field(default_factory=dict)
    quarantine: list[Rejected] = field(default_factory=list)
    #: The entries of ``quarantine`` that ``source_errors`` does not count (older versions,
    #: records without PMID of a paper the graph holds by PMID).
    uncounted: list[Rejected] = field(default_factory=list)
    triples: dict[str, int] = field(default_factory=dict)
    articles: int = 0
    #: Seconds spent in each step of the build (for benchmarks; not part of the release).
    timings: dict[str, float] = field(default_factory=dict)
    #: The process's peak RSS (MB) when each step ended: it only grows, so the step where it
    #: rises is the one that set it (for benchmarks; ``sort`` and the dumps' converters are
    #: child processes, not counted).
    peak_rss_mb: dict[str, float] = field(default_factory=dict)
    #: Where the articles graph of the dumps was read: "loaded lines" (a build's
    #: ``GraphSpool``), "carried lines" (an ingest's ``CarriedGraph``), "store, sorted"
    #: (``SortedStoreGraph``) or "store" (in the store's order).
    dumps_from: str = ""
    #: The graph whose lines open the N-Quads dump, sorted (those three ways), else "".
    nquads_sorted_graph: str = ""
    #: The project's curated findings file: its entries wait in the quarantine until their
    #: article is in the graph, and are not errors of the build's sources.
    curated_file: str = ""
    #: The project's default articles (``data/articles.jsonl``) when the build reads them:
    #: their few records without an identifier are quarantined by every build, listed, and
    #: not errors of the user's sources either.
    default_files: tuple[str, ...] = ()
    #: The release an ingest started from (its version; "" for a build).
    based_on: str = ""
    #: The SHA-256 of each graph's lines in the N-Quads dump but graph/metadata's (by graph
    #: IRI; empty when the dumps were written without their tallies).
    graph_sha256: dict[str, str] = field(default_factory=dict)
    #: An ingest that changed no graph and quarantined no record of its files that the
    #: current release does not list: ``based_on`` stays current and no release is published
    #: (``version`` and ``release_dir`` name it).
    unchanged: bool = False
    #: How many records of the sources may be quarantined before the release is held back
    #: (``--max-errors``; None: any number).
    max_errors: int | None = None
    #: Whether each step says on stderr when it starts and how long it took (a terminal
    #: without ``--quiet``: a big build spends minutes in steps that have no progress bar).
    announce: bool = False
    #: The ``--mesh`` and ``--mirbase`` files the release was made with, by option name
    #: (``mesh 2`` … for a second ``--mesh`` file: ``inputs.given_files``; ``file``: where it
    #: is, ``sha256``: its content): the manifest records them, and an ingest not given one
    #: takes the current release's (``remembered_inputs``).
    inputs: dict[str, dict[str, str]] = field(default_factory=dict)
    #: The names of those an ingest was not given and took from the current release.
    remembered: tuple[str, ...] = ()
    #: An ingest given neither into a release whose manifest records none (an older evkg's,
    #: from before ``inputs``): whether it was made with them is not known.
    unrecorded: bool = False
    #: ``Inputs.made_with`` of the evkg that made the whole release (the manifest records it;
    #: "" for an ingest into a release another evkg made, whose graph then mixes the two).
    made_with: str = ""
    #: For an ingest into a release that this evkg did not make throughout: that release's
    #: fingerprint ("" when its manifest records none).
    based_on_other: str | None = None
    #: How many labels the release's search index holds (None: it was not written).
    search_labels: int | None = None
    #: How many MeSH descriptors the articles are indexed with, and how many of those no MeSH
    #: table describes, so that they have no tree number (PubMed's records give none: a
    #: build of them without ``--mesh``), and queries by tree miss them.
    headings: int = 0
    headings_without_tree: int = 0
    #: How many ``--mesh`` files gave descriptors (NLM's XML or a table), and how many NLM's
    #: supplementary concept records, which give no tree numbers.
    mesh_descriptor_files: int = 0
    mesh_record_files: int = 0
    #: What each ``--mesh`` file was read as, and how many it holds, by the file as ``inputs``
    #: names it ("NLM's descriptor XML: 30764 descriptors" …).
    mesh_read: dict[str, str] = field(default_factory=dict)

    @property
    def source_errors(self) -> int:
        """Records of the article sources that went to quarantine (what ``--max-errors``
        counts), but the versions older than the graph's and the records without PMID of a
        paper the graph holds by PMID."""
        return sum(count.quarantined - count.superseded - count.held_by_pmid
                   for count in self._source_counts().values())

    def unread(self) -> dict[str, str]:
        """The article sources that could not be read on from a place, by name: the records
        after it are lost, how many is not known (``FileCount.unread``)."""
        return {name: count.unread for name, count in self._source_counts().items()
                if count.unread}

    def _source_counts(self) -> dict[str, FileCount]:
        return {name: count for name, count in self.files.items()
                if name != self.curated_file and name not in self.default_files}

    def counted(self) -> list[Rejected]:
        """The entries of ``quarantine`` but the ``uncounted`` ones."""
        uncounted = {id(item) for item in self.uncounted}
        return [item for item in self.quarantine if id(item) not in uncounted]

    @property
    def too_many_errors(self) -> bool:
        """More records of the sources were quarantined than ``--max-errors`` allows, or a
        source lost records that could not be counted (a file cut short, corrupt or refused
        whole: they may be many more)."""
        return self.max_errors is not None and (self.source_errors > self.max_errors
                                                or bool(self.unread()))


@contextmanager
def timed(report: BuildReport, step: str) -> Iterator[None]:
    """Add the time the block takes to ``report.timings[step]`` (and announce it if asked)."""
    if report.announce:
        _announce(f"evkg: {step} …")
    start = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - start
        report.timings[step] = report.timings.get(step, 0.0) + elapsed
        report.peak_rss_mb[step] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        if report.announce:
            _announce(f"evkg: {step} took {elapsed:.1f} s")


def _announce(line: str) -> None:
    """One line on stderr, written whole (steps in the pool's threads announce themselves)."""
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def ontology_quads(ontology_dir: Path = ONTOLOGY_DIR) -> Iterator[Quad]:
    """The ontology in ``graph/ontology``, its blank nodes named by order of appearance
    (the parser names them at random, which would change the release bytes)."""
    g = iris.graph_iri("ontology")
    names: dict[str, BlankNode] = {}

    def stable(term: Any) -> Any:
        if isinstance(term, BlankNode):
            return names.setdefault(term.value, BlankNode(f"ontology{len(names) + 1}"))
        return term

    for triple in parse(path=str(ontology_dir / "evkg.ttl"), format=RdfFormat.TURTLE):
        yield Quad(stable(triple.subject), triple.predicate, stable(triple.object), g)


def load_curated_findings(store: Store, path: Path, index: ArticleIndex, names: FindingNames,
                          report: BuildReport) -> None:
    """The curated findings whose article is in the graph; the others are quarantined."""
    report.curated_file = str(path)
    count = report.files.setdefault(str(path), FileCount())
    quads: list[Quad] = []
    for item in read_curated_findings(path, index.lookup):
        count.seen += 1
        if isinstance(item, Rejected):
            count.quarantined += 1
            report.quarantine.append(item)
            continue
        # the flag follows the graph's article, as every finding's does: a record read from a
        # file older than the retraction has no mark, whatever the curated row says
        item = replace(item, retracted=item.article.value in index.retracted)
        quads.extend(finding_quads(item, names))
        count.mapped += 1
    load_quads(store, quads)


def ontology_mesh_uis(ontology_dir: Path) -> set[str]:
    """The MeSH descriptors the ontology aligns its classes to."""
    prefix = "http://id.nlm.nih.gov/mesh/"
    return {term.value[len(prefix):]
            for triple in parse(path=str(ontology_dir / "evkg.ttl"), format=RdfFormat.TURTLE)
            for term in (triple.object,)
            if isinstance(term, NamedNode) and term.value.startswith(prefix + "D")}


def vocabulary_mesh_uis(data_dir: Path) -> set[str]:
    return {curie.partition(":")[2] for c in read_concepts(data_dir / "vocabulary")
            for _, curie in c.mappings if curie.startswith("MESH:D")}


def described_mesh_uis(store: Store) -> set[str]:
    """The UIs of the MeSH terms graph/mesh describes (an ingest's tables describe them again:
    ``--mesh`` may bring tree numbers and entry terms the previous release had not)."""
    return _first_column(store, f"SELECT DISTINCT ?ui {{ GRAPH <{iris.graph_iri('mesh').value}> "
                                f"{{ ?t <{MESHV.identifier.value}> ?ui }} }}")


def described_records(supplements: list[tuple[Path, SupplementaryFile]], wanted: set[str],
                      report: BuildReport) -> tuple[dict[str, SupplementaryRecord],
                                                    dict[str, tuple[int, set[str]]]]:
    """UI → the records of NLM's supplementary concept files (each file's path and what it
    holds, in the order given) that describe a concept of ``wanted``; a later file's record
    wins, as a later table's descriptor does. And per file (as shown) how many records it
    holds and the UIs of those it describes, which ``note_described`` puts in the summary."""
    records: dict[str, SupplementaryRecord] = {}
    described: dict[str, tuple[int, set[str]]] = {}
    for path, supplement in supplements:
        named = list(supplement.named(wanted))
        records.update((r.ui, r) for r in named)
        described[shown_file(path)] = (len(supplement.records), {r.ui for r in named})
    note_described(report, described)
    return records, described


def note_described(report: BuildReport, described: dict[str, tuple[int, set[str]]],
                   kept: set[str] | None = None) -> None:
    """Each supplementary concept file's line of the summary: its records and how many of them
    graph/mesh describes (of ``kept``, the UIs it describes once an ingest has pruned what
    only removed records named: the count was the previous release's)."""
    for shown, (total, uis) in described.items():
        count = len(uis if kept is None else uis & kept)
        report.mesh_read[shown] = f"NLM's supplementary concept records: {total}, {count} described"


def renew_project_graphs(store: Store, inputs: Inputs) -> None:
    """Make way for this evkg's ``graph/ontology`` and ``graph/vocabulary`` in a release
    another evkg made: the ontology goes whole, and of the vocabulary what this evkg describes
    (its concepts, schemes and labelled terms, each told anew), while a concept only the
    release describes stays (a ``--mirbase`` miRNA, one this evkg no longer lists), as its
    findings still name it."""
    store.clear_graph(iris.graph_iri("ontology"))
    vocabulary = iris.graph_iri("vocabulary")
    told = {quad.subject for quad in vocabulary_quads(inputs.data_dir / "vocabulary")}
    for subject in told:
        for quad in list(store.quads_for_pattern(subject, None, None, vocabulary)):
            store.remove(quad)


def retracted_articles(store: Store) -> set[str]:
    """The articles the store marks retracted (by their own record or a notice)."""
    return _first_column(store, f"SELECT ?a {{ GRAPH <{iris.graph_iri('articles').value}> "
                                f"{{ ?a <{EVKG.retracted.value}> true }} }}")


def heading_uis(store: Store) -> set[str]:
    """The UIs of the MeSH descriptors the articles are indexed with."""
    return {iri.removeprefix(MESH.iri) for iri in _first_column(store, f"""SELECT DISTINCT ?d {{
        GRAPH <{iris.graph_iri("articles").value}> {{ ?a <{FABIO.hasSubjectTerm.value}> ?d }}
        FILTER(REGEX(STR(?d), "^{MESH.iri}D[0-9]+$")) }}""")}


def _first_column(store: Store, query: str) -> set[str]:
    """The values of a SELECT query's first variable."""
    solutions = store.query(query)
    assert isinstance(solutions, QuerySolutions)
    return {row[0].value for row in solutions}


def named_cargo(store: Store, concepts: dict[str, Concept]) -> list[Concept]:
    """The ``concepts`` (by key) that findings name as cargo, with the concepts they are
    narrower than (a mature miRNA's gene), less those ``graph/vocabulary`` already describes."""
    by_iri = {c.iri.value: key for key, c in concepts.items()}
    rows = store.query(FINDINGS_CARGO.format(findings=iris.graph_iri("findings").value))
    assert isinstance(rows, QuerySolutions)
    named = [by_iri[row[0].value] for row in rows if row[0].value in by_iri]
    vocabulary = iris.graph_iri("vocabulary")
    return [c for c in mirbase.used_concepts(concepts, named)
            if next(store.quads_for_pattern(c.iri, RDF.type, SKOS.Concept, vocabulary), None) is None]


def build(
    sources: Sequence[str | Path] = (),
    out: Path = Path("build"),
    *,
    mesh_files: Sequence[Path] = (),
    mirbase_file: Path | None = None,
    default_articles: bool = True,
    data_dir: Path = DATA_DIR,
    ontology_dir: Path = ONTOLOGY_DIR,
    shacl: bool = True,
    progress: bool = False,
    max_errors: int | None = None,
) -> BuildReport:
    """Build a release from the sources into ``out/releases/{version}``; point ``current`` at it."""
    paths = list(iter_source_files(sources))
    defaults = default_sources(data_dir) if default_articles else []
    paths = defaults + paths
    if not paths:
        raise BuildError("nothing to build: no sources, and --without-default-articles")
    inputs = Inputs(mesh_tables(data_dir, mesh_files), data_dir, ontology_dir, shacl, progress,
                    mirbase_file)
    with writing(out, announce=progress):
        # the version names what the files hold once the build may write (not before it waited
        # for another, while a download could still be writing one)
        report = BuildReport(version=inputs.version(paths), announce=progress,
                             max_errors=max_errors, default_files=tuple(map(str, defaults)),
                             inputs=recorded_inputs(mesh_files, mirbase_file),
                             made_with=inputs.made_with())
        return _release(out, report, lambda staging: _fill(staging, None, paths, report, inputs))


def ingest(
    files: Sequence[str | Path],
    into: Path,
    *,
    mesh_files: Sequence[Path] = (),
    mirbase_file: Path | None = None,
    data_dir: Path = DATA_DIR,
    ontology_dir: Path = ONTOLOGY_DIR,
    shacl: bool = True,
    progress: bool = False,
    max_errors: int | None = None,
) -> BuildReport:
    """Apply PubMed update (or any source) files to the current release, making the next one.

    Two ingests into one folder take turns (``writing``): each applies its files to the release
    the other left current, so neither's records are lost."""
    with writing(into, announce=progress, create=False):
        return _ingest(files, into, mesh_files=mesh_files, mirbase_file=mirbase_file,
                       data_dir=data_dir, ontology_dir=ontology_dir, shacl=shacl,
                       progress=progress, max_errors=max_errors)


def _ingest(files: Sequence[str | Path], into: Path, *, mesh_files: Sequence[Path],
            mirbase_file: Path | None, data_dir: Path, ontology_dir: Path, shacl: bool,
            progress: bool, max_errors: int | None) -> BuildReport:
    previous = release.current_release(into)
    paths = list(iter_source_files(files))
    manifest = release.read_manifest(previous)
    built_under = manifest.get("base_iri")  # (a release from before 5 Dec records none)
    if built_under and built_under != iris.base_iri():
        raise BuildError(f"the current release ({previous.name}) mints its IRIs under "
                         f"{built_under}, and EVKG_BASE_IRI is {iris.base_iri()}: an ingest "
                         "would mix the two; ingest with EVKG_BASE_IRI set to the release's "
                         "base, or build again under the new one")
    recorded = manifest.get("inputs") or {}
    remembered = remembered_inputs(previous, recorded, mesh_files, mirbase_file)
    mesh_files = mesh_files or [path for name, path in remembered.items()
                                if option_of(name) == "mesh"]
    mirbase_file = mirbase_file or remembered.get("mirbase")
    inputs = Inputs(mesh_tables(data_dir, mesh_files), data_dir, ontology_dir, shacl, progress,
                    mirbase_file)
    digest = hashlib.sha256(previous.name.encode())
    digest.update(inputs.version(paths).encode())
    report = BuildReport(version=digest.hexdigest()[:12], based_on=previous.name,
                         announce=progress, max_errors=max_errors,
                         inputs=recorded_inputs(mesh_files, mirbase_file),
                         remembered=tuple(remembered),
                         unrecorded="inputs" not in manifest and not (mesh_files or mirbase_file))
    # a release made by one evkg throughout records it; one that mixes the parts of two, none
    made_before, made_now = str(manifest.get("made_with") or ""), inputs.made_with()
    if made_before == made_now:
        report.made_with = made_now
    else:
        report.based_on_other = made_before

    def fill(staging: Path) -> None:
        _fill(staging, previous / "store", paths, report, inputs)
        # records this ingest quarantined are news, unless the release already lists them
        # (older versions are none: a file sent again whose second version of a record made
        # its first one older, beside an error listed already, published a release), and so
        # are other lists of derived citations over the same graphs (a record sent again
        # that now cites by PMID what a "cited by" list gave)
        report.unchanged = release.same_graphs(previous, staging) and (
            report.source_errors == 0 or release.lists_quarantined(previous, report.counted()
                                                                   )) and (
            release.same_files(previous, staging, *citations.LISTS)) and (
            report.inputs == recorded)

    return _release(into, report, fill)


#: How many times a build starts over when the folder it would hold is removed under it (by
#: failed first builds, each removing the folder it made).
LOCK_ATTEMPTS = 100


def check_folder_to_write(out: Path) -> None:
    """A ``BuildError`` when ``out`` cannot be a build folder: a file, a release or a folder in
    one (``evkg fetch`` asks before it fetches: its batches go in the build folder)."""
    if out.exists() and not out.is_dir():
        raise BuildError(str(release.not_a_folder(out)))
    inside = within_release(out.absolute())
    if inside is not None:  # (named by the build folder to give: it named the release again)
        if inside.name == "releases":
            what, folder = "the releases/", inside.parent
        else:
            what, folder = "a release", inside.resolve().parent.parent
        where = f" ({inside})" if inside != out.absolute() else ""
        raise BuildError(f"{out} is {'in ' if where else ''}{what}{where} of a build folder: "
                         f"give the build folder itself (--out, --into), which holds releases/ "
                         f"and current ({folder})")


def writing(out: Path, *, announce: bool = False, create: bool = True) -> Writing:
    """Hold the build folder for one build or ingest at a time: a second waits for the first
    (an ingest that read ``current`` while another wrote the next release would publish a
    release without the other's records). The lock goes with the process, even on SIGKILL.
    Without ``create``, a folder that does not exist is left for the caller to report."""
    return Writing(out, announce=announce, create=create)


class Writing:
    """``writing``'s hold on a build folder; a first build that fails or is interrupted
    removes the folders it made.

    From before the first folder is made to the end of the build, every step is inside the
    code that removes them: a Ctrl-C after ``mkdir`` (or the lock's ``open`` or ``flock``)
    and before that code began left a first build's folder behind. A class, not a
    ``contextlib`` generator: the generator's ``__enter__`` took a step of its own once the
    generator held the folder, where a Ctrl-C reached neither the generator nor the ``with``.
    """

    def __init__(self, out: Path, *, announce: bool, create: bool) -> None:
        self.out, self.announce, self.create = out, announce, create
        self._made: list[Path] = []  # the folders this build made, the build folder first
        self._handle: IO[str] | None = None  # the lock file, once opened

    def __enter__(self) -> None:
        check_folder_to_write(self.out)
        try:
            self._hold()
        except BaseException:
            self._let_go(failed=True)
            raise

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: object) -> None:
        self._let_go(failed=kind is not None)

    def _hold(self) -> None:
        out, lock = self.out, self.out / WRITE_LOCK
        for _ in range(LOCK_ATTEMPTS):
            if not self.create and not out.exists():  # (also once a failed first build removed it)
                return
            self._made = ([folder for folder in (out, *out.parents) if not folder.exists()]
                          if self.create else [])
            try:
                if self.create:
                    out.mkdir(parents=True, exist_ok=True)
                    if self._made:
                        _note_made(out, self._made)
                self._handle = handle = _open_lock(lock)
            except FileNotFoundError as error:
                if out.is_dir():  # not a folder removed under it: the lock file cannot be made
                    raise BuildError(f"cannot open the lock file {lock}: "
                                     f"{error.strerror}") from None
                continue  # a failed first build removed the folder (or a parent) just now
            except OSError as error:
                if error.errno == errno.ELOOP:
                    raise BuildError(f"the lock file {lock} is a link: remove it (evkg makes its "
                                     "own)") from None
                raise BuildError(f"cannot {'write in' if out.is_dir() else 'create'} the build "
                                 f"folder {out} (--out, --into): {error.strerror}") from None
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if self.announce:
                    print(f"evkg: waiting for another build or ingest in {out} to finish",
                          file=sys.stderr, flush=True)
                fcntl.flock(handle, fcntl.LOCK_EX)
            if _still_the_lock(handle, lock):
                return
            self._handle = None
            handle.close()  # the build it waited for failed and removed the folder it had made
        raise BuildError(f"{out} was removed {LOCK_ATTEMPTS} times while this build waited to "
                         f"hold it: is another program removing it?")

    def _let_go(self, *, failed: bool) -> None:
        with SignalsHeld():  # (a second Ctrl-C stopped the removal partway)
            try:
                with suppress(OSError, ValueError):  # the error that stopped the build is the
                    _let_go_of_folder(self.out, self._made, self._handle,  # one to report
                                      failed=failed)
            finally:
                if self._handle is not None:
                    self._handle.close()


def _open_lock(lock: Path) -> IO[str]:
    """The lock file, made if missing: neither truncated nor followed if a link (``open("w")``
    emptied whatever file a link at its name led to, put there by whoever else may write in
    the build folder)."""
    return os.fdopen(os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC,
                             0o666), "w")


def _still_the_lock(handle: IO[str], lock: Path) -> bool:
    """Whether the file ``handle`` holds locked is still the build folder's lock file."""
    try:
        return os.path.samestat(os.fstat(handle.fileno()), lock.stat())
    except FileNotFoundError:
        return False


def _note_made(out: Path, made: list[Path]) -> None:
    """Note in ``out``, just made, that a build made it and the parent folders it made for it
    (``made``, ``out`` first; ``MADE_NOTE``): each by its device and inode, so that the note
    counts in the folder it was written in, and for the parents it names, only (a copy of it,
    in a folder the user made, counted there, and by the number of parents it gave: a build
    that failed there removed the user's folders)."""
    note = os.open(out / MADE_NOTE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
                   | os.O_CLOEXEC, 0o666)
    with os.fdopen(note, "w") as written:
        for folder in made:
            found = folder.stat()
            written.write(f"{found.st_dev} {found.st_ino}\n")


def _noted(out: Path) -> list[Path]:
    """The folders ``out``'s note says a build made: ``out``, then the parents made for it;
    none when the note was not written in ``out`` (a copy)."""
    try:
        noted = (out / MADE_NOTE).read_text(encoding="utf-8").split("\n")
    except (OSError, ValueError):
        return []
    made = []
    for folder, line in zip((out, *out.parents), noted, strict=False):
        try:
            found = folder.stat(follow_symlinks=False)
        except OSError:
            break
        if line != f"{found.st_dev} {found.st_ino}":
            break
        made.append(folder)
    return made


def _let_go_of_folder(out: Path, made: list[Path], handle: IO[str] | None, *,
                      failed: bool) -> None:
    """Remove the folders a build made (``made``: the build folder, deepest first, and the
    parents it had to make; or those noted in the folder, ``MADE_NOTE``, by a build that made
    it) when a build ends in failure and the folder holds nothing but the lock and the note
    (and an empty ``releases/``): the user finds no folder, as before the first build.

    Only under the lock (``handle``, this build's open lock file, if it got that far): a build
    stopped while it waited for the lock leaves the folder to the build that holds it, which
    removes it by the note if it fails too (it removed nothing, not having made the folder,
    and the folder stayed). The note goes once a release is published in the folder."""
    note = out / MADE_NOTE
    if not made and not note.is_file():  # (a folder no build made: the user's)
        return
    if not out.is_dir():  # stopped before it was made: the parents made for it, if empty
        for folder in made[1:]:
            with suppress(OSError):
                folder.rmdir()
        return
    lock = out / WRITE_LOCK
    held = handle if handle is not None and not handle.closed else _open_lock(lock)
    try:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # (BlockingIOError: another's now)
        if not _still_the_lock(held, lock):
            return
        releases = out / "releases"
        if releases.is_dir() and any(releases.iterdir()):
            note.unlink(missing_ok=True)  # published in: a build folder like any other
            return
        if not failed or {path.name for path in out.iterdir()} - {WRITE_LOCK, MADE_NOTE,
                                                                 "releases"}:
            return
        made = made or _noted(out)
        if not made:  # (a note copied from elsewhere: the folder is the user's)
            return
        lock.unlink(missing_ok=True)
        note.unlink(missing_ok=True)
        for folder in (releases, *made):
            with suppress(OSError):
                folder.rmdir()
    finally:
        if held is not handle:
            held.close()


def _release(out: Path, report: BuildReport, fill: Callable[[Path], None]) -> BuildReport:
    """Run ``fill`` in a staging folder, then publish it as ``releases/{version}``.

    Nothing under ``releases/`` or ``current`` changes until the release is complete; a
    release of the same version already present is identical by construction and kept, unless
    it is not (``release.holds_release``): then the new one takes its place. A
    release with more quarantined records than ``report.max_errors`` is kept under
    ``releases/`` for a look but not made current: whatever serves ``current`` goes on
    serving the previous one. An ingest that changed nothing (``report.unchanged``) publishes
    nothing: re-applying a file leaves the same release current.
    """
    remove_stale_staging(out)
    staging = out / f".staging-{report.version}-{os.getpid()}"
    # where a release of the same version that differs goes (removed as the staging folder is)
    replaced = out / f".staging-replaced-{report.version}-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    stopped: BaseException | None = None  # what stopped the build, if anything did
    try:  # (from before the staging folder is made: a Ctrl-C right after left it behind)
        try:  # before any work: a release made that cannot be published is time lost
            for folder in (out, out / "releases"):
                if not folder.exists():  # (releases/ is made with the first release)
                    continue
                if os.statvfs(folder).f_flag & os.ST_RDONLY:
                    raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(folder))
                if not os.access(folder, os.W_OK | os.X_OK,
                                 effective_ids=os.access in os.supports_effective_ids):
                    raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(folder))
            staging.mkdir()
        except OSError as error:
            raise BuildError(f"cannot write in {error.filename}: {error.strerror}: nothing was "
                             f"published{_still_current(out)}") from None
        try:
            fill(staging)
        except (OSError, RuntimeError) as error:
            refused = _no_room(error)
            if refused is None:
                raise
            what, hint = NO_ROOM[refused][1:]
            raise BuildError(f"{what.format(out=out)}: nothing was published"
                             f"{_still_current(out)} ({hint})") from None
        if report.unchanged:
            report.version = report.based_on
            report.release_dir = out / "releases" / report.based_on
            triples = release.read_manifest(report.release_dir)["triples"]
            # the manifest's keys are sorted: the summary names the graphs in their own order
            report.triples = {name: triples[name] for name in iris.GRAPH_NAMES if name in triples}
            report.triples.update(triples)
            return report
        final = out / "releases" / report.version
        final.parent.mkdir(exist_ok=True)
        if not release.holds_release(final, staging):
            # (on the disk before its name, so a power cut after the rename keeps whole files;
            # before the release it replaces is set aside, so a sync that fails leaves that one)
            try:
                release.sync_tree(staging)
            except OSError as error:  # (a disk that fails, EIO): a message, not a traceback
                written = Path(error.filename).relative_to(staging)
                raise BuildError(f"cannot write release {report.version}'s {written} to the "
                                 f"disk: {error.strerror}: nothing was published"
                                 f"{_still_current(out)}") from None
            if final.exists():  # (set aside first: current is without a release for a moment)
                final.rename(replaced)
            staging.rename(final)
            release.sync_folder(final.parent)
        with suppress(OSError):  # published now (also again): evkg prune orders releases so
            os.utime(final)
        report.release_dir = final
        if not report.too_many_errors:
            release.point_current(out, final)
    except BaseException as error:
        stopped = error
        raise
    finally:  # (whole: a second Ctrl-C stopped it partway, with the staging folder half gone)
        with SignalsHeld():
            if stopped is not None:
                _close_stores_of(stopped)
                stopped = None  # (this frame keeps no hold on the frames it holds)
            shutil.rmtree(staging, ignore_errors=True)
            shutil.rmtree(replaced, ignore_errors=True)
    return report


def _still_current(out: Path) -> str:
    """", and current is still release V" for a build folder with a current release."""
    current = out / "current"
    return f", and current is still release {current.resolve().name}" if current.exists() else ""


def _close_stores_of(error: BaseException) -> None:
    """Let go of the store a failed step left open, before its staging folder is removed.

    The frames of ``error``'s traceback hold the staging store (``_fill_store``'s ``store``
    and the arguments of the step that failed): RocksDB, still open, went on writing into
    the folder being removed (its background compaction, then its last flush when the
    traceback was freed), so a failed or interrupted first build left ``--out`` holding a
    ``.staging-*`` store and the lock file. Clearing those frames closes the store first.
    """
    seen: set[int] = set()
    link: BaseException | None = error
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        traceback.clear_frames(link.__traceback__)
        link = link.__cause__ or link.__context__
    gc.collect()  # a store held in a reference cycle goes too


#: The ways a device refuses to hold more, by errno: the words RocksDB (through pyoxigraph)
#: and the dump writers report it with, what the build says, and what to do.
NO_ROOM = {
    errno.ENOSPC: ("No space left on device", "no space left on the device that holds {out}",
                   "a build needs room for a copy of its store and the dumps beside the "
                   "releases kept"),
    errno.EDQUOT: ("Disk quota exceeded", "the disk quota for {out} is used up",
                   "a build needs room for a copy of its store and the dumps beside the "
                   "releases kept"),
    errno.EFBIG: ("File too large", "a file of the release in {out} grew past the largest "
                  "file this process may write", "the store's and the dumps' files grow with "
                  "the graph: raise the limit, `ulimit -f unlimited`"),
}


def _no_room(error: BaseException) -> int | None:
    """The ``NO_ROOM`` errno ``error`` (or what caused it) is, if any: Python's, or the words
    RocksDB and the dump writers report it with."""
    while error is not None:
        for number, (words, _, _) in NO_ROOM.items():
            if (isinstance(error, OSError) and error.errno == number) or words in str(error):
                return number
        error = error.__cause__ or error.__context__  # type: ignore[assignment]
    return None


def remove_stale_staging(out: Path) -> None:
    """Remove the staging folders that builds, ingests and prunes left when they were killed.
    Called with the folder's write lock held, so every one is a leftover, whatever the pid in
    its name: a process killed by SIGKILL stays in ``/proc`` as a zombie until its parent
    reaps it (a container's first process may never), and its pid may be another's since."""
    for folder in out.glob(".staging-*"):
        remove_staging(folder)


def _fill(staging: Path, base: Path | None, paths: list[Path], report: BuildReport,
          inputs: Inputs) -> None:
    """Load, describe, check and write a release into ``staging``.

    With ``base`` (the previous release's store) the new store starts as a copy of it; the
    curated findings and the metadata are then recomputed, as new articles may resolve them.
    A new store keeps a sorted copy of the articles graph's lines for the dumps; an ingest
    carries them over from the previous release's dump when it opens with them
    (``kg/spool.py``).
    """
    articles = iris.graph_iri("articles")
    spool: GraphLines
    if base is None:
        spool = GraphSpool(articles, str(staging))
    elif release.nquads_sorted_graph(base.parent) == articles.value:
        spool = CarriedGraph(articles, str(staging), base.parent / DUMPS["nquads"][0])
    else:  # the previous dump does not open with the graph sorted: this release's will
        spool = SortedStoreGraph(articles, str(staging))
    try:
        _fill_store(staging, base, paths, report, inputs, spool)
    finally:
        spool.close()


def _fill_store(staging: Path, base: Path | None, paths: list[Path], report: BuildReport,
                inputs: Inputs, spool: GraphLines) -> None:
    wanted_dois = curated_dois(inputs.data_dir / "findings.tsv")
    by_doi: list[DoiCitation] = []
    listed: list[tuple[str, str]] = []
    previous: Store | None = None  # the release an ingest starts from (its labels are read too)
    if base is None:
        store = create_store(staging / "store")
        index = ArticleIndex(wanted_dois=wanted_dois)
    else:
        previous = open_read_only(base)
        previous.backup(str(staging / "store"))
        store = Store(str(staging / "store"))
        index = ArticleIndex.from_store(store, wanted_dois)
        by_doi, listed = read_doi_citations(base.parent), previous_listed(store, base.parent)
        for name in ("metadata",):
            store.clear_graph(iris.graph_iri(name))
        store.update(CURATED_REMOVAL.format(findings=iris.graph_iri("findings").value))
    qualifiers: dict[str, str] = {}
    # NLM's supplementary concept records are read once, now: their names resolve the
    # records' names, and the concepts the records name are described once those are known
    kinds = {path: mesh.mesh_kind(path) for path in inputs.mesh_tables}
    supplements = [(path, read_supplementary_file(path)) for path in inputs.mesh_tables
                   if kinds[path] == mesh.SUPPLEMENTARY]
    given = inputs.mesh_tables[1:]  # the first is the project's own (``mesh_tables``)
    report.mesh_record_files = len([path for path in given if kinds[path] == mesh.SUPPLEMENTARY])
    report.mesh_descriptor_files = len(given) - report.mesh_record_files
    descriptors: dict[str, mesh.Descriptor] = {}
    for table in inputs.mesh_tables:
        if kinds[table] != mesh.SUPPLEMENTARY:
            xml = kinds[table] == mesh.DESCRIPTOR_XML
            read = list(mesh.read_descriptors(table, qualifiers, xml=xml))
            descriptors.update((d.ui, d) for d in read)
            kind = "NLM's descriptor XML" if xml else "a descriptor table"
            report.mesh_read[shown_file(table)] = f"{kind}: {counted(len(read), 'descriptor')}"
    names = MeshNames.from_data(descriptors.values(), inputs.data_dir, qualifiers,
                                {name: ui for _, supplement in supplements
                                 for name, ui in supplement.names().items()})
    mirnas = inputs.mirbase_concepts()
    mapper = ArticleLinker.from_files(inputs.data_dir, inputs.ontology_dir,
                                      ev_collections=map(str, default_sources(inputs.data_dir)),
                                      more_cargo=mirnas.values())
    loader = ArticleLoader(store, mapper=mapper, index=index, files=report.files,
                           quarantine=report.quarantine, uncounted=report.uncounted, spool=spool,
                           citing={c.citing for c in by_doi} | {c for c, _ in listed},
                           listed_citing={citing for citing, _ in listed})
    with timed(report, "read+map+load"):
        for path in paths:
            loader.apply(path, map(names.resolve, read_source(path)), progress=inputs.progress)
        loader.flush()
    return_free_memory()
    spool.end_input()
    if base is None:
        # A new store is a pile of bulk-loaded files that RocksDB has not compacted: the first
        # write after them sets off a compaction of everything, which then runs in the
        # background beside the statistics, checks and dumps and slows their reads (at 1M
        # articles the statistics ran 2-4x slower than on the finished store). Compacting
        # first, at 100k articles (two runs each): 21-27 s here, then metadata and statistics
        # 8 s instead of 16-23 s and the checks 13 s instead of 17-24 s; the same time in all,
        # ~20 s less CPU, and a released store of 2.5 GB instead of 3.2 GB. At 1M articles it
        # took 556 s and saved about as much later (findings 245 -> 24 s, metadata and
        # statistics 377 -> 106 s): no faster there, a smaller store served (15 GB). An
        # ingest's store is a compacted copy plus an update, and is left as it is.
        with timed(report, "compaction"):
            store.optimize()
    report.articles = loader.articles
    wanted = set(loader.index.mesh_uis)
    if base is not None:
        wanted |= described_mesh_uis(store)
    # The project's graphs are made by a build; an ingest into a release another evkg made
    # (an upgrade) makes them anew too: its curated findings and the records it maps name this
    # evkg's concepts and terms, which the other's vocabulary may lack (a validation failure)
    project = base is None or report.based_on_other is not None
    with timed(report, "vocabulary+ontology+mesh"):
        if project:
            if base is not None:
                renew_project_graphs(store, inputs)
            load_quads(store, vocabulary_quads(inputs.data_dir / "vocabulary"))
            load_quads(store, ontology_quads(inputs.ontology_dir))
            wanted |= vocabulary_mesh_uis(inputs.data_dir) | ontology_mesh_uis(inputs.ontology_dir)
        if mirnas:
            load_quads(store, (q for c in named_cargo(store, mirnas) for q in concept_quads(c)))
        records, described = described_records(supplements, wanted, report)
        # NLM's supplementary files, parsed (~90 MB for its whole file), and ``names`` (every
        # record's name both ways, by role) are dropped at their last use: the rest of the
        # build, validation and the dumps among it, held them to its end
        del supplements
        # the headings a concept is mapped to are described as the articles' headings are
        wanted |= mapped_heading_uis(records.values())
        chosen = mesh.select_with_ancestors(descriptors.values(), wanted)
        load_quads(store, mesh.descriptor_quads(chosen))
        load_quads(store, supplementary_record_quads(records.values()))
        load_quads(store, mapped_pair_quads(records.values(),
                                            {d.ui: d.label for d in descriptors.values()},
                                            names.labels("qualifier")))
        del names
        # the project's supplementary concepts are a table too (a build loads them; they stay,
        # as the vocabulary names them): loaded after the labels were chosen, a record's other
        # name for one stood beside the table's as a second label in a build, and became an
        # altLabel in an ingest (a review's)
        supplementary = inputs.data_dir / "mesh_supplementary.tsv"
        concepts = list(mesh.read_supplementary(supplementary)) if supplementary.exists() else []
        if project:
            load_quads(store, mesh.descriptor_quads(concepts))
        tabled = [*chosen, *concepts, *(r.descriptor() for r in records.values())]
        # a term named differently by records keeps the latest record's name, unless the
        # tables name it: the tables' names win over a record's
        mesh.keep_record_labels(store, loader.index.mesh_names,
                                {d.ui for d in tabled if d.label},
                                previous)
        mesh.keep_table_labels(store, tabled)
        mesh.keep_record_kinds(store)
        mesh.keep_table_kinds(store, chosen)
        # PubMed's records carry no tree numbers: only a table gives a heading its place
        headings = heading_uis(store)
        report.headings = len(headings)
        report.headings_without_tree = len(headings - descriptors.keys())
    if loader.released:
        # what only replaced or deleted records named (their MeSH terms, loaded above from the
        # tables too, and journals) goes, as in a build without those records
        with timed(report, "pruning"):
            spool.touch(f"<{iri}>" for iri in loader.released)  # journals it may remove
            prune_shared(store, loader.released)
            if described:
                note_described(report, described, described_mesh_uis(store))
    with timed(report, "findings"):
        graphs = {name: iris.graph_iri(name).value for name in ("articles", "findings")}
        derived = point_citations(store, by_doi, listed, loader.rewritten)
        if spool.follows_changes:  # the retraction marks below write into the graph
            marked = store.query(RETRACTION_MARKED.format(**graphs))
            assert isinstance(marked, QuerySolutions)
            spool.touch(str(row[0]) for row in marked)
        if base is not None:
            store.update(NOTICE_MARKS_UNDONE.format(**graphs))
            loader.index.retracted = retracted_articles(store)
            # the miRNAs --mirbase added for the findings of records since replaced or deleted
            store.update(UNNAMED_MIRNAS.format(vocabulary=iris.graph_iri("vocabulary").value,
                                               source=mirbase.SOURCE, **graphs))
        load_curated_findings(store, inputs.data_dir / "findings.tsv", loader.index, mapper.names,
                              report)
        store.update(SHORTCUTS.format(findings=iris.graph_iri("findings").value))
        materialise_listed(store, derived)
        derived.write(staging)
        spool.touch(f"<{citing}>" for citing in derived.touched)
        store.update(RETRACTIONS.format(**graphs))
        store.flush()
    return_free_memory()
    # The statistics are counted now, on the finished store; they and the VoID description
    # (graph/metadata) enter the store and the dumps last, once the dumps have tallied every
    # other graph (release.write_dumps): a description from SPARQL counts held ~1.1 GB at a
    # million articles (COUNT(DISTINCT ?s) over 14M subjects), the tallies no set of subjects.
    with timed(report, "statistics"):
        statistics = list(statistics_quads(store))
    return_free_memory()
    describe = partial(_description, store, report, statistics)
    # The store is complete but for graph/metadata: the SPARQL checks and the dumps (Rust
    # reading the store, then child processes writing the files: neither holds the GIL for
    # long) run in threads beside SHACL (Python), which then validates graph/metadata. A
    # release that fails the checks is never published: its staging folder, dumps included,
    # is removed. A build stopped meanwhile (Ctrl-C, a failure) stops the threads too: the pool
    # waits for them.
    stop = Stop()
    with timed(report, "validate+dumps"), ThreadPoolExecutor(max_workers=2) as pool:
        try:
            checks = pool.submit(_timed_call, report, "checks", validate.check_problems, store,
                                 inputs.ontology_dir / "checks", stop)
            dumps = pool.submit(_timed_call, report, "dumps", release.write_dumps, store,
                                staging, spool, describe, stop)
            shacl_problems: list[str] = []
            if inputs.shacl:
                with timed(report, "shacl"):
                    shacl_problems = validate.store_shacl_problems(store, inputs.ontology_dir)
            counts = dumps.result()
            if inputs.shacl:
                with timed(report, "shacl"):
                    shacl_problems += validate.description_shacl_problems(store,
                                                                          inputs.ontology_dir)
            problems = checks.result() + shacl_problems
        except BaseException:
            stop.stop()
            raise
    if spool.used or spool.resorted:
        report.dumps_from = SortedStoreGraph.source if spool.resorted else spool.source
        report.nquads_sorted_graph = spool.graph.value
    else:
        report.dumps_from = "store"
    if problems:
        shown = problems[:50]
        # the articles named are found in the sources again, as the quarantine names a record
        listing = "\n".join(f"- {p}" for p in validate.located(
            shown, record_places(paths, validate.named_articles(shown))))
        more = f"\n… and {len(problems) - 50} more" if len(problems) > 50 else ""
        raise BuildError(f"validation failed with {counted(len(problems), 'problem')}:\n{listing}{more}")
    # from the finished store (graph/metadata's labels are searched too), into the staging
    # folder: a build that fails or is killed leaves no index beside another release's store
    with timed(report, "search index"):
        report.search_labels = searchindex.write_index(store, staging / searchindex.INDEX_FILE)
    with timed(report, "release files"):
        report.triples = release.write_release(store, staging, report, counts=counts)
        store.flush()
    del store


T = TypeVar("T")

#: glibc's ``int malloc_trim(size_t pad)`` (``None`` on a C library without it).
_MALLOC_TRIM = getattr(ctypes.CDLL(None), "malloc_trim", None)
if _MALLOC_TRIM is not None:
    _MALLOC_TRIM.argtypes, _MALLOC_TRIM.restype = [ctypes.c_size_t], ctypes.c_int


def return_free_memory() -> None:
    """Hand the pages the heap has freed back to the system, between the build's big steps.

    glibc keeps what the loader's threads and RocksDB freed in its arenas: after loading 100k
    articles the process held 686 MB, 449 MB once trimmed; every later step's queries then
    allocate on top of what is kept, and at a million articles the build's peak comes in them.
    """
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def _description(store: Store, report: BuildReport, statistics: list[Quad],
                 tallies: Tallies | None) -> list[Quad]:
    """graph/metadata: the VoID and DCAT description (from the dumps' tallies) and the
    statistics."""
    report.graph_sha256 = {g: t["sha256"] for g, t in (tallies or {}).items() if "sha256" in t}
    with timed(report, "metadata"):
        return metadata_quads(store, report.version, tallies, report.based_on, statistics)


def _timed_call(report: BuildReport, step: str, function: Callable[..., T], *args: Any) -> T:
    """``function(*args)``, its time added to ``report`` as ``step`` (for a pool's threads)."""
    with timed(report, step):
        return function(*args)


#: Removes the miRNA concepts ``--mirbase`` added (their ``dcterms:source`` opens with
#: "miRBase") that no finding names, nor names a narrower one of (a mature form's gene).
UNNAMED_MIRNAS = """
PREFIX evkg: <https://w3id.org/evkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
DELETE {{ GRAPH <{vocabulary}> {{ ?c ?p ?o }} }}
WHERE {{
  GRAPH <{vocabulary}> {{ ?c dcterms:source ?from FILTER(STRSTARTS(STR(?from), "{source}")) }}
  FILTER NOT EXISTS {{ GRAPH <{findings}> {{ ?f evkg:cargo ?c }} }}
  FILTER NOT EXISTS {{ GRAPH <{vocabulary}> {{ ?narrower skos:broader ?c }}
                      GRAPH <{findings}> {{ ?g evkg:cargo ?narrower }} }}
  GRAPH <{vocabulary}> {{ ?c ?p ?o }}
}}
"""
#: The cargo that findings name.
FINDINGS_CARGO = """
SELECT DISTINCT ?cargo WHERE {{ GRAPH <{findings}> {{ ?f <https://w3id.org/evkg/ontology#cargo> ?cargo }} }}
"""
#: Removes the curated findings so they can be recomputed.
CURATED_REMOVAL = """
DELETE {{ GRAPH <{findings}> {{ ?f ?p ?o }} }}
WHERE {{ GRAPH <{findings}> {{
  ?f <https://w3id.org/evkg/ontology#method> <https://w3id.org/evkg/ontology#CuratedEvidence> ;
     ?p ?o }} }}
"""
#: A retraction notice (``cito:retracts``, from its "RetractionOf") marks the article it retracts
#: as that article's own "RetractionIn" would: retracted, retracted by the notice, and every
#: finding drawn from it flagged.
RETRACTIONS = """
PREFIX evkg: <https://w3id.org/evkg/ontology#>
PREFIX cito: <http://purl.org/spar/cito/>
INSERT {{ GRAPH <{articles}> {{ ?b evkg:retracted true ; cito:isRetractedBy ?a }} }}
WHERE {{ GRAPH <{articles}> {{ ?a cito:retracts ?b . ?b a <https://schema.org/ScholarlyArticle> }} }};
INSERT {{ GRAPH <{findings}> {{ ?f evkg:fromRetractedArticle true }} }}
WHERE {{ GRAPH <{articles}> {{ ?b evkg:retracted true }}
  GRAPH <{findings}> {{ ?f <http://www.w3.org/ns/prov#wasDerivedFrom> ?b
    FILTER NOT EXISTS {{ ?f evkg:fromRetractedArticle true }} }} }}
"""
#: Undoes the marks ``RETRACTIONS`` drew from notices no longer in the graph (deleted, or
#: replaced by a version without "RetractionOf"), before it runs again in an ingest. An
#: article's own record says it is retracted with ``evkg:retractionNotice`` ("RetractionIn")
#: or the publication type "Retracted Publication" (and names its notice with both
#: ``cito:isRetractedBy`` and ``evkg:retractionNotice``), or only by ``evkg:retracted`` (a
#: page's "retracted", as in the curated data): those marks stay. So the mark goes only from an
#: article that a notice had retracted (``cito:isRetractedBy`` a notice that no longer
#: retracts it) and that nothing else marks: no notice of its own, no such type, no notice
#: still retracting it. (A bare mark of the record's own beside a notice's is then taken for
#: the notice's: the graph does not say which one set it.)
#: The findings' flags then follow the articles (the curated ones are loaded afresh after).
NOTICE_MARKS_UNDONE = """
PREFIX evkg: <https://w3id.org/evkg/ontology#>
PREFIX cito: <http://purl.org/spar/cito/>
DELETE {{ GRAPH <{articles}> {{ ?b evkg:retracted true }} }}
WHERE {{ GRAPH <{articles}> {{ ?b evkg:retracted true ; cito:isRetractedBy ?gone
  FILTER NOT EXISTS {{ ?b evkg:retractionNotice ?notice }}
  FILTER NOT EXISTS {{ ?b evkg:publicationTypeLabel "Retracted Publication" }}
  FILTER NOT EXISTS {{ ?other cito:retracts ?b }} }} }};
DELETE {{ GRAPH <{articles}> {{ ?b cito:isRetractedBy ?a }} }}
WHERE {{ GRAPH <{articles}> {{ ?b cito:isRetractedBy ?a
  FILTER NOT EXISTS {{ ?b evkg:retractionNotice ?a }}
  FILTER NOT EXISTS {{ ?a cito:retracts ?b }} }} }};
DELETE {{ GRAPH <{findings}> {{ ?f evkg:fromRetractedArticle true }} }}
WHERE {{ GRAPH <{findings}> {{ ?f evkg:fromRetractedArticle true ;
                                 <http://www.w3.org/ns/prov#wasDerivedFrom> ?b }}
  FILTER NOT EXISTS {{ GRAPH <{articles}> {{ ?b evkg:retracted true }} }} }}
"""
#: The subjects whose lines ``NOTICE_MARKS_UNDONE`` and ``RETRACTIONS`` may change (for the
#: dumps' lines, ``kg/spool.py``; a superset is harmless): every article marked retracted or
#: named by a notice (few). The citations the build derives name their own (``kg/citations.py``).
RETRACTION_MARKED = """
PREFIX evkg: <https://w3id.org/evkg/ontology#>
PREFIX cito: <http://purl.org/spar/cito/>
SELECT DISTINCT ?s {{ GRAPH <{articles}> {{
  {{ ?notice cito:retracts ?s }}
  UNION {{ ?s cito:isRetractedBy ?notice }} UNION {{ ?s evkg:retracted true }} }} }}
"""
#: Recomputes the shortcut triples from the findings (they are derived, never loaded).
SHORTCUTS = """
PREFIX evkg: <https://w3id.org/evkg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
DELETE {{ GRAPH <{findings}> {{ ?a ?p ?x }} }} WHERE {{ GRAPH <{findings}> {{ ?a ?p ?x
  FILTER(?p IN (evkg:mentionsCargo, evkg:studiesProcess)) }} }};
INSERT {{ GRAPH <{findings}> {{ ?a evkg:mentionsCargo ?c }} }} WHERE {{ GRAPH <{findings}> {{
  ?f a evkg:Finding ; prov:wasDerivedFrom ?a ; evkg:cargo ?c }} }};
INSERT {{ GRAPH <{findings}> {{ ?a evkg:studiesProcess ?x }} }} WHERE {{ GRAPH <{findings}> {{
  ?f a evkg:Finding ; prov:wasDerivedFrom ?a ; evkg:process ?x }} }}
"""
