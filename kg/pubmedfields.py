"""One PubMed XML record element → an ``Article``: every field of DESIGN.md a user would query.

:mod:`kg.pubmed` walks a file and hands each record element here (``MAPPERS``, by tag): a
``PubmedArticle`` (its ``MedlineCitation`` with the ``PubmedData`` beside it), a
``MedlineCitation`` of the older baseline, or a ``PubmedBookArticle``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from lxml import etree

from kg.medline import iso_date, iso_from_text, malformed_orcid_note, normalise_orcid
from kg.records import (
    SCRIPTABLE,
    SUBSCRIPTS,
    SUPERSCRIPTS,
    AbstractSection,
    Accession,
    Article,
    Author,
    CommentCorrection,
    Grant,
    Journal,
    MeshHeading,
    OtherAbstract,
    Provenance,
    PublicationType,
    Qualifier,
    Reference,
    Substance,
    SupplementaryConcept,
    doi_in,
    is_doi,
    is_retracted,
    issn_in,
    other_ids,
    section_label,
)

Element = Any  # lxml.etree._Element; Any keeps the module checkable with or without lxml-stubs


# The helpers walk children with lxml's C-level ``iterchildren(tag)`` rather than ``find(path)``
# (ElementPath, in Python), and take an element's own text directly when it has no children:
# the reader spends most of its time here, once per field of every record.


def element_text(elem: Element | None) -> str:
    """All text inside ``elem``, whitespace collapsed: inline markup such as <i> is read as its
    text, a <sup> or <sub> of digits, signs and brackets as Unicode's super- or subscripts
    (``_marked_up``), and a MathML formula as its tokens (``_formula``). In Unicode's NFC,
    as RDF asks of literals: NLM's files write a few names with a letter and a combining mark
    ("Nestle\u0301"), which a search typed as "Nestlé" did not find."""
    if elem is None:
        return ""
    text = _marked_up(elem) if len(elem) else elem.text
    if not text:
        return ""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())


#: Unicode's superscripts and subscripts of what a <sup> or <sub> may hold: "10<sup>-5</sup>"
#: and "km·h<sup>-1</sup>", read flat, were "10-5" (a subtraction) and "km·h-1" (a review's);
#: a minus sign (U+2212) is written as a hyphen-minus is.
_MINUS = SCRIPTABLE.index("-")
_SCRIPTS = {"sup": str.maketrans(SCRIPTABLE + "\u2212", SUPERSCRIPTS + SUPERSCRIPTS[_MINUS]),
            "sub": str.maketrans(SCRIPTABLE + "\u2212", SUBSCRIPTS + SUBSCRIPTS[_MINUS])}
#: The characters those tables write: a <sup> or <sub> is written with them when all of it is.
_SCRIPTED = {tag: frozenset(map(chr, table.values())) for tag, table in _SCRIPTS.items()}
_ENTITY = etree.Entity
#: Whitespace with a line break: a file's layout where a tool indented the inline markup.
_LAYOUT = re.compile(r"\s*\n\s*\Z")
#: A line break and the indentation after it, ending a text (a line break alone may be the
#: text's own: "the\n<i>BRCA1</i>\ngene" is hand-wrapped, not indented).
_INDENT = re.compile(r"\n[ \t]+\Z")


def _marked_up(elem: Element) -> str:
    """The text of ``elem`` and its descendants. A <sup> or <sub> whose every character has a
    super- or subscript is written with those ("SO<sub>4</sub><sup>2-</sup>" → "SO₄²⁻"),
    joined to what it follows even across a line break (a tool that indents the markup puts
    one before each: "CO\n  <sub>2</sub>" read "CO 2") unless it opens the word after it
    ("of\n<sup>18</sup>F-FDG"); any other ("p<sub>trend</sub>", "<sup>†</sup>") is
    its text; comments and processing instructions are none. A line break with one
    indentation both before and after inline markup is a tool's layout around it, and goes
    (the text's own spaces beside it stay): "Beyond \n  <i>phi</i>\n  X174" read "Beyond phi
    X174" for "Beyond phiX174", and "(CO\n  <sub>2</sub>\n  ) and" "(CO₂ ) and"."""
    parts = [elem.text or ""]
    layout = ""  # the layout around the markup just read, if it had one: markup right after
    for child in elem:  # it shares it ("NO\n  <sub>2</sub>\n  <sup>-</sup>\n  -N" is "NO₂⁻-N")
        tail = child.tail or ""
        if not isinstance(child.tag, str):
            layout = ""
            if child.tag is _ENTITY:  # as itertext gives it: "&name;"
                parts.append(child.text or "")
            parts.append(tail)
            continue
        before = _INDENT.search(parts[-1])
        indent = before.group() if before else "" if parts[-1] else layout
        layout = indent if indent and tail.startswith(indent) else ""
        if layout:
            if before:
                parts[-1] = parts[-1][:before.start()]
            tail = tail[len(layout):]
        inner = _formula(child) if child.tag == _MATH else _marked_up(child)
        table = _SCRIPTS.get(child.tag)
        shifted = inner.strip().translate(table) if table is not None else ""
        if shifted and _SCRIPTED[child.tag].issuperset(shifted):
            inner = shifted
            # a line break before a script that opens the next word ("with\n<sup>3</sup>H")
            # parts two words: it stays
            if not layout and not tail[:1].isalnum():
                parts[-1] = _LAYOUT.sub("", parts[-1])
        parts.extend((inner, tail))
    return "".join(parts)


#: MathML, whose formulas (``<mml:math>``) PubMed keeps in titles and abstracts.
_MATHML = "{http://www.w3.org/1998/Math/MathML}"
_MATH = _MATHML + "math"
_PRESCRIPTS = _MATHML + "mprescripts"
#: MathML's token elements: their text is the formula's (the whitespace between elements is
#: a file's layout, and a token's own is trimmed, as MathML renders it).
_TOKENS = frozenset(_MATHML + name for name in ("mi", "mn", "mo", "mtext", "ms"))
#: What a formula shows nothing of: an annotation repeats it (as TeX), the others are empty.
_UNSEEN = frozenset(_MATHML + name for name in ("annotation", "annotation-xml", "none",
                                                "mprescripts", "mphantom", "mspace"))
#: An accent <mover> puts over a letter, as the combining mark NLM's own text writes it
#: ("V̇" for V with a dot: medline16n0902.xml's "V̇A/Q̇").
_ACCENTS = {".": "\u0307", "˙": "\u0307", "\u0307": "\u0307", "¨": "\u0308", "¯": "\u0304",
            "‾": "\u0305", "^": "\u0302", "ˆ": "\u0302", "~": "\u0303", "˜": "\u0303",
            "→": "\u20d7"}


def _formula(elem: Element) -> str:
    """The text of a MathML element as PubMed's page shows the formula: its tokens, without
    the layout between them, a sub- or superscript of digits, signs and brackets written with
    Unicode's ("<msub><mi>O</mi><mn>2</mn></msub>" → "O₂"), prescripts before their base
    ("³He"), an accent over a letter as its combining mark ("V̇"). Read element by element,
    "<mmultiscripts><mi>He</mi><mprescripts/><none/><mn>3</mn></mmultiscripts>" was "He 3"."""
    if elem.tag in _TOKENS:
        text = "".join(elem.itertext())
        return text.strip() or text[:1]  # <mtext> </mtext> is a space
    if elem.tag in _UNSEEN:
        return ""
    children = [child for child in elem if isinstance(child.tag, str)]
    parts = [_formula(child) for child in children]
    name = elem.tag[len(_MATHML):] if elem.tag.startswith(_MATHML) else ""
    if name == "semantics":  # the formula, then annotations of it
        return parts[0] if parts else ""
    if name in ("msub", "msup") and len(parts) == 2:
        return parts[0] + _scripted(parts[1], name[1:])
    if name == "msubsup" and len(parts) == 3:
        return parts[0] + _scripted(parts[1], "sub") + _scripted(parts[2], "sup")
    if name == "mmultiscripts" and parts:  # base, (sub, sup)…, <mprescripts/>, (sub, sup)…
        tags = [child.tag for child in children]
        split = tags.index(_PRESCRIPTS) if _PRESCRIPTS in tags else len(parts)
        return _pairs(parts[split + 1:]) + parts[0] + _pairs(parts[1:split])
    if name == "mover" and len(parts) == 2 and parts[1] in _ACCENTS and len(parts[0]) == 1:
        return parts[0] + _ACCENTS[parts[1]]
    if name == "mfrac" and len(parts) == 2:
        return "/".join(parts)
    if name == "msqrt":
        return "√" + "".join(parts)
    if name == "mfenced":
        separator = str(elem.get("separators", ",")).strip()[:1]
        return (str(elem.get("open", "(")) + separator.join(parts)
                + str(elem.get("close", ")")))
    return "".join(parts)


def _pairs(scripts: list[str]) -> str:
    """Subscript and superscript pairs, one after the other."""
    return "".join(_scripted(sub, "sub") + _scripted(sup, "sup")
                   for sub, sup in zip(scripts[::2], scripts[1::2], strict=False))


def _scripted(text: str, tag: str) -> str:
    """``text`` as Unicode's super- or subscripts (``tag``: "sup" or "sub") when all of it has
    them, else as it is."""
    shifted = text.translate(_SCRIPTS[tag])
    return shifted if shifted and _SCRIPTED[tag].issuperset(shifted) else text


def _attr(elem: Element | None, name: str, default: str = "") -> str:
    return default if elem is None else str(elem.get(name, default))


def _child(elem: Element | None, tag: str) -> Element | None:
    """The first child of ``elem`` named ``tag``, else None."""
    if elem is not None:
        for child in elem.iterchildren(tag):
            return child
    return None


def _grandchild(elem: Element | None, tag: str, inner: str) -> Element | None:
    """The first ``inner`` child of any ``tag`` child (what ``find("tag/inner")`` finds)."""
    if elem is not None:
        for outer in elem.iterchildren(tag):
            for item in outer.iterchildren(inner):
                return item
    return None


def _find(elem: Element | None, tag: str) -> str:
    """The text of the first child named ``tag``."""
    return element_text(_child(elem, tag))


def _all(elem: Element | None, tag: str, inner: str = "") -> list[Element]:
    """The children named ``tag`` (with ``inner``: their children named ``inner``), in order."""
    if elem is None:
        return []
    if not inner:
        return list(elem.iterchildren(tag))
    return [item for outer in elem.iterchildren(tag) for item in outer.iterchildren(inner)]


def _later_texts(elem: Element, tag: str) -> tuple[str, ...]:
    """The texts of the children named ``tag`` after the first, those not empty, in order."""
    return tuple(text for child in _all(elem, tag)[1:] if (text := element_text(child)))


def _date(elem: Element | None) -> str:
    if elem is None:
        return ""
    parts = _first_children(elem)
    medline = element_text(parts.get("MedlineDate"))
    if medline:
        return iso_from_text(medline)
    return iso_date(element_text(parts.get("Year")), element_text(parts.get("Month")),
                    element_text(parts.get("Day")))


def _ids(*lists: Element | None) -> dict[str, str]:
    """ArticleId values by IdType (first of each type wins), a DOI as ``doi_in`` reads it; one
    without IdType is a PMID (the DTD's default, "pubmed")."""
    found: dict[str, str] = {}
    for id_list in lists:
        if id_list is None:
            continue
        for item in id_list.iterchildren("ArticleId"):
            kind = str(item.get("IdType", "pubmed")).lower()
            if kind not in found:
                found[kind] = doi_in(element_text(item)) if kind == "doi" else element_text(item)
    return found


def _location_ids(ids: dict[str, str], *elems: Element | None) -> dict[str, str]:
    """``ids`` with the kinds only an ELocationID gives ("pii": an article number such as
    "e0180707", for an article without pages), as MEDLINE text's LID lines come after its AID
    ones; the DOI is ``_doi_fallback``'s, and an ELocationID marked invalid (ValidYN="N") is
    left out."""
    for loc in (loc for elem in elems for loc in _all(elem, "ELocationID")):
        kind, value = _attr(loc, "EIdType").lower(), element_text(loc)
        if kind and kind != "doi" and value and loc.get("ValidYN") != "N":
            ids.setdefault(kind, value)
    return ids


def _manuscript_id(ids: dict[str, str], citation: Element) -> dict[str, str]:
    """``ids`` with the NIH manuscript id of an old-style ``OtherID Source="NLM"``
    ("NIHMS672708 [Available on ...]") as "mid", the kind PubmedData's ArticleIdList names it."""
    for other in _all(citation, "OtherID"):
        match = _NIHMS.match(element_text(other))
        if match and other.get("Source") == "NLM":
            ids.setdefault("mid", match.group())
    return ids


_NIHMS = re.compile(r"NIHMS\d+")


def _doi_fallback(*elems: Element | None) -> str:
    """The DOI an ELocationID gives (files without PubmedData, books), but one PubMed marks
    invalid (ValidYN="N": the publisher's DOI was wrong), as ``_location_ids`` leaves out."""
    return next((doi_in(element_text(loc)) for elem in elems for loc in _all(elem, "ELocationID")
                 if _attr(loc, "EIdType") == "doi" and loc.get("ValidYN") != "N"
                 and element_text(loc)), "")


_PMC = re.compile(r"PMC\d+")


def _pmc_fallback(citation: Element) -> str:
    """The PMCID of an old-style ``OtherID Source="NLM"`` ("PMC4691237 [Available on ...]")."""
    found = (_PMC.match(element_text(other)) for other in _all(citation, "OtherID"))
    return next((match.group() for match in found if match), "")


def pmid_version(pmid: Element | None) -> int:
    value = "1" if pmid is None else str(pmid.get("Version", "1")).strip()
    if value.isdigit() and value.isascii() and int(value) > 0:
        return int(value)
    raise ValueError(f"the PMID's Version {value!r} is not a version number (1, 2, …)")


def _journal(article: Element, info: Element | None) -> Journal | None:
    """The journal of a record. Its abbreviation is the ISOAbbreviation, else MedlineJournalInfo's
    MedlineTA (the DTD's required one, MEDLINE text's TA): a record whose Journal had neither
    Title nor ISOAbbreviation, which the DTD allows, was quarantined with its journal unnamed."""
    journal = _child(article, "Journal")
    issns = {_attr(i, "IssnType", "Print"): issn_in(element_text(i)) for i in _all(journal, "ISSN")}
    found = Journal(title=_find(journal, "Title"),
                    iso_abbrev=_find(journal, "ISOAbbreviation") or _find(info, "MedlineTA"),
                    issn=issns.get("Print", ""), eissn=issns.get("Electronic", ""),
                    nlm_id=_find(info, "NlmUniqueID"))
    return None if found == _NO_JOURNAL else found


_NO_JOURNAL = Journal()


def _pages(article: Element) -> str:
    pagination = _child(article, "Pagination")
    medline = _find(pagination, "MedlinePgn")
    if medline or pagination is None:
        return medline
    return "-".join(p for p in (_find(pagination, "StartPage"), _find(pagination, "EndPage")) if p)


def _authors(parent: Element | None, lists: str = "AuthorList", tag: str = "Author",
             notes: list[str] | None = None) -> tuple[Author, ...]:
    """Authors in byline order, from every AuthorList under ``parent`` except editor lists
    (with ``lists`` and ``tag``: the people of another list, an InvestigatorList's). An ORCID
    that is none goes to ``notes`` (``malformed_orcid_note``), not silently away."""
    authors = []
    for author_list in _all(parent, lists):
        if author_list.get("Type") == "editors":
            continue
        for author in author_list.iterchildren(tag):
            if author.get("ValidYN") == "N":  # PubMed's marker for a withdrawn name
                continue
            first: dict[Any, Element] = {}
            orcids: list[str] = []
            nested: list[Element] = []
            direct: list[Element] = []
            for part in author:  # (``name``: ``tag`` is what each list is read for)
                name = part.tag
                if name not in first:
                    first[name] = part
                if name == "Identifier" and part.get("Source") == "ORCID":
                    orcids.append(element_text(part))
                elif name == "AffiliationInfo":
                    nested.extend(part.iterchildren("Affiliation"))
                elif name == "Affiliation":
                    direct.append(part)
            orcid = normalise_orcid(orcids[0]) if orcids else ""
            authors.append(Author(
                family=element_text(first.get("LastName")), given=element_text(first.get("ForeName")),
                initials=element_text(first.get("Initials")),
                collective=element_text(first.get("CollectiveName")),
                suffix=element_text(first.get("Suffix")), orcid=orcid,
                affiliations=tuple(t for t in map(element_text, nested + direct) if t),
                equal_contribution=author.get("EqualContrib") == "Y"))
            if orcids and not orcid and orcids[0] and notes is not None:
                notes.append(malformed_orcid_note(tag, len(authors), authors[-1], orcids[0]))
    return tuple(authors)


def _abstract(parent: Element | None) -> tuple[AbstractSection, ...]:
    return _sections(_all(parent, "Abstract", "AbstractText"))


def _sections(parts: list[Element]) -> tuple[AbstractSection, ...]:
    sections = []
    for part in parts:
        text = element_text(part)
        if text:
            sections.append(AbstractSection(text=text, label=section_label(str(part.get("Label", ""))),
                                            category=str(part.get("NlmCategory", ""))))
    return tuple(sections)


def _other_abstracts(citation: Element) -> tuple[OtherAbstract, ...]:
    """The citation's OtherAbstracts that hold text, each with its Language ("eng", the DTD's
    default, when it names none) and Type: a publisher's abstract in Polish or French was
    dropped, and a plain-language summary was taken for an abstract."""
    found = []
    for other in citation.iterchildren("OtherAbstract"):
        sections = _sections(_all(other, "AbstractText"))
        if sections:
            found.append(OtherAbstract(sections, str(other.get("Language") or "eng"),
                                       str(other.get("Type") or "")))
    return tuple(found)


def _copyright(parent: Element | None) -> str:
    """The copyright notice of the Abstract: its first CopyrightInformation that is not blank
    (a blank one first hid the notice after it)."""
    return next((text for item in _all(parent, "Abstract", "CopyrightInformation")
                 if (text := element_text(item))), "")


def _publication_types(elems: list[Element]) -> tuple[PublicationType, ...]:
    return tuple(PublicationType(label=element_text(p), ui=str(p.get("UI", ""))) for p in elems)


def _grants(parent: Element | None) -> tuple[Grant, ...]:
    return tuple(Grant(grant_id=_find(g, "GrantID"), agency=_find(g, "Agency"),
                       country=_find(g, "Country")) for g in _all(parent, "GrantList", "Grant"))


def _keywords(parent: Element | None) -> tuple[str, ...]:
    return tuple(k for k in map(element_text, _all(parent, "KeywordList", "Keyword")) if k)


def _substances(citation: Element) -> tuple[Substance, ...]:
    substances = []
    for chemical in _all(citation, "ChemicalList", "Chemical"):
        name = _child(chemical, "NameOfSubstance")
        substances.append(Substance(name=element_text(name), ui=_attr(name, "UI"),
                                    registry_number=_find(chemical, "RegistryNumber")))
    return tuple(substances)


def _supplementary_concepts(citation: Element) -> tuple[SupplementaryConcept, ...]:
    return tuple(SupplementaryConcept(name=element_text(c), ui=_attr(c, "UI"), kind=_attr(c, "Type"))
                 for c in _all(citation, "SupplMeshList", "SupplMeshName"))


def _accessions(article: Element) -> tuple[Accession, ...]:
    """Each AccessionNumber of the DataBankList, with its bank's name."""
    return tuple(Accession(bank=_find(bank, "DataBankName"), number=number)
                 for bank in _all(article, "DataBankList", "DataBank")
                 for number in map(element_text, _all(bank, "AccessionNumberList",
                                                      "AccessionNumber"))
                 if number)


def _mesh(citation: Element) -> tuple[MeshHeading, ...]:
    headings = []
    for heading in _all(citation, "MeshHeadingList", "MeshHeading"):
        descriptor = _child(heading, "DescriptorName")
        qualifiers = tuple(Qualifier(label=element_text(q), ui=str(q.get("UI", "")),
                                     major=q.get("MajorTopicYN") == "Y")
                           for q in heading.iterchildren("QualifierName"))
        headings.append(MeshHeading(
            descriptor_label=element_text(descriptor),
            descriptor_ui="" if descriptor is None else str(descriptor.get("UI", "")),
            major=descriptor is not None and descriptor.get("MajorTopicYN") == "Y",
            qualifiers=qualifiers,
            geographic=descriptor is not None and descriptor.get("Type") == "Geographic"))
    return tuple(headings)


def linked_pmid(text: str) -> str:
    """The PMID a reference or comment names, as the graph names articles: a whole number from
    1 without leading zeros; "" for none ("0", which a real file's reference list holds, was
    linked as ``article/0``)."""
    text = text.strip()
    return text.lstrip("0") if text.isascii() and text.isdigit() else ""


def _references(record: Element) -> tuple[Reference, ...]:
    references = []
    for ref in record.iter("Reference"):
        ids = _ids(_child(ref, "ArticleIdList"))
        doi = ids.get("doi", "")  # one that is none ("ISBN …") leaves the citation's text
        references.append(Reference(citation=_find(ref, "Citation"),
                                    pmid=linked_pmid(ids.get("pubmed", "")),
                                    doi=doi if is_doi(doi) else "",
                                    pmcid=ids.get("pmc", "")))
    return tuple(references)


def _comments(citation: Element) -> tuple[CommentCorrection, ...]:
    return tuple(CommentCorrection(ref_type=str(c.get("RefType", "")),
                                   pmid=linked_pmid(_find(c, "PMID")),
                                   note=_find(c, "RefSource"))
                 for c in _all(citation, "CommentsCorrectionsList", "CommentsCorrections"))


#: The PubStatus values of PubMed's History that ``_history`` reads.
_HISTORY_STATUSES = ("received", "accepted")


def _history(data: Element | None) -> dict[str, str]:
    """The dates of PubMed's History (in PubmedData or PubmedBookData) by PubStatus, the first
    of each, for ``_HISTORY_STATUSES`` only."""
    dates: dict[str, str] = {}
    for date in _all(data, "History", "PubMedPubDate"):
        status = date.get("PubStatus")
        if status in _HISTORY_STATUSES and status not in dates:
            dates[status] = _date(date)
    return dates


def _first_children(elem: Element) -> dict[Any, Element]:
    """The first child of each name (one pass over a wide element instead of one per field)."""
    first: dict[Any, Element] = {}
    for child in elem:
        if child.tag not in first:
            first[child.tag] = child
    return first


def _check_one_pmid(holder: Element) -> None:
    """Raise if ``holder`` (a MedlineCitation or BookDocument) has more than one PMID: the
    record would be mapped as the first with data that may be the second's."""
    if len(pmids := list(holder.iterchildren("PMID"))) > 1:
        raise ValueError(
            f"its {holder.tag} holds {len(pmids)} PMIDs "
            f"({', '.join(element_text(p) for p in pmids)}), where PubMed's DTD allows one: "
            "which article it is cannot be told")


def _citation_article(citation: Element | None, record: Element, where: Provenance) -> Article:
    """A MedlineCitation (with the PubmedData beside it in ``record``, if any) as an Article."""
    article = _child(citation, "Article")
    if citation is None or article is None:
        raise ValueError("no MedlineCitation/Article element")
    cited = _first_children(citation)
    _check_one_pmid(citation)
    parts = _first_children(article)
    issue = _grandchild(article, "Journal", "JournalIssue")
    ids = _manuscript_id(_location_ids(_ids(_grandchild(record, "PubmedData", "ArticleIdList")),
                                       article), citation)
    types = _publication_types(_all(article, "PublicationTypeList", "PublicationType"))
    comments = _comments(citation)
    # (the DTD fixes DateType at "Electronic": a file may leave it out)
    electronic = [d for d in article.iterchildren("ArticleDate")
                  if d.get("DateType", "Electronic") == "Electronic"]
    pmid = cited.get("PMID")
    title = element_text(parts.get("ArticleTitle"))
    vernacular = element_text(parts.get("VernacularTitle"))
    history = _history(_child(record, "PubmedData"))
    notes: list[str] = []
    authors = _authors(article, notes=notes)
    investigators = _authors(citation, "InvestigatorList", "Investigator", notes)
    return Article(
        pmid=element_text(pmid), version=pmid_version(pmid),
        pmcid=ids.get("pmc") or _pmc_fallback(citation),
        doi=ids.get("doi") or _doi_fallback(article),
        title=title or vernacular, vernacular_title=vernacular if title else "",
        abstract=_abstract(article), copyright=_copyright(article),
        other_abstracts=_other_abstracts(citation) if "OtherAbstract" in cited else (),
        language=element_text(parts.get("Language")),
        other_languages=_later_texts(article, "Language"),
        journal=_journal(article, cited.get("MedlineJournalInfo")),
        volume=_find(issue, "Volume"), issue=_find(issue, "Issue"), pages=_pages(article),
        pub_date=_date(_child(issue, "PubDate")),
        epub_date=_date(electronic[0]) if electronic else "",
        revised_date=_date(cited.get("DateRevised")),
        received_date=history.get("received", ""), accepted_date=history.get("accepted", ""),
        authors=authors, investigators=investigators,
        publication_types=types, keywords=_keywords(citation),
        substances=_substances(citation), mesh_headings=_mesh(citation),
        supplementary_concepts=_supplementary_concepts(citation),
        accessions=_accessions(article), coi_statement=element_text(cited.get("CoiStatement")),
        grants=_grants(article), references=_references(record),
        comments_corrections=comments, other_ids=other_ids(ids),
        retracted=is_retracted(types, comments),
        mesh_indexing_method=str(citation.get("IndexingMethod", "")),
        citation_status=str(citation.get("Status", "")),
        provenance=replace(where, notes=where.notes + tuple(notes)) if notes else where)


def _book_article(elem: Element, where: Provenance) -> Article:
    """A PubmedBookArticle (a book or chapter on the NCBI Bookshelf) as an ``is_book`` Article.

    The book's title (for a chapter) and publisher go to provenance notes: Article has no field.
    A record of a whole book (no ArticleTitle) has its title and authors from the Book.
    """
    doc = _child(elem, "BookDocument")
    if doc is None:
        raise ValueError("PubmedBookArticle has no BookDocument element")
    _check_one_pmid(doc)
    book = _child(doc, "Book")
    ids = _location_ids(_ids(_child(doc, "ArticleIdList"),
                             _grandchild(elem, "PubmedBookData", "ArticleIdList")), doc, book)
    title, book_title = _find(doc, "ArticleTitle"), _find(book, "BookTitle")
    # the title in the document's own language, beside the English ArticleTitle (or, for a
    # whole book, the BookTitle), as a citation's
    vernacular = _find(doc, "VernacularTitle")
    publisher = ", ".join(p for p in (element_text(_grandchild(book, "Publisher", "PublisherName")),
                                      element_text(_grandchild(book, "Publisher", "PublisherLocation")))
                          if p)
    notes = ((f"book: {book_title}",) if title and book_title else ()) + (
        (f"publisher: {publisher}",) if publisher else ())
    types = _publication_types(_all(doc, "PublicationType"))
    history = _history(_child(elem, "PubmedBookData"))
    # a whole book's record (NCBI Bookshelf's of a Springer book) names its authors in the
    # Book alone, as its title; a chapter's own list wins (the Book's editors are none)
    malformed: list[str] = []
    authors = _authors(doc, notes=malformed) or _authors(book, notes=malformed)
    investigators = (_authors(doc, "InvestigatorList", "Investigator", malformed)
                     or _authors(book, "InvestigatorList", "Investigator", malformed))
    return Article(
        pmid=_find(doc, "PMID"), version=pmid_version(_child(doc, "PMID")),
        pmcid=ids.get("pmc", ""),
        doi=ids.get("doi") or _doi_fallback(doc, book), title=title or book_title,
        vernacular_title=vernacular,
        abstract=_abstract(doc), copyright=_copyright(doc), language=_find(doc, "Language"),
        other_languages=_later_texts(doc, "Language"),
        pub_date=_date(_child(book, "PubDate")),
        revised_date=_date(_child(doc, "DateRevised")),
        received_date=history.get("received", ""), accepted_date=history.get("accepted", ""),
        authors=authors, investigators=investigators,
        publication_types=types, keywords=_keywords(doc), grants=_grants(doc),
        references=_references(elem), other_ids=other_ids(ids),
        retracted=is_retracted(types),
        is_book=True, provenance=Provenance(file=where.file, position=where.position,
                                            notes=notes + tuple(malformed)))


MAPPERS: dict[str, Callable[[Element, Provenance], Article]] = {
    "PubmedArticle": lambda e, where: _citation_article(_child(e, "MedlineCitation"), e, where),
    "MedlineCitation": lambda e, where: _citation_article(e, e, where),
    "PubmedBookArticle": _book_article}


def record_pmid(elem: Element) -> str:
    """The PMID of a record that could not be read, as far as it can be found."""
    return (element_text(_grandchild(elem, "MedlineCitation", "PMID"))
            or element_text(_grandchild(elem, "BookDocument", "PMID")) or _find(elem, "PMID"))
