"""Shared fixtures: the default release (built once per run), the app, and a live server.

Server tests run against each backend (``backend``): the embedded release store, and the same
release loaded with ``evkg load`` into Virtuoso and into Oxigraph's server, each started once
per session as a separate process (``tests/backends.py``).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from pyoxigraph import Store

from kg import iris
from kg.backends import QueryableStore, RemoteStore
from kg.build import BuildReport, build
from kg.release import current_release
from kg.remote import Endpoint
from kg.store import open_read_only
from tests.backends import (
    RemoteStoreProcess,
    start_oxigraph,
    start_virtuoso,
    started,
    virtuoso_binary,
)

ROOT = Path(__file__).resolve().parents[1]
#: ../shared beside the project (absent on a user's fresh clone).
SHARED = ROOT.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or a skip saying it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"../shared is absent: {'/'.join(parts)} is not available")
    return path


#: Run by a Python of its own (``-I -S``: none of the suite's code or state) before a test's
#: command, which it then becomes: it sets what the test's ``preexec_fn`` set. A ``preexec_fn``
#: ran Python in the suite's forked child, after Python had cleared the state of the suite's
#: other threads there, running the finalizers of what only that state held, in the child
#: (the hazard that put "QuadIter is unsendable" in a build's output: ``kg/stopping.py``).
#: SIGPIPE and SIGXFSZ, which that Python ignores for itself, get their default actions back
#: first, as ``subprocess`` gives them to a program (ignored, the ``exec`` passed them on).
_SET_THEN_EXEC = """import os, signal, sys
for name in ("SIGPIPE", "SIGXFSZ"):
    if hasattr(signal, name):
        signal.signal(getattr(signal, name), signal.SIG_DFL)
{setting}
os.execvp(sys.argv[1], sys.argv[1:])
"""


def _set_then_exec(setting: str, command: list[str]) -> list[str]:
    return [sys.executable, "-I", "-S", "-c", _SET_THEN_EXEC.format(setting=setting), *command]


def with_ctrl_c(command: list[str]) -> list[str]:
    """``command`` run with SIGINT's default action: a suite started in the background of a
    shell without job control inherits SIGINT ignored, and Python then takes no Ctrl-C."""
    return _set_then_exec("signal.signal(signal.SIGINT, signal.SIG_DFL)", command)


def with_file_size_limit(limit: int, command: list[str]) -> list[str]:
    """``command`` run where no file may grow past ``limit`` bytes (``ulimit -f``, in kB)."""
    return _set_then_exec("import resource\nresource.setrlimit(resource.RLIMIT_FSIZE, "
                          f"({limit}, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))", command)


def unprivileged(command: list[str]) -> list[str]:
    """``command`` run bound by file permissions: as it is for a user other than root; for root
    (which reads and writes whatever a file's mode says) through ``setpriv`` with every
    capability dropped; else a skip saying why."""
    if os.geteuid() != 0:
        return command
    dropped = ["setpriv", "--inh-caps=-all", "--bounding-set=-all", "--"]
    if shutil.which("setpriv") is None or subprocess.run(
            [*dropped, "true"], capture_output=True).returncode != 0:
        pytest.skip("running as root, and setpriv cannot drop the capabilities that let root "
                    "ignore file permissions")
    return [*dropped, *command]


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


#: Ports ``free_port`` handed out already, in this run (two asked for at once must differ).
_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A port of 127.0.0.1 free now: one of ``EVKG_TEST_PORTS`` (``9050-9099``) when it is set,
    for a machine whose ports are shared out among several people's tests (each handed out once
    until the range is used up), else any the system gives."""
    first, _, last = os.environ.get("EVKG_TEST_PORTS", "").partition("-")
    if not first:
        candidates = [0]
    else:
        ports = range(int(first), int(last or first) + 1)
        candidates = [p for p in ports if p not in _HANDED_OUT] or list(ports)
        if len(candidates) == len(ports):
            _HANDED_OUT.clear()
    for candidate in candidates:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", candidate))
            except OSError:  # taken
                continue
            port: int = sock.getsockname()[1]
            _HANDED_OUT.add(port)
            return port
    raise RuntimeError(f"every port of EVKG_TEST_PORTS={os.environ['EVKG_TEST_PORTS']} is taken")


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


#: The backends every server test runs against.
BACKENDS = ("embedded", "virtuoso", "oxigraph")


@dataclass(frozen=True)
class Backend:
    """A backend to serve the default release from: its name and the settings that select it."""

    name: str
    #: Settings (without the ``EVKG_`` prefix) that make the server use it.
    config: dict[str, Any] = field(default_factory=dict)
    #: The remote store's process (None: embedded).
    process: RemoteStoreProcess | None = None

    @property
    def remote(self) -> bool:
        return self.process is not None

    def store(self, embedded: QueryableStore) -> QueryableStore:
        """The store queries reach (``embedded`` for the embedded backend)."""
        if self.process is None:
            return embedded
        graphs = tuple(iris.graph_iri(name).value for name in iris.GRAPH_NAMES)
        return RemoteStore(Endpoint(self.process.query_endpoint, dataset=graphs), timeout=30)


@pytest.fixture(scope="session")
def virtuoso_process(default_build: tuple[Path, BuildReport],
                     tmp_path_factory: pytest.TempPathFactory) -> Iterator[RemoteStoreProcess]:
    """Virtuoso (Debian's virtuoso-opensource) holding the default release."""
    if virtuoso_binary() is None:
        pytest.skip("virtuoso-t is not installed: `make test` installs Debian's "
                    "virtuoso-opensource (apt-get install virtuoso-opensource)")
    out, _ = default_build
    store = start_virtuoso(tmp_path_factory.mktemp("virtuoso"), free_port(), free_port())
    with started(store, out):
        yield store


@pytest.fixture(scope="session")
def oxigraph_process(default_build: tuple[Path, BuildReport],
                     tmp_path_factory: pytest.TempPathFactory) -> Iterator[RemoteStoreProcess]:
    """``oxigraph serve`` holding the default release."""
    out, _ = default_build
    store = start_oxigraph(tmp_path_factory.mktemp("oxigraph") / "store", free_port())
    with started(store, out):
        yield store


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest, default_build: tuple[Path, BuildReport]) -> Backend:
    """Each backend in turn, serving the default release."""
    name: str = request.param
    if name == "embedded":
        return Backend(name)
    process: RemoteStoreProcess = request.getfixturevalue(f"{name}_process")
    out, _ = default_build
    return Backend(name, {"SPARQL_ENDPOINT": process.query_endpoint, "STORE_DIR": str(out)},
                   process)


@contextmanager
def just_loaded(backend: Backend, out: Path, folder: Path) -> Iterator[Backend]:
    """``backend``, but for Virtuoso one of its own in ``folder``, just loaded with the release
    of ``out``: the suite's Virtuoso, after the few hundred tests before, answered four
    examples wrongly with a 200 in 2 runs of 22 (no rows for metastasis-cargo and
    top-neoplasm-headings, 9 rows of 23 for mir-105, 11 of 10 for the seed review's citation
    network, which /explore draws; the store of one run, restarted, answered them rightly),
    where a store just loaded answered every example rightly in 71 runs of 71: a fault of
    Virtuoso 7.2's (the README's engine differences), not of evkg, and it failed CI."""
    if backend.name != "virtuoso":
        yield backend
        return
    store = start_virtuoso(folder, free_port(), free_port())
    with started(store, out):
        yield Backend(backend.name, {**backend.config, "SPARQL_ENDPOINT": store.query_endpoint},
                      store)


@pytest.fixture(scope="session")
def backend_store(backend: Backend, default_store: Store) -> QueryableStore:
    """The default release's store on each backend."""
    return backend.store(default_store)


def engine_difference(request: pytest.FixtureRequest, backend: Backend, engines: tuple[str, ...],
                      reason: str) -> None:
    """Mark the running test as an expected failure on ``engines``: a known difference of that
    engine, documented in the README. The test still runs, and fails once they agree (strict:
    a test review's; an XPASS passed unseen, and the README went on naming a difference gone)."""
    if backend.name in engines:
        request.applymarker(pytest.mark.xfail(reason=f"{backend.name}: {reason}", strict=True))


@dataclass
class Served:
    """A running ``evkg serve``: its URL and its (gunicorn master) process."""

    base: str
    process: subprocess.Popen[bytes]


@contextmanager
def serving(out: Path | None, settings: Mapping[str, str], *, workers: int = 1,
            log: Path | None = None, cwd: Path | None = None) -> Iterator[Served]:
    """``evkg serve`` (gunicorn) of the build ``out`` (``None``: no ``--store``, the default
    ``build``) on 127.0.0.1 and a free port, with these ``EVKG_*`` settings, until the block
    ends; its output (standard output and error, as a service manager collects them) written
    to ``log`` if given; run in ``cwd`` if given (an evkg of that folder, with ``PYTHONPATH``
    naming it)."""
    port = free_port()
    store = ["--store", str(out)] if out is not None else []
    with log.open("wb") if log else open(os.devnull, "wb") as written:
        process = subprocess.Popen(
            [sys.executable, "-m", "kg.cli", "serve", *store, "--port", str(port),
             "--workers", str(workers)], env={**os.environ, **settings},
            stdout=written, stderr=written, cwd=cwd)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/health", process)
        yield Served(base, process)
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="session")
def live_server(default_build: tuple[Path, BuildReport], backend: Backend) -> Iterator[str]:
    """``evkg serve`` (gunicorn) on 127.0.0.1 and a free port, on each backend; yields its URL."""
    out, _ = default_build
    with serving(out, live_settings(backend), workers=2) as served:
        yield served.base


def live_settings(backend: Backend) -> dict[str, str]:
    """The ``EVKG_*`` settings of ``live_server`` on ``backend``."""
    return {"EVKG_QUERY_TIMEOUT": "5", "EVKG_READ_TIMEOUT": "3",
            **{f"EVKG_{key}": value for key, value in backend.config.items()}}


# --- a browser --------------------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
#: The flags this machine's headless Chromium needs.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser_page() -> Iterator[Any]:
    """A page of headless Debian Chromium driven by Playwright (skips when either is missing)."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (make install-test "
                    "installs it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1300, "height": 1000})
        yield context.new_page()
        context.close()
        browser.close()


#: A syscall of strace's log (``-f -y``): an fsync or fdatasync of a descriptor, and the path
#: strace gives it, or a rename and the path it renames to (its last quoted argument). strace
#: pads the process number that opens each line to five characters ("6663  rename(…"): one
#: space after it read only the calls of processes numbered from 10000 on.
_TRACED = re.compile(r'^\d+ +(?:(?:fsync|fdatasync)\(\d+<(?P<synced>[^>]*)>'
                     r'|rename(?:at2?)?\(.*"(?P<renamed>[^"]*)")')


def traced_syncs(command: list[str], log: Path) -> list[tuple[str, str]]:
    """Run ``evkg COMMAND`` under strace, a real tracer of its system calls (and its children's),
    and return its fsyncs and renames in order: ``("sync", path)``, ``("rename", new path)``."""
    done = subprocess.run(["strace", "-f", "-y", "-qq", "-o", str(log), "-e",
                           "trace=fsync,fdatasync,rename,renameat,renameat2",
                           sys.executable, "-m", "kg.cli", *command], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    found = (_TRACED.match(line) for line in log.read_text(encoding="utf-8").splitlines())
    return [("sync", match["synced"]) if match["synced"] else ("rename", match["renamed"])
            for match in found if match]
