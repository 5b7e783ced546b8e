"""What a fetch keeps on disk: its folder key, the manifest, the history of completed fetches.

``kg.fetch`` drives a fetch; this module knows how its state is named and stored. Every file is
written to a temporary name and renamed, so a fetch stopped at any instant (SIGKILL included)
leaves either the old or the new version of each file, never half of one.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from kg.plurals import counted
from kg.release import sha256, sync_folder

#: Records per EFetch request (NCBI suggests a few hundred).
BATCH_SIZE = 500
#: Where the slices of a search without ``--since`` begin (records of the search that no slice
#: holds are counted in the summary), and where a ``--since`` before it begins.
FIRST_DAY = "1700/01/01"
MANIFEST, HISTORY_FILE = "manifest.json", "history.jsonl"

Echo = Callable[[str], None]


class FetchError(Exception):
    """A fetch that cannot go on; the message says why."""


@dataclass
class Slice:
    """A part of a search larger than PubMed serves: the records whose date (the manifest's
    ``datetype``) is from ``mindate`` to ``maxdate`` (YYYY/MM/DD, both included), searched on
    their own into a history of their own; or, without dates, a part of a ``--pmids`` list
    (``count`` PMIDs from position ``first``) posted on its own. ``expected``: how many of them
    are fetched."""

    mindate: str
    maxdate: str
    count: int
    webenv: str = ""
    query_key: str = ""
    expected: int = 0
    first: int = 0

    @property
    def name(self) -> str:
        """The slice in ``Batch.slice`` (and its batches' names): ``20240101-20240630``, or
        ``pmids-00010000`` (the part of a list from its 10,000th PMID)."""
        if not self.mindate:
            return f"pmids-{self.first + 1:08d}"
        return f"{self.mindate.replace('/', '')}-{self.maxdate.replace('/', '')}"


@dataclass
class Batch:
    retstart: int
    file: str
    sha256: str
    records: int
    pmids: list[str]
    links_file: str = ""
    links_sha256: str = ""
    #: The records of the batch the reader could not take ({"pmid", "reason"}): every later
    #: summary warns of them, a resumed fetch's too, without reading the batch again.
    rejected: list[dict[str, str]] = field(default_factory=list)
    #: The slice (``Slice.name``) the batch is of, "" for a search fetched whole; ``retstart``
    #: counts in it.
    slice: str = ""
    #: PMIDs of the batch that an earlier slice's batch holds (a record revised while the slices
    #: were searched is in two): left out of its ``.jsonl`` and of every count.
    duplicates: list[str] = field(default_factory=list)


@dataclass
class Manifest:
    key: str
    query: str = ""
    pmids: list[str] = field(default_factory=list)
    since: str = ""
    until: str = ""
    max_records: int | None = None
    batch_size: int = BATCH_SIZE
    started: str = ""
    count: int = 0
    expected: int = 0
    webenv: str = ""
    query_key: str = ""
    #: For a search larger than PubMed serves: the date its slices are cut by ("" when it is
    #: fetched whole, and until its slices are all searched) and the slices, oldest first.
    datetype: str = ""
    slices: list[Slice] = field(default_factory=list)
    batches: list[Batch] = field(default_factory=list)
    status: str = "fetching"
    release: str = ""
    finished: str = ""

    @classmethod
    def load(cls, path: Path) -> Manifest:
        data = json.loads(path.read_text(encoding="utf-8"))
        data["batches"] = [Batch(**b) for b in data.get("batches", [])]
        data["slices"] = [Slice(**s) for s in data.get("slices", [])]
        return cls(**data)

    def save(self, folder: Path) -> None:
        """Write the manifest (after each batch: at a million records it names a million PMIDs,
        and ``dataclasses.asdict`` with the json module took 2.4 s a save; orjson of the
        fields as they are, 0.02 s)."""
        fields = {**vars(self), "slices": [vars(s) for s in self.slices],
                  "batches": [vars(b) for b in self.batches]}
        write_atomic(folder / MANIFEST, orjson.dumps(fields, option=orjson.OPT_INDENT_2))

    @property
    def cut_by_max(self) -> bool:
        """Whether ``--max`` took fewer records than the search matched."""
        return self.max_records is not None and self.count > self.expected

    def batch(self, retstart: int, slice_name: str = "") -> Batch | None:
        return next((b for b in self.batches if b.retstart == retstart
                     and b.slice == slice_name), None)


def read_history(into: Path) -> list[dict[str, Any]]:
    path = into / "fetch" / HISTORY_FILE
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def resolve_since(into: Path, query: str, since: str, echo: Echo) -> str:
    """``since`` as NCBI's YYYY/MM/DD; ``last``: from the last completed fetch of ``query``."""
    if not since:
        return ""
    if since != "last":
        try:
            return since_date(since)
        except ValueError as error:
            raise ValueError(f"--since {error}") from None
    earlier = [entry for entry in read_history(into) if entry.get("query") == query]
    # a fetch --max cut took part of the search: the rest never came with a later --since last
    # (a new user's: --max 30 of 100, then each night "0 records"); a fetch noted before 7 Dec
    # says nothing of it, and counts as whole
    previous = [entry["until"] for entry in earlier if not entry.get("cut_by_max")]
    if not previous:
        cut = f" but {counted(len(earlier), 'fetch', 'fetches')} that --max cut" if earlier else ""
        echo(f"no earlier completed fetch of this query in {into}{cut}: fetching every record")
        return ""
    if earlier[-1].get("cut_by_max"):
        echo("the last fetch of this query was cut by --max: fetching what came since the last "
             "whole one")
    day = dt.datetime.strptime(max(previous), "%Y/%m/%d").date() - dt.timedelta(days=1)
    return day.strftime("%Y/%m/%d")


def since_date(since: str) -> str:
    """A ``--since`` date, YYYY-MM-DD, as NCBI's YYYY/MM/DD; a ``ValueError`` saying what to
    give for any other text (``last`` is the caller's), and for a date after tomorrow (UTC, so
    that no time zone's today is refused): nothing was modified since it, and a fetch of it
    would end with 0 records as if none were new. A date before ``FIRST_DAY`` is ``FIRST_DAY``
    (the same records; ``0001-01-01`` was sent as ``1/01/01``)."""
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", since):
            # (fromisoformat takes a week date, 2026-W49-1, and 20261205 too)
            raise ValueError(since)
        day = dt.date.fromisoformat(since)
    except ValueError:
        raise ValueError(f"{since!r}: give a date (YYYY-MM-DD) or 'last'") from None
    tomorrow = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
    if day > tomorrow:
        raise ValueError(f"{since!r} is a date to come: no record was modified since")
    return max(day.strftime("%Y/%m/%d").zfill(10), FIRST_DAY)


def fetch_key(query: str, pmids: Sequence[str], since: str, max_records: int | None) -> str:
    """The folder name of a fetch: the same command gives the same key, so it resumes."""
    what = {"query": query, "since": since, "max": max_records} if query else \
        {"pmids": list(pmids), "max": max_records}
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()[:16]


def append_history(into: Path, entry: dict[str, Any]) -> None:
    """Note a completed fetch (one short line: an append of it is all or nothing in practice)."""
    with (into / "fetch" / HISTORY_FILE).open("a", encoding="utf-8") as out:
        out.write(json.dumps(entry, sort_keys=True) + "\n")


def verified(folder: Path, name: str, digest: str) -> bool:
    path = folder / name
    return path.is_file() and sha256(path) == digest


def write_atomic(path: Path, data: bytes | Callable[[Path], object]) -> None:
    """Write ``data`` (or let it write, when it is a function) to a temporary file, then rename;
    its data are synced before the rename, and its folder after (a power cut keeps both)."""
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    if isinstance(data, bytes):
        temporary.write_bytes(data)
    else:
        data(temporary)
    with temporary.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    sync_folder(path.parent)  # (the rename itself: a resumed fetch trusts the manifest's names)


@contextmanager
def locked(folder: Path) -> Iterator[None]:
    """One fetch per folder at a time (the lock goes with the process, even on SIGKILL)."""
    with (folder / ".lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise FetchError(f"another evkg fetch is writing {folder}") from None
        yield


def today() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y/%m/%d")


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
