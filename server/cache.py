"""The result cache: a release never changes, so one answer serves every later asker.

Entries are keyed by the SHA-256 of (release version, normalised query, dataset, media type, row
cap). They live on disk, shared by every server process: one file per key, written to a temporary
name and moved into place with ``os.replace`` (readers never see half a file), evicted oldest
first (a hit refreshes the file's time) when the folder grows past its byte limit, counted as
the disk space the files take (a file takes whole blocks: 20,000 answers of 40 bytes took 82 MB
of disk while their lengths summed to 0.8 MB, so a limit on lengths let tiny answers fill many
times the limit). A small
in-memory LRU in each process sits in front for the hottest entries. Only answers are cached,
never failures.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import kg
from kg.release import ANSWER_KEY, CACHE_FOLDER, answer_file
from server.executor import Answer, Failure, QueryJob
from server.lru import BytesLRU
from server.settings import unwritable

#: Bytes of answers each process keeps in memory.
MEMORY_BYTES = 16 * 1024 * 1024
#: After writing this share of the byte limit, a process re-counts the folder (others write too).
RECOUNT_SHARE = 16
#: Eviction brings the folder down to this share of the limit, so it is not re-run at every write.
EVICT_TO = 0.9
_MAGIC = b"evkg-cache 1\n"
#: The disk space a file takes at the least, and the unit it grows by (ext4's and most other
#: filesystems' block): what a written answer is counted as until the folder is re-counted.
FILE_BLOCK = 4096


#: The files of the cache: answers (``answer_file``: a release's version, if any, then the
#: key, a hex SHA-256) and the temporary files they are written to. Eviction counts and removes
#: these alone: the folder (EVKG_CACHE_DIR, or a build folder's ``cache`` as a link) may be
#: shared, and the oldest of every file there went first.
CACHE_FILE = re.compile(rf"(?:.+-)?{ANSWER_KEY}|\.tmp-[a-z0-9_]{{8}}")


def disk_bytes(length: int) -> int:
    """The disk space a file of ``length`` bytes takes: whole blocks."""
    return max(1, -(-length // FILE_BLOCK)) * FILE_BLOCK


def _taken(stat: os.stat_result) -> int:
    """The disk space a file takes, as ``du`` counts it (its length where blocks are unknown)."""
    return max(getattr(stat, "st_blocks", 0) * 512, stat.st_size)


@functools.cache
def code_digest() -> str:
    """A digest of the evkg that writes answers (every module of ``kg`` and ``server``), part
    of what answers are kept under: the cache folder outlives a server, and an answer another
    evkg's server kept for the same release (before a `git pull`: its writers put a carriage
    return into SPARQL XML as it is) is not this one's to give."""
    digest = hashlib.sha256()
    for package in (Path(kg.__file__).parent, Path(__file__).parent):
        for path in sorted(package.glob("*.py")):
            digest.update(f"{package.name}/{path.name}\n".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def cache_key(version: str, job: QueryJob, normalised_query: str) -> str:
    """The hex SHA-256 naming ``job``'s answer in release ``version`` (``ServerState.answers_of``:
    the version and what names the release's content)."""
    parts = [version, normalised_query, list(job.default_graphs), list(job.named_graphs),
             job.union, job.media_type, job.max_rows, job.base_iri]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()


def _answer_bytes(key: str, answer: Answer) -> int:
    return len(answer.body) + len(key) + len(answer.content_type) + len(answer.truncation or "")


def _encode(answer: Answer) -> bytes:
    header = json.dumps({"content_type": answer.content_type, "truncation": answer.truncation,
                         "length": len(answer.body)})
    return _MAGIC + header.encode() + b"\n" + answer.body


def _decode(data: bytes) -> Answer | None:
    """The answer ``data`` holds; ``None`` for one that is not whole (``put`` syncs nothing: a
    power cut may leave a file empty, of zeros, or cut short), or no answer at all."""
    if not data.startswith(_MAGIC):
        return None
    header, _, body = data[len(_MAGIC):].partition(b"\n")
    try:
        meta = json.loads(header)
        if meta["length"] != len(body):
            return None
        return Answer(body, str(meta["content_type"]), meta.get("truncation"))
    except (ValueError, KeyError, TypeError):
        return None


@dataclass(eq=False)
class _Flight:
    """One computation of a missing answer, which askers that come meanwhile wait for."""

    done: threading.Event = field(default_factory=threading.Event)
    outcome: Answer | Failure | None = None


class ResultCache:
    """Answers on disk under ``directory`` (None: memory only), at most ``max_bytes`` of files,
    each named for ``release`` (``kg.release.answer_file``) and its key."""

    def __init__(self, directory: Path | None, max_bytes: int, release: str = "",
                 max_answer: int = 0) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        self.release = release
        #: The longest answer given (EVKG_MAX_ANSWER_BYTES; 0: any): one kept before the limit
        #: was lowered is computed again, and refused, as it is uncached.
        self.max_answer = max_answer
        self._memory: BytesLRU[str, Answer] = BytesLRU(MEMORY_BYTES, _answer_bytes,
                                                       max_entry=MEMORY_BYTES // 8)
        self._lock = threading.Lock()
        self._written_since_count = 0
        self._computing: dict[str, _Flight] = {}
        if directory is not None:
            directory.mkdir(parents=True, exist_ok=True)

    @property
    def memory_weight(self) -> int:
        """What the answers kept in this process's memory weigh (at most ``MEMORY_BYTES``)."""
        return self._memory.weight

    @contextmanager
    def computing(self, key: str, wait: float | None) -> Iterator[Answer | Failure | None]:
        """Single flight: the first asker of a missing ``key`` in this process gets None (or the
        answer, if one was put just before), computes it inside the block and hands the
        outcome to ``settle``; an asker arriving meanwhile waits for it, up to ``wait``
        seconds (None: until it ends), and gets that outcome: the answer, or the failure (a
        query stopped at the time limit, or that crashed the store, would fail again: run once
        more by each asker that waited, it cost each of them a second time limit and the server
        that much CPU again).
        One that waited in vain (None) computes too. Sixteen clients asking one slow
        aggregate at once then cost one computation, not sixteen."""
        with self._lock:
            running = self._computing.get(key)
            if running is None:
                self._computing[key] = _Flight()
        if running is not None:
            running.done.wait(wait)
            yield self.get(key) or running.outcome
            return
        try:
            yield self.get(key)  # put by an asker that finished just before this one began
        finally:
            with self._lock:
                self._computing.pop(key).done.set()

    def settle(self, key: str, outcome: Answer | Failure) -> None:
        """Keep an answer computed inside ``computing``, and hand the outcome, a failure too,
        to the askers waiting for it."""
        if isinstance(outcome, Answer):
            self.put(key, outcome)
        with self._lock:
            flight = self._computing.get(key)
        if flight is not None:
            flight.outcome = outcome

    def get(self, key: str) -> Answer | None:
        answer = self._memory.get(key)
        if answer is not None:
            return answer
        if self.directory is None:
            return None
        path = self.directory / answer_file(self.release, key)
        try:
            answer = _decode(path.read_bytes())
            os.utime(path)
        except OSError:
            return None
        if answer is None or 0 < self.max_answer < len(answer.body):
            return None
        self._memory.put(key, answer)
        return answer

    def put(self, key: str, answer: Answer) -> None:
        size = len(answer.body)
        if size > self.max_bytes // 8:
            return
        self._memory.put(key, answer)
        if self.directory is None:
            return
        data = _encode(answer)
        temporary = ""
        try:
            handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".tmp-")
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            # Not synced (no fsync of the file, nor of the folder after the rename): each
            # would hold the request, and its worker, until the disk has the answer (a few
            # ms on an SSD, tens on a busy disk or a network one, a second or more on ext4
            # behind other writes), for every answer, to keep what can be computed again. A
            # power cut may lose the file, or leave it empty or cut short: ``_decode`` finds
            # it is not whole (the length it was written with), and it is a miss.
            os.replace(temporary, self.directory / answer_file(self.release, key))
        except OSError:  # a full disk, a quota: what was written goes (it stayed, one a time)
            if temporary:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
            return
        with self._lock:
            self._written_since_count += disk_bytes(len(data))
            recount = self._written_since_count * RECOUNT_SHARE >= self.max_bytes
            if recount:
                self._written_since_count = 0
        if recount:
            self.evict()

    def evict(self) -> int:
        """Delete the oldest files until the disk space the folder's files take is under the
        limit; return the bytes freed."""
        if self.directory is None:
            return 0
        entries: list[tuple[float, int, Path]] = []
        for entry in os.scandir(self.directory):
            if not CACHE_FILE.fullmatch(entry.name):  # (the folder may hold others' files)
                continue
            try:
                stat = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            entries.append((stat.st_mtime, _taken(stat), Path(entry.path)))
        total = sum(size for _, size, _ in entries)
        if total <= self.max_bytes:
            return 0
        freed = 0
        for _, size, path in sorted(entries):
            if total - freed <= self.max_bytes * EVICT_TO:
                break
            try:
                path.unlink()
            except OSError:
                continue
            freed += size
        return freed


def cache_folder(configured: str, store_dir: Path) -> Path | None:
    """Where the cache lives: as configured, else ``cache/`` in the build folder, else a temp
    folder; None when none of them can be written (the cache then lives in memory only)."""
    candidates = [Path(configured)] if configured else [
        store_dir / CACHE_FOLDER, Path(tempfile.gettempdir()) / f"evkg-cache-{os.getuid()}"]
    return next((folder for folder in candidates if unwritable(folder) is None), None)
