"""The saved-PubMed-page reader: the real seed page, the project's own fixture, bad pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyoxigraph import QuerySolutions, Store

from kg import medline
from kg.build import build
from kg.jsonrecords import write_records
from kg.medline import COMMENT_TAGS
from kg.pubmed import read_pubmed_xml
from kg.records import (
    AbstractSection,
    Article,
    Author,
    CommentCorrection,
    Journal,
    MeshHeading,
    Provenance,
    PublicationType,
    Qualifier,
    Reference,
    Rejected,
    Substance,
)
from kg.release import current_release
from kg.seedpage import _CORRECTION_TYPES, iso_date, parse_entry, parse_page, read_pages
from kg.sources import read_source
from kg.store import open_read_only

SEED = (Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
        / "000_daba7e9a812b13d6.txt")
FIXTURE = Path(__file__).resolve().parent / "data" / "pubmed_page_fixture.txt"


def by_pmid(articles: list[Article]) -> dict[str, Article]:
    """The related articles (all but the first) keyed by PMID."""
    return {a.pmid: a for a in articles[1:]}


@pytest.fixture(scope="module")
def seed() -> list[Article]:
    if not SEED.exists():
        pytest.skip("../shared is absent: the real seed page is not available")
    return list(read_pages(SEED))


@pytest.fixture(scope="module")
def fixture_page() -> list[Article]:
    return list(read_pages(FIXTURE))


# --- (a) the real seed page ------------------------------------------------------------------

def test_seed_main_article(seed: list[Article]) -> None:
    main = seed[0]
    assert main.pmid == "37534210"
    assert main.pmcid == "PMC10393036"
    assert main.doi == "10.3389/fendo.2023.1202493"
    assert main.title == ("Extracellular vesicles in the treatment and diagnosis of breast "
                          "cancer: a status update")
    assert main.keywords == ("biomarkers", "breast cancer", "chemoresistance",
                             "extracellular vesicles", "metastasis", "proliferation")
    assert len(main.abstract) == 1 and main.abstract[0].label == ""
    assert main.abstract[0].text.startswith("Breast cancer is one of the leading causes")
    assert main.abstract[0].text.endswith("their clinical potential as effective biomarkers.")
    assert main.provenance == Provenance(file=str(SEED), position="page")
    assert main.copyright == "Copyright © 2023 Zhang, Wang, Yu, Bu, Ai, Wang, Lin and Zhu."
    # the page's "Conflict of interest statement" section
    assert main.coi_statement.startswith("The authors declare that the research was conducted "
                                         "in the absence of any commercial")
    assert main.coi_statement.endswith(" potential conflict of interest. The handling editor "
                                       "FZ declared a shared parent affiliation with the authors "
                                       "JHY, JWB, FLA, YW, JL, and XDZ at the time of review.")
    assert (main.publication_types, main.mesh_headings, main.substances, main.references) == (
        (), (), (), ())


def test_seed_related_lists_in_page_order(seed: list[Article]) -> None:
    main = seed[0]
    assert main.similar_pmids == ("40103824", "35053279", "32443642", "30925929", "36521658")
    assert main.cited_by_pmids == ("38333685", "39363010", "40565366", "40405296", "38473976")
    assert [a.pmid for a in seed[1:]] == [*main.similar_pmids, *main.cited_by_pmids]
    assert [a.provenance.position for a in seed[1:]] == (
        [f"similar:{n}" for n in range(1, 6)] + [f"cited_by:{n}" for n in range(1, 6)])


SEED_RELATED = [
    # pmid, journal, pub_date, doi, volume, issue, pages
    ("40103824", "Front Immunol", "2025-03-04", "10.3389/fimmu.2025.1548535", "16", "", "1548535"),
    ("35053279", "Biomolecules", "2022-01-14", "10.3390/biom12010132", "12", "1", "132"),
    ("32443642", "Int J Mol Sci", "2020-05-18", "10.3390/ijms21103573", "21", "10", "3573"),
    ("30925929", "Mol Cancer", "2019-03-30", "10.1186/s12943-019-0967-5", "18", "1", "62"),
    ("36521658", "Cancer Lett", "2023-02-28", "10.1016/j.canlet.2022.216036", "555", "",
     "216036"),
    ("38333685", "Front Oncol", "2024-01-25", "10.3389/fonc.2024.1303335", "14", "", "1303335"),
    ("39363010", "Sci Rep", "2024-10-03", "10.1038/s41598-024-74228-4", "14", "1", "23032"),
    ("40565366", "Int J Mol Sci", "2025-06-19", "10.3390/ijms26125906", "26", "12", "5906"),
    ("40405296", "Breast Cancer Res", "2025-05-22", "10.1186/s13058-025-02029-2", "27", "1",
     "90"),
    ("38473976", "Int J Mol Sci", "2024-02-27", "10.3390/ijms25052730", "25", "5", "2730"),
]


@pytest.mark.parametrize(("pmid", "journal", "date", "doi", "volume", "issue", "pages"),
                         SEED_RELATED)
def test_seed_related_citation(seed: list[Article], pmid: str, journal: str, date: str,
                               doi: str, volume: str, issue: str, pages: str) -> None:
    article = by_pmid(seed)[pmid]
    assert article.journal == Journal(iso_abbrev=journal)
    assert (article.pub_date, article.doi) == (date, doi)
    assert (article.volume, article.issue, article.pages) == (volume, issue, pages)
    assert not article.retracted


SEED_TITLES = {
    "40103824": "Tumor-derived extracellular vesicles: key drivers of immunomodulation in "
                "breast cancer",
    "39363010": "Proteomic analysis of plasma-derived extracellular vesicles: pre- and "
                "postprandial comparisons",
    "40405296": "miRNA panel from HER2+ and CD24+ plasma extracellular vesicle subpopulations "
                "as biomarkers of early-stage breast cancer",
}


@pytest.mark.parametrize(("pmid", "title"), SEED_TITLES.items())
def test_seed_related_title(seed: list[Article], pmid: str, title: str) -> None:
    assert by_pmid(seed)[pmid].title == title


def test_seed_epub_date_and_types(seed: list[Article]) -> None:
    related = by_pmid(seed)
    assert related["36521658"].epub_date == "2022-12-12"
    assert related["36521658"].publication_types == (PublicationType("Review"),)
    # "Free PMC article." is a marker, not a publication type.
    assert related["39363010"].publication_types == ()
    assert related["40103824"].publication_types == (PublicationType("Review"),)
    assert all(a.epub_date == "" for pmid, a in related.items() if pmid != "36521658")


# --- (b) the project's own fixture -----------------------------------------------------------

def test_fixture_main_article(fixture_page: list[Article]) -> None:
    main = fixture_page[0]
    assert (main.pmid, main.pmcid, main.doi) == ("99999901", "PMC9999901", "10.5555/evkg.test.1")
    assert main.title == ("Plasma vs. tissue: do small extracellular vesicles carry HER2 status "
                          "in early breast cancer?")
    assert main.keywords == ("HER2", "breast cancer", "liquid biopsy",
                             "small extracellular vesicles")
    assert main.similar_pmids == ("99999902", "99999903")
    assert main.cited_by_pmids == ("99999904", "99999905")
    assert main.provenance == Provenance(file=str(FIXTURE), position="page")
    assert not main.retracted


def test_fixture_labelled_abstract(fixture_page: list[Article]) -> None:
    abstract = fixture_page[0].abstract
    assert [s.label for s in abstract] == ["Background", "Methods", "Results", "Conclusions"]
    # A label on a line of its own takes the following lines, joined with a space.
    assert abstract[1] == AbstractSection(
        label="Methods",
        text="We isolated sEVs from the plasma of 212 women with stage I-II breast cancer by "
             "size-exclusion chromatography and measured vesicular HER2 by single-vesicle flow "
             "cytometry. Samples were taken before surgery and compared with the "
             "immunohistochemistry of the resected tumour.")
    assert abstract[3].text == "Plasma sEV HER2 is a candidate liquid biopsy for HER2 status."


def test_fixture_lists_after_cited_by(fixture_page: list[Article]) -> None:
    main = fixture_page[0]
    assert main.publication_types == (PublicationType("Journal Article"),
                                      PublicationType("Research Support, Non-U.S. Gov't"))
    assert main.mesh_headings == (
        MeshHeading("Biomarkers, Tumor", qualifiers=(Qualifier("blood", major=True),)),
        MeshHeading("Breast Neoplasms", major=True,
                    qualifiers=(Qualifier("diagnosis"), Qualifier("pathology"))),
        MeshHeading("Extracellular Vesicles", major=True, qualifiers=(Qualifier("metabolism"),)),
        MeshHeading("Female"),
        MeshHeading("Humans"),
        MeshHeading("Receptor, ErbB-2", qualifiers=(Qualifier("analysis", major=True),)),
    )
    assert main.substances == (Substance("Biomarkers, Tumor"), Substance("ERBB2 protein, human"),
                               Substance("Receptor, ErbB-2"))
    assert main.references[0].doi == "10.5555/evkg.test.10"
    assert main.references[0].pmid == "99999910"
    assert main.references[1] == Reference(
        citation="Invented A, Example B. A reference without identifiers. Test J. 2020;1:1-2.")
    assert len(main.references) == 2  # the "DOI" and "PubMed" link captions are not references
    assert [(c.ref_type, c.pmid) for c in main.comments_corrections] == [
        ("CommentIn", "99999909")]
    assert isinstance(main.comments_corrections[0], CommentCorrection)


FIXTURE_RELATED = [
    # pmid, title, journal, pub_date, epub_date, doi, volume, issue, pages, position
    ("99999902", "Are tumour-derived EVs vs. free miRNAs better markers? A prospective study in "
     "early breast cancer", "Cancers (Basel)", "2021-03", "", "10.5555/evkg.test.2", "13", "6",
     "1201", "similar:1"),
    ("99999903", "Can exosomal microRNAs predict response to neoadjuvant chemotherapy?",
     "J Extracell Vesicles", "2019", "", "", "8", "1", "e1234567", "similar:2"),
    ("99999904", "Exosomal lncRNA signature of trastuzumab resistance in HER2-positive breast "
     "cancer", "Breast Cancer Res Treat", "2022-01-05", "2021-11-30", "10.5555/evkg.test.3",
     "191", "2", "345-356", "cited_by:1"),
    ("99999905", "Extracellular vesicle cargo in triple-negative breast cancer: a systematic "
     "review and meta-analysis", "Front Oncol", "2023", "", "10.5555/evkg.test.4", "13", "",
     "1100001", "cited_by:2"),
]


@pytest.mark.parametrize(
    ("pmid", "title", "journal", "date", "epub", "doi", "volume", "issue", "pages", "position"),
    FIXTURE_RELATED)
def test_fixture_related(fixture_page: list[Article], pmid: str, title: str, journal: str,
                         date: str, epub: str, doi: str, volume: str, issue: str, pages: str,
                         position: str) -> None:
    article = by_pmid(fixture_page)[pmid]
    assert article.title == title
    assert article.journal == Journal(iso_abbrev=journal)
    assert (article.pub_date, article.epub_date, article.doi) == (date, epub, doi)
    assert (article.volume, article.issue, article.pages) == (volume, issue, pages)
    assert article.provenance == Provenance(file=str(FIXTURE), position=position)


def test_fixture_related_types_and_retraction(fixture_page: list[Article]) -> None:
    related = by_pmid(fixture_page)
    assert related["99999902"].publication_types == ()
    assert related["99999903"].publication_types == (PublicationType("Review"),)
    assert related["99999904"].retracted
    assert related["99999904"].publication_types == (PublicationType("Retracted Publication"),)
    assert related["99999905"].publication_types == (PublicationType("Systematic Review"),
                                                     PublicationType("Meta-Analysis"))
    assert not any(related[p].retracted for p in ("99999902", "99999903", "99999905"))


# --- smaller formats -------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "iso"), [
    ("2025 Mar 4", "2025-03-04"), ("2022 Jan 14", "2022-01-14"), ("2023 Feb 28", "2023-02-28"),
    ("2019 Mar", "2019-03"), ("2019", "2019"), ("2019 Winter", "2019"),
    ("2019 Mar-Apr", "2019"), ("2020 Dec 1", "2020-12-01"), ("", ""),
    # a day the month lacks is dropped, as the XML and MEDLINE readers drop it: it was kept,
    # and the record then went to the quarantine as a date that does not exist
    ("2019 Jun 31", "2019-06"), ("2021 Feb 29", "2021-02"), ("2020 Feb 29", "2020-02-29"),
])
def test_iso_date(text: str, iso: str) -> None:
    assert iso_date(text) == iso


def test_entry_without_doi_volume_or_pages() -> None:
    entry = parse_entry("A study of vesicles.Oncol Rep. 2019. Oncol Rep. 2019. PMID: 99999906",
                        Provenance(position="similar:1"))
    assert (entry.pmid, entry.title, entry.journal) == (
        "99999906", "A study of vesicles", Journal(iso_abbrev="Oncol Rep"))
    assert (entry.pub_date, entry.doi, entry.volume, entry.issue, entry.pages) == (
        "2019", "", "", "", "")


@pytest.mark.parametrize(("date", "issued"), [
    ("2019 Mar-Apr", "2019"), ("2016 Jan 5-12", "2016-01"), ("2021 Dec-2022 Jan", "2021"),
    # a year range and a day range into another month or year lost the volume and pages too
    ("2019-2020", "2019"), ("2019 Dec 28-2020 Jan 3", "2019-12"), ("2019 Jan 31-Feb 6", "2019-01"),
    ("2019 Mar - Apr", "2019"),
    # a month range into a year alone, a year range with spaces round its dash and a range
    # with an en dash, which the MEDLINE reader reads, were the year (or its month) alone
    ("2019 Mar-2020", "2019"), ("2019 Mar - 2020", "2019"), ("2019 - 2020", "2019"),
    ("2019 Mar\u2013Apr", "2019"), ("2016 Jan 5\u201312", "2016-01"),
    ("2019\u20132020 Winter", "2019"), ("2019 Dec 28 \u2013 2020 Jan 3", "2019-12")])
def test_an_entry_dated_by_a_month_range_has_its_year_as_the_xml_gives_it(
        date: str, issued: str) -> None:
    """An issue dated "2019 Mar-Apr" was issued "2019-03" by a saved page, in March, where the
    same record's PubMed XML (MedlineDate) and MEDLINE DP give the year alone: the issue's month
    is not known. The page's dates are read as those readers read them. A range into the next
    year, "2021 Dec-2022 Jan", was no date to the page's reader: the entry lost its volume,
    issue and pages too."""
    entry = parse_entry(f"A study of vesicles.Oncol Rep. {date};12(3):1-10. doi: "
                        "10.5555/evkg.test.8. Oncol Rep. 2019. PMID: 99999906",
                        Provenance(position="similar:1"))
    assert (entry.pub_date, entry.volume, entry.pages) == (issued, "12", "1-10")
    assert entry.pub_date == medline.iso_from_text(date)


@pytest.mark.parametrize("pages", ["1-10, 12", "1787-8; discussion 1791", "e1.5-e1.9"])
def test_an_entry_s_pages_are_its_whole_pages_as_the_xml_gives_them(pages: str) -> None:
    """The citation line's pages run to the ". " before its DOI (the seed page's
    ":216036. doi: …"): "1-10, 12" was read as "1-10," (the comma kept, page 12 lost), and
    "1787-8; discussion 1791" lost the volume, issue and pages. The XML reader keeps
    MedlinePgn whole; so does this one now."""
    entry = parse_entry(f"A study of vesicles.Oncol Rep. 2019 Mar;12(3):{pages}. doi: "
                        "10.5555/evkg.test.8. Oncol Rep. 2019. PMID: 99999906",
                        Provenance(position="similar:1"))
    assert (entry.volume, entry.issue, entry.pages, entry.doi) == (
        "12", "3", pages, "10.5555/evkg.test.8")


def test_entry_ahead_of_print() -> None:
    entry = parse_entry("EVs in 2025: what next?Cancer Lett. 2025 Jun 2:217855. doi: "
                        "10.5555/evkg.test.7. Online ahead of print. Cancer Lett. 2025. "
                        "PMID: 99999907 Review.", Provenance())
    assert entry.title == "EVs in 2025: what next?"
    assert (entry.pub_date, entry.volume, entry.pages, entry.doi) == (
        "2025-06-02", "", "217855", "10.5555/evkg.test.7")
    assert entry.publication_types == (PublicationType("Review"),)


def test_entry_without_journal_keeps_pmid_and_title() -> None:
    entry = parse_entry("Exosomes.Smith J. StatPearls [Internet]. PMID: 99999908 Free Books & "
                        "Documents.", Provenance())
    assert (entry.pmid, entry.title, entry.journal) == ("99999908", "Exosomes", None)


def test_page_with_dash_items_and_no_abstract_heading() -> None:
    page = ("An unlabelled page\n- PMID: 99999911\n"
            "First paragraph of the abstract.\nSecond paragraph.\n"
            "Similar articles\n"
            "- One.J Test. 2020 Jan;1(1):1. doi: 10.5555/evkg.test.11. J Test. 2020. "
            "PMID: 99999912\n"
            "- Two.J Test. 2021;2:2. J Test. 2021. PMID: 99999913\n")
    main, one, two = parse_page(page, file="inline.txt")
    assert main.abstract == (
        AbstractSection("First paragraph of the abstract. Second paragraph."),)
    assert main.similar_pmids == ("99999912", "99999913")
    assert (one.title, one.doi, two.title, two.doi) == ("One", "10.5555/evkg.test.11", "Two", "")


# --- (c) bad pages ---------------------------------------------------------------------------

def test_bad_page_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "not_a_page.txt"
    bad.write_text("\n\n- \n12345\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"not_a_page\.txt.*no PMID, PMCID or DOI line.*title"):
        list(read_pages(bad))


def test_page_without_identifiers_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"^inline\.txt: .*no PMID, PMCID or DOI line$"):
        parse_page("A title but nothing else\nAbstract\nText.\n", file="inline.txt")


def test_a_line_of_link_captions_is_no_reference_however_long() -> None:
    """A review's: the pattern for such lines took time exponential in their captions (28:
    171 s), so one saved page could hang a build; 40 captions are read at once now."""
    from kg.seedpage import references

    captions = " ".join(["DOI", "PubMed", "PMC", "Google Scholar"] * 10)
    found = references([captions, "1. Smith J. A cited work. doi: 10.1000/xyz. PMID: 12345678.",
                        captions + " x"])
    assert [(r.pmid, r.doi) for r in found[:1]] == [("12345678", "10.1000/xyz")]
    assert [r.citation for r in found[1:]] == [captions + " x"]


def test_entries_whose_heading_is_gone_are_named_not_dropped(tmp_path: Path) -> None:
    """A review's: with the seed page's "Similar articles" heading removed, its five entries
    fell under "Figures" and were dropped without a word."""
    if not SEED.exists():
        pytest.skip("../shared is absent: the real seed page is not available")
    page = tmp_path / "page.txt"
    page.write_text(SEED.read_text(encoding="utf-8").replace("\nSimilar articles\n", "\n", 1),
                    encoding="utf-8")
    records = list(read_pages(page))
    articles = [r for r in records if isinstance(r, Article)]
    named = [r for r in records if not isinstance(r, Article)]
    assert len(articles) == 6 and articles[0].similar_pmids == ()
    assert [(r.pmid, r.provenance.position) for r in named] == [
        (pmid, f"Figures:{n}") for n, pmid in enumerate(
            ("40103824", "35053279", "32443642", "30925929", "36521658"), start=1)]
    assert named[0].reason == (
        f"{page}: a summary line with PMID 40103824 under the heading 'Figures', which lists no "
        "articles: the heading of its list (such as 'Similar articles' or 'Cited by') is "
        "missing, so what it is cannot be told")
    assert named[0].title.startswith("Tumor-derived extracellular vesicles: key drivers")


def _page(title: str, notice: str, keywords: bool = True) -> str:
    lines = [title, "- PMID: 99999951", title, "Abstract",
             "Vesicles carry HER2 in plasma.",
             *(["Keywords: HER2; vesicles."] if keywords else []), notice,
             "Conflict of interest statement", "None."]
    return "\n".join(lines) + "\n"


def test_a_title_that_opens_with_copyright_is_no_copyright_notice() -> None:
    """A review's: the copyright notice was looked for in the page's front too, so a title
    opening with "Copyright" (PubMed has such titles: copyright law, data sharing) became the
    article's dcterms:rights, before the abstract's own notice."""
    title = "Copyright and data sharing in extracellular vesicle research"
    page = parse_page(_page(title, "© 2024 The Authors."))[0]
    assert (page.title, page.copyright) == (title, "© 2024 The Authors.")
    assert parse_page(_page(title, ""))[0].copyright == ""


@pytest.mark.parametrize("notice", [
    "(c) 2023 The Authors. Molecular Ecology Resources published by John Wiley & Sons Ltd.",
    "(c) The Author(s) 2023. Published by Oxford University Press.",
    "Crown Copyright © 2015. Published by Elsevier B.V. All rights reserved.",
    "Copyright 2001 Elsevier Science."])
@pytest.mark.parametrize("keywords", [True, False])
def test_copyright_notices_in_pubmeds_other_forms_are_kept(notice: str, keywords: bool) -> None:
    """42 of the 329 CopyrightInformation values of the shared XML open with "(c)" or "Crown
    Copyright": a page showing one had no dcterms:rights, and without a keywords line the
    notice was read as the abstract's last sentence."""
    page = parse_page(_page("Vesicles in plasma", notice, keywords))[0]
    assert page.copyright == notice
    assert page.abstract_text == "Vesicles carry HER2 in plasma."


def test_an_abstract_that_opens_with_the_word_copyright_is_the_abstract() -> None:
    """A paragraph "Copyright law …" is no notice: it was taken as one (and the abstract lost)."""
    page = parse_page(_page("Law", "").replace("Vesicles carry HER2 in plasma.",
                                              "Copyright law shapes how data are shared."))[0]
    assert (page.abstract_text, page.copyright) == ("Copyright law shapes how data are shared.",
                                                    "")


def test_a_file_of_two_saved_pages_gives_both_and_mixes_neither(tmp_path: Path) -> None:
    """Pages joined into one file (`cat`, a browser's "save" of two tabs): everything after the
    first page's LinkOut was dropped without a word, and with no LinkOut between them the
    second page's title, identifiers and abstract became the first page's substances and its
    similar and citing articles the first page's. Each page is read as its own now."""
    if not SEED.exists():
        pytest.skip("../shared is absent: the real seed page is not available")
    text = SEED.read_text(encoding="utf-8")
    first = list(read_pages(SEED))
    main, other = first[0], first[1]  # the seed's first similar article, as its own page
    assert other.title and other.doi
    page = (text.replace(main.pmid, other.pmid).replace(main.doi, other.doi)
            .replace(main.title, other.title).replace(f"- PMCID: {main.pmcid}\n", ""))
    for name, joined in {"whole": text.rstrip("\n") + "\n" + page,
                         "cut": text.split("LinkOut")[0] + page}.items():
        path = tmp_path / f"{name}.txt"
        path.write_text(joined, encoding="utf-8")
        read = [r for r in read_pages(path) if isinstance(r, Article) and not r.partial]
        assert [(a.pmid, a.doi, a.title) for a in read] == [
            (main.pmid, main.doi, main.title), (other.pmid, other.doi, other.title)], name
        assert read[0].similar_pmids == main.similar_pmids, name
        assert read[0].cited_by_pmids == main.cited_by_pmids, name
        assert read[0].substances == main.substances == (), name
        assert read[0].coi_statement == main.coi_statement, name
        assert read[1].abstract == main.abstract, name


def test_a_page_that_cat_joined_to_the_last_line_of_the_page_before_keeps_its_title(
        tmp_path: Path) -> None:
    """The real seed page ends without a newline, so `cat seed.txt next.txt` puts the next
    page's title on the seed's last line ("Medical" of its LinkOut): the next article was
    titled "MedicalTumor-derived …" (a review's). The page repeats its title after its
    identifier lines, which tells where it begins."""
    if not SEED.exists():
        pytest.skip("../shared is absent: the real seed page is not available")
    text = SEED.read_text(encoding="utf-8")
    assert not text.endswith("\n")
    first = list(read_pages(SEED))
    main, other = first[0], first[1]
    page = (text.replace(main.pmid, other.pmid).replace(main.doi, other.doi)
            .replace(main.title, other.title).replace(f"- PMCID: {main.pmcid}\n", ""))
    for name, joined in {"whole": text + page, "cut": text.split("LinkOut")[0].rstrip() + page
                         }.items():
        path = tmp_path / f"{name}.txt"
        path.write_text(joined, encoding="utf-8")
        read = [r for r in read_pages(path) if isinstance(r, Article) and not r.partial]
        assert [(a.pmid, a.title) for a in read] == [(main.pmid, main.title),
                                                     (other.pmid, other.title)], name
        assert read[1].similar_pmids == main.similar_pmids, name


# --- (d) what a build of a page puts in the graph --------------------------------------------

def built_page(tmp_path: Path, text: str) -> Store:
    """The graph a build of one saved page ``text`` (and nothing else) makes."""
    page = tmp_path / "page.txt"
    page.write_text(text, encoding="utf-8")
    build([page], tmp_path / "b", default_articles=False)
    return open_read_only(current_release(tmp_path / "b") / "store")


def values(store: Store, subject: str, predicate: str) -> list[str]:
    """The sorted values of ``subject``'s ``predicate`` in the built graph."""
    solutions = store.query(f"SELECT ?o {{ <{subject}> <{predicate}> ?o }}",
                            use_default_graph_as_union=True)
    assert isinstance(solutions, QuerySolutions)
    return sorted(row[0].value for row in solutions)


def seed_text() -> str:
    if not SEED.exists():
        pytest.skip("../shared is absent: the real seed page is not available")
    return SEED.read_text(encoding="utf-8")


def test_a_book_chapters_page_has_its_excerpt_as_abstract_and_its_bookshelf_id(
        tmp_path: Path) -> None:
    """A chapter on the NCBI Bookshelf has a "Bookshelf ID: NBK…" line beside its PMID and an
    "Excerpt" where an article has its abstract: the abstract of such a page read
    "- Bookshelf ID: NBK999803 Excerpt Breast cancer is …", the accession was nowhere else and
    the chapter was a journal article. It is a fabio:BookChapter now, with the accession as the
    PubMed XML reader gives it."""
    text = seed_text()
    main = read_pages(SEED).__next__()
    assert isinstance(main, Article)
    excerpt = "Breast cancer is the most common cancer in women."
    page = (text.replace(f"- PMCID: {main.pmcid}\n- DOI: {main.doi}\n",
                         "- Bookshelf ID: NBK999803\n")
            .replace("\nAbstract\n", "\nExcerpt\n")
            .replace(main.abstract_text, excerpt)
            .replace(main.copyright, "Copyright © 2025, StatPearls Publishing LLC."))
    store = built_page(tmp_path, page)
    article = f"https://w3id.org/evkg/article/{main.pmid}"
    assert values(store, article, "http://purl.org/dc/terms/abstract") == [excerpt]
    assert values(store, article, "http://purl.org/dc/terms/identifier") == [
        "bookaccession:NBK999803"]
    assert "http://purl.org/spar/fabio/BookChapter" in values(
        store, article, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    assert values(store, article, "http://purl.org/dc/terms/rights") == [
        "Copyright © 2025, StatPearls Publishing LLC."]


def test_a_pages_grants_and_funding_are_its_grants(tmp_path: Path) -> None:
    """PubMed lists an article's grants under "Grants and funding", each as MEDLINE's GR line
    writes it: the reader took that heading only to end the section before it, and a page's
    grants were in no field of the graph. They are its evkg:grant nodes now, read as the
    MEDLINE reader reads GR lines (the grants of ../shared/data/pubmed's biopython/pubmed4.xml
    and seedtk/pubmed.xml)."""
    text = seed_text()
    page = text.replace("\nLinkOut - more resources\n", "\nGrants and funding\n"
                        "- KL2 TR001100/TR/NCATS NIH HHS/United States\n"
                        "- 82072381/National Natural Science Foundation of China/\n"
                        "LinkOut - more resources\n")
    assert page != text
    store = built_page(tmp_path, page)
    solutions = store.query("""SELECT ?id ?agency ?country {
        <https://w3id.org/evkg/article/37534210> <https://w3id.org/evkg/ontology#grant> ?g .
        ?g <https://w3id.org/evkg/ontology#grantId> ?id
        OPTIONAL { ?g <https://w3id.org/evkg/ontology#grantAgency> ?agency }
        OPTIONAL { ?g <https://w3id.org/evkg/ontology#grantCountry> ?country } } ORDER BY ?id""",
                            use_default_graph_as_union=True)
    assert isinstance(solutions, QuerySolutions)
    assert [[t.value if t else "" for t in row] for row in solutions] == [
        ["82072381", "National Natural Science Foundation of China", ""],
        ["KL2 TR001100", "NCATS NIH HHS", "United States"]]


#: A "Corrected and republished in" entry, as the seed page writes its summary lines.
REPUBLISHED = ("Extracellular vesicles in the treatment and diagnosis of breast cancer: a status "
               "update.Front Endocrinol (Lausanne). 2024 Jan 2;15:1111111. doi: "
               "10.5555/evkg.test.12. Front Endocrinol (Lausanne). 2024. PMID: 99999912")


@pytest.mark.parametrize("before", ["Figures", "Comment in"])
def test_a_corrected_and_republished_list_is_read_as_such(tmp_path: Path, before: str) -> None:
    """PubMed's comment and correction lists beyond the ten the reader knew ("Corrected and
    republished in", "Republished from", "Summary for patients in" …: every type MEDLINE's tags
    name): after a "Comment in" list their entries were read as comments on the article
    (cito:isDiscussedBy), after the conflict of interest statement the heading and its entry
    became part of the statement (and the entry was quarantined as one whose heading is gone).
    They are comments or corrections of their own type now, as the XML and MEDLINE readers give
    them."""
    text = seed_text()
    comment = "" if before == "Figures" else "Comment in\n-\n" + REPUBLISHED.replace(
        "99999912", "99999913").replace("evkg.test.12", "evkg.test.13") + "\n"
    page = text.replace("\nFigures\n", f"\n{comment}Corrected and republished in\n-\n"
                                       f"{REPUBLISHED}\nFigures\n")
    assert page != text
    store = built_page(tmp_path, page)
    article = "https://w3id.org/evkg/article/37534210"
    evkg = "https://w3id.org/evkg/ontology#"
    assert values(store, article, evkg + "commentOrCorrection") == [
        f"CorrectedandRepublishedIn: {REPUBLISHED} (PMID 99999912)"]
    assert values(store, article, "http://purl.org/spar/cito/isDiscussedBy") == (
        [] if before == "Figures" else ["https://w3id.org/evkg/article/99999913"])
    assert values(store, article, evkg + "conflictOfInterestStatement")[0].endswith(
        "JHY, JWB, FLA, YW, JL, and XDZ at the time of review.")
    assert page_quarantined(tmp_path) == []


def page_quarantined(tmp_path: Path) -> list[dict[str, str]]:
    """The entries of the release's quarantine that name the page ``built_page`` built."""
    quarantine = current_release(tmp_path / "b") / "quarantine.jsonl"
    entries = [json.loads(line) for line in quarantine.read_text(encoding="utf-8").splitlines()]
    return [e for e in entries if e["file"].endswith("page.txt")]


@pytest.mark.parametrize("mark", ["\u2028", "\u2029", "\x85"])
def test_a_title_holding_what_python_takes_for_a_line_end_is_whole(tmp_path: Path,
                                                                   mark: str) -> None:
    """The page was cut into lines by ``str.splitlines``, which ends a line at U+2028, U+0085,
    U+2029 … too: a title holding one was cut there and the rest of it dropped without a word
    ("… breast cancer:" for "… breast cancer:\\u2028a status update"). Only "\\n", "\\r\\n"
    and "\\r" end a line now."""
    text = seed_text()
    title = "Extracellular vesicles in the treatment and diagnosis of breast cancer: a status update"
    marked = title.replace(": a status", f":{mark}a status")
    store = built_page(tmp_path, text.replace(title, marked))
    assert values(store, "https://w3id.org/evkg/article/37534210",
                  "http://purl.org/dc/terms/title") == [marked]


def test_a_title_holding_a_control_character_is_quarantined_by_its_field(tmp_path: Path) -> None:
    """U+000B, which XML cannot carry, in a page's title: taken for a line's end, it cut the
    title and escaped the quarantine the README promises such a record; the page's article is
    quarantined now, naming its field."""
    text = seed_text()
    title = "Extracellular vesicles in the treatment and diagnosis of breast cancer: a status update"
    store = built_page(tmp_path, text.replace(title, title.replace(": a status", ":\x0ba status")))
    assert values(store, "https://w3id.org/evkg/article/37534210",
                  "http://purl.org/dc/terms/title") == []
    [entry] = page_quarantined(tmp_path)
    assert (entry["pmid"], entry["position"]) == ("37534210", "page")
    assert "its title holds U+000B" in entry["reason"]


def test_a_page_that_is_not_utf8_is_quarantined_naming_file_line_and_column(
        tmp_path: Path) -> None:
    """A bad-input review's: a saved page with a byte that is not UTF-8 (saved as Windows-1252)
    was quarantined with Python's words alone ("'utf-8' codec can't decode byte 0xe9 in
    position 412: invalid continuation byte"), naming neither the file nor the line, where
    a MEDLINE file's says where and how to convert it."""
    lines = seed_text().encode("utf-8").split(b"\n")
    lines[2] = b"Caf\xe9 " + lines[2]
    path = tmp_path / "page.txt"
    path.write_bytes(b"\n".join(lines))
    [rejected] = list(read_source(path))
    assert isinstance(rejected, Rejected)
    assert rejected.provenance == Provenance(file=str(path), position="line 3")
    assert rejected.reason == (
        f"{path}: not UTF-8 text: byte 0xE9 at line 3, column 4 (PubMed's pages are UTF-8; if "
        "the file was saved as Latin-1 or Windows-1252, convert it: iconv -f WINDOWS-1252 -t "
        "UTF-8)")


def test_a_page_reads_every_kind_of_comment_or_correction_medline_names() -> None:
    """A page's comment/correction headings and MEDLINE's tags name the same kinds: a kind
    added to one reader and not the other would be read from one source alone (a review of
    the day's changes)."""
    assert sorted(_CORRECTION_TYPES.values()) == sorted(COMMENT_TAGS.values())


def test_a_page_read_as_pubmed_shows_what_it_repeats_or_leaves_empty() -> None:
    """A test review's: mutations of the page reader passed every test: an empty keyword kept,
    a star on one line of a descriptor undone by the next, a qualifier listed twice kept
    twice, an article both similar and citing given twice, a summary line under "Grants and
    funding" read as a grant, a retraction named outside the markers after the PMID lost."""
    text = FIXTURE.read_text(encoding="utf-8")
    similar = text.split("\nSimilar articles\n-\n", 1)[1].split("\n", 1)[0]
    page = (text.replace("Keywords: HER2; breast cancer;", "Keywords: HER2; ; breast cancer;")
            .replace("- Breast Neoplasms* / pathology\n",
                     "- Breast Neoplasms / pathology\n- Breast Neoplasms / diagnosis\n")
            .replace("\nCited by\n-\n", f"\nCited by\n-\n{similar}\n-\n")
            .replace("\nLinkOut - more resources\n",
                     f"\nGrants and funding\n- KL2 TR001100/TR/NCATS NIH HHS/United States\n"
                     f"- {similar}\nLinkOut - more resources\n"))
    assert page.count(similar) == 3
    main, *related = parse_page(page, file="page.txt")
    assert main.keywords == ("HER2", "breast cancer", "liquid biopsy",
                             "small extracellular vesicles")
    assert MeshHeading("Breast Neoplasms", major=True, qualifiers=(
        Qualifier("diagnosis"), Qualifier("pathology"))) in main.mesh_headings
    assert main.cited_by_pmids == ("99999902", "99999904", "99999905")
    assert [a.pmid for a in related] == ["99999902", "99999903", "99999904", "99999905"]
    assert [g.grant_id for g in main.grants] == ["KL2 TR001100"]
    untyped = parse_entry("A retracted title.Retracted Publication. PMID: 99999906",
                          Provenance(file="page.txt", position="similar:1"))
    assert (untyped.retracted, untyped.publication_types) == (
        True, (PublicationType("Retracted Publication"),))


# --- (e) an article not in English ----------------------------------------------------------

#: The PubMed XML of PMID 37482746, an article in Chinese (record 77 of the file): what its
#: saved page must give, title and language.
CHINESE_XML = SEED.parents[1] / "data" / "pubmed" / "seedtk" / "pubmed.xml"
CHINESE_PMID = "37482746"


@pytest.fixture(scope="module")
def chinese_record() -> Article:
    if not CHINESE_XML.exists():
        pytest.skip("../shared is absent: the PubMed XML of an article in Chinese is not there")
    return next(r for r in read_pubmed_xml(CHINESE_XML)
                if isinstance(r, Article) and r.pmid == CHINESE_PMID)


def chinese_page(record: Article, note: str, form: str) -> str:
    """The seed page (its layout: title, identifier lines, title again, abstract and lists) as
    the page of ``record``: its title, PMID and DOI, and PubMed's ``note`` on its language on
    the title line or on a line of its own after the title it repeats."""
    text, main = seed_text(), next(read_pages(SEED))
    assert isinstance(main, Article)
    after_ids = f"- DOI: {main.doi}\n{main.title}\n"
    page = (text.replace(after_ids, f"- DOI: {record.doi}\n{record.title}\n{note}\n")
            if form == "own line" else text.replace(main.title, f"{record.title} {note}"))
    assert page != text
    return (page.replace(main.pmid, record.pmid).replace(f"- PMCID: {main.pmcid}\n", "")
            .replace(main.doi, record.doi).replace(main.title, record.title))


#: PubMed's note on an article not in English, as its records give it: "[Article in Chinese]";
#: with the publisher's abstract named, "[Article in Russian; Abstract available in Russian from
#: the publisher]" (a record in Russian), here in Chinese, which PMID 37482746's OtherAbstract is.
CHINESE_NOTES = ("[Article in Chinese]",
                 "[Article in Chinese; Abstract available in Chinese from the publisher]")


@pytest.mark.parametrize("form", ["title line", "own line"])
@pytest.mark.parametrize("note", CHINESE_NOTES)
def test_a_page_in_chinese_has_the_title_and_language_its_pubmed_xml_gives(
        chinese_record: Article, note: str, form: str) -> None:
    """PubMed notes an article not in English as "[Article in Chinese]": the reader kept the
    note in the article's title and gave the article no language. The title is the XML's
    ArticleTitle now, and the language its Language, ISO 639-2 "chi"."""
    assert chinese_record.language == "chi"
    main = parse_page(chinese_page(chinese_record, note, form), file="page.txt")[0]
    assert (main.pmid, main.title, main.language, main.other_languages) == (
        CHINESE_PMID, chinese_record.title, chinese_record.language, ())
    assert "Article in" not in main.abstract_text


def test_a_page_in_chinese_says_so_in_the_graph(tmp_path: Path,
                                                chinese_record: Article) -> None:
    """What a build of the page gives: dcterms:language "chi", as for the XML of the record,
    and the title without PubMed's note."""
    store = built_page(tmp_path, chinese_page(chinese_record, CHINESE_NOTES[0], "title line"))
    article = f"https://w3id.org/evkg/article/{CHINESE_PMID}"
    assert values(store, article, "http://purl.org/dc/terms/language") == ["chi"]
    assert values(store, article, "http://purl.org/dc/terms/title") == [chinese_record.title]


def test_a_page_in_english_names_no_language() -> None:
    """The seed page (in English) has no note; nor does a language name in a title make one."""
    page = FIXTURE.read_text(encoding="utf-8").replace(
        "HER2 status in early breast cancer?", "HER2 status in Chinese women?")
    main = parse_page(page, file="page.txt")[0]
    assert (main.title.endswith("HER2 status in Chinese women?"), main.language) == (True, "")


def chinese_summary_line(record: Article) -> str:
    """``record``'s summary line as the seed page writes one, with the language PubMed's
    summary citations name after the publication types of an article not in English (its
    older summary format: "… Epub 2011 Dec 20. Review. French. PubMed PMID: …")."""
    journal = record.journal.iso_abbrev if record.journal else ""
    return (f"{record.title}{journal}. 2023 Jul 6;{record.volume}({record.issue}):"
            f"{record.pages}. doi: {record.doi}. {journal}. 2023. PMID: {record.pmid} "
            "Review. Chinese.")


def test_a_summary_line_ending_in_a_language_names_the_article_s_language(
        tmp_path: Path, chinese_record: Article) -> None:
    """A summary line of an article not in English ends with its language ("PMID: 37482746
    Review. Chinese."): "Chinese" was read as a publication type (the article a
    fabio:JournalArticle with the type "Chinese") and the article had no language. It is the
    article's language now, "chi" as its PubMed XML gives it, and the line's types are its
    types."""
    line = chinese_summary_line(chinese_record)
    page = seed_text().replace("\nSimilar articles\n-\n", f"\nSimilar articles\n-\n{line}\n-\n")
    related = by_pmid(parse_page(page, file="page.txt"))[CHINESE_PMID]
    assert (related.publication_types, related.language) == (
        (PublicationType("Review"),), chinese_record.language)
    assert "Review" in [t.label for t in chinese_record.publication_types]
    store = built_page(tmp_path, page)
    article = f"https://w3id.org/evkg/article/{CHINESE_PMID}"
    assert values(store, article, "http://purl.org/dc/terms/language") == ["chi"]
    assert values(store, article, "https://w3id.org/evkg/ontology#publicationTypeLabel") == [
        "Review"]


def test_a_saved_page_does_not_replace_the_pubmed_record_the_graph_holds(tmp_path: Path) -> None:
    """A new user's: a saved page of an article the graph holds from its PubMed XML replaced
    the record, and the article lost its authors, journal, headings and dates: a page shows
    less. It replaces an article known from a page, never a record with a revision date,
    and says so in the quarantine (no error); the XML replaces the page's record."""
    xml = tmp_path / "record.xml"
    xml.write_text(
        '<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID Version="1">99999901</PMID>'
        "<DateRevised><Year>2024</Year><Month>03</Month><Day>02</Day></DateRevised><Article>"
        "<Journal><Title>J Test</Title></Journal><ArticleTitle>Plasma vs. tissue.</ArticleTitle>"
        "<AuthorList><Author><LastName>Invented</LastName><Initials>A</Initials></Author>"
        "</AuthorList></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>\n",
        encoding="utf-8")

    def authors(out: Path) -> list[str]:
        rows = open_read_only(current_release(out) / "store").query(
            "SELECT ?name { <https://w3id.org/evkg/article/99999901> "
            "<http://purl.org/dc/terms/creator>/<http://xmlns.com/foaf/0.1/familyName> ?name }",
            use_default_graph_as_union=True)
        assert isinstance(rows, QuerySolutions)
        return [row[0].value for row in rows]

    out = tmp_path / "xml-then-page"
    build([xml], out, default_articles=False)
    report = build([xml, FIXTURE], out, default_articles=False)
    assert authors(out) == ["Invented"]
    assert [r.reason for r in report.quarantine if r.pmid == "99999901"] == [
        "a saved page's record does not replace the record of 99999901 the graph holds, which "
        "says more (its authors, or PubMed's revision date): its lists of similar and citing "
        "articles are not taken either (`evkg fetch --pmids` renews them)"]
    assert report.source_errors == 0 and report.files[str(FIXTURE)].held_by_pmid == 1
    out = tmp_path / "page-then-xml"
    build([FIXTURE, xml], out, default_articles=False)
    assert authors(out) == ["Invented"]
    # a review's: a record with authors and no revision date (the default articles, curated
    # from the corpus) was replaced by a page still
    curated = tmp_path / "curated.jsonl"
    write_records([Article(pmid="99999901", title="Plasma vs. tissue.",
                           authors=(Author(family="Curated", initials="C"),))], curated)
    out = tmp_path / "curated-then-page"
    build([curated, FIXTURE], out, default_articles=False)
    assert authors(out) == ["Curated"]
    out = tmp_path / "page-then-page"  # a page's record replaces one a page gave
    build([FIXTURE, FIXTURE], out, default_articles=False)
    assert authors(out) == []

