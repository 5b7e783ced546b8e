"""What the operator of `evkg serve` reads in its log (standard output and error, as a service
manager collects them): a line for each request with its time, and for a query that fails or is
slow which query, how long and why; never the operator's token."""

from __future__ import annotations

import re
from pathlib import Path

import requests

from kg.build import BuildReport
from tests.conftest import serving

#: A query on the default graph that answers at once.
COUNT = "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a <https://schema.org/ScholarlyArticle> }"
RESULTS_JSON = {"Accept": "application/sparql-results+json"}


def test_the_access_log_gives_each_request_its_status_size_and_time(
        default_build: tuple[Path, BuildReport], tmp_path: Path) -> None:
    """gunicorn's default access log line (Apache's combined format) gave no time taken: an
    operator could not tell a slow request from a quick one, as Fuseki's and Oxigraph's logs
    tell it."""
    out, _ = default_build
    log = tmp_path / "serve.log"
    with serving(out, {"EVKG_CACHE_MAX_BYTES": "0"}, log=log) as served:
        answer = requests.get(served.base + "/sparql", params={"query": COUNT},
                              headers=RESULTS_JSON, timeout=30)
        assert answer.status_code == 200
    said = log.read_text(encoding="utf-8")
    [line] = [line for line in said.splitlines() if "GET /sparql?query=" in line]
    assert re.search(rf'HTTP/1.1" 200 {len(answer.content)} "-" "python-requests/[^"]*" \d+ms$',
                     line), line


def test_evkg_access_log_turns_the_access_log_off(
        default_build: tuple[Path, BuildReport], tmp_path: Path) -> None:
    out, _ = default_build
    log = tmp_path / "serve.log"
    with serving(out, {"EVKG_ACCESS_LOG": ""}, log=log) as served:
        assert requests.get(served.base + "/health", timeout=30).status_code == 200
        assert requests.get(served.base + "/nothing-here", timeout=30).status_code == 404
    said = log.read_text(encoding="utf-8")
    assert "Booting worker" in said and "GET /" not in said, said
