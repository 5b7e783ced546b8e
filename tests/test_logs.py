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


#: Pairs every triple with every triple, twice: far more than a second on the default graph.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . VALUES ?k { 1 2 } }"
#: The start of a line gunicorn writes to its error log: ``[time] [pid] [LEVEL]``.
GUNICORN_LINE = r"\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}\] \[(\d+)\] \[([A-Z]+)\] "


def test_the_servers_own_lines_are_gunicorns_with_the_workers_pid(
        default_build: tuple[Path, BuildReport], tmp_path: Path) -> None:
    """The server's errors came through Flask's own handler, `[2026-12-05 16:49:17,611] ERROR
    in errors: POST /sparql: the query ran longer …`, beside gunicorn's `[2026-12-05 16:49:08
    +0000] [6430] [INFO] …`: another format, no process id to tell which worker said it, and
    an operator's filter for `[ERROR]` missed them."""
    out, _ = default_build
    log = tmp_path / "serve.log"
    with serving(out, {"EVKG_QUERY_TIMEOUT": "1", "EVKG_CACHE_MAX_BYTES": "0"},
                 log=log) as served:
        answer = requests.post(served.base + "/sparql", data={"query": SLOW}, timeout=60)
        assert answer.status_code == 503
    said = log.read_text(encoding="utf-8")
    booted = re.search(r"Booting worker with pid: (\d+)", said)
    assert booted is not None, said
    [line] = [line for line in said.splitlines() if "time limit of 1 s" in line]
    written = re.match(GUNICORN_LINE + "POST /sparql", line)
    assert written is not None, line
    assert written.groups() == (booted[1], "ERROR")
