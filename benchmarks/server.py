"""Server throughput: evkg's server beside Oxigraph's own server and pyoxigraph in process.

    python benchmarks/server.py [--store BUILD_DIR] [--synthetic N] [--clients 1,8,16]
                                [--seconds 10] [--workdir DIR]

On the current release of ``--store`` (default: the default graph, built into the work folder as
``benchmarks/backends.py`` builds it), or on a synthetic release of N articles, it measures
requests/s and p50/p99 latency at each number of concurrent clients for four requests:

- cheap: ``SELECT ?article ?title … LIMIT 10``;
- medium: findings joined with their cargo's class and their process (mitochondrial DNA linked to
  drug resistance: 2 rows on the default graph, about 60 at 100k synthetic articles);
- heavy: the top MeSH headings by GROUP BY (``queries/top-mesh-headings.rq``), asked repeatedly,
  and once cold;
- article: an article's HTML page on evkg. Oxigraph and pyoxigraph have no pages; for them, the
  closest equivalent: the CONSTRUCT of the article's RDF that evkg's pages start from, as Turtle.

The systems, one after the other, all on the release's store opened read-only:

- ``evkg serve`` as users run it (gunicorn, default workers, threads and allocator, no ``EVKG_*``
  setting but the cache's), with the result cache off (``EVKG_CACHE_MAX_BYTES=0``: every query runs), then
  with the default cache in a new folder (the queries are then answered from the cache after the
  first request; pages never are, so they are timed on the first server only);
- ``oxigraph serve-read-only --union-default-graph`` as shipped (with the C library's malloc;
  evkg's default graph is the union of the six named graphs, and no query here has a FROM);
- pyoxigraph in this process: N threads each running the query and serialising the whole answer
  as SPARQL JSON (Turtle for the CONSTRUCT), as a server must.

HTTP load comes from ``wrk --latency`` (connections = clients, threads = min(clients, 2)): GET,
``?query=``, ``Accept: application/sparql-results+json``. Before any timing, each system's answer
to each request is checked against pyoxigraph's (status 200, as many rows or triples; a page from
evkg; ``X-EVKG-Cache`` absent with the cache off, a miss then a hit with it on). A run with any
non-2xx/3xx answer or socket error is reported as errors, not as throughput. Each run starts when
the server's processes are idle, and lasts at least twice what one request takes at that
concurrency: a heavy aggregate without a cache gets longer runs, or none past ``HEAVY_RUN_LIMIT``.
Last, Oxigraph's server and evkg with the cache off run side by side and take the medium query
in turns (``PAIRED_ROUNDS`` rounds at the target's clients): the systems above are measured
minutes apart, and this machine's speed drifts by as much as the target's margin in that time.
It prints Markdown tables: system × request × clients, the heavy aggregate cold, the rounds in
turns, and the issue's targets with whether each is met. Wall-clock figures: wrk and this process
share the cores.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from backends import build_release  # noqa: E402
from pyoxigraph import QueryResultsFormat, QuerySolutions, QueryTriples, RdfFormat, Store, parse  # noqa: E402

from kg import iris  # noqa: E402
from kg.cli import serve_command  # noqa: E402
from kg.examples import load_examples  # noqa: E402
from kg.release import current_release, read_manifest  # noqa: E402
from kg.store import open_read_only  # noqa: E402
from server.description import INCOMING_LIMIT, owned_pattern  # noqa: E402
from server.run import DEFAULT_THREADS, allocator_library  # noqa: E402
from server.state import DEFAULT_SERVING  # noqa: E402
from tests.backends import (  # noqa: E402
    cpu_seconds,
    oxigraph_binary,
    process_tree,
    stop_process,
)
from tests.conftest import free_port  # noqa: E402

#: The requests, in table order.
KINDS = ("cheap", "medium", "heavy", "article")
PREFIXES = """PREFIX schema: <https://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX evkg: <https://w3id.org/evkg/ontology#>
"""
CHEAP_QUERY = PREFIXES + """SELECT ?article ?title
WHERE { ?article a schema:ScholarlyArticle ; dcterms:title ?title }
LIMIT 10"""
#: Synthetic releases have findings by MeSH indexing only, where microRNAs appear as a class and
#: never as a molecule; proteins and mtDNA do, in both kinds of release.
MEDIUM_QUERY = PREFIXES + """SELECT ?article ?title ?cargo ?effect
WHERE {
  ?finding evkg:process <https://w3id.org/evkg/process/drug_resistance> ;
           evkg:cargo ?cargo ;
           evkg:effect ?effect ;
           prov:wasDerivedFrom ?article .
  ?cargo a evkg:MitochondrialDNA .
  ?article dcterms:title ?title .
}
ORDER BY ?article ?cargo"""
#: The example query that is the heavy aggregate.
HEAVY_EXAMPLE = "top-mesh-headings"
#: The article whose page is asked for when the release has it (the seed review).
SEED_PMID = "37534210"
JSON_RESULTS, TURTLE, HTML = "application/sparql-results+json", "text/turtle", "text/html"
EVKG_OFF, EVKG_ON = "evkg (cache off)", "evkg (cache on)"
OXIGRAPH, DIRECT = "oxigraph server", "pyoxigraph in process"
#: Seconds a server may take to answer its first request.
START_SECONDS = 120.0
#: The longest run of one request at one number of clients. A run lasts twice what a request
#: takes at that concurrency; one that would need longer (a heavy aggregate without a cache, many
#: clients, a big release) is not run, and says so.
HEAVY_RUN_LIMIT = 120.0
#: Between runs a server counts as idle under this share of one core, waited for at most
#: IDLE_LIMIT s: wrk leaves unfinished requests behind, which the server still computes.
IDLE_SHARE = 0.05
IDLE_LIMIT = 180.0
#: Unrecorded runs after a server starts, until it starts no more processes: each evkg worker
#: starts its query process on first use, and one worker may hold more of wrk's connections than
#: the other (so the warm-up has many, until both workers have theirs). Its queries
#: (``SELECT (n AS ?n) {}``, a new n each time) miss the cache.
WARM_UP_SECONDS = 2
WARM_UP_CLIENTS = 32
WARM_UP_ROUNDS = 10
#: Rounds in a row the number of processes must stay the same.
WARM_UP_STABLE = 3
WARM_UP_LUA = """
local threads, count = 0, 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end
function request()
  count = count + 1
  return wrk.format(nil, "PATH?query=SELECT%20%28" .. (id * 1000000000 + count) ..
                    "%20AS%20%3Fn%29%20%7B%7D")
end
"""
#: Rounds of the medium query taken in turns by Oxigraph's server and evkg with the cache off,
#: both running, after the runs above: the target's ratio is the median of the rounds' ratios,
#: so that the machine's speed drifting over the minutes between the systems' turns above does
#: not decide it.
PAIRED_ROUNDS = 3
#: The issue's targets: ratios to Oxigraph's server at TARGET_CLIENTS, p99 at P99_CLIENTS.
TARGET_CLIENTS = 8
P99_CLIENTS = 16
MEDIUM_RATIO = 0.9
CHEAP_RATIO = 0.3
CHEAP_P99_MS = 20.0
HEAVY_RATIO = 100.0
#: wrk's time units, in milliseconds.
WRK_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4, "h": 3.6e6}


class Refused(Exception):
    """A server answered a single request with an error (a 503 past its time limit …)."""


@dataclass(frozen=True)
class Request:
    """One thing asked of every system: a query; on evkg, the article is its page instead."""

    kind: str
    query: str
    accept: str
    page: str | None = None


@dataclass
class Run:
    """One measurement: ``requests`` answered in ``seconds`` by ``clients`` clients."""

    system: str
    kind: str
    clients: int
    seconds: float
    requests: int = 0
    rps: float = 0.0
    p50: float = 0.0
    p99: float = 0.0
    errors: str = ""


@dataclass
class System:
    """How to ask a system once (ms, answer size, ``X-EVKG-Cache``) and under load."""

    name: str
    once: Callable[[Request], tuple[float, int, str | None]]
    load: Callable[[Request, int, float], Run]
    settle: Callable[[], None]
    #: The requests timed under load (the heavy aggregate is always asked once, cold).
    kinds: tuple[str, ...] = KINDS


def article_request(store: Store) -> Request:
    """The seed review, or the first article a finding is drawn from."""
    iri = iris.article_iri(SEED_PMID)
    if not any(True for _ in store.quads_for_pattern(iri, None, None)):
        rows = store.query(PREFIXES + "SELECT ?a WHERE { ?f prov:wasDerivedFrom ?a } LIMIT 1",
                           use_default_graph_as_union=True)
        assert isinstance(rows, QuerySolutions)
        iri = next(iter(rows))[0]
    # The query of server.description.resource_triples: the resource's RDF.
    construct = f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{
      {owned_pattern(iri.value)}
      UNION {{ {{ SELECT DISTINCT ?s ?p WHERE {{ ?s ?p {iri} FILTER(isIRI(?s)) }}
                LIMIT {INCOMING_LIMIT} }} BIND({iri} AS ?o) }}
    }}"""
    return Request("article", construct, TURTLE, page="/" + iri.value.removeprefix(iris.base_iri()))


def answer_size(content_type: str, body: bytes) -> int:
    """Rows of a SPARQL JSON answer, distinct triples of a Turtle one, else bytes."""
    if content_type.startswith(JSON_RESULTS):
        return len(json.loads(body)["results"]["bindings"])
    if content_type.startswith(TURTLE):
        return len(set(parse(body, format=RdfFormat.TURTLE)))
    return len(body)


def percentile(sorted_ms: list[float], share: float) -> float:
    return sorted_ms[max(0, math.ceil(share * len(sorted_ms)) - 1)] if sorted_ms else 0.0


# --- pyoxigraph in this process ------------------------------------------------------------------

def direct_answer(store: Store, request: Request) -> tuple[str, bytes]:
    """Run the query and serialise the whole answer: its media type and bytes."""
    results = store.query(request.query, use_default_graph_as_union=True)
    if isinstance(results, QueryTriples):
        return TURTLE, results.serialize(format=RdfFormat.TURTLE) or b""
    assert isinstance(results, QuerySolutions)
    return JSON_RESULTS, results.serialize(format=QueryResultsFormat.JSON) or b""


def direct_system(store: Store) -> System:
    def once(request: Request) -> tuple[float, int, str | None]:
        started = time.perf_counter()
        answer = direct_answer(store, request)
        return (time.perf_counter() - started) * 1000, answer_size(*answer), None

    def load(request: Request, clients: int, seconds: float) -> Run:
        deadline = time.perf_counter() + seconds

        def client() -> list[float]:
            times = []  # as wrk does, a request still running at the deadline is not counted
            while (started := time.perf_counter()) < deadline:
                direct_answer(store, request)
                if (ended := time.perf_counter()) <= deadline:
                    times.append((ended - started) * 1000)
            return times

        with ThreadPoolExecutor(clients) as pool:
            times = sorted(t for f in [pool.submit(client) for _ in range(clients)]
                           for t in f.result())
        return Run(DIRECT, request.kind, clients, seconds, len(times), len(times) / seconds,
                   percentile(times, 0.5), percentile(times, 0.99),
                   "" if times else f"none finished in {seconds:.0f} s")

    return System(DIRECT, once, load, lambda: None)


# --- servers under wrk ---------------------------------------------------------------------------

@dataclass
class Server:
    """A server this benchmark started on 127.0.0.1."""

    name: str
    base: str
    query_path: str
    process: subprocess.Popen[bytes]
    log: Path
    #: A folder of its own, deleted when it stops (evkg's cache).
    scratch: Path | None = None

    def target(self, request: Request) -> tuple[str, str]:
        """The URL and the Accept header of ``request`` here (evkg serves pages)."""
        if request.page and self.name in (EVKG_OFF, EVKG_ON):
            return self.base + request.page, HTML
        return f"{self.base}{self.query_path}?{urlencode({'query': request.query})}", request.accept

    def stop(self) -> None:
        stop_process(self.process)
        if self.scratch:
            shutil.rmtree(self.scratch, ignore_errors=True)


def start_server(name: str, command: list[str], env: dict[str, str], ready_path: str,
                 query_path: str, port: int, workdir: Path, scratch: Path | None = None) -> Server:
    """Start ``command``; return once GET ``ready_path`` answers 200 (else stop it)."""
    log = workdir / f"{name.split()[0]}-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(name, f"http://127.0.0.1:{port}", query_path, process, log, scratch)
    try:
        wait_ready(server, ready_path)
    except BaseException:  # Ctrl-C too
        server.stop()
        raise
    return server


def wait_ready(server: Server, path: str) -> None:
    deadline = time.monotonic() + START_SECONDS
    while server.process.poll() is None and time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(server.base + path, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.25)
    tail = server.log.read_text(errors="replace")[-2000:]
    raise SystemExit(f"{server.name} did not start within {START_SECONDS:g} s (see {server.log})"
                     f":\n{tail}")


def start_evkg(build: Path, workdir: Path, cache: bool) -> Server:
    """``evkg serve`` with a user's defaults; the cache off, or on in a new folder."""
    port = free_port()
    # The shell's other EVKG_* settings would change what is measured.
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVKG_") or k == "EVKG_BASE_IRI"}
    cache_dir = workdir / f"cache-{time.time_ns()}"
    env["EVKG_CACHE_DIR"] = str(cache_dir)
    if not cache:
        env["EVKG_CACHE_MAX_BYTES"] = "0"
    evkg = Path(sys.executable).with_name("evkg")
    command = [str(evkg) if evkg.exists() else "evkg", "serve", "--store", str(build),
               "--host", "127.0.0.1", "--port", str(port)]
    return start_server(EVKG_ON if cache else EVKG_OFF, command, env, "/health", "/sparql", port,
                        workdir, cache_dir)


def start_oxigraph(store_dir: Path, workdir: Path) -> Server:
    binary = oxigraph_binary()
    if binary is None:
        raise SystemExit("the oxigraph command is not installed (pip install oxigraph)")
    port = free_port()
    # No --timeout-s: with it, Oxigraph 0.5 starts a thread per query that sleeps out the whole
    # limit, and at thousands of requests/s it runs out of threads ("os error 11") and panics.
    command = [binary, "serve-read-only", "--location", str(store_dir),
               "--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    return start_server(OXIGRAPH, command, dict(os.environ),
                        "/query?" + urlencode({"query": "ASK {}"}), "/query", port, workdir)


def http_once(server: Server, request: Request) -> tuple[float, int, str | None]:
    """One GET: milliseconds, answer size and ``X-EVKG-Cache``; ``Refused`` unless a 200."""
    url, accept = server.target(request)
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": accept}),
                                    timeout=HEAVY_RUN_LIMIT + 60) as response:
            body, headers = response.read(), response.headers
    except urllib.error.HTTPError as error:
        raise Refused(f"HTTP {error.code} {error.read()[:200]!r}") from None
    ms = (time.perf_counter() - started) * 1000
    content_type = headers.get("Content-Type", "")
    if not content_type.startswith(accept):
        raise SystemExit(f"{server.name}, {request.kind}: {content_type}, not {accept}")
    return ms, answer_size(content_type, body), headers.get("X-EVKG-Cache")


def wrk_run(server: Server, request: Request, clients: int, seconds: float,
            script: Path | None = None) -> Run:
    url, accept = server.target(request)
    command = ["wrk", "--latency", "-t", str(min(clients, 2)), "-c", str(clients),
               "-d", f"{max(1, round(seconds))}s", "--timeout", f"{round(seconds) + 30}s",
               "-H", f"Accept: {accept}", *(["-s", str(script)] if script else []), url]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    run = Run(server.name, request.kind, clients, seconds)
    if done.returncode != 0:
        run.errors = f"wrk failed: {done.stderr.strip()[:200]}"
        return run
    return parse_wrk(done.stdout, run)


def parse_wrk(text: str, run: Run) -> Run:
    """``run`` with the figures and errors of wrk's ``--latency`` report."""
    def ms(number: str, unit: str) -> float:
        return float(number) * WRK_UNITS[unit]

    total = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m|h)", text)
    latency = {p: ms(n, u) for p, n, u in
               re.findall(r"^\s*(50|99)%\s+([\d.]+)(us|ms|s|m|h)\s*$", text, re.M)}
    if total is None or set(latency) != {"50", "99"}:
        run.errors = "wrk's report not understood"
        return run
    run.requests = int(total.group(1))
    run.seconds = ms(total.group(2), total.group(3)) / 1000
    run.rps, run.p50, run.p99 = run.requests / run.seconds, latency["50"], latency["99"]
    errors = [f"{n} non-2xx/3xx" for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", text)]
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if sockets:
        errors += [f"{n} {what}" for what, n in zip(("connect", "read", "write", "timeout"),
                                                     sockets.groups(), strict=True) if n != "0"]
    if not run.requests:
        errors.append(f"none finished in {run.seconds:.0f} s")
    run.errors = ", ".join(errors)
    return run


def wait_idle(server: Server, interval: float = 0.5) -> None:
    """Return when the server's processes have gone idle (or after IDLE_LIMIT s)."""
    deadline = time.monotonic() + IDLE_LIMIT
    before = sum(cpu_seconds(process_tree(server.process.pid)).values())
    while time.monotonic() < deadline:
        time.sleep(interval)
        now = sum(cpu_seconds(process_tree(server.process.pid)).values())
        if now - before < IDLE_SHARE * interval:
            return
        before = now
    print(f"{server.name} still busy after {IDLE_LIMIT:g} s; measuring anyway", file=sys.stderr)


def warm_up(server: Server, workdir: Path, clients: int) -> None:
    """Short runs of queries the cache cannot answer, until the server starts no more processes."""
    script = workdir / "warm-up.lua"
    script.write_text(WARM_UP_LUA.replace("PATH", server.query_path), encoding="utf-8")
    counts = [len(process_tree(server.process.pid))]
    while len(counts) <= WARM_UP_ROUNDS and counts[-WARM_UP_STABLE:].count(counts[-1]) < WARM_UP_STABLE:
        run = wrk_run(server, Request("warm-up", "", JSON_RESULTS), clients, WARM_UP_SECONDS,
                      script)
        if run.errors:
            print(f"{server.name}: warm-up: {run.errors}", file=sys.stderr)
        counts.append(len(process_tree(server.process.pid)))


def server_system(server: Server, kinds: tuple[str, ...]) -> System:
    return System(server.name, lambda request: http_once(server, request),
                  lambda request, clients, seconds: wrk_run(server, request, clients, seconds),
                  lambda: wait_idle(server), kinds)


# --- measuring -----------------------------------------------------------------------------------

def measure(system: System, requests: list[Request], reference: dict[str, int],
            clients: list[int], seconds: float, colds: dict[str, tuple[float, float]]) -> list[Run]:
    """Check each answer against ``reference`` while timing it cold and warm, then under load."""
    cpus = len(os.sched_getaffinity(0))
    runs = []
    for request in requests:
        if request.kind not in system.kinds and request.kind != "heavy":
            continue
        try:
            cold, size, cache = system.once(request)
            warm, _, cache_again = system.once(request)
        except Refused as error:
            runs.append(Run(system.name, request.kind, 1, 0, errors=f"one request: {error}"))
            continue
        page = request.page is not None and system.name in (EVKG_OFF, EVKG_ON)
        if not page and size != reference[request.kind]:
            raise SystemExit(f"{system.name} answers {request.kind} with {size} rows or triples, "
                             f"pyoxigraph with {reference[request.kind]}: not the same query")
        caching = (cache, cache_again)
        if (system.name == EVKG_OFF and caching != (None, None)) or \
                (system.name == EVKG_ON and not page and caching != ("miss", "hit")):
            raise SystemExit(f"{system.name}, {request.kind}: X-EVKG-Cache {caching}")
        if request.kind == "heavy":
            colds[system.name] = (cold, warm)
        for count in clients if request.kind in system.kinds else []:
            # What one request takes with ``count`` at once, if the cores shared them perfectly.
            one_request = warm / 1000 * count / min(count, cpus)
            if 2 * one_request > HEAVY_RUN_LIMIT:
                runs.append(Run(system.name, request.kind, count, 0, errors=(
                    f"not run: {count} at once would take {figure(one_request)} s each or more")))
            else:
                system.settle()
                runs.append(system.load(request, count, max(seconds, math.ceil(2 * one_request))))
            print(f"  {row(runs[-1])}", file=sys.stderr, flush=True)
    return runs


def measure_release(build: Path, workdir: Path, clients: list[int], seconds: float) -> None:
    release = current_release(build)
    store = open_read_only(release / "store")
    heavy = next(e.query for e in load_examples(ROOT / "queries") if e.name == HEAVY_EXAMPLE)
    requests = [Request("cheap", CHEAP_QUERY, JSON_RESULTS),
                Request("medium", MEDIUM_QUERY, JSON_RESULTS),
                Request("heavy", heavy, JSON_RESULTS), article_request(store)]
    reference = {r.kind: answer_size(*direct_answer(store, r)) for r in requests}
    manifest = read_manifest(release)
    workers = next(p.default for p in serve_command.params if p.name == "workers")
    print(f"## release {release.name}: {manifest['articles']:,} articles, "
          f"{sum(manifest['triples'].values()):,} triples\n")
    allocator = allocator_library(None)[0] or "the C library's malloc"
    print(f"`evkg serve` as users get it: gunicorn, {workers} workers × {DEFAULT_THREADS} threads, "
          f"a query process per worker, allocator {allocator}, result cache "
          f"{DEFAULT_SERVING['CACHE_MAX_BYTES'] >> 20} MB. "
          f"Rows: cheap {reference['cheap']}, medium {reference['medium']}, heavy "
          f"{reference['heavy']}; article {requests[-1].page} ({reference['article']} triples). "
          f"{len(os.sched_getaffinity(0))} cores; runs of {seconds:g} s or more.\n", flush=True)
    for kind in [k for k in KINDS if not reference[k]]:
        print(f"warning: the {kind} request has no rows on this release", file=sys.stderr)
    colds: dict[str, tuple[float, float]] = {}
    runs = measure(direct_system(store), requests, reference, clients, seconds, colds)
    def oxigraph() -> Server:
        return start_oxigraph(release / "store", workdir)

    def evkg_uncached() -> Server:
        return start_evkg(build, workdir, cache=False)

    def evkg_cached() -> Server:
        return start_evkg(build, workdir, cache=True)

    starts: list[tuple[Callable[[], Server], tuple[str, ...]]] = [
        (oxigraph, KINDS), (evkg_uncached, ("cheap", "medium", "article")),
        (evkg_cached, ("cheap", "medium", "heavy"))]
    for start, kinds in starts:
        with ExitStack() as stack:
            server = started(stack, start, workdir, max(*clients, WARM_UP_CLIENTS))
            runs += measure(server_system(server, kinds), requests, reference, clients, seconds,
                            colds)
    paired = measure_in_turns((oxigraph, evkg_uncached), workdir, requests[1], seconds)
    print_tables(runs, colds, paired)


def started(stack: ExitStack, start: Callable[[], Server], workdir: Path, clients: int) -> Server:
    """A server from ``start``, warmed up at ``clients``, stopped when ``stack`` closes."""
    server = start()
    stack.callback(server.stop)
    print(f"{server.name}: {server.base}, log {server.log}", file=sys.stderr)
    warm_up(server, workdir, clients)
    return server


def measure_in_turns(starts: tuple[Callable[[], Server], Callable[[], Server]], workdir: Path,
                     request: Request, seconds: float) -> list[tuple[float, float]]:
    """(Oxigraph, evkg cache off) requests/s of ``request`` at TARGET_CLIENTS, round by round,
    both servers running and each measured while the other is idle; ``starts`` start those two
    servers, in that order."""
    rounds: list[tuple[float, float]] = []
    with ExitStack() as stack:
        servers = [started(stack, start, workdir, WARM_UP_CLIENTS) for start in starts]
        for number in range(1, PAIRED_ROUNDS + 1):
            figures = []
            for server in servers:
                wait_idle(server)
                run = wrk_run(server, request, TARGET_CLIENTS, seconds)
                print(f"  in turns, round {number}: {row(run)}", file=sys.stderr, flush=True)
                figures.append(0.0 if run.errors else run.rps)
            rounds.append((figures[0], figures[1]))
    return rounds


# --- reporting -----------------------------------------------------------------------------------

def figure(value: float) -> str:
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}" if value >= 1 else f"{value:.2g}"


def row(run: Run) -> str:
    label = {"article": "article page" if run.system in (EVKG_OFF, EVKG_ON) else
             "article RDF (CONSTRUCT, Turtle)"}.get(run.kind, run.kind)
    if run.system == EVKG_ON and not run.errors:
        label += " (cache hits)"
    figures = ["—"] * 3 if run.errors else [figure(run.rps), figure(run.p50), figure(run.p99)]
    figures += [str(run.requests), f"{run.seconds:.0f}"] if run.seconds else ["—", "—"]
    return f"| {run.system} | {label} | {run.clients} | {' | '.join(figures)} | {run.errors or 'none'} |"


def print_tables(runs: list[Run], colds: dict[str, tuple[float, float]],
                 paired: list[tuple[float, float]]) -> None:
    print("| system | request | clients | req/s | p50 ms | p99 ms | requests | s | errors |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---|")
    for kind in KINDS:
        print("\n".join(row(run) for run in runs if run.kind == kind))
    print("\nThe heavy aggregate asked by one client, nothing cached, then once more:\n")
    print("| system | first ms | second ms |\n|---|---:|---:|")
    for name, (cold, warm) in colds.items():
        print(f"| {name} | {figure(cold)} | {figure(warm)} |")
    print(f"\nThe medium query at {TARGET_CLIENTS} clients, Oxigraph's server and evkg (cache off) "
          "in turns, both running:\n")
    print("| round | Oxigraph req/s | evkg req/s | ratio |\n|---:|---:|---:|---:|")
    for number, (theirs, ours) in enumerate(paired, 1):
        ratio = f"{ours / theirs:.2f}" if theirs and ours else "—"
        print(f"| {number} | {figure(theirs)} | {figure(ours)} | {ratio} |")
    print("\nTargets (issue #4):\n")
    print("| target | evkg | Oxigraph | ratio | goal | met |\n|---|---:|---:|---:|---|---|")
    print("\n".join(target_rows(runs, colds, paired)))


def target_rows(runs: list[Run], colds: dict[str, tuple[float, float]],
                paired: list[tuple[float, float]]) -> list[str]:
    """The issue's targets; an unmeasured or failed run makes its target "not measured"."""
    found = {(r.system, r.kind, r.clients): r for r in runs if not r.errors}

    def rps(system: str, kind: str) -> float:
        run = found.get((system, kind, TARGET_CLIENTS))
        return run.rps if run else 0.0

    def ratio(what: str, evkg: float, oxigraph: float, goal: float) -> str:
        if not evkg or not oxigraph:
            return f"| {what} | {figure(evkg) if evkg else '—'} | " \
                   f"{figure(oxigraph) if oxigraph else '—'} | — | ≥ {goal:g} | not measured |"
        return f"| {what} | {figure(evkg)} | {figure(oxigraph)} | {evkg / oxigraph:.2f} | " \
               f"≥ {goal:g} | {'yes' if evkg / oxigraph >= goal else 'no'} |"

    at = f"{TARGET_CLIENTS} clients, req/s"
    lines = [ratio(f"medium, {at}: evkg (cache off) / Oxigraph", rps(EVKG_OFF, "medium"),
                   rps(OXIGRAPH, "medium"), MEDIUM_RATIO)]
    measured = sorted((ours / theirs, theirs, ours) for theirs, ours in paired if theirs and ours)
    if len(measured) == len(paired) and measured:
        _, theirs, ours = measured[len(measured) // 2]
        lines.append(ratio(f"medium, {at}, in turns (the round of median ratio of "
                           f"{len(paired)}): evkg (cache off) / Oxigraph", ours, theirs,
                           MEDIUM_RATIO))
    else:
        lines.append(ratio(f"medium, {at}, in turns: evkg (cache off) / Oxigraph", 0.0, 0.0,
                           MEDIUM_RATIO))
    for system in (EVKG_OFF, EVKG_ON):
        lines.append(ratio(f"cheap, {at}: {system} / Oxigraph", rps(system, "cheap"),
                           rps(OXIGRAPH, "cheap"), CHEAP_RATIO))
        tail, their_tail = (found.get((s, "cheap", P99_CLIENTS)) for s in (system, OXIGRAPH))
        met = ("yes" if tail.p99 < CHEAP_P99_MS else "no") if tail else "not measured"
        lines.append(f"| cheap, {P99_CLIENTS} clients, p99 ms: {system} | "
                     f"{figure(tail.p99) if tail else '—'} | "
                     f"{figure(their_tail.p99) if their_tail else '—'} "
                     f"| | < {CHEAP_P99_MS:g} | {met} |")
    # Oxigraph's throughput on the heavy aggregate: as measured, or its cores divided by one
    # request's time if that is more, so that a short run never flatters evkg.
    cpus = min(TARGET_CLIENTS, len(os.sched_getaffinity(0)))
    ideal = cpus / (colds[OXIGRAPH][1] / 1000) if OXIGRAPH in colds else 0.0
    lines.append(ratio(f"heavy asked repeatedly, {at}: evkg (cache on) / Oxigraph (measured, or "
                       f"{cpus} cores ÷ one request's time: {figure(ideal)})",
                       rps(EVKG_ON, "heavy"), max(rps(OXIGRAPH, "heavy"), ideal), HEAVY_RATIO))
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="a build folder (default: build one)")
    parser.add_argument("--synthetic", type=int, default=0, help="a synthetic release of N "
                        "articles instead of the default graph")
    parser.add_argument("--clients", default="1,8,16", help="numbers of concurrent clients")
    parser.add_argument("--seconds", type=float, default=10, help="seconds per run, at least")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args(argv)
    clients = [int(c) for c in args.clients.split(",")]
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (or make system-deps)")
    # A SIGTERM (a `timeout`, a CI limit) unwinds like Ctrl-C, so the servers started are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="evkg-server-"))
    workdir.mkdir(parents=True, exist_ok=True)
    build = args.store or build_release(workdir, args.synthetic)
    measure_release(build, workdir, clients, args.seconds)


if __name__ == "__main__":
    main()
