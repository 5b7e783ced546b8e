"""Remote SPARQL stores the tests start as separate processes: Virtuoso and Oxigraph's server.

Each runs on 127.0.0.1 on free ports with a throw-away database folder, and is stopped (by its
own process id) when the session ends. ``evkg load`` fills it with a release, as a user would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

#: Where Debian's virtuoso-opensource package puts the server (``make test`` installs it).
VIRTUOSO_BINARIES = ("virtuoso-t", "/usr/bin/virtuoso-t")
#: The folder Virtuoso serves its own pages from (its /conductor, its default VSP files).
VIRTUOSO_VSP = Path("/var/lib/virtuoso-opensource-7/vsp")
#: Virtuoso's administrator account on a new database.
VIRTUOSO_ADMIN = ("dba", "dba")
#: Oxigraph's own query time limit: a query evkg gave up on does not run on past it.
OXIGRAPH_TIMEOUT = 10
#: Seconds a store may take to answer its first query after it starts.
START_SECONDS = 120.0

VIRTUOSO_INI = """\
[Database]
DatabaseFile       = {dir}/virtuoso.db
ErrorLogFile       = {dir}/virtuoso.log
LockFile           = {dir}/virtuoso.lck
TransactionFile    = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {dir}/virtuoso-temp.db
TransactionFile    = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort           = {sql_port}
DisableUnixSocket    = 1
CheckpointInterval   = 60
CaseMode             = 2
DirsAllowed          = ., {dir}, /usr/share/virtuoso-opensource-7/vad
VADInstallDir        = /usr/share/virtuoso-opensource-7/vad/
NumberOfBuffers      = 20000
MaxDirtyBuffers      = 15000
MaxQueryMem          = 500M
ThreadsPerQuery      = 2
MaxSortedTopRows     = 1000000

[HTTPServer]
ServerPort           = {http_port}
ServerRoot           = {vsp}
ServerThreads        = 10
MaxClientConnections = 10
MaxKeepAlives        = 10
KeepAliveTimeout     = 10
Charset              = UTF-8
EnabledGzipContent   = 0

[SPARQL]
ResultSetMaxRows           = 1000000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime      = 60
DefaultGraph               =
"""


@dataclass
class RemoteStoreProcess:
    """A running store: its query endpoint, where ``evkg load`` sends graphs, and how to log in."""

    name: str
    query_endpoint: str
    #: The SPARQL endpoint ``evkg load`` counts the graphs on (and updates, without GSP).
    load_endpoint: str
    gsp_endpoint: str | None
    process: subprocess.Popen[bytes]
    credentials: tuple[str, str] | None = None
    log: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def load_arguments(self) -> list[str]:
        """The ``evkg load`` options that reach this store."""
        args = ["--endpoint", self.load_endpoint]
        if self.gsp_endpoint:
            args += ["--gsp", self.gsp_endpoint]
        if self.credentials:
            args += ["--user", self.credentials[0], "--password", self.credentials[1]]
        return args

    def stop(self) -> None:
        stop_process(self.process)


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """Stop a server this suite (or a benchmark) started: SIGTERM, then SIGKILL after 30 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def virtuoso_binary() -> str | None:
    for candidate in VIRTUOSO_BINARIES:
        found = shutil.which(candidate)
        if found:
            return found
    return None


def oxigraph_binary() -> str | None:
    beside = Path(sys.executable).with_name("oxigraph")
    return str(beside) if beside.exists() else shutil.which("oxigraph")


def wait_for_sparql(endpoint: str, process: subprocess.Popen[bytes], log: Path | None = None,
                    seconds: float = START_SECONDS) -> None:
    """Wait until ``endpoint`` answers ``ASK {}``; a clear error if the process dies first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
            raise RuntimeError(f"{endpoint}: the store exited with {process.returncode}\n{tail}")
        try:
            response = requests.get(endpoint, params={"query": "ASK {}"}, timeout=5,
                                    headers={"Accept": "application/sparql-results+json"})
            if response.status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.25)
    raise TimeoutError(f"{endpoint} did not answer within {seconds:g} s")


def start_virtuoso(directory: Path, sql_port: int, http_port: int) -> RemoteStoreProcess:
    """Virtuoso with a new database in ``directory``, in the foreground, on free ports."""
    binary = virtuoso_binary()
    if binary is None:
        raise FileNotFoundError("virtuoso-t is not installed (apt-get install virtuoso-opensource)")
    directory.mkdir(parents=True, exist_ok=True)
    ini = directory / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=directory, sql_port=sql_port, http_port=http_port,
                                       vsp=VIRTUOSO_VSP), encoding="utf-8")
    log = directory / "stdout.log"
    with log.open("wb") as out:
        process = subprocess.Popen([binary, "+foreground", "+configfile", str(ini)],
                                   cwd=directory, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{http_port}"
    store = RemoteStoreProcess("virtuoso", base + "/sparql", base + "/sparql-auth",
                               base + "/sparql-graph-crud-auth", process,
                               credentials=VIRTUOSO_ADMIN, log=directory / "virtuoso.log")
    try:
        wait_for_sparql(store.query_endpoint, process, store.log)
    except BaseException:
        store.stop()
        raise
    return store


def start_oxigraph(directory: Path, port: int, timeout: float = OXIGRAPH_TIMEOUT
                    ) -> RemoteStoreProcess:
    """``oxigraph serve`` on ``directory``.

    ``--timeout-s`` stops a query that evkg stopped waiting for (a dropped HTTP connection does
    not stop it). Without ``--union-default-graph``: evkg names the release's graphs as the dataset of every
    query that names none, and with that flag Oxigraph 0.5 ignores a query's own FROM.
    """
    binary = oxigraph_binary()
    if binary is None:
        raise FileNotFoundError("the oxigraph command is not installed (pip install oxigraph)")
    log = directory.with_suffix(".log")
    with log.open("wb") as out:
        process = subprocess.Popen(
            [binary, "serve", "--location", str(directory), "--bind", f"127.0.0.1:{port}",
             "--timeout-s", str(int(timeout))], stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    store = RemoteStoreProcess("oxigraph", base + "/query", base + "/query", base + "/store",
                               process, log=log)
    try:
        wait_for_sparql(store.query_endpoint, process, log)
    except BaseException:
        store.stop()
        raise
    return store


def load_release(store: RemoteStoreProcess, build_dir: Path) -> None:
    """``evkg load`` the current release of ``build_dir`` into ``store``, as a user would."""
    result = subprocess.run([sys.executable, "-m", "kg.cli", "load", "--store", str(build_dir),
                             *store.load_arguments(), "--quiet"],
                            capture_output=True, text=True, timeout=600, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"evkg load into {store.name} failed:\n{result.stdout}{result.stderr}")


@contextmanager
def started(store: RemoteStoreProcess, build_dir: Path) -> Iterator[RemoteStoreProcess]:
    """``store`` loaded with the release of ``build_dir``, stopped afterwards."""
    try:
        load_release(store, build_dir)
        yield store
    finally:
        store.stop()


# --- processes, from /proc (servers the tests and benchmarks start) ---------------------------

def process_tree(root: int) -> list[int]:
    """``root`` and all its descendants, from /proc."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    tree = [root]
    for pid in tree:
        tree += parents.get(pid, [])
    return tree


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU time of each live process in ``pids``."""
    ticks = os.sysconf("SC_CLK_TCK")
    times = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        times[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return times
