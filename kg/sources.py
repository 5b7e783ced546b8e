"""Input sources: which reader takes which file, in one table.

``iter_source_files`` expands files, folders and globs; ``read_source`` picks the reader for a
file by its name and first bytes and yields records (``Article``, ``Deletion`` or ``Rejected``).
"""

from __future__ import annotations

import glob
import os
import re
import stat
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from kg import jsonrecords, medline, pubmed, seedpage
from kg.articles import subject_iri
from kg.compression import GZIP_MAGIC, is_gzip, not_utf8_text
from kg.fetchstate import MANIFEST, Manifest
from kg.records import Article, Deletion, Provenance, Rejected, as_loaded, in_nfc, unfit_for_xml
from kg.release import is_build_folder, is_release, shown_path, within_release

Record = Article | Deletion | Rejected
Reader = Callable[[Path], Iterator[Record]]

#: File suffixes a folder is searched for.
SOURCE_SUFFIXES = (".xml", ".xml.gz", ".txt", ".nbib", ".jsonl")


def _read_page(path: Path) -> Iterator[Record]:
    try:
        yield from seedpage.read_pages(path)
    except UnicodeDecodeError as error:  # (Python's words named neither the file nor the line)
        yield _not_utf8(path, error)
    except ValueError as error:
        yield Rejected(reason=str(error), provenance=Provenance(file=str(path)), records=None)


def _not_utf8(path: Path, error: UnicodeDecodeError) -> Rejected:
    """A saved page that is not UTF-8 text, named by the line and column of its first byte
    that is not, as a MEDLINE record's are."""
    data = bytes(error.object)
    start = data.rfind(b"\n", 0, error.start) + 1
    line = data.count(b"\n", 0, error.start) + 1
    column = len(data[start:error.start].decode("utf-8-sig", "replace")) + 1
    reason = not_utf8_text(data[error.start], line, column, utf8="PubMed's pages are UTF-8")
    return Rejected(reason=f"{path}: {reason}",
                    provenance=Provenance(file=str(path), position=f"line {line}"), records=None)


#: Reader name → function. Readers of PubMed XML and MEDLINE text register here too.
READERS: dict[str, Reader] = {
    "jsonl": jsonrecords.read_records,
    "page": _read_page,
    "pubmed-xml": pubmed.read_pubmed_xml,
    "medline": medline.read_medline,
}


def head(path: Path, size: int = 2048) -> bytes:
    """The first bytes of a file, decompressed when it is gzip (by its content, not its name):
    as much as a ``.gz`` cut short holds (its reader then reports where the data end)."""
    with path.open("rb") as handle:
        raw = handle.read(1 << 16)
    if not raw.startswith(GZIP_MAGIC):
        return raw[:size]
    stream = zlib.decompressobj(wbits=31)
    try:
        data = stream.decompress(raw, size)
    except zlib.error as error:
        raise ValueError(f"{path}: corrupt gzip data ({error})") from None
    if not data and not stream.eof:
        raise ValueError(f"{path}: the gzip data end before any content (the file is cut short)")
    return data


#: How text in more than one byte a character starts: a byte-order mark, or XML's "<" without
#: one (UTF-32 before UTF-16, whose starts are theirs cut short).
_WIDE_STARTS = {b"\xff\xfe\x00\x00": "UTF-32", b"\x00\x00\xfe\xff": "UTF-32",
                b"\xff\xfe": "UTF-16", b"\xfe\xff": "UTF-16",
                b"<\x00\x00\x00": "UTF-32LE", b"\x00\x00\x00<": "UTF-32BE",
                b"<\x00": "UTF-16LE", b"\x00<": "UTF-16BE"}
#: A MEDLINE tag line: a tag of up to four capitals, padded to four, then "- ".
_MEDLINE_TAG = re.compile(rb"[A-Z][A-Z0-9]{0,3}[ \t]{0,3}-[ \t]")
#: A PMID line of MEDLINE text anywhere in the head (a saved page writes "PMID: 37534210").
_MEDLINE_PMID = re.compile(rb"^PMID[ \t]*-[ \t]*\d", re.MULTILINE)
KNOWN_FORMATS = ("PubMed XML .xml/.xml.gz, MEDLINE .txt/.nbib, a saved PubMed page .txt, or evkg "
                 "JSON Lines .jsonl")


def reader_name(path: Path) -> str:
    """Which reader takes ``path``; a ``ValueError`` says why none does."""
    name = path.name.lower()
    if name.endswith(".jsonl"):
        if is_gzip(path):  # (read as text, each of its lines was "not UTF-8 text")
            raise ValueError(f"{path}: gzip data, not JSON Lines text; only PubMed XML is read "
                             "from gzip: gunzip it, and give what it gives")
        return "jsonl"
    raw = head(path)
    for start, encoding in _WIDE_STARTS.items():
        # (the XML reader finds records by their tags' bytes to read on after malformed XML,
        # so it takes only encodings that write those as ASCII does, whatever the declaration)
        if raw.startswith(start):
            raise ValueError(f"{path}: {encoding} text; sources are read as UTF-8 (XML also in "
                             "an ASCII-compatible encoding its declaration names, such as "
                             f"ISO-8859-1): convert it, e.g. iconv -f {encoding} -t UTF-8")
    start = raw.lstrip(b"\xef\xbb\xbf \t\r\n")
    gzipped = is_gzip(path)
    if not start:
        raise ValueError(f"{path}: the file is empty" + (" (gzip of nothing)" if gzipped else ""))
    if start.startswith(b"<"):
        return "pubmed-xml"
    # MEDLINE opens with a tag line (PMID- first as PubMed writes it, OWN - or another), or
    # has a PMID line under a header a tool wrote; its reader names each record a NUL is in
    medline = name.endswith(".nbib") or (name.endswith(".txt") and (
        _MEDLINE_TAG.match(start) is not None or _MEDLINE_PMID.search(start) is not None))
    if gzipped and start.startswith(GZIP_MAGIC):  # (a server's Content-Encoding: gzip kept)
        raise ValueError(f"{path}: gzip data inside gzip data (compressed twice): gunzip it "
                         "once, and give what it gives")
    if b"\x00" in start and not medline:
        raise ValueError(f"{path}: not text (binary data: {start[:8].hex(' ')} …); not a "
                         f"known source format ({KNOWN_FORMATS})")
    if gzipped:
        raise ValueError(f"{path}: gzip data that are not XML; only PubMed XML is read from "
                         "gzip")
    if start.startswith(b"TY  - "):
        raise ValueError(f"{path}: RIS, not MEDLINE text: save from PubMed in the PubMed "
                         "format (.nbib / .txt starting PMID-), or as XML")
    if medline:
        return "medline"
    if name.endswith(".txt"):
        return "page"
    raise ValueError(f"{path}: not a known source format ({KNOWN_FORMATS})")


def read_source(path: Path) -> Iterator[Record]:
    """The records of one file; a file no reader takes (or that cannot be read) is one
    ``Rejected`` naming the file and why, so that a folder's stray file stops no build (but
    ``--max-errors``, which holds back a release whose sources could not all be read)."""
    if reason := not_a_file(path):  # (opening a pipe in a folder waited for a writer forever)
        yield Rejected(reason=reason, provenance=Provenance(file=str(path)), records=None)
        return
    try:
        name = reader_name(path)
    except ValueError as error:
        yield Rejected(reason=str(error), provenance=Provenance(file=str(path)), records=None)
        return
    except OSError as error:
        yield _unreadable(path, error)
        return
    try:
        if name == "pubmed-xml":  # (lxml refuses what XML cannot carry; its text is NFC)
            yield from READERS[name](path)
        else:
            yield from map(_fit_for_xml, READERS[name](path))
    except OSError as error:  # (the XML reader reports its own)
        yield _unreadable(path, error)


def not_a_file(path: Path) -> str | None:
    """Why ``path`` cannot be a source though it is there: a pipe (``<(zcat …)``), a device or
    a socket, whose bytes a build could read once at most (it reads a source for the version,
    then for its records); ``None`` for a file, or for a name with nothing there."""
    try:
        mode = path.stat().st_mode
    except OSError:  # (no file: its reader says why)
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return (f"{path}: a pipe or a device, not a file: a source is read more than once (for the "
            "version, then for its records): give a file (a .xml.gz is read as it is)")


def record_places(paths: Iterable[Path], wanted: set[str]) -> dict[str, str]:
    """Where the articles ``wanted`` (their IRIs) were read: file and position, as the
    quarantine names them, the later of two records of one article last. The files are read
    again, so only a failed validation asks (a build keeps no position of the records it
    loaded); with none ``wanted``, none is read."""
    if not wanted:
        return {}
    places: dict[str, list[str]] = {}
    for path in paths:
        for record in read_source(path):
            if not isinstance(record, Article) or not record.key:  # (quarantined: no IRI)
                continue
            iri = subject_iri(as_loaded(record)).value  # as the loader reads it
            if iri in wanted:
                where = record.provenance
                places.setdefault(iri, []).append(
                    ", ".join(part for part in (shown_path(where.file), where.position) if part))
    return {iri: "; ".join(found) for iri, found in places.items()}


def _fit_for_xml(record: Record) -> Record:
    """``record`` with its text in NFC (``in_nfc``, as the XML reader gives it), or a
    ``Rejected`` when an article's text holds a character XML cannot carry (a control
    character in MEDLINE text, a JSON line's ``\\u001b``): the graph's RDF/XML and SPARQL XML
    results (a page's ``?format=rdf``, ``evkg export``) would not parse with it."""
    if not isinstance(record, Article):
        return record
    article: Article = in_nfc(record)
    if where := unfit_for_xml(article):
        return Rejected(reason=f"{where}, which XML cannot carry (the graph's RDF/XML would "
                               "not parse)", provenance=article.provenance, pmid=article.pmid,
                        title=article.title)
    return article


def _unreadable(path: Path, error: OSError) -> Rejected:
    return Rejected(reason=f"{path}: cannot read the file: {error.strerror or error}",
                    provenance=Provenance(file=str(path)), records=None)


class NoSuchSource(FileNotFoundError):
    """A name given as a source that names no source file: none there, none a glob or a
    folder holds, or what cannot be one (a pipe, a device, a folder evkg built) (what was
    asked, not a file that failed to be read: the command line's usage error, exit 2, as
    ``evkg query missing.rq`` and ``--mesh <(…)``)."""


def iter_source_files(specs: Iterable[str | Path]) -> Iterator[Path]:
    """Files named directly, every source file under a folder, and glob matches, in order, each
    file once (as first named: ``a.xml ./a.xml dir/`` reads ``a.xml`` once); a folder that holds
    no source file, or that cannot be read, is an error (``OSError``)."""
    seen: set[str] = set()
    for path in _named_files(specs):
        # (not Path.resolve, which raises RuntimeError on a link that leads back to itself,
        # where realpath leaves it to its reader to quarantine, as it does a link to no file)
        if (real := os.path.realpath(path)) not in seen:
            seen.add(real)
            yield path


def _named_files(specs: Iterable[str | Path]) -> Iterator[Path]:
    for spec in specs:
        if spec == "":  # (Path("") is the current folder: `evkg ingest "$F"` with F unset
            # read every source file there, where `ls ''` and `cp '' x` find nothing)
            raise NoSuchSource("no such source: '' (an empty name)")
        path = Path(spec)
        try:
            is_dir = path.is_dir()
        except OSError as error:  # (a folder on its way that may not be searched)
            raise FileNotFoundError(f"cannot read the source {spec}: {error.strerror}") from None
        if is_dir:
            yield from _without_fetched_xml(_folder_sources(path))
        elif reason := not_a_file(path):  # (read for the version, it was "empty" for its records)
            raise NoSuchSource(reason)
        elif path.exists():
            yield path
        else:
            matches = sorted(Path(p) for p in glob.glob(str(spec), recursive=True))
            if not matches:
                raise NoSuchSource(f"no such source: {spec}")
            top = _glob_top(str(spec))
            found = [file for match in matches for file in _glob_sources(match, top)]
            if not found:
                raise NoSuchSource(f"no source files match {spec} (files named "
                                   f"{', '.join('*' + s for s in SOURCE_SUFFIXES)})")
            yield from _without_fetched_xml(found)


def _without_fetched_xml(found: list[Path]) -> list[Path]:
    """``found`` (a folder's or a glob's files) but the PubMed XML of each batch a fetch's
    ``manifest.json`` lists with its JSON Lines, when those are among ``found`` too: they hold
    the same records with their "similar" and "cited by" links, and the XML, read after them,
    replaced each record with one without links (a folder of a fetch, ingested, took 400 links
    out of the graph, in silence). A file named on its own is read whatever it is, and so is a
    file of the same name in a folder no fetch made."""
    names = {os.fspath(path) for path in found}
    paired: set[str] = set()
    for folder in {path.parent for path in found}:
        try:  # (any other manifest.json, or none, is no fetch's)
            batches = Manifest.load(folder / MANIFEST).batches
        except (OSError, ValueError, KeyError, TypeError):
            continue
        paired |= {os.fspath(folder / batch.file) for batch in batches
                   if batch.links_file and os.fspath(folder / batch.links_file) in names}
    return [path for path in found if os.fspath(path) not in paired]


def _glob_top(pattern: str) -> Path:
    """The folder a glob names before its first wildcard (``src`` of ``src/*/x*.xml``)."""
    parts = Path(pattern).parts
    return Path(*next((parts[:at] for at, part in enumerate(parts) if glob.has_magic(part)),
                      parts))


def _glob_sources(match: Path, top: Path) -> list[Path]:
    """The sources a glob's match gives: a folder's as if it were named on its own (a review
    found 'dir*' reading nothing of dir1/ and saying nothing), and a file as a folder's are:
    one named as a source (``SOURCE_SUFFIXES``) that does not lie in a release evkg wrote
    ('src/**' handed src/README.md to the readers, which quarantined it). A symbolic link to
    no file is such a file too, as in a folder: its reader quarantines it, saying why (the
    glob passed over it, and said nothing). Nor does a glob reach into a build folder below
    ``top``, the folder it names before its wildcards, as a walk of ``top`` passes over it
    ('src/**' read the batches of ``evkg fetch`` in src/build/fetch/ that src skipped)."""
    below = [match, *match.parents]
    if top in below and any(_evkg_output(folder) for folder in below[:below.index(top)]):
        return []
    if match.is_dir():
        return _folder_sources(match, required=False)
    return [match] if (match.name.lower().endswith(SOURCE_SUFFIXES)
                       and within_release(match.absolute().parent) is None) else []


def _evkg_output(folder: Path) -> bool:
    """Whether ``folder`` is a build folder or a release; not when it cannot be read (then
    ``os.walk`` names it)."""
    try:
        return is_build_folder(folder) or is_release(folder)
    except OSError:
        return False


def _folder_sources(folder: Path, *, required: bool = True) -> list[Path]:
    """Every source file under ``folder``, but none of evkg's own output: a build folder (or a
    release) under it is skipped, else a build into ``sources/build`` read the previous
    release's ``quarantine.jsonl`` as records the next time. A folder named on its own that
    holds none is an error; one a glob matched (``required=False``) gives none.

    A symbolic link to a folder is followed, as a glob's ``**`` follows it (a folder passed
    over a linked one, and said nothing, where ``'folder/**'`` read it), but not back into a
    folder the walk came through (a link to a folder above it)."""
    def unreadable(error: OSError) -> None:
        raise FileNotFoundError(f"cannot read the folder {error.filename}: {error.strerror}")

    if _evkg_output(folder):
        if not required:
            return []
        raise NoSuchSource(f"{folder} is a folder evkg built, not a folder of sources")
    found: list[Path] = []
    # the real folders each walked folder was reached through, itself included
    through = {os.fspath(folder): frozenset({os.path.realpath(folder)})}
    for top, folders, names in os.walk(folder, onerror=unreadable, followlinks=True):
        above = through.pop(top)
        kept = []
        for name in folders:
            real = os.path.realpath(os.path.join(top, name))
            if real not in above and not _evkg_output(Path(top, name)):
                through[os.path.join(top, name)] = above | {real}
                kept.append(name)
        folders[:] = kept
        found += [Path(top, name) for name in names if name.lower().endswith(SOURCE_SUFFIXES)]
    found.sort()
    if not found and required:
        raise NoSuchSource(f"no source files under {folder} (files named "
                           f"{', '.join('*' + s for s in SOURCE_SUFFIXES)})")
    return found
