"""Reader for PubMed abstract pages saved as text (the seed pages).

A page gives one main article (title, identifier lines, abstract, keywords and, when the saved
page has them, publication types, MeSH terms, substances, grants and references) and two lists of
related articles, "Similar articles" and "Cited by", whose entries are PubMed summary lines::

    Title.Front Immunol. 2025 Mar 4;16:1548535. doi: 10.3389/fimmu.2025.1548535. eCollection 2025.
    Front Immunol. 2025. PMID: 40103824 Free PMC article. Review.

``parse_page`` returns the main article first, then one ``Article`` per related entry.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import langcodes

from kg import medline
from kg.records import (
    RETRACTED_TYPE,
    AbstractSection,
    Article,
    CommentCorrection,
    Grant,
    Journal,
    MeshHeading,
    Provenance,
    PublicationType,
    Qualifier,
    Reference,
    Rejected,
    Substance,
    is_retracted,
)

#: Section headings of a saved page, in PubMed's order; text after LinkOut is not read.
#: A book chapter's page (NCBI Bookshelf's) has an "Excerpt" where an article's has its abstract.
_HEADINGS = (
    "Abstract", "Excerpt", "Figures", "Conflict of interest statement", "Comment in", "Comment on",
    "Erratum in", "Erratum for", "Retraction in", "Retraction of", "Update of", "Update in",
    "Expression of concern in", "Expression of concern for", "Retracted and republished in",
    "Retracted and republished from", "Corrected and republished in",
    "Corrected and republished from", "Republished in", "Republished from",
    "Summary for patients in", "Original report in", "Similar articles", "Cited by",
    "References", "Publication types", "MeSH terms", "Substances", "Related information",
    "Grants and funding", "Associated data", "Supplementary info", "LinkOut - more resources",
)
_HEADING = re.compile(
    r"^(?P<name>" + "|".join(re.escape(h) for h in _HEADINGS) + r")(?:\s+\d+(?:\s+[a-z]+)?)?$"
)
_LAST_HEADING = "LinkOut - more resources"
_ABSTRACT_HEADINGS = ("Abstract", "Excerpt")

#: Headings of PubMed's comment/correction lists → ``CommentCorrection.ref_type`` (every type
#: of ``medline.COMMENT_TAGS``: an entry under a heading missing here was read as one of the list
#: before, a "Corrected and republished in" as a "Comment in").
_CORRECTION_TYPES = {
    "Comment in": "CommentIn", "Comment on": "CommentOn", "Erratum in": "ErratumIn",
    "Erratum for": "ErratumFor", "Retraction in": "RetractionIn",
    "Retraction of": "RetractionOf", "Update of": "UpdateOf", "Update in": "UpdateIn",
    "Expression of concern in": "ExpressionOfConcernIn",
    "Expression of concern for": "ExpressionOfConcernFor",
    "Retracted and republished in": "RetractedandRepublishedIn",
    "Retracted and republished from": "RetractedandRepublishedFrom",
    "Corrected and republished in": "CorrectedandRepublishedIn",
    "Corrected and republished from": "CorrectedandRepublishedFrom",
    "Republished in": "RepublishedIn", "Republished from": "RepublishedFrom",
    "Summary for patients in": "SummaryForPatientsIn", "Original report in": "OriginalReportIn",
}

#: A page's identifier lines; a book chapter's gives its "Bookshelf ID: NBK…" beside its PMID.
_ID_LINE = re.compile(r"^-?\s*(?P<kind>PMID|PMCID|DOI|Bookshelf ID):\s*(?P<value>\S+)\s*$",
                      re.IGNORECASE)
_ID_VALUE = {
    "pmid": re.compile(r"^\d+$"),
    "pmcid": re.compile(r"^PMC\d+$"),
    "doi": re.compile(r"^10\.\d{4,9}/\S+$"),
    "bookshelf id": re.compile(r"^NBK\d+$"),
}
#: PubMed's note on an article not in English, on its title's line or a line of its own:
#: "[Article in Chinese]", "[Article in Russian; Abstract available in Russian from the
#: publisher]".
_LANGUAGE_NOTE = re.compile(r"\s*\[Article in (?P<name>[^;\]]+)(?:;[^\]]*)?\]\s*")
_KEYWORDS = re.compile(r"^Keywords?:\s*(?P<keywords>.*)$", re.IGNORECASE)
#: A copyright notice as PubMed shows one under an abstract: "Copyright © 2023 Zhang …",
#: "Copyright 2001 Elsevier Science.", "© 2023 The Authors.", "(c) 2023. BioMed Central …",
#: "(c) The Author(s) 2023 …", "Crown Copyright © 2015 …" (the forms of the shared files'
#: CopyrightInformation). "Copyright" needs a year or a sign after it: a sentence "Copyright law
#: shapes …" is no notice, nor is a list item "(c) patients …".
_NOTICE = (r"(?:Crown\s+)?Copyright\b(?=.*(?:©|\(c\)|\b(?:1[89]|20)\d\d\b))|©"
           r"|\(c\)\s*(?:(?:1[89]|20)\d\d\b|the\s+authors?\b)")
_COPYRIGHT = re.compile(rf"^(?:{_NOTICE})", re.IGNORECASE)
#: Lines that end the abstract: keywords, the copyright notice.
_ABSTRACT_END = re.compile(rf"^(?:Keywords?:|{_NOTICE})", re.IGNORECASE)
_NO_ABSTRACT = re.compile(r"^No abstract available\.?$", re.IGNORECASE)
#: A labelled abstract paragraph, "Background: …", or a label alone, "Methods:".
_LABEL = re.compile(r"^(?P<label>[A-Z][A-Za-z'/&,()\- ]{0,58}[A-Za-z)]):(?:\s+(?P<text>.*))?$")
_MAX_LABEL_WORDS = 6

#: The repeated short citation that ends a summary line: "Front Immunol. 2025. PMID: 40103824".
_TAIL = re.compile(r"(?P<year>\d{4})\.\s*PMID:\s*(?P<pmid>\d+)\.?(?P<markers>.*)$")
_PMID = re.compile(r"\bPMID:\s*(?P<pmid>\d+)")
#: A summary line's citation, "2023 Feb 28;555:216036. doi: …": its pages run to the ". "
#: that ends them, so "1-10, 12" and "1787-8; discussion 1791" stay whole, as the XML reader
#: keeps MedlinePgn. Its date may be a range of years ("2019-2020"), of months ("2019 Mar-Apr",
#: "2021 Dec-2022 Jan", "2019 Mar-2020") or of days ("2016 Jan 5-12", "2019 Jan 31-Feb 6",
#: "2019 Dec 28-2020 Jan 3"), its dash a hyphen or an en dash, with spaces round it or not: the
#: ranges the MEDLINE reader reads (``medline.iso_from_text``).
_DATE_DASH = r"\s*[-\u2013]\s*"
_CITATION = re.compile(
    rf"^(?P<date>\d{{4}}(?:{_DATE_DASH}\d{{4}})?(?:\s+[A-Z][a-z]+"
    rf"(?:{_DATE_DASH}(?:\d{{4}}(?:\s+[A-Z][a-z]+)?|[A-Z][a-z]+))?"
    rf"(?:\s+\d{{1,2}}(?:{_DATE_DASH}(?:\d{{4}}\s+)?(?:[A-Z][a-z]+\s+)?\d{{1,2}})?)?)?)"
    r"(?:;(?P<volume>[^(:;.]*))?(?:\((?P<issue>[^)]*)\))?(?::(?P<pages>[^;\s.](?:[^.]|\.(?=\S))*))?"
    r"\.?(?:\s|$)"
)
_DOI = re.compile(r"\bdoi:\s*(?P<doi>10\.\S+?)\.?(?=\s|$)", re.IGNORECASE)
_EPUB = re.compile(r"\bEpub\s+(?P<date>\d{4}(?:\s+[A-Z][a-z]+)?(?:\s+\d{1,2})?)\.")
_PMCID = re.compile(r"\bPMCID:\s*(?P<pmcid>PMC\d+)")
#: Trailing markers of a summary line that are not publication types.
_NOT_TYPES = frozenset({"Free PMC article", "Free article", "Free Books & Documents",
                        "Free full text", "Online ahead of print"})
#: What a line of link captions in a reference list is made of (a line of nothing else is no
#: reference). Taken out and the rest looked at: a repeated group of optional parts took time
#: exponential in the captions of a line (a review's: 28 captions, 171 s).
_LINK_PARTS = re.compile(r"DOI|PubMed|PMC|Google Scholar|Free PMC article|Free article|[-–\s]+",
                         re.IGNORECASE)
_SHOW_MORE = re.compile(r"Show (?:all|more)\b", re.IGNORECASE)
#: A line of a saved page with its end: "\n", "\r\n" or "\r" alone. What ``str.splitlines``
#: takes for a line's end besides (U+2028, U+0085, U+000B, U+001C …) is part of the text: a
#: title holding one was cut there, and the rest of it dropped without a word.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def read_pages(path: Path) -> Iterator[Article | Rejected]:
    """The articles of a saved page file: for each page in it, the main article, then its
    related entries; then each summary line under a heading that lists no articles (one whose
    own heading is gone)."""
    for page in split_pages(path.read_text(encoding="utf-8-sig")):
        yield from parse_page(page, file=str(path))
        yield from stray_entries(page, file=str(path))


def page_lines(text: str) -> list[str]:
    """The lines of a page's text, each with its end (``_LINE``)."""
    return _LINE.findall(text)


def split_pages(text: str) -> list[str]:
    """The pages of a file that holds several saved one after another (``cat`` of two pages,
    or a page saved twice): a page begins at identifier lines ("- PMID: …") that follow a
    heading, with the title line just before them. Read as one page, everything after the
    first page's LinkOut was dropped, or, with no LinkOut between them, the next page's
    title, identifiers and abstract became the first page's substances and its similar and
    citing articles the first page's."""
    lines = page_lines(text)
    starts = [0]
    headed = False
    for number, line in enumerate(lines):
        if _HEADING.match(line.strip()):
            headed = True
        elif headed and _ID_LINE.match(line.strip()):
            before = next((n for n in range(number - 1, starts[-1] - 1, -1) if lines[n].strip()),
                          None)
            if before is not None and (joined := _joined_title(lines, before, number)):
                # the title gets its own line, the line it was joined to stays the page's before
                # (this line, one further on now, is then read again: not after a heading)
                lines[before:before + 1] = joined
                starts.append(before + 1)
            else:
                title = before is not None and _is_page_title(lines[before].strip())
                starts.append(before if title and before is not None else number)
            headed = False
    ends = [*starts[1:], len(lines)]
    return ["".join(lines[start:end]) for start, end in zip(starts, ends, strict=True)]


def _joined_title(lines: list[str], before: int, ids: int) -> list[str]:
    """``lines[before]`` as two lines, its end being the title of the page whose identifier
    lines start at ``ids``, when ``cat`` joined that title to the last line of the page before
    (a saved page ends without a newline: "Medical" + "Tumor-derived …"); else nothing. The
    title is known by the page repeating it after its identifier lines."""
    repeated = next((line.strip() for line in lines[ids:]
                     if line.strip() and not _ID_LINE.match(line.strip())), "")
    joined = lines[before].rstrip("\r\n")
    if not repeated or joined.strip() == repeated or not joined.endswith(repeated):
        return []
    return [joined[:-len(repeated)] + "\n", lines[before][len(joined) - len(repeated):]]


def _is_page_title(line: str) -> bool:
    """Whether ``line``, just before a page's identifier lines, is that page's title (and not
    a heading, an entry of the page before or its "-" bullet)."""
    return (not _HEADING.match(line) and not _ID_LINE.match(line) and not _PMID.search(line)
            and re.search(r"[A-Za-z]{2}", line) is not None)


#: Sections whose lines the reader does not take as articles.
_UNLISTED = ("Figures", "Conflict of interest statement", "Related information",
             "Grants and funding", "Associated data", "Supplementary info")


def stray_entries(text: str, *, file: str = "") -> Iterator[Rejected]:
    """A ``Rejected`` for each summary line (one with "PMID: n") in a section that lists no
    articles: with a page's "Similar articles" heading removed, its entries fell under
    "Figures" and were dropped without a word (a review's)."""
    _, sections = split_sections(text)
    for heading in _UNLISTED:
        for number, entry in enumerate(entries(sections.get(heading, [])), start=1):
            found = _PMID.search(entry)
            pmid = found["pmid"] if found else ""
            yield Rejected(
                reason=f"{file or '<page>'}: a summary line with PMID {pmid} under the heading "
                       f"'{heading}', which lists no articles: the heading of its list (such as "
                       "'Similar articles' or 'Cited by') is missing, so what it is cannot be "
                       "told", provenance=Provenance(file=file, position=f"{heading}:{number}"),
                pmid=pmid, title=fallback_title(entry))


def parse_page(text: str, *, file: str = "") -> list[Article]:
    """The main article of a saved PubMed page, then one article per similar/citing entry."""
    front, sections = split_sections(text)
    noted = [language_note(line) for line in front]
    front = [line for line, _ in noted]
    languages = [code for _, code in noted if code]
    ids = identifiers(front)
    title = page_title(front)
    if not ids.keys() & {"pmid", "pmcid", "doi"}:
        missing = "no PMID, PMCID or DOI line" + ("" if title else " and no recognisable title")
        raise ValueError(f"{file or '<page>'}: not a saved PubMed page: {missing}")
    similar = related_entries(sections.get("Similar articles", []), file, "similar")
    citing = related_entries(sections.get("Cited by", []), file, "cited_by")
    types = tuple(PublicationType(label) for label in line_items(
        sections.get("Publication types", [])))
    corrections = comments_corrections(sections)
    main = Article(
        pmid=ids.get("pmid", ""),
        pmcid=ids.get("pmcid", ""),
        doi=ids.get("doi", ""),
        title=title,
        language=next(iter(languages), ""),
        abstract=abstract_sections(abstract_lines(front, sections, title)),
        keywords=keywords(front + abstract_section(sections)),
        publication_types=types,
        mesh_headings=mesh_headings(line_items(sections.get("MeSH terms", []))),
        substances=tuple(Substance(name) for name in line_items(sections.get("Substances", []))),
        references=references(sections.get("References", [])),
        grants=grants(sections.get("Grants and funding", [])),
        coi_statement=" ".join(line for line in sections.get("Conflict of interest statement", [])
                               if line),
        copyright=copyright_notice(abstract_region(front, sections, title)),
        similar_pmids=tuple(a.pmid for a in similar),
        cited_by_pmids=tuple(a.pmid for a in citing),
        # (a page without either list may have been saved before PubMed showed them)
        links_given=bool(similar or citing),
        from_page=True,
        comments_corrections=corrections,
        retracted=is_retracted(types, corrections),
        # as the PubMed XML reader gives a PubmedBookArticle's accession
        other_ids=(f"bookaccession:{ids['bookshelf id']}",) if "bookshelf id" in ids else (),
        is_book="bookshelf id" in ids,
        provenance=Provenance(file=file, position="page"),
    )
    return [main, *unique_by_pmid(similar + citing)]


def split_sections(text: str) -> tuple[list[str], dict[str, list[str]]]:
    """The stripped lines before the first heading, and each heading's lines, up to LinkOut."""
    front: list[str] = []
    sections: dict[str, list[str]] = {}
    current = front
    for raw in page_lines(text.replace("\ufeff", "")):
        line = raw.strip()
        match = _HEADING.match(line)
        if match:
            if match["name"] == _LAST_HEADING:
                break
            current = sections.setdefault(match["name"], [])
        else:
            current.append(line)
    return front, sections


def identifiers(lines: list[str]) -> dict[str, str]:
    """PMID, PMCID, DOI and Bookshelf ID from the "- PMID: …" lines (the first valid one of
    each)."""
    found: dict[str, str] = {}
    for line in lines:
        match = _ID_LINE.match(line)
        if not match:
            continue
        kind, value = match["kind"].lower(), match["value"].rstrip(".")
        if kind == "pmcid" and value.isdigit():
            value = f"PMC{value}"
        if _ID_VALUE[kind].match(value):
            found.setdefault(kind, value)
    return found


@functools.cache
def language_code(name: str) -> str:
    """The code PubMed's XML gives the language it names in English ("Chinese" → "chi", ISO
    639-2 as its Language elements); "" for a name that is no language's. ``langcodes.find``
    matches loosely ("Letter" finds Latvian, "English Abstract" English): only the language's
    English name whole counts."""
    try:
        found = langcodes.find(name, language="en")
        if found.display_name("en").casefold() != name.strip().casefold():
            return ""
        return found.to_alpha3(variant="B")
    except (LookupError, ValueError):
        return ""


def language_note(line: str) -> tuple[str, str]:
    """``line`` without PubMed's note on the article's language ("… [Article in Chinese]"),
    and that language's code; the line as it is, and "", when it has no note naming one."""
    match = _LANGUAGE_NOTE.search(line)
    code = language_code(match["name"]) if match else ""
    if not match or not code:
        return line, ""
    return f"{line[:match.start()]} {line[match.end():]}".strip(), code


def page_title(front: list[str]) -> str:
    """The first line before the first heading that is not an identifier line."""
    for line in front:
        if line and not _ID_LINE.match(line) and re.search(r"[A-Za-z]{2}", line):
            return line
    return ""


def abstract_section(sections: dict[str, list[str]]) -> list[str]:
    """The lines under "Abstract" (a book chapter's "Excerpt"); none without the heading."""
    return next((sections[h] for h in _ABSTRACT_HEADINGS if h in sections), [])


def abstract_region(front: list[str], sections: dict[str, list[str]], title: str) -> list[str]:
    """The lines of the abstract, its keywords and its copyright notice: under "Abstract" (a
    book chapter's "Excerpt"), else after the identifier lines of the front (never the title)."""
    if any(h in sections for h in _ABSTRACT_HEADINGS):
        return abstract_section(sections)
    last_id = max((i for i, line in enumerate(front) if _ID_LINE.match(line)), default=-1)
    return [line for line in front[last_id + 1:] if line != title]


def abstract_lines(front: list[str], sections: dict[str, list[str]], title: str) -> list[str]:
    """The abstract's lines: under "Abstract", else after the identifier lines of the front."""
    body: list[str] = []
    for line in abstract_region(front, sections, title):
        if _ABSTRACT_END.match(line):
            break
        if line and not _NO_ABSTRACT.match(line):
            body.append(line)
    return body


def abstract_label(line: str) -> tuple[str, str] | None:
    """``(label, text)`` when the line starts with a section label such as "Background:"."""
    match = _LABEL.match(line)
    if not match or len(match["label"].split()) > _MAX_LABEL_WORDS:
        return None
    return match["label"].strip(), (match["text"] or "").strip()


def abstract_sections(body: list[str]) -> tuple[AbstractSection, ...]:
    """One unlabelled section, or one section per label when the first line is labelled."""
    if not body:
        return ()
    if abstract_label(body[0]) is None:
        return (AbstractSection(text=" ".join(body)),)
    parts: list[tuple[str, list[str]]] = []
    for line in body:
        labelled = abstract_label(line)
        if labelled is not None:
            parts.append((labelled[0], [labelled[1]] if labelled[1] else []))
        else:
            parts[-1][1].append(line)
    return tuple(AbstractSection(text=" ".join(texts), label=label)
                 for label, texts in parts if texts)


def copyright_notice(lines: list[str]) -> str:
    """The line of the abstract's region (``abstract_region``) that is its copyright notice
    ("Copyright © 2023 Zhang, …"); the page's front is not looked at, where a title may open
    with "Copyright" (a review's)."""
    return next((line for line in lines if _COPYRIGHT.match(line)), "")


def keywords(lines: list[str]) -> tuple[str, ...]:
    """The "Keywords: a; b; c." line split on ';', without the final period."""
    for line in lines:
        match = _KEYWORDS.match(line)
        if match:
            words = [w.strip() for w in match["keywords"].strip().removesuffix(".").split(";")]
            return tuple(w for w in words if w)
    return ()


def line_items(lines: list[str]) -> list[str]:
    """One item per non-empty line, without a leading "- " list marker."""
    items = (re.sub(r"^[-–•]\s*", "", line).strip() for line in lines)
    return [item for item in items if item]


def entries(lines: list[str]) -> list[str]:
    """Summary entries: lines joined until one that holds "PMID: n"; "-" lines separate."""
    found: list[str] = []
    pending: list[str] = []
    for line in line_items(lines):
        pending.append(line)
        if _PMID.search(line):
            found.append(" ".join(pending))
            pending = []
    return found


def related_entries(lines: list[str], file: str, kind: str) -> list[Article]:
    """The articles of a "Similar articles" or "Cited by" list, in page order."""
    return [replace(parse_entry(entry, Provenance(file=file, position=f"{kind}:{number}")),
                    partial=True)
            for number, entry in enumerate(entries(lines), start=1)]


def unique_by_pmid(articles: list[Article]) -> list[Article]:
    """The articles without repeats of a PMID (an entry can be both similar and citing)."""
    seen: set[str] = set()
    kept: list[Article] = []
    for article in articles:
        if article.pmid not in seen:
            seen.add(article.pmid)
            kept.append(article)
    return kept


def parse_entry(entry: str, provenance: Provenance) -> Article:
    """One summary line as an article; only PMID and title when the journal is not found."""
    tail = _TAIL.search(entry)
    pmid_match = tail or _PMID.search(entry)
    types = entry_types(tail["markers"]) if tail else ()
    languages = entry_languages(tail["markers"]) if tail else ()
    retracted = RETRACTED_TYPE in entry
    if retracted and PublicationType(RETRACTED_TYPE) not in types:
        types += (PublicationType(RETRACTED_TYPE),)
    located = locate_journal(entry[:tail.start()]) if tail else None
    if located is None:
        return Article(pmid=pmid_match["pmid"] if pmid_match else "",
                       title=fallback_title(entry), publication_types=types,
                       language=next(iter(languages), ""), other_languages=languages[1:],
                       retracted=retracted, provenance=provenance)
    title, journal, citation = located
    fields = citation_fields(citation)
    return Article(
        pmid=pmid_match["pmid"] if pmid_match else "",
        pmcid=fields.get("pmcid", ""),
        doi=fields.get("doi", ""),
        title=title,
        journal=Journal(iso_abbrev=journal),
        volume=fields.get("volume", ""),
        issue=fields.get("issue", ""),
        pages=fields.get("pages", ""),
        pub_date=fields.get("pub_date", ""),
        epub_date=fields.get("epub_date", ""),
        publication_types=types,
        language=next(iter(languages), ""),
        other_languages=languages[1:],
        retracted=retracted,
        provenance=provenance,
    )


def entry_markers(markers: str) -> list[str]:
    """The markers after a summary line's PMID ("Free PMC article. Review. Chinese.")."""
    labels = (m.strip() for m in re.split(r"\.(?:\s+|$)", markers.strip()))
    return [label for label in labels if label]


def entry_types(markers: str) -> tuple[PublicationType, ...]:
    """Publication types from the markers after the PMID: not "Free PMC article", nor the
    language PubMed names last for an article not in English ("Review. Chinese.")."""
    return tuple(PublicationType(label) for label in entry_markers(markers)
                 if label not in _NOT_TYPES and not language_code(label))


def entry_languages(markers: str) -> tuple[str, ...]:
    """The codes of the languages the markers after the PMID name ("Chinese" → "chi")."""
    return tuple(code for label in entry_markers(markers) if (code := language_code(label)))


def locate_journal(head: str) -> tuple[str, str, str] | None:
    """``(title, journal abbreviation, citation)`` from an entry's text before "{year}. PMID"."""
    short = head.rstrip().removesuffix(".")
    segments = short.split(". ")
    for count in range(1, min(3, len(segments) - 1) + 1):
        journal = ". ".join(segments[-count:]).strip()
        rest = short[:len(short) - len(journal)]
        found = journal_position(rest, journal)
        if found is not None:
            title = rest[:found].rstrip().removesuffix(".").rstrip()
            citation = rest[found + len(journal) + 1:].strip()
            return title, journal, citation
    return None


def journal_position(text: str, journal: str) -> int | None:
    """Where "{Title}.{journal}. {year}" puts the journal, preferring one glued to the title."""
    pattern = re.compile(r"(?<=\S)" + re.escape(journal) + r"\.\s+\d{4}")
    match = pattern.search(text) or re.compile(
        r"(?<=\s)" + re.escape(journal) + r"\.\s+\d{4}").search(text)
    return match.start() if match and match.start() > 0 else None


def citation_fields(citation: str) -> dict[str, str]:
    """pub_date, volume, issue, pages, doi and epub_date from "2025 Mar 4;16:1548535. doi: …"."""
    fields: dict[str, str] = {}
    match = _CITATION.match(citation)
    if match:
        fields["pub_date"] = iso_date(match["date"])
        for name in ("volume", "issue", "pages"):
            if match[name]:
                fields[name] = match[name].strip()
    doi = _DOI.search(citation)
    if doi:
        fields["doi"] = doi["doi"]
    epub = _EPUB.search(citation)
    if epub:
        fields["epub_date"] = iso_date(epub["date"])
    pmcid = _PMCID.search(citation)
    if pmcid:
        fields["pmcid"] = pmcid["pmcid"]
    return fields


def iso_date(text: str) -> str:
    """"2025 Mar 4" → "2025-03-04", "2019 Mar" → "2019-03", "2019 Winter" → "2019", as the
    MEDLINE reader reads a DP line (``medline.iso_from_text``): a month range ("2019 Mar-Apr")
    gives the year, as the record's XML does, and a day the month does not have ("2019 Jun
    31") is dropped."""
    return medline.iso_from_text(text.strip())


def fallback_title(entry: str) -> str:
    """The text up to the first sentence end glued to the next word ("Title.Journal")."""
    match = re.match(r"^(?P<title>.+?[.?!])(?=[A-Z(\[])", entry)
    return match["title"].removesuffix(".") if match else ""


def mesh_headings(items: list[str]) -> tuple[MeshHeading, ...]:
    """MeSH lines ("Breast Neoplasms* / diagnosis") grouped by descriptor; '*' marks major."""
    order: list[str] = []
    major: dict[str, bool] = {}
    qualifiers: dict[str, list[Qualifier]] = {}
    for item in items:
        descriptor, *quals = (part.strip() for part in item.split(" / "))
        label = descriptor.rstrip("*").strip()
        if label not in major:
            order.append(label)
            major[label] = False
            qualifiers[label] = []
        major[label] = major[label] or descriptor.endswith("*")
        for qual in quals:
            qualifier = Qualifier(label=qual.rstrip("*").strip(), major=qual.endswith("*"))
            if qualifier.label and qualifier not in qualifiers[label]:
                qualifiers[label].append(qualifier)
    return tuple(MeshHeading(descriptor_label=label, major=major[label],
                             qualifiers=tuple(qualifiers[label])) for label in order)


def references(lines: list[str]) -> tuple[Reference, ...]:
    """One reference per citation line, with the DOI, PMID and PMCID it shows."""
    found: list[Reference] = []
    for item in line_items(lines):
        if _SHOW_MORE.match(item) or not _LINK_PARTS.sub("", item):
            continue
        citation = re.sub(r"^\d+\.\s+", "", item)
        doi, pmid, pmcid = _DOI.search(citation), _PMID.search(citation), _PMCID.search(citation)
        found.append(Reference(citation=citation, doi=doi["doi"] if doi else "",
                               pmid=pmid["pmid"] if pmid else "",
                               pmcid=pmcid["pmcid"] if pmcid else ""))
    return tuple(found)


def grants(lines: list[str]) -> tuple[Grant, ...]:
    """The "Grants and funding" list, whose items PubMed writes as MEDLINE's GR lines
    ("R01 CA123456/CA/NCI NIH HHS/United States"); a summary line there is no grant
    (``stray_entries`` names it)."""
    return tuple(medline.grant(item) for item in line_items(lines) if not _PMID.search(item))


def comments_corrections(sections: dict[str, list[str]]) -> tuple[CommentCorrection, ...]:
    """Entries of the "Comment in", "Retraction in", … lists, with the PMIDs they show."""
    found: list[CommentCorrection] = []
    for heading, ref_type in _CORRECTION_TYPES.items():
        for entry in entries(sections.get(heading, [])):
            pmid = _PMID.search(entry)
            found.append(CommentCorrection(ref_type=ref_type, pmid=pmid["pmid"] if pmid else "",
                                           note=entry))
    return tuple(found)
