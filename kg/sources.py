"""Input sources: which reader takes which file, in one table.

``iter_source_files`` expands files, folders and globs; ``read_source`` picks the reader for a
file by its name and first bytes and yields records (``Article``, ``Deletion`` or ``Rejected``).
"""

from __future__ import annotations

import glob
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from kg import jsonrecords, medline, pubmed, seedpage
from kg.records import Article, Deletion, Provenance, Rejected

Record = Article | Deletion | Rejected
Reader = Callable[[Path], Iterator[Record]]

#: File suffixes a folder is searched for.
SOURCE_SUFFIXES = (".xml", ".xml.gz", ".txt", ".nbib", ".jsonl")


def _read_page(path: Path) -> Iterator[Record]:
    try:
        yield from seedpage.read_pages(path)
    except ValueError as error:
        yield Rejected(reason=str(error), provenance=Provenance(file=str(path)))


#: Reader name → function. Readers of PubMed XML and MEDLINE text register here too.
READERS: dict[str, Reader] = {
    "jsonl": jsonrecords.read_records,
    "page": _read_page,
    "pubmed-xml": pubmed.read_pubmed_xml,
    "medline": medline.read_medline,
}


def head(path: Path, size: int = 2048) -> bytes:
    """The first bytes of a file, decompressed when it is gzip: as much as a ``.gz`` cut short
    holds (its reader then reports where the data end); a ``ValueError`` says when a ``.gz``
    is not gzip."""
    with path.open("rb") as handle:
        raw = handle.read(1 << 16)
    if not path.name.endswith(".gz"):
        return raw[:size]
    stream = zlib.decompressobj(wbits=31)
    try:
        data = stream.decompress(raw, size)
    except zlib.error as error:
        raise ValueError(f"{path}: not a gzip file, as its name says ({error})") from None
    if not data and not stream.eof:
        raise ValueError(f"{path}: the gzip data end before any content (the file is cut short)")
    return data


def reader_name(path: Path) -> str:
    """Which reader takes ``path``; a ``ValueError`` names the formats that are known."""
    name = path.name.lower()
    if name.endswith(".jsonl"):
        return "jsonl"
    start = head(path).lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"<"):
        return "pubmed-xml"
    if name.endswith((".txt", ".nbib")):
        return "medline" if start.startswith(b"PMID-") else "page"
    raise ValueError(f"{path}: not a known source format (PubMed XML .xml/.xml.gz, MEDLINE "
                     ".txt/.nbib, a saved PubMed page .txt, or evkg JSON Lines .jsonl)")


def read_source(path: Path) -> Iterator[Record]:
    name = reader_name(path)
    try:
        reader = READERS[name]
    except KeyError:
        raise ValueError(f"{path}: no reader for {name} is installed") from None
    yield from reader(path)


def iter_source_files(specs: Iterable[str | Path]) -> Iterator[Path]:
    """Files named directly, every source file under a folder, and glob matches, in order."""
    for spec in specs:
        path = Path(spec)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*")
                              if p.is_file() and p.name.lower().endswith(SOURCE_SUFFIXES))
        elif path.exists():
            yield path
        else:
            matches = sorted(Path(p) for p in glob.glob(str(spec), recursive=True))
            if not matches:
                raise FileNotFoundError(f"no such source: {spec}")
            yield from (p for p in matches if p.is_file())
