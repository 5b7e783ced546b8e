"""Fetch benchmark: `evkg fetch --query` of a large search against a stand-in E-utilities server.

    .venv/bin/python benchmarks/fetch.py [--sizes 20000,80000] [--batch-size 500]

The stand-in is the test suite's (``tests/eutils_server.py``, on 127.0.0.1): small generated
records, entered 500 a day, so a search over PubMed's 9,999 is fetched in date slices; its
rate is raised (``EVKG_EUTILS_RATE``) so that what is measured is evkg's own work for each batch
(search, EFetch, reading the batch, ELink, the ``.jsonl`` and the manifest), not NCBI's pacing.
Printed per size: wall seconds, records/s, seconds per 1,000 records, and the last
``manifest.json``'s size and the time one save of it takes. Per-record time that grows with
the size is work done again for every batch over all before it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.fetchstate import MANIFEST, Manifest  # noqa: E402
from tests.eutils_server import EutilsServer, generated_records  # noqa: E402

#: The first entry date of the generated records, and how many are entered a day.
FIRST, PER_DAY = dt.date(2024, 1, 1), 500


def records(count: int) -> dict[str, bytes]:
    def day(n: int) -> str:
        return (FIRST + dt.timedelta(days=n // PER_DAY)).strftime("%Y/%m/%d")

    return generated_records({str(90_000_000 + n): (day(n), day(n)) for n in range(count)})


def run(count: int, batch_size: int) -> None:
    with EutilsServer(records(count)).running() as server, \
            tempfile.TemporaryDirectory() as into:
        env = {**os.environ, "EVKG_EUTILS_URL": server.url, "EVKG_EUTILS_RATE": "100000",
               "EVKG_NCBI_EMAIL": "benchmark@example.org", "NCBI_API_KEY": "benchmark"}
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "kg.cli", "fetch", "--query", "benchmark",
                        "--into", into, "--no-ingest", "--quiet", "--batch-size",
                        str(batch_size)], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        seconds = time.perf_counter() - started
        folder = next((Path(into) / "fetch").glob(f"*/{MANIFEST}")).parent
        manifest = Manifest.load(folder / MANIFEST)
        saved = time.perf_counter()
        manifest.save(folder)
        save = time.perf_counter() - saved
        size = (folder / MANIFEST).stat().st_size / 1e6
    print(f"{count:>9,} {seconds:>9.1f} {count / seconds:>10,.0f} {1000 * seconds / count:>12.3f} "
          f"{size:>13.1f} {save:>10.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20000,80000")
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()
    print(f"{'records':>9} {'seconds':>9} {'records/s':>10} {'s / 1,000':>12} "
          f"{'manifest MB':>13} {'one save':>10}")
    for count in (int(size) for size in args.sizes.split(",")):
        run(count, args.batch_size)


if __name__ == "__main__":
    main()
