"""What the application serves, reached through one accessor (``state()``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app
from pyoxigraph import Store

from server.cache import ResultCache, cache_folder
from server.executor import Executor, LocalExecutor
from server.limits import Limits
from server.querypool import QueryPool

#: Default settings of the query processes and the result cache (each an ``EVKG_*`` variable).
DEFAULT_SERVING: dict[str, Any] = {
    "THREADS": 4,
    "CACHE_DIR": "",
    "CACHE_MAX_BYTES": 256 * 1024 * 1024,
    "CACHE_MAX_AGE": 600,
}


@dataclass
class ServerState:
    store: Store
    executor: Executor
    release_dir: Path | None = None
    manifest: dict[str, Any] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)
    #: Answers by key; None when answers are not reused (a store that may change).
    cache: ResultCache | None = None

    @property
    def version(self) -> str:
        return str(self.manifest.get("version", "unversioned"))


def _setting(config: Mapping[str, Any], key: str) -> Any:
    return config.get(key, DEFAULT_SERVING[key])


def memory_state(config: Mapping[str, Any], store: Store) -> ServerState:
    """Serving a store given in code (tests, tools): queries run in-process, with no time limit;
    answers are cached only when ``CACHE_DIR`` is set, since such a store may change."""
    folder = str(_setting(config, "CACHE_DIR"))
    cache = ResultCache(Path(folder), int(_setting(config, "CACHE_MAX_BYTES"))) if folder else None
    return ServerState(store=store, executor=LocalExecutor(store),
                       limits=Limits.from_config(config), cache=cache)


def release_state(config: Mapping[str, Any], store: Store, release_dir: Path,
                  manifest: dict[str, Any]) -> ServerState:
    """Serving a built release: queries run in killable children, answers are cached on disk."""
    limits = Limits.from_config(config)
    pool = QueryPool(release_dir / "store", size=int(_setting(config, "THREADS")),
                     timeout=limits.query_timeout)
    max_bytes = int(_setting(config, "CACHE_MAX_BYTES"))
    cache = None
    if max_bytes > 0:
        folder = cache_folder(str(_setting(config, "CACHE_DIR")),
                              Path(str(config.get("STORE_DIR", "build"))))
        cache = ResultCache(folder, max_bytes)
    return ServerState(store=store, executor=pool, release_dir=release_dir, manifest=manifest,
                       limits=limits, cache=cache)


def state() -> ServerState:
    result: ServerState = current_app.extensions["evkg"]
    return result
