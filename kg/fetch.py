"""``evkg fetch``: PubMed records from NCBI E-utilities into the graph, resumably.

A fetch lives in ``DIR/fetch/{key}/`` (``key`` hashes the query, ``--since`` and ``--max``, or the
PMID list): ``manifest.json``, and per batch of ``retstart`` the raw EFetch download
``batch-{retstart:08d}.xml.gz`` and ``batch-{retstart:08d}.jsonl``, the batch's articles as evkg
records with their "similar articles" and "cited by" PMIDs from ELink. Those ``.jsonl`` files
are what is ingested: ELink results cannot ride on the XML, and a separate partial record could
never add them to a full one (a partial record does not replace), so each batch's full records
are written again with the links filled in (the best ``SIMILAR_LIMIT`` similar articles, every
citing one). ``DIR/fetch/history.jsonl`` has a line per completed fetch.

A search of more records than PubMed serves of one search (``SEARCH_CAP``) is cut into slices by
date (ESearch's ``datetype``, ``mindate`` and ``maxdate``), a slice still too large halved (down
to one day, whose records past the cap are reported, not fetched). The slices are all searched
first, oldest first, each into a history of its own, and saved in
the manifest; their batches are ``batch-{mindate}-{maxdate}-{retstart:08d}.*`` (``retstart`` in
the slice). Without ``--since`` the slices are by entry date (``edat``), which no revision
changes; with it by modification date, within the ``--since`` window, and a record revised
while the slices were searched is in two of them: the later copy is left out (a batch's
``duplicates``), so the ingest and the counts take each record once. ``--max`` over the cap
takes the oldest slices first. A ``--pmids`` list longer than that is posted (EPost takes 10,000
UIDs at most) and fetched in parts of ``SEARCH_CAP``, its batches named by position in the list.

Resuming: every file is written to a temporary name and renamed, and the manifest (with each
file's sha256) is rewritten after each file, so a fetch stopped at any point continues at the
first batch not verified on disk. An expired ``WebEnv`` is replaced by searching again; the
fetch goes on only when the count and the PMIDs of the last batch on disk are unchanged (so the
offsets still line up), else it starts again from the first batch. A completed fetch run again
is a new fetch.

``--since DATE`` selects by PubMed's modification date (``datetype=mdat``): new records and
revised ones (MeSH indexing, often weeks after a record appears; corrections; retractions).
The entry date (``edat``) would miss every revision. ``--since last`` is the start date of the
last completed fetch of the same query in ``DIR``, minus one day (NCBI dates are US Eastern;
a record fetched twice replaces itself); with none, everything is fetched.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from kg.build import BuildReport, build, check_folder_to_write, ingest
from kg.eutils import CITED_BY, SIMILAR, Client, History, HistoryExpired
from kg.fetchstate import (
    BATCH_SIZE,
    FIRST_DAY,
    MANIFEST,
    Batch,
    Echo,
    FetchError,
    Manifest,
    Slice,
    append_history,
    fetch_key,
    locked,
    now,
    resolve_since,
    today,
    verified,
    write_atomic,
)
from kg.jsonrecords import write_records
from kg.plurals import counted
from kg.pubmed import read_pubmed_xml
from kg.pubmedfields import linked_pmid
from kg.records import Article, Rejected
from kg.release import sha256

#: PMIDs per ELink request.
LINK_CHUNK = 100
#: Similar articles kept per article: PubMed ranks hundreds of neighbours, best first.
SIMILAR_LIMIT = 20
#: How many records of one search PubMed's E-utilities serve: the UIDs at positions 0 to
#: 9,998. NCBI's "The E-utilities In-Depth" (NBK25499), ESearch's ``retmax``: "For PubMed,
#: ESearch can only retrieve the first 10,000 records matching the query. To obtain more than
#: 10,000 PubMed records, consider using EDirect that contains additional logic to batch PubMed
#: search results automatically"; what PubMed answers, from issue threads
#: (biopython/biopython#4189, cyanheads/pubmed-mcp-server#95): 9,999 UIDs at most, and for
#: ``retstart`` 9,999 of a larger search the ERROR "'retstart' cannot be larger than 9998".
#: Whether EFetch serves more of a history is documented nowhere we found; nothing here asks it.
SEARCH_CAP = 9_999
#: How many PMIDs of a ``--pmids`` list that PubMed did not serve the summary names.
MISSING_SHOWN = 20
#: The date ``--since`` selects on: PubMed's modification date.
DATETYPE = "mdat"
#: The date the slices of a larger search are cut by without ``--since``: the entry date, which
#: a revision does not change, so that no record moves between slices while they are searched.
#: ESearch's ``datetype``, ``mindate`` and ``maxdate`` (NBK25499, "Optional Parameters – Dates":
#: "common values are 'mdat' (modification date), 'pdat' (publication date) and 'edat' (Entrez
#: date)"; mindate and maxdate "must be used together", as YYYY/MM/DD; NCBI's own examples search
#: PubMed with ``datetype=edat``).
SLICE_DATETYPE = "edat"
#: The dates in words.
DATE_WORDS = {"edat": "entry date", "mdat": "modification date"}

@dataclass
class FetchReport:
    """What a fetch got: ``received`` of ``expected`` records (``count`` ESearch promised)."""

    folder: Path
    count: int = 0
    expected: int = 0
    received: int = 0
    articles: int = 0
    batches: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    #: The PMIDs of a ``--pmids`` list that PubMed served no record for.
    missing: list[str] = field(default_factory=list)
    #: Why fewer than ``count`` records were fetched: ``--max N``, else what PubMed would not
    #: serve (a day of a slice over its cap; records in no slice).
    max_records: int | None = None
    limits: list[str] = field(default_factory=list)
    #: Records fetched in two slices, taken once.
    duplicates: int = 0
    build: BuildReport | None = None

    def summary(self) -> list[str]:
        """The closing lines: what arrived, and a warning when it is not what was promised."""
        extra = self.received - self.expected
        got = (f"{counted(self.received, 'record')}, {extra} more than the {self.expected} "
               "asked for" if extra > 0  # (no "2 of 1")
               else f"{self.received} of {counted(self.expected, 'record')}")
        lines = [f"fetched {got} ({counted(self.articles, 'article')}) in "
                 f"{counted(self.batches, 'batch')} -> {self.folder}"]
        matches = f"the search matches {counted(self.count, 'record')}"
        if self.limits:
            lines.append(f"warning: {matches}; {counted(self.expected, 'was', 'were')} fetched: "
                         f"{'; '.join(self.limits)}")
        elif self.count > self.expected:
            lines.append(f"  {matches}; {counted(self.expected, 'was', 'were')} fetched "
                         f"(--max {self.max_records})")
        if self.duplicates:
            lines.append(f"  {counted(self.duplicates, 'record was', 'records were')}"
                         " in two slices (revised while they were searched): fetched once")
        lines.extend(f"warning: PubMed's record{f' PMID {r.pmid}' if r.pmid else ''} could not be"
                     f" read (an ingest lists it in quarantine.jsonl): {r.reason}"
                     for r in self.rejected)
        if extra:
            why = ("records deleted or merged since the search, or PMIDs PubMed does not know"
                   if extra < 0 else "records PubMed was not asked for, or one sent twice")
            lines.append(f"warning: PubMed served {counted(self.received, 'record')} where "
                         f"{counted(self.expected, 'was', 'were')} promised "
                         f"({abs(extra)} {'missing' if extra < 0 else 'extra'}): {why} "
                         "(every batch was fetched)")
        if self.missing:
            shown = self.missing[:MISSING_SHOWN]
            more = len(self.missing) - len(shown)
            lines.append(f"warning: not served: PMID {', '.join(shown)}"
                         + (f" and {more} more (manifest.json lists what was)" if more else ""))
        return lines


def fetch(into: Path, *, query: str = "", pmids: Sequence[str] = (), since: str = "",
          max_records: int | None = None, batch_size: int = BATCH_SIZE,
          client: Client | None = None, ingest_records: bool = True, shacl: bool = True,
          mesh_files: Sequence[Path] = (), mirbase_file: Path | None = None,
          progress: bool = False,
          echo: Echo = lambda message: print(message, file=sys.stderr)) -> FetchReport:
    """Fetch a query's (or the PMIDs') records into ``into/fetch/`` and ingest them.

    ``shacl=False`` skips the SHACL part of the ingest's validation (the SPARQL checks stay);
    ``mesh_files`` and ``mirbase_file`` are the build's and the ingest's ``--mesh``, ``--mirbase``.
    """
    check_what_to_fetch(bool(query), bool(pmids), since)
    check_folder_to_write(into)  # before the batches come: they are written there
    mindate = resolve_since(into, query, since, echo) if query else ""  # a bad --since: no warning
    client = client or Client.from_env()
    if not client.email:
        echo("warning: no contact email (--email or EVKG_NCBI_EMAIL); NCBI's policy asks every "
             "E-utilities user for one, so that they can write before blocking a tool")
    ids = list(dict.fromkeys(p.strip() for p in pmids if p.strip()))
    key = fetch_key(query, ids, mindate, max_records)
    folder = into / "fetch" / key
    folder.mkdir(parents=True, exist_ok=True)
    with locked(folder):
        manifest = _open_manifest(folder, Manifest(
            key=key, query=query, pmids=ids, since=mindate, max_records=max_records,
            batch_size=batch_size, until=today(), started=now()), echo)
        run = _Run(client, folder, manifest, FetchReport(folder), echo)
        run.fetch_all(progress)
        return run.finish(into, ingest_records, shacl, mesh_files, mirbase_file)


def check_what_to_fetch(query: bool, pmids: bool, since: str) -> None:
    """A ``ValueError`` unless one of a query and a list of PMIDs is given (``--since`` with a
    query): checked before the list's file is read, whose faults are the wrong ones to name
    when it should not have been given at all."""
    if query and pmids:
        raise ValueError("give --query or --pmids, not both")
    if not query and not pmids:
        raise ValueError("give --query QUERY or --pmids FILE: what to fetch")
    if pmids and since:
        raise ValueError("--since applies to a query, not to a list of PMIDs")


#: The most of a line of a --pmids file that is no PMID its message shows.
SHOWN_LINE = 80


def read_pmids(path: Path) -> list[str]:
    """PMIDs from a file, one a line (blank lines and ``#`` comments skipped), each once and
    without leading zeros (as the readers take them: "024735924" is PMID 24735924)."""
    try:
        text = path.read_text(encoding="utf-8").removeprefix("\ufeff")  # (a BOM, as other
        # readers skip it: Notepad's "UTF-8 with BOM" was "'\ufeff24735924' is not a PMID")
    except UnicodeDecodeError as error:  # (Python's own words named no file)
        raise ValueError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start + 1}): "
                         "give a file of PMIDs, one a line") from None
    pmids = []
    for number, line in enumerate(text.splitlines(), start=1):
        value = line.split("#", 1)[0].strip()
        pmid = linked_pmid(value)
        if value and not pmid:
            shown = value if len(value) <= SHOWN_LINE else value[:SHOWN_LINE] + "…"
            raise ValueError(f"{path}, line {number}: {shown!r} is not a PMID")
        if pmid:
            pmids.append(pmid)
    if not pmids:
        raise ValueError(f"{path}: names no PMID (one a line; blank lines and # comments are "
                         "skipped)")
    return list(dict.fromkeys(pmids))


def _open_manifest(folder: Path, fresh: Manifest, echo: Echo) -> Manifest:
    """The unfinished fetch in ``folder`` to resume, else ``fresh`` (old files removed)."""
    for stale in folder.glob(".*.tmp-*"):
        stale.unlink()
    path = folder / MANIFEST
    if path.exists():
        old = Manifest.load(path)
        if old.status != "done":
            echo(f"resuming the fetch started {old.started}: batches on disk: {len(old.batches)}")
            return old
    for old_file in [*folder.glob("batch-*.xml.gz"), *folder.glob("batch-*.jsonl")]:
        old_file.unlink()
    fresh.save(folder)
    return fresh


@dataclass
class _Run:
    client: Client
    folder: Path
    manifest: Manifest
    report: FetchReport
    echo: Echo
    bar: Any = None
    #: The slice being fetched (None: the search whole).
    part: Slice | None = None
    #: The PMIDs of the slices before ``_earlier_slice`` (``_earlier``).
    _earlier_slice: str | None = None
    _earlier_pmids: set[str] = field(default_factory=set)

    def fetch_all(self, progress: bool) -> None:
        """Search (unless resuming), then every batch not verified on disk."""
        m = self.manifest
        if len(m.pmids) > SEARCH_CAP:
            if not m.slices:
                self._post_in_parts()
        elif not m.webenv:
            self._search(renewal=False)
        if (m.query and m.count > SEARCH_CAP and not m.datetype
                and (m.max_records is None or m.max_records > SEARCH_CAP)):
            self._slice()
        self.report.count, self.report.expected = m.count, m.expected
        renewals: dict[str, int] = {}  # per slice: each slice's history may expire once
        with tqdm(total=m.expected, unit="records", disable=not progress, file=sys.stderr,
                  desc="fetch", dynamic_ncols=True) as self.bar:
            while True:
                try:
                    self._batches()
                    return
                except HistoryExpired as error:
                    part = self.part
                    key = part.name if part else ""
                    renewals[key] = renewals.get(key, 0) + 1
                    if renewals[key] > 3:
                        raise FetchError(f"{error} (again after searching anew)") from None
                    self.say(f"{error}; searching again")
                    if part is None:
                        self._search(renewal=True)
                    else:
                        self._renew(part)

    def _search(self, *, renewal: bool) -> None:
        m = self.manifest
        if m.pmids:
            history = self.client.epost(m.pmids)
        else:
            last = max((b for b in m.batches if b.links_file), default=None,
                       key=lambda b: b.retstart)
            history = self.client.esearch(
                m.query, mindate=m.since, maxdate=m.until if m.since else "",
                datetype=DATETYPE, retstart=last.retstart if last else 0,
                retmax=len(last.pmids) if last else 0)
            if renewal and (history.count != m.count or (last and list(history.ids) != last.pmids)):
                self.say(f"the search now matches {counted(history.count, 'record')} (was "
                         f"{m.count}) or in "
                         "another order: starting again from the first batch")
                for name in [n for b in m.batches for n in (b.file, b.links_file) if n]:
                    (self.folder / name).unlink(missing_ok=True)
                m.batches = []
                renewal = False
        if history.notes:
            self.say("warning: PubMed did not search the query as written ("
                     + "; ".join(history.notes) + ")")
        m.webenv, m.query_key = history.webenv, history.query_key
        if not renewal:
            m.count = history.count
            limit = min(m.count, SEARCH_CAP) if m.query else m.count
            m.expected = min(limit, m.max_records) if m.max_records is not None else limit
        m.save(self.folder)

    def _slice(self) -> None:
        """Cut the search into slices of at most ``SEARCH_CAP`` records by date, halving a
        range still too large (down to one day), oldest first; save them."""
        m = self.manifest
        for name in [n for b in m.batches for n in (b.file, b.links_file) if n]:
            (self.folder / name).unlink(missing_ok=True)  # an older evkg's, of the whole search
        m.batches = []
        datetype = DATETYPE if m.since else SLICE_DATETYPE
        self.say(f"the search matches {m.count} records, more than the {SEARCH_CAP} PubMed serves "
                 f"of one search: searching it in slices by {DATE_WORDS[datetype]}")
        todo, slices = [(m.since or FIRST_DAY, m.until)], []
        while todo:
            low, high = todo.pop()
            history = self.client.esearch(m.query, mindate=low, maxdate=high, datetype=datetype)
            if history.count > SEARCH_CAP and low < high:
                first, last = _day(low), _day(high)
                middle = first + (last - first) // 2
                todo += [(_text(middle + dt.timedelta(days=1)), high), (low, _text(middle))]
            elif history.count:
                slices.append(Slice(low, high, history.count, history.webenv,
                                    history.query_key))
        m.datetype, m.slices = datetype, slices
        self._allocate()
        self.say(f"fetching {counted(m.expected, 'record')} in {counted(len(slices), 'slice')}")
        m.save(self.folder)

    def _post_in_parts(self) -> None:
        """Post a list of PMIDs longer than PubMed serves of one history in parts of at most
        ``SEARCH_CAP`` (NBK25499, EPost: "For PubMed, no more than 10,000 UIDs")."""
        m = self.manifest
        for name in [n for b in m.batches for n in (b.file, b.links_file) if n]:
            (self.folder / name).unlink(missing_ok=True)  # an older evkg's, of the whole list
        m.batches, m.count = [], len(m.pmids)
        m.slices = [Slice("", "", len(m.pmids[at:at + SEARCH_CAP]), first=at)
                    for at in range(0, m.count, SEARCH_CAP)]
        for part in m.slices:
            self._post(part)
        self._allocate()
        m.save(self.folder)

    def _post(self, part: Slice) -> None:
        history = self.client.epost(self.manifest.pmids[part.first:part.first + part.count])
        part.webenv, part.query_key = history.webenv, history.query_key

    def _allocate(self) -> None:
        """Each slice's ``expected``: what PubMed serves of it, within what ``--max`` leaves."""
        m = self.manifest
        left = m.max_records if m.max_records is not None else sum(s.count for s in m.slices)
        for part in m.slices:
            part.expected = max(0, min(part.count, SEARCH_CAP, left))
            left -= part.expected
        m.expected = sum(part.expected for part in m.slices)

    def _renew(self, part: Slice) -> None:
        """Search an expired slice again; start it again when its records are not the same."""
        m = self.manifest
        if not part.mindate:  # a part of a list of PMIDs: the same PMIDs again
            self._post(part)
            m.save(self.folder)
            return
        last = max((b for b in m.batches if b.slice == part.name and b.links_file),
                   default=None, key=lambda b: b.retstart)
        history = self.client.esearch(
            m.query, mindate=part.mindate, maxdate=part.maxdate, datetype=m.datetype,
            retstart=last.retstart if last else 0, retmax=len(last.pmids) if last else 0)
        if history.count != part.count or (last and list(history.ids) != last.pmids):
            self.say(f"the slice {part.mindate} to {part.maxdate} now matches "
                     f"{counted(history.count, 'record')} (was {part.count}) or in another "
                     "order: starting it again from "
                     "its first batch")
            for name in [n for b in m.batches if b.slice == part.name
                         for n in (b.file, b.links_file) if n]:
                (self.folder / name).unlink(missing_ok=True)
            m.batches = [b for b in m.batches if b.slice != part.name]
            part.count = history.count
            self._allocate()
        part.webenv, part.query_key = history.webenv, history.query_key
        m.save(self.folder)

    def _batches(self) -> None:
        m = self.manifest
        self.bar.reset(total=m.expected)
        number = 0
        parts: list[Slice | None] = [*m.slices] or [None]
        for part in parts:
            self.part = part
            name = part.name if part else ""
            for retstart in range(0, part.expected if part else m.expected, m.batch_size):
                number += 1
                batch = m.batch(retstart, name)
                if batch is not None and not verified(self.folder, batch.file, batch.sha256):
                    m.batches.remove(batch)
                    batch = None
                if batch is None:
                    batch = self._efetch(number, retstart)
                if not (batch.links_file and verified(self.folder, batch.links_file,
                                                       batch.links_sha256)):
                    self._link(number, batch)
                self.bar.update(batch.records)
        self.part = None

    def _where(self, number: int, retstart: int) -> str:
        m, part = self.manifest, self.part
        if part is None or not part.mindate:  # the search whole, or a part of a list of PMIDs
            first, size = (part.first, part.expected) if part else (0, m.expected)
            last = first + min(retstart + m.batch_size, size)
            return f"batch {number} (records {first + retstart + 1}-{last} of {m.expected})"
        last = min(retstart + m.batch_size, part.expected)
        return (f"batch {number} (records {retstart + 1}-{last} of the {part.expected} with "
                f"{DATE_WORDS.get(m.datetype, m.datetype)} {part.mindate} to {part.maxdate})")

    def _efetch(self, number: int, retstart: int) -> Batch:
        m, part = self.manifest, self.part
        expected = part.expected if part else m.expected
        history = History(part.webenv, part.query_key) if part else History(m.webenv,
                                                                            m.query_key)
        body = self.client.efetch(history, retstart, min(m.batch_size, expected - retstart),
                                  what=f"EFetch {self._where(number, retstart)}")
        name = (f"batch-{part.name}-{retstart:08d}.xml.gz" if part and part.mindate else
                f"batch-{(part.first if part else 0) + retstart:08d}.xml.gz")
        write_atomic(self.folder / name, gzip.compress(body, mtime=0))
        records = list(read_pubmed_xml(self.folder / name))
        rejected = [{"pmid": r.pmid, "reason": r.reason} for r in records
                    if isinstance(r, Rejected)]
        pmids = [r.pmid for r in records if isinstance(r, Article)]
        duplicates: list[str] = []
        if part is not None and part.mindate:  # a record revised while searching is in two
            earlier = self._earlier(part.name)
            duplicates = [p for p in [*pmids, *(r["pmid"] for r in rejected)]
                          if p and p in earlier]
        batch = Batch(retstart=retstart, file=name, sha256=sha256(self.folder / name),
                      records=len(records), pmids=pmids, rejected=rejected,
                      slice=part.name if part else "", duplicates=duplicates)
        m.batches = sorted([*m.batches, batch], key=lambda b: (b.slice, b.retstart))
        m.save(self.folder)
        return batch

    def _earlier(self, slice_name: str) -> set[str]:
        """The PMIDs of the batches of the slices before ``slice_name``, gathered once a slice
        (the slices are fetched in turn: for every batch it took the PMIDs of all before it)."""
        if self._earlier_slice != slice_name:
            self._earlier_pmids = {p for b in self.manifest.batches if b.slice < slice_name
                                   for p in [*b.pmids, *(r["pmid"] for r in b.rejected)]}
            self._earlier_slice = slice_name
        return self._earlier_pmids

    def _link(self, number: int, batch: Batch) -> None:
        """Similar and citing PMIDs from ELink, written with the batch's articles as ``.jsonl``."""
        where = self._where(number, batch.retstart)
        taken = set(batch.duplicates)  # an earlier slice's batch has them, with their links
        wanted = [p for p in batch.pmids if p not in taken]
        similar: dict[str, list[str]] = {}
        cited_by: dict[str, list[str]] = {}
        for start in range(0, len(wanted), LINK_CHUNK):
            chunk = wanted[start:start + LINK_CHUNK]
            similar |= self.client.elink(chunk, SIMILAR, what=f"ELink similar articles, {where}")
            cited_by |= self.client.elink(chunk, CITED_BY, what=f"ELink cited by, {where}")
        articles: list[Article | Rejected] = []
        for record in read_pubmed_xml(self.folder / batch.file):
            if record.pmid and record.pmid in taken:
                continue
            if isinstance(record, Article):
                near = [p for p in similar.get(record.pmid, []) if p != record.pmid]
                articles.append(dataclasses.replace(
                    record, similar_pmids=tuple(dict.fromkeys(near))[:SIMILAR_LIMIT],
                    cited_by_pmids=tuple(dict.fromkeys(cited_by.get(record.pmid, []))),
                    links_given=True))
            elif isinstance(record, Rejected):  # the ingest lists it in the quarantine
                articles.append(record)
        name = batch.file.replace(".xml.gz", ".jsonl")
        write_atomic(self.folder / name, lambda path: write_records(articles, path))
        batch.links_file, batch.links_sha256 = name, sha256(self.folder / name)
        self.manifest.save(self.folder)

    def finish(self, into: Path, ingest_records: bool, shacl: bool, mesh_files: Sequence[Path],
               mirbase_file: Path | None) -> FetchReport:
        """Count what arrived, ingest it, and note the fetch in ``history.jsonl``."""
        m, report = self.manifest, self.report
        report.batches = len(m.batches)
        report.duplicates = sum(len(b.duplicates) for b in m.batches)
        report.count, report.expected = m.count, m.expected - report.duplicates
        report.received = sum(b.records for b in m.batches) - report.duplicates
        report.articles = sum(len(set(b.pmids) - set(b.duplicates)) for b in m.batches)
        report.rejected = [Rejected(reason=r["reason"], pmid=r["pmid"])
                           for b in m.batches for r in b.rejected
                           if not (r["pmid"] and r["pmid"] in b.duplicates)]
        report.max_records, report.limits = m.max_records, self._limits()
        served = {linked_pmid(p) for b in m.batches for p in b.pmids} | {
            linked_pmid(r["pmid"]) for b in m.batches for r in b.rejected}
        # a list cut by --max: those left out were not asked for, and which of them PubMed
        # lacks is not known (it named them all as "not served", burying one it lacked)
        report.missing = [] if m.cut_by_max else [
            p for p in dict.fromkeys(map(linked_pmid, m.pmids)) if p not in served]
        m.status = "fetched"
        m.save(self.folder)
        if ingest_records:
            if not (into / "current").exists():
                self.say(f"no release in {into} yet: building the default graph first")
                build([], into, shacl=shacl, mesh_files=mesh_files, mirbase_file=mirbase_file)
            report.build = ingest([self.folder / b.links_file for b in m.batches], into,
                                  shacl=shacl, mesh_files=mesh_files, mirbase_file=mirbase_file)
            m.release = report.build.version
        m.status, m.finished = "done", now()
        m.save(self.folder)
        entry = {"key": m.key, "query": m.query, "since": m.since, "until": m.until,
                 "expected": report.expected, "received": report.received, "release": m.release,
                 "finished": m.finished, "cut_by_max": m.cut_by_max}
        if m.query:
            append_history(into, entry)
        return report

    def _limits(self) -> list[str]:
        """What PubMed would not serve of the search, unless ``--max`` took fewer anyway."""
        m = self.manifest
        if not m.slices or (m.max_records is not None and m.expected >= m.max_records):
            return []
        word = DATE_WORDS.get(m.datetype, m.datetype)
        limits = []
        for part in m.slices:
            if part.count > part.expected:
                dates = (f"the {word} {part.mindate} ({m.datetype}), the smallest slice there is"
                         if part.mindate == part.maxdate else
                         f"a {word} from {part.mindate} to {part.maxdate} ({m.datetype}) now")
                limits.append(f"PubMed serves at most {SEARCH_CAP} records of one search, and "
                              f"{part.count} have {dates}: "
                              f"{counted(part.count - part.expected, 'of them was', 'of them were')}"
                              " not fetched")
        held = sum(part.count for part in m.slices) - sum(len(b.duplicates) for b in m.batches)
        if held < m.count:
            limits.append(f"{counted(m.count - held, 'is', 'are')} in no slice by {word} from "
                          f"{m.since or FIRST_DAY} to {m.until} "
                          "(without that date, or deleted since the search)")
        return limits

    def say(self, message: str) -> None:
        if self.bar is not None and not self.bar.disable:
            self.bar.clear()
        self.echo(message)
        if self.bar is not None and not self.bar.disable:
            self.bar.refresh()


def _day(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%Y/%m/%d").date()


def _text(day: dt.date) -> str:
    return day.strftime("%Y/%m/%d")
