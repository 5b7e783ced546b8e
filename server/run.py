"""Starting the server: gunicorn with several workers, or Flask's server with ``--dev``."""

from __future__ import annotations

import ctypes.util
import errno
import logging
import os
import socket
import sys
from pathlib import Path

from server.settings import environment_number

#: Query threads of a server process unless EVKG_THREADS says otherwise: the queries its query
#: process runs at once.
DEFAULT_THREADS = 4
#: Queries a server process takes at once for each of its query threads: one running and one
#: waiting for a thread; more are refused at once (``server.limits.Admission``).
QUERIES_PER_THREAD = 2
#: gunicorn threads of a worker beyond those its queries may hold: pages, downloads and
#: ``/health`` are answered while a flood of slow queries holds the others.
SPARE_THREADS = 4
#: Extra seconds gunicorn gives a worker beyond the query time limit before it kills the worker:
#: the worker itself answers at the limit, so gunicorn's kill is only for a stuck worker.
WORKER_GRACE = 30
#: The longest request line gunicorn takes (its maximum): longer GET queries must be POSTed, as
#: the answer (414, ``server.workers``) says.
REQUEST_LINE_LIMIT = 8190


#: gunicorn's access log line: its default (Apache's combined format) and the time the request
#: took, in milliseconds, as Fuseki's and Oxigraph's logs give it.
ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'


#: The malloc library preloaded into the server's processes unless EVKG_ALLOCATOR names another
#: (a name such as ``jemalloc``, or a path; empty: the C library's own). pyoxigraph's queries
#: allocate many small objects on several threads at once, where mimalloc (Debian's
#: ``libmimalloc2.0``) runs the medium query of ``benchmarks/server.py`` about 10% faster.
DEFAULT_ALLOCATOR = "mimalloc"


def allocator_library(setting: str | None) -> tuple[str | None, str | None]:
    """The library to preload for ``setting`` (EVKG_ALLOCATOR, None: the default), and a notice
    for the log when one was asked for but is not installed."""
    name = (DEFAULT_ALLOCATOR if setting is None else setting).strip()
    if not name:
        return None, None
    if "/" in name:
        found = name if Path(name).is_file() else None
    elif ".so" in name:
        found = name  # a library's own name (libjemalloc.so.2): the dynamic linker finds it
    else:
        found = ctypes.util.find_library(name.removeprefix("lib"))
    if found is None:
        hint = " (Debian: apt-get install libmimalloc2.0)" if name == DEFAULT_ALLOCATOR else ""
        return None, (f"evkg serve: the allocator {name} is not installed, so the C library's "
                      f"malloc is used{hint}; set EVKG_ALLOCATOR= to choose that and silence this")
    return found, None


def preload_allocator() -> None:
    """Add EVKG_ALLOCATOR's library to LD_PRELOAD for the processes started from here on
    (gunicorn and its workers after ``execv``, and every query process), unless an allocator
    is preloaded already."""
    preloaded = os.environ.get("LD_PRELOAD", "").replace(":", " ").split()
    if any("malloc" in Path(entry).name for entry in preloaded):
        return
    library, notice = allocator_library(os.environ.get("EVKG_ALLOCATOR"))
    if notice:
        print(notice, file=sys.stderr)
    if library and library not in preloaded:
        os.environ["LD_PRELOAD"] = " ".join([*preloaded, library])


def access_log_argv() -> list[str]:
    """gunicorn's options for the access log EVKG_ACCESS_LOG names: standard output (``-``, the
    default), a file, or none (empty)."""
    target = os.environ.get("EVKG_ACCESS_LOG", "-").strip()
    if not target:
        return []
    return ["--access-logfile", target, "--access-logformat", ACCESS_LOG_FORMAT]


def gunicorn_argv(*, host: str, port: int, workers: int) -> list[str]:
    """The gunicorn command line: threaded workers, timeouts that leave the limit to the app."""
    timeout = int(environment_number("QUERY_TIMEOUT", 30)) + WORKER_GRACE
    query_threads = max(1, int(environment_number("THREADS", DEFAULT_THREADS)))
    threads = QUERIES_PER_THREAD * query_threads + SPARE_THREADS
    # forwarded headers are trusted as EVKG_PROXY_HOPS says (the app's ProxyFix): gunicorn took
    # X-Forwarded-Proto from any client on this machine, and from a proxy there that passed a
    # client's on (gunicorn's own FORWARDED_ALLOW_IPS, where an operator sets it, still rules)
    trusted = [] if "FORWARDED_ALLOW_IPS" in os.environ else ["--forwarded-allow-ips", ""]
    return [sys.executable, "-m", "gunicorn", "--bind", host_and_port(host, port), *trusted,
            "--workers", str(workers), "--worker-class", "server.workers.Worker",
            "--threads", str(threads), "--logger-class", "server.workers.Logger",
            "--timeout", str(timeout), "--graceful-timeout", "10", "--keep-alive", "5",
            "--limit-request-line", str(REQUEST_LINE_LIMIT), *access_log_argv(),
            # gunicorn 27 opens a control socket at one path in the home folder by default: a
            # second server took over the first's, and evkg uses none
            "--no-control-socket", "--config", "python:server.reloads", "server.wsgi:app"]


def bare_host(host: str) -> str:
    """``--host`` without the brackets a URL puts around an IPv6 address (``[::1]``)."""
    return host[1:-1] if host.startswith("[") and host.endswith("]") else host


def host_and_port(host: str, port: int) -> str:
    """``host:port`` as gunicorn's ``--bind`` and a URL write it, an IPv6 address in brackets
    (gunicorn read ``::1:8000`` as host ``::1:8000`` and no port)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def check_address_free(host: str, port: int) -> None:
    """Raise OSError, saying why, when ``host:port`` cannot be listened on: gunicorn would log
    "Address already in use" twice a second for five seconds, then give up. ``host`` is bare
    (``bare_host``); its family is the one gunicorn and Flask's server listen with (IPv6 for an
    address with a colon, else IPv4, a host name's IPv4 address)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, family, socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as error:
        raise OSError(f"cannot listen on {host_and_port(host, port)}: {error.strerror}"
                      ) from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        try:
            probe.bind(address)
        except OSError as error:
            why = ("the address is in use (another server? stop it, or give --port another "
                   "port)" if error.errno == errno.EADDRINUSE else error.strerror)
            raise OSError(f"cannot listen on {host_and_port(host, port)}: {why}") from None


def run_server(store_dir: Path, *, host: str, port: int, workers: int, dev: bool) -> None:
    """Serve the current release of ``store_dir``; does not return."""
    os.environ["EVKG_STORE_DIR"] = str(store_dir)
    preload_allocator()
    if dev:
        from server import create_app
        from server.workers import SERVER_LOGGER

        # gunicorn's level, info, as its workers set it (server.workers.write_like_gunicorn):
        # at Python's default, warning, slow queries (EVKG_SLOW_QUERY) went unsaid
        logging.getLogger(SERVER_LOGGER).setLevel(logging.INFO)
        create_app().run(host=host, port=port, debug=False, threaded=True)
        return
    if "EVKG_QUERY_MEMORY" not in os.environ:
        # each worker's query process: half of the memory, shared among the workers
        from server.querypool import default_query_memory

        os.environ["EVKG_QUERY_MEMORY"] = str(default_query_memory(workers))
    argv = gunicorn_argv(host=host, port=port, workers=workers)
    os.execv(sys.executable, argv)
