"""Starting the server: gunicorn with several workers, or Flask's server with ``--dev``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

#: Threads per gunicorn worker unless EVKG_THREADS says otherwise (each may own a query child).
DEFAULT_THREADS = 4
#: Extra seconds gunicorn gives a worker beyond the query time limit before it kills the worker:
#: the worker itself answers at the limit, so gunicorn's kill is only for a stuck worker.
WORKER_GRACE = 30
#: The longest request line gunicorn takes (its maximum): longer GET queries must be POSTed.
REQUEST_LINE_LIMIT = 8190


def _number(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


def gunicorn_argv(*, host: str, port: int, workers: int) -> list[str]:
    """The gunicorn command line: threaded workers, timeouts that leave the limit to the app."""
    timeout = int(_number("EVKG_QUERY_TIMEOUT", 30)) + WORKER_GRACE
    threads = max(1, int(_number("EVKG_THREADS", DEFAULT_THREADS)))
    return [sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}",
            "--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads),
            "--timeout", str(timeout), "--graceful-timeout", "10", "--keep-alive", "5",
            "--limit-request-line", str(REQUEST_LINE_LIMIT), "--access-logfile", "-",
            "server.wsgi:app"]


def run_server(store_dir: Path, *, host: str, port: int, workers: int, dev: bool) -> None:
    """Serve the current release of ``store_dir``; does not return."""
    os.environ["EVKG_STORE_DIR"] = str(store_dir)
    if dev:
        from server import create_app

        create_app().run(host=host, port=port, debug=False, threaded=True)
        return
    argv = gunicorn_argv(host=host, port=port, workers=workers)
    os.execv(sys.executable, argv)
