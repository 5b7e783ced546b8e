"""Article records → quads in ``graph/articles`` (and the MeSH terms they name in ``graph/mesh``).

``article_lines`` writes them as N-Quads lines, the form the build loads (``kg/store.py``): a
line costs a fraction of a pyoxigraph ``Quad``, and a build maps tens of millions.
``article_quads`` gives the same quads as ``Quad`` objects, parsed from those lines, so there is
one mapping. Terms used on every record are rendered once (``_T``); IRIs that come from the data
are checked as ``NamedNode`` checks them, except the all-digit PMIDs that need no check.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Iterator
from typing import TypeVar

import langcodes
from pyoxigraph import NamedNode, Quad, RdfFormat, parse

from kg import iris
from kg.mesh import CHECK_TAGS
from kg.namespaces import BIBO, CITO, DCTERMS, EVKG, FABIO, FOAF, MESHV, RDF, RDFS, SCHEMA, XSD
from kg.records import (
    NLM_CATEGORIES,
    OTHER_ABSTRACT_TYPES,
    PLAIN_LANGUAGE_SUMMARY,
    Article,
    Author,
    CommentCorrection,
    Journal,
    MeshHeading,
    is_doi,
)
from kg.store import iri_term, literal_term

#: Publication types that make an article a review (FaBiO ReviewArticle).
REVIEW_TYPES = frozenset({"Review", "Systematic Review", "Meta-Analysis"})
#: A publisher's article types that make an article a review (in lower case).
PUBLISHER_REVIEW_TYPES = frozenset({"review", "mini review", "mini-review", "systematic review"})
#: How many shared descriptions (MeSH terms, journals) ``SharedTerms`` remembers before it
#: starts afresh (forgetting only means writing a description again: loading is idempotent).
SHARED_LIMIT = 1_000_000


class _Terms:
    """Every constant term of the mapping, rendered once as N-Quads text."""

    def __init__(self) -> None:
        def n(node: NamedNode) -> str:
            return f"<{node.value}>"

        self.type = n(RDF.type)
        self.first, self.rest, self.nil = n(RDF.first), n(RDF.rest), n(RDF.nil)
        self.label, self.see_also = n(RDFS.label), n(RDFS.seeAlso)
        self.scholarly_article = n(SCHEMA.ScholarlyArticle)
        self.book_chapter, self.journal_article = n(FABIO.BookChapter), n(FABIO.JournalArticle)
        self.review_article, self.journal = n(FABIO.ReviewArticle), n(FABIO.Journal)
        self.pubmed_id, self.pmc_id = n(FABIO.hasPubMedId), n(FABIO.hasPubMedCentralId)
        self.publication_year = n(FABIO.hasPublicationYear)
        self.nlm_abbreviation = n(FABIO.hasNLMJournalTitleAbbreviation)
        self.nlm_id = n(FABIO.hasNationalLibraryOfMedicineJournalId)
        self.subject_term = n(FABIO.hasSubjectTerm)
        self.primary_subject_term = n(FABIO.hasPrimarySubjectTerm)
        self.doi, self.volume, self.issue = n(BIBO.doi), n(BIBO.volume), n(BIBO.issue)
        self.pages, self.page_start, self.page_end = (n(BIBO.pages), n(BIBO.pageStart),
                                                      n(BIBO.pageEnd))
        self.issn, self.eissn, self.author_list = n(BIBO.issn), n(BIBO.eissn), n(BIBO.authorList)
        self.title, self.abstract = n(DCTERMS.title), n(DCTERMS.abstract)
        self.plain_language_summary = n(EVKG.plainLanguageSummary)
        self.abstract_section, self.section_label = n(EVKG.abstractSection), n(EVKG.sectionLabel)
        self.section_text, self.section_position = n(EVKG.sectionText), n(EVKG.sectionPosition)
        self.abstract_section_class = n(EVKG.AbstractSection)
        self.abstract_category = n(EVKG.abstractCategory)
        self.alternative, self.rights = n(DCTERMS.alternative), n(DCTERMS.rights)
        self.language, self.issued = n(DCTERMS.language), n(DCTERMS.issued)
        self.modified, self.is_part_of = n(DCTERMS.modified), n(DCTERMS.isPartOf)
        self.submitted, self.accepted = n(DCTERMS.dateSubmitted), n(DCTERMS.dateAccepted)
        self.creator, self.source = n(DCTERMS.creator), n(DCTERMS.source)
        self.contributor = n(DCTERMS.contributor)
        self.equal_contributor = n(EVKG.equalContributor)
        self.cites, self.is_cited_by = n(CITO.cites), n(CITO.isCitedBy)
        self.person, self.organization = n(FOAF.Person), n(FOAF.Organization)
        self.name, self.family_name = n(FOAF.name), n(FOAF.familyName)
        self.given_name = n(FOAF.givenName)
        self.same_as, self.keywords = n(SCHEMA.sameAs), n(SCHEMA.keywords)
        self.pubmed_version = n(EVKG.pubmedVersion)
        self.electronic_date = n(EVKG.electronicPublicationDate)
        self.publication_type_label = n(EVKG.publicationTypeLabel)
        self.publication_type = n(EVKG.publicationType)
        self.publisher_article_type = n(EVKG.publisherArticleType)
        self.doi_lower_case = n(EVKG.doiLowerCase)
        self.substance, self.substance_name = n(EVKG.substance), n(EVKG.substanceName)
        self.unresolved_substance = n(EVKG.unresolvedSubstance)
        self.grant, self.grant_id, self.grant_agency = (n(EVKG.grant), n(EVKG.grantId),
                                                        n(EVKG.grantAgency))
        self.grant_country = n(EVKG.grantCountry)
        self.supplementary_concept_link = n(EVKG.supplementaryConcept)
        self.supplementary_concept_name = n(EVKG.supplementaryConceptName)
        self.scr_kinds = {kind: n(MESHV[f"SCR_{kind}"]) for kind in SCR_KINDS}
        self.data_bank_entry, self.data_bank = n(EVKG.dataBankEntry), n(EVKG.dataBank)
        self.accession_number = n(EVKG.accessionNumber)
        self.coi_statement = n(EVKG.conflictOfInterestStatement)
        self.unidentified_reference = n(EVKG.unidentifiedReference)
        self.unresolved_subject_term = n(EVKG.unresolvedSubjectTerm)
        self.unresolved_primary_subject_term = n(EVKG.unresolvedPrimarySubjectTerm)
        self.similar_to, self.retraction_notice = n(EVKG.similarTo), n(EVKG.retractionNotice)
        self.retracted, self.provenance_note = n(EVKG.retracted), n(EVKG.provenanceNote)
        self.mesh_indexing_method = n(EVKG.meshIndexingMethod)
        self.citation_status = n(EVKG.citationStatus)
        self.initials, self.affiliation = n(EVKG.initials), n(EVKG.affiliation)
        self.mesh_identifier, self.registry_number = n(MESHV.identifier), n(MESHV.registryNumber)
        self.mesh_publication_type = n(MESHV.PublicationType)
        self.supplementary_concept = n(MESHV.SupplementaryConceptRecord)
        self.topical_descriptor, self.qualifier = n(MESHV.TopicalDescriptor), n(MESHV.Qualifier)
        self.check_tag = n(MESHV.CheckTag)
        self.geographical_descriptor = n(MESHV.GeographicalDescriptor)
        self.pair, self.has_descriptor = n(MESHV.DescriptorQualifierPair), n(MESHV.hasDescriptor)
        self.has_qualifier = n(MESHV.hasQualifier)
        self.xsd_integer, self.xsd_boolean = n(XSD.integer), n(XSD.boolean)
        self.xsd_date, self.xsd_year_month, self.xsd_year = (n(XSD.date), n(XSD.gYearMonth),
                                                             n(XSD.gYear))
        self.true = literal_term("true", self.xsd_boolean)
        self.comment_or_correction = n(EVKG.commentOrCorrection)
        self.identifier = n(DCTERMS.identifier)
        self.comment_links = {ref_type: n(CITO[name]) for ref_type, name in COMMENT_LINKS.items()}


#: The Types of OtherAbstract for an abstract an NLM indexing partner supplied, not the
#: publisher (a provenance note names it).
_PARTNERS = frozenset(OTHER_ABSTRACT_TYPES) - {"Publisher", PLAIN_LANGUAGE_SUMMARY}


#: The Types of SupplMeshName that NLM's MeSH RDF vocabulary has a class for (meshv:SCR_Disease
#: …, in ../shared/data/mesh/meshrdf/vocabulary.ttl): such a concept is also of that class.
SCR_KINDS = ("Chemical", "Disease", "Organism", "Protocol")


#: PubMed's comment and correction types (``CommentsCorrections/@RefType``, MEDLINE's CIN, EIN,
#: RIN …) that CiTO names, read from the article that lists them: "CommentIn" X means X
#: discusses this article. With the other article's PMID they link to it; the others, and those
#: without a PMID, are kept as text (``evkg:commentOrCorrection``).
COMMENT_LINKS = {
    "CommentOn": "discusses", "CommentIn": "isDiscussedBy", "ErratumFor": "corrects",
    "ErratumIn": "isCorrectedBy", "RetractionOf": "retracts", "RetractionIn": "isRetractedBy",
    "UpdateOf": "updates", "UpdateIn": "isUpdatedBy", "Cites": "cites",
}


def _comment_text(cc: CommentCorrection) -> str:
    """``ExpressionOfConcernIn: Psychol Sci. 2021 Nov 9;:9567976211058727 (PMID 34752162)``
    (PubMed's record of PMID 22395128)."""
    pmid = f"PMID {cc.pmid}" if cc.pmid else ""
    source = " ".join(p for p in (cc.note, f"({pmid})" if pmid and cc.note else pmid) if p)
    return f"{cc.ref_type}: {source}" if source else cc.ref_type


_T = _Terms()
#: An ISO date, year-month and year: in ASCII digits, the only ones XML Schema's dates take
#: (\d takes any script's).
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_YEAR_MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
_YEAR = re.compile(r"[0-9]{4}")
_ISSN = re.compile(r"\d{4}-\d{3}[\dX]")
_SAFE_KEY = re.compile(r"[A-Za-z0-9]+")
#: What ends the article's own page range: the ";" or "," before more pages ("1788;
#: discussion 1791", "112-8, 120": MedlinePgn lists an article's discussion too).
_MORE_PAGES = re.compile(r"[;,]")
#: The dash between a range's first and last page: MEDLINE's hyphen, or a publisher's en dash.
_PAGE_DASH = re.compile(r"[-–]")


def page_range(pages: str) -> tuple[str, str]:
    """The first and last page of the article's own range in ``pages`` (its last "" when it
    names one page): MEDLINE lists a discussion of the article after its pages, "1787-1788;
    discussion 1791" is pages 1787 to 1788, "1788; discussion 1791" page 1788; a word after
    the range's end, "31-37 contd" (continued in another issue), is no part of its last page,
    37, nor one after a single page of its first: "12 p following" (page 12 and those after
    it) and "176 concl" (concluded elsewhere) start on pages 12 and 176, their last not
    given; and "1–10" (an en dash) is pages 1 to 10. A supplement's pages follow its number
    and a colon ("Suppl 1:S12-5" starts on page S12), "pp." is no page ("pp. 12-15" starts on
    12), and a letter apart from its number is the page's ("A 12-A 15" is pages A12 to A15)."""
    start, *end = _PAGE_DASH.split(_MORE_PAGES.split(pages, maxsplit=1)[0], maxsplit=1)
    return _page(start.rpartition(":")[2]), _page("".join(end))


#: A range whose end is a number alone; the start may have a letter before its number (an
#: electronic page "e1", a supplement's "S12"), or a letter and a space ("A 12"; "p 12" is
#: "pages 12", as `page_range` reads it).
#: Its numbers are ASCII digits, compared as text (of one length, as numbers are): int() refuses
#: one of more than 4,300 digits.
_MEDLINE_RANGE = re.compile(r"\b(?:([A-Za-z])|(?!p )([A-Za-z]) )?([0-9]+)-([0-9]+)\b")


def full_page_range(pages: str) -> str:
    """MEDLINE's short page ranges written out: "501-15" is 501-515, "1201-9" is 1201-1209,
    "e1-8" is e1-e8, "e225-6" is e225-e226, "A 12-15" is A12-A15 (a citation manager takes
    the end as the page it reads)."""
    def whole(match: re.Match[str]) -> str:
        glued, spaced, start, end = match.groups("")
        letter = glued or spaced
        if len(end) < len(start) and start[-len(end):] < end:
            end = start[:len(start) - len(end)] + end
        return f"{letter}{start}-{letter}{end}"
    return _MEDLINE_RANGE.sub(whole, pages)


#: What names pages before their numbers, and is none: "pp." and "p." ("Pp.", "P." too), and
#: "pp" and "p"; a capital "P" without its point is a page's letter, as "A" is ("P 12" is P12).
_PAGES_WORD = re.compile(r"[Pp][Pp]?\.|pp?")


def _page(text: str) -> str:
    """The page ``text`` names first: its first word, but "pp." before it (whatever the page:
    "pp. S12", "pp. iii"), and with the word after a letter alone (the "12" of "A 12")."""
    words = text.split()
    if len(words) > 1 and _PAGES_WORD.fullmatch(words[0]):
        words = words[1:]
    if len(words) > 1 and len(words[0]) == 1 and words[0].isalpha() and words[1][0].isdigit():
        return words[0] + words[1]
    return next(iter(words), "")


@functools.cache
def language_tag(code: str) -> str:
    """The BCP 47 language tag of PubMed's language code (ISO 639-2: "pol" → "pl", "fre" →
    "fr", "chi" → "zh"); "und" (undetermined) for a code that names no language, or none."""
    try:
        tag = langcodes.standardize_tag(code) if code else "und"
    except (ValueError, LookupError):  # (langcodes' LanguageTagError is a ValueError)
        return "und"
    return tag if langcodes.tag_is_valid(tag) else "und"


def vernacular_tag(article: Article) -> str:
    """The language tag of the article's title in its own language (VernacularTitle, beside
    PubMed's English ArticleTitle): the one language of the article's that is not English
    ("ita" → "it"; "eng" and "fre" → "fr"), else "und" (none named, or several: "mul" too,
    whose BCP 47 tag would say the title is in several languages at once)."""
    others = {code.lower() for code in (article.language, *article.other_languages)
              if code and code.lower() != "eng"}
    if len(others) != 1 or "mul" in others:
        return "und"
    return language_tag(others.pop())


def _date_term(value: str) -> str:
    """An ISO date, year-month or year as an xsd:date, xsd:gYearMonth or xsd:gYear literal in
    N-Quads text. Anything else, a day or a month that does not exist too ("2023-02-30" from a
    hand-written record), is a ValueError: the record goes to the quarantine rather than an
    ill-formed literal failing the build's validation."""
    if _DATE.fullmatch(value):
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            pass
        else:
            return f'"{value}"^^{_T.xsd_date}'
    elif _YEAR_MONTH.fullmatch(value):
        return f'"{value}"^^{_T.xsd_year_month}'
    elif _YEAR.fullmatch(value):
        return f'"{value}"^^{_T.xsd_year}'
    raise ValueError(f"not an ISO date, year-month or year: {value!r}")


def subject_iri(article: Article) -> NamedNode:
    return iris.article_iri(article.pmid, article.doi, article.pmcid)


class SharedTerms:
    """Remembers the shared descriptions (MeSH terms, pairs, journals) already written by one
    build, so each is written once rather than once per article that names it."""

    def __init__(self, limit: int = SHARED_LIMIT) -> None:
        self.limit = limit
        self._seen: set[tuple[str, ...]] = set()

    def first(self, key: tuple[str, ...]) -> bool:
        """True the first time ``key`` is seen (and after a reset), else False."""
        if key in self._seen:
            return False
        if len(self._seen) >= self.limit:
            self._seen.clear()
        self._seen.add(key)
        return True


class _Minted:
    """IRIs minted by ``kg.iris`` on every record, as N-Quads text, made fast.

    An all-digit PMID is minted as the base's ``article/`` followed by the digits (quoting leaves
    digits alone), so that prefix is taken once from ``iris.article_iri`` itself; MeSH and
    journal IRIs repeat across records and are remembered.
    """

    def __init__(self) -> None:
        self.base = ""
        self.article_prefix = ""
        self.graphs: dict[str, str] = {}
        self.mesh: dict[str, str] = {}
        self.journals: dict[tuple[str, str, str], str] = {}

    def refresh(self) -> None:
        """Follow ``EVKG_BASE_IRI`` (tests change it between builds)."""
        base = iris.base_iri()
        if base != self.base:
            self.base = base
            self.article_prefix = iris.article_iri("0").value[:-1]
            self.graphs = {name: f"<{iris.graph_iri(name).value}>" for name in iris.GRAPH_NAMES}
            self.journals.clear()

    def article(self, pmid: str = "", doi: str = "", pmcid: str = "") -> str:
        if pmid.isdigit() and pmid.isascii():
            return f"<{self.article_prefix}{pmid}>"
        return f"<{iris.article_iri(pmid, doi, pmcid).value}>"

    def mesh_term(self, ui: str) -> str:
        term = self.mesh.get(ui)
        return term if term is not None else _remember(self.mesh, ui, iris.mesh_iri(ui))

    def mesh_pair(self, descriptor_ui: str, qualifier_ui: str) -> str:
        key = descriptor_ui + "\x1f" + qualifier_ui
        term = self.mesh.get(key)
        return term if term is not None else _remember(
            self.mesh, key, iris.mesh_pair_iri(descriptor_ui, qualifier_ui))

    def journal(self, nlm_id: str, issn: str, title: str) -> str:
        key = (nlm_id, issn, title)
        term = self.journals.get(key)
        return term if term is not None else _remember(
            self.journals, key, iris.journal_iri(nlm_id, issn, title))


_K = TypeVar("_K")


def _remember(terms: dict[_K, str], key: _K, iri: NamedNode) -> str:
    """Keep ``iri``'s N-Quads text under ``key``, starting afresh when ``terms`` is full."""
    if len(terms) >= SHARED_LIMIT:
        terms.clear()
    term = terms[key] = f"<{iri.value}>"
    return term


_MINTED = _Minted()


def _web(prefix: str, key: str) -> str:
    """``<{prefix}{key}>``; a key of other characters than letters and digits is checked."""
    if _SAFE_KEY.fullmatch(key):
        return f"<{prefix}{key}>"
    return iri_term(prefix + key)


def article_quads(article: Article) -> Iterator[Quad]:
    """Every quad an article record gives, in a stable order (``article_lines`` as ``Quad``s)."""
    data = "".join(article_lines(article)).encode("utf-8")
    yield from parse(input=data, format=RdfFormat.N_QUADS)


def article_lines(article: Article, shared: SharedTerms | None = None) -> list[str]:
    """Every quad an article record gives, as N-Quads lines, in a stable order.

    With ``shared``, the descriptions of MeSH terms and journals that an earlier call already
    wrote are left out (they are the same quads, and a build loads each once).
    """
    _MINTED.refresh()
    g = _MINTED.graphs["articles"]
    s = _MINTED.article(article.pmid, article.doi, article.pmcid)
    lines: list[str] = []
    add = lines.append
    t = _T
    lit = literal_term
    add(f"{s} {t.type} {t.scholarly_article} {g} .\n")
    add(f"{s} {t.type} {t.book_chapter if article.is_book else t.journal_article} {g} .\n")
    if (any(pt.label in REVIEW_TYPES for pt in article.publication_types)
            or any(kind.lower() in PUBLISHER_REVIEW_TYPES for kind in article.article_types)):
        add(f"{s} {t.type} {t.review_article} {g} .\n")
    if article.pmid:
        add(f"{s} {t.pubmed_id} {lit(article.pmid)} {g} .\n")
        add(f"{s} {t.see_also} {_web('https://pubmed.ncbi.nlm.nih.gov/', article.pmid)} {g} .\n")
    if article.version > 1:
        add(f'{s} {t.pubmed_version} "{article.version}"^^{t.xsd_integer} {g} .\n')
    if article.pmcid:
        add(f"{s} {t.pmc_id} {lit(article.pmcid)} {g} .\n")
        add(f"{s} {t.see_also} {_web('https://identifiers.org/pmc:', article.pmcid)} {g} .\n")
    if article.doi:
        if not is_doi(article.doi):  # the shapes' rule: quarantined, not a failed build
            raise ValueError(f"its DOI {article.doi!r} is not a DOI (one starts with \"10.\")")
        add(f"{s} {t.doi} {lit(article.doi)} {g} .\n")
        if not article.doi.islower() and article.doi.lower() != article.doi:
            add(f"{s} {t.doi_lower_case} {lit(article.doi.lower())} {g} .\n")
        add(f"{s} {t.see_also} <{iris.doi_url(article.doi).value}> {g} .\n")
    if article.title:
        add(f"{s} {t.title} {lit(article.title)} {g} .\n")
    if article.vernacular_title and article.vernacular_title != article.title:
        vernacular = literal_term(article.vernacular_title, language=vernacular_tag(article))
        add(f"{s} {t.alternative} {vernacular} {g} .\n")
    if article.abstract:
        add(f"{s} {t.abstract} {lit(article.abstract_text)} {g} .\n")
        _section_lines(article, s, g, lines)
    for other in article.other_abstracts:  # tagged with its language: the abstract is untagged
        if other.only_a_pointer:  # English text, no abstract: "@pl" would be two falsehoods
            continue
        tag = language_tag(other.language)
        p = t.plain_language_summary if other.kind == PLAIN_LANGUAGE_SUMMARY else t.abstract
        add(f"{s} {p} {literal_term(other.text, language=tag)} {g} .\n")
        if other.kind in _PARTNERS:  # an indexing partner's abstract: whose it is
            note = f"The abstract tagged @{tag} was supplied by {other.kind} (PubMed OtherAbstract Type)."
            add(f"{s} {t.provenance_note} {lit(note)} {g} .\n")
    for language in (article.language, *article.other_languages):
        if language:
            add(f"{s} {t.language} {lit(language)} {g} .\n")
    if article.pub_date:
        add(f"{s} {t.issued} {_date_term(article.pub_date)} {g} .\n")
        add(f"{s} {t.publication_year} "
            f"{literal_term(article.pub_date[:4], t.xsd_year)} {g} .\n")
    if article.epub_date:
        add(f"{s} {t.electronic_date} {_date_term(article.epub_date)} {g} .\n")
    for p, date in ((t.modified, article.revised_date), (t.submitted, article.received_date),
                    (t.accepted, article.accepted_date)):
        if date:
            add(f"{s} {p} {_date_term(date)} {g} .\n")
    for p, value in ((t.volume, article.volume), (t.issue, article.issue),
                     (t.pages, article.pages)):
        if value:
            add(f"{s} {p} {lit(value)} {g} .\n")
    if article.pages:
        first, last = page_range(full_page_range(article.pages))
        if first:
            add(f"{s} {t.page_start} {lit(first)} {g} .\n")
        if last:
            add(f"{s} {t.page_end} {lit(last)} {g} .\n")
    if article.journal is not None:
        _journal_lines(article.journal, s, g, lines, shared)
    if article.authors:
        _author_lines(article.authors, s, g, lines)
    if article.investigators:
        _investigator_lines(article.investigators, s, g, lines)
    mg = _MINTED.graphs["mesh"]
    # a term with neither UI nor name (an empty element of a hand-written record) says nothing:
    # it wrote an empty literal
    for ptype in article.publication_types:
        if ptype.label:
            add(f"{s} {t.publication_type_label} {lit(ptype.label)} {g} .\n")
        if ptype.ui:
            add(f"{s} {t.publication_type} {_MINTED.mesh_term(ptype.ui)} {g} .\n")
            _mesh_term_lines(ptype.ui, ptype.label, t.mesh_publication_type, mg, lines, shared)
    for kind in article.article_types:
        add(f"{s} {t.publisher_article_type} {lit(kind)} {g} .\n")
    for keyword in article.keywords:
        add(f"{s} {t.keywords} {lit(keyword)} {g} .\n")
    for number, substance in enumerate(article.substances, start=1):
        if substance.ui:
            m = _MINTED.mesh_term(substance.ui)
            add(f"{s} {t.substance} {m} {g} .\n")
            kind = (t.supplementary_concept if substance.ui.startswith("C")
                    else t.topical_descriptor)
            _mesh_term_lines(substance.ui, substance.name, kind, mg, lines, shared)
            registry = substance.registry_number
            if registry and registry != "0" and (
                    shared is None or shared.first(("registry", substance.ui, registry))):
                add(f"{m} {t.registry_number} {lit(registry)} {mg} .\n")
        elif substance.name:
            add(f"{s} {t.substance_name} {lit(substance.name)} {g} .\n")
            if substance.registry_number and substance.registry_number != "0":
                node = f"_:{_bnode_key(s)}s{number}"  # the name with its number
                add(f"{s} {t.unresolved_substance} {node} {g} .\n")
                add(f"{node} {t.label} {lit(substance.name)} {g} .\n")
                add(f"{node} {t.registry_number} {lit(substance.registry_number)} {g} .\n")
    for heading in article.mesh_headings:
        _heading_lines(heading, s, g, mg, lines, shared)
    for concept in article.supplementary_concepts:
        if concept.ui:
            add(f"{s} {t.supplementary_concept_link} {_MINTED.mesh_term(concept.ui)} {g} .\n")
            _mesh_term_lines(concept.ui, concept.name, t.supplementary_concept, mg, lines, shared)
            scr_kind = t.scr_kinds.get(concept.kind)
            if scr_kind is not None and (shared is None
                                         or shared.first(("scr", concept.ui, scr_kind))):
                add(f"{_MINTED.mesh_term(concept.ui)} {t.type} {scr_kind} {mg} .\n")
        elif concept.name:  # a MEDLINE NM line no MeSH table names
            add(f"{s} {t.supplementary_concept_name} {lit(concept.name)} {g} .\n")
    if article.grants:
        _node_lines(s, g, t.grant, "g", [((t.grant_id, grant.grant_id), (t.grant_agency, grant.agency),
                                          (t.grant_country, grant.country))
                                         for grant in article.grants], lines)
    if article.accessions:  # (an entry without its number, from a hand-written record, is none)
        _node_lines(s, g, t.data_bank_entry, "db",
                    [((t.data_bank, accession.bank), (t.accession_number, accession.number))
                     for accession in article.accessions if accession.number], lines)
    if article.coi_statement:
        add(f"{s} {t.coi_statement} {lit(article.coi_statement)} {g} .\n")
    if article.copyright:
        add(f"{s} {t.rights} {lit(article.copyright)} {g} .\n")
    article_iri = _MINTED.article
    for ref in article.references:
        if ref.pmid or ref.doi or ref.pmcid:
            add(f"{s} {t.cites} {article_iri(ref.pmid, ref.doi, ref.pmcid)} {g} .\n")
        elif ref.citation:
            add(f"{s} {t.unidentified_reference} {lit(ref.citation)} {g} .\n")
    for pmid in article.similar_pmids:
        add(f"{s} {t.similar_to} {article_iri(pmid)} {g} .\n")
    for pmid in article.cited_by_pmids:
        add(f"{s} {t.is_cited_by} {article_iri(pmid)} {g} .\n")
    for cc in article.comments_corrections:
        if cc.ref_type == "RetractionIn":
            notice = article_iri(cc.pmid) if cc.pmid else lit(cc.note)
            add(f"{s} {t.retraction_notice} {notice} {g} .\n")
        link = t.comment_links.get(cc.ref_type)
        if link is not None and cc.pmid:
            add(f"{s} {link} {article_iri(cc.pmid)} {g} .\n")
        elif cc.ref_type == "Cites" and cc.note:  # a reference in the older form
            add(f"{s} {t.unidentified_reference} {lit(cc.note)} {g} .\n")
        else:
            add(f"{s} {t.comment_or_correction} {lit(_comment_text(cc))} {g} .\n")
    for identifier in article.other_ids:
        add(f"{s} {t.identifier} {lit(identifier)} {g} .\n")
    if article.retracted:
        add(f"{s} {t.retracted} {t.true} {g} .\n")
    for p, value in ((t.mesh_indexing_method, article.mesh_indexing_method),
                     (t.citation_status, article.citation_status)):
        if value:
            add(f"{s} {p} {lit(value)} {g} .\n")
    for url in article.provenance.urls:
        if url.startswith(("http://", "https://")):
            add(f"{s} {t.source} <{iris.web_iri(url).value}> {g} .\n")
        else:
            add(f"{s} {t.provenance_note} {lit(f'Source: {url}')} {g} .\n")
    for note in article.provenance.notes:
        add(f"{s} {t.provenance_note} {lit(note)} {g} .\n")
    return lines


def _node_lines(s: str, g: str, link: str, tag: str, nodes: list[tuple[tuple[str, str], ...]],
                lines: list[str]) -> None:
    """A blank node the article owns for each of ``nodes`` (its (property, value) pairs, those
    with a value written), linked by ``link`` and labelled from the article's IRI, ``tag`` and
    its position, so that output is the same on every run."""
    key = _bnode_key(s)
    for number, values in enumerate(nodes, start=1):
        node = f"_:{key}{tag}{number}"
        lines.append(f"{s} {link} {node} {g} .\n")
        lines.extend(f"{node} {p} {literal_term(value)} {g} .\n" for p, value in values if value)


def _section_lines(article: Article, s: str, g: str, lines: list[str]) -> None:
    """A blank node for each section of a structured abstract that has a label or NLM's
    category (PubMed XML's ``NlmCategory``; MEDLINE text and saved pages give labels alone):
    an ``evkg:AbstractSection``, its label, category, text and position among the abstract's
    parts, labelled or not (its line in ``dcterms:abstract``), so a query can ask for the
    conclusions of an article rather than its whole ``dcterms:abstract``. A category NLM's
    DTD does not list is left out, as text mining leaves it out of a finding; so is a section
    without text (only a hand-written record gives one: the readers drop it)."""
    t = _T
    key = ""  # (made for the first section given apart: most abstracts have none)
    for number, section in enumerate(article.abstract, start=1):
        category = section.category if section.category in NLM_CATEGORIES else ""
        if not (section.label or category) or not section.text:
            continue
        key = key or _bnode_key(s)
        node = f"_:{key}ab{number}"  # ("ab": no other tag ends it, nor it another)
        lines.append(f"{s} {t.abstract_section} {node} {g} .\n")
        lines.append(f"{node} {t.type} {t.abstract_section_class} {g} .\n")
        if section.label:
            lines.append(f"{node} {t.section_label} {literal_term(section.label)} {g} .\n")
        if category:
            lines.append(f"{node} {t.abstract_category} {literal_term(category)} {g} .\n")
        lines.append(f"{node} {t.section_text} {literal_term(section.text)} {g} .\n")
        lines.append(f'{node} {t.section_position} "{number}"^^{t.xsd_integer} {g} .\n')


def _journal_lines(journal: Journal, s: str, g: str, lines: list[str],
                   shared: SharedTerms | None) -> None:
    if not (journal.nlm_id or journal.issn or journal.eissn or journal.title
            or journal.iso_abbrev):
        return
    if not (journal.title or journal.iso_abbrev):  # the shapes want a name for every journal
        raise ValueError(f"its journal ({journal.nlm_id or journal.issn or journal.eissn}) has "
                         "no title nor abbreviation (MEDLINE JT / TA, XML Journal/Title): a "
                         "record cut short?")
    for issn in (journal.issn, journal.eissn):
        if issn and not _ISSN.fullmatch(issn):  # the shapes' rule: quarantined, not a failed build
            raise ValueError(f"its journal's ISSN {issn!r} is not an ISSN (NNNN-NNNC)")
    t = _T
    j = _MINTED.journal(journal.nlm_id, journal.issn or journal.eissn,
                        journal.title or journal.iso_abbrev)
    lines.append(f"{s} {t.is_part_of} {j} {g} .\n")
    if shared is not None and not shared.first(
            ("journal", j, journal.title, journal.iso_abbrev, journal.issn, journal.eissn,
             journal.nlm_id)):
        return
    lines.append(f"{j} {t.type} {t.journal} {g} .\n")
    for p, value in ((t.title, journal.title), (t.nlm_abbreviation, journal.iso_abbrev),
                     (t.issn, journal.issn), (t.eissn, journal.eissn),
                     (t.nlm_id, journal.nlm_id)):
        if value:
            lines.append(f"{j} {p} {literal_term(value)} {g} .\n")
    if journal.nlm_id:
        catalogue = _web("https://www.ncbi.nlm.nih.gov/nlmcatalog/", journal.nlm_id)
        lines.append(f"{j} {t.see_also} {catalogue} {g} .\n")


def _author_lines(authors: tuple[Author, ...], s: str, g: str, lines: list[str]) -> None:
    """Each author as a resource, and ``bibo:authorList`` keeping the byline order."""
    t = _T
    add = lines.append
    subject = NamedNode(s[1:-1])
    # iris.author_iri without ORCID is "{article}/author/{position}": the prefix is taken from it
    prefix = iris.author_iri(subject, 1).value[:-1]
    key = _bnode_key(s)
    previous = ""
    for position, author in enumerate(authors, start=1):
        a = (f"<{iris.author_iri(subject, position, author.orcid).value}>" if author.orcid
             else f"<{prefix}{position}>")
        add(f"{s} {t.creator} {a} {g} .\n")
        if author.equal_contribution:  # of this byline: not of the person, who may be shared
            add(f"{s} {t.equal_contributor} {a} {g} .\n")
        _person_lines(a, author, g, lines)
        cell = f"_:{key}al{position}"
        add(f"{previous} {t.rest} {cell} {g} .\n" if previous
            else f"{s} {t.author_list} {cell} {g} .\n")
        add(f"{cell} {t.first} {a} {g} .\n")
        previous = cell
    if previous:
        add(f"{previous} {t.rest} {t.nil} {g} .\n")


def _investigator_lines(investigators: tuple[Author, ...], s: str, g: str,
                        lines: list[str]) -> None:
    """Each investigator as a resource the article names by ``dcterms:contributor``."""
    subject = NamedNode(s[1:-1])
    for position, person in enumerate(investigators, start=1):
        a = f"<{iris.investigator_iri(subject, position, person.orcid).value}>"
        lines.append(f"{s} {_T.contributor} {a} {g} .\n")
        _person_lines(a, person, g, lines)


def _person_lines(a: str, author: Author, g: str, lines: list[str]) -> None:
    """The description of the author or investigator ``a``: a person by name, or a group."""
    t = _T
    add = lines.append
    if author.collective:
        add(f"{a} {t.type} {t.organization} {g} .\n")
        add(f"{a} {t.name} {literal_term(author.collective)} {g} .\n")
    else:
        add(f"{a} {t.type} {t.person} {g} .\n")
        name = " ".join(part for part in (author.given or author.initials, author.family,
                                          author.suffix) if part)
        add(f"{a} {t.name} {literal_term(name)} {g} .\n")
        for p, value in ((t.family_name, author.family), (t.given_name, author.given),
                         (t.initials, author.initials)):
            if value:
                add(f"{a} {p} {literal_term(value)} {g} .\n")
    if author.orcid:
        add(f"{a} {t.same_as} {iri_term(f'https://orcid.org/{author.orcid}')} {g} .\n")
    for affiliation in author.affiliations:
        add(f"{a} {t.affiliation} {literal_term(affiliation)} {g} .\n")


def _bnode_key(s: str) -> str:
    """A blank-node label derived from the article IRI, so output is the same on every run.

    A letter first: RDF/XML writes the label as an rdf:nodeID, an XML name (PMIDs are
    digits). Any character but a letter or digit is written as ``_`` and its code in hex, so
    two articles never share a label (``doi/10.1/ab`` and ``doi/10.1/a-b`` differ).
    """
    return "a" + _UNSAFE_LABEL.sub(lambda m: f"_{ord(m.group()):x}_",
                                   s[1:-1].rsplit("/article/", 1)[-1])


_UNSAFE_LABEL = re.compile(r"[^A-Za-z0-9]")


def _heading_lines(heading: MeshHeading, s: str, g: str, mg: str, lines: list[str],
                   shared: SharedTerms | None) -> None:
    """``fabio:hasSubjectTerm`` for the descriptor and each pair; primary terms for major ones."""
    t = _T
    add = lines.append
    if not heading.descriptor_ui:  # the names, as for a qualifier without its UI below
        if heading.descriptor_label:
            _unresolved_term(heading.descriptor_label, heading.major, s, g, lines)
            for q in heading.qualifiers:
                if q.label:
                    _unresolved_term(f"{heading.descriptor_label}/{q.label}", q.major, s, g, lines)
        return
    d = _MINTED.mesh_term(heading.descriptor_ui)
    add(f"{s} {t.subject_term} {d} {g} .\n")
    if heading.major:
        add(f"{s} {t.primary_subject_term} {d} {g} .\n")
    # a record older than PubMed's 2023 DTD, and MEDLINE text, do not say a heading is
    # geographic: Germany is topical then, until a record that says so or a MeSH table does
    # (mesh.keep_record_kinds, mesh.keep_table_kinds)
    kind = (t.check_tag if heading.descriptor_ui in CHECK_TAGS
            else t.geographical_descriptor if heading.geographic else t.topical_descriptor)
    _mesh_term_lines(heading.descriptor_ui, heading.descriptor_label, kind, mg, lines, shared)
    for q in heading.qualifiers:
        label = f"{heading.descriptor_label}/{q.label}"
        if not q.ui:
            if q.label:
                _unresolved_term(label, q.major, s, g, lines)
            continue
        pair = _MINTED.mesh_pair(heading.descriptor_ui, q.ui)
        add(f"{s} {t.subject_term} {pair} {g} .\n")
        if q.major:
            add(f"{s} {t.primary_subject_term} {pair} {g} .\n")
        _mesh_term_lines(q.ui, q.label, t.qualifier, mg, lines, shared)
        if shared is None or shared.first(("pair", heading.descriptor_ui, q.ui, label)):
            add(f"{pair} {t.type} {t.pair} {mg} .\n")
            add(f"{pair} {t.has_descriptor} {d} {mg} .\n")
            add(f"{pair} {t.has_qualifier} {_MINTED.mesh_term(q.ui)} {mg} .\n")
            add(f"{pair} {t.label} {literal_term(label, language='en')} {mg} .\n")


def _unresolved_term(label: str, major: bool, s: str, g: str, lines: list[str]) -> None:
    """A heading known by name only; a major topic also as the primary unresolved term."""
    term = literal_term(label)
    lines.append(f"{s} {_T.unresolved_subject_term} {term} {g} .\n")
    if major:
        lines.append(f"{s} {_T.unresolved_primary_subject_term} {term} {g} .\n")


def _mesh_term_lines(ui: str, label: str, kind: str, mg: str, lines: list[str],
                     shared: SharedTerms | None) -> None:
    """The type, label and identifier of a MeSH term named by a record, in ``graph/mesh``."""
    if shared is not None and not shared.first(("term", ui, label, kind)):
        return
    t = _T
    m = _MINTED.mesh_term(ui)
    lines.append(f"{m} {t.type} {kind} {mg} .\n")
    if label:
        lines.append(f"{m} {t.label} {literal_term(label, language='en')} {mg} .\n")
    lines.append(f"{m} {t.mesh_identifier} {literal_term(ui)} {mg} .\n")
