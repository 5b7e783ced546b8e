"""The one place that knows the order of the build: read → map → load → describe → check → release.

Every step works on iterators, so the default 93 articles and a PubMed baseline take the same
path. A build writes into a staging folder and only a complete, validated release is moved into
``releases/`` and pointed to by ``current`` (atomically), so a failed or killed build leaves the
release being served untouched.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pyoxigraph import BlankNode, NamedNode, Quad, RdfFormat, parse

from kg import iris, mesh, release, validate
from kg.articles import article_quads, subject_iri
from kg.findings import finding_quads, read_curated_findings
from kg.metadata import metadata_quads
from kg.records import Article, Deletion, Rejected
from kg.sources import iter_source_files, read_source
from kg.store import create_store, load_quads
from kg.vocabulary import read_concepts, vocabulary_quads

#: The project's root (data/ and ontology/ live beside the packages).
ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "data"
ONTOLOGY_DIR = ROOT / "ontology"
#: The evkg version, part of every release version.
__version__ = "0.1.0"


class BuildError(Exception):
    """A build that cannot produce a valid release; the message says why."""


@dataclass
class FileCount:
    seen: int = 0
    mapped: int = 0
    quarantined: int = 0
    deleted: int = 0


@dataclass
class BuildReport:
    version: str = ""
    release_dir: Path | None = None
    files: dict[str, FileCount] = field(default_factory=dict)
    quarantine: list[Rejected] = field(default_factory=list)
    triples: dict[str, int] = field(default_factory=dict)
    articles: int = 0


@dataclass
class _Collector:
    """What the article pass learns for the later steps, without holding the records."""

    report: BuildReport
    mesh_uis: set[str] = field(default_factory=set)
    by_pmid: dict[str, NamedNode] = field(default_factory=dict)
    by_doi: dict[str, NamedNode] = field(default_factory=dict)
    retracted: set[str] = field(default_factory=set)
    seen_keys: set[str] = field(default_factory=set)

    def note(self, article: Article) -> None:
        iri = subject_iri(article)
        if article.pmid:
            self.by_pmid[article.pmid] = iri
        if article.doi:
            self.by_doi[article.doi.lower()] = iri
        if article.retracted:
            self.retracted.add(iri.value)
        for heading in article.mesh_headings:
            self.mesh_uis.add(heading.descriptor_ui)
        self.mesh_uis.update(s.ui for s in article.substances if s.ui)
        self.mesh_uis.update(p.ui for p in article.publication_types if p.ui)

    def lookup(self, pmid: str, doi: str) -> NamedNode | None:
        return self.by_pmid.get(pmid) or self.by_doi.get(doi.lower())


def default_sources(data_dir: Path = DATA_DIR) -> list[Path]:
    return [data_dir / "articles.jsonl"]


def build_version(inputs: Iterable[Path]) -> str:
    """A version that names the inputs: the same files (and evkg version) give the same one."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(set(inputs)):
        digest.update(path.name.encode())
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()[:12]


def article_records(paths: Sequence[Path], collector: _Collector) -> Iterator[Article]:
    """Articles from every source, counting each file; rejects go to the quarantine."""
    report = collector.report
    for path in paths:
        count = report.files.setdefault(str(path), FileCount())
        for record in read_source(path):
            count.seen += 1
            if isinstance(record, Rejected):
                count.quarantined += 1
                report.quarantine.append(record)
            elif isinstance(record, Deletion):
                count.deleted += 1
            elif not record.key:
                count.quarantined += 1
                report.quarantine.append(Rejected(
                    reason="no PMID, DOI or PMCID: the graph cannot name this article",
                    provenance=record.provenance, title=record.title))
            elif record.key in collector.seen_keys:
                count.quarantined += 1
                report.quarantine.append(Rejected(
                    reason=f"a second record for {record.key}: the first one was kept",
                    provenance=record.provenance, pmid=record.pmid, title=record.title))
            else:
                collector.seen_keys.add(record.key)
                collector.note(record)
                count.mapped += 1
                report.articles += 1
                yield record


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


def vocabulary_mesh_uis(data_dir: Path) -> set[str]:
    return {curie.partition(":")[2] for c in read_concepts(data_dir / "vocabulary")
            for _, curie in c.mappings if curie.startswith("MESH:D")}


def build(
    sources: Sequence[str | Path] = (),
    out: Path = Path("build"),
    *,
    mesh_file: Path | None = None,
    default_articles: bool = True,
    data_dir: Path = DATA_DIR,
    ontology_dir: Path = ONTOLOGY_DIR,
    shacl: bool = True,
) -> BuildReport:
    """Build a release from the sources into ``out/releases/{version}`` and point ``current`` at it."""
    paths = list(iter_source_files(sources))
    if default_articles:
        paths = default_sources(data_dir) + paths
    if not paths:
        raise BuildError("nothing to build: no sources, and --without-default-articles")
    mesh_table = mesh_file or data_dir / "mesh.tsv"
    inputs = [*paths, mesh_table, data_dir / "findings.tsv", ontology_dir / "evkg.ttl",
              ontology_dir / "shapes.ttl", *(data_dir / "vocabulary").glob("*.tsv"),
              *(ontology_dir / "checks").glob("*.rq")]
    report = BuildReport(version=build_version(inputs))
    out.mkdir(parents=True, exist_ok=True)
    staging = out / f".staging-{report.version}-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        _build_into(staging, paths, report, mesh_table, data_dir, ontology_dir, shacl)
        final = out / "releases" / report.version
        final.parent.mkdir(exist_ok=True)
        if final.exists():
            shutil.rmtree(final)
        staging.rename(final)
        release.point_current(out, final)
        report.release_dir = final
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return report


def _build_into(staging: Path, paths: list[Path], report: BuildReport, mesh_table: Path,
                data_dir: Path, ontology_dir: Path, shacl: bool) -> None:
    store = create_store(staging / "store")
    collector = _Collector(report)
    load_quads(store, (q for a in article_records(paths, collector) for q in article_quads(a)))
    load_quads(store, vocabulary_quads(data_dir / "vocabulary"))
    load_quads(store, ontology_quads(ontology_dir))
    wanted = collector.mesh_uis | vocabulary_mesh_uis(data_dir)
    load_quads(store, mesh.descriptor_quads(
        mesh.select_with_ancestors(mesh.read_descriptors(mesh_table), wanted)))
    findings_count = Counter[str]()
    findings_file = str(data_dir / "findings.tsv")
    for item in read_curated_findings(data_dir / "findings.tsv", collector.lookup):
        findings_count["seen"] += 1
        if isinstance(item, Rejected):
            report.quarantine.append(item)
            findings_count["quarantined"] += 1
            continue
        if item.article.value in collector.retracted:
            item = replace(item, retracted=True)
        load_quads(store, finding_quads(item))
        findings_count["mapped"] += 1
    report.files[findings_file] = FileCount(seen=findings_count["seen"],
                                            mapped=findings_count["mapped"],
                                            quarantined=findings_count["quarantined"])
    store.flush()
    load_quads(store, metadata_quads(store, report.version))
    problems = validate.check_store(store, ontology_dir, shacl=shacl)
    if problems:
        listing = "\n".join(f"- {p}" for p in problems[:50])
        more = f"\n… and {len(problems) - 50} more" if len(problems) > 50 else ""
        raise BuildError(f"validation failed with {len(problems)} problem(s):\n{listing}{more}")
    report.triples = release.write_release(store, staging, report)
    store.flush()
    del store
