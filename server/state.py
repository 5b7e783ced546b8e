"""What the application serves, reached through one accessor (``state()``).

The backend is chosen here: the embedded release store (the default), a store given in code, or
a remote SPARQL endpoint when ``EVKG_SPARQL_ENDPOINT`` is set.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import threading
import time
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from flask import current_app
from pyoxigraph import Store

from kg import iris
from kg.backends import QueryableStore, RemoteStore, rows
from kg.release import MANIFEST, lease, read_manifest
from kg.remote import Endpoint, StoreError
from kg.searchindex import index_file
from server.cache import ResultCache, cache_folder, code_digest
from server.executor import Executor, LocalExecutor
from server.forwarding import RemoteExecutor
from server.limits import Limits
from server.querypool import DEFAULT_MAX_ANSWER_BYTES, DEFAULT_QUERY_MEMORY, QueryPool

#: Default settings of the query processes and the result cache (each an ``EVKG_*`` variable).
DEFAULT_SERVING: dict[str, Any] = {
    "THREADS": 4,
    "QUERY_MEMORY": DEFAULT_QUERY_MEMORY,
    "MAX_ANSWER_BYTES": DEFAULT_MAX_ANSWER_BYTES,
    "CACHE_DIR": "",
    "CACHE_MAX_BYTES": 256 * 1024 * 1024,
    "CACHE_MAX_AGE": 600,
}
#: Settings of a remote store (each an ``EVKG_*`` variable); an empty endpoint: embedded store.
DEFAULT_BACKEND: dict[str, Any] = {
    "SPARQL_ENDPOINT": "",
    "SPARQL_UPDATE_ENDPOINT": "",
    "GSP_ENDPOINT": "",
    "SPARQL_USER": "",
    "SPARQL_PASSWORD": "",
    "SPARQL_TIMEOUT_PARAMETER": "timeout",
}


@dataclass
class ServerState:
    store: QueryableStore
    executor: Executor
    release_dir: Path | None = None
    manifest: dict[str, Any] = field(default_factory=dict)
    #: The served release's search index (``kg.searchindex``); None: search reads the labels
    #: by SPARQL (a store given in code, an older release, a remote store without its release).
    search_index: Path | None = None
    limits: Limits = field(default_factory=Limits)
    #: Answers by key; None when answers are not reused (a store that may change).
    cache: ResultCache | None = None
    #: Facts pages ask on every request, asked once: name → answer (``server.explore``).
    asked: dict[str, bool] = field(default_factory=dict)
    #: Why a remote store's release version is not known (down at start, or not loaded yet),
    #: and when to read it again (``time.monotonic()``); empty when it is known.
    version_problem: str = ""
    version_retry: float = 0.0
    #: The last read of a remote store's version: when (``time.monotonic()``) and what went
    #: wrong ("" when the store answered): ``/health`` takes one that just ran as its probe.
    probed: tuple[float, str] = (0.0, "")
    #: Held while one thread reads the version again: the others go on with what they have.
    refreshing: threading.Lock = field(default_factory=threading.Lock)

    @property
    def version(self) -> str:
        return str(self.manifest.get("version", "unversioned"))

    @functools.cached_property
    def answers_of(self) -> str:
        """What cached answers are kept under: the version, and for a release the digest of
        its manifest (which names each file's SHA-256), so that a release replaced under the
        same version (a damaged one, built again: ``release.holds_release``) is not answered
        from the cache of the one it replaced; and the evkg serving it (``code_digest``), so
        that another's answers, kept in the same folder before an upgrade, are not given. Once
        per state: a state's manifest is never changed, another release is another state."""
        if not self.manifest.get("files"):
            return f"{self.version} {code_digest()}"
        digest = hashlib.sha256(json.dumps(self.manifest, sort_keys=True).encode()).hexdigest()
        return f"{self.version} {digest} {code_digest()}"

    @property
    def base_warning(self) -> str:
        """What is wrong when the release was built under another base than the one this
        server answers for: every page of its resources is a 404 (a review's: no word said so)."""
        built_under = self.manifest.get("base_iri")
        if not built_under or built_under == iris.base_iri():
            return ""
        return (f"release {self.version} mints its IRIs under {built_under}, and this server "
                f"answers for {iris.base_iri()} (EVKG_BASE_IRI): the pages of its resources are "
                f"404s; serve it with EVKG_BASE_IRI={built_under}")


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
    """Serving a built release: queries run in a killable query process per server process,
    answers are cached on disk."""
    limits = Limits.from_config(config)
    pool = QueryPool(release_dir / "store", threads=int(_setting(config, "THREADS")),
                     timeout=limits.query_timeout, memory=int(_setting(config, "QUERY_MEMORY")),
                     max_answer=int(_setting(config, "MAX_ANSWER_BYTES")))
    cache = _cache(config, release=release_dir.name, max_answer=pool.max_answer)
    return ServerState(store=store, executor=pool, release_dir=release_dir, manifest=manifest,
                       search_index=index_file(release_dir, manifest), limits=limits,
                       cache=cache)


def _cache(config: Mapping[str, Any], folder_name: str = "", release: str = "",
           max_answer: int = 0) -> ResultCache | None:
    max_bytes = int(_setting(config, "CACHE_MAX_BYTES"))
    if max_bytes <= 0:
        return None
    folder = cache_folder(str(_setting(config, "CACHE_DIR")),
                          Path(str(config.get("STORE_DIR", "build"))))
    if folder is not None and folder_name:
        folder = folder / folder_name
    return ResultCache(folder, max_bytes, release, max_answer)


#: Longest wait for the store's release version (at start, and again while it is unknown).
VERSION_SECONDS = 5.0
#: Seconds between reads of the version (whether known or not: another release may be loaded).
VERSION_RETRY_SECONDS = 10.0


def _stated_versions(store: RemoteStore) -> list[str]:
    """The release versions the store's ``graph/metadata`` states (``StoreError`` when the
    store does not answer within ``VERSION_SECONDS``)."""
    query = (f"SELECT ?v WHERE {{ GRAPH <{iris.graph_iri('metadata').value}> "
             f"{{ <{iris.dataset_iri().value}> <http://purl.org/dc/terms/hasVersion> ?v }} }}")
    quick = RemoteStore(store.endpoint, timeout=min(VERSION_SECONDS,
                                                    store.timeout or VERSION_SECONDS))
    return sorted(str(row[0].value) for row in rows(quick.query(query)) if row[0] is not None)


def _unstated(store: RemoteStore, versions: list[str]) -> str:
    """Why ``versions``, read from ``store``, give no one release version."""
    held = f"versions {', '.join(versions)}" if versions else "no release version"
    return (f"the SPARQL store at {store.url} holds {held} in "
            f"{iris.graph_iri('metadata').value} (load one release with evkg load)")


def remote_state(config: Mapping[str, Any], endpoint: Endpoint,
                 stated: list[str] | None = None, checker: QueryPool | None = None
                 ) -> ServerState:
    """Serving a remote SPARQL store: queries are forwarded with the time limit.

    The version is the one the store's metadata states, read at start and again on a request
    every ``VERSION_RETRY_SECONDS`` (``refreshed``): the store may come up, or be loaded with
    a release, after the server started, or be loaded with another one.
    The files of the release of that version under ``STORE_DIR`` are offered for download,
    and its search index searched (it indexes the labels the store holds).
    Answers are cached only when the version is known, in a cache folder of this endpoint's own.
    ``stated``: the versions the store was just read to state (else they are read now).
    Queries are parsed before they are forwarded by ``checker`` (the state's this one follows),
    else by a new query process of an empty store, under the time limit (``server.parsing``).
    """
    limits = Limits.from_config(config)
    timeout = limits.query_timeout if limits.query_timeout > 0 else None
    graphs = tuple(iris.graph_iri(name).value for name in iris.GRAPH_NAMES)
    store = RemoteStore(replace(endpoint, dataset=graphs), timeout=timeout)
    failed = ""
    if stated is None:
        try:
            stated = _stated_versions(store)
        except StoreError as error:
            failed = str(error)
    version = stated[0] if stated is not None and len(stated) == 1 else None
    problem = failed or ("" if version else _unstated(store, stated or []))
    release_dir, local_manifest, held = _local_release(
        Path(str(config.get("STORE_DIR", "build"))), version)
    manifest: dict[str, Any] = local_manifest or ({"version": version} if version else {})
    key = hashlib.sha256(endpoint.query.encode("utf-8")).hexdigest()[:16]
    cache = _cache(config, f"remote-{key}") if version else None
    if checker is None:
        checker = QueryPool(None, threads=int(_setting(config, "THREADS")),
                            timeout=limits.query_timeout)
    served = ServerState(store=store, executor=RemoteExecutor(store, timeout=timeout,
                                                              checker=checker),
                         release_dir=release_dir, manifest=manifest,
                         search_index=index_file(release_dir, manifest), limits=limits,
                         cache=cache, version_problem=problem,
                         probed=(time.monotonic(), failed),
                         version_retry=time.monotonic() + VERSION_RETRY_SECONDS)
    if held >= 0:  # held while this state is served (another version is another state)
        weakref.finalize(served, os.close, held)
    return served


def _local_release(store_dir: Path, version: str | None
                   ) -> tuple[Path | None, dict[str, Any], int]:
    """The release folder under ``store_dir`` of ``version`` (the one a remote store states:
    ``current``, or else ``releases/{version}``, where a build or an ingest left the release a
    store still holds until ``evkg load``), whose files a server of that store offers, its
    manifest, and the descriptor of the lease taken on it (``kg.release.lease``: a review's:
    ``evkg prune`` removed it under the server once another release was current, and every
    download was a 404); (None, {}, -1) when there is none."""
    if not version or version in (".", "..") or Path(version).name != version:
        return None, {}, -1
    for local in (store_dir / "current", store_dir / "releases" / version):
        if not (local / MANIFEST).is_file():
            continue
        folder = local.resolve()
        try:
            held = lease(folder)
        except FileNotFoundError:  # removed meanwhile
            continue
        try:
            manifest = read_manifest(folder)
        except (OSError, ValueError):  # a damaged release: none of its files are offered
            manifest = {}
        if manifest.get("version") == version:
            return folder, manifest, held
        os.close(held)
    return None, {}, -1


def refreshed(config: Mapping[str, Any], current: ServerState) -> ServerState | None:
    """A new state for a remote store whose release version is not what ``current`` holds,
    else None: a store down or not loaded when the server started that now states a version
    (a review's: it was served "unversioned", without cache or downloads, until restarted, and
    nothing said so), and a store into which another release was loaded, or that is being
    loaded (two versions, or none: served unversioned until it states one again). The version
    keys the answer cache: a server that kept the old one answered from the old release's
    cache until restarted. A store that does not answer states nothing new: what was read
    stands (its queries say it is down)."""
    if not isinstance(current.store, RemoteStore) or time.monotonic() < current.version_retry \
            or not current.refreshing.acquire(blocking=False):
        return None
    try:
        current.version_retry = time.monotonic() + VERSION_RETRY_SECONDS
        try:
            versions = _stated_versions(current.store)
        except StoreError as error:
            current.probed = (time.monotonic(), str(error))
            if current.version_problem:
                current.version_problem = str(error)
            return None
        current.probed = (time.monotonic(), "")
        known = current.manifest.get("version")
        if known and versions == [known]:
            return None
        if not known and len(versions) != 1:
            current.version_problem = _unstated(current.store, versions)
            return None
        checker = current.executor.checker if isinstance(current.executor, RemoteExecutor) \
            else None  # (its query process goes on: another would be left running)
        return remote_state(config, current.store.endpoint, versions, checker)
    finally:
        current.refreshing.release()


def state() -> ServerState:
    result: ServerState = current_app.extensions["evkg"]
    return result
