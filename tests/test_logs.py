"""What the operator of `evkg serve` reads in its log (standard output and error, as a service
manager collects them): a line for each request with its time, and for a query that fails or is
slow which query, how long and why; never the operator's token."""

from __future__ import annotations

import os
import re
import signal
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests

from kg.build import BuildReport
from tests.conftest import Backend, free_port, serving, wait_for
from tests.test_query_limits import CRASHING, FLAT, _query_processes

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


def test_a_clients_control_characters_write_no_line_or_escape_into_the_access_log(
        default_build: tuple[Path, BuildReport], tmp_path: Path) -> None:
    """gunicorn refuses a header with a C0 control character (a line feed, ESC) but takes the
    bytes 0x80-0xff, read as Latin-1: a User-Agent holding NEL (0x85) split the access line in
    two for Python's readers (``splitlines``: a forged line of the client's own), and CSI
    (0x9b) was a terminal's escape (``CSI 2 J`` clears an xterm's screen)."""
    out, _ = default_build
    log = tmp_path / "serve.log"
    forged = (b'127.0.0.1 - - [05/Dec/2026:17:00:00 +0000] "GET /admin HTTP/1.1" 200 1 "-" "x"'
              b" 1ms")
    with serving(out, {}, log=log) as served:
        port = int(served.base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=30) as client:
            client.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                           b"User-Agent: curl\x85" + forged + b"\r\nReferer: \x9b2J\r\n\r\n")
            assert client.recv(100).startswith(b"HTTP/1.1 200 ")
    lines = log.read_text(encoding="utf-8").splitlines()
    [line] = [line for line in lines if "/admin" in line]  # the forged text, inside the real line
    assert line.startswith("127.0.0.1 - - [") and '"GET /health HTTP/1.1" 200 ' in line, line
    assert r'"\x9b2J" "curl\x85127.0.0.1 - - [05/Dec/2026:17:00:00 +0000] \"GET /admin' in line
    assert not re.search("[\x80-\x9f]", "\n".join(lines))


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


TOKEN, PASSWORD = "operator-token-4f1c", "store-password-9d2e"


def test_a_query_that_fails_is_logged_with_its_text_time_and_why_and_no_secret(
        default_build: tuple[Path, BuildReport], tmp_path: Path) -> None:
    """A query stopped at the time limit was logged as `POST /sparql: the query ran longer
    than the time limit …`: not which query (a POST's is in no access line), nor how long it
    had run. A query's own line breaks must not write lines of their own into the log."""
    out, _ = default_build
    log = tmp_path / "serve.log"
    forged = "[2026-01-01 00:00:00 +0000] [1] [ERROR] forged"
    long_query = f"# {forged}\n# {'x' * 600}\n{SLOW.replace('?n', '?m')}"
    settings = {"EVKG_QUERY_TIMEOUT": "1", "EVKG_CACHE_MAX_BYTES": "0",
                "EVKG_UPDATE_TOKEN": TOKEN, "EVKG_SPARQL_USER": "evkg",
                "EVKG_SPARQL_PASSWORD": PASSWORD}
    with serving(out, settings, log=log) as served:
        sparql, bearer = served.base + "/sparql", {"Authorization": f"Bearer {TOKEN}"}
        for query in (SLOW, long_query):
            stopped = requests.post(sparql, data={"query": query}, headers=bearer, timeout=60)
            assert stopped.status_code == 503
        update = requests.post(sparql, data={"update": "CLEAR ALL"}, headers=bearer, timeout=30)
        assert update.status_code == 403  # the release is read-only, token or not
    said = log.read_text(encoding="utf-8")
    assert TOKEN not in said and PASSWORD not in said, said
    [line] = [line for line in said.splitlines() if line.endswith(SLOW)]
    assert re.fullmatch(GUNICORN_LINE + r"POST /sparql 503: the query ran longer than the time "
                        r"limit of 1 s .*; after \d+\.\d\d s; query: " + re.escape(SLOW), line)
    [cut] = [line for line in said.splitlines() if "forged" in line]
    assert re.match(GUNICORN_LINE + "POST /sparql 503: ", cut), cut
    comments = f"# {forged} # {'x' * 600}"  # as one line, cut at 500 characters
    assert cut.endswith(f"query: {comments[:500]}…"), cut


def test_a_link_whose_parse_check_is_stopped_is_logged_with_its_query(
        default_build: tuple[Path, BuildReport], tmp_path: Path) -> None:
    """A link to a query opened in a browser is checked to parse before its 303 to the editor,
    under the time limit; a check stopped there was logged `GET /sparql 503: the query ran
    longer …` with no query: the operator could not tell which one."""
    out, _ = default_build
    log = tmp_path / "serve.log"
    with serving(out, {"EVKG_QUERY_TIMEOUT": "1"}, log=log) as served:
        stopped = requests.get(served.base + "/sparql", params={"query": FLAT},
                               headers={"Accept": "text/html"}, allow_redirects=False,
                               timeout=60)
        assert stopped.status_code == 503
    [line] = [line for line in log.read_text(encoding="utf-8").splitlines()
              if re.match(GUNICORN_LINE + "GET /sparql 503: ", line)]
    assert re.search(r"; after \d+\.\d\d s; query: " + re.escape(FLAT[:500]) + "…$", line), line


def test_the_log_names_the_release_a_remote_store_holds(
        backend: Backend, default_build: tuple[Path, BuildReport], tmp_path: Path) -> None:
    """A review's: a server of a remote store logged no "serving release" line at all (the
    master names the release it serves only from the build folder), so its log never said
    which release the store held, nor whether its files were offered. Each server process
    names the release the store states, the store, and the folder it offers the files of."""
    if not backend.remote:
        pytest.skip("the embedded store's line is tested with its reloads (test_cli)")
    out, report = default_build
    log = tmp_path / "serve.log"
    endpoint = backend.config["SPARQL_ENDPOINT"]
    with serving(out, {"EVKG_SPARQL_ENDPOINT": endpoint}, log=log):
        pass
    said = log.read_text(encoding="utf-8")
    assert re.search(GUNICORN_LINE + re.escape(
        f"evkg: serving release {report.version} from the SPARQL store at {endpoint}, its "
        f"files from {(out / 'current').resolve()}") + "$", said, re.MULTILINE), said
    elsewhere = tmp_path / "empty"
    elsewhere.mkdir()
    with serving(elsewhere, {"EVKG_SPARQL_ENDPOINT": endpoint}, log=log):
        pass
    said = log.read_text(encoding="utf-8")
    assert re.search(GUNICORN_LINE + re.escape(
        f"evkg: serving release {report.version} from the SPARQL store at {endpoint}, without "
        f"its files ({elsewhere} holds no release {report.version}: no downloads)") + "$",
        said, re.MULTILINE), said


def test_evkg_slow_query_logs_the_queries_that_took_that_long(
        default_build: tuple[Path, BuildReport], tmp_path: Path) -> None:
    """A slow query that was answered left only its access line, without the query for a
    POST: `EVKG_SLOW_QUERY=0` logs every query, as Fuseki does."""
    out, _ = default_build
    log = tmp_path / "serve.log"
    with serving(out, {"EVKG_SLOW_QUERY": "0", "EVKG_CACHE_MAX_BYTES": "0"}, log=log) as served:
        answer = requests.post(served.base + "/sparql", data={"query": COUNT},
                               headers=RESULTS_JSON, timeout=30)
        assert answer.status_code == 200
    said = log.read_text(encoding="utf-8")
    assert re.search(GUNICORN_LINE + r"POST /sparql 200: slow query \(EVKG_SLOW_QUERY=0\); "
                     r"after \d+\.\d\d s; query: " + re.escape(COUNT) + "$", said, re.MULTILINE), \
        said


def test_evkg_slow_query_logs_under_dev_too(
        default_build: tuple[Path, BuildReport], tmp_path: Path) -> None:
    """``evkg serve --dev`` (Flask's server) left the application's logger at Python's default
    level, warning: with ``EVKG_SLOW_QUERY=0`` no query was logged, nor any other info line."""
    out, _ = default_build
    log = tmp_path / "serve.log"
    port = free_port()
    with log.open("wb") as written:
        process = subprocess.Popen(
            [sys.executable, "-m", "kg.cli", "serve", "--dev", "--store", str(out), "--port",
             str(port)], env={**os.environ, "EVKG_SLOW_QUERY": "0", "EVKG_CACHE_MAX_BYTES": "0"},
            stdout=written, stderr=written)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/health", process)
        answer = requests.post(base + "/sparql", data={"query": COUNT}, headers=RESULTS_JSON,
                               timeout=30)
        assert answer.status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=20)
    said = log.read_text(encoding="utf-8")
    assert re.search(r"POST /sparql 200: slow query \(EVKG_SLOW_QUERY=0\); after \d+\.\d\d s; "
                     r"query: " + re.escape(COUNT) + "$", said, re.MULTILINE), said


def _said_when(log: Path, pattern: str, seconds: float = 30) -> str:
    """The log once it holds a line matching ``pattern`` (a failure after ``seconds``)."""
    deadline = time.monotonic() + seconds
    while not re.search(pattern, said := log.read_text(encoding="utf-8"), re.MULTILINE):
        assert time.monotonic() < deadline, said
        time.sleep(0.1)
    return said


def test_a_query_process_that_stops_is_logged_and_started_again(
        default_build: tuple[Path, BuildReport], tmp_path: Path) -> None:
    """A query process killed (the kernel's OOM killer, an operator's kill -9) or aborted by a
    pyoxigraph panic was replaced without a word in the log: the panic's message came with no
    line saying what it cost, and a SIGKILL left nothing at all."""
    if not Path("/proc/self/stat").exists():
        pytest.skip("needs /proc to find the query process")
    out, _ = default_build
    log = tmp_path / "serve.log"
    with serving(out, {"EVKG_CACHE_MAX_BYTES": "0", "EVKG_QUERY_TIMEOUT": "60"},
                 log=log) as served:
        sparql = served.base + "/sparql"
        assert requests.post(sparql, data={"query": COUNT}, timeout=30).status_code == 200
        [first] = _query_processes(served.process.pid)
        os.kill(first, signal.SIGKILL)
        said = _said_when(log, rf"\[WARNING\] evkg: the query process \(pid {first}\) stopped")
        assert re.search(GUNICORN_LINE + rf"evkg: the query process \(pid {first}\) stopped "
                         r"\(killed by SIGKILL\) while no query ran in it; the next query starts "
                         "a fresh one$", said, re.MULTILINE), said
        assert requests.post(sparql, data={"query": COUNT}, timeout=30).status_code == 200
        crashed = requests.post(sparql, data={"query": CRASHING}, timeout=60)
        assert crashed.status_code == 500
    said = log.read_text(encoding="utf-8")
    aborted = (r"evkg: the query process \(pid \d+\) stopped \(killed by SIGABRT\) while running "
               "1 query: ")
    assert re.search(GUNICORN_LINE + aborted + "1 run again on a fresh one$", said,
                     re.MULTILINE), said
    assert re.search(GUNICORN_LINE + aborted + r"1 answered 500 \(its second run\)$", said,
                     re.MULTILINE), said
    assert re.search(GUNICORN_LINE + r"POST /sparql 500: the store crashed .*; query: "
                     + re.escape(CRASHING[:100]), said), said


def test_the_access_log_gives_the_size_of_a_file_sent_whole(
        default_build: tuple[Path, BuildReport], tmp_path: Path) -> None:
    """A release file gunicorn sent by sendfile was logged with a size of 0 (`"GET
    /downloads/evkg.nq.gz HTTP/1.1" 200 0`): gunicorn counts only the bytes it writes itself,
    and the downloads are the largest answers the server sends."""
    out, _ = default_build
    log = tmp_path / "serve.log"
    with serving(out, {}, log=log) as served:
        whole = requests.get(served.base + "/downloads/evkg.nq.gz", timeout=30)
        assert whole.status_code == 200 and len(whole.content) > 1000
    said = log.read_text(encoding="utf-8")
    assert f'"GET /downloads/evkg.nq.gz HTTP/1.1" 200 {len(whole.content)} ' in said, said


#: An answer of some 20 MB (every pair of triples, 50,000 of them, as SPARQL JSON): more than
#: the connection's buffers hold, so that writing it waits for the client.
BIG = "SELECT * WHERE { ?s ?p ?o . ?a ?b ?c } LIMIT 50000"


def _read_a_little(base: str, query: str) -> socket.socket:
    """A connection that asked for ``query``'s answer and read its first bytes only."""
    host, port = base.removeprefix("http://").split(":")
    client = socket.create_connection((host, int(port)), timeout=60)
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    client.sendall(f"GET /sparql?{urlencode({'query': query})} HTTP/1.1\r\nHost: {host}\r\n"
                   "Accept: application/sparql-results+json\r\n\r\n".encode())
    assert client.recv(100).startswith(b"HTTP/1.1 200")
    return client


def test_a_client_that_stops_reading_or_goes_away_is_one_line(
        default_build: tuple[Path, BuildReport], tmp_path: Path) -> None:
    """A client that stopped reading an answer for EVKG_READ_TIMEOUT seconds was dropped, as
    the README says, but gunicorn logged it as an error with a traceback ("Socket error
    processing request."), and one that closed its connection mid-answer left no line at all
    (the access line, written before, gave the whole answer's size)."""
    out, _ = default_build
    log = tmp_path / "serve.log"
    settings = {"EVKG_READ_TIMEOUT": "1", "EVKG_MAX_ROWS": "0", "EVKG_CACHE_MAX_BYTES": "0"}
    with serving(out, settings, log=log) as served:
        with _read_a_little(served.base, BIG):
            said = _said_when(log, "GET /sparql: the client|Socket error")
        stalled = re.escape("GET /sparql: the client read nothing for 1 s (EVKG_READ_TIMEOUT): "
                            "the answer was cut off")
        assert re.search(GUNICORN_LINE + stalled + "$", said, re.MULTILINE), said
        with _read_a_little(served.base, BIG.replace("50000", "50001")) as client:
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        said = _said_when(log, "GET /sparql: the client closed|Socket error")
        gone = re.escape("GET /sparql: the client closed the connection before the answer was "
                         "whole")
        assert re.search(GUNICORN_LINE + gone + "$", said, re.MULTILINE), said
    assert "Traceback" not in log.read_text(encoding="utf-8")
