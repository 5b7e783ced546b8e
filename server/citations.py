"""An article's bibliographic record, read from the graph, and its BibTeX, RIS and CSL-JSON."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode

from kg import iris
from kg.articles import full_page_range, language_tag, page_range
from kg.namespaces import BIBO, DCTERMS, EVKG, FABIO, FOAF, RDF, SCHEMA
from server.description import Description


@dataclass(frozen=True)
class Person:
    name: str
    family: str = ""
    given: str = ""
    iri: str = ""
    same_as: tuple[str, ...] = ()
    organization: bool = False  # a group author (PubMed's CollectiveName): foaf:Organization
    suffix: str = ""  # "Jr", "3rd": PubMed's Suffix, which the graph keeps in foaf:name alone


@dataclass
class ArticleRecord:
    iri: str
    title: str = ""
    authors: list[Person] = field(default_factory=list)
    journal: str = ""
    journal_iri: str = ""
    journal_abbreviation: str = ""
    issn: list[str] = field(default_factory=list)
    issued: str = ""  # ISO date, year-month or year, as the graph has it
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    pmid: str = ""
    pmcid: str = ""
    keywords: list[str] = field(default_factory=list)
    same_as: list[str] = field(default_factory=list)
    abstract: str = ""  # the one without a language tag (others are the publisher's, beside it)
    language: str = ""  # BCP 47 ("en", "it"), from PubMed's ISO 639-2 code
    #: "article", or for a PubmedBookArticle (fabio:BookChapter) "chapter" (of the book
    #: ``container``) or, a whole book's record (no book named apart from its title), "book"
    kind: str = "article"
    container: str = ""
    publisher: str = ""
    #: "Retracted …" for a retracted article (``evkg:retracted``), naming the notice if known.
    retraction: str = ""

    @property
    def year(self) -> str:
        return self.issued[:4]


def _text(d: Description, subject: str, predicate: NamedNode) -> str:
    values = d.facts.get(subject, {}).get(predicate.value, [])
    return values[0].value if values else ""


def _person(d: Description, iri: str) -> Person:
    family = _text(d, iri, FOAF.familyName)
    given = _text(d, iri, FOAF.givenName)
    initials = _text(d, iri, EVKG.initials)
    # the name as the mapping writes it, "given (or initials) family suffix": what follows
    lead = " ".join(part for part in (given or initials, family) if part)
    if not given and initials:
        given = " ".join(f"{c}." for c in initials if c.isalpha())
    same_as = tuple(sorted(o.value for o in d.facts.get(iri, {}).get(SCHEMA.sameAs.value, [])))
    organization = any(o.value == FOAF.Organization.value
                       for o in d.facts.get(iri, {}).get(RDF.type.value, []))
    name = _text(d, iri, FOAF.name) or d.labels.get(iri, "")
    # is the suffix ("Paul A Bunn Jr"; "Choon How How" is no suffix but a family name)
    suffix = name[len(lead):].strip() if family and name.startswith(lead + " ") else ""
    return Person(name, family, given, iri, same_as, organization, suffix)


def listed_name(person: Person) -> str:
    """A person as reference lists and RIS name them: "Family, Given, Suffix"; a group by its
    name."""
    if not person.family:
        return person.name
    if person.suffix:
        return f"{person.family}, {person.given}, {person.suffix}"
    return f"{person.family}, {person.given}" if person.given else person.family


def _author_iris(d: Description) -> list[str]:
    subject = NamedNode(d.iri)
    for head in d.objects(subject, BIBO.authorList):
        ordered = [t.value for t in d.list_items(head) if isinstance(t, NamedNode)]
        if ordered:
            return ordered

    def position(iri: str) -> tuple[int, str]:
        tail = iri.rsplit("/", 1)[-1]
        return (int(tail) if tail.isdigit() else 1 << 30, iri)

    return sorted((o.value for o in d.objects(subject, DCTERMS.creator)
                   if isinstance(o, NamedNode)), key=position)


def article_record(d: Description) -> ArticleRecord:
    """The record of the article ``d`` describes (authors in order, journal named)."""
    subject = NamedNode(d.iri)

    def own(predicate: NamedNode) -> str:
        found = d.objects(subject, predicate)
        return found[0].value if found else ""

    journal = own(DCTERMS.isPartOf)
    issued = own(DCTERMS.issued) or own(FABIO.hasPublicationYear)
    # a book's title and publisher are kept only as provenance notes ("book: …", "publisher: …")
    notes = {key: value for key, _, value in (o.value.partition(": ") for o in d.objects(
        subject, EVKG.provenanceNote)) if key in ("book", "publisher")}
    kind = ("article" if FABIO.BookChapter.value not in d.type_iris
            else "chapter" if "book" in notes else "book")
    abstract = next((o.value for o in d.objects(subject, DCTERMS.abstract)
                     if isinstance(o, Literal) and not o.language), "")
    # the graph holds an article's languages unordered (PubMed's first is not told apart):
    # English when the article is in English, as the title cited (ArticleTitle) is, else the
    # first by code, so that every store gives one answer
    languages = [language_tag(code) for code in sorted(
        (o.value for o in d.objects(subject, DCTERMS.language)),
        key=lambda code: (code != "eng", code))]
    notices = sorted(o.value for o in d.objects(subject, EVKG.retractionNotice))
    retraction = ("Retracted" + "".join(f"; retraction notice: {n}" for n in notices)
                  if any(o.value == "true" for o in d.objects(subject, EVKG.retracted)) else "")
    return ArticleRecord(
        iri=d.iri, title=own(DCTERMS.title),
        authors=[_person(d, iri) for iri in _author_iris(d)],
        journal=(_text(d, journal, DCTERMS.title)
                 or _text(d, journal, FABIO.hasNLMJournalTitleAbbreviation)) if journal else "",
        journal_iri=journal,
        journal_abbreviation=_text(d, journal, FABIO.hasNLMJournalTitleAbbreviation) if journal else "",
        issn=[o.value for p in (BIBO.issn, BIBO.eissn)
              for o in d.facts.get(journal, {}).get(p.value, [])],
        issued=issued, volume=own(BIBO.volume), issue=own(BIBO.issue),
        pages=full_page_range(own(BIBO.pages)),
        doi=own(BIBO.doi), pmid=own(FABIO.hasPubMedId), pmcid=own(FABIO.hasPubMedCentralId),
        keywords=sorted(o.value for o in d.objects(subject, SCHEMA.keywords)),
        same_as=[url for url in (
            f"https://pubmed.ncbi.nlm.nih.gov/{own(FABIO.hasPubMedId)}/" if own(FABIO.hasPubMedId)
            else "",
            # the graph's own link (rdfs:seeAlso): "#", "<" and ">" of old DOIs percent-encoded
            iris.doi_url(own(BIBO.doi)).value if own(BIBO.doi) else "",
            f"https://pmc.ncbi.nlm.nih.gov/articles/{own(FABIO.hasPubMedCentralId)}/"
            if own(FABIO.hasPubMedCentralId) else "") if url],
        retraction=retraction, kind=kind, container=notes.get("book", ""),
        publisher=notes.get("publisher", ""), abstract=abstract,
        language=next((tag for tag in languages if tag != "und"), ""))


_BIBTEX_SPECIAL = re.compile(r"([{}%&$#_\\~^])")
#: Characters LaTeX reads as commands, written as the text commands that print them: a "~"
#: left as it is is a space ("~10 nm" cited as " 10 nm"), a "^" a math superscript outside
#: math (an error).
_BIBTEX_COMMANDS = {"\\": "\\textbackslash{}", "~": "\\textasciitilde{}", "^": "\\textasciicircum{}"}


def bibtex_escape(text: str) -> str:
    return _BIBTEX_SPECIAL.sub(lambda m: _BIBTEX_COMMANDS.get(m.group(1)) or "\\" + m.group(1),
                               text)


def bibtex_verbatim(text: str) -> str:
    """A value of a field biblatex reads verbatim (``doi``, ``url``): as it is, "_" and "%"
    too (escaped, "10.1007/978-1-0716-1024-4_8" was cited as "10.1007/978-1-0716-1024-4\\_8");
    only a brace, which would end the field, is percent-encoded, as in a URL."""
    return text.replace("{", "%7B").replace("}", "%7D")


def citation_key(record: ArticleRecord) -> str:
    """The article's BibTeX key and citation file name: ``pmid{pmid}``, else its DOI in ASCII
    letters and digits with a short hash of the whole DOI, as DOIs that differ only in other
    characters (an ü where another has an ñ) would share the letters and digits alone."""
    if record.pmid:
        return f"pmid{record.pmid}"
    if record.doi:
        digest = hashlib.sha256(record.doi.casefold().encode("utf-8")).hexdigest()[:8]
        return "-".join(("doi" + re.sub(r"[^0-9A-Za-z]+", "-", record.doi).strip("-"), digest))
    return "evkg" + re.sub(r"[^0-9A-Za-z]+", "-", record.iri.rsplit("/", 1)[-1])


#: Each kind of record (``ArticleRecord.kind``) as BibTeX, RIS and CSL name it.
BIBTEX_TYPES = {"article": "article", "chapter": "incollection", "book": "book"}
RIS_TYPES = {"article": "JOUR", "chapter": "CHAP", "book": "BOOK"}
CSL_TYPES = {"article": "article-journal", "chapter": "chapter", "book": "book"}


def _bibtex_family(family: str) -> str:
    """A family name for BibTeX's "Last, First", in braces when BibTeX would take words of it
    for a "von" part: it reads every word up to the last one in lower case as one ("Mendes de
    Leon" was cited as "Leon", "Mendes de" a particle). A name that starts with its particle
    ("de Hoon", "van der Ende-Kastelijn") stays as BibTeX names such names."""
    words = family.split()
    if (len(words) > 1 and not words[0][:1].islower()
            and any(word[:1].islower() for word in words[1:])):
        return "{" + bibtex_escape(family) + "}"
    return bibtex_escape(family)


def bibtex(record: ArticleRecord) -> str:
    """A BibTeX entry: ``@article``, or a book chapter's ``@incollection`` and a book's ``@book``."""
    names = []
    for person in record.authors:
        if person.family:
            # BibTeX's "Last, Jr, First": with a suffix the given name comes third
            parts = ((person.family, person.suffix, person.given) if person.suffix
                     else (person.family, person.given) if person.given else (person.family,))
            names.append(", ".join([_bibtex_family(parts[0]), *map(bibtex_escape, parts[1:])]))
        elif person.name:
            names.append("{" + bibtex_escape(person.name) + "}")
    fields = [
        ("author", " and ".join(names)),
        ("title", "{" + bibtex_escape(record.title) + "}" if record.title else ""),
        ("journal", bibtex_escape(record.journal)),
        ("booktitle", "{" + bibtex_escape(record.container) + "}" if record.container else ""),
        ("publisher", bibtex_escape(record.publisher)),
        ("year", record.year),
        ("volume", bibtex_escape(record.volume)),
        ("number", bibtex_escape(record.issue)),
        ("pages", bibtex_escape(record.pages.replace("-", "--"))),
        ("doi", bibtex_verbatim(record.doi)),
        ("pmid", record.pmid),
        ("url", bibtex_verbatim(record.iri)),
        ("note", bibtex_escape(record.retraction)),
        ("keywords", ", ".join(bibtex_escape(k) for k in record.keywords)),
        ("abstract", bibtex_escape(record.abstract)),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    kind = BIBTEX_TYPES[record.kind]
    return f"@{kind}{{{citation_key(record)},\n{body}\n}}\n"


def _date_parts(issued: str) -> list[int]:
    return [int(part) for part in re.findall(r"\d+", issued)[:3]]


def csl_json(record: ArticleRecord) -> str:
    """A CSL-JSON item (as a one-item array, the form citation managers import)."""
    item: dict[str, object] = {"id": citation_key(record), "type": CSL_TYPES[record.kind],
                               "URL": record.iri}
    optional: dict[str, object] = {
        "title": record.title,
        "container-title": record.journal or record.container, "publisher": record.publisher,
        "container-title-short": record.journal_abbreviation,
        "volume": record.volume, "issue": record.issue, "page": record.pages,
        "DOI": record.doi, "PMID": record.pmid, "PMCID": record.pmcid,
        "ISSN": record.issn[0] if record.issn else "",
        "note": record.retraction, "abstract": record.abstract, "language": record.language,
        "keyword": ", ".join(record.keywords),
    }
    if record.authors:
        optional["author"] = [
            {"family": p.family, "given": p.given, **({"suffix": p.suffix} if p.suffix else {})}
            if p.family else {"literal": p.name} for p in record.authors]
    if _date_parts(record.issued):
        optional["issued"] = {"date-parts": [_date_parts(record.issued)]}
    item.update({k: v for k, v in optional.items() if v})
    return json.dumps([item], indent=2, ensure_ascii=False)


def ris(record: ArticleRecord) -> str:
    """A RIS record (the tagged format EndNote, Zotero and Mendeley import), lines ending in CR LF
    as the format's specification writes them."""
    start, end = page_range(record.pages)
    parts = _date_parts(record.issued)
    date = "/".join(f"{n:02d}" for n in parts) + "/" if len(parts) > 1 else ""
    tags = [("TY", RIS_TYPES[record.kind]),
            *(("AU", listed_name(p)) for p in record.authors),
            ("TI", record.title), ("T2", record.journal or record.container),
            ("J2", record.journal_abbreviation), ("PB", record.publisher),
            ("PY", record.year), ("DA", date), ("VL", record.volume), ("IS", record.issue),
            ("SP", start), ("EP", end), *(("SN", issn) for issn in record.issn),
            ("DO", record.doi), ("AN", record.pmid), ("UR", record.iri),
            *(("KW", keyword) for keyword in record.keywords), ("N1", record.retraction),
            ("LA", record.language), ("AB", record.abstract)]
    lines = [f"{tag}  - {' '.join(value.split())}\r\n" for tag, value in tags if value.strip()]
    return "".join(lines) + "ER  - \r\n"


def highwire_tags(record: ArticleRecord) -> list[tuple[str, str]]:
    """The article's Highwire Press ``<meta name="citation_…">`` tags (name, content), which
    Google Scholar reads (its inclusion guidelines: "Google Scholar supports Highwire Press
    tags (e.g., citation_title)") and Zotero's and other reference managers' browser buttons
    save an article from (Zotero's "Embedded Metadata" translator: citation_author as
    "Family, Given", here "Family, Given, Suffix" as RIS names one with a suffix, which a
    reader splitting at the first comma still reads; citation_keywords split at ";",
    citation_pmid, citation_doi …). The date as Google's guidelines write it, year/month/day."""
    start, end = page_range(record.pages)
    tags = [("citation_title", record.title),
            *(("citation_author", listed_name(p)) for p in record.authors),
            ("citation_publication_date", "/".join(map(str, _date_parts(record.issued)))),
            ("citation_journal_title", record.journal),
            ("citation_journal_abbrev", record.journal_abbreviation),
            ("citation_volume", record.volume), ("citation_issue", record.issue),
            ("citation_firstpage", start), ("citation_lastpage", end),
            *(("citation_issn", issn) for issn in record.issn),
            ("citation_doi", record.doi), ("citation_pmid", record.pmid),
            ("citation_keywords", "; ".join(record.keywords))]
    return [(name, " ".join(value.split())) for name, value in tags if value.strip()]


#: The citation formats an article answers in (by ``Accept`` or ``?format=``, as DOI resolvers
#: negotiate them): media type → (file name extension, writer).
CITATION_TYPES: dict[str, tuple[str, Callable[[ArticleRecord], str]]] = {
    "application/x-bibtex": ("bib", bibtex),
    "application/x-research-info-systems": ("ris", ris),
    "application/vnd.citationstyles.csl+json": ("json", csl_json),
}
