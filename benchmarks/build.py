"""Build benchmark: synthetic PubMed XML → records → quads → store → release, timed.

    python benchmarks/build.py --sizes 10000,100000[,1000000] [--workdir DIR]

For each size it writes synthetic baseline-like files (``benchmarks/synthetic.py``; not timed),
then measures, each on its own:

- parse: ``read_pubmed_xml`` alone, records/s (one core);
- map: ``article_lines`` (the article mapping) and the build's whole mapper (with the findings
  drawn by MeSH indexing and text mining) on the parsed records, records/s (one core);
- load: ``load_lines`` of the mapped lines into a new store, in the build's batches, triples/s;
- end to end: ``evkg build FILES --without-default-articles --out …`` in a child process, with
  its peak RSS and the time of each step of the build;
- ingest: ``evkg ingest`` of a daily-update-like file (new versions of a tenth of the articles,
  at most 2,000, and a ``DeleteCitation`` of a tenth as many) into that build, in a child
  process, with the time of each step;
- ``bulk_load`` alone: the release's N-Quads (decompressed, not timed) loaded into a new store by
  ``Store.bulk_load`` in a child process: the floor the end-to-end time is compared with;

and prints a table of figures and of the ratios the issue sets as targets. Timings are wall
clock; CPU seconds are shown beside them because other processes may share the machine.

Every file is read warm, from the page cache as far as memory holds it (no cache is dropped):
the inputs were written just before (or, in a ``--workdir`` that holds them, read by the parse
step), and the build reads them right after the parse step did; ``bulk_load`` reads the
N-Quads just after they were decompressed. Neither time holds a cold read from disk.

Peak RSS is that of a child and all its descendants together, summed as they run (sampled from
/proc every ``TREE_SAMPLE_SECONDS``; pages two processes share count twice): the build runs
``sort`` (with a 256 MB buffer) and its ``lz4`` runs beside its loader, and three dump converters
and ``tee`` beside its checks, none of which ``wait4`` adds to the build's own peak. That peak,
the largest single process, is printed beside it.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from synthetic import write_files, write_update  # noqa: E402

from kg.articles import SharedTerms, article_lines  # noqa: E402
from kg.inputs import DATA_DIR, ONTOLOGY_DIR  # noqa: E402
from kg.linking import ArticleLinker  # noqa: E402
from kg.loading import ARTICLE_BATCH, LineBatches  # noqa: E402
from kg.pubmed import read_pubmed_xml  # noqa: E402
from kg.records import Article  # noqa: E402
from kg.release import point_current, read_manifest  # noqa: E402
from tests.backends import process_tree  # noqa: E402

#: The issue's targets.
TARGET_PARSE_MAP = 5_000  # records/s per core, parse + map
TARGET_RATIO = 2.0  # end-to-end at 100k records / bulk_load alone of the same quads
TARGET_1M_SECONDS = 15 * 60
TARGET_RSS_MB = 2_048
#: Parse, map and load are measured on at most this many records (the rest of a big input adds
#: time, not information); the end-to-end build always takes every record.
COMPONENT_LIMIT = 100_000
#: How often a child's process tree is measured (seconds; one look at /proc costs ~3 ms of CPU).
TREE_SAMPLE_SECONDS = 0.2

#: Runs the real ``evkg`` command and saves the build's step timings (and where its dumps read
#: the articles graph) to the file named first.
CLI_WITH_TIMINGS = """
import json, sys
import kg.cli
saved = {}
def saving(real):
    def run(*args, **kwargs):
        report = real(*args, **kwargs)
        saved.update(timings=report.timings, peaks=report.peak_rss_mb,
                     dumps_from=report.dumps_from)
        return report
    return run
kg.cli.build, kg.cli.ingest = saving(kg.cli.build), saving(kg.cli.ingest)
try:
    kg.cli.main(sys.argv[2:], prog_name="evkg")
finally:
    with open(sys.argv[1], "w") as out:
        json.dump(saved, out)
"""
#: ``Store.bulk_load`` of one N-Quads file into a new store; prints the seconds it took.
BULK_LOAD = """
import sys, time
from pyoxigraph import RdfFormat, Store
start = time.perf_counter()
store = Store(sys.argv[1])
store.bulk_load(path=sys.argv[2], format=RdfFormat.N_QUADS)
store.flush()
del store
print(time.perf_counter() - start)
"""


@dataclass
class Clock:
    """Wall and CPU seconds spent inside ``with`` blocks: CPU of this thread only, or (with
    ``threads``) of the whole process, for pyoxigraph's loader threads. RocksDB compacts in
    threads of its own after a load, so process CPU would charge that to whatever runs next."""

    threads: bool = False
    wall: float = 0.0
    cpu: float = 0.0

    def _cpu(self) -> float:
        return time.process_time() if self.threads else time.thread_time()

    def __enter__(self) -> Clock:
        self._start = (time.perf_counter(), self._cpu())
        return self

    def __exit__(self, *_: object) -> None:
        self.wall += time.perf_counter() - self._start[0]
        self.cpu += self._cpu() - self._start[1]


@dataclass
class Result:
    size: int
    records: int = 0
    parse: Clock = field(default_factory=Clock)
    map_lines: Clock = field(default_factory=Clock)
    map_build: Clock = field(default_factory=Clock)
    load: Clock = field(default_factory=lambda: Clock(threads=True))
    loaded: int = 0
    e2e_seconds: float = 0.0
    e2e_cpu: float = 0.0
    e2e_rss_mb: float = 0.0
    #: The build's and its children's RSS summed, at its peak; ``e2e_rss_mb`` is its largest
    #: process's.
    e2e_tree_mb: float = 0.0
    bulk_seconds: float = 0.0
    bulk_inner: float = 0.0
    bulk_rss_mb: float = 0.0
    bulk_notes: list[str] = field(default_factory=list)
    triples: int = 0
    files: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    #: The build's peak RSS (MB) when each step ended.
    peaks: dict[str, float] = field(default_factory=dict)
    dumps_from: str = ""
    #: Compressor name → (CPU seconds per MB, compressed bytes per MB) on the N-Quads text.
    gzip: dict[str, tuple[float, int]] = field(default_factory=dict)
    #: The ingest of an update file: records revised and deleted, seconds, step timings.
    ingest_records: tuple[int, int] = (0, 0)
    ingest_seconds: float = 0.0
    ingest_timings: dict[str, float] = field(default_factory=dict)
    ingest_note: str = ""
    #: Where the ingest's dumps took the articles graph ("carried lines" or "store").
    ingest_dumps_from: str = ""


@dataclass
class Child:
    """What a child process took: wall and CPU seconds (with its descendants'), peak RSS (MB)
    of its largest process (``wait4``) and of it and its descendants together (``TreeMemory``),
    and its stdout."""

    seconds: float
    cpu: float
    largest_mb: float
    tree_mb: float
    out: str


def run_child(command: list[str], **kwargs: object) -> Child:
    """Run a child process and measure it (``Child``)."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, **kwargs)  # type: ignore[call-overload]
    memory = TreeMemory(child.pid)
    try:
        with child.stdout:
            out = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)
    finally:
        tree_mb = memory.stop()
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{command[:3]}… failed with exit code {child.returncode}")
    return Child(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, tree_mb,
                 out.decode())


class TreeMemory:
    """The peak of the RSS of a process and all its descendants summed, sampled in a thread of
    its own every ``interval`` seconds until ``stop``."""

    def __init__(self, pid: int, interval: float = TREE_SAMPLE_SECONDS) -> None:
        self.pid, self.interval, self.peak_mb = pid, interval, 0.0
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="tree-memory", daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while True:
            self.peak_mb = max(self.peak_mb, tree_rss_mb(self.pid))
            if self._stopped.wait(self.interval):
                return

    def stop(self) -> float:
        """Stop sampling; the peak (MB)."""
        self._stopped.set()
        self._thread.join()
        return self.peak_mb


def tree_rss_mb(pid: int) -> float:
    """The RSS of ``pid`` and its descendants, summed (MB)."""
    pages = 0
    for member in process_tree(pid):
        try:
            pages += int(Path(f"/proc/{member}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):  # it ended meanwhile
            continue
    return pages * os.sysconf("SC_PAGE_SIZE") / (1 << 20)


def articles(files: list[Path], clock: Clock, limit: int) -> Iterator[Article]:
    """The articles of the files, the time spent reading them added to ``clock``."""
    count = 0
    for path in files:
        records = read_pubmed_xml(path)
        while count < limit:
            with clock:
                record = next(records, None)
            if record is None:
                break
            if isinstance(record, Article):
                count += 1
                yield record


def measure_components(files: list[Path], result: Result, workdir: Path) -> None:
    """Parse, map and load, each timed on its own over the same records."""
    from pyoxigraph import Quad, Store

    linker = ArticleLinker.from_files(DATA_DIR, ONTOLOGY_DIR)
    shared = SharedTerms()
    store_dir = workdir / "components-store"
    shutil.rmtree(store_dir, ignore_errors=True)
    store = Store(str(store_dir))
    buffer: list[str | Quad] = []
    batches = LineBatches(store)

    def load(everything: bool = False) -> None:  # as ArticleLoader's loading thread
        with result.load:
            batches.load(buffer, everything=everything)
        result.loaded += len(buffer)
        buffer.clear()

    for article in articles(files, result.parse, COMPONENT_LIMIT):
        result.records += 1
        with result.map_lines:
            lines = article_lines(article, shared)
        with result.map_build:
            for _ in linker(article):
                pass
        buffer.extend(lines)
        if len(buffer) >= ARTICLE_BATCH:
            load()
    load(everything=True)
    with result.load:
        store.flush()
    del store
    shutil.rmtree(store_dir, ignore_errors=True)


def measure_build(files: list[Path], result: Result, workdir: Path) -> Path:
    """``evkg build`` end to end in a child process; returns the release folder."""
    out = workdir / f"build-{result.size}"
    shutil.rmtree(out, ignore_errors=True)
    timings_file = workdir / "timings.json"
    evkg = [sys.executable, "-c", CLI_WITH_TIMINGS, str(timings_file)]
    command = [*evkg, "build", *map(str, files), "--without-default-articles", "--quiet",
               "--out", str(out)]
    child = run_child(command, cwd=ROOT)
    result.e2e_seconds, result.e2e_cpu = child.seconds, child.cpu
    result.e2e_rss_mb, result.e2e_tree_mb = child.largest_mb, child.tree_mb
    saved = json.loads(timings_file.read_text(encoding="utf-8"))
    result.timings, result.dumps_from = saved["timings"], saved["dumps_from"]
    result.peaks = saved["peaks"]
    release = (out / "current").resolve()
    manifest = read_manifest(release)
    result.triples = sum(manifest["triples"].values())
    result.files = {f["name"]: f["bytes"] for f in manifest["files"]}
    return release


def measure_ingest(result: Result, workdir: Path) -> None:
    """``evkg ingest`` of an update file into the build ``measure_build`` made; the new
    release is removed afterwards (the build's stays current for ``measure_bulk_load``)."""
    out = (workdir / f"build-{result.size}").resolve()
    before = (out / "current").resolve()
    if shutil.disk_usage(workdir).free < 2 * folder_bytes(before / "store"):
        result.ingest_note = "skipped: no room on the disk for a second store"
        return
    revised = min(2_000, result.size // 10)
    deleted = max(1, revised // 10)
    update = write_update(workdir / f"update-{result.size}.xml.gz", revised, deleted)
    timings_file = workdir / "timings.json"
    command = [sys.executable, "-c", CLI_WITH_TIMINGS, str(timings_file), "ingest",
               str(update), "--into", str(out), "--quiet"]
    result.ingest_seconds = run_child(command, cwd=ROOT).seconds
    saved = json.loads(timings_file.read_text(encoding="utf-8"))
    result.ingest_timings, result.ingest_dumps_from = saved["timings"], saved["dumps_from"]
    result.ingest_records = (revised, deleted)
    after = (out / "current").resolve()
    if after != before:  # an ingest that changes nothing publishes no release
        point_current(out, before)
        shutil.rmtree(after)


def measure_bulk_load(release: Path, result: Result, workdir: Path) -> None:
    """``bulk_load`` alone of the release's N-Quads, side by side with the build.

    The N-Quads are decompressed into a plain file first (not timed) when the disk holds it
    beside a second store. Otherwise (at 1M records the text is ~13 GB and a store ~32 GB)
    ``gzip -dc`` feeds ``bulk_load`` through a FIFO, its CPU sharing the cores, and if even the
    second store does not fit the build's own store is removed first; the output says which.
    """
    packed = release / "evkg.nq.gz"
    store_dir = workdir / "bulk-load-store"
    shutil.rmtree(store_dir, ignore_errors=True)
    # While it loads, bulk_load holds about twice what the store keeps once compacted (the 1M
    # run's loader reached 31 GB for a 16 GB store); level-1 gzip of N-Quads is ~10× smaller
    # than the text (measure_gzip prints the ratio).
    loader_bytes = 2.5 * folder_bytes(release / "store")
    plain_bytes = 12 * packed.stat().st_size
    if shutil.disk_usage(workdir).free < loader_bytes:
        shutil.rmtree(release / "store")
        result.bulk_notes.append("the build's store was removed to make room for this one")
    nquads = workdir / "release.nq"
    nquads.unlink(missing_ok=True)
    feeder = None
    if shutil.disk_usage(workdir).free > loader_bytes + plain_bytes:
        with gzip.open(packed, "rb") as text, nquads.open("wb") as plain:
            shutil.copyfileobj(text, plain, 1 << 22)
    else:
        os.mkfifo(nquads)
        # the shell opens the FIFO for writing (that waits for bulk_load to open it for reading)
        feeder = subprocess.Popen(["sh", "-c", 'exec gzip -dc "$1" > "$2"', "sh", str(packed),
                                   str(nquads)])
        result.bulk_notes.append("fed by `gzip -dc` through a FIFO (no room for the plain "
                                 "text), which shares the cores")
    try:
        bulk = run_child([sys.executable, "-c", BULK_LOAD, str(store_dir), str(nquads)])
    finally:
        if feeder is not None and feeder.wait() != 0:
            raise SystemExit(f"gzip -dc {packed} failed")
        nquads.unlink()
        shutil.rmtree(store_dir, ignore_errors=True)
    result.bulk_seconds, result.bulk_inner = bulk.seconds, float(bulk.out)
    result.bulk_rss_mb = bulk.tree_mb
    measure_gzip(packed, result)


def folder_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def measure_gzip(packed: Path, result: Result, sample: int = 256 << 20) -> None:
    """What the dumps use (ISA-L level 1, ``kg.compression``) beside zlib's levels 1 and 6, on
    (up to 256 MB of) the N-Quads text: CPU seconds and bytes per MB."""
    from isal import igzip

    from kg.compression import GZIP_LEVEL

    with gzip.open(packed, "rb") as handle:
        data = handle.read(sample)
    megabytes = len(data) / (1 << 20)
    compressors: dict[str, Callable[[], bytes]] = {
        f"ISA-L {GZIP_LEVEL}": lambda: igzip.compress(  # type: ignore[no-untyped-call]
            data, GZIP_LEVEL, mtime=0),
        "zlib 1": lambda: gzip.compress(data, compresslevel=1, mtime=0),
        "zlib 6": lambda: gzip.compress(data, compresslevel=6, mtime=0)}
    for name, compress in compressors.items():
        start = time.process_time()
        size = len(compress())
        result.gzip[name] = ((time.process_time() - start) / megabytes, int(size / megabytes))


def rate(count: float, seconds: float) -> str:
    return f"{count / seconds:,.0f}" if seconds else "—"


def report(result: Result) -> None:
    r = result
    print(f"\n== {r.size:,} records ==", flush=True)
    print(f"parse   {r.records:,} records: {r.parse.wall:.1f} s wall, {r.parse.cpu:.1f} s CPU "
          f"→ {rate(r.records, r.parse.wall)} records/s ({rate(r.records, r.parse.cpu)}/s CPU)")
    print(f"map     article_lines: {r.map_lines.wall:.1f} s → {rate(r.records, r.map_lines.wall)}"
          f" records/s ({rate(r.records, r.map_lines.cpu)}/s CPU); build mapper (with findings)"
          f": {r.map_build.wall:.1f} s → {rate(r.records, r.map_build.wall)} records/s")
    print(f"load    {r.loaded:,} lines: {r.load.wall:.1f} s wall, {r.load.cpu:.1f} s CPU → "
          f"{rate(r.loaded, r.load.wall)} triples/s")
    print(f"end to end  {r.e2e_seconds:.1f} s ({r.e2e_cpu:.1f} s CPU) → "
          f"{rate(r.size, r.e2e_seconds)} records/s, {r.triples:,} triples → "
          f"{rate(r.triples, r.e2e_seconds)} triples/s; peak RSS {r.e2e_tree_mb:,.0f} MB with "
          f"its children ({r.e2e_rss_mb:,.0f} MB its largest process)")
    print("  steps (time; the build process's peak RSS when it ended): " + ", ".join(
        f"{k} {v:.1f} s ({r.peaks.get(k, 0):,.0f} MB)" for k, v in r.timings.items())
          + f"; the dumps' articles graph from: {r.dumps_from}")
    print(f"bulk_load alone  {r.bulk_seconds:.1f} s (inside the process {r.bulk_inner:.1f} s) → "
          f"{rate(r.triples, r.bulk_seconds)} triples/s; peak RSS {r.bulk_rss_mb:,.0f} MB"
          + "".join(f"; {note}" for note in r.bulk_notes))
    print(f"ratio end to end / bulk_load: {r.e2e_seconds / r.bulk_seconds:.2f}")
    if r.ingest_note:
        print(f"ingest  {r.ingest_note}")
    else:
        print(f"ingest  {r.ingest_records[0]:,} revised + {r.ingest_records[1]:,} deleted "
              f"records: {r.ingest_seconds:.1f} s; steps: " + ", ".join(
                  f"{k} {v:.1f} s" for k, v in r.ingest_timings.items())
              + f"; the dumps' articles graph from: {r.ingest_dumps_from}")
    print("release files: " + ", ".join(f"{k} {v / 1e6:,.1f} MB" for k, v in r.files.items()))
    print("gzip on N-Quads: " + ", ".join(
        f"{name} {seconds:.4f} s/MB, {size / (1 << 20):.3f} of the size"
        for name, (seconds, size) in r.gzip.items()))


def table(results: list[Result]) -> None:
    """The README table: figures, and each target with the figure it is judged by."""
    print("\n| records | parse rec/s | map rec/s (article / with findings) | parse+map rec/s "
          "(1 core) | load triples/s | end to end | triples | triples/s | bulk_load alone | "
          "e2e / bulk_load | peak RSS | release (ttl / nt / nq / jsonld) |")
    print("|---:" * 12 + "|")
    for r in results:
        per_core = r.records / (r.parse.cpu + r.map_build.cpu)
        sizes = " / ".join(f"{r.files.get(f, 0) / 1e6:,.0f}" for f in
                           ("evkg.ttl.gz", "evkg.nt.gz", "evkg.nq.gz", "evkg.jsonld.gz"))
        print(f"| {r.size:,} | {rate(r.records, r.parse.cpu)} | "
              f"{rate(r.records, r.map_lines.cpu)} / {rate(r.records, r.map_build.cpu)} | "
              f"{per_core:,.0f} | {rate(r.loaded, r.load.wall)} | {r.e2e_seconds:,.1f} s | "
              f"{r.triples:,} | {rate(r.triples, r.e2e_seconds)} | {r.bulk_seconds:,.1f} s | "
              f"{r.e2e_seconds / r.bulk_seconds:.2f} | {r.e2e_tree_mb:,.0f} MB | {sizes} MB |")
    print("\n| target | figure | met |")
    print("|---|---|---|")
    for r in results:
        per_core = r.records / (r.parse.cpu + r.map_build.cpu)
        print(f"| parse + map ≥ {TARGET_PARSE_MAP:,} records/s per core ({r.size:,}) | "
              f"{per_core:,.0f} | {'yes' if per_core >= TARGET_PARSE_MAP else 'no'} |")
    for r in results:
        if r.size == 100_000:
            ratio = r.e2e_seconds / r.bulk_seconds
            print(f"| end to end ≤ {TARGET_RATIO:g}× bulk_load at 100k | {ratio:.2f}× | "
                  f"{'yes' if ratio <= TARGET_RATIO else 'no'} |")
        if r.size == 1_000_000:
            print(f"| 1M built, validated, released < 15 min | {r.e2e_seconds / 60:.1f} min | "
                  f"{'yes' if r.e2e_seconds < TARGET_1M_SECONDS else 'no'} |")
    peaks = [r.e2e_tree_mb for r in results]
    print(f"| peak RSS < 2 GB, flat as input grows | "
          f"{' → '.join(f'{p:,.0f} MB' for p in peaks)} | "
          f"{'yes' if max(peaks) < TARGET_RSS_MB else 'no'} (flat: judge the sequence) |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000",
                        help="comma-separated record counts (default 10000,100000)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where inputs and builds go (default: a temporary folder)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="evkg-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()
    print(f"machine: {platform.node()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}; load average {load[0]:.1f} at start; workdir {workdir}; "
          "files read warm, from the page cache")
    results = []
    for size in sizes:
        inputs = workdir / f"input-{size}"
        done = inputs / "complete"
        if not done.exists():
            shutil.rmtree(inputs, ignore_errors=True)
            write_files(inputs, size)
            done.touch()
        files = sorted(inputs.glob("*.xml.gz"))
        result = Result(size)
        measure_components(files, result, workdir)
        built = measure_build(files, result, workdir)
        measure_ingest(result, workdir)
        measure_bulk_load(built, result, workdir)
        report(result)
        results.append(result)
    table(results)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}; the largest child process's peak "
          f"RSS {peak:,.0f} MB")


if __name__ == "__main__":
    main()
