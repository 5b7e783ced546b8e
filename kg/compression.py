"""gzip through ISA-L (``isal``) for the files evkg writes and reads back itself: the same format
as the standard library's, several times faster.

On the N-Quads text of 10k synthetic articles ISA-L's level 1 compressed at ~1,200 MB/s where
zlib's level 1 ran at ~190 MB/s (files ~3% larger: 1/12.1 of the text against 1/12.5); it
inflated a PubMed-like XML file ~3.5× faster than zlib. Sources (``kg/pubmed.py``) are still
read with the standard library's gzip: on data cut short it hands over everything before the
cut and then raises, where ISA-L's reader raised at once and gave nothing of its last buffer,
so the records before a truncation, and the line where it is, would be lost.

Unlike zlib, ISA-L's output depends on how the text is cut into the writes it is given (the
N-Quads converter writes what each read of a pipe brought): ``gzip_writer`` hands it blocks of
one fixed size, so the same text gives the same bytes however it was written. The bytes are
the same on one machine with one ``isal``: ISA-L picks its code by the processor's features,
and another version may compress differently (as another zlib could); the checksums of a
release are of its files, not of its content.
"""

from __future__ import annotations

import codecs
import gzip
import io
import sys
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, cast

from isal import igzip

#: The size of every write the compressor gets but the last.
BLOCK = 1 << 20
#: ISA-L's gzip level of the dumps (0–3). zlib's level 6 (1/17.6 of the text) ran at ~95 MB/s:
#: at millions of articles compression was a large part of writing a release.
GZIP_LEVEL = 1


#: The first bytes of gzip data.
GZIP_MAGIC = b"\x1f\x8b"


def is_gzip(path: Path) -> bool:
    """Whether the file holds gzip data, whatever its name says."""
    with path.open("rb") as handle:
        return handle.read(2) == GZIP_MAGIC


def open_table(path: Path) -> IO[bytes]:
    """A table or XML file the user gives (``--mesh``, ``--mirbase``) opened for reading,
    gunzipped when it holds gzip data (the standard library's reader, as for sources)."""
    if is_gzip(path):
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def end_of_text(path: Path) -> tuple[int, int]:
    """The line and column (as lxml counts them) just after the last character of a file's
    text (gunzipped), where an error of a parser that ran out of text is placed: a file cut
    short. ``(sys.maxsize, 0)`` when the text has no end to be at (gzip data cut short)."""
    lines, chars = 1, 0
    decoder = codecs.getincrementaldecoder("utf-8")("replace")  # a byte not UTF-8: one character
    try:
        with open_table(path) as handle:
            while block := handle.read(1 << 16):  # a file may be one line of gigabytes
                lines += block.count(b"\n")
                if (cut := block.rfind(b"\n")) >= 0:
                    decoder.reset()
                    chars, block = 0, block[cut + 1:]
                chars += len(decoder.decode(block))
    except (EOFError, zlib.error, OSError):
        return (sys.maxsize, 0)
    return lines, chars + len(decoder.decode(b"", final=True)) + 1


def not_utf8_text(byte: int, line: int, column: int, *, utf8: str) -> str:
    """Why a file's text is not taken: its first byte that is not UTF-8, where it is, and how
    to convert a file saved in a Windows code page (``utf8``: what says the file should be,
    "PubMed's XML is UTF-8"). One wording for MEDLINE files, PubMed XML, saved pages and JSON
    Lines."""
    return (f"not UTF-8 text: byte 0x{byte:02X} at line {line}, column {column} ({utf8}; if the "
            "file was saved as Latin-1 or Windows-1252, convert it: iconv -f WINDOWS-1252 -t "
            "UTF-8)")


def read_lines(path: Path) -> Iterator[str]:
    """The lines of a UTF-8 text file the user gives (``open_table``), without the byte order
    mark a Windows editor or Excel may open it with; a line that is not UTF-8 is a ValueError
    naming the file and the line."""
    with open_table(path) as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                raise ValueError(f"{path}, line {number}: not UTF-8 text ({error.reason} at "
                                 f"byte {error.start + 1})") from None
            yield line.removeprefix("\ufeff") if number == 1 else line


def open_gzip(path: Path | str) -> IO[bytes]:
    """A gzip file opened for reading (``read1`` included)."""
    return cast(IO[bytes], igzip.open(path, "rb"))  # type: ignore[no-untyped-call]


@contextmanager
def gzip_writer(path: Path) -> Iterator[IO[bytes]]:
    """A gzip stream with no file name or time in its header, whose bytes depend on the text
    alone (reproducible)."""
    with path.open("wb") as raw, gzip_into(raw) as out:
        yield out


@contextmanager
def gzip_into(raw: IO[bytes]) -> Iterator[IO[bytes]]:
    """``gzip_writer``'s stream, into ``raw`` (left open)."""
    with (igzip.IGzipFile(  # type: ignore[no-untyped-call]
              filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=GZIP_LEVEL) as packed,
          _Blocks(cast(IO[bytes], packed)) as out):
        yield cast(IO[bytes], out)


class _Blocks(io.BufferedIOBase):
    """Hands ``sink`` what is written in blocks of ``BLOCK`` bytes (the rest on closing)."""

    def __init__(self, sink: IO[bytes]) -> None:
        super().__init__()
        self._sink = sink
        self._pending = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        self._pending += data
        whole = len(self._pending) - len(self._pending) % BLOCK
        if whole:
            with memoryview(self._pending) as view:
                for start in range(0, whole, BLOCK):
                    self._sink.write(view[start:start + BLOCK])
            del self._pending[:whole]
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._sink.write(self._pending)
            self._pending.clear()
        super().close()
