"""Counts in words: "1 article", "2 articles", for every summary and message that gives one."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` and ``noun``, plural unless ``count`` is 1: "1 article", "0 articles",
    "3 batches", "2 entities". ``plural`` gives it where the rules do not, or for a phrase
    whose verb agrees too ("curated finding waits" / "curated findings wait")."""
    if count == 1:
        return f"1 {noun}"
    return f"{count} {plural if plural is not None else _plural(noun)}"


def _plural(noun: str) -> str:
    """The plural of ``noun``'s last word by English's regular rules (the rest stays)."""
    if noun.endswith(("s", "x", "z", "ch", "sh")):
        return noun + "es"
    if noun.endswith("y") and noun[-2:-1] not in ("a", "e", "i", "o", "u", ""):
        return noun[:-1] + "ies"
    return noun + "s"
