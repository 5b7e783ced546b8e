"""``evkg fetch`` against a real local E-utilities server (tests/eutils_server.py): rate limits,
faults, resuming after SIGKILL, ``--since``, and the graph the fetched records make."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from pyoxigraph import QuerySolutions

from kg.build import BuildReport
from kg.cli import main
from kg.eutils import Client, EutilsError
from kg.fetch import fetch
from kg.release import current_release, read_manifest
from kg.sources import iter_source_files
from kg.store import open_read_only
from tests.conftest import ROOT, free_port, shared_path, traced_syncs
from tests.eutils_server import (
    EutilsServer,
    Fault,
    Logged,
    generated_records,
    read_articles,
    record_dates,
)

QUERY = "(extracellular vesicles OR exosomes) AND breast cancer"
EMAIL = "evkg-tests@example.org"


@pytest.fixture(scope="session")
def seedtk() -> dict[str, bytes]:
    """The 100 real PubMed records of ../shared/data/pubmed/seedtk/pubmed.xml."""
    return read_articles(shared_path("data", "pubmed", "seedtk", "pubmed.xml"))


@pytest.fixture
def server(seedtk: dict[str, bytes]) -> Iterator[EutilsServer]:
    with EutilsServer(seedtk).running() as running:
        yield running


@pytest.fixture
def eutils_env(server: EutilsServer, monkeypatch: pytest.MonkeyPatch) -> EutilsServer:
    """The environment points at the server, with an API key (10 requests/s) and an email."""
    monkeypatch.setenv("EVKG_EUTILS_URL", server.url)
    monkeypatch.setenv("NCBI_API_KEY", "test-key")
    monkeypatch.setenv("EVKG_NCBI_EMAIL", EMAIL)
    return server


@pytest.fixture
def build_dir(default_build: tuple[Path, BuildReport], tmp_path: Path) -> Path:
    """A copy of the default build (saves building it again for each test)."""
    out, _ = default_build
    return Path(shutil.copytree(out, tmp_path / "build", symlinks=True))


def quick(**settings: object) -> Client:
    """The client from the environment, with short backoffs (the rate limit stays NCBI's)."""
    return Client.from_env(backoff=0.05, **settings)  # type: ignore[arg-type]


def graph_pmids(out: Path) -> dict[str, int]:
    """PMID → how many article IRIs carry it, in the current release."""
    store = open_read_only(current_release(out) / "store")
    rows = store.query("""SELECT ?pmid (COUNT(DISTINCT ?a) AS ?n) {
        ?a a <https://schema.org/ScholarlyArticle>; <http://purl.org/spar/fabio/hasPubMedId> ?pmid
        } GROUP BY ?pmid""", use_default_graph_as_union=True)
    assert isinstance(rows, QuerySolutions)
    return {row[0].value: int(row[1].value) for row in rows}  # type: ignore[union-attr]


def objects(out: Path, subject_pmid: str, predicate: str) -> set[str]:
    store = open_read_only(current_release(out) / "store")
    rows = store.query(f"SELECT ?o {{ <https://w3id.org/evkg/article/{subject_pmid}> <{predicate}> ?o }}",
                       use_default_graph_as_union=True)
    assert isinstance(rows, QuerySolutions)
    return {row[0].value.rsplit("/", 1)[-1] for row in rows}  # type: ignore[union-attr]


def most_in_one_second(log: list[Logged]) -> int:
    times = sorted(r.time for r in log)
    return max((sum(1 for t in times[i:] if t - start < 1.0) for i, start in enumerate(times)),
               default=0)


def efetch_starts(log: list[Logged]) -> list[str]:
    return [r.get("retstart") for r in log if r.utility == "efetch" and not r.fault]


# --- the graph a fetch makes -----------------------------------------------------------------

def test_fetch_ingests_every_record_once_with_similar_and_citing(
        eutils_env: EutilsServer, build_dir: Path, seedtk: dict[str, bytes]) -> None:
    before = graph_pmids(build_dir)
    report = fetch(build_dir, query=QUERY, batch_size=20, client=quick(), shacl=False)
    assert (report.count, report.expected, report.received, report.batches) == (100, 100, 100, 5)
    pmids = graph_pmids(build_dir)
    assert set(pmids) == set(before) | set(seedtk)
    assert all(n == 1 for n in pmids.values())
    first = next(iter(seedtk))
    similar = objects(build_dir, first, "https://w3id.org/evkg/ontology#similarTo")
    assert similar == set(eutils_env.similar(first)) - {first}
    third = list(seedtk)[2]
    for citing in eutils_env.cited_by(third):
        assert third in objects(build_dir, citing, "http://purl.org/spar/cito/cites")
    manifest = json.loads((report.folder / "manifest.json").read_text())
    assert manifest["status"] == "done" and manifest["count"] == 100
    assert [b["retstart"] for b in manifest["batches"]] == [0, 20, 40, 60, 80]
    with gzip.open(report.folder / "batch-00000000.xml.gz") as raw:
        assert raw.read().rstrip().endswith(b"</PubmedArticleSet>")


def test_a_fetch_folder_ingested_whole_keeps_its_links(
        eutils_env: EutilsServer, build_dir: Path, seedtk: dict[str, bytes]) -> None:
    """A new user's: `evkg ingest DIR/fetch/KEY` (a folder, every source under it) read each
    batch's XML after its JSON Lines, and each record without links replaced the one with
    them: the graph lost its "similar" and "cited by" links, in silence. A batch's XML beside
    its JSON Lines is left out of a folder (or a glob); named on its own it is read."""
    report = fetch(build_dir, query=QUERY, batch_size=50, client=quick(), ingest_records=False)
    result = CliRunner().invoke(main, ["ingest", str(report.folder), "--into", str(build_dir),
                                       "--quiet"])
    assert result.exit_code == 0, result.output
    first = next(iter(seedtk))
    similar = objects(build_dir, first, "https://w3id.org/evkg/ontology#similarTo")
    assert similar and similar == set(eutils_env.similar(first)) - {first}
    sources = read_manifest(current_release(build_dir))["sources"]
    assert sorted(Path(name).name for name in sources if "/fetch/" in name) == [
        "batch-00000000.jsonl", "batch-00000050.jsonl"]
    alone = iter_source_files([report.folder / "batch-00000000.xml.gz"])
    assert [path.name for path in alone] == ["batch-00000000.xml.gz"]
    # a review's: files of the same names in a folder no fetch made are the user's, all read
    own = build_dir.parent / "own"
    own.mkdir()
    for name in ("batch-2024.xml.gz", "batch-2024.jsonl"):
        shutil.copy(report.folder / name.replace("2024", "00000000"), own / name)
    assert [path.name for path in iter_source_files([own])] == [
        "batch-2024.jsonl", "batch-2024.xml.gz"]


def test_an_update_files_revised_record_keeps_a_fetched_articles_links(
        eutils_env: EutilsServer, build_dir: Path, seedtk: dict[str, bytes],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A new user's: a daily update file's revised record of a fetched article (PubMed XML
    carries no "similar" or "cited by" lists) replaced the record with them, and its links
    left the graph until its next fetch. A record without the lists keeps the graph's; a
    fetched record, which gives them, still replaces them, even with none."""
    fetch(build_dir, query=QUERY, batch_size=50, client=quick(), shacl=False)
    pmids = list(seedtk)
    first, third = pmids[0], pmids[2]
    similar = objects(build_dir, first, "https://w3id.org/evkg/ontology#similarTo")
    citing = objects(build_dir, third, "http://purl.org/spar/cito/isCitedBy")
    assert similar and citing
    update = build_dir.parent / "update.xml"
    revised = [seedtk[p].replace(b"<ArticleTitle>", b"<ArticleTitle>Revised: ", 1)
               for p in (first, third)]
    update.write_bytes(b"<PubmedArticleSet>" + b"".join(revised) + b"</PubmedArticleSet>\n")
    result = CliRunner().invoke(main, ["ingest", str(update), "--into", str(build_dir), "--quiet"])
    assert result.exit_code == 0, result.output
    store = open_read_only(current_release(build_dir) / "store")
    titles = store.query(f"SELECT ?t {{ <https://w3id.org/evkg/article/{first}> "
                         "<http://purl.org/dc/terms/title> ?t }", use_default_graph_as_union=True)
    assert isinstance(titles, QuerySolutions)
    assert [row[0].value[:9] for row in titles] == ["Revised: "]
    del store, titles
    assert objects(build_dir, first, "https://w3id.org/evkg/ontology#similarTo") == similar
    assert objects(build_dir, third, "http://purl.org/spar/cito/isCitedBy") == citing
    for pmid in citing:  # the citations the list gave stay too
        assert third in objects(build_dir, pmid, "http://purl.org/spar/cito/cites")
    # PubMed now lists no similar article: the next fetch of the record says so
    monkeypatch.setattr(eutils_env, "similar", lambda pmid: [pmid])
    fetch(build_dir, pmids=[first], batch_size=50, client=quick(), shacl=False)
    assert not objects(build_dir, first, "https://w3id.org/evkg/ontology#similarTo")


def test_every_request_names_tool_and_email_and_uses_the_history(
        eutils_env: EutilsServer, tmp_path: Path) -> None:
    fetch(tmp_path, query=QUERY, batch_size=50, client=quick(), ingest_records=False)
    log = eutils_env.log
    assert log and all(r.get("tool") == "evkg" and r.get("email") == EMAIL for r in log)
    assert all(r.get("api_key") == "test-key" for r in log)
    search = eutils_env.requests("esearch")[0]
    assert (search.get("db"), search.get("usehistory"), search.get("retmode"), search.get("term")) \
        == ("pubmed", "y", "json", QUERY)
    assert {(r.get("WebEnv"), r.get("query_key"), r.get("retmode"), r.get("retmax"))
            for r in eutils_env.requests("efetch")} == {("MCID_0001", "1", "xml", "50")}
    assert {r.get("linkname") for r in eutils_env.requests("elink")} == {
        "pubmed_pubmed", "pubmed_pubmed_citedin"}


# --- NCBI's rate limits, measured by the server -------------------------------------------------

def test_without_a_key_no_more_than_three_requests_a_second(
        eutils_env: EutilsServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NCBI_API_KEY")
    fetch(tmp_path, query=QUERY, batch_size=10, max_records=30, client=quick(),
          ingest_records=False)
    assert len(eutils_env.log) == 1 + 3 + 6
    assert most_in_one_second(eutils_env.log) == 3
    assert all("api_key" not in r.params for r in eutils_env.log)


def test_with_a_key_no_more_than_ten_requests_a_second(
        eutils_env: EutilsServer, tmp_path: Path) -> None:
    fetch(tmp_path, query=QUERY, batch_size=5, max_records=30, client=quick(),
          ingest_records=False)
    assert len(eutils_env.log) == 1 + 6 + 12
    assert 4 <= most_in_one_second(eutils_env.log) <= 10


def test_a_rate_of_its_own_is_for_a_server_that_is_not_ncbis(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``EVKG_EUTILS_RATE`` (the tests' stand-in, a mirror) never raises the rate at NCBI."""
    monkeypatch.setenv("EVKG_EUTILS_RATE", "500")
    monkeypatch.delenv("NCBI_API_KEY", raising=False)
    for url in ("https://eutils.ncbi.nlm.nih.gov/entrez/eutils",
                "http://eutils.be-md.ncbi.nlm.nih.gov/entrez/eutils/"):
        monkeypatch.setenv("EVKG_EUTILS_URL", url)
        assert Client.from_env().interval == pytest.approx(1.1 / 3)
    monkeypatch.setenv("EVKG_EUTILS_URL", "http://127.0.0.1:8990/entrez/eutils/")
    assert Client.from_env().interval == pytest.approx(1 / 500)


# --- faults ------------------------------------------------------------------------------------

def test_every_fault_is_recovered_without_loss_or_duplication(
        eutils_env: EutilsServer, build_dir: Path, seedtk: dict[str, bytes]) -> None:
    eutils_env.faults = [
        Fault("esearch", "429", seconds=1), Fault("efetch", "500", {"retstart": "0"}),
        Fault("efetch", "drop", {"retstart": "20"}), Fault("efetch", "truncate", {"retstart": "40"}),
        Fault("efetch", "429", {"retstart": "60"}, seconds=0.3), Fault("elink", "drop"),
        Fault("elink", "truncate", {"linkname": "pubmed_pubmed_citedin"})]
    before = graph_pmids(build_dir)
    report = fetch(build_dir, query=QUERY, batch_size=20, client=quick(), shacl=False)
    assert report.received == 100 and not report.rejected
    assert all(f.times == 0 for f in eutils_env.faults)
    assert efetch_starts(eutils_env.log) == ["0", "20", "40", "60", "80"]
    log = eutils_env.log
    waits = [log[at + 1].time - log[at].time for at, r in enumerate(log) if r.fault == "429"]
    assert waits[0] >= 1.0 and waits[1] >= 0.3  # Retry-After was honoured
    pmids = graph_pmids(build_dir)
    assert set(pmids) == set(before) | set(seedtk) and all(n == 1 for n in pmids.values())


def test_after_five_failures_the_error_names_the_batch_and_a_rerun_resumes(
        eutils_env: EutilsServer, tmp_path: Path) -> None:
    eutils_env.faults = [Fault("efetch", "500", {"retstart": "20"}, times=5)]
    with pytest.raises(EutilsError, match=r"EFetch batch 2 \(records 21-40 of 100\) failed "
                                          r"after 5 attempts; last: HTTP 500"):
        fetch(tmp_path, query=QUERY, batch_size=20, client=quick(), ingest_records=False)
    mark = len(eutils_env.log)
    report = fetch(tmp_path, query=QUERY, batch_size=20, client=quick(), ingest_records=False)
    assert report.received == 100
    assert efetch_starts(eutils_env.log[mark:]) == ["20", "40", "60", "80"]
    assert not eutils_env.requests("esearch")[1:]  # the WebEnv was still good


@pytest.mark.parametrize("changed", [False, True], ids=["same-results", "new-record"])
def test_an_expired_history_is_searched_again(
        eutils_env: EutilsServer, tmp_path: Path, seedtk: dict[str, bytes], changed: bool) -> None:
    def add_newest(server: EutilsServer) -> None:
        server.records = dict(seedtk)

    if changed:  # a record appears while the history expires: offsets shift, so start again
        eutils_env.records = dict(list(seedtk.items())[1:])
    eutils_env.faults = [Fault("efetch", "expire", {"retstart": "40"},
                               then=add_newest if changed else None)]
    messages: list[str] = []
    report = fetch(tmp_path, query=QUERY, batch_size=20, client=quick(), ingest_records=False,
                   echo=messages.append)
    searches = eutils_env.requests("esearch")
    assert len(searches) == 2 and searches[1].get("retstart") == "20"
    assert report.received == 100
    if changed:
        assert any("starting again from the first batch" in m for m in messages)
        assert efetch_starts(eutils_env.log) == ["0", "20", "0", "20", "40", "60", "80"]
    else:
        assert efetch_starts(eutils_env.log) == ["0", "20", "40", "60", "80"]


# --- resuming after SIGKILL ------------------------------------------------------------------------

def test_a_killed_fetch_resumes_without_fetching_a_batch_twice(
        eutils_env: EutilsServer, build_dir: Path, seedtk: dict[str, bytes]) -> None:
    records = dict(list(seedtk.items())[:60])  # three batches: killed while the third is slow
    eutils_env.records = records
    eutils_env.faults = [Fault("efetch", "slow", {"retstart": "40"}, seconds=60)]
    command = [sys.executable, "-m", "kg.cli", "fetch", "--query", QUERY, "--into",
               str(build_dir), "--batch-size", "20"]
    process = subprocess.Popen(command, cwd=ROOT, env=os.environ.copy(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while not any(r.get("retstart") == "40" for r in eutils_env.requests("efetch")):
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=10)
    first = {r.get("retstart") for r in eutils_env.requests("efetch")}
    first_links = {i for r in eutils_env.requests("elink") for i in r.ids()}
    assert first == {"0", "20", "40"} and first_links == set(list(seedtk)[:40])
    mark = len(eutils_env.log)
    done = subprocess.run(command, cwd=ROOT, env=os.environ.copy(), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    again = eutils_env.log[mark:]
    assert efetch_starts(again) == ["40"]
    assert not {i for r in again if r.utility == "elink" for i in r.ids()} & first_links
    assert not [r for r in again if r.utility == "esearch"]
    pmids = graph_pmids(build_dir)
    assert set(records) <= set(pmids) and all(n == 1 for n in pmids.values())
    assert "fetched 60 of 60 records" in done.stdout


# --- --since ---------------------------------------------------------------------------------------

def test_since_last_fetches_only_records_added_or_revised_since(
        eutils_env: EutilsServer, build_dir: Path, seedtk: dict[str, bytes]) -> None:
    today = dt.datetime.now(dt.UTC).date()
    old = (today - dt.timedelta(days=10)).strftime("%Y/%m/%d")
    eutils_env.dates = {p: {"mdat": old} for p in seedtk}
    pmids = list(seedtk)
    new, revised = pmids[:10], pmids[50:52]
    eutils_env.records = {p: seedtk[p] for p in pmids[10:]}
    first = fetch(build_dir, query=QUERY, since="last", batch_size=20, client=quick(), shacl=False)
    assert first.received == 90
    eutils_env.records = dict(seedtk)
    for pmid in [*new, *revised]:
        eutils_env.dates[pmid] = {"mdat": today.strftime("%Y/%m/%d")}
    mark = len(eutils_env.log)
    second = fetch(build_dir, query=QUERY, since="last", batch_size=20, client=quick(),
                   shacl=False)
    search = next(r for r in eutils_env.log[mark:] if r.utility == "esearch")
    assert (search.get("datetype"), search.get("mindate")) == (
        "mdat", (today - dt.timedelta(days=1)).strftime("%Y/%m/%d"))
    assert second.received == 12 and second.folder != first.folder
    got = graph_pmids(build_dir)
    assert set(seedtk) <= set(got) and all(n == 1 for n in got.values())


def test_since_last_does_not_start_from_a_fetch_max_cut(
        eutils_env: EutilsServer, tmp_path: Path, seedtk: dict[str, bytes]) -> None:
    """A new user's: `fetch --max 30` (a try, before the nightly `--since last`) took 30 of
    the search's 100 records, and `--since last` then asked only for what came since that
    day: the other 70 never came. A fetch --max cut is no starting point; one whole is."""
    said: list[str] = []
    fetch(tmp_path, query=QUERY, max_records=30, batch_size=10, client=quick(),
          ingest_records=False)
    mark = len(eutils_env.log)
    whole = fetch(tmp_path, query=QUERY, since="last", batch_size=50, client=quick(),
                  ingest_records=False, echo=said.append)
    search = next(r for r in eutils_env.log[mark:] if r.utility == "esearch")
    assert search.get("mindate") in (None, "")
    assert whole.received == 100
    assert f"no earlier completed fetch of this query in {tmp_path} but 1 fetch that --max " \
           "cut: fetching every record" in said
    said.clear()
    fetch(tmp_path, query=QUERY, max_records=5, batch_size=10, client=quick(),
          ingest_records=False)
    mark = len(eutils_env.log)
    fetch(tmp_path, query=QUERY, since="last", batch_size=50, client=quick(),
          ingest_records=False, echo=said.append)
    search = next(r for r in eutils_env.log[mark:] if r.utility == "esearch")
    assert search.get("mindate")  # from the whole one's day, not every record again
    assert ("the last fetch of this query was cut by --max: fetching what came since the last "
            "whole one") in said


def test_since_a_date_selects_by_modification_date(
        eutils_env: EutilsServer, tmp_path: Path, seedtk: dict[str, bytes]) -> None:
    report = fetch(tmp_path, query=QUERY, since="2023-09-20", batch_size=20, client=quick(),
                   ingest_records=False)
    expected = {p for p, d in eutils_env.dates.items() if d["mdat"] >= "2023/09/20"}
    assert 0 < len(expected) < 100 and report.received == len(expected)
    fetched = {i for b in json.loads((report.folder / "manifest.json").read_text())["batches"]
               for i in b["pmids"]}
    assert fetched == expected


def test_since_before_pubmed_asks_from_its_first_day(
        eutils_env: EutilsServer, tmp_path: Path, seedtk: dict[str, bytes]) -> None:
    """A new user's: `--since 0001-01-01` sent NCBI `mindate=1/01/01` (strftime drops the
    year's zeros), a date E-utilities do not read as one; a date before the first day a search
    is cut from is that day: the same records."""
    report = fetch(tmp_path, query=QUERY, since="0001-01-01", batch_size=50, client=quick(),
                   ingest_records=False)
    search = next(r for r in eutils_env.log if r.utility == "esearch")
    assert (search.get("datetype"), search.get("mindate")) == ("mdat", "1700/01/01")
    assert report.received == 100


# --- a search over the 9,999 records PubMed serves of one ---------------------------------------

#: 25,000 generated records, entered 500 a day from 1 January 2024, revised in 2025.
BIG, BIG_FIRST, BIG_SINCE = 25_000, dt.date(2024, 1, 1), dt.date(2025, 1, 1)


def big_records(entered: dict[int, int] | None = None, count: int = BIG) -> dict[str, bytes]:
    """``count`` generated records (made-up PMIDs from 90000000): record n entered on day
    n // 500 after ``BIG_FIRST`` (``entered`` overrides: n → day) and revised on day n // 500
    after ``BIG_SINCE``."""
    def day(first: dt.date, n: int) -> str:
        return (first + dt.timedelta(days=n)).strftime("%Y/%m/%d")

    return generated_records({str(90_000_000 + n): (
        day(BIG_FIRST, (entered or {}).get(n, n // 500)), day(BIG_SINCE, n // 500))
        for n in range(count)})


@pytest.fixture
def big_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[EutilsServer]:
    """The stand-in serving ``big_records()``; the environment points at it, with a rate of its
    own (``EVKG_EUTILS_RATE``: NCBI's 10 a second would make these tests minutes long)."""
    with EutilsServer(big_records()).running() as server:
        monkeypatch.setenv("EVKG_EUTILS_URL", server.url)
        monkeypatch.setenv("EVKG_EUTILS_RATE", "2000")
        monkeypatch.setenv("NCBI_API_KEY", "test-key")
        monkeypatch.setenv("EVKG_NCBI_EMAIL", EMAIL)
        yield server


def fetched_pmids(into: Path) -> list[str]:
    """The PMIDs of the records the fetch into ``into`` hands to the ingest (its batches'
    ``.jsonl``), in order."""
    folder = next((into / "fetch").glob("*/manifest.json")).parent
    manifest = json.loads((folder / "manifest.json").read_text())
    return [json.loads(line)["pmid"] for b in manifest["batches"]
            for line in (folder / b["links_file"]).read_text().splitlines()]


def run_fetch(into: Path, *options: str) -> str:
    result = CliRunner().invoke(main, ["fetch", "--query", QUERY, "--into", str(into),
                                       "--batch-size", "1000", "--no-ingest", *options])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_search_over_pubmeds_cap_is_fetched_whole_in_slices_by_entry_date(
        big_env: EutilsServer, tmp_path: Path) -> None:
    """A bioinformatician's search of tens of thousands of records got the first 10,000 (PubMed
    serves no more of one search): "fetched 10000 of 10000 records" and a line saying that the
    search matches more. The search is now fetched in slices by entry date, each within what
    PubMed serves, and every record of it is fetched once."""
    output = run_fetch(tmp_path)
    assert "fetched 25000 of 25000 records" in output
    assert "were fetched" not in output and "warning" not in output
    pmids = fetched_pmids(tmp_path)
    assert len(pmids) == BIG and set(pmids) == set(big_env.records)
    slices = big_env.requests("esearch")[1:]
    assert slices and all(s.get("datetype") == "edat" for s in slices)


def test_max_over_the_cap_fetches_that_many(big_env: EutilsServer, tmp_path: Path) -> None:
    output = run_fetch(tmp_path, "--max", "12000")
    assert "fetched 12000 of 12000 records" in output
    assert "the search matches 25000 records; 12000 were fetched (--max 12000)" in output
    pmids = fetched_pmids(tmp_path)
    assert len(pmids) == len(set(pmids)) == 12000 and set(pmids) <= set(big_env.records)


def test_a_day_over_the_cap_is_fetched_as_far_as_pubmed_serves_and_said(
        big_env: EutilsServer, tmp_path: Path) -> None:
    """A slice is halved down to one day; a day with more records than PubMed serves of one
    search gives what it serves, and the summary warns, `--quiet` or not, how many are not."""
    big_env.records = big_records({n: 60 for n in range(10_500)}, count=11_000)
    big_env.dates = {p: record_dates(xml) for p, xml in big_env.records.items()}
    output = run_fetch(tmp_path, "--quiet")
    assert output == (
        "warning: the search matches 11000 records; 10499 were fetched: PubMed serves at most "
        "9999 records of one search, and 10500 have the entry date 2024/03/01 (edat), the "
        "smallest slice there is: 501 of them were not fetched\n")
    pmids = fetched_pmids(tmp_path)
    assert len(pmids) == len(set(pmids)) == 10_499


def test_since_over_the_cap_stays_in_its_window_and_a_record_revised_meanwhile_comes_once(
        big_env: EutilsServer, tmp_path: Path) -> None:
    """`--since` selects by modification date, so the slices do too, within the window from
    DATE to today. A record revised while the slices are searched moves from an early slice
    to today's, and would come twice: it is fetched and counted once."""
    old = {p: f"2020/06/{n % 28 + 1:02d}" for n, p in enumerate(list(big_env.records)[-3000:])}
    for pmid, day in old.items():
        big_env.dates[pmid]["mdat"] = day
    today = dt.datetime.now(dt.UTC).strftime("%Y/%m/%d")
    first_day = BIG_SINCE.strftime("%Y/%m/%d")
    revised = next(p for p, d in big_env.dates.items() if d["mdat"] == first_day)

    def revise(server: EutilsServer) -> None:  # once the first slice was searched
        if server.log[-1].get("mindate") > first_day:
            server.dates[revised]["mdat"] = today

    big_env.faults = [Fault("esearch", "revise", times=10_000, then=revise)]
    output = run_fetch(tmp_path, "--since", BIG_SINCE.isoformat())
    assert "fetched 22000 of 22000 records" in output
    assert "1 record was in two slices (revised while they were searched): fetched once" in output
    pmids = fetched_pmids(tmp_path)
    assert len(pmids) == len(set(pmids)) == 22_000 and not set(pmids) & set(old)
    searches = big_env.requests("esearch")
    assert all(s.get("datetype") == "mdat" and first_day <= s.get("mindate") <= s.get("maxdate")
               <= today for s in searches)
    assert len([s for s in searches if s.get("maxdate") == today and s.fault]) >= 2


def test_a_pmids_list_longer_than_one_post_takes_is_posted_and_fetched_in_parts(
        big_env: EutilsServer, tmp_path: Path) -> None:
    """`--pmids` with 15,000 PMIDs (a systematic review's export) was posted in one EPost, which
    takes 10,000 UIDs at most in PubMed, and fetched from one history, which serves 9,999: the
    fetch failed. The list is posted and fetched in parts of 9,999; the summary counts the whole
    list and names the PMIDs PubMed did not serve."""
    wanted = list(big_env.records)[:15_000]
    big_env.withheld = {wanted[3], wanted[12_000]}
    (tmp_path / "pmids.txt").write_text("\n".join(wanted) + "\n")
    result = CliRunner().invoke(main, ["fetch", "--pmids", str(tmp_path / "pmids.txt"), "--into",
                                       str(tmp_path / "build"), "--batch-size", "1000",
                                       "--no-ingest"])
    assert result.exit_code == 0, result.output
    assert "fetched 14998 of 15000 records" in result.output
    assert "PubMed served 14998 records where 15000 were promised (2 missing)" in result.output
    assert f"warning: not served: PMID {wanted[3]}, {wanted[12_000]}\n" in result.output
    posts = big_env.requests("epost")
    assert [p.ids() for p in posts] == [wanted[:9999], wanted[9999:]]
    pmids = fetched_pmids(tmp_path / "build")
    assert pmids == [p for p in wanted if p not in big_env.withheld]


def test_an_expired_history_of_a_slice_is_searched_again_without_fetching_a_batch_twice(
        big_env: EutilsServer, tmp_path: Path) -> None:
    """PubMed forgets the histories (after some hours: a long fetch, or one resumed the next
    day) in the second slice: that slice is searched again from its last batch on disk, and so
    is each later one when it is reached; no batch is fetched twice."""
    big_env.faults = [Fault("efetch", "expire", {"retstart": "2000"}, after=1)]
    output = run_fetch(tmp_path)
    assert "fetched 25000 of 25000 records" in output
    manifest = json.loads(next((tmp_path / "fetch").glob("*/manifest.json")).read_text())
    assert output.count("the history server rejected the WebEnv") == len(manifest["slices"]) - 1
    served = [r.served for r in big_env.requests("efetch") if r.served]
    assert sum(served) == BIG and len(served) == len(manifest["batches"])
    renewals = [r for r in big_env.requests("esearch") if r.get("retmax") != "0"]
    assert [(r.get("retstart"), r.get("retmax")) for r in renewals] == [("1000", "1000")]
    pmids = fetched_pmids(tmp_path)
    assert len(pmids) == BIG and set(pmids) == set(big_env.records)


def test_a_fetch_killed_mid_slice_resumes_with_the_first_batch_not_on_disk(
        big_env: EutilsServer, tmp_path: Path) -> None:
    """Killed while a batch of the second slice is on its way, the same command again fetches
    that batch and the rest: no batch twice, no record twice, none left out."""
    big_env.faults = [Fault("efetch", "slow", {"retstart": "2000"}, after=1, seconds=60)]
    command = [sys.executable, "-m", "kg.cli", "fetch", "--query", QUERY, "--into",
               str(tmp_path), "--batch-size", "1000", "--no-ingest"]
    process = subprocess.Popen(command, cwd=ROOT, env=os.environ.copy(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not any(r.fault == "slow" for r in big_env.requests("efetch")):
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=10)
    first = big_env.requests("efetch")
    assert first[-1].get("WebEnv") != first[0].get("WebEnv")  # killed in the second slice
    done_before = {(r.get("WebEnv"), r.get("retstart")) for r in first[:-1]}
    linked_before = {i for r in big_env.requests("elink") for i in r.ids()}
    mark = len(big_env.log)
    done = subprocess.run(command, cwd=ROOT, env=os.environ.copy(), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    again = big_env.log[mark:]
    assert not [r for r in again if r.utility == "esearch"]
    fetched_again = [(r.get("WebEnv"), r.get("retstart")) for r in again if r.utility == "efetch"]
    assert fetched_again[0] == (first[-1].get("WebEnv"), "2000")
    assert len(set(fetched_again)) == len(fetched_again) and not set(fetched_again) & done_before
    assert not {i for r in again if r.utility == "elink" for i in r.ids()} & linked_before
    assert "fetched 25000 of 25000 records" in done.stdout
    pmids = fetched_pmids(tmp_path)
    assert len(pmids) == BIG and set(pmids) == set(big_env.records)


# --- the command line --------------------------------------------------------------------------------

@pytest.mark.parametrize("given, status, message", [
    ([], 2, "Error: give --query QUERY or --pmids FILE: what to fetch"),
    (["--query", QUERY, "--pmids", "PMIDS"], 2, "Error: give --query or --pmids, not both"),
    (["--query", QUERY, "--pmids", "MISSING"], 2, "Error: give --query or --pmids, not both"),
    (["--pmids", "NOT PMIDS", "--since", "2026-12-01"], 2,
     "Error: --since applies to a query, not to a list of PMIDs"),
    (["--pmids", "MISSING"], 2, "Error: Invalid value for '--pmids': File 'MISSING' does not "
     "exist."),
    (["--query", QUERY, "--no-ingest", "--mesh", "MESH"], 2, "Error: --mesh is for the "
     "ingest, which --no-ingest leaves out: give it to `evkg ingest` with the batches (or leave "
     "out --no-ingest)"),
    (["--query", QUERY, "--no-ingest", "--mesh", "MESH", "--mirbase", "MESH"], 2, "Error: --mesh "
     "and --mirbase are for the ingest, which --no-ingest leaves out: give them to `evkg ingest` "
     "with the batches (or leave out --no-ingest)"),
    (["--query", "  "], 2, "Error: Invalid value for '--query': it is empty: give a PubMed query"),
    (["--query", ""], 2, "Error: Invalid value for '--query': it is empty: give a PubMed query"),
])
def test_fetch_says_what_to_give_when_given_neither_or_both(
        given: list[str], status: int, message: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Given neither, it said "give a query or a list of PMIDs (not both)": the "not both"
    read as the fault. A query of spaces was sent to PubMed as a search, and an empty one was
    said not to be given. No request is made before the message. A review's: given both, or
    --since with --pmids, the --pmids file was read first: one that was not there, or held no
    PMIDs, was named instead of the options that cannot go together. --mesh or --mirbase with
    --no-ingest were taken and left unused, saying nothing. Each is a usage error, exit 2 as
    click's own are (they exited 1, as a fetch that failed does)."""
    (tmp_path / "pmids.txt").write_text("37534210\n")
    (tmp_path / "notes.txt").write_text("a list of papers to read\n")
    (tmp_path / "mesh.tsv").write_text("")
    files = {"PMIDS": "pmids.txt", "NOT PMIDS": "notes.txt", "MISSING": "missing.txt",
             "MESH": "mesh.tsv"}
    monkeypatch.chdir(tmp_path)  # (a file not there is named as given)
    monkeypatch.setenv("EVKG_EUTILS_URL", f"http://127.0.0.1:{free_port()}/")  # (none taken)
    args = [files.get(arg, arg) for arg in given]
    message = message.replace("'MISSING'", "'missing.txt'")
    result = CliRunner().invoke(main, ["fetch", *args, "--into", str(tmp_path / "build")])
    assert result.exit_code == status
    assert result.output.strip().splitlines()[-1] == message
    assert not (tmp_path / "build").exists()

@pytest.mark.parametrize("url, why", [
    ("notaurl", "it has no http:// or https:// before it"),
    ("ftp://127.0.0.1/entrez/", "its scheme is ftp, not http or https"),
])
def test_fetch_names_an_eutils_url_that_is_no_http_url_before_anything(
        url: str, why: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A review's: `EVKG_EUTILS_URL=notaurl evkg fetch` warned that no email was given, made
    the build folder, then said urllib's "unknown url type: 'notaurl/esearch.fcgi?db=pubmed&…'"
    with the rest of the first request. The setting is named with why, before anything."""
    monkeypatch.delenv("EVKG_NCBI_EMAIL", raising=False)
    monkeypatch.setenv("EVKG_EUTILS_URL", url)
    result = CliRunner().invoke(main, ["fetch", "--query", QUERY, "--into",
                                       str(tmp_path / "build")])
    assert (result.exit_code, result.output) == (1, (
        f"Error: EVKG_EUTILS_URL={url!r}: {why}: give an http or https URL "
        "(http://HOST:PORT/PATH)\n"))
    assert not (tmp_path / "build").exists()


def test_count_mismatch_is_reported(eutils_env: EutilsServer, tmp_path: Path,
                                    seedtk: dict[str, bytes]) -> None:
    eutils_env.withheld = set(list(seedtk)[5:7])
    result = CliRunner().invoke(main, ["fetch", "--query", QUERY, "--into", str(tmp_path),
                                       "--batch-size", "50", "--no-ingest"])
    assert result.exit_code == 0, result.output
    assert "fetched 98 of 100 records" in result.output
    assert "warning: PubMed served 98 records where 100 were promised (2 missing)" in result.output


def test_pmids_file_is_posted_and_fetched(eutils_env: EutilsServer, tmp_path: Path,
                                          seedtk: dict[str, bytes],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EVKG_NCBI_EMAIL")
    wanted = list(seedtk)[10:15]
    (tmp_path / "pmids.txt").write_text("# my list\n" + "\n".join(wanted) + "\n\n")
    result = CliRunner().invoke(main, ["fetch", "--pmids", str(tmp_path / "pmids.txt"), "--into",
                                       str(tmp_path / "build"), "--no-ingest"])
    assert result.exit_code == 0, result.output
    assert "warning: no contact email" in result.output
    assert eutils_env.requests("epost")[0].ids() == wanted
    assert "fetched 5 of 5 records" in result.output
    assert all("email" not in r.params for r in eutils_env.log)


def test_a_fetch_of_one_record_says_so_in_the_singular(eutils_env: EutilsServer, tmp_path: Path,
                                                      seedtk: dict[str, bytes]) -> None:
    """It said "fetched 1 of 1 records (1 articles) in 1 batches"."""
    (tmp_path / "pmids.txt").write_text(list(seedtk)[10] + "\n")
    result = CliRunner().invoke(main, ["fetch", "--pmids", str(tmp_path / "pmids.txt"), "--into",
                                       str(tmp_path / "build"), "--no-ingest"])
    assert result.exit_code == 0, result.output
    assert "fetched 1 of 1 record (1 article) in 1 batch -> " in result.output


@pytest.mark.skipif(not shutil.which("strace"), reason="strace reads which calls a fetch makes")
def test_a_fetch_s_files_keep_their_names_through_a_power_cut(
        eutils_env: EutilsServer, tmp_path: Path, seedtk: dict[str, bytes]) -> None:
    """A review's: a fetch synced each file it wrote (a batch, its records, the manifest) and
    renamed it to its name, but never synced the folder after: a power cut could lose the
    rename (names may reach the disk some seconds after the call), and a resumed fetch find
    the batch it had recorded gone, or an older manifest. Each rename into the fetch's folder
    is followed by a sync of that folder, as the release's are."""
    (tmp_path / "pmids.txt").write_text("\n".join(list(seedtk)[10:12]) + "\n")
    calls = traced_syncs(["fetch", "--pmids", str(tmp_path / "pmids.txt"), "--into",
                          str(tmp_path / "build"), "--no-ingest"], tmp_path / "strace.log")
    renamed = [number for number, (call, path) in enumerate(calls)
               if call == "rename" and Path(path).parent.parent == tmp_path / "build" / "fetch"]
    assert {Path(calls[number][1]).name for number in renamed} >= {
        "manifest.json", "batch-00000000.xml.gz", "batch-00000000.jsonl"}
    assert [calls[number + 1:number + 2] for number in renamed] == [
        [("sync", str(Path(calls[number][1]).parent))] for number in renamed]


def test_a_fetch_served_more_records_than_asked_says_so(eutils_env: EutilsServer, tmp_path: Path,
                                                       seedtk: dict[str, bytes]) -> None:
    """A review's: PubMed serving two records for the one PMID asked for (a record merged into
    another's, both sent) was summed up as "fetched 2 of 1 record", which no count can be."""
    asked, other = list(seedtk)[10:12]
    eutils_env.records[asked] = seedtk[asked] + b"\n" + seedtk[other]
    (tmp_path / "pmids.txt").write_text(asked + "\n")
    result = CliRunner().invoke(main, ["fetch", "--pmids", str(tmp_path / "pmids.txt"), "--into",
                                       str(tmp_path / "build"), "--no-ingest"])
    assert result.exit_code == 0, result.output
    assert "fetched 2 records, 1 more than the 1 asked for (2 articles) in 1 batch -> " in (
        result.output)
    assert ("warning: PubMed served 2 records where 1 was promised (1 extra): records PubMed "
            "was not asked for, or one sent twice (every batch was fetched)") in result.output
    assert " of 1 record" not in result.output


def test_a_fetch_into_a_file_or_a_release_is_refused_before_pubmed_is_asked(
        eutils_env: EutilsServer, build_dir: Path, tmp_path: Path,
        seedtk: dict[str, bytes]) -> None:
    """`evkg fetch --into q.rq` fetched nothing and said "[Errno 20] Not a directory:
    'q.rq/fetch/…'"; `--into DIR/current` wrote its batches into the release folder, and only
    the ingest, once every batch had come, said a release is no build folder. Both are told
    what the folder must be before PubMed is asked."""
    (tmp_path / "pmids.txt").write_text(list(seedtk)[10] + "\n")
    afile = tmp_path / "q.rq"
    afile.write_text("ASK {}")
    fetch = ["fetch", "--pmids", str(tmp_path / "pmids.txt"), "--no-ingest", "--into"]
    result = CliRunner().invoke(main, [*fetch, str(afile)])
    assert (result.exit_code, result.output) == (1, (
        f"Error: {afile} is a file, not a build folder: give the folder `evkg build --out` "
        "writes\n"))
    listed = sorted((build_dir / "current").resolve().iterdir())
    result = CliRunner().invoke(main, [*fetch, str(build_dir / "current")])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {build_dir / 'current'} is a release of a build "
                                    "folder"), result.output
    assert sorted((build_dir / "current").resolve().iterdir()) == listed
    assert eutils_env.log == []


@pytest.mark.parametrize(("line", "shown"), [("PMC10393036", "'PMC10393036'"), ("000", "'000'")])
def test_a_pmids_line_that_is_no_pmid_is_named(tmp_path: Path, line: str, shown: str) -> None:
    """A line of a --pmids file that is no PMID stops the fetch before PubMed is asked, naming
    the file and line: a PMCID, and zeros alone (PMID 0, which names no article)."""
    (tmp_path / "pmids.txt").write_text(f"24735924\n{line}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["fetch", "--pmids", str(tmp_path / "pmids.txt"), "--into",
                                       str(tmp_path / "build"), "--no-ingest"])
    assert (result.exit_code, result.output.splitlines()[-1]) == (2, (
        f"Error: Invalid value for '--pmids': {tmp_path / 'pmids.txt'}, line 2: {shown} is not "
        "a PMID"))


@pytest.mark.parametrize(("text", "said"), [
    (b"", "names no PMID (one a line; blank lines and # comments are skipped)"),
    (b"\n# from the review's search\n\n", "names no PMID (one a line; blank lines and # "
     "comments are skipped)"),
    (b"24735924\n\xff\xfe\n", "not UTF-8 text (invalid start byte at byte 10): give a file of "
     "PMIDs, one a line"),
])
def test_a_pmids_file_of_no_pmid_is_named_before_pubmed_is_asked(
        eutils_env: EutilsServer, tmp_path: Path, text: bytes, said: str) -> None:
    """A review's: `evkg fetch --pmids FILE` of an empty file (or of comments alone) said
    "FILE: no PMIDs" with exit 1, as if the fetch had failed, and one not UTF-8 said Python's
    "'utf-8' codec can't decode byte 0xff in position 9", naming no file. Each names --pmids
    and the file, as click names a bad value (exit 2), before PubMed is asked."""
    listing = tmp_path / "pmids.txt"
    listing.write_bytes(text)
    result = CliRunner().invoke(main, ["fetch", "--pmids", str(listing), "--into",
                                       str(tmp_path / "build"), "--no-ingest"])
    assert (result.exit_code, result.output.splitlines()[-1]) == (
        2, f"Error: Invalid value for '--pmids': {listing}: {said}")
    assert eutils_env.log == []
    assert not (tmp_path / "build").exists()


def test_a_pmids_file_saved_with_a_byte_order_mark_is_read(
        eutils_env: EutilsServer, tmp_path: Path, seedtk: dict[str, bytes]) -> None:
    """A review's: a --pmids FILE saved as "UTF-8 with BOM" (Windows Notepad's UTF-8 before
    2019, Excel's "CSV UTF-8") was refused: `FILE, line 1: '\\ufeff24735924' is not a PMID`,
    naming a character the user never sees, where evkg's other readers (MEDLINE, .jsonl,
    MeSH, saved pages) skip the mark. Its PMIDs are fetched."""
    listing = tmp_path / "pmids.txt"
    listing.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(list(seedtk)[10:12]).encode() + b"\r\n")
    result = CliRunner().invoke(main, ["fetch", "--pmids", str(listing), "--into",
                                       str(tmp_path / "build"), "--no-ingest"])
    assert result.exit_code == 0, result.output
    assert "fetched 2 of 2 records (2 articles) in 1 batch -> " in result.output


def test_a_pmid_pubmed_does_not_serve_is_named(eutils_env: EutilsServer, tmp_path: Path,
                                               seedtk: dict[str, bytes]) -> None:
    """A PubMed user's review: "(1 missing)" of a --pmids list did not say which PMID; the
    summary names those PubMed served no record for. A PMID listed again with a leading zero
    was posted twice and counted as one more promised record: it is one PMID."""
    wanted = list(seedtk)[10:15]
    eutils_env.withheld = {wanted[1], wanted[3]}
    (tmp_path / "pmids.txt").write_text("\n".join(["0" + wanted[0], *wanted]) + "\n")
    result = CliRunner().invoke(main, ["fetch", "--pmids", str(tmp_path / "pmids.txt"), "--into",
                                       str(tmp_path / "build"), "--no-ingest", "--quiet"])
    assert result.exit_code == 0, result.output
    assert eutils_env.requests("epost")[0].ids() == wanted
    assert "PubMed served 3 records where 5 were promised (2 missing)" in result.output
    assert f"warning: not served: PMID {wanted[1]}, {wanted[3]}\n" in result.output


def test_pmids_left_out_by_max_are_not_said_to_be_unserved(
        eutils_env: EutilsServer, tmp_path: Path, seedtk: dict[str, bytes]) -> None:
    """A new user's: `--pmids` of four PMIDs with `--max 2` fetched two and warned "not
    served: PMID …" of the two it never asked for (of a list of 10,101 with --max 10,050, 50
    such buried the one PubMed lacked). What --max left out is said once, as --max's."""
    wanted = list(seedtk)[30:34]
    (tmp_path / "pmids.txt").write_text("\n".join(wanted) + "\n")
    result = CliRunner().invoke(main, ["fetch", "--pmids", str(tmp_path / "pmids.txt"), "--max",
                                       "2", "--into", str(tmp_path / "build"), "--no-ingest"])
    assert result.exit_code == 0, result.output
    assert "fetched 2 of 2 records (2 articles) in 1 batch -> " in result.output
    assert "the search matches 4 records; 2 were fetched (--max 2)" in result.output
    assert "not served" not in result.output


def test_fetch_passes_mirbase_to_the_ingest(eutils_env: EutilsServer, build_dir: Path,
                                            seedtk: dict[str, bytes], tmp_path: Path) -> None:
    """`evkg fetch` had no --mesh or --mirbase: a nightly fetch could not take miRBase's
    miRNAs as cargo. The file reaches the ingest (an empty one is its error, named)."""
    wanted = list(seedtk)[20:22]
    (tmp_path / "pmids.txt").write_text("\n".join(wanted) + "\n")
    empty = tmp_path / "hsa.gff3"
    empty.write_text("")
    result = CliRunner().invoke(main, ["fetch", "--pmids", str(tmp_path / "pmids.txt"), "--into",
                                       str(build_dir), "--mirbase", str(empty), "--quiet"])
    assert result.exit_code == 1
    assert f"Error: {empty}: no miRNA in it" in result.output
    gff3 = shared_path("data", "mirbase", "hsa.gff3")
    result = CliRunner().invoke(main, ["fetch", "--pmids", str(tmp_path / "pmids.txt"), "--into",
                                       str(build_dir), "--mirbase", str(gff3), "--quiet"])
    assert result.exit_code == 0, result.output
    assert set(wanted) <= set(graph_pmids(build_dir))


def test_fixture_records_fetch_without_shared(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The project's own fixtures go through the same path when ../shared is absent."""
    with EutilsServer(read_articles(ROOT / "tests/data/pubmed_articles.xml")).running() as fake:
        monkeypatch.setenv("EVKG_EUTILS_URL", fake.url)
        monkeypatch.setenv("NCBI_API_KEY", "test-key")
        report = fetch(tmp_path, query="vesicles", batch_size=1, client=quick(email=EMAIL),
                       ingest_records=False)
        lines = (report.folder / "batch-00000001.jsonl").read_text().splitlines()
        records = [json.loads(line) for line in lines]
        xml = requests.get(fake.url + "esearch.fcgi", params={"term": "x"}, timeout=5).text
    assert report.received == 2 and records[0]["pmid"] == "99999902"
    assert records[0]["cited_by_pmids"] == ["99999901"]
    assert records[0]["similar_pmids"] == ["99999901", "99999903"]
    assert "<Count>2</Count>" in xml and "<Id>99999901</Id>" in xml


def test_a_record_the_reader_refuses_is_named_under_quiet_and_after_a_resume(
        eutils_env: EutilsServer, tmp_path: Path, seedtk: dict[str, bytes],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A record of an EFetch batch that the reader could not take (here an entity PubMed's DTD
    would define) is in no ``.jsonl``, so the ingest never saw it: `--quiet` (the crontab's
    way) printed nothing about it, and a resumed fetch forgot it. Every summary warns of it."""
    pmids = list(seedtk)[:40]
    bad = pmids[3]
    eutils_env.records = {p: seedtk[p] for p in pmids}
    eutils_env.records[bad] = seedtk[bad].replace(b"<ArticleTitle>", b"<ArticleTitle>Caf&eacute; ",
                                                  1)
    eutils_env.faults = [Fault("efetch", "500", {"retstart": "20"}, times=5)]
    from_env = Client.from_env
    monkeypatch.setattr(Client, "from_env", lambda email="": from_env(email, backoff=0.05))
    command = ["fetch", "--query", QUERY, "--into", str(tmp_path), "--batch-size", "20",
               "--no-ingest", "--quiet"]
    failed = CliRunner().invoke(main, command)
    assert failed.exit_code == 1 and "failed after 5 attempts" in failed.output
    resumed = CliRunner().invoke(main, command)
    assert resumed.exit_code == 0, resumed.output
    assert f"warning: PubMed's record PMID {bad} could not be read" in resumed.output
    assert "&eacute;" in resumed.output
    manifest = json.loads(next((tmp_path / "fetch").glob("*/manifest.json")).read_text())
    assert [r["pmid"] for b in manifest["batches"] for r in b["rejected"]] == [bad]


def test_a_record_the_reader_refuses_is_in_the_releases_quarantine(
        eutils_env: EutilsServer, build_dir: Path, seedtk: dict[str, bytes]) -> None:
    """The bar: every record that cannot be taken is kept in the quarantine report with its
    file, position and reason. A fetched record the reader refused was in no ``.jsonl``, so
    the ingest never saw it and the release's quarantine.jsonl did not list it."""
    pmids = list(seedtk)[:10]
    bad = pmids[3]
    eutils_env.records = {p: seedtk[p] for p in pmids}
    eutils_env.records[bad] = seedtk[bad].replace(b"<ArticleTitle>", b"<ArticleTitle>Caf&eacute; ",
                                                  1)
    result = CliRunner().invoke(main, ["fetch", "--query", QUERY, "--into", str(build_dir),
                                       "--quiet"])
    assert result.exit_code == 0, result.output
    assert f"warning: PubMed's record PMID {bad} could not be read" in result.output
    quarantine = [json.loads(line) for line in
                  (current_release(build_dir) / "quarantine.jsonl").read_text().splitlines()]
    [entry] = [q for q in quarantine if q.get("pmid") == bad]
    assert "&eacute;" in entry["reason"] and entry["file"].endswith(".xml.gz")
    assert bad not in graph_pmids(build_dir)
    assert set(pmids) - {bad} <= set(graph_pmids(build_dir))
    again = CliRunner().invoke(main, ["fetch", "--query", QUERY, "--into", str(build_dir)])
    assert again.exit_code == 0 and "nothing changed" in again.output, again.output


def test_what_pubmed_left_out_of_the_query_is_a_warning(
        eutils_env: EutilsServer, tmp_path: Path) -> None:
    """PubMed drops a phrase or field tag it does not know and searches the rest, saying so
    only in ESearch's errorlist and warninglist: a typo fetched (and ingested) a wider search
    than the one asked for, or none, without a word. The fetch warns, `--quiet` or not."""
    eutils_env.search_notes = {
        "errorlist": {"phrasesnotfound": ["exosmes"], "fieldsnotfound": ["tiabx"]},
        "warninglist": {"phrasesignored": ["and"], "quotedphrasesnotfound": [],
                        "outputmessages": []},
        "querytranslation": "breast cancer[All Fields]"}
    result = CliRunner().invoke(main, ["fetch", "--query", "exosmes AND breast cancer[tiabx]",
                                       "--into", str(tmp_path), "--max", "5", "--no-ingest",
                                       "--quiet"])
    assert result.exit_code == 0, result.output
    assert ("warning: PubMed did not search the query as written (phrase not found: exosmes; "
            "field not found: tiabx; phrase ignored: and; PubMed searched: breast cancer[All "
            "Fields])") in result.output
    eutils_env.search_notes = {"errorlist": {"phrasesnotfound": [], "fieldsnotfound": []}}
    quiet = CliRunner().invoke(main, ["fetch", "--query", QUERY, "--into", str(tmp_path / "b"),
                                      "--max", "5", "--no-ingest", "--quiet"])
    assert quiet.exit_code == 0 and quiet.output == "", quiet.output


def test_an_error_pubmeds_search_gives_every_time_does_not_only_say_run_again(
        eutils_env: EutilsServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ESearch's ERROR is tried again (NCBI also gives it for a failure of its own that
    passes), but when every attempt gets it the query may be at fault: the fetch said only
    "Run the same command again to resume", which would fail the same way. It now shows
    PubMed's message and says to correct the query if the message is about it."""
    eutils_env.search_notes = {"ERROR": "the stand-in's made-up error about the query"}
    from_env = Client.from_env
    monkeypatch.setattr(Client, "from_env", lambda email="": from_env(email, backoff=0.01))
    result = CliRunner().invoke(main, ["fetch", "--query", QUERY, "--into", str(tmp_path),
                                       "--no-ingest"])
    assert result.exit_code == 1
    assert len(eutils_env.requests("esearch")) == 5
    assert ("Error: ESearch failed after 5 attempts; last: PubMed's search answered with an "
            "error: the stand-in's made-up error about the query\nIf PubMed's message is about "
            "the query, correct --query; otherwise run the same command again to resume.\n"
            ) in result.output


def test_the_readmes_crontab_entries_are_each_one_line() -> None:
    """An operator who copied the README's nightly fetch into `crontab -e` had it refused
    ("bad minute", "errors in crontab file, can't install"): the entry was continued over
    three lines with `\\`, which cron does not read. Each entry is one line of five time fields
    and a command, and the server the entry reloads is found by the pid file it names."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("    # crontab:", 1)[1].split("\n\n", 1)[0]
    entries = [line.strip() for line in block.splitlines()[1:]]
    assert entries, block
    for entry in entries:
        fields = entry.split(maxsplit=5)
        assert len(fields) == 6 and all(f[0] in "0123456789*" for f in fields[:5]), entry
        assert not entry.endswith("\\"), entry
    assert any('kill -HUP "$(cat evkg.pid)"' in entry for entry in entries), entries
    assert 'GUNICORN_CMD_ARGS="--pid evkg.pid"' in readme
