"""MEDLINE text (PubMed's "Save → PubMed format", ``.txt`` / ``.nbib``) → ``Article`` records.

A record is a run of ``TAG - value`` lines ending at a blank line; the tag is left-justified in
four columns and a value continues on lines indented by six spaces (by a tab, as some reference
managers write them). One record is held at a time.
MEDLINE text gives no MeSH or publication-type UIs, so those stay "" (``kg.meshnames`` gives the
UIs of the names its tables hold); nor the Type of a supplementary concept (an NM line).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from kg.compression import not_utf8_text
from kg.records import (
    OTHER_ABSTRACT_TYPES,
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
    Rejected,
    Substance,
    SupplementaryConcept,
    doi_in,
    is_retracted,
    issn_in,
    other_ids,
    section_label,
)

Field = tuple[str, str]

_TAG_LINE = re.compile(r"([A-Z][A-Z0-9]{0,3})[ \t]*- ?(.*)")
#: MEDLINE comment/correction tags → PubMed XML ``CommentsCorrections/@RefType``.
COMMENT_TAGS = {
    "CIN": "CommentIn", "CON": "CommentOn", "EIN": "ErratumIn", "EFR": "ErratumFor",
    "RIN": "RetractionIn", "ROF": "RetractionOf", "RRI": "RetractedandRepublishedIn",
    "RRF": "RetractedandRepublishedFrom", "CRI": "CorrectedandRepublishedIn",
    "CRF": "CorrectedandRepublishedFrom", "UIN": "UpdateIn", "UOF": "UpdateOf",
    "ECI": "ExpressionOfConcernIn", "ECF": "ExpressionOfConcernFor", "RPI": "RepublishedIn",
    "RPF": "RepublishedFrom", "SPIN": "SummaryForPatientsIn", "ORI": "OriginalReportIn",
}
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")
#: Each month's name, its first three letters and "sept" (a common way of writing September)
#: → its number.
_MONTH_NUMBERS = {form: number for number, name in enumerate(_MONTHS, start=1)
                  for form in (name, name[:3])} | {"sept": 9}
_ORCID = re.compile(r"(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])")
#: A date's number, in the digits PubMed writes: int() reads any script's ("٠٣" is 3), and
#: fails on a superscript ("²"), which str.isdigit() takes for a digit.
_DIGITS = re.compile(r"[0-9]+")
#: The dashes of a date range: MEDLINE's hyphen, a publisher's en dash, and the em dash, figure
#: dash and minus sign of a date typed or pasted by hand.
_DASHES = "-\u2013\u2014\u2012\u2212"


# --- dates and identifiers (the PubMed XML reader uses them too) ------------------------------

def month_number(value: str) -> int | None:
    """1–12 for "Jan", "January", "Sept.", "01" or "1"; ``None`` for anything else (seasons,
    ranges, digits of another script)."""
    value = value.strip().lower()
    if _DIGITS.fullmatch(value):
        return int(value) if 1 <= int(value) <= 12 else None
    return _MONTH_NUMBERS.get(value.removesuffix("."))


def iso_date(year: str, month: str = "", day: str = "") -> str:
    """An ISO date as precise as the parts allow: "2023", "2023-07" or "2023-07-17"."""
    year, day = year.strip(), day.strip()
    if not re.fullmatch(r"[0-9]{4}", year):
        return ""
    number = month_number(month) if month else None
    if number is None:
        return year
    year_month = f"{year}-{number:02d}"
    if not _DIGITS.fullmatch(day):
        return year_month
    try:
        return datetime.date(int(year), number, int(day)).isoformat()
    except ValueError:  # a day the month does not have
        return year_month


def iso_from_text(value: str) -> str:
    """A free-text date ("2023 Jul 17", "2016 Jan-Feb", "2000 Spring") as a partial ISO date.

    A month range ("2023 Jan-Dec", "2021 Dec-2022 Jan") and a season keep only the (first)
    year, as PubMed XML's Year and Season give it: the issue's month is not known. A range
    written with spaces round its dash ("2019 Mar - Apr", "2016 Jan 5 – 12") is the same range,
    not its first month or day.
    """
    groups: list[list[str]] = []
    for word in value.split():
        # a word that starts with a dash, or follows one that ends with it, is a range's end
        if groups and (word[0] in _DASHES or groups[-1][-1][-1] in _DASHES):
            groups[-1].append(word)
        else:
            groups.append([word])
    parts = ["".join(group) for group in groups]
    if not parts:
        return ""
    month = parts[1] if len(parts) > 1 and not any(d in parts[1] for d in _DASHES) else ""
    day = parts[2] if len(parts) > 2 and month else ""
    return iso_date(parts[0][:4], month, day)


def normalise_orcid(value: str) -> str:
    """The bare ``0000-0000-0000-000X`` form of an ORCID iD (URL forms accepted); else ""."""
    value = re.sub(r"^\s*(?:https?://)?(?:www\.)?orcid\.org/", "", value.strip(), flags=re.I)
    match = _ORCID.fullmatch(value.upper())
    return "-".join(match.groups()) if match else ""


def malformed_orcid_note(role: str, position: int, person: Author, value: str) -> str:
    """The provenance note that keeps an ORCID iD ``value`` that ``normalise_orcid`` could not
    read, naming the ``role`` ("Author", "Investigator") at ``position`` (1-based) it was
    given for: the record is taken, the person is not linked to ORCID, and the value stays."""
    name = person.collective or " ".join(
        part for part in (person.given or person.initials, person.family) if part)
    return (f"{role} {position} ({name}): the ORCID iD {value.strip()!r} is not one "
            f"(0000-0000-0000-000X), so the {role.lower()} is not linked to ORCID.")


# --- reading a file ----------------------------------------------------------------------------

def read_medline(path: Path) -> Iterator[Article | Rejected]:
    """Every record of a MEDLINE text file, in file order; one that names its article by no
    PMID, DOI or PMCID is ``Rejected``, and so is one with a line that is not text or not
    MEDLINE (named by line and column).

    A record without a PMID line (a reference manager's, ERIC's export) is the article its DOI
    names, else its PMCID (``Article.key``), as a JSON record without PMID is."""
    for number, (line, fields, problem) in enumerate(_records(path), start=1):
        where = Provenance(file=str(path), position=f"record {number}, line {line}")
        if problem:
            yield Rejected(reason=f"{path}: MEDLINE record {number} {problem}", provenance=where,
                           pmid=_SURROGATE.sub("", _first(fields, "PMID")),
                           title=_SURROGATE.sub("\ufffd", _first(fields, "TI")))
            continue
        try:
            article = _article(fields, where)
        except Exception as error:  # one bad record must not end the file
            yield Rejected(reason=f"{path}: MEDLINE record {number} could not be read: {error}",
                           provenance=where, pmid=_first(fields, "PMID"))
            continue
        if article.key:
            yield article
        else:
            yield Rejected(reason=f"{path}: MEDLINE record {number} has no PMID, DOI or PMCID: "
                                  "the graph cannot name its article",
                           provenance=where, title=article.title)


def _records(path: Path) -> Iterator[tuple[int, list[Field], str]]:
    """(line of the record's first tag, its fields with continuation lines joined, what is
    wrong with it: its first line that is not UTF-8 text, holds a NUL or is no MEDLINE line).

    A record ends at a blank line, or where a second PMID line begins the next one (two
    records with no blank line between them were read as one, the second's PMID lost and its
    authors and headings given to the first)."""
    fields: list[Field] = []
    pending: list[str] = []  # the continuation lines of the last field, not yet joined to it
    start = 0
    problem = ""
    with path.open(encoding="utf-8-sig", errors="surrogateescape") as lines:
        for number, raw in enumerate(lines, start=1):
            line = raw.rstrip("\r\n").removeprefix("\ufeff")  # a BOM where files were joined
            if not line.strip():
                if fields:
                    yield start, _joined(fields, pending), problem
                fields, pending, problem = [], [], ""
                continue
            indented = line.startswith((" ", "\t"))
            match = None if indented else _TAG_LINE.fullmatch(line)
            if match and fields and (fields[-1][0] == "" or (match.group(1) == "PMID" and any(
                    tag == "PMID" for tag, _ in fields))):
                # lines of no record before it (a header a tool wrote), or another record's PMID
                yield start, _joined(fields, pending), problem
                fields, pending, problem = [], [], ""
            continuation = not match and bool(fields) and indented
            problem = problem or _line_problem(line, number, stray=not (match or continuation))
            if match:
                start = start if fields else number
                _joined(fields, pending)
                fields.append((match.group(1), _collapsed(match.group(2))))
            elif continuation:  # indented by six spaces, or a tab
                pending.append(line)
            elif not fields:  # lines before a record's first tag line: a chunk of their own
                start = number
                fields.append(("", line.strip()))
            # else a stray line: it costs the record (above), and is no field's
    if fields:
        yield start, _joined(fields, pending), problem


def _joined(fields: list[Field], pending: list[str]) -> list[Field]:
    """``fields`` with the continuation lines ``pending`` joined to the last one's text (and
    ``pending`` emptied): at once, as joining each line to the text so far read a field of n
    lines in n² time (an abstract of 16,000 lines took 293 s)."""
    if pending:
        tag, value = fields[-1]
        fields[-1] = (tag, _collapsed(" ".join([value, *pending])))
        pending.clear()
    return fields


def _line_problem(line: str, number: int, *, stray: bool) -> str:
    """What keeps a record's line from being read, if anything."""
    if not line.isascii() and (bad := _SURROGATE.search(line)):
        return "is " + not_utf8_text(ord(bad.group()) - 0xDC00, number, bad.start() + 1,
                                     utf8="PubMed exports UTF-8")
    if "\x00" in line:
        return f"holds a NUL byte at line {number}, column {line.index(chr(0)) + 1}: not text"
    if stray:
        return (f"has a line that is neither a tag line ('TAG - value') nor a continuation "
                f"(indented by six spaces or a tab): line {number}: {line[:60]!r}")
    return ""


#: A byte the UTF-8 decoder could not take (kept by "surrogateescape" as U+DC80–U+DCFF).
_SURROGATE = re.compile("[\udc80-\udcff]")
#: A run of whitespace but the control characters ``str.split`` takes for it (U+000B, U+000C,
#: U+001C–U+001F), which XML cannot carry: the record that holds one is quarantined naming it.
_SPACES = re.compile(r"[^\S\x0b\x0c\x1c-\x1f]+")


def _collapsed(value: str) -> str:
    """A field's text with its runs of whitespace one space, as the XML reader gives a field
    ("OBJECTIVE:  The …"); a control character stays, where a space would hide it."""
    return _SPACES.sub(" ", value).strip(" ")  # (strip() would drop one at the end)


def _first(fields: list[Field], tag: str) -> str:
    return next((value for t, value in fields if t == tag), "")


def _every(fields: list[Field], tag: str) -> list[str]:
    return [value for t, value in fields if t == tag and value]


def _yyyymmdd(value: str) -> str:
    digits = value.strip()[:8]
    return iso_date(digits[:4], digits[4:6], digits[6:8]) if digits.isdigit() else ""


#: A PHST line's date and PubStatus: "2005/06/17 [received]", "2023/04/12 00:00 [accepted]".
_HISTORY = re.compile(r"(\d{4})/(\d{2})/(\d{2})(?:\s+\d{1,2}:\d{2})?\s*\[(\w+)\]")


def _history(fields: list[Field]) -> dict[str, str]:
    """The dates of the PHST lines by PubStatus, the first of each (PubMed XML's History)."""
    dates: dict[str, str] = {}
    for value in _every(fields, "PHST"):
        match = _HISTORY.fullmatch(value.strip())
        if match:
            dates.setdefault(match.group(4), iso_date(*match.group(1, 2, 3)))
    return dates


def _journal(fields: list[Field]) -> Journal | None:
    issns: dict[str, str] = {}
    for value in _every(fields, "IS"):
        match = re.fullmatch(r"(\S+)\s*\((\w+)\)", value)
        if match:
            issns.setdefault(match.group(2).lower(), issn_in(match.group(1)))
    # the Linking ISSN (ISSN-L) names the journal across its media, and is the electronic
    # one of a journal online only: PubMed XML's print ISSN is the Print line alone
    found = Journal(title=_first(fields, "JT"), iso_abbrev=_first(fields, "TA"),
                    issn=issns.get("print", ""),
                    eissn=issns.get("electronic", ""), nlm_id=_first(fields, "JID"))
    return None if found == Journal() else found


@dataclass
class _Draft:
    """An author being read: FAU opens one, its AU adds the initials, AD/AUID follow."""

    family: str = ""
    given: str = ""
    initials: str = ""
    collective: str = ""
    suffix: str = ""
    orcid: str = ""
    paired: bool = False
    affiliations: list[str] = field(default_factory=list)
    #: The ORCID line's value when it names no ORCID iD (kept in a note).
    malformed_orcid: str = ""

    def author(self) -> Author:
        return Author(family=self.family, given=self.given, initials=self.initials,
                      collective=self.collective, suffix=self.suffix, orcid=self.orcid,
                      affiliations=tuple(self.affiliations))


#: A generational suffix at the end of an AU line, as NLM writes one ("Jr", "Sr", "3rd": PubMed
#: XML's Suffix), which FAU's given names end with too: never capitals alone, as initials are.
_SUFFIX = re.compile(r"(?<=\S) +(Jr|Sr|\d+(?:st|nd|rd|th))$")


def _authors(fields: list[Field], notes: list[str] | None = None,
             role: str = "Author") -> tuple[Author, ...]:
    """FAU/AU pairs in order (an AU without its FAU stands alone: "Smith JC", or as ERIC
    writes it "Smith, John C."), CN for group authors.

    AD and AUID belong to the author before them; an AD before any author (older records give
    one affiliation for the article) goes to the first author. An ORCID that is none goes to
    ``notes`` (``malformed_orcid_note``).
    """
    drafts: list[_Draft] = []
    early: list[str] = []
    for tag, value in fields:
        current = drafts[-1] if drafts else None
        if tag == "FAU":
            family, _, given = value.partition(",")
            drafts.append(_Draft(family=family.strip(), given=given.strip()))
        elif tag == "AU":
            suffix = _SUFFIX.search(value)
            if suffix:  # "Bunn PA Jr", after "FAU - Bunn, Paul A Jr"
                value = value[:suffix.start()]
            kept = suffix.group(1) if suffix else ""
            family, _, initials = value.rpartition(" ") if " " in value else (value, "", "")
            if current is not None and current.family and not current.paired:
                if kept:
                    current.suffix = kept
                    given_names = current.given.split(" ")
                    if given_names[-1] == current.suffix:
                        current.given = " ".join(given_names[:-1])
                # the initials follow the FAU's family name, which may hold a space ("Van
                # Schoor", an author without initials, whose AU is the name alone)
                named = value.startswith(current.family) and (
                    value[len(current.family):len(current.family) + 1] in ("", " "))
                current.initials = value[len(current.family):].strip() if named else initials
                current.paired = True
            elif "," in value:  # "Hulse, Taylyn": ERIC's AU, with no FAU before it
                family, _, given = value.partition(",")
                drafts.append(_Draft(family=family.strip(), given=given.strip(), paired=True,
                                     suffix=kept))  # ("Hulse, Taylyn Jr")
            else:
                drafts.append(_Draft(family=family, initials=initials, paired=True, suffix=kept))
        elif tag == "CN":
            drafts.append(_Draft(collective=value, paired=True))
        elif tag == "AD":
            (early if current is None else current.affiliations).append(value)
        elif tag == "AUID" and current is not None and value.upper().startswith("ORCID"):
            given = value.split(":", 1)[-1]
            current.orcid = normalise_orcid(given)
            current.malformed_orcid = "" if current.orcid else given.strip()
    if drafts:
        drafts[0].affiliations[:0] = early
    authors = tuple(d.author() for d in drafts)
    if notes is not None:
        notes.extend(malformed_orcid_note(role, position, author, d.malformed_orcid)
                     for position, (d, author) in enumerate(zip(drafts, authors, strict=True),
                                                            start=1) if d.malformed_orcid)
    return authors


#: The tags of the investigators PubMed lists beside the byline (a study group's members,
#: PubMed XML's InvestigatorList), each as the author tag it stands for.
_INVESTIGATOR_TAGS = {"FIR": "FAU", "IR": "AU", "IRAD": "AD"}


def _investigators(fields: list[Field], notes: list[str]) -> tuple[Author, ...]:
    """FIR/IR pairs in order, each IRAD the affiliation of the investigator before it."""
    return _authors([(_INVESTIGATOR_TAGS[tag], value) for tag, value in fields
                     if tag in _INVESTIGATOR_TAGS], notes, "Investigator")


def _substance(value: str) -> Substance:
    """``0 (Biomarkers)`` or ``EC 2.7.10.1 (ErbB Receptors)``: registry number, then the name."""
    number, sep, name = value.partition(" (")
    if not sep or not name.endswith(")"):
        return Substance(name=value)
    return Substance(name=name[:-1].strip(), registry_number=number.strip())


def _heading(value: str) -> MeshHeading:
    """``Breast Neoplasms/*diagnosis/metabolism``: a '*' marks the major descriptor or qualifier."""
    descriptor, *qualifiers = value.split("/")
    return MeshHeading(
        descriptor_label=descriptor.lstrip("*").strip(), major=descriptor.startswith("*"),
        qualifiers=tuple(Qualifier(label=q.lstrip("*").strip(), major=q.startswith("*"))
                         for q in qualifiers if q.strip()))


#: A grant's acronym, which PubMed writes between its number and its agency: an NIH
#: institute's capitals ("CA", "HL"), capitals alone ("HHMI"), or a code NLM pads with "_"
#: ("MRC_", "WT_", "CRUK_").
_ACRONYM = re.compile(r"[A-Z]{2,5}_*|[A-Z]_+")


def grant(value: str) -> Grant:
    """``CA123/CA/NCI NIH HHS/United States``: grant number, acronym, agency, country. PubMed
    leaves out the parts a grant lacks but the country, which may be empty
    (``81772990/National Natural Science Foundation of China/``, ``HHMI/Howard Hughes Medical
    Institute/United States``), and a number may hold "/" itself (``101835/Z/13/Z/Wellcome
    Trust/United Kingdom``): what comes before the agency is the number, less an acronym at
    its end (read by position, "HHMI" was a grant number and "101835/Z/13" one whose acronym
    was "Z")."""
    parts = [part.strip() for part in value.split("/")]
    if len(parts) == 1:
        return Grant(grant_id=value.strip())
    *number, agency, country = parts
    if number and _ACRONYM.fullmatch(number[-1]):
        number.pop()
    return Grant(grant_id="/".join(number), agency=agency, country=country)


def _accession(value: str) -> Accession:
    """``ClinicalTrials.gov/NCT00585195`` (SI, a secondary source ID): the data bank, then its
    accession number, which may hold a "/" itself (a DOI)."""
    bank, sep, number = value.partition("/")
    return Accession(bank=bank.strip(), number=number.strip()) if sep else Accession(
        bank="", number=value)


def _comment(tag: str, value: str) -> CommentCorrection:
    """``EIN - J Hist Biol. 2022 Mar;55(1):203. PMID: 35486258`` → the notice's PMID and source."""
    note, _, pmid = value.partition("PMID:")
    return CommentCorrection(ref_type=COMMENT_TAGS[tag], pmid=pmid.strip(),
                             note=note.strip() if pmid else value)


#: ``value [kind]``; the value ends in a non-space, so the pattern does not try every split of a
#: long run of spaces (it was quadratic in them).
_ARTICLE_ID = re.compile(r"(.*\S)\s*\[(\w+)\]")


#: A DOI given as a resolver's link with no ``[kind]`` after it, as ERIC's export writes an AID
#: (``AID - http://dx.doi.org/`` and the DOI); its other links (a report's PDF) name no article.
_DOI_LINK = re.compile(r"(?:https?://)?(?:dx\.)?doi\.org/10\.\S+", re.I)


def _article_ids(fields: list[Field]) -> dict[str, str]:
    """AID/LID values by kind: ``10.3389/... [doi]``, ``PMC10393036 [pmc]``, a DOI's link
    without a kind; a DOI as ``doi_in`` reads it, as PubMed XML's."""
    ids: dict[str, str] = {}
    for value in _every(fields, "AID") + _every(fields, "LID"):
        match = _ARTICLE_ID.fullmatch(value)
        if match:
            kind = match.group(2).lower()
            ids.setdefault(kind, doi_in(match.group(1)) if kind == "doi" else match.group(1))
        elif _DOI_LINK.fullmatch(value):
            ids.setdefault("doi", doi_in(value))
    return ids


#: The most characters a section label of a structured abstract has (``_LABEL``).
LABEL_LENGTH = 100

#: A section label of a structured abstract, as PubMed writes it into AB at the start of the
#: abstract or of a sentence ("BACKGROUND: ", "MATERIALS AND METHODS: ", "RESULT(S): "): PubMed
#: XML's labels (``Label``) are in capitals, and MEDLINE text joins the sections with a space.
#: A sentence may end in a closing quotation mark ("… in the UK?' METHODS: ") or a closing
#: bracket after its full stop ("(see 2.) RESULTS: "; a bracket alone, "(n = 5) MRI: ", ends
#: none), and a section
#: in an opening bracket PubMed's XML leaves there ("… with BE. (" and then CLINICAL TRIAL
#: REGISTRATION NUMBER, PMID 26253018 in medline16n0902.xml.gz). The capitals are any
#: script's (a publisher's abstract in French labels "MÉTHODES"): ``_abstract`` keeps the
#: matches whose letters are all capitals.
#: A label is at most ``LABEL_LENGTH`` characters: unbounded, the pattern read on from every
#: sentence's start to the end of a run of sentences without a colon ("A) A) A) …", "AB' AB' …"),
#: quadratic in the abstract's length (a minute for 64,000 characters). The longest of
#: ../shared's 1,199 labels has 45 ("OUTCOME MEASUREMENTS AND STATISTICAL ANALYSIS").
_LABEL = re.compile(r"(?:^|(?<=[.?!('\"\u2019\u201d] )|(?<=[.?!][)\]] ))([^\W\d_](?:[^\W_]|[ ,&/()'-])"
                    f"{{0,{LABEL_LENGTH - 2}}}" r"(?:[^\W_]|\))): ")


#: A letter and a digit run together, as in a gene or protein's name ("HER2", "CD63", "BRCA1"),
#: which a section label never holds: "… in tumours. HER2: expression was …" is no label
#: (none of the 1,199 labels of ../shared's structured abstracts has one; "CASE STUDY 1" keeps
#: its digit apart).
_GENE_LIKE = re.compile(r"[^\W\d_]\d|\d[^\W\d_]")


def _is_label(candidate: str) -> bool:
    return (candidate.isupper() and sum(c.isupper() for c in candidate) > 2
            and not _GENE_LIKE.search(candidate))


#: An abbreviation whose full stop ends no sentence ("e.g. DNA: ", "Smith et al. NMR: "), just
#: before where a label would begin: what follows is no label, as the PubMed XML of such an
#: abstract without labels gives it (one AbstractText). Looked for in the few characters
#: before each label found (``_ABBREVIATED``): the reader stays linear.
_ABBREVIATION = re.compile(r"(?<![^\W_])(?:e\.g|i\.e|vs|cf|et al|viz|approx|Figs?)\. $",
                           re.IGNORECASE)

#: The most characters ``_ABBREVIATION`` reads before a label.
_ABBREVIATED = 8


def _abstract(text: str) -> tuple[AbstractSection, ...]:
    """An AB (or OAB) line as the sections of PubMed XML's Abstract, which MEDLINE text joins
    with a space, each labelled one after its label: split at each label that begins the
    abstract or a sentence, each section with its label, and what comes before the first
    label a section without one ("In mice … METHODS: …" was one section where the XML gives
    an unlabelled AbstractText and the labelled ones after it). A label is in capitals, at
    least three of them, with no letter and digit run together, and not after an abbreviation
    ("e.g. DNA: "); an abstract with none is one section."""
    found = [m for m in _LABEL.finditer(text) if _is_label(m.group(1)) and not (
        _ABBREVIATION.search(text, max(0, m.start() - _ABBREVIATED), m.start()))]
    starts = [m.start() for m in found] + [len(text)]
    sections = [AbstractSection(text=text[:starts[0]].strip())]
    sections += [AbstractSection(text=text[m.end():end].strip(), label=section_label(m.group(1)))
                 for m, end in zip(found, starts[1:], strict=True)]
    return tuple(section for section in sections if section.text)


def _other_abstracts(fields: list[Field]) -> tuple[OtherAbstract, ...]:
    """The OAB abstracts, each with the language of its OABL line: the n-th OABL is the n-th
    OAB's when there is one for each; else which is whose is not known, and none has one.
    Each OAB opens with its kind, PubMed XML's Type ("OAB - Publisher: …"), which is not its
    text (the pointer "Publisher: Abstract available from the publisher." was an abstract)."""
    texts, languages = _every(fields, "OAB"), _every(fields, "OABL")
    if len(languages) != len(texts):
        languages = [""] * len(texts)
    found = []
    for text, language in zip(texts, languages, strict=True):
        kind, colon, rest = text.partition(": ")
        if not (colon and kind in OTHER_ABSTRACT_TYPES):
            kind, rest = "", text
        found.append(OtherAbstract(_abstract(rest), language, kind))
    return tuple(found)


def _article(fields: list[Field], where: Provenance) -> Article:
    ids = _article_ids(fields)
    if manuscript := _first(fields, "MID"):  # the NIH manuscript, PubMed XML's "mid" ArticleId
        ids.setdefault("mid", manuscript)
    types = tuple(PublicationType(label=v) for v in _every(fields, "PT"))
    comments = tuple(_comment(tag, value) for tag, value in fields
                     if tag in COMMENT_TAGS and value)
    history = _history(fields)
    languages = _every(fields, "LA")
    notes: list[str] = []
    authors, investigators = _authors(fields, notes), _investigators(fields, notes)
    return Article(
        pmid=_first(fields, "PMID"), pmcid=_first(fields, "PMC") or ids.get("pmc", ""),
        doi=ids.get("doi", ""), title=_first(fields, "TI") or _first(fields, "TT"),
        # TT beside a TI: the title in the article's language (PubMed XML's VernacularTitle)
        vernacular_title=_first(fields, "TT") if _first(fields, "TI") else "",
        abstract=_abstract(_first(fields, "AB")),
        other_abstracts=_other_abstracts(fields), copyright=_first(fields, "CI"),
        language=next(iter(languages), ""), other_languages=tuple(languages[1:]),
        journal=_journal(fields), volume=_first(fields, "VI"),
        issue=_first(fields, "IP"), pages=_first(fields, "PG"),
        pub_date=iso_from_text(_first(fields, "DP")), epub_date=_yyyymmdd(_first(fields, "DEP")),
        revised_date=_yyyymmdd(_first(fields, "LR")),
        received_date=history.get("received", ""), accepted_date=history.get("accepted", ""),
        authors=authors, investigators=investigators,
        # a star marks a major keyword ("OT  - *transposable element"), as MajorTopicYN="Y"
        # does in PubMed XML, whose keyword is the text alone
        publication_types=types,
        keywords=tuple(k for k in (v.lstrip("*").strip() for v in _every(fields, "OT")) if k),
        substances=tuple(_substance(v) for v in _every(fields, "RN")),
        # NM: a supplementary concept by its name alone (PubMed XML's SupplMeshName)
        supplementary_concepts=tuple(SupplementaryConcept(name=v) for v in _every(fields, "NM")),
        mesh_headings=tuple(_heading(v) for v in _every(fields, "MH")),
        grants=tuple(grant(v) for v in _every(fields, "GR")), comments_corrections=comments,
        accessions=tuple(_accession(v) for v in _every(fields, "SI")),
        coi_statement=_first(fields, "COIS"),
        other_ids=other_ids(ids), retracted=is_retracted(types, comments),
        citation_status=_first(fields, "STAT"),
        provenance=replace(where, notes=where.notes + tuple(notes)) if notes else where)
