"""Backends side by side: `evkg load` time and the latency of every queries/*.rq file.

    python benchmarks/backends.py [--store BUILD_DIR] [--synthetic N] [--runs 5] [--limit 120]
                                  [--workdir DIR]

On the current release of ``--store`` (default: the default graph, built into the work folder),
or on a synthetic release of N articles (``benchmarks/synthetic.py`` + ``evkg build``), it
starts Virtuoso and Oxigraph's server on free ports with throw-away databases
(``tests/backends.py``), loads the release into each with ``evkg load`` (over the Graph Store
Protocol, timed in a child process), then runs each example query ``--runs`` times after one
warm-up: on the embedded store through pyoxigraph (in a child process, killed at the limit:
pyoxigraph cannot stop a query), on the remote stores through ``RemoteStore`` (HTTP, SPARQL
JSON parsed by pyoxigraph; the store is told the same limit), all results read to the end. It
prints the median milliseconds per query, or ``> LIMIT s``, as a Markdown table. Federated
examples are left out (their time is the remote service's). Wall-clock times; other processes
may share the machine.
"""

from __future__ import annotations

import argparse
import multiprocessing
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from pyoxigraph import QueryBoolean  # noqa: E402

from kg import iris  # noqa: E402
from kg.backends import QueryableStore, RemoteStore  # noqa: E402
from kg.examples import load_examples  # noqa: E402
from kg.release import current_release, read_manifest  # noqa: E402
from kg.remote import Endpoint  # noqa: E402
from kg.store import open_read_only  # noqa: E402
from tests.backends import (  # noqa: E402
    RemoteStoreProcess,
    start_oxigraph,
    start_virtuoso,
    virtuoso_binary,
)
from tests.conftest import free_port  # noqa: E402

#: Seconds a query may take before it is reported as a timeout.
QUERY_LIMIT = 120.0


def build_release(workdir: Path, synthetic: int) -> Path:
    """The default graph, or a synthetic release of ``synthetic`` articles, in ``workdir``."""
    out = workdir / ("build" if not synthetic else f"build-{synthetic}")
    if (out / "current").exists():
        return out
    command = [sys.executable, "-m", "kg.cli", "build", "--out", str(out), "--quiet"]
    if synthetic:
        from synthetic import write_files

        command[4:4] = [str(p) for p in write_files(workdir / f"xml-{synthetic}", synthetic)]
        command.append("--without-default-articles")
    started = time.perf_counter()
    subprocess.run(command, check=True)
    print(f"built {out} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return out


def timed_load(store: RemoteStoreProcess, build: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kg.cli", "load", "--store", str(build),
                    *store.load_arguments(), "--quiet"], check=True)
    return time.perf_counter() - started


def latency(run: Callable[[], object], runs: int, limit: float = QUERY_LIMIT) -> str:
    """Median milliseconds of ``run`` (after a warm-up), or what went wrong."""
    times = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        try:
            run()
        except Exception as error:  # a store's refusal, or its time limit, is a result
            if time.perf_counter() - started >= limit - 1:
                return f"> {limit:.0f} s"
            code = re.search(r"Error (\w+)", str(error))
            return f"error {code.group(1)}" if code else "error"
        times.append((time.perf_counter() - started) * 1000)
    median = statistics.median(times[1:])  # the first run warms up
    return f"{median:.1f}" if median < 100 else f"{median:.0f}"


def embedded_latency(store_dir: Path, query: str, runs: int, limit: float = QUERY_LIMIT) -> str:
    """``latency`` on the embedded store, in a child process that is killed when a run takes
    longer than ``limit`` seconds (pyoxigraph cannot stop a query; the remote stores are given
    the same limit)."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_embedded_runs, args=(str(store_dir), query, runs, sender))
    child.start()
    sender.close()
    times: list[float] = []
    try:
        for _ in range(runs + 1):
            if not receiver.poll(limit):
                return f"> {limit:.0f} s"
            message = receiver.recv()
            if isinstance(message, str):
                return message
            times.append(message)
    finally:
        child.kill()
        child.join()
    median = statistics.median(times[1:])  # the first run warms up
    return f"{median:.1f}" if median < 100 else f"{median:.0f}"


def _embedded_runs(store_dir: str, query: str, runs: int, sender: Connection) -> None:
    """In the child: a warm-up and ``runs`` timed runs, each run's milliseconds sent as it ends."""
    try:
        run = consume(open_read_only(Path(store_dir)), query)
        for _ in range(runs + 1):
            started = time.perf_counter()
            run()
            sender.send((time.perf_counter() - started) * 1000)
    except Exception as error:  # a refusal is a result of the benchmark
        sender.send(f"error: {error}")


def consume(store: QueryableStore, query: str) -> Callable[[], object]:
    def run() -> object:
        results = store.query(query, use_default_graph_as_union=True)
        return bool(results) if isinstance(results, QueryBoolean) else sum(1 for _ in results)
    return run


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="a build folder (default: build one)")
    parser.add_argument("--synthetic", type=int, default=0, help="a synthetic release of N "
                        "articles instead of the default graph")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--limit", type=float, default=QUERY_LIMIT,
                        help="seconds a query may take on any store (default %(default)s)")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args(argv)
    # A SIGTERM (a `timeout`, a CI limit) unwinds like Ctrl-C, so the stores started are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="evkg-backends-"))
    workdir.mkdir(parents=True, exist_ok=True)
    build = args.store or build_release(workdir, args.synthetic)
    release = current_release(build)
    examples = [e for e in load_examples(ROOT / "queries") if "SERVICE" not in e.query.upper()]
    graphs = tuple(iris.graph_iri(name).value for name in iris.GRAPH_NAMES)
    stores: dict[str, QueryableStore] = {}
    loads: dict[str, str] = {"embedded": "(evkg build)"}
    with ExitStack() as stack:
        processes = [start_oxigraph(workdir / f"oxigraph-{time.time_ns()}", free_port(),
                                    timeout=args.limit)]
        if virtuoso_binary():
            processes.append(start_virtuoso(workdir / f"virtuoso-{time.time_ns()}", free_port(),
                                            free_port()))
        for process in processes:
            stack.callback(process.stop)
            loads[process.name] = f"{timed_load(process, build):.1f} s"
            stores[process.name] = RemoteStore(Endpoint(process.query_endpoint, dataset=graphs),
                                               timeout=args.limit)
        names = ["embedded", *stores]
        triples = sum(manifest_triples(release).values())
        print(f"release {release.name}: {triples:,} triples; median ms of {args.runs} runs\n")
        print("| query | " + " | ".join(names) + " |")
        print("|---|" + "---:|" * len(names))
        print("| `evkg load` | " + " | ".join(loads[n] for n in names) + " |")
        for example in examples:
            cells = [embedded_latency(release / "store", example.query, args.runs, args.limit),
                     *(latency(consume(stores[n], example.query), args.runs, args.limit)
                       for n in stores)]
            print(f"| {example.name} | " + " | ".join(cells) + " |")


def manifest_triples(release: Path) -> dict[str, int]:
    manifest = read_manifest(release)
    return {str(k): int(v) for k, v in manifest["triples"].items()}


if __name__ == "__main__":
    main()
