"""The project's own article format: one JSON object per line, the fields of ``Article``.

``data/articles.jsonl`` holds the curated default articles in it; ``write_records`` and
``read_records`` are exact inverses, so any reader's output can be saved and built later.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from kg.records import Article, Rejected

T = TypeVar("T")


def record_to_dict(record: Any) -> dict[str, Any]:
    """A record as JSON-ready data, leaving out fields that hold their default."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(record):
        value = getattr(record, f.name)
        default = f.default if f.default is not dataclasses.MISSING else (
            f.default_factory() if f.default_factory is not dataclasses.MISSING else None
        )
        if value == default:
            continue
        out[f.name] = _to_json(value)
    return out


def _to_json(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return record_to_dict(value)
    if isinstance(value, tuple):
        return [_to_json(v) for v in value]
    return value


def record_from_dict(cls: type[T], data: dict[str, Any]) -> T:
    """Rebuild a record of ``cls`` from ``record_to_dict`` output; unknown keys are an error."""
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = set(data) - names
    if unknown:
        raise ValueError(f"unknown field(s) for {cls.__name__}: {', '.join(sorted(unknown))}")
    kwargs = {}
    for name, value in data.items():
        try:
            kwargs[name] = _from_json(hints[name], value)
        except TypeError as error:
            raise TypeError(f"{name}: {error}") from None
    return cls(**kwargs)


def _from_json(hint: Any, value: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return None if value is None else _from_json(options[0], value)
    if origin is tuple:
        (item,) = typing.get_args(hint)[:1]
        return tuple(_from_json(item, v) for v in value)
    if dataclasses.is_dataclass(hint):
        return record_from_dict(hint, value)  # type: ignore[arg-type]
    if hint in (str, int, bool) and not isinstance(value, hint):  # e.g. "pmid": null
        raise TypeError(f"expected {hint.__name__}, got {json.dumps(value)}")
    return value


def write_records(records: Iterable[Article], path: Path) -> int:
    """Write records as JSON Lines (sorted keys, UTF-8); return how many were written."""
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record_to_dict(record), ensure_ascii=False, sort_keys=True))
            out.write("\n")
            count += 1
    return count


def read_records(path: Path) -> Iterator[Article | Rejected]:
    """Articles from a JSON Lines file; a line that is not a valid record is ``Rejected``."""
    from kg.records import Provenance

    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            where = Provenance(file=str(path), position=f"line {number}")
            try:
                data = json.loads(line)
                article = record_from_dict(Article, data)
            except (ValueError, TypeError, KeyError) as error:
                yield Rejected(reason=f"not an article record: {error}", provenance=where)
                continue
            if not article.provenance.file:
                prov = dataclasses.replace(article.provenance, file=str(path),
                                           position=f"line {number}")
                article = dataclasses.replace(article, provenance=prov)
            yield article
