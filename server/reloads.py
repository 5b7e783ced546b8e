"""gunicorn's server hooks for ``evkg serve`` (``--config python:server.reloads``): a reload
(``kill -HUP``) serves the new current release only when it can be served.

gunicorn's reload starts new workers and stops the old ones; a worker that cannot open its
release exits at boot, and gunicorn then stops altogether ("Worker failed to boot"): a reload
after the current release was damaged took the whole server down. gunicorn's master process
checks ``current`` at start and on each reload and names the release its workers open
(``EVKG_SERVED_RELEASE``): the new one, or, when that is damaged, the one they served, saying
why in the log.

The master checks in a process of its own (``checked_release``), never opening a store itself:
RocksDB, once opened in a process, is in every process it forks after, and each worker gunicorn
forked then crashed as it exited (SIGSEGV), at every reload and every stop.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from kg.release import lease
from server.settings import serves_remote_store

#: The setting that names the release folder the workers open (instead of ``current``).
SERVED_RELEASE = "EVKG_SERVED_RELEASE"
#: The lease (``kg.release.lease``) the master holds on the release its workers open: a worker
#: it forks later (a reload, one that died) opens that release, which ``evkg prune`` leaves.
_leased: int | None = None
#: ``kg.release.servable_release`` of the build folder its argument names, in a process of its
#: own: the release's folder on stdout, else (exit status 3) what is damaged.
_CHECK = """
import sys
from pathlib import Path
from kg.release import servable_release
try:
    print(servable_release(Path(sys.argv[1])))
except (OSError, ValueError) as error:
    print(error)
    sys.exit(3)
"""


def checked_release(store_dir: Path) -> Path:
    """``servable_release(store_dir)``, checked in a child process (which opens the store, and
    ends), so that gunicorn's master, and the workers it forks, never hold RocksDB; an
    ``OSError`` saying what is damaged when it cannot be served."""
    paths = [path or os.getcwd() for path in sys.path]  # kg as this process imports it
    done = subprocess.run([sys.executable, "-c", _CHECK, str(store_dir)], capture_output=True,
                          check=False, env={**os.environ, "PYTHONIOENCODING": "utf-8",
                                            "PYTHONPATH": os.pathsep.join(paths)})
    said = done.stdout.decode("utf-8", "replace").strip()
    if done.returncode == 0 and said:
        return Path(said.splitlines()[-1])
    if done.returncode == 3 and said:
        raise OSError(said)
    raise OSError(f"the check of the release in {store_dir} ended with status "
                  f"{done.returncode}: {done.stderr.decode('utf-8', 'replace').strip()}")


def choose_release(server: Any) -> None:
    """Name the release the workers gunicorn starts next open, and say it in the log, unless a
    remote store is served (``EVKG_SPARQL_ENDPOINT``)."""
    if serves_remote_store():
        return
    global _leased
    try:
        served = checked_release(Path(os.environ.get("EVKG_STORE_DIR", "build")))
        held = lease(served)
    except (OSError, ValueError) as error:
        kept = os.environ.get(SERVED_RELEASE)
        if kept:  # (at the start nothing was served: the workers say what is wrong)
            server.log.error("evkg: %s; still serving %s", error, kept)
        return
    os.environ[SERVED_RELEASE] = str(served)
    server.log.info("evkg: serving release %s (%s)", served.name, served)
    # the workers forked from here on share this lease; the old ones keep the previous
    # release's until they exit
    previous, _leased = _leased, held
    if previous is not None:
        os.close(previous)


def on_starting(server: Any) -> None:
    choose_release(server)


def on_reload(server: Any) -> None:
    choose_release(server)
