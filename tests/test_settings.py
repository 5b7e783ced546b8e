"""The ``EVKG_*`` settings as the server reads them from its environment (``server.settings``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pyoxigraph import Store

from server import create_app
from tests.conftest import free_port


@pytest.mark.parametrize("written", ["0", "null", "false", "1e3"])
def test_a_service_allowlist_is_the_text_set(written: str, monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
    """A review's: ``EVKG_SERVICE_ALLOWLIST`` was read as JSON, so ``0``, ``null`` or
    ``false`` (an operator's way to say "none") made every gunicorn worker fail to boot with
    a traceback (``'int' object is not iterable``) and the server stopped; ``1e3`` allowed
    ``1000.0``. It is the comma-separated text set, or a JSON list of endpoints; and (an
    operator's, 7 Dec) each an http(s) URL: ``[bad`` or ``ftp://…`` started a server that
    refused every SERVICE. Such text stops the server before it starts, naming the setting
    and what it holds as written."""
    monkeypatch.setenv("EVKG_SERVICE_ALLOWLIST", written)
    with pytest.raises(ValueError) as refused:
        create_app({"TESTING": True}, store=Store())
    assert str(refused.value).startswith(f"EVKG_SERVICE_ALLOWLIST holds {written!r}: it has no "
                                         "http:// or https:// before it")
    monkeypatch.setenv("EVKG_SERVICE_ALLOWLIST", '["https://a.example/sparql", "http://b:8890/s"]')
    app = create_app({"TESTING": True}, store=Store())
    assert app.extensions["evkg"].limits.service_allowlist == ("https://a.example/sparql",
                                                               "http://b:8890/s")
    monkeypatch.setenv("EVKG_SERVICE_ALLOWLIST", "")  # none
    assert create_app({"TESTING": True}, store=Store()).extensions["evkg"].limits \
        .service_allowlist == ()


@pytest.mark.parametrize(("written", "item"), [
    ("['127.0.0.1','localhost']", "['127.0.0.1'"), ('["127.0.0.1","localhost"', '["127.0.0.1"'),
    ("data.example.org localhost", "data.example.org localhost")])
def test_trusted_hosts_that_name_no_host_stop_the_server(
        written: str, item: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """An operator's: `EVKG_TRUSTED_HOSTS="['127.0.0.1','localhost']"` (a Python list, not
    JSON) started a server that answered every request "Host '127.0.0.1:8000' is not
    trusted.": read by commas, its hosts were `['127.0.0.1'` and `'localhost']`."""
    monkeypatch.setenv("EVKG_TRUSTED_HOSTS", written)
    with pytest.raises(ValueError) as refused:
        create_app({"TESTING": True}, store=Store())
    assert str(refused.value) == (
        f"EVKG_TRUSTED_HOSTS holds {item!r}, which is no host: list host names or addresses "
        "separated by commas (127.0.0.1,example.org), or as a JSON list of strings")


def test_an_untrusted_host_is_refused_in_text_to_a_browser_too(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """An operator's: with EVKG_TRUSTED_HOSTS set, a browser's request naming another host was
    a 500 (the 400 page links the server's URLs, which cannot be built for that host)."""
    monkeypatch.setenv("EVKG_TRUSTED_HOSTS", "127.0.0.1")
    client = create_app({"TESTING": True}, store=Store()).test_client()
    refused = client.get("/", base_url="http://evil.example", headers={"Accept": "text/html"})
    assert (refused.status_code, refused.text) == (400, "Host 'evil.example' is not trusted.\n")


@pytest.mark.parametrize("written", ["true", "0", "1e3"])
def test_trusted_hosts_are_the_text_set(written: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A review's: ``EVKG_TRUSTED_HOSTS=true`` was read as JSON, ``True``, and every request
    was a 500 (werkzeug iterates the hosts); ``0`` trusted any host. A host is the text set."""
    monkeypatch.setenv("EVKG_TRUSTED_HOSTS", written)
    client = create_app({"TESTING": True}, store=Store()).test_client()
    assert client.get("/health", base_url=f"http://{written}").get_json()["status"] == "ok"
    refused = client.get("/health", base_url="http://localhost")
    assert (refused.status_code, refused.text) == (400, "Host 'localhost' is not trusted.\n")


@pytest.mark.parametrize(("name", "written"), [
    ("QUERY_TIMEOUT", "1e400"), ("MAX_ROWS", "-1e999"), ("SLOW_QUERY", "1E309")])
def test_a_number_past_any_is_named_as_written(name: str, written: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """``EVKG_QUERY_TIMEOUT=1e400``, a number JSON reads as infinite, was named as Python
    writes that, ``EVKG_QUERY_TIMEOUT=inf``, which the user never wrote: it is named as
    written."""
    from server.settings import environment_problems

    monkeypatch.setenv(f"EVKG_{name}", written)
    (problem,) = environment_problems()
    assert problem.startswith(f"EVKG_{name}={written!r}: want a "), problem


@pytest.mark.parametrize(("name", "written", "wanted"), [
    ("MAX_ROWS", "null", "a whole number of rows, 0 or more (0: no cap)"),
    ("THREADS", "null", "a whole number of query threads, 1 or more"),
    ("QUERY_TIMEOUT", "null", "a number of seconds, 0 or more (0: no limit)"),
    ("MAX_ROWS", "true", "a whole number of rows, 0 or more (0: no cap)"),
])
def test_a_number_set_to_null_or_true_is_named(name: str, written: str, wanted: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A review's: ``EVKG_MAX_ROWS=null`` (JSON's null, read as unset where the numbers are
    checked) passed the check, and every gunicorn worker failed to boot with a traceback
    (``int() argument must be … not 'NoneType'``); ``true`` was named as Python writes it,
    ``EVKG_MAX_ROWS=True``. Each is named as it was written, before the server starts."""
    from server.settings import environment_problems

    monkeypatch.setenv(f"EVKG_{name}", written)
    assert environment_problems() == [f"EVKG_{name}={written!r}: want {wanted}"]
    with pytest.raises(ValueError, match=f"EVKG_{name}={written!r}"):
        create_app({"TESTING": True}, store=Store())


@pytest.mark.parametrize("written", ["512", "1", "63999999"])
def test_a_query_memory_no_query_process_fits_in_is_refused(
        written: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """``EVKG_QUERY_MEMORY=512`` (megabytes meant) was taken: a query process takes some 37 MB
    before it runs a query, so every query was stopped and answered 503. It is refused before
    the server starts, saying the setting counts bytes; 0 (no limit) and 64 MB are taken."""
    from server.settings import environment_problems

    monkeypatch.setenv("EVKG_QUERY_MEMORY", written)
    assert environment_problems() == [
        f"EVKG_QUERY_MEMORY={int(written)!r}: want a whole number of bytes, 0 (no limit) or "
        "64000000 or more: a query process takes some 40 MB before it runs a query, so every "
        "query would be stopped (the setting counts bytes: 512 MB is 512000000)"]
    for taken in ("0", "64000000"):
        monkeypatch.setenv("EVKG_QUERY_MEMORY", taken)
        assert environment_problems() == []


@pytest.mark.parametrize("written", ['"1e3"', '"1000.0"', "1000.", " 1e3 ", "1_000"])
def test_a_whole_number_written_as_a_decimal_is_the_number(
        written: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A review's: a whole number that JSON does not read as a number (``1000.``, or one an
    env file quotes, ``"1e3"``) passed the check, which reads it as a decimal, and then every
    gunicorn worker failed to boot with ``invalid literal for int()``. It is the number."""
    from server.settings import environment_problems

    monkeypatch.setenv("EVKG_MAX_ROWS", written)
    monkeypatch.setenv("EVKG_THREADS", written)
    assert environment_problems() == []
    app = create_app({"TESTING": True}, store=Store())
    assert app.extensions["evkg"].limits.max_rows == 1000
    assert app.extensions["evkg-admission"].threads == 1000


@pytest.mark.parametrize("quoted", [False, True])
def test_gunicorn_and_its_workers_read_a_number_as_the_app_does(
        quoted: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """A review's: gunicorn's threads and time limit and the workers' read timeout were read
    from the environment with ``float()``, the application's numbers as Flask reads them (as
    JSON first): ``EVKG_THREADS="16"`` (an env file's quotes) gave the application 16 query
    threads and gunicorn the threads of 4, so that queries held the threads meant for pages
    and ``/health``, and ``EVKG_READ_TIMEOUT="60"`` was 20 s, unsaid."""
    from server.run import QUERIES_PER_THREAD, SPARE_THREADS, WORKER_GRACE, gunicorn_argv
    from server.workers import read_timeout

    def written(number: str) -> str:
        return f'"{number}"' if quoted else number

    monkeypatch.setenv("EVKG_THREADS", written("16"))
    monkeypatch.setenv("EVKG_QUERY_TIMEOUT", written("600"))
    monkeypatch.setenv("EVKG_READ_TIMEOUT", written("60"))
    argv = gunicorn_argv(host="127.0.0.1", port=8000, workers=1)
    assert argv[argv.index("--threads") + 1] == str(QUERIES_PER_THREAD * 16 + SPARE_THREADS)
    assert argv[argv.index("--timeout") + 1] == str(600 + WORKER_GRACE)
    assert read_timeout() == 60


def test_a_quoted_password_or_folder_is_the_text_set(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A review's: a text setting that JSON reads as a string lost its quotes in the server
    alone: ``EVKG_SPARQL_PASSWORD='"s3cret"'`` was sent by ``evkg load`` as written and by the
    server as ``s3cret`` (one of them refused by the store), and ``EVKG_STORE_DIR='"build"'``
    was the folder ``"build"`` to ``evkg serve``, which checked its release, and ``build`` to
    its workers, which served another. Each is the text set, everywhere."""
    from kg.remote import endpoint_from_settings

    monkeypatch.setenv("EVKG_SPARQL_ENDPOINT", "http://127.0.0.1:9/query")
    monkeypatch.setenv("EVKG_SPARQL_USER", '"evkg"')
    monkeypatch.setenv("EVKG_SPARQL_PASSWORD", '"s3cret"')
    monkeypatch.setenv("EVKG_STORE_DIR", '"build"')
    app = create_app({"TESTING": True}, store=Store())
    endpoint = endpoint_from_settings(app.config)
    assert endpoint is not None
    assert (endpoint.user, endpoint.password) == ('"evkg"', '"s3cret"')
    assert app.config["STORE_DIR"] == '"build"'


def test_an_update_token_written_as_an_empty_json_string_is_no_token(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``EVKG_UPDATE_TOKEN=""`` in an env file that keeps quotes (docker's ``--env-file``) is
    no token, as Flask's JSON reading had it: read as written, it would be the token of two
    quotes, which anyone could send."""
    monkeypatch.setenv("EVKG_UPDATE_TOKEN", '""')
    store = Store()
    client = create_app({"TESTING": True}, store=store).test_client()
    answer = client.post("/sparql", data="INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }",
                         content_type="application/sparql-update",
                         headers={"Authorization": 'Bearer ""'})
    assert (answer.status_code, answer.text) == (403, (
        "this endpoint is read-only: SPARQL updates (INSERT, DELETE, LOAD, CLEAR, …) are "
        "refused\n"))
    assert len(store) == 0


def test_a_quoted_trusted_host_is_the_host(monkeypatch: pytest.MonkeyPatch) -> None:
    """A host holds no quote: ``EVKG_TRUSTED_HOSTS="data.example.org"`` (an env file's quotes
    kept) is that host, as JSON reads it."""
    monkeypatch.setenv("EVKG_TRUSTED_HOSTS", '"data.example.org"')
    client = create_app({"TESTING": True}, store=Store()).test_client()
    assert client.get("/health", base_url="http://data.example.org").get_json()["status"] == "ok"
    refused = client.get("/health", base_url="http://localhost")
    assert (refused.status_code, refused.text) == (400, "Host 'localhost' is not trusted.\n")


def test_serve_with_an_endpoint_written_as_an_empty_json_string_serves_its_own_release(
        tmp_path: Path) -> None:
    """A review's: ``EVKG_SPARQL_ENDPOINT=""`` (an env file's empty value, quotes kept) is no
    endpoint to the server, which serves its own release, but `evkg serve` took it for one
    and left the release unchecked: a folder without one started gunicorn, whose workers each
    failed to boot with a traceback. It is said at once, as without the variable."""
    result = subprocess.run(
        [sys.executable, "-m", "kg.cli", "serve", "--store", str(tmp_path), "--port",
         str(free_port()), "--workers", "1"], env={**os.environ, "EVKG_SPARQL_ENDPOINT": '""'},
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines()[-1].startswith(f"Error: no release at {tmp_path}")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("name", ["CACHE_DIR", "QUERIES_DIR", "YASGUI_DIR", "CHARTJS_DIR"])
def test_a_folder_of_white_space_alone_is_refused(name: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """``EVKG_CACHE_DIR=' '`` (an env file's stray space) counted as set: the server made a
    folder named ' ' in its working folder and cached answers there, saying nothing. A folder
    setting of white space alone is refused, naming it, before the server starts."""
    from server.settings import environment_problems

    monkeypatch.setenv(f"EVKG_{name}", " \t")
    assert environment_problems() == [
        f"EVKG_{name}=' \\t' is white space alone: give a folder (for a name of white space "
        "alone, write ./ before it), or unset it"]


@pytest.mark.parametrize("written", [" ", "s3cret ", " s3cret"])
def test_an_update_token_that_no_header_can_carry_is_refused(
        written: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A token of white space alone, or one that begins or ends with it (``EVKG_UPDATE_TOKEN=
    s3cret `` in an env file), counted as set, but HTTP trims white space from a header's
    value: every update the operator sent with it was refused as lacking the token. It is
    refused before the server starts, without showing the token."""
    from server.settings import environment_problems

    monkeypatch.setenv("EVKG_UPDATE_TOKEN", written)
    assert environment_problems() == [
        "EVKG_UPDATE_TOKEN begins or ends with white space, which no Authorization header can "
        "carry (HTTP trims it from a header's value), so no update could be sent with it: "
        "write the token without it"]


def test_an_update_token_with_a_control_character_is_refused(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A token holding a control character (a line break pasted into an env file's value)
    can be sent in no header: gunicorn refuses such a request. It is refused, unshown."""
    from server.settings import environment_problems

    monkeypatch.setenv("EVKG_UPDATE_TOKEN", "s3cr\x01et")
    assert environment_problems() == [
        "EVKG_UPDATE_TOKEN holds a control character, which no Authorization header may carry "
        "(gunicorn refuses the request), so no update could be sent with it: use letters, "
        "digits and punctuation"]


@pytest.mark.parametrize("sent", ["utf-8", "latin-1"])
def test_an_update_token_beyond_ascii_is_taken_as_a_client_sends_it(sent: str) -> None:
    """A review's: a token such as ``pässwort`` matched only as Python's http.client and
    browsers send it (Latin-1), not as curl does (UTF-8): a header's bytes arrive read as
    Latin-1, and were compared with the token's UTF-8. Either matches."""
    store = Store()
    client = create_app({"TESTING": True, "UPDATE_TOKEN": "p\u00e4sswort"},
                        store=store).test_client()
    header = "Bearer " + "p\u00e4sswort".encode(sent).decode("latin-1")  # (as WSGI gives it)
    answer = client.post("/sparql", data="INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }",
                         content_type="application/sparql-update",
                         headers={"Authorization": header})
    assert answer.status_code == 204, answer.text
    assert len(store) == 1
    wrong = client.post("/sparql", data="INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:d> } }",
                        content_type="application/sparql-update",
                        headers={"Authorization": "Bearer passwort"})
    assert wrong.status_code == 403 and len(store) == 1


def test_serve_refuses_a_store_folder_of_white_space_alone(tmp_path: Path) -> None:
    """``EVKG_STORE_DIR=' '`` said "no release at  : run `evkg build --out  ` first"; as
    ``--store ' '`` it is refused as white space alone, as an empty one is."""
    result = subprocess.run(
        [sys.executable, "-m", "kg.cli", "serve", "--port", str(free_port())],
        env={**os.environ, "EVKG_STORE_DIR": " "}, cwd=tmp_path, capture_output=True,
        text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    assert ("Invalid value for '--store' (EVKG_STORE_DIR): it is white space alone: "
            "give a path (. for the current folder) (for a name of white space alone, write ./ "
            "before it)") in result.stderr


def test_a_cache_folder_or_access_log_the_server_cannot_write_stops_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An operator's: EVKG_CACHE_DIR naming a file started a server whose cache lived in each
    worker's memory alone, in silence; EVKG_ACCESS_LOG in a folder that does not exist stopped
    it with gunicorn's "Error: Error: '…' isn't writable", naming no setting. Both are said
    before the server starts, naming the setting."""
    afile = tmp_path / "afile"
    afile.write_text("", encoding="utf-8")
    monkeypatch.setenv("EVKG_CACHE_DIR", str(afile))
    with pytest.raises(ValueError) as refused:
        create_app({"TESTING": True}, store=Store())
    assert str(refused.value) == (
        f"EVKG_CACHE_DIR={str(afile)!r}: the server cannot write there (File exists): give a "
        "folder it can write in, or unset it (the build folder's cache/)")
    monkeypatch.setenv("EVKG_CACHE_DIR", str(tmp_path / "cache"))  # made when it is not there
    create_app({"TESTING": True}, store=Store())
    assert (tmp_path / "cache").is_dir()
    for log, why in ((tmp_path / "none" / "access.log", "its folder does not exist"),
                     (tmp_path, "it is a folder")):
        monkeypatch.setenv("EVKG_ACCESS_LOG", str(log))
        result = subprocess.run(
            [sys.executable, "-m", "kg.cli", "serve", "--store", str(tmp_path), "--port",
             str(free_port())], capture_output=True, text=True, timeout=60, env=os.environ)
        assert (result.returncode, result.stderr.splitlines()[-1]) == (1, (
            f"Error: EVKG_ACCESS_LOG={str(log)!r}: {why}: give a file the server can write "
            "(its folder must exist), or - for standard output"))
