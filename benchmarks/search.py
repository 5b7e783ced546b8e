"""Search latency with the release's search index and without it (the SPARQL scan of every label).

    python benchmarks/search.py [--store BUILD_DIR] [--synthetic N] [--runs 5] [--workdir DIR]

On the current release of ``--store`` (default: the default graph, built into the work folder),
or on a synthetic release of N articles (``benchmarks/synthetic.py`` + ``evkg build``, as
``benchmarks/backends.py`` builds it), it times ``GET /search?q=…`` (JSON, through Flask's test
client in this process, the embedded store, the answer cache off) for texts of each kind: a
common word, a phrase, rare and absent words, a miRNA name, diacritics and scripts (a regular
expression of alternatives in SPARQL), and text shorter than a trigram. Each text runs once to
warm up, then ``--runs`` times with the index and as many without it (the same server with its
index put aside: the SPARQL scan a release without one gets); the median is printed, in ms,
with the ratio. It also writes the index of the release's store again, timed, and gives its
size beside the store's. Wall-clock figures; other processes may share the machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from backends import build_release  # noqa: E402

from kg.release import current_release, read_manifest  # noqa: E402
from kg.searchindex import write_index  # noqa: E402
from kg.store import open_read_only  # noqa: E402
from server import create_app  # noqa: E402

#: The texts timed, with what each tries.
TEXTS = (
    ("cancer", "a common word"),
    ("breast cancer", "a common phrase"),
    ("exosome", "a word of many titles"),
    ("apoptosis", "a label whole (MeSH's) and in titles"),
    ("miR-21", "a miRNA name (whole only)"),
    ("Sjogren", "diacritics: a regular expression"),
    ("HER2+", "a script: a regular expression"),
    ("zzzzqx", "nothing matches"),
    ("ab", "shorter than a trigram"),
)


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def timed_searches(build: Path, runs: int) -> list[tuple[str, str, float, float, int]]:
    """(text, kind, median ms with the index, without it, results) for each of ``TEXTS``."""
    app = create_app({"STORE_DIR": str(build), "CACHE_MAX_BYTES": 0})
    client = app.test_client()
    served = app.extensions["evkg"]
    index = served.search_index
    if index is None:
        raise SystemExit(f"the current release of {build} has no search index: build it again")

    def median_ms(text: str) -> tuple[float, int]:
        found = 0
        times = []
        for run in range(runs + 1):
            started = time.perf_counter()
            answer = client.get("/search", query_string={"q": text},
                                headers={"Accept": "application/json"})
            elapsed = time.perf_counter() - started
            found = len(answer.get_json()["results"])
            if run:  # (the first warms up)
                times.append(elapsed * 1000)
        return statistics.median(times), found

    rows = []
    for text, kind in TEXTS:
        served.search_index = index
        indexed, found = median_ms(text)
        served.search_index = None
        scanned, found_scanning = median_ms(text)
        assert found == found_scanning, (text, found, found_scanning)
        rows.append((text, kind, indexed, scanned, found))
    served.search_index = index
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="a build folder (default: build one)")
    parser.add_argument("--synthetic", type=int, default=0, help="a synthetic release of N "
                        "articles instead of the default graph")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each search")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="evkg-search-"))
    workdir.mkdir(parents=True, exist_ok=True)
    build = args.store or build_release(workdir, args.synthetic)
    release = current_release(build)
    manifest = read_manifest(release)
    store = open_read_only(release / "store")
    again = workdir / "search-again.sqlite"
    started = time.perf_counter()
    labels = write_index(store, again)
    written = time.perf_counter() - started
    print(f"release {manifest['version']}: {manifest['articles']:,} articles, {labels:,} labels "
          f"indexed in {written:.1f} s; index {again.stat().st_size / 1e6:.1f} MB, store "
          f"{folder_bytes(release / 'store') / 1e6:.0f} MB")
    again.unlink()
    print()
    print("| search | what it tries | results | with the index (ms) | SPARQL scan (ms) | ratio |")
    print("|---|---|---:|---:|---:|---:|")
    for text, kind, indexed, scanned, found in timed_searches(build, args.runs):
        print(f"| `{text}` | {kind} | {found} | {indexed:,.1f} | {scanned:,.1f} | "
              f"{scanned / indexed:,.0f}× |")


if __name__ == "__main__":
    main()
