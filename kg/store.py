"""The only module that opens a pyoxigraph ``Store``."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pyoxigraph import Quad, QueryBoolean, QuerySolutions, QueryTriples, Store

#: How many quads are handed to pyoxigraph at a time while loading.
LOAD_BATCH = 200_000


def create_store(path: Path) -> Store:
    """A new, empty on-disk store at ``path`` (which must not exist yet)."""
    if path.exists():
        raise FileExistsError(f"a store already exists at {path}")
    return Store(str(path))


def open_read_only(path: Path) -> Store:
    """A release's store, read-only: any number of processes may open it at once."""
    if not (path / "CURRENT").exists():
        raise FileNotFoundError(f"no store at {path}: build one with `evkg build`")
    return Store.read_only(str(path))


def memory_store() -> Store:
    return Store()


def load_quads(store: Store, quads: Iterable[Quad]) -> int:
    """Bulk-load quads (streamed in batches); return how many were handed over."""
    count = 0
    batch: list[Quad] = []
    for quad in quads:
        batch.append(quad)
        if len(batch) >= LOAD_BATCH:
            store.bulk_extend(batch)
            count += len(batch)
            batch = []
    if batch:
        store.bulk_extend(batch)
        count += len(batch)
    return count


def run_query(store: Store, query: str, **options: object
              ) -> QuerySolutions | QueryTriples | QueryBoolean:
    """Run a SPARQL query with the union of the named graphs as the default graph."""
    options.setdefault("use_default_graph_as_union", True)
    return store.query(query, **options)  # type: ignore[arg-type]
