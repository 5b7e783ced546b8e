"""gunicorn's server hooks for ``evkg serve`` (``--config python:server.reloads``): a reload
(``kill -HUP``) serves the new current release only when it can be served.

gunicorn's reload starts new workers and stops the old ones; a worker that cannot open its
release exits at boot, and gunicorn then stops altogether ("Worker failed to boot"): a reload
after the current release was damaged took the whole server down. gunicorn's master process
checks ``current`` at start and on each reload and names the release its workers open
(``EVKG_SERVED_RELEASE``): the new one, or, when that is damaged, the one they served, saying
why in the log.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from kg.release import servable_release

#: The setting that names the release folder the workers open (instead of ``current``).
SERVED_RELEASE = "EVKG_SERVED_RELEASE"


def choose_release(server: Any) -> None:
    """Name the release the workers gunicorn starts next open, unless a remote store is
    served (``EVKG_SPARQL_ENDPOINT``)."""
    if os.environ.get("EVKG_SPARQL_ENDPOINT"):
        return
    try:
        served = servable_release(Path(os.environ.get("EVKG_STORE_DIR", "build")))
    except (OSError, ValueError) as error:
        kept = os.environ.get(SERVED_RELEASE)
        if kept:  # (at the start nothing was served: the workers say what is wrong)
            server.log.error("evkg: %s; still serving %s", error, kept)
        return
    os.environ[SERVED_RELEASE] = str(served)


def on_starting(server: Any) -> None:
    choose_release(server)


def on_reload(server: Any) -> None:
    choose_release(server)
