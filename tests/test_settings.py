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
