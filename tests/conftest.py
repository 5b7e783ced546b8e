"""Shared fixtures: the default release (built once per run), the app, and a live server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from pyoxigraph import Store

from kg.build import BuildReport, build
from kg.release import current_release
from kg.store import open_read_only

ROOT = Path(__file__).resolve().parents[1]
#: ../shared beside the project (absent on a user's fresh clone).
SHARED = ROOT.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or a skip saying it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"../shared is absent: {'/'.join(parts)} is not available")
    return path


@pytest.fixture(scope="session")
def default_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildReport]:
    """The default graph, built once into a temporary build folder."""
    out = tmp_path_factory.mktemp("build")
    report = build([], out)
    return out, report


@pytest.fixture(scope="session")
def default_store(default_build: tuple[Path, BuildReport]) -> Store:
    out, _ = default_build
    return open_read_only(current_release(out) / "store")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for(url: str, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise TimeoutError(f"server at {url} did not answer within {seconds} s")


@pytest.fixture(scope="session")
def live_server(default_build: tuple[Path, BuildReport]) -> Iterator[str]:
    """``evkg serve`` (gunicorn) on 127.0.0.1 and a free port; yields its base URL."""
    out, _ = default_build
    port = free_port()
    env = {**os.environ, "EVKG_QUERY_TIMEOUT": "5"}
    process = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--store", str(out), "--port", str(port),
         "--workers", "2"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/health", process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
