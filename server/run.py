"""Starting the server: gunicorn with several workers, or Flask's server with ``--dev``."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def run_server(store_dir: Path, *, host: str, port: int, workers: int, dev: bool) -> None:
    """Serve the current release of ``store_dir``; does not return."""
    os.environ["EVKG_STORE_DIR"] = str(store_dir)
    if dev:
        from server import create_app

        create_app().run(host=host, port=port, debug=False)
        return
    timeout = int(os.environ.get("EVKG_QUERY_TIMEOUT", "30")) + 30
    argv = [sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}", "--workers",
            str(workers), "--timeout", str(timeout), "--access-logfile", "-",
            "server.wsgi:app"]
    os.execv(sys.executable, argv)
