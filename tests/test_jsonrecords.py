"""evkg's own JSON-lines records: every line that is not an article is quarantined by line.

The cases are a review's fuzzing (3 Dec): each either stopped the whole build with a message that
named no file (a byte that is not UTF-8, a lone surrogate), raised a traceback (a line that is no
object), or was taken garbled (a string where a list belongs became its letters).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.jsonrecords import read_records
from kg.records import Article, Rejected
from kg.sources import read_source

#: (line, PMID quarantined with, reason).
BAD_LINES = [
    # worded as a MEDLINE file's, PubMed XML's and a page's: the byte, where, and how to convert
    (b'{"pmid": "22222222", "title": "caf\xe9"}', "",
     "not UTF-8 text: byte 0xE9 at line 2, column 35 (JSON Lines are UTF-8; if the file was saved "
     "as Latin-1 or Windows-1252, convert it: iconv -f WINDOWS-1252 -t UTF-8)"),
    (b'{"pmid": "2", "title": "\xc3\xa9\x96"}', "",  # the column counts characters
     "not UTF-8 text: byte 0x96 at line 2, column 26 (JSON Lines are UTF-8; "),
    (b"[]", "", "not an article record: expected an object (Article), got []"),
    (b'""', "", 'not an article record: expected an object (Article), got ""'),
    (b'{"pmid": "1", "title": "t", "authors": [[]]}', "1",
     "not an article record: authors: expected an object (Author), got []"),
    (b'{"pmid": "3", "title": "t", "journal": []}', "3",
     "not an article record: journal: expected an object (Journal), got []"),
    (b'{"pmid": "4", "title": "bad \\udc80 title"}', "4",
     "not an article record: a string holds a lone surrogate (an escape such as \\udc80, which "
     "is no character)"),
    (b'{"pmid": "5", "title": "T", "keywords": "exosome"}', "5",
     'not an article record: keywords: expected a list, got "exosome"'),
    (b'{"pmid": "6", "title": "T", "similar_pmids": "12345678"}', "6",
     'not an article record: similar_pmids: expected a list, got "12345678"'),
    (b'{"pmid": "7", "title": "T", "version": true}', "7",
     "not an article record: version: expected a whole number, got true"),
    (b"[" * 100_000, "", "not an article record: maximum recursion depth exceeded"),
    (b'{"pmid": "8", "title": "nul \\u0000 here"}', "8",  # a MEDLINE NUL is quarantined too
     "not an article record: a string holds U+0000 (NUL, escaped as \\u0000): not text"),
    # a record a reader refused must say why, or the quarantine lists it for no reason
    (b'{"rejected": {"reason": " ", "pmid": "9"}}', "",
     'not an article record: a "rejected" line must say why: its reason is empty'),
    (b'{"rejected": {"pmid": "9"}}', "", "not an article record: "),
    # a review's: a line's "records" took errors off --max-errors' count ("seen -3")
    (b'{"rejected": {"reason": "x", "records": -5}}', "",
     'not an article record: the "records" of a "rejected" line is how many records it stands '
     "for, a whole number from 1, or null when its file could not be read on: not -5"),
    (b'{"rejected": {"reason": "x", "records": true}}', "", "not an article record: "),
]


@pytest.mark.parametrize(("line", "pmid", "reason"), BAD_LINES,
                         ids=[str(n) for n in range(len(BAD_LINES))])
def test_a_line_that_is_no_article_is_rejected_by_its_line(tmp_path: Path, line: bytes, pmid: str,
                                                          reason: str) -> None:
    path = tmp_path / "records.jsonl"
    path.write_bytes(b'{"pmid": "11111111", "title": "Before"}\n' + line
                     + b'\n{"pmid": "33333333", "title": "After"}\n')
    before, rejected, after = read_records(path)
    assert isinstance(before, Article) and isinstance(after, Article)
    assert (before.pmid, after.pmid) == ("11111111", "33333333")
    assert isinstance(rejected, Rejected)
    assert (rejected.pmid, rejected.provenance.position) == (pmid, "line 2")
    assert rejected.reason.startswith(reason)


def test_a_byte_order_mark_opens_a_file_as_in_the_other_readers(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"pmid": "11111111", "title": "One"}\n')
    (article,) = read_records(path)
    assert isinstance(article, Article) and article.pmid == "11111111"


def test_an_escaped_backslash_before_u0000_is_text_not_a_nul(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    path.write_bytes(b'{"pmid": "11111111", "title": "a path C:\\\\u0000"}\n')
    (article,) = read_records(path)
    assert isinstance(article, Article) and article.title == "a path C:\\u0000"


def test_lines_ended_by_cr_alone_are_lines(tmp_path: Path) -> None:
    """A file saved with CR-only line ends was read as one line: one quarantined record."""
    path = tmp_path / "records.jsonl"
    path.write_bytes(b'{"pmid": "11111111", "title": "One"}\r{"pmid": "22222222", "title": "Two"}'
                     b'\r\n{"pmid": "33333333", "title": "Three"}\r')
    records = list(read_records(path))
    assert [(r.pmid, r.provenance.position) for r in records] == [
        ("11111111", "line 1"), ("22222222", "line 2"), ("33333333", "line 3")]
    assert all(isinstance(r, Article) for r in records)


def test_the_build_quarantines_each_bad_line_and_publishes_the_rest(tmp_path: Path) -> None:
    """These lines stopped the build (exit 1, no release, a message naming no file)."""
    path = tmp_path / "records.jsonl"
    path.write_bytes(b"\n".join([b'{"pmid": "11111111", "title": "Kept"}',
                                 *(line for line, _, _ in BAD_LINES)]) + b"\n")
    result = CliRunner().invoke(main, ["build", str(path), "--without-default-articles",
                                       "--out", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    assert (f"  {path}: seen {len(BAD_LINES) + 1} = mapped 1 + quarantined {len(BAD_LINES)} + "
            "deleted 0") in result.output
    assert f"quarantined: {path}, line 2: not UTF-8 text: byte 0xE9 at line 2" in result.output
    assert f"quarantined: {path}, line 8, PMID 4: not an article record: a string holds" in (
        result.output)


def test_a_record_a_reader_refused_is_saved_and_read_back_as_it_was(tmp_path: Path) -> None:
    """A reader's output saved as JSON Lines is built later (`evkg fetch` saves its batches
    so): a record the reader refused was left out of the file, so the build never listed it in
    its quarantine. It is a line {"rejected": …} now, read back with its reason and place, and
    one written by hand is placed at its line."""
    from kg.jsonrecords import write_records
    from kg.records import Provenance

    refused = Rejected(reason="batch-1.xml.gz: PubmedArticle uses the undefined entity &eacute;",
                       provenance=Provenance(file="batch-1.xml.gz", position="record 4, line 90"),
                       pmid="37769091")
    path = tmp_path / "batch.jsonl"
    write_records([Article(pmid="1", title="Kept"), refused], path)
    assert list(read_records(path)) == [
        Article(pmid="1", title="Kept",
                provenance=Provenance(file=str(path), position="line 1")), refused]
    path.write_text('{"rejected": {"reason": "unreadable", "pmid": "2"}}\n', encoding="utf-8")
    assert list(read_records(path)) == [Rejected(
        reason="unreadable", pmid="2", provenance=Provenance(file=str(path), position="line 1"))]
    # a file a fetch could not read on from is saved so, and holds back a --max-errors build
    cut = Rejected(reason="batch-2.xml.gz: truncated or corrupt gzip data", records=None,
                   provenance=Provenance(file="batch-2.xml.gz", position="line 7"))
    write_records([cut], path)
    assert list(read_records(path)) == [cut]


def test_gzip_data_named_jsonl_are_refused_once_as_gzip(tmp_path: Path) -> None:
    """A review's: a .jsonl file holding gzip data (compressed, its name kept) was read as text,
    and each of its "lines" quarantined as "not UTF-8 text: byte 0x8B …" with advice to convert
    it from Windows-1252. The file is refused once, as gzip, as a .jsonl.gz is."""
    path = tmp_path / "records.jsonl"
    path.write_bytes(gzip.compress(b'{"pmid": "11111111", "title": "One"}\n'
                                   b'{"pmid": "22222222", "title": "Two"}\n' * 50))
    (rejected,) = read_source(path)
    assert isinstance(rejected, Rejected)
    assert rejected.reason == (f"{path}: gzip data, not JSON Lines text; only PubMed XML is read "
                               "from gzip: gunzip it, and give what it gives")
