"""``evkg fetch``: PubMed records from NCBI E-utilities into the graph, resumably.

A fetch lives in ``DIR/fetch/{key}/`` (``key`` hashes the query, ``--since`` and ``--max``, or the
PMID list): ``manifest.json``, and per batch of ``retstart`` the raw EFetch download
``batch-{retstart:08d}.xml.gz`` and ``batch-{retstart:08d}.jsonl``, the batch's articles as evkg
records with their "similar articles" and "cited by" PMIDs from ELink. Those ``.jsonl`` files
are what is ingested: ELink results cannot ride on the XML, and a separate partial record could
never add them to a full one (a partial record does not replace), so each batch's full records
are written again with the links filled in (the best ``SIMILAR_LIMIT`` similar articles, every
citing one). ``DIR/fetch/history.jsonl`` has a line per completed fetch.

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
import gzip
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from kg.build import BuildReport, build, ingest
from kg.eutils import CITED_BY, SIMILAR, Client, History, HistoryExpired
from kg.fetchstate import (
    BATCH_SIZE,
    MANIFEST,
    Batch,
    Echo,
    FetchError,
    Manifest,
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
from kg.pubmed import read_pubmed_xml
from kg.pubmedfields import linked_pmid
from kg.records import Article, Rejected
from kg.release import sha256

#: PMIDs per ELink request.
LINK_CHUNK = 100
#: Similar articles kept per article: PubMed ranks hundreds of neighbours, best first.
SIMILAR_LIMIT = 20
#: PubMed's E-utilities serve at most the first 10,000 records of one search.
SEARCH_CAP = 10_000
#: How many PMIDs of a ``--pmids`` list that PubMed did not serve the summary names.
MISSING_SHOWN = 20
#: The date ``--since`` selects on: PubMed's modification date.
DATETYPE = "mdat"

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
    build: BuildReport | None = None

    def summary(self) -> list[str]:
        """The closing lines: what arrived, and a warning when it is not what was promised."""
        lines = [f"fetched {self.received} of {self.expected} records ({self.articles} articles)"
                 f" in {self.batches} batches -> {self.folder}"]
        if self.count > self.expected:
            lines.append(f"  the search matches {self.count} records; {self.expected} were fetched "
                         "(--max or PubMed's limit of 10,000 a search)")
        lines.extend(f"warning: PubMed's record{f' PMID {r.pmid}' if r.pmid else ''} could not be"
                     f" read (an ingest lists it in quarantine.jsonl): {r.reason}"
                     for r in self.rejected)
        if self.received != self.expected:
            lines.append(f"warning: PubMed served {self.received} records where "
                         f"{self.expected} were promised ({abs(self.expected - self.received)} "
                         f"{'missing' if self.received < self.expected else 'extra'}): records "
                         "deleted or merged since the search, or PMIDs PubMed does not know "
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
          mesh_file: Path | None = None, mirbase_file: Path | None = None,
          progress: bool = False,
          echo: Echo = lambda message: print(message, file=sys.stderr)) -> FetchReport:
    """Fetch a query's (or the PMIDs') records into ``into/fetch/`` and ingest them.

    ``shacl=False`` skips the SHACL part of the ingest's validation (the SPARQL checks stay);
    ``mesh_file`` and ``mirbase_file`` are the build's and the ingest's ``--mesh``, ``--mirbase``.
    """
    if bool(query) == bool(pmids):
        raise ValueError("give a query or a list of PMIDs (not both)")
    if pmids and since:
        raise ValueError("--since applies to a query, not to a list of PMIDs")
    client = client or Client.from_env()
    if not client.email:
        echo("warning: no contact email (--email or EVKG_NCBI_EMAIL); NCBI's policy asks every "
             "E-utilities user for one, so that they can write before blocking a tool")
    mindate = resolve_since(into, query, since, echo) if query else ""
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
        return run.finish(into, ingest_records, shacl, mesh_file, mirbase_file)


def read_pmids(path: Path) -> list[str]:
    """PMIDs from a file, one a line (blank lines and ``#`` comments skipped), each once and
    without leading zeros (as the readers take them: "024735924" is PMID 24735924)."""
    pmids = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        value = line.split("#", 1)[0].strip()
        pmid = linked_pmid(value)
        if value and not pmid:
            raise ValueError(f"{path}, line {number}: {value!r} is not a PMID")
        if pmid:
            pmids.append(pmid)
    if not pmids:
        raise ValueError(f"{path}: no PMIDs")
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

    def fetch_all(self, progress: bool) -> None:
        """Search (unless resuming), then every batch not verified on disk."""
        m = self.manifest
        if not m.webenv:
            self._search(renewal=False)
        if m.count > SEARCH_CAP and m.query:
            self.echo(f"warning: the query matches {m.count} records; PubMed's E-utilities serve "
                      f"the first {SEARCH_CAP} of a search: split it with --since or by date")
        self.report.count, self.report.expected = m.count, m.expected
        renewals = 0
        with tqdm(total=m.expected, unit="records", disable=not progress, file=sys.stderr,
                  desc="fetch", dynamic_ncols=True) as self.bar:
            while True:
                try:
                    self._batches()
                    return
                except HistoryExpired as error:
                    renewals += 1
                    if renewals > 3:
                        raise FetchError(f"{error} (again after searching anew)") from None
                    self.say(f"{error}; searching again")
                    self._search(renewal=True)

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
                self.say(f"the search now matches {history.count} records (was {m.count}) or in "
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

    def _batches(self) -> None:
        m = self.manifest
        self.bar.reset(total=m.expected)
        for number, retstart in enumerate(range(0, m.expected, m.batch_size), start=1):
            batch = m.batch(retstart)
            if batch is not None and not verified(self.folder, batch.file, batch.sha256):
                m.batches.remove(batch)
                batch = None
            if batch is None:
                batch = self._efetch(number, retstart)
            if not (batch.links_file and verified(self.folder, batch.links_file,
                                                   batch.links_sha256)):
                self._link(number, batch)
            self.bar.update(batch.records)

    def _where(self, number: int, retstart: int) -> str:
        last = min(retstart + self.manifest.batch_size, self.manifest.expected)
        return f"batch {number} (records {retstart + 1}-{last} of {self.manifest.expected})"

    def _efetch(self, number: int, retstart: int) -> Batch:
        m = self.manifest
        retmax = min(m.batch_size, m.expected - retstart)
        body = self.client.efetch(History(m.webenv, m.query_key), retstart, retmax,
                                  what=f"EFetch {self._where(number, retstart)}")
        name = f"batch-{retstart:08d}.xml.gz"
        write_atomic(self.folder / name, gzip.compress(body, mtime=0))
        records = list(read_pubmed_xml(self.folder / name))
        batch = Batch(retstart=retstart, file=name, sha256=sha256(self.folder / name),
                      records=len(records),
                      pmids=[r.pmid for r in records if isinstance(r, Article)],
                      rejected=[{"pmid": r.pmid, "reason": r.reason} for r in records
                                if isinstance(r, Rejected)])
        m.batches = sorted([*m.batches, batch], key=lambda b: b.retstart)
        m.save(self.folder)
        return batch

    def _link(self, number: int, batch: Batch) -> None:
        """Similar and citing PMIDs from ELink, written with the batch's articles as ``.jsonl``."""
        where = self._where(number, batch.retstart)
        similar: dict[str, list[str]] = {}
        cited_by: dict[str, list[str]] = {}
        for start in range(0, len(batch.pmids), LINK_CHUNK):
            chunk = batch.pmids[start:start + LINK_CHUNK]
            similar |= self.client.elink(chunk, SIMILAR, what=f"ELink similar articles, {where}")
            cited_by |= self.client.elink(chunk, CITED_BY, what=f"ELink cited by, {where}")
        articles: list[Article | Rejected] = []
        for record in read_pubmed_xml(self.folder / batch.file):
            if isinstance(record, Article):
                near = [p for p in similar.get(record.pmid, []) if p != record.pmid]
                articles.append(dataclasses.replace(
                    record, similar_pmids=tuple(dict.fromkeys(near))[:SIMILAR_LIMIT],
                    cited_by_pmids=tuple(dict.fromkeys(cited_by.get(record.pmid, [])))))
            elif isinstance(record, Rejected):  # the ingest lists it in the quarantine
                articles.append(record)
        name = batch.file.replace(".xml.gz", ".jsonl")
        write_atomic(self.folder / name, lambda path: write_records(articles, path))
        batch.links_file, batch.links_sha256 = name, sha256(self.folder / name)
        self.manifest.save(self.folder)

    def finish(self, into: Path, ingest_records: bool, shacl: bool, mesh_file: Path | None,
               mirbase_file: Path | None) -> FetchReport:
        """Count what arrived, ingest it, and note the fetch in ``history.jsonl``."""
        m, report = self.manifest, self.report
        report.batches = len(m.batches)
        report.received = sum(b.records for b in m.batches)
        report.articles = sum(len(b.pmids) for b in m.batches)
        report.rejected = [Rejected(reason=r["reason"], pmid=r["pmid"])
                           for b in m.batches for r in b.rejected]
        served = {linked_pmid(p) for b in m.batches for p in b.pmids} | {
            linked_pmid(r["pmid"]) for b in m.batches for r in b.rejected}
        report.missing = [p for p in dict.fromkeys(map(linked_pmid, m.pmids)) if p not in served]
        m.status = "fetched"
        m.save(self.folder)
        if ingest_records:
            if not (into / "current").exists():
                self.say(f"no release in {into} yet: building the default graph first")
                build([], into, shacl=shacl, mesh_file=mesh_file, mirbase_file=mirbase_file)
            report.build = ingest([self.folder / b.links_file for b in m.batches], into,
                                  shacl=shacl, mesh_file=mesh_file, mirbase_file=mirbase_file)
            m.release = report.build.version
        m.status, m.finished = "done", now()
        m.save(self.folder)
        entry = {"key": m.key, "query": m.query, "since": m.since, "until": m.until,
                 "expected": m.expected, "received": report.received, "release": m.release,
                 "finished": m.finished}
        if m.query:
            append_history(into, entry)
        return report

    def say(self, message: str) -> None:
        if self.bar is not None and not self.bar.disable:
            self.bar.clear()
        self.echo(message)
        if self.bar is not None and not self.bar.disable:
            self.bar.refresh()
