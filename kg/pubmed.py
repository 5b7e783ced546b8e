"""PubMed XML → ``Article``, ``Deletion`` and ``Rejected`` records, one record in memory at a time.

Reads efetch output, baseline and update files (root ``PubmedArticleSet``: ``PubmedArticle``,
``PubmedBookArticle`` and ``DeleteCitation`` children) and the older baseline (root
``MedlineCitationSet``: ``MedlineCitation`` children), plain or gzip. A file with any other root is
read only when that root wraps ``PubmedArticle``/``PubmedBookArticle`` elements (the ``<RAW_DATA>``
of some exports); otherwise one ``Rejected`` names the root found.

The parser loads no DTD, resolves no entities and uses no network. A file whose internal DTD
subset declares entities is refused before parsing (XXE / entity expansion). Malformed XML
costs the records it is in (one ``Rejected`` each, by line and PMID; a comment, CDATA section or
processing instruction never closed costs every record it swallows) and reading goes on at the
next record; malformed XML before the first record refuses the file in one ``Rejected``. In a
truncated gzip stream every whole record before the cut is read, the record the data end in is
named, and one ``Rejected`` says where they end. Records already read stay yielded.
"""

from __future__ import annotations

import codecs
import contextlib
import gzip
import itertools
import os
import re
import tempfile
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, cast

from lxml import etree

from kg.compression import end_of_text, is_gzip, not_utf8_text
from kg.plurals import counted
from kg.pubmedfields import MAPPERS, Element, element_text, pmid_version, record_pmid
from kg.records import (
    Article,
    Deletion,
    Provenance,
    Rejected,
)

Record = Article | Deletion | Rejected

KNOWN_ROOTS = ("PubmedArticleSet", "MedlineCitationSet")
#: Elements a wrapper root of another name may hold.
ARTICLE_TAGS = frozenset({"PubmedArticle", "PubmedBookArticle"})
_PROLOG_LIMIT = 1 << 20
_PROLOG_CHUNK = 1 << 12


# --- reading a file ----------------------------------------------------------------------------

def read_pubmed_xml(path: Path) -> Iterator[Record]:
    """Every record of a PubMed XML file (``.xml`` or ``.xml.gz``), in file order.

    Malformed XML ends lxml's parse; in a file with a known root every record it cost is then
    named (``Rejected``, with its line and PMID) and reading goes on at the next record.
    """
    walk = _Walk(source=path)
    try:
        line = _internal_entity_line(path)
    except (OSError, EOFError, zlib.error) as error:
        yield _unreadable(path, error, _line_data_end_on(path))
        return
    if line is not None:
        yield _entities_rejected(path, line)
        return
    with contextlib.ExitStack() as copies:
        yield from _read_resuming(path, walk, copies)


def _read_resuming(path: Path, walk: _Walk, copies: contextlib.ExitStack) -> Iterator[Record]:
    """Parse ``path``, and after each syntax error parse on from where ``_lost_records`` says.

    A gzip file is read from a gunzipped copy after its first error, so that each resumed parse
    seeks instead of decompressing the file from its start again. When its gzip data are cut
    short, the copy holds what they give: the records in it that the parse had not given yet
    (lxml reads ahead, and a syntax error there was never raised) are read from it, the one the
    data end in is named, and the file's last record says where the data end.
    """
    copied = not is_gzip(path)
    cut: Rejected | None = None
    while True:
        handle: IO[bytes] | None = None
        etree.clear_error_log()  # the thread's log, where lxml puts this parse's errors
        try:
            with _open(walk.source) as handle:
                resumed = cast(IO[bytes], _Resumed(handle, walk)) if walk.resume else None
                yield from (_read_known_root(path, resumed, walk) if resumed
                            else _read_stream(path, handle, walk))
            if walk.then is None:
                break
            # a bounded parse read the whole records before an error: what it cost comes next
            (lost, walk.resume), walk.then, walk.stop = walk.then, None, None
            yield from _rejected(path, walk, lost)
            if not walk.resume:
                break
        except etree.XMLSyntaxError as error:
            if not copied:
                copied, (walk.source, cut) = True, _gunzipped(path, copies, walk)
            yield from _lost_records(path, walk, error)
            if not walk.resume:
                break
        except _WarningsSpent:
            if not copied:
                copied, (walk.source, cut) = True, _gunzipped(path, copies, walk)
            if not _resume_after_given(walk):
                break
        except (OSError, EOFError, zlib.error) as error:
            where = handle.lines + 1 if isinstance(handle, _LineCounter) else None
            if copied or not isinstance(error, (EOFError, zlib.error)):
                yield _unreadable(path, error, where)  # a read error, or a plain file's
                return
            copied, (walk.source, cut) = True, _gunzipped(path, copies, walk)
            if walk.source == path:  # no copy could be written: say where the data end
                yield _unreadable(path, error, where)
                return
            if not _resume_after_given(walk):
                break
    if cut is not None and not walk.cut_named:  # the data end between records: say where
        yield cut


def _gunzipped(path: Path, copies: contextlib.ExitStack,
               walk: _Walk) -> tuple[Path, Rejected | None]:
    """A plain copy of the gzip file ``path`` (gone when ``copies`` closes), and, when its gzip
    data are cut short or corrupt, the ``Rejected`` that says so (``walk.cut_at``: where they
    end). ``path`` itself, read again for each resumed parse, when no copy can be written.

    The copy (in TMPDIR, several times the file's size) has no name: it is removed from its
    folder as soon as it is made and read through ``/proc/self/fd``, so that its disk space
    comes back when the process ends however it ends (a build killed with SIGKILL, or by the
    OOM killer, left a named copy of each damaged file it was reading in TMPDIR)."""
    try:
        handle, name = tempfile.mkstemp(prefix="evkg-", suffix=".xml")
    except OSError:
        return path, None
    os.unlink(name)
    copies.callback(os.close, handle)
    copy = Path(f"/proc/self/fd/{handle}")
    lines = chars = 0  # the lines of the data, and the characters of their last line
    try:
        with os.fdopen(os.dup(handle), "wb") as out, gzip.open(path, "rb") as data:
            while chunk := data.read1(1 << 20):  # read1: what the data give before they end
                out.write(chunk)
                breaks = chunk.count(b"\n")
                last = chunk[chunk.rfind(b"\n") + 1:]
                lines, chars = lines + breaks, (0 if breaks else chars) + _characters(last)
    except (EOFError, zlib.error, gzip.BadGzipFile) as error:
        walk.cut_at = (lines + 1, chars + 1)
        return copy, _unreadable(path, error, lines + 1)
    except OSError:
        return path, None
    return copy, None


_CONTINUATION_BYTES = bytes(range(0x80, 0xC0))


def _characters(utf8: bytes) -> int:
    """The characters UTF-8 bytes hold (a character cut at the end of a chunk counts once)."""
    return len(utf8.translate(None, _CONTINUATION_BYTES))


def _resume_after_given(walk: _Walk) -> bool:
    """Set ``walk.resume`` at the first record the parse had not given (False when there is
    none, or the root cannot be read past)."""
    walk.root = walk.root or _sniffed_root(walk.source)
    if not walk.root:
        return False
    walk.prolog = walk.prolog or _prolog(walk.source, walk.root)
    found, _, _ = _scan(walk.source, walk, None, None, first_only=True)
    walk.resume = found[0].start if found else None
    return walk.resume is not None


def _unreadable(path: Path, error: Exception, line: int | None) -> Rejected:
    """What ends a file that is not malformed XML: gzip data cut short or corrupt (at ``line``
    when known), or a read error."""
    if isinstance(error, (EOFError, zlib.error, gzip.BadGzipFile)):
        where = f"line {line}" if line else ""
        return Rejected(reason=f"{path}: truncated or corrupt gzip data"
                               f"{' at ' + where if where else ''}: {error}; nothing after it "
                               "could be read (the file is cut short: fetch it again)",
                        provenance=Provenance(file=str(path), position=where), records=None)
    return Rejected(reason=f"{path}: cannot read the file: {error}",
                    provenance=Provenance(file=str(path)), records=None)


def _line_data_end_on(path: Path) -> int | None:
    """The line where the gzip data of ``path`` end when they are cut short (``None`` when they
    are not, or cannot be read at all)."""
    if not is_gzip(path):
        return None
    try:
        with _open(path) as handle:
            try:
                while handle.read(1 << 16):
                    pass
            except (EOFError, zlib.error):
                return cast(_LineCounter, handle).lines + 1
    except OSError:
        return None
    return None


def _open(path: Path) -> IO[bytes]:
    """The file's bytes, gunzipped when it holds gzip data (whatever its name says)."""
    if is_gzip(path):
        return cast(IO[bytes], _LineCounter(cast(IO[bytes], gzip.open(path, "rb"))))
    return path.open("rb")


class _LineCounter:
    """A gzip stream that counts the lines it has given, so that data that end too soon (a
    truncated download) are reported at the line where they end."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.lines = 0

    def read(self, size: int = -1) -> bytes:
        # read1: the data before a truncation reach the parser (and are counted) before the
        # read that finds the end raises
        data = cast(gzip.GzipFile, self.stream).read1(size)
        self.lines += data.count(b"\n")
        return data

    def seekable(self) -> bool:
        return False

    def __enter__(self) -> _LineCounter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stream.close()


def _entities_rejected(path: Path, line: int) -> Rejected:
    return Rejected(reason=f"{path}: declares entities in an internal DTD subset (refused: XXE / "
                           "entity expansion); no record of the file was read",
                    provenance=Provenance(file=str(path), position=f"line {line}"), records=None)


def _read_stream(path: Path, handle: IO[bytes], walk: _Walk) -> Iterator[Record]:
    """Walk the parse events; each child of the root is mapped, then freed with its siblings."""
    walk.root = _plain_known_root(path) or ""
    if walk.root:
        yield from _read_known_root(path, handle, walk)
        return
    events = etree.iterparse(handle, events=("start", "end"), resolve_entities=False,
                             no_network=True, load_dtd=False, huge_tree=False,
                             dtd_validation=False)
    depth, wrapper = 0, False
    root: Element = None
    walk.new_parse()
    for event, elem in events:
        if event == "start":
            depth += 1
            if depth == 1:
                root = elem
                if root.tag in KNOWN_ROOTS:
                    walk.root = root.tag  # malformed XML is read past, as in the fast walk
                if _dtd_entities(elem):
                    yield _entities_rejected(path, elem.sourceline or 1)
                    return
            elif depth == 2 and root.tag not in KNOWN_ROOTS and not wrapper:
                if elem.tag not in ARTICLE_TAGS:
                    yield _root_rejected(path, root)
                    return
                wrapper = True
                if isinstance(root.tag, str) and not root.tag.startswith("{"):
                    walk.root = root.tag  # a plain wrapper: malformed XML is read past
            continue
        depth -= 1
        if depth > 1 and walk.root and elem.tag in RECORD_TAGS:  # (every element ends here)
            _note_nested(path, elem, walk)
        elif depth == 1:
            yield from _nested_named(walk)
            _note_warnings(walk, events, elem)
            walk.count += 1
            walk.records += elem.tag in _counted(walk.root or str(root.tag))
            walk.given += 1
            yield from _record(path, elem, str(root.tag), walk)
            elem.clear(keep_tail=False)
            while elem.getprevious() is not None:
                del elem.getparent()[0]
        elif depth == 0 and elem.tag not in KNOWN_ROOTS and not wrapper:
            yield _root_rejected(path, root)


#: The records of each known root (of any other, a wrapper's: PubmedArticleSet's), which the
#: walks count and the scan after an error finds by their start and end tags.
_RECORD_NAMES = {"PubmedArticleSet": ("PubmedArticle", "PubmedBookArticle", "DeleteCitation"),
                 "MedlineCitationSet": ("MedlineCitation", "DeleteCitation")}
#: The children of a known root that are records (anything else is reported as unexpected).
RECORD_TAGS = tuple(dict.fromkeys(name for names in _RECORD_NAMES.values() for name in names))


def _read_known_root(path: Path, handle: IO[bytes], walk: _Walk) -> Iterator[Record]:
    """The fast walk for a file whose root is known: only the end events of record elements.

    Gives the same records as the general walk: a child of the root of another kind (or a
    comment's neighbour that is an element) is still numbered and reported, in file order, when
    the next record or the end of the file shows it; a record element deeper in the tree (the
    ``MedlineCitation`` inside each ``PubmedArticle``) belongs to its record and is skipped.
    ``walk`` keeps the count of records given, for ``_lost_records``.
    """
    events = etree.iterparse(handle, events=("end",), tag=RECORD_TAGS, resolve_entities=False,
                             no_network=True, load_dtd=False, huge_tree=False,
                             dtd_validation=False)
    root: Element = None
    last: Element = None  # the record handled last, cleared but kept as an anchor
    walk.new_parse()
    for _, elem in events:
        if root is None:
            root = elem.getroottree().getroot()
            if not walk.resume and _dtd_entities(root):
                yield _entities_rejected(path, root.sourceline or 1)
                return
        parent = elem.getparent()
        if parent is not root:
            _note_nested(path, elem, walk)
            continue
        _note_warnings(walk, events, elem)
        for other in _elements_between(last, elem):
            walk.count += 1
            yield from _record(path, other, walk.root, walk)
        yield from _nested_named(walk)
        walk.count += 1
        walk.records += elem.tag in _counted(walk.root)
        walk.given += 1
        yield from _record(path, elem, walk.root, walk)
        elem.clear(keep_tail=False)
        while elem.getprevious() is not None:
            del parent[0]
        last = elem
    if root is None:  # no record at all: the checks of the root happen now
        root = events.root
        if not walk.resume and _dtd_entities(root):
            yield _entities_rejected(path, root.sourceline or 1)
            return
    for other in _elements_between(last, None, root):
        walk.count += 1
        yield from _record(path, other, str(root.tag), walk)


def _note_nested(path: Path, elem: Element, walk: _Walk) -> None:
    """Note ``elem``, an element that ended below the root's children, if it is a record inside
    another record (``<PubmedArticle>`` in a ``<PubmedArticle>``), which PubMed's files never
    hold: it was dropped in silence, and the scan after a later error, which counts the file's
    record start tags, resumed one record off (a record read twice, another never). It is
    named when the record it is in ends (``_nested_named``): a record whose end tag is missing
    holds the records after it until the error, which reads them again (one inside an element
    that is no record is named with that element's)."""
    counted = _counted(walk.root)
    if elem.tag in counted and any(a.tag in counted for a in elem.iterancestors()
                                   if a.getparent() is not None):
        line = walk.line(elem)
        walk.nested.append(Rejected(
            reason=f"{path}: a {elem.tag} inside another record, at line {line} (PubMed's "
                   "records are not nested): it is not read",
            provenance=Provenance(file=str(path), position=f"line {line}"), pmid=record_pmid(elem)))


def _nested_named(walk: _Walk) -> Iterator[Rejected]:
    """The records noted inside the record that ends now, each counted among those handled."""
    for rejected in walk.nested:
        walk.records += 1
        yield rejected
    walk.nested.clear()


def _elements_between(last: Element, elem: Element, root: Element = None) -> list[Element]:
    """The child elements of the root after ``last`` and before ``elem`` (to the end if None)."""
    if elem is not None:
        found = []
        for sibling in elem.itersiblings(preceding=True):
            if sibling is last:
                break
            if isinstance(sibling.tag, str):
                found.append(sibling)
        found.reverse()
        return found
    siblings = last.itersiblings() if last is not None else iter(root)
    return [s for s in siblings if isinstance(s.tag, str)]


def _plain_known_root(path: Path) -> str | None:
    """The root's name when its start tag is a known root with no namespace declaration on it
    (so the fast walk applies); None when a refused prolog or anything unusual takes the
    general walk."""
    found = _root_start(path)
    if found is None:
        return None
    start, _ = found
    name = start.group(1).decode("ascii", "replace")
    return name if name in KNOWN_ROOTS and b"xmlns" not in start.group(2) else None


def _sniffed_root(path: Path) -> str:
    """The root a parse that failed before giving any event would have read past malformed XML
    in: a known root with no namespace declaration, or a plain wrapper whose first child is a
    ``PubmedArticle`` or ``PubmedBookArticle``; else ''."""
    found = _root_start(path)
    if found is None or _DEFAULT_NAMESPACE.search(found[0].group(2)) or b":" in found[0].group(1):
        return ""  # a namespaced root: its name is not the plain one
    start, data = found
    name = start.group(1).decode("ascii", "replace")
    if name in KNOWN_ROOTS:
        return name
    child = _CHILD_START.match(data, start.end())
    wraps = child is not None and child.group(1).decode("ascii", "replace") in ARTICLE_TAGS
    return name if wraps else ""


def _root_start(path: Path) -> tuple[re.Match[bytes], bytes] | None:
    """The root's start tag and the data it was found in (the file's first bytes, at most
    1 MiB); None when the prolog declares entities or no start tag is found there."""
    data = b""
    with _open(path) as handle:
        while len(data) < _PROLOG_LIMIT and (chunk := handle.read(_PROLOG_CHUNK)):
            data += chunk
            for token in _PROLOG_TOKEN.finditer(data):
                if token.group() == b"<!ENTITY":
                    return None
                if token.group()[:1] == b"<" and token.group()[1:2] not in (b"?", b"!"):
                    start = _ROOT_START.match(data, token.start())
                    if start is None:
                        break  # the start tag is not complete yet: read on
                    return start, data
    return None


_DEFAULT_NAMESPACE = re.compile(rb"\bxmlns\s*=")
#: The first element start tag after the root's (comments and processing instructions skipped).
_CHILD_START = re.compile(rb"(?:[^<]|<!--.*?-->|<\?.*?\?>)*<([A-Za-z_:][^\s/>]*)", re.S)
#: A root start tag: its name and its attributes, up to the closing ``>``.
_ROOT_START = re.compile(rb"<([A-Za-z_:][^\s/>]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.S)


def _root_rejected(path: Path, root: Element) -> Rejected:
    return Rejected(reason=f"{path}: root element <{root.tag}> is not PubmedArticleSet or "
                           "MedlineCitationSet (nor a wrapper of PubmedArticle elements)",
                    provenance=Provenance(file=str(path), position=f"line {root.sourceline}"),
                    records=None)


def _dtd_entities(root: Element) -> bool:
    """Second line of defence: lxml's view of the internal subset, at the root start tag."""
    dtd = root.getroottree().docinfo.internalDTD
    return dtd is not None and any(True for _ in dtd.iterentities())


def _position(number: int, line: int) -> str:
    return f"record {number}, line {line}" if line else f"record {number}"


#: How many PMIDs the quarantine reason of an element that is no record names.
_NAMED = 10


def _held_records(elem: Element) -> tuple[int, list[str]]:
    """How many records (``MedlineCitation``, ``BookDocument``) are inside ``elem``, an element
    that is no record, and the PMIDs of those that give one."""
    pmids = [element_text(next(held.iterchildren("PMID"), None))
             for held in elem.iter("MedlineCitation", "BookDocument")]
    return len(pmids), [pmid for pmid in pmids if pmid]


def _held_deletions(elem: Element) -> list[str]:
    """The PMIDs, not empty, the ``DeleteCitation`` elements inside ``elem`` name."""
    return [pmid for pmid in (element_text(p) for held in elem.iter("DeleteCitation")
                              for p in held.iterchildren("PMID")) if pmid]


def _counted_pmids(count: int, pmids: list[str]) -> str:
    """``count`` records or deletions and the PMIDs of those that give one: "2, PMID 1 and 1
    without a PMID", the first ``_NAMED`` of more."""
    if not pmids:
        return f"{count}, none with a PMID"
    more = f" and {len(pmids) - _NAMED} more" if len(pmids) > _NAMED else ""
    named = f"PMID{'s' if len(pmids) > 1 else ''} {', '.join(pmids[:_NAMED])}{more}"
    lacking = count - len(pmids)
    return f"{count}, {named}" + (f" and {lacking} without a PMID" if lacking else "")


def _not_read(elem: Element) -> tuple[str, str]:
    """The end of a quarantine reason naming the records and deletions inside ``elem``, an
    element that is no record, which are not read; and the first of their PMIDs, if any."""
    count, records = _held_records(elem)
    deletions = _held_deletions(elem)
    said = [f"the records it holds are not read ({_counted_pmids(count, records)})"] \
        if count else []
    if deletions:
        said.append("the deletions it holds are not applied "
                    f"({_counted_pmids(len(deletions), deletions)})")
    return (": " + "; ".join(said) if said else ""), next(iter(records), "")


def _record(path: Path, elem: Element, root: str, walk: _Walk) -> Iterator[Record]:
    """The record ``elem`` (numbered ``walk.count``) as an Article, Deletions or a Rejected."""
    number = walk.count
    where = Provenance(file=str(path), position=_position(number, walk.line(elem)))
    tag = elem.tag
    if tag == "DeleteCitation":
        if next(elem.iter("PMID"), None) is None:
            yield Rejected(reason=f"{path}: DeleteCitation lists no PMID: it deletes nothing",
                           provenance=where)
        for pmid in elem.iter("PMID"):
            spot = Provenance(file=str(path), position=_position(number, walk.line(pmid)))
            if not element_text(pmid):
                yield Rejected(reason=f"{path}: DeleteCitation with an empty PMID", provenance=spot)
                continue
            try:  # a deletion names the version it deletes: a later one stays
                version = None if pmid.get("Version") is None else pmid_version(pmid)
            except ValueError as error:
                yield Rejected(reason=f"{path}: DeleteCitation: {error}", provenance=spot,
                               pmid=element_text(pmid))
                continue
            yield Deletion(pmid=element_text(pmid), provenance=spot, version=version)
        return
    mapper = MAPPERS.get(tag)
    if mapper is None:
        held, pmid = _not_read(elem)
        yield Rejected(reason=f"{path}: unexpected element <{tag}> in <{root}>{held}",
                       provenance=where, pmid=pmid)
        return
    if walk.warned and (entities := _undefined_entities(elem, walk)):
        yield Rejected(
            reason=f"{path}: {tag} uses the undefined entit{'ies' if len(entities) > 1 else 'y'} "
            f"{', '.join(entities)} (PubMed's XML has none: write the character itself or a "
            "numeric reference such as &#233;)",
            provenance=where, pmid=record_pmid(elem))
        return
    try:
        article = mapper(elem, where)
    except Exception as error:  # one bad record must not end the file
        yield Rejected(reason=f"{path}: {tag} could not be read: {type(error).__name__}: {error}",
                       provenance=where, pmid=record_pmid(elem))
        return
    if not article.pmid:
        yield Rejected(reason=f"{path}: {tag} has no PMID", provenance=where, title=article.title)
        return
    yield article


def _undefined_entities(elem: Element, walk: _Walk) -> list[str]:
    """The undefined entities the record ``elem`` uses: ``&name;`` of each reference in its
    text, and of each the parser warned of on its lines beyond those (one in an attribute's
    value, which libxml2 drops from the value, leaving no reference), with its line."""
    references: Counter[str] = Counter()
    first = last = walk.line(elem)
    for node in elem.iter():
        if isinstance(node, etree._Entity):
            references[str(node.name)] += 1
        last = max(last, walk.line(node))
    # those on its last line may be the next record's too (it may start there): they stay
    warned = [(line, name) for line, name in walk.entity_warnings if first <= line <= last]
    walk.entity_warnings = [w for w in walk.entity_warnings if w[0] >= last]
    named = {name: f"&{name};" for name in references}
    unmatched = references.copy()
    for line, name in warned:
        if unmatched[name] > 0:
            unmatched[name] -= 1
        elif name not in named and first < line <= last:
            # only a line of the record's own: where records share a line (a file written on
            # one line) a warning cannot be told to be this record's (lxml reads ahead, so the
            # next record's may be logged already), and every record there was quarantined
            named[name] = f"&{name}; (in an attribute, line {line})"
    return [named[name] for name in sorted(named)]


def _note_warnings(walk: _Walk, events: etree.iterparse, elem: Element) -> None:
    """Once the parser has warned (an entity the DTD would define, which lxml keeps as a
    reference since the DTD is not loaded), every later record is searched for references,
    and its lines for the warnings of entities in attributes (which keep no reference).

    libxml2 stops warning after ``_WARNING_CAP`` warnings in one parse: a record that starts
    after the last of them ends the parse (``_WarningsSpent``), and reading goes on at it in a
    new one, whose warnings are counted anew."""
    log = events.error_log
    if len(log) > walk.logged:
        walk.warned = True
        for entry in itertools.islice(log, walk.logged, None):
            if entry.level_name == "WARNING" and (named := _UNDEFINED.match(entry.message)):
                walk.entity_warnings.append((entry.line + walk.shift, named.group(1)))
                walk.warnings += 1
                walk.warned_to = entry.line + walk.shift
        walk.logged = len(log)
    if (walk.warnings >= _WARNING_CAP and walk.given and walk.root
            and walk.line(elem) > walk.warned_to):
        raise _WarningsSpent


#: libxml2's ``XML_MAX_ERRORS``: the warnings it gives in one parse (2.13 on).
_WARNING_CAP = 100
#: libxml2's warning of an undefined entity (a reference the DTD it does not load would define).
_UNDEFINED = re.compile(r"Entity '([^']+)' not defined")


class _WarningsSpent(Exception):
    """The parser gives no more warnings: reading goes on in a new parse."""


# --- reading on after malformed XML ------------------------------------------------------------

@dataclass(frozen=True)
class _Start:
    """A record start tag found by pattern: its ordinal among the file's record start tags, its
    line, its column in bytes and in characters, and its byte offset in the (gunzipped) file."""

    ordinal: int
    line: int
    column: int
    chars: int
    offset: int


@dataclass(frozen=True)
class _Lost:
    """The records a syntax error cost, each by whether it is a DeleteCitation and by its PMIDs
    and their lines (a record's own PMID, or each PMID a DeleteCitation lists; its start tag's
    line and "" when none was found), the error's message and line, and whether the error is
    the end of cut gzip data (which the file's last record names)."""

    records: tuple[tuple[bool, tuple[tuple[int, str], ...]], ...]
    message: str
    line: int
    cut: bool = False
    #: the file ends where the error is: the records it held after it are not known
    unread: bool = False


@dataclass
class _Walk:
    """Where a file's reading stands: records numbered so far (``count``, unexpected elements
    included), record elements handled (``records``: those the scan after an error counts), and
    where a resumed parse started."""

    #: the file read: the path, or after an error in a gzip file its gunzipped copy
    source: Path = Path()
    root: str = ""
    count: int = 0
    records: int = 0
    #: the record start tag a resumed parse starts at
    resume: _Start | None = None
    #: the offset a bounded parse ends at: it re-reads the whole records an error came after
    stop: int | None = None
    #: after a bounded parse: what the error cost, and where reading goes on
    then: tuple[_Lost, _Start | None] | None = None
    #: the parser has warned: records may hold undefined entity references
    warned: bool = False
    #: this parse's warnings of undefined entities (file line, name) not yet past; the log
    #: entries read, the warnings and the line of the last; and the records given
    entity_warnings: list[tuple[int, str]] = field(default_factory=list)
    logged: int = 0
    warnings: int = 0
    warned_to: int = 0
    given: int = 0
    #: (line, column) where a gzip file's data end when they are cut short, else None
    cut_at: tuple[int, int] | None = None
    #: (line, column) just after the file's text, found at its first error (``end_of_text``)
    text_end: tuple[int, int] | None = None
    #: a record the data end in was named as lost there: the file's own note would count the
    #: cut a second time, as a record it is not
    cut_named: bool = False
    #: the file's bytes to the end of the root start tag: a resumed parse reads them first, so
    #: that its DOCTYPE, encoding and namespaces hold
    prolog: bytes = b""
    #: records found inside the record being read, named when it ends (``_note_nested``)
    nested: list[Rejected] = field(default_factory=list)

    def new_parse(self) -> None:
        """A parse starts: its log is a new one (and the records noted inside a record that
        did not end are read again)."""
        self.entity_warnings, self.logged, self.warnings, self.given = [], 0, 0, 0
        self.nested.clear()

    def end_of_text(self, path: Path) -> tuple[int, int]:
        """``end_of_text(path)``, read once however many errors the file has."""
        if self.text_end is None:
            self.text_end = end_of_text(path)
        return self.text_end

    def at_cut(self, line: int, column: int) -> bool:
        """Whether an error at (line, column) is the end of cut gzip data, not malformed XML."""
        return self.cut_at is not None and (line, column) >= self.cut_at

    @property
    def head_lines(self) -> int:
        """The lines a resumed parse reads before the record it resumed at (the prolog's)."""
        return self.prolog.count(b"\n") + 1

    @property
    def shift(self) -> int:
        """What to add to a line of the parse to have the file's: a resumed parse's first line
        after the prolog is the file's line it resumed at."""
        return self.resume.line - self.head_lines - 1 if self.resume else 0

    def line(self, elem: Element) -> int:
        """The line of ``elem`` in the file (0 when lxml does not know it)."""
        return int(elem.sourceline) + self.shift if elem.sourceline else 0


class _Resumed:
    """The file from a record start tag on (to ``walk.stop`` if set, then the root's end tag),
    after the file's prolog and root start tag and a line break."""

    def __init__(self, handle: IO[bytes], walk: _Walk) -> None:
        assert walk.resume is not None
        self.handle = handle
        data = b""
        skipped = 0
        if handle.seekable():  # a plain file (gzip data is read through to the offset)
            skipped = handle.seek(walk.resume.offset)
        while skipped + len(data) <= walk.resume.offset:  # skip to the record's start tag
            skipped += len(data)
            if not (data := handle.read(1 << 16)):
                raise EOFError("the file ended before the record reading was to resume at")
        data = data[walk.resume.offset - skipped:]
        self.left = None if walk.stop is None else walk.stop - walk.resume.offset
        self.head = walk.prolog + b"\n"
        self.body = data
        self.tail = f"</{walk.root}>".encode() if walk.stop is not None else b""

    def read(self, size: int = -1) -> bytes:
        if self.head:
            data, self.head = self.head, b""
            return data
        data, self.body = (self.body, b"") if self.body else (self.handle.read(size), b"")
        if self.left is not None:
            data = data[:self.left]
            self.left -= len(data)
        if data:
            return data
        data, self.tail = self.tail, b""
        return data


_DECLARATION = re.compile(rb"\A(?:\xef\xbb\xbf)?<\?xml[^>]*\?>")
_ENCODING = re.compile(rb"""\bencoding\s*=\s*["']\s*([\w.:-]+)""")
#: A record's own PMID.
_PMID = rb"<PMID[^>]*>\s*(\d+)\s*<"


def _counted(root: str) -> tuple[str, ...]:
    return _RECORD_NAMES.get(root, _RECORD_NAMES["PubmedArticleSet"])


@lru_cache(maxsize=4)
def _record_tags(root: str) -> re.Pattern[bytes]:
    """A record start tag; an end tag (group 1, group 2 its ``>`` if on the same line); a PMID."""
    tags = "|".join(_counted(root)).encode()
    return re.compile(rb"<(?:" + tags + rb")[\s>/]|(</(?:" + tags + rb")\s*)(>?)|" + _PMID)


def _lost_records(path: Path, walk: _Walk, error: etree.XMLSyntaxError) -> Iterator[Rejected]:
    """One ``Rejected`` for every record malformed XML cost, named by its line and PMID, and in
    ``walk`` where reading goes on (``walk.resume`` ``None`` when nowhere).

    The parse gave ``walk.records`` records; of those whose start tags (found by pattern, outside
    comments, CDATA sections and processing instructions) come after them and before the error,
    the whole ones (their end tag before the error: lxml may not have given them, as it gives no
    event of the data it read with the error) are read again by a parse bounded to end after the
    last of them, and the one the error is in is lost. Reading then goes on at the first start
    tag at or after the error (a tag the same error was found at again counts as lost). When a
    bounded parse fails, every record in it that it did not give is lost too.
    """
    line, column, what = _error_place(error, walk)
    message = f"malformed XML at line {line}, column {column}: {what}"
    unread = False  # the file ends where the error is: what records it held after it is not known
    if walk.at_cut(line, column):  # the end of the data, not a syntax error
        message = (f"the file's gzip data end at line {line}, inside it (the file is cut short: "
                   "fetch it again)")
        unread = True
    elif (line, column) >= walk.end_of_text(path) and not what.startswith(_MISMATCH):
        # plain XML that stops inside a record (an end tag that does not match was read whole:
        # at the end of a file without a final line break, it is not the file cut short)
        message = (f"the file's XML ends at line {line}, inside it (the file is cut short: "
                   "fetch it again)")
        unread = True
    elif what.startswith(_NOT_UTF8) and (byte := _not_utf8_byte(walk, line)) is not None:
        message = not_utf8_text(byte, line, column, utf8="PubMed's XML is UTF-8")
    walk.root = walk.root or _sniffed_root(walk.source)
    if not walk.root:  # not a known root nor a plain wrapper of PubmedArticle elements
        walk.resume = None
        read = f"after record {walk.count}" if walk.count else "of the file"
        yield Rejected(reason=f"{path}: {message}; reading stopped there: nothing {read} was read",
                       provenance=Provenance(file=str(path), position=f"line {line}"), records=None)
        return
    walk.prolog = walk.prolog or _prolog(walk.source, walk.root)
    if not walk.count and walk.resume is None and _in_prolog(walk.prolog, line, column):
        # each resumed parse would read the same prolog and fail there again: one entry says
        # so, and how many records it cost (one each would say the same thing many times)
        held = len(_scan(walk.source, walk, None, None)[0])
        walk.resume = None
        yield Rejected(reason=f"{path}: {message}, before the first record: the file is refused "
                              f"(none of the {counted(held, 'record')} it holds was read: mend the file or "
                              "fetch it again)",
                       provenance=Provenance(file=str(path), position=f"line {line}"),
                       records=held)
        return
    if walk.then is not None:  # a bounded parse failed: each record it did not give is lost
        (lost, after), stop = walk.then, walk.stop
        walk.then = walk.stop = None
        found, _, _ = _scan(walk.source, walk, None, stop)
        # named by the first error (the bounded parse's may be its own end, after an unclosed
        # record)
        yield from _rejected(path, walk, _Lost(_named(found) + lost.records, lost.message, lost.line,
                                               lost.cut, lost.unread))
        walk.resume = after
        return
    found, after, unclosed = _scan(walk.source, walk, (line, column), None)
    if unclosed is not None and not walk.at_cut(line, column) and (
            unclosed.line, unclosed.column) <= (line, column):
        # libxml2 names the end of the file, where it gave up looking for the construct's end
        line, column = unclosed.line, unclosed.column
        message = (f"malformed XML at line {line}, column {column}: {_UNCLOSED[unclosed.closer]} "
                   f"opened there is never closed, so the rest of the file is in it ({what})")
        unread = False  # the records it swallowed are each named
    if not found and after is None and what.startswith(f"Premature end of data in tag {walk.root} "):
        message = (f"the XML ends at line {line} before the root's end tag </{walk.root}>: the file "
                   f"is cut short after record {walk.count} (each record before it was read; any "
                   "after it are lost: fetch it again)")
        unread = True
    if unclosed is None and (unopened := _unclosed_record(found)):
        # a record without its end tag nests the records after it in it, and libxml2 finds the
        # mismatch only at the root's end tag: that record is lost, the next ones are read
        found, after = found[:unopened], found[unopened].start
        line, opened = found[-1].start.line, found[-1].start.chars + 1
        message = (f"malformed XML at line {line}, column {opened}: the record that starts there "
                   f"has no end tag before the next record starts, at line {after.line}, column "
                   f"{after.chars + 1}")
        unread = False
    whole = max((i + 1 for i, record in enumerate(found) if record.end is not None), default=0)
    lost = _Lost(_named(found[whole:]), message, line, walk.at_cut(line, column), unread)
    if not whole:
        walk.resume = after
        yield from _rejected(path, walk, lost)
        return
    walk.then = (lost, after)
    walk.resume, walk.stop = found[0].start, found[whole - 1].end


def _unclosed_record(found: list[_Found]) -> int:
    """The place in ``found`` of the record after the first one whose end tag does not come
    before the next record's start tag (0 when each does)."""
    return next((i + 1 for i, record in enumerate(found[:-1]) if record.end is None), 0)


#: How libxml2 names an end tag that is not the open element's.
_MISMATCH = "Opening and ending tag mismatch"
#: How libxml2 (2.9 to 2.14) names bytes that are not text in the file's encoding.
_NOT_UTF8 = ("Invalid bytes in character encoding", "Input is not proper UTF-8",
             "Incomplete UTF-8 sequence")


def _not_utf8_byte(walk: _Walk, line: int) -> int | None:
    """The byte that is not UTF-8 a parse failed at on the file's line ``line``, when the file
    is read as UTF-8 (it declares no other encoding), as a MEDLINE file's or a page's reason
    names it: the first such byte from where the parse started (``walk.resume``), since the
    parse stopped at it. Read in blocks from there, not the line from its start: on a file on
    one line that is another record's byte, and the whole file in memory for each error."""
    with _open(walk.source) as handle:
        if not _utf8(handle.read(200)):
            return None
    first = walk.resume or _Start(1, 1, 0, 0, 0)
    number = first.line
    decoder = codecs.getincrementaldecoder("utf-8")()
    opener = gzip.open if is_gzip(walk.source) else open
    with contextlib.suppress(EOFError, zlib.error, OSError), opener(walk.source, "rb") as data:
        data.seek(first.offset)
        while number <= line:
            block = data.read(1 << 16)
            try:
                decoder.decode(block, final=not block)
            except UnicodeDecodeError as error:  # its bytes: the decoder's held ones, then block's
                before = error.object[:error.start]
                return error.object[error.start] if (
                    number + before.count(b"\n") == line) else None
            if not block:
                break
            number += block.count(b"\n")
    return None


@dataclass
class _Found:
    """A record the parse did not give: its start tag, its PMID (a DeleteCitation's: each it
    lists) by line, and the offset just after its end tag when that comes before the error."""

    start: _Start
    deletion: bool = False
    pmids: list[tuple[int, str]] = field(default_factory=list)
    end: int | None = None
    #: the found record its start tag came inside (before that one's end tag), if any
    inside: _Found | None = field(default=None, compare=False, repr=False)


@dataclass
class _Unclosed:
    """A comment, CDATA section or processing instruction not closed at the end of a line: where
    it opened (line, 1-based column in characters), what closes it, and the records whose start
    tags it holds (lost, named, when the file ends in it)."""

    line: int
    column: int
    closer: bytes
    records: list[_Found] = field(default_factory=list)


def _scan(path: Path, walk: _Walk, error_at: tuple[int, int] | None,
          stop: int | None, *, first_only: bool = False
          ) -> tuple[list[_Found], _Start | None, _Unclosed | None]:
    """The records after the ``walk.records`` the parse gave whose start tags come before the
    error at (line, column in characters), or before the offset ``stop``; the first start tag
    at or after the error, if any and not the one the parse resumed at; and the comment, CDATA
    section or processing instruction the file ends in, if it does (after an error, the records
    it swallowed are found too, last). Read from the record start tag the parse resumed at, if
    it did, in pieces of lines (``_pieces``), so that each error costs a read of what follows
    it, even in a file on one line (a review's: 16,000 records on one line with 8,000 errors
    took 170 s, each error reading the line from its start); up to the first record found when
    ``first_only`` (a review found a file with an undefined entity in each of 12,000 records
    read in 202 s instead of 1 s: each new parse after 100 warnings read to the end)."""
    scan = _record_tags(walk.root)
    again = walk.resume.ordinal if walk.resume else 0
    first = walk.resume or _Start(1, 1, 0, 0, 0)
    columns = _Columns(_utf8(walk.prolog), first.chars)
    found: list[_Found] = []
    open_records: list[_Found] = []  # the found records whose end tags have not come, innermost last
    ending: _Found | None = None  # the record of an end tag whose ">" is awaited
    ordinal, offset, column = first.ordinal - 1, first.offset, first.column
    closer, open_end = b"", False  # a comment … not closed at a line's end; an end tag's ">" awaited
    unclosed: _Unclosed | None = None
    opener = gzip.open if is_gzip(path) else open
    with contextlib.suppress(EOFError, zlib.error, OSError), opener(path, "rb") as lines:
        lines.seek(offset)
        for number, text, new_line in _pieces(cast(IO[bytes], lines), first.line, not first.column):
            column = 0 if new_line else column  # the piece's first byte's column in its line
            columns.piece(text, new_line)
            if closer or b"<!" in text or b"<?" in text:
                raw = text
                text, closer, opened = _visible(raw, closer)
                if not closer:
                    unclosed = None
                elif opened >= 0:
                    unclosed = _Unclosed(number, columns.at(opened) + 1, closer)
                if closer and unclosed is not None:
                    _hidden_records(scan, raw, max(opened, 0), (number, column, offset), unclosed)
            if open_end and (close := text.find(b">")) >= 0:
                open_end = False
                if ending is not None and _before(error_at, number, columns.at(close + 1)):
                    ending.end = offset + close + 1
            for match in scan.finditer(text):
                if match.group(3) is not None:  # a PMID: the open record's own, if it has
                    # none; each a DeleteCitation lists, up to its end tag
                    if open_records and (not open_records[-1].pmids
                                         or open_records[-1].deletion):
                        open_records[-1].pmids.append((number, match.group(3).decode()))
                elif match.group(1) is not None:  # an end tag (of the innermost open record):
                    # whole if it ends before the error
                    open_end = not match.group(2)
                    ending = open_records.pop() if open_records else None
                    if ending is not None and not open_end and _before(error_at, number,
                                                                       columns.at(match.end())):
                        ending.end = offset + match.end()
                elif (ordinal := ordinal + 1) > walk.records:
                    chars = columns.at(match.start())
                    start = _Start(ordinal, number, column + match.start(), chars,
                                   offset + match.start())
                    if stop is not None and start.offset >= stop:
                        return _outermost(found), None, None
                    if (error_at is not None and not _before(error_at, number, chars)
                            and ordinal != again):
                        return _outermost(found), start, None
                    found.append(_Found(start, text.startswith(b"<DeleteCitation", match.start()),
                                        inside=open_records[-1] if open_records else None))
                    close = text.find(b">", match.start())
                    if close > 0 and text[close - 1:close] == b"/":  # <DeleteCitation/>: whole
                        if _before(error_at, number, columns.at(close + 1)):
                            found[-1].end = offset + close + 1
                    else:
                        open_records.append(found[-1])
                    if first_only:
                        return _outermost(found), None, None
            offset, column = offset + len(text), column + len(text)
    found = _outermost(found)
    if not closer:
        unclosed = None
    elif unclosed is not None and error_at is not None:
        found += unclosed.records
    return found, None, unclosed


def _outermost(found: list[_Found]) -> list[_Found]:
    """``found`` but the records inside another whose end tag came: each is that one's (the
    parse of it names it, ``_note_nested``); inside one whose end tag never came, it is a
    record after a missing end tag, and stays."""
    return [record for record in found if record.inside is None or record.inside.end is None]


def _hidden_records(scan: re.Pattern[bytes], raw: bytes, start: int,
                    where: tuple[int, int, int], unclosed: _Unclosed) -> None:
    """Add to ``unclosed`` the record start tags (and their PMIDs) that the piece ``raw`` of a
    line holds inside it, from the byte ``start`` on (``where``: its line, its first byte's
    column in the line and offset in the file); end tags do not count: what it holds is no
    record."""
    number, column, offset = where
    for match in scan.finditer(raw, start):
        if match.group(3) is not None:
            if unclosed.records and (not unclosed.records[-1].pmids
                                     or unclosed.records[-1].deletion):
                unclosed.records[-1].pmids.append((number, match.group(3).decode()))
        elif match.group(1) is None:
            unclosed.records.append(_Found(
                _Start(0, number, column + match.start(), 0, offset + match.start()),
                raw.startswith(b"<DeleteCitation", match.start())))


#: The bytes of a line the scan after an error reads at a time (a file may be one line).
_PIECE = 1 << 16


def _pieces(lines: IO[bytes], number: int, new_line: bool) -> Iterator[tuple[int, bytes, bool]]:
    """The lines read from ``lines`` (numbered from ``number``; ``new_line``: whether it is at a
    line's start), a line longer than ``_PIECE`` bytes in pieces: each (line number, bytes,
    whether they start the line).

    A piece ends before a start tag ("<" and neither "/", "!" nor "?"), so no tag, comment,
    CDATA section or processing instruction opener or closer, PMID element (its "<" after the
    digits is its end tag's) nor UTF-8 character is cut; a piece with no start tag in it grows
    until one comes, or its line ends."""
    held: list[bytes] = []  # the line's bytes read and not given, from its last start tag on
    while block := lines.readline(_PIECE):
        if block.endswith(b"\n"):
            yield number, b"".join([*held, block]), new_line
            held, new_line, number = [], True, number + 1
            continue
        cut = _last_start_tag(block)
        if cut < 0 or (cut == 0 and not held):
            held.append(block)
            continue
        if piece := b"".join([*held, block[:cut]]):
            yield number, piece, new_line
            new_line = False
        held = [block[cut:]]
    if held:
        yield number, b"".join(held), new_line


def _last_start_tag(block: bytes) -> int:
    """The offset of the last "<" in ``block`` that opens a start tag (-1 when none does)."""
    end = len(block) - 1  # its next byte must be in the block
    while (at := block.rfind(b"<", 0, end)) >= 0:
        if block[at + 1] not in b"/!?":
            return at
        end = at
    return -1


def _before(error_at: tuple[int, int] | None, line: int, column: int) -> bool:
    """Whether (line, column), 0-based, comes before the error's (line, 1-based column)."""
    return error_at is None or (line, column + 1) < error_at


class _Columns:
    """The characters of a line before an offset in the piece of it read (libxml2 counts
    columns in characters): those of its pieces before, counted once each, and of the piece
    up to the offset, counted on from the last offset asked, so that a line of a whole file
    costs one pass; pieces and offsets are at tag boundaries, so no character is cut.
    ``chars``: the line's characters before the first piece (where a resumed parse started)."""

    def __init__(self, utf8: bool, chars: int) -> None:
        self.utf8 = utf8
        self.before, self.text, self.offset, self.chars = chars, b"", 0, 0

    def piece(self, text: bytes, new_line: bool) -> None:
        """The next piece is read: ``text``, the start of a line when ``new_line``."""
        self.before = 0 if new_line else self.before + self._count(self.text)
        self.text, self.offset, self.chars = text, 0, 0

    def at(self, offset: int) -> int:
        if offset < self.offset:
            self.offset = self.chars = 0
        self.chars += self._count(self.text[self.offset:offset])
        self.offset = offset
        return self.before + self.chars

    def _count(self, data: bytes) -> int:
        return len(data.decode("utf-8", "replace")) if self.utf8 else len(data)


def _utf8(prolog: bytes) -> bool:
    declared = _ENCODING.search(prolog[:200])
    return declared is None or declared.group(1).lower().replace(b"_", b"-") in (b"utf-8", b"utf8")


_OPENERS = re.compile(rb"<!--|<!\[CDATA\[|<\?")
_CLOSERS = {b"<!--": b"-->", b"<![CDATA[": b"]]>", b"<?": b"?>"}


#: What the reason calls a construct left open, by what closes it.
_UNCLOSED = {b"-->": "a comment (<!--)", b"]]>": "a CDATA section (<![CDATA[)",
             b"?>": "a processing instruction (<?)"}


def _visible(text: bytes, closer: bytes) -> tuple[bytes, bytes, int]:
    """``text`` with its comments, CDATA sections and processing instructions blanked (the
    length kept), what closes the one still open at its end (``b""`` if none), and the offset
    it opened at (-1 when ``closer``, which closes one open from an earlier line, is that)."""
    out = bytearray(text)
    position, opened = 0, -1
    while True:
        if closer:
            end = text.find(closer, position)
            until = len(text) if end < 0 else end + len(closer)
            out[position:until] = b" " * (until - position)
            if end < 0:
                return bytes(out), closer, opened
            position, closer = until, b""
        opening = _OPENERS.search(text, position)
        if opening is None:
            return bytes(out), b"", -1
        closer, opened = _CLOSERS[opening.group()], opening.start()
        out[opening.start():opening.end()] = b" " * len(opening.group())
        position = opening.end()


def _prolog(path: Path, root: str) -> bytes:
    """The file's bytes to the end of its root start tag (else its XML declaration and a root
    start tag of the root's name)."""
    found = _root_start(path)
    if found is not None:
        start, data = found
        return data[:start.end()]
    with _open(path) as handle:
        declaration = _DECLARATION.match(handle.read(_PROLOG_CHUNK))
    return (declaration.group() if declaration else b"") + f"<{root}>".encode()


def _in_prolog(prolog: bytes, line: int, column: int) -> bool:
    """Whether (line, 1-based column in characters) is in ``prolog``: up to the end of the root
    start tag."""
    lines = prolog.count(b"\n") + 1
    last = prolog[prolog.rfind(b"\n") + 1:]
    chars = len(last.decode("utf-8", "replace")) if _utf8(prolog) else len(last)
    return (line, column) <= (lines, chars)


def _named(found: list[_Found]) -> tuple[tuple[bool, tuple[tuple[int, str], ...]], ...]:
    return tuple((record.deletion, tuple(record.pmids) if record.deletion and record.pmids else
                  ((record.start.line, record.pmids[0][1] if record.pmids else ""),))
                 for record in found)


def _rejected(path: Path, walk: _Walk, lost: _Lost) -> Iterator[Rejected]:
    """The ``Rejected`` of each record ``lost`` names (of the error alone when it names none);
    a DeleteCitation's, one for each PMID it lists, as a whole one gives a Deletion of each."""
    entries: list[Rejected] = []
    if not lost.records and not lost.cut:
        # (where cut gzip data end between records, the file's last record says so)
        entries.append(Rejected(reason=f"{path}: {lost.message}",
                                provenance=Provenance(file=str(path), position=f"line {lost.line}")))
    walk.cut_named = walk.cut_named or (lost.cut and bool(lost.records))
    for deletion, pmids in lost.records:
        walk.count += 1
        walk.records += 1
        for line, pmid in pmids:
            what = f" (a DeleteCitation: PMID {pmid} was not deleted)" if deletion and pmid else ""
            entries.append(Rejected(
                reason=f"{path}: record {walk.count} could not be read{what}: {lost.message}",
                provenance=Provenance(file=str(path), position=_position(walk.count, line)),
                pmid=pmid))
    if entries and lost.unread:  # the last says what else the file lost is not known
        entries[-1] = replace(entries[-1], records=None)
    yield from entries


def _error_place(error: etree.XMLSyntaxError, walk: _Walk) -> tuple[int, int, str]:
    """(line, column, what) of a syntax error in the file. lxml reports some (an undefined
    entity without a DTD) at (0, 0) as "no element found", the cause last in its error log, and
    others (6.2: the same entity) at line 1, column 1 as "Start tag expected", the cause the
    fatal error before it in its log; the line numbers libxml2 writes into its message are the
    resumed parse's own. Only the message's first line is kept: libxml2 quotes the file's text
    after some (an unterminated comment's)."""
    line, column = error.position if error.position else (error.lineno, 0)
    what = _LXML_PLACE.sub("", error.msg or "")
    log = list(cast(Any, error.error_log))
    fatal = [e for e in log if e.level_name == "FATAL" and e.line]
    if len(fatal) > 1 and fatal[-1].type_name == "ERR_DOCUMENT_EMPTY":
        line, column, what = fatal[-2].line, fatal[-2].column, fatal[-2].message
    elif not line:
        placed = [e for e in log if e.line]
        if placed:
            line, column, what = placed[-1].line, placed[-1].column, placed[-1].message
    what = what.strip().split("\n", 1)[0].strip()
    if walk.resume and line:
        if line == walk.head_lines + 1:  # the line reading resumed at, from the record start tag on
            column += walk.resume.chars
        line += walk.shift
        what = re.sub(r"\bline (\d+)", lambda m: f"line {int(m.group(1)) + walk.shift}", what)
    return line, column, what


#: The place lxml appends to libxml2's message (the reason names its own).
_LXML_PLACE = re.compile(r", line \d+, column \d+$")


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
