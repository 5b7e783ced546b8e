"""Counts in words: the singular for one, the plural otherwise."""

from __future__ import annotations

import pytest

from kg.plurals import counted


@pytest.mark.parametrize(("count", "noun", "plural", "expected"), [
    (1, "article", None, "1 article"),
    (0, "article", None, "0 articles"),
    (93, "article", None, "93 articles"),
    (1, "batch", None, "1 batch"),
    (2, "batch", None, "2 batches"),
    (2, "process", None, "2 processes"),
    (2, "entity", None, "2 entities"),
    (2, "day", None, "2 days"),
    (2, "cached answer", None, "2 cached answers"),
    (1, "record was", "records were", "1 record was"),
    (3, "record was", "records were", "3 records were"),
])
def test_counted_says_one_in_the_singular_and_more_in_the_plural(
        count: int, noun: str, plural: str | None, expected: str) -> None:
    assert counted(count, noun, plural) == expected
