"""The vocabulary's hierarchy (``broader`` keys): ancestors, and the narrowest concept covering several."""

from __future__ import annotations

from collections.abc import Iterable

from kg.vocabulary import Concept


def parent_keys(concepts: Iterable[Concept]) -> dict[str, tuple[str, ...]]:
    """Each concept key's ``broader`` keys (keys are unique across the vocabulary files)."""
    return {concept.key: concept.broader for concept in concepts if concept.broader}


def ancestors(key: str, parents: dict[str, tuple[str, ...]]) -> set[str]:
    seen: set[str] = set()
    stack = list(parents.get(key, ()))
    while stack:
        parent = stack.pop()
        if parent not in seen:
            seen.add(parent)
            stack.extend(parents.get(parent, ()))
    return seen


def narrowest(keys: Iterable[str], parents: dict[str, tuple[str, ...]]) -> str:
    """The most specific key covering ``keys``: the one left once ancestors are dropped, else
    the deepest common ancestor of those left ("" for no keys or no common ancestor)."""
    keys = set(keys)
    lineage = {key: ancestors(key, parents) for key in keys}
    leaves = sorted(k for k in keys if not any(k in lineage[other] for other in keys))
    if len(leaves) <= 1:
        return leaves[0] if leaves else ""
    common = set.intersection(*(lineage[k] | {k} for k in leaves))
    return max(sorted(common), key=lambda k: len(ancestors(k, parents)), default="")
