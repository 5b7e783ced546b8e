"""PubMed XML → ``Article``, ``Deletion`` and ``Rejected`` records, one record in memory at a time.

Reads efetch output, baseline and update files (root ``PubmedArticleSet``: ``PubmedArticle``,
``PubmedBookArticle`` and ``DeleteCitation`` children) and the older baseline (root
``MedlineCitationSet``: ``MedlineCitation`` children), plain or gzip. A file with any other root is
read only when that root wraps ``PubmedArticle``/``PubmedBookArticle`` elements (the ``<RAW_DATA>``
of some exports); otherwise one ``Rejected`` names the root found.

The parser loads no DTD, resolves no entities and uses no network. A file whose internal DTD
subset declares entities is refused before parsing (XXE / entity expansion). Malformed XML or a
truncated gzip stream ends the file with one ``Rejected``; records already read stay yielded.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, cast

from lxml import etree

from kg.medline import iso_date, iso_from_text, normalise_orcid
from kg.records import (
    AbstractSection,
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
    Rejected,
    Substance,
)

Record = Article | Deletion | Rejected
Element = Any  # lxml.etree._Element; Any keeps the module checkable with or without lxml-stubs

KNOWN_ROOTS = ("PubmedArticleSet", "MedlineCitationSet")
#: Elements a wrapper root of another name may hold.
ARTICLE_TAGS = frozenset({"PubmedArticle", "PubmedBookArticle"})
RETRACTED_TYPE = "Retracted Publication"
_PROLOG_LIMIT = 1 << 20
_PROLOG_CHUNK = 1 << 12


# --- reading a file ----------------------------------------------------------------------------

def read_pubmed_xml(path: Path) -> Iterator[Record]:
    """Every record of a PubMed XML file (``.xml`` or ``.xml.gz``), in file order."""
    try:
        line = _internal_entity_line(path)
        if line is not None:
            yield _entities_rejected(path, line)
            return
        with _open(path) as handle:
            yield from _read_stream(path, handle)
    except etree.XMLSyntaxError as error:
        line, column = error.position if error.position else (error.lineno, 0)
        yield Rejected(reason=f"{path}: malformed XML at line {line}, column {column}: "
                              f"{error.msg}", provenance=Provenance(str(path), f"line {line}"))
    except (EOFError, zlib.error, gzip.BadGzipFile) as error:
        yield Rejected(reason=f"{path}: truncated or corrupt gzip data: {error}",
                       provenance=Provenance(file=str(path)))
    except OSError as error:
        yield Rejected(reason=f"{path}: cannot read the file: {error}",
                       provenance=Provenance(file=str(path)))


def _open(path: Path) -> IO[bytes]:
    if path.name.lower().endswith(".gz"):
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def _entities_rejected(path: Path, line: int) -> Rejected:
    return Rejected(reason=f"{path}: declares entities in an internal DTD subset (refused: XXE / "
                           "entity expansion); no record of the file was read",
                    provenance=Provenance(file=str(path), position=f"line {line}"))


def _read_stream(path: Path, handle: IO[bytes]) -> Iterator[Record]:
    """Walk the parse events; each child of the root is mapped, then freed with its siblings."""
    events = etree.iterparse(handle, events=("start", "end"), resolve_entities=False,
                             no_network=True, load_dtd=False, huge_tree=False,
                             dtd_validation=False)
    depth, count, wrapper = 0, 0, False
    root: Element = None
    for event, elem in events:
        if event == "start":
            depth += 1
            if depth == 1:
                root = elem
                if _dtd_entities(elem):
                    yield _entities_rejected(path, elem.sourceline or 1)
                    return
            elif depth == 2 and root.tag not in KNOWN_ROOTS and not wrapper:
                if elem.tag not in ARTICLE_TAGS:
                    yield _root_rejected(path, root)
                    return
                wrapper = True
            continue
        depth -= 1
        if depth == 1:
            count += 1
            yield from _record(path, elem, count, str(root.tag))
            elem.clear(keep_tail=False)
            while elem.getprevious() is not None:
                del elem.getparent()[0]
        elif depth == 0 and elem.tag not in KNOWN_ROOTS and not wrapper:
            yield _root_rejected(path, root)


def _root_rejected(path: Path, root: Element) -> Rejected:
    return Rejected(reason=f"{path}: root element <{root.tag}> is not PubmedArticleSet or "
                           "MedlineCitationSet (nor a wrapper of PubmedArticle elements)",
                    provenance=Provenance(file=str(path), position=f"line {root.sourceline}"))


def _dtd_entities(root: Element) -> bool:
    """Second line of defence: lxml's view of the internal subset, at the root start tag."""
    dtd = root.getroottree().docinfo.internalDTD
    return dtd is not None and any(True for _ in dtd.iterentities())


def _position(number: int, elem: Element) -> str:
    return f"record {number}, line {elem.sourceline}" if elem.sourceline else f"record {number}"


def _record(path: Path, elem: Element, number: int, root: str) -> Iterator[Record]:
    where = Provenance(file=str(path), position=_position(number, elem))
    tag = elem.tag
    if tag == "DeleteCitation":
        for pmid in elem.iter("PMID"):
            spot = Provenance(file=str(path), position=_position(number, pmid))
            yield (Deletion(pmid=_text(pmid), provenance=spot) if _text(pmid) else
                   Rejected(reason=f"{path}: DeleteCitation with an empty PMID", provenance=spot))
        return
    mapper = _MAPPERS.get(tag)
    if mapper is None:
        yield Rejected(reason=f"{path}: unexpected element <{tag}> in <{root}>", provenance=where)
        return
    pmid = _find(elem, "MedlineCitation/PMID") or _find(elem, "BookDocument/PMID") or _find(
        elem, "PMID")
    try:
        article = mapper(elem, where)
    except Exception as error:  # one bad record must not end the file
        yield Rejected(reason=f"{path}: {tag} could not be read: {type(error).__name__}: {error}",
                       provenance=where, pmid=pmid)
        return
    if not article.pmid:
        yield Rejected(reason=f"{path}: {tag} has no PMID", provenance=where, title=article.title)
        return
    yield article


# --- the prolog check --------------------------------------------------------------------------

#: What may stand before the root start tag; quoted literals, comments and PIs are skipped whole.
_PROLOG_TOKEN = re.compile(rb"<\?.*?(?:\?>|\Z)|<!--.*?(?:-->|\Z)|\"[^\"]*(?:\"|\Z)|'[^']*(?:'|\Z)"
                           rb"|<!ENTITY|<[A-Za-z_:\x80-\xff]", re.S)


def _internal_entity_line(path: Path) -> int | None:
    """The line of an ``<!ENTITY`` declaration before the root start tag, else ``None``.

    Entities can only be declared in the DOCTYPE's internal subset, so the bytes up to the root
    start tag (at most 1 MiB) are scanned for ``<!ENTITY`` outside literals and comments.
    """
    data = b""
    with _open(path) as handle:
        while len(data) < _PROLOG_LIMIT and (chunk := handle.read(_PROLOG_CHUNK)):
            data += chunk
            done, offset = _scan_prolog(data)
            if done:
                return None if offset is None else data.count(b"\n", 0, offset) + 1
    return None


def _scan_prolog(data: bytes) -> tuple[bool, int | None]:
    """(decided, offset of an ``<!ENTITY``): decided at the root start tag or at an entity."""
    for token in _PROLOG_TOKEN.finditer(data):
        if token.group() == b"<!ENTITY":
            return True, token.start()
        if token.group()[:1] == b"<" and token.group()[1:2] not in (b"?", b"!"):
            return True, None
    return False, None


# --- mapping one record ------------------------------------------------------------------------

def _text(elem: Element | None) -> str:
    """All text inside ``elem`` (inline markup such as <i> dropped), whitespace collapsed."""
    if elem is None:
        return ""
    return " ".join("".join(str(t) for t in elem.itertext()).split())


def _attr(elem: Element | None, name: str, default: str = "") -> str:
    return default if elem is None else str(elem.get(name, default))


def _find(elem: Element | None, path: str) -> str:
    return "" if elem is None else _text(elem.find(path))


def _all(elem: Element | None, path: str) -> list[Element]:
    return [] if elem is None else list(elem.findall(path))


def _date(elem: Element | None) -> str:
    if elem is None:
        return ""
    medline = _find(elem, "MedlineDate")
    if medline:
        return iso_from_text(medline)
    return iso_date(_find(elem, "Year"), _find(elem, "Month"), _find(elem, "Day"))


def _ids(*lists: Element | None) -> dict[str, str]:
    """ArticleId values by IdType (first of each type wins)."""
    found: dict[str, str] = {}
    for id_list in lists:
        for item in _all(id_list, "ArticleId"):
            found.setdefault(str(item.get("IdType", "")).lower(), _text(item))
    return found


def _doi_fallback(*elems: Element | None) -> str:
    """The DOI an ELocationID gives (files without PubmedData, books)."""
    return next((_text(loc) for elem in elems for loc in _all(elem, "ELocationID")
                 if _attr(loc, "EIdType") == "doi" and _text(loc)), "")


def _pmc_fallback(citation: Element) -> str:
    """The PMCID of an old-style ``OtherID Source="NLM"`` ("PMC4691237 [Available on ...]")."""
    found = (re.match(r"PMC\d+", _text(other)) for other in _all(citation, "OtherID"))
    return next((match.group() for match in found if match), "")


def _version(pmid: Element | None) -> int:
    value = "" if pmid is None else str(pmid.get("Version", "1"))
    return int(value) if value.isdigit() else 1


def _journal(article: Element, info: Element | None) -> Journal | None:
    journal = article.find("Journal")
    issns = {_attr(i, "IssnType", "Print"): _text(i) for i in _all(journal, "ISSN")}
    found = Journal(title=_find(journal, "Title"), iso_abbrev=_find(journal, "ISOAbbreviation"),
                    issn=issns.get("Print", ""), eissn=issns.get("Electronic", ""),
                    nlm_id=_find(info, "NlmUniqueID"))
    return None if found == Journal() else found


def _pages(article: Element) -> str:
    pagination = article.find("Pagination")
    medline = _find(pagination, "MedlinePgn")
    if medline or pagination is None:
        return medline
    return "-".join(p for p in (_find(pagination, "StartPage"), _find(pagination, "EndPage")) if p)


def _authors(parent: Element | None) -> tuple[Author, ...]:
    """Authors in byline order, from every AuthorList under ``parent`` except editor lists."""
    authors = []
    for author_list in _all(parent, "AuthorList"):
        if author_list.get("Type") == "editors":
            continue
        for author in _all(author_list, "Author"):
            if author.get("ValidYN") == "N":  # PubMed's marker for a withdrawn name
                continue
            orcids = [_text(i) for i in _all(author, "Identifier") if _attr(i, "Source") == "ORCID"]
            affiliations = _all(author, "AffiliationInfo/Affiliation") + _all(author, "Affiliation")
            authors.append(Author(
                family=_find(author, "LastName"), given=_find(author, "ForeName"),
                initials=_find(author, "Initials"), collective=_find(author, "CollectiveName"),
                orcid=normalise_orcid(orcids[0]) if orcids else "",
                affiliations=tuple(t for t in map(_text, affiliations) if t)))
    return tuple(authors)


def _abstract(parent: Element | None) -> tuple[AbstractSection, ...]:
    return tuple(AbstractSection(text=_text(t), label=str(t.get("Label", "")))
                 for t in _all(parent, "Abstract/AbstractText") if _text(t))


def _publication_types(elems: list[Element]) -> tuple[PublicationType, ...]:
    return tuple(PublicationType(label=_text(p), ui=str(p.get("UI", ""))) for p in elems)


def _grants(parent: Element | None) -> tuple[Grant, ...]:
    return tuple(Grant(grant_id=_find(g, "GrantID"), agency=_find(g, "Agency"),
                       country=_find(g, "Country")) for g in _all(parent, "GrantList/Grant"))


def _keywords(parent: Element | None) -> tuple[str, ...]:
    return tuple(k for k in map(_text, _all(parent, "KeywordList/Keyword")) if k)


def _substances(citation: Element) -> tuple[Substance, ...]:
    return tuple(Substance(name=_find(c, "NameOfSubstance"),
                           ui=_attr(c.find("NameOfSubstance"), "UI"),
                           registry_number=_find(c, "RegistryNumber"))
                 for c in _all(citation, "ChemicalList/Chemical"))


def _mesh(citation: Element) -> tuple[MeshHeading, ...]:
    headings = []
    for heading in _all(citation, "MeshHeadingList/MeshHeading"):
        descriptor = heading.find("DescriptorName")
        qualifiers = tuple(Qualifier(label=_text(q), ui=str(q.get("UI", "")),
                                     major=q.get("MajorTopicYN") == "Y")
                           for q in _all(heading, "QualifierName"))
        headings.append(MeshHeading(
            descriptor_label=_text(descriptor),
            descriptor_ui="" if descriptor is None else str(descriptor.get("UI", "")),
            major=descriptor is not None and descriptor.get("MajorTopicYN") == "Y",
            qualifiers=qualifiers))
    return tuple(headings)


def _references(record: Element) -> tuple[Reference, ...]:
    references = []
    for ref in record.iter("Reference"):
        ids = _ids(ref.find("ArticleIdList"))
        references.append(Reference(citation=_find(ref, "Citation"), pmid=ids.get("pubmed", ""),
                                    doi=ids.get("doi", ""), pmcid=ids.get("pmc", "")))
    return tuple(references)


def _comments(citation: Element) -> tuple[CommentCorrection, ...]:
    return tuple(CommentCorrection(ref_type=str(c.get("RefType", "")), pmid=_find(c, "PMID"),
                                   note=_find(c, "RefSource"))
                 for c in _all(citation, "CommentsCorrectionsList/CommentsCorrections"))


def _citation_article(citation: Element | None, record: Element, where: Provenance) -> Article:
    """A MedlineCitation (with the PubmedData beside it in ``record``, if any) as an Article."""
    if citation is None or citation.find("Article") is None:
        raise ValueError("no MedlineCitation/Article element")
    article = citation.find("Article")
    issue = article.find("Journal/JournalIssue")
    ids = _ids(record.find("PubmedData/ArticleIdList"))
    types = _publication_types(_all(article, "PublicationTypeList/PublicationType"))
    comments = _comments(citation)
    electronic = [d for d in _all(article, "ArticleDate") if d.get("DateType") == "Electronic"]
    return Article(
        pmid=_find(citation, "PMID"), version=_version(citation.find("PMID")),
        pmcid=ids.get("pmc") or _pmc_fallback(citation),
        doi=ids.get("doi") or _doi_fallback(article),
        title=_find(article, "ArticleTitle"), abstract=_abstract(article),
        language=_find(article, "Language"),
        journal=_journal(article, citation.find("MedlineJournalInfo")),
        volume=_find(issue, "Volume"), issue=_find(issue, "Issue"), pages=_pages(article),
        pub_date=_date(None if issue is None else issue.find("PubDate")),
        epub_date=_date(electronic[0]) if electronic else "",
        revised_date=_date(citation.find("DateRevised")),
        authors=_authors(article), publication_types=types, keywords=_keywords(citation),
        substances=_substances(citation), mesh_headings=_mesh(citation),
        grants=_grants(article), references=_references(record),
        comments_corrections=comments,
        retracted=(any(t.label == RETRACTED_TYPE for t in types)
                   or any(c.ref_type == "RetractionIn" for c in comments)),
        provenance=where)


def _book_article(elem: Element, where: Provenance) -> Article:
    """A PubmedBookArticle (a book or chapter on the NCBI Bookshelf) as an ``is_book`` Article.

    The book's title (for a chapter) and publisher go to provenance notes: Article has no field.
    """
    doc = elem.find("BookDocument")
    if doc is None:
        raise ValueError("PubmedBookArticle has no BookDocument element")
    book = doc.find("Book")
    ids = _ids(doc.find("ArticleIdList"), elem.find("PubmedBookData/ArticleIdList"))
    title, book_title = _find(doc, "ArticleTitle"), _find(book, "BookTitle")
    publisher = ", ".join(p for p in (_find(book, "Publisher/PublisherName"),
                                      _find(book, "Publisher/PublisherLocation")) if p)
    notes = ((f"book: {book_title}",) if title and book_title else ()) + (
        (f"publisher: {publisher}",) if publisher else ())
    types = _publication_types(_all(doc, "PublicationType"))
    return Article(
        pmid=_find(doc, "PMID"), version=_version(doc.find("PMID")), pmcid=ids.get("pmc", ""),
        doi=ids.get("doi") or _doi_fallback(doc, book), title=title or book_title,
        abstract=_abstract(doc), language=_find(doc, "Language"),
        pub_date=_date(None if book is None else book.find("PubDate")),
        revised_date=_date(doc.find("DateRevised")), authors=_authors(doc),
        publication_types=types, keywords=_keywords(doc), grants=_grants(doc),
        references=_references(elem), retracted=any(t.label == RETRACTED_TYPE for t in types),
        is_book=True, provenance=Provenance(file=where.file, position=where.position,
                                            notes=notes))


_MAPPERS: dict[str, Callable[[Element, Provenance], Article]] = {
    "PubmedArticle": lambda e, where: _citation_article(e.find("MedlineCitation"), e, where),
    "MedlineCitation": lambda e, where: _citation_article(e, e, where),
    "PubmedBookArticle": _book_article}
