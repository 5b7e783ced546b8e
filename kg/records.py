"""What the readers produce: plain frozen records, no RDF.

Every reader (PubMed XML, MEDLINE text, PubMed page text, the project's JSON records) yields
``Article`` values; the mapping turns them into quads. Fields a source does not give stay empty.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, fields, is_dataclass, replace
from typing import Any, TypeVar

#: How the readers write a superscript or subscript (PubMed XML's <sup>, <sub>) of the plain
#: characters ``SCRIPTABLE`` in a text field: "10⁻⁵", "CO₂" (text mining reads them back).
SCRIPTABLE = "0123456789+-=()"
SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾"
SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎"
#: Each of those scripts → its plain character, as text mining and the search read them.
PLAIN_OF_SCRIPT = dict(zip(SUPERSCRIPTS + SUBSCRIPTS, SCRIPTABLE * 2, strict=True))


@dataclass(frozen=True)
class Author:
    """One author in byline order; ``collective`` is set for group authors instead of names;
    ``suffix`` is a generational one such as "Jr" or "3rd" (PubMed XML's ``Suffix``);
    ``equal_contribution``: the byline says this author contributed equally with the others
    so marked (PubMed XML's ``EqualContrib="Y"``), a fact of this article's byline."""

    family: str = ""
    given: str = ""
    initials: str = ""
    collective: str = ""
    orcid: str = ""
    affiliations: tuple[str, ...] = ()
    suffix: str = ""
    equal_contribution: bool = False


@dataclass(frozen=True)
class Journal:
    title: str = ""
    iso_abbrev: str = ""
    issn: str = ""
    eissn: str = ""
    nlm_id: str = ""


@dataclass(frozen=True)
class Qualifier:
    label: str
    ui: str = ""
    major: bool = False


@dataclass(frozen=True)
class MeshHeading:
    descriptor_label: str
    descriptor_ui: str = ""
    major: bool = False
    qualifiers: tuple[Qualifier, ...] = ()
    #: PubMed XML's ``DescriptorName Type="Geographic"`` (records since its 2023 DTD)
    geographic: bool = False


@dataclass(frozen=True)
class PublicationType:
    label: str
    ui: str = ""


@dataclass(frozen=True)
class Substance:
    name: str
    ui: str = ""
    registry_number: str = ""


@dataclass(frozen=True)
class SupplementaryConcept:
    """A MeSH supplementary concept record indexing the article (PubMed XML's SupplMeshName):
    ``kind`` is its Type, such as "Disease", "Organism" or "Protocol"."""

    name: str
    ui: str = ""
    kind: str = ""


@dataclass(frozen=True)
class Accession:
    """An accession number in a data bank the article's data are in or that registers it
    (PubMed XML's DataBankList): "ClinicalTrials.gov" and "NCT02149199", "PDB" and "4CIM"."""

    bank: str
    number: str


@dataclass(frozen=True)
class Grant:
    grant_id: str = ""
    agency: str = ""
    country: str = ""


@dataclass(frozen=True)
class Reference:
    """A cited work; ``pmid`` or ``doi`` when the reference list gives them."""

    citation: str = ""
    pmid: str = ""
    doi: str = ""
    pmcid: str = ""


@dataclass(frozen=True)
class CommentCorrection:
    """PubMed's CommentsCorrections entry, e.g. ``RetractionIn`` with the notice's PMID."""

    ref_type: str
    pmid: str = ""
    note: str = ""


#: The categories NLM gives a section of a structured abstract (PubMed XML's ``NlmCategory``,
#: as its DTD lists them): the only ones a finding names (the shapes' ``sh:in``).
NLM_CATEGORIES = frozenset({"BACKGROUND", "OBJECTIVE", "METHODS", "RESULTS", "CONCLUSIONS",
                            "UNASSIGNED"})


@dataclass(frozen=True)
class AbstractSection:
    text: str
    label: str = ""
    #: NLM's category of a labelled section (PubMed XML's ``NlmCategory``: BACKGROUND,
    #: OBJECTIVE, METHODS, RESULTS, CONCLUSIONS or UNASSIGNED); MEDLINE text gives none
    category: str = ""


#: The label PubMed gives a paragraph of a structured abstract that its authors did not label
#: (PubMed XML's ``Label="UNLABELLED"``, before the labelled sections of 2010s records): its
#: own placeholder, which its site shows no heading for. The readers read it as no label.
UNLABELLED = "UNLABELLED"


def section_label(label: str) -> str:
    """A section's label as its record gives it, or none for PubMed's ``UNLABELLED``."""
    return "" if label == UNLABELLED else label


def sections_text(sections: tuple[AbstractSection, ...]) -> str:
    """An abstract's sections as one text, each labelled one as ``LABEL: text``, a line each."""
    return "\n".join(map(section_line, sections))


def section_line(section: AbstractSection) -> str:
    """A section's line of ``sections_text``."""
    return f"{section.label}: {section.text}" if section.label else section.text


@dataclass(frozen=True)
class OtherAbstract:
    """An abstract beside the article's own: the publisher's in another language, or one of
    another kind (PubMed XML's OtherAbstract; MEDLINE's OAB with its OABL)."""

    sections: tuple[AbstractSection, ...]
    #: Its language as PubMed gives it, an ISO 639-2 code ("pol", "fre"): "eng" when the
    #: element names none (the DTD's default), "" when the record does not say which it is.
    language: str = "eng"
    #: Its kind, PubMed's Type: who supplied it ("Publisher", or an indexing partner of
    #: ``OTHER_ABSTRACT_TYPES``), or ``PLAIN_LANGUAGE_SUMMARY``; "" when not known.
    kind: str = ""

    @property
    def text(self) -> str:
        return sections_text(self.sections)

    @property
    def only_a_pointer(self) -> bool:
        """Whether it holds no abstract, only PubMed's pointer to the publisher's ("Abstract
        available from the publisher.", in English whatever its Language says)."""
        return self.text.strip().rstrip(".").casefold() == _PUBLISHER_ONLY


#: The Type of a summary for readers who are not specialists: not an abstract of the article.
PLAIN_LANGUAGE_SUMMARY = "plain-language-summary"
#: The Types of PubMed's OtherAbstract (the DTD's list): the publisher's, an NLM indexing
#: partner's (AAMC, AIDS, KIE, PIP, NASA) and a plain-language summary. MEDLINE text writes
#: the Type before the OAB text: "OAB - Publisher: …".
OTHER_ABSTRACT_TYPES = ("Publisher", PLAIN_LANGUAGE_SUMMARY, "AAMC", "AIDS", "KIE", "PIP",
                        "NASA")


#: The text PubMed gives an OtherAbstract it does not hold (all 21 of
#: ../shared/data/pubmed's Polish and French ones), compared without case or final stop.
_PUBLISHER_ONLY = "abstract available from the publisher"


@dataclass(frozen=True)
class Provenance:
    """Where a record came from: a file and position, or the pages its facts were read on."""

    file: str = ""
    position: str = ""
    urls: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Article:
    pmid: str = ""
    pmcid: str = ""
    doi: str = ""
    version: int = 1
    title: str = ""
    #: The title in the article's own language, where the title is an English translation
    #: (PubMed XML's VernacularTitle beside an ArticleTitle).
    vernacular_title: str = ""
    abstract: tuple[AbstractSection, ...] = ()
    other_abstracts: tuple[OtherAbstract, ...] = ()
    #: The language of the article's text as PubMed gives it, an ISO 639-2 code ("eng", "pol"),
    #: and those after it where the article is in several (PubMed XML's Language elements,
    #: MEDLINE's LA lines, in order).
    language: str = ""
    other_languages: tuple[str, ...] = ()
    journal: Journal | None = None
    volume: str = ""
    issue: str = ""
    pages: str = ""
    #: ISO date, possibly partial: "2023", "2023-07" or "2023-07-17".
    pub_date: str = ""
    epub_date: str = ""
    revised_date: str = ""
    #: When the journal received the manuscript and accepted it (PubMed's History, PubStatus
    #: "received" and "accepted"; MEDLINE's PHST lines).
    received_date: str = ""
    accepted_date: str = ""
    authors: tuple[Author, ...] = ()
    #: The investigators PubMed lists beside the byline: the members of a study group or
    #: consortium that is one of the authors (PubMed XML's InvestigatorList), in its order.
    investigators: tuple[Author, ...] = ()
    publication_types: tuple[PublicationType, ...] = ()
    #: The article types the publisher's page gives ("Review", "Research Article"): the curated
    #: articles known without a PubMed record, whose publication types are not known.
    article_types: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    substances: tuple[Substance, ...] = ()
    mesh_headings: tuple[MeshHeading, ...] = ()
    supplementary_concepts: tuple[SupplementaryConcept, ...] = ()
    accessions: tuple[Accession, ...] = ()
    #: The authors' statement of their conflicts of interest (CoiStatement, a page's section).
    coi_statement: str = ""
    #: The abstract's copyright notice ("Copyright © 2023 Zhang, Wang …", "CC BY-NC-ND").
    copyright: str = ""
    grants: tuple[Grant, ...] = ()
    references: tuple[Reference, ...] = ()
    similar_pmids: tuple[str, ...] = ()
    cited_by_pmids: tuple[str, ...] = ()
    #: Whether the record gives PubMed's lists of similar and citing articles (ELink's, as
    #: ``evkg fetch`` writes them; a saved page's): then empty lists say there are none. A
    #: record without them (PubMed XML and MEDLINE carry none) that replaces an article keeps
    #: the graph's links of it, which only the next fetch of it renews.
    links_given: bool = False
    #: A record of what a saved PubMed page shows (no authors' initials, journal details nor
    #: revision date): it adds an article, or replaces one known so too, but never a PubMed
    #: record (one with a revision date) the graph holds.
    from_page: bool = False
    comments_corrections: tuple[CommentCorrection, ...] = ()
    #: Article identifiers besides PMID, DOI and PMCID, as ``kind:value`` (``pii:S0304…``,
    #: ``mid:NIHMS…``): PubMed's ArticleIdList, MEDLINE's AID.
    other_ids: tuple[str, ...] = ()
    retracted: bool = False
    #: How NLM chose the article's MeSH headings, as PubMed XML's MedlineCitation
    #: ``IndexingMethod`` says: "Automated" (NLM's algorithm alone), "Curated" (the algorithm's
    #: headings reviewed by an indexer), "Manual" (an indexer); "" when the record does not say
    #: (MEDLINE text has no line for it, and files before 2018 no attribute).
    mesh_indexing_method: str = ""
    #: The record's status in NLM's indexing, PubMed XML's MedlineCitation ``Status`` and
    #: MEDLINE's STAT: "MEDLINE" (indexing done), "In-Process", "In-Data-Review",
    #: "PubMed-not-MEDLINE" (never to be indexed with MeSH), "Publisher" …
    citation_status: str = ""
    is_book: bool = False
    #: A partial record (an entry in another article's list of similar or citing articles):
    #: it adds an article the graph lacks but never replaces a full record.
    partial: bool = False
    provenance: Provenance = field(default_factory=Provenance)

    @property
    def key(self) -> str:
        """The identifier the graph knows the article by: PMID, else DOI (lower case), else
        PMCID (upper case), the cases its IRI has."""
        return self.pmid or (f"doi:{self.doi.lower()}" if self.doi else "") or (
            f"pmc:{self.pmcid.upper()}" if self.pmcid else ""
        )

    @property
    def abstract_text(self) -> str:
        return sections_text(self.abstract)


#: What ``term(role, ui, name)`` of ``with_mesh_terms`` gives: the term's (UI, name).
MeshTerm = Callable[[str, str, str], tuple[str, str]]


def with_mesh_terms(article: Article, term: MeshTerm) -> Article:
    """``article`` with each MeSH term it names, (UI, name) with either possibly empty, as
    ``term`` gives it from its role ("descriptor", "qualifier", "publication type",
    "substance" or "supplementary concept"), its UI and its name; retracted if a publication
    type it names only now (by its UI alone before) is "Retracted Publication"."""
    def qualifier(q: Qualifier) -> Qualifier:
        ui, label = term("qualifier", q.ui, q.label)
        return Qualifier(label=label, ui=ui, major=q.major)

    def heading(h: MeshHeading) -> MeshHeading:
        ui, label = term("descriptor", h.descriptor_ui, h.descriptor_label)
        return MeshHeading(descriptor_label=label, descriptor_ui=ui, major=h.major,
                           qualifiers=tuple(map(qualifier, h.qualifiers)))

    def publication_type(p: PublicationType) -> PublicationType:
        ui, label = term("publication type", p.ui, p.label)
        return PublicationType(label=label, ui=ui)

    def substance(s: Substance) -> Substance:
        ui, name = term("substance", s.ui, s.name)
        return Substance(name=name, ui=ui, registry_number=s.registry_number)

    def concept(c: SupplementaryConcept) -> SupplementaryConcept:
        ui, name = term("supplementary concept", c.ui, c.name)
        return SupplementaryConcept(name=name, ui=ui, kind=c.kind)

    types = tuple(map(publication_type, article.publication_types))
    # the readers tell a retraction from the type's name, which a type given by its UI alone
    # ("D016441") only has now (a name the record gave stays as the reader took it)
    named = tuple(p for p, given in zip(types, article.publication_types, strict=True)
                  if not given.label)
    return replace(article, mesh_headings=tuple(map(heading, article.mesh_headings)),
                   publication_types=types, retracted=article.retracted or is_retracted(named),
                   substances=tuple(map(substance, article.substances)),
                   supplementary_concepts=tuple(map(concept, article.supplementary_concepts)))


#: The identifier kinds ``Article`` has fields for (the others go to ``other_ids``).
_NAMED_IDS = frozenset({"pubmed", "doi", "pmc"})


#: The publication type PubMed gives a retracted article.
RETRACTED_TYPE = "Retracted Publication"


def is_retracted(types: tuple[PublicationType, ...],
                 comments: tuple[CommentCorrection, ...] = ()) -> bool:
    """Whether a record says its article was retracted: the publication type "Retracted
    Publication", or a "RetractionIn" comment naming the notice."""
    return (any(t.label == RETRACTED_TYPE for t in types)
            or any(c.ref_type == "RetractionIn" for c in comments))


def other_ids(ids: dict[str, str]) -> tuple[str, ...]:
    """``Article.other_ids`` from identifiers by kind (``{"pii": "S0304…", "doi": …}``)."""
    return tuple(f"{kind}:{value}" for kind, value in ids.items()
                 if kind not in _NAMED_IDS and value)


#: What a publisher may write before a DOI: a resolver's address, or "doi:".
_DOI_PREFIX = re.compile(r"(?:(?:https?://)?(?:dx\.)?doi\.org/|doi:\s*)(?=10\.)", re.I)
_ISSN = re.compile(r"(\d{4})-?(\d{3}[\dX])")


def is_doi(text: str) -> bool:
    """Whether ``text`` is a DOI as the shapes take one: its directory indicator, "10.", first."""
    return text.startswith("10.")


def doi_in(text: str) -> str:
    """The DOI ``text`` names, written as a link ("https://doi.org/10.…") or after "doi:"
    ("doi: 10.…") too (such a DOI failed the whole build in validation); anything else as it
    is (a DOI that is none, such as a pii, is quarantined by the mapping). Every reader's
    DOIs go through it (MEDLINE text's AID lines quarantined such a record until 5 Dec)."""
    return text if is_doi(text) else _DOI_PREFIX.sub("", text, count=1)


def issn_in(text: str) -> str:
    """An ISSN as NNNN-NNNC, its check character "x" or its hyphen as a publisher wrote it
    ("1111-222x", "33334444": such a record failed the whole build in validation); anything
    else as it is (the mapping quarantines the record)."""
    found = _ISSN.fullmatch(text.upper())
    return "-".join(found.groups()) if found else text


@dataclass(frozen=True)
class Deletion:
    """A PubMed ``DeleteCitation`` entry: the PMID is to be removed from the graph; with a
    ``version`` (its ``Version`` attribute), only that version of it."""

    pmid: str
    provenance: Provenance = field(default_factory=Provenance)
    version: int | None = None


#: An Article or a Deletion, as ``as_loaded`` gives back the type it is given.
Loaded = TypeVar("Loaded", bound="Article | Deletion")


def as_loaded(record: Loaded) -> Loaded:
    """``record`` with its PMID as the graph knows it, without leading zeros: "0011748933" is
    PMID 11748933, not a new article."""
    if not record.pmid.startswith("0"):
        return record
    return replace(record, pmid=record.pmid.lstrip("0") or record.pmid)


@dataclass(frozen=True)
class Rejected:
    """A record a reader could not take, with the reason; it goes to the quarantine report."""

    reason: str
    provenance: Provenance = field(default_factory=Provenance)
    pmid: str = ""
    title: str = ""
    #: How many records of the file the entry stands for: 1 for a record; every record of a
    #: file refused whole, when they were counted; None when the file could not be read on
    #: from here (cut short, corrupt, no reader takes it) and how many records it lost is not
    #: known: ``--max-errors`` then holds the release back whatever its number.
    records: int | None = 1


#: The characters XML 1.0 cannot carry: the C0 controls but tab, line feed and carriage
#: return, and U+FFFE, U+FFFF. PubMed XML cannot hold one; MEDLINE text, JSON lines and a
#: saved page can.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def unfit_for_xml(value: object, name: str = "") -> str:
    """Where ``value`` (a record, its fields, tuples of them) holds a character of ``NOT_XML``
    ("its title holds U+000B at character 11: 'A vertical\\x0btab.'"), else "". Its provenance
    is the reader's, not the record's text."""
    if isinstance(value, str):
        bad = NOT_XML.search(value)
        return "" if bad is None else (
            f"its {name} holds U+{ord(bad.group()):04X} at character {bad.start() + 1}: "
            f"{value[max(0, bad.start() - 40):bad.end() + 20]!r}")
    if isinstance(value, tuple):
        return next((found for item in value if (found := unfit_for_xml(item, name))), "")
    if is_dataclass(value):
        return next((found for part in fields(value) if part.name != "provenance"
                     and (found := unfit_for_xml(getattr(value, part.name),
                                                 f"{name} {part.name}".strip()))), "")
    return ""


def in_nfc(value: Any) -> Any:
    """``value`` (a record, its fields, tuples of them) with its text in Unicode's NFC, as RDF
    asks of literals and the PubMed XML reader gives it: a letter and a combining mark
    ("Nestle\u0301", as NLM's files write a few names) as the one letter, which is what a
    search types. Its provenance is left as the reader gave it."""
    if isinstance(value, str):
        return value if value.isascii() else unicodedata.normalize("NFC", value)
    if isinstance(value, tuple):
        return tuple(in_nfc(item) for item in value)
    if is_dataclass(value) and not isinstance(value, type):
        changed = {part.name: new for part in fields(value) if part.name != "provenance"
                   and (new := in_nfc(old := getattr(value, part.name))) != old}
        return replace(value, **changed) if changed else value
    return value
