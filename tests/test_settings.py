"""The ``EVKG_*`` settings as the server reads them from its environment (``server.settings``)."""

from __future__ import annotations

import pytest
from pyoxigraph import Store

from server import create_app


@pytest.mark.parametrize("written", ["0", "null", "false", "1e3"])
def test_a_service_allowlist_is_the_text_set(written: str, monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
    """A review's: ``EVKG_SERVICE_ALLOWLIST`` was read as JSON, so ``0``, ``null`` or
    ``false`` (an operator's way to say "none") made every gunicorn worker fail to boot with
    a traceback (``'int' object is not iterable``) and the server stopped; ``1e3`` allowed
    ``1000.0``. It is the comma-separated text set, or a JSON list of endpoints."""
    monkeypatch.setenv("EVKG_SERVICE_ALLOWLIST", written)
    app = create_app({"TESTING": True}, store=Store())
    assert app.extensions["evkg"].limits.service_allowlist == (written,)
    monkeypatch.setenv("EVKG_SERVICE_ALLOWLIST", '["https://a.example/sparql", "urn:b"]')
    app = create_app({"TESTING": True}, store=Store())
    assert app.extensions["evkg"].limits.service_allowlist == ("https://a.example/sparql", "urn:b")


@pytest.mark.parametrize("written", ["true", "0", "1e3"])
def test_trusted_hosts_are_the_text_set(written: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A review's: ``EVKG_TRUSTED_HOSTS=true`` was read as JSON, ``True``, and every request
    was a 500 (werkzeug iterates the hosts); ``0`` trusted any host. A host is the text set."""
    monkeypatch.setenv("EVKG_TRUSTED_HOSTS", written)
    client = create_app({"TESTING": True}, store=Store()).test_client()
    assert client.get("/health", base_url=f"http://{written}").status_code == 200
    assert client.get("/health", base_url="http://localhost").status_code == 400


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
