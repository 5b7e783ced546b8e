"""The project's own article format: one JSON object per line, the fields of ``Article``.

``data/articles.jsonl`` holds the curated default articles in it; ``write_records`` and
``read_records`` are exact inverses, so any reader's output can be saved and built later.
"""

from __future__ import annotations

import dataclasses
import json
import re
import types
import typing
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from kg.compression import not_utf8_text
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
    """Rebuild a record of ``cls`` from ``record_to_dict`` output; unknown keys, and values of
    another JSON type than the field's, are an error."""
    if not isinstance(data, dict):
        raise TypeError(f"expected an object ({cls.__name__}), got {_shown(data)}")
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
        if not isinstance(value, list):  # a string would become a tuple of its letters
            raise TypeError(f"expected a list, got {_shown(value)}")
        (item,) = typing.get_args(hint)[:1]
        return tuple(_from_json(item, v) for v in value)
    if dataclasses.is_dataclass(hint):
        return record_from_dict(hint, value)  # type: ignore[arg-type]
    # e.g. "pmid": null; a bool is an int to Python, not a version number
    if hint in (str, int, bool) and (not isinstance(value, hint)
                                     or (hint is int and isinstance(value, bool))):
        raise TypeError(f"expected {_JSON_TYPES[hint]}, got {_shown(value)}")
    return value


_JSON_TYPES = {str: "a string", int: "a whole number", bool: "true or false"}


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


#: The key of a line that holds a record a reader could not take.
REJECTED = "rejected"


def _rejected(record: Rejected, where: Any) -> Rejected:
    """``record`` with where it was read when it names no place of its own."""
    if record.provenance.file:
        return record
    return dataclasses.replace(record, provenance=where)


def write_records(records: Iterable[Article | Rejected], path: Path) -> int:
    """Write records as JSON Lines (sorted keys, UTF-8); return how many were written. A record
    a reader could not take is a line ``{"rejected": {"reason": …, "pmid": …, …}}``, which
    ``read_records`` gives back as it was: a build lists it in its quarantine."""
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            data = record_to_dict(record)
            if isinstance(record, Rejected):
                data = {REJECTED: data}
            out.write(json.dumps(data, ensure_ascii=False, sort_keys=True))
            out.write("\n")
            count += 1
    return count


def read_records(path: Path) -> Iterator[Article | Rejected]:
    """Articles from a JSON Lines file; a line that is not a valid record is ``Rejected``."""
    from kg.records import Provenance

    # text with universal newlines (a file with CR-only line ends is many lines, not one);
    # bytes that are not UTF-8 are kept as U+DC80–U+DCFF and named by the line they are on
    with path.open(encoding="utf-8", errors="surrogateescape") as lines:
        for number, line in enumerate(lines, start=1):
            if number == 1:
                line = line.removeprefix("\ufeff")  # a byte order mark, as other readers
            if not line.strip():
                continue
            where = Provenance(file=str(path), position=f"line {number}")
            data: Any = None
            try:
                if not line.isascii() and (bad := _UNDECODED.search(line)):
                    yield Rejected(reason=not_utf8_text(
                        ord(bad.group()) - 0xDC00, number, bad.start() + 1,
                        utf8="JSON Lines are UTF-8"), provenance=where)
                    continue
                data = json.loads(line)
                if _SURROGATE_ESCAPE.search(line):  # \udc80 alone is valid JSON but no text:
                    json.dumps(data, ensure_ascii=False).encode("utf-8")  # writing it failed
                if "\\u0000" in line and _NUL_ESCAPE.search(line):
                    raise ValueError("a string holds U+0000 (NUL, escaped as \\u0000): not "
                                     "text, and no XML can carry it")
                if isinstance(data, dict) and list(data) == [REJECTED]:
                    refused = record_from_dict(Rejected, data[REJECTED])
                    if not refused.reason.strip():  # the quarantine would list it for nothing
                        raise ValueError(f'a "{REJECTED}" line must say why: its reason is '
                                         "empty")
                    counted = refused.records
                    if counted is not None and (isinstance(counted, bool) or not isinstance(
                            counted, int) or counted < 1):  # (-5 took errors off the count)
                        raise ValueError(f'the "records" of a "{REJECTED}" line is how many '
                                         "records it stands for, a whole number from 1, or "
                                         f"null when its file could not be read on: not {counted!r}")
                    yield _rejected(refused, where)
                    continue
                article = record_from_dict(Article, data)
            except UnicodeEncodeError:
                yield Rejected(reason="not an article record: a string holds a lone surrogate "
                                      "(an escape such as \\udc80, which is no character)",
                               provenance=where, pmid=_pmid(data))
                continue
            except (ValueError, TypeError, KeyError, RecursionError) as error:
                yield Rejected(reason=f"not an article record: {error}", provenance=where,
                               pmid=_pmid(data))
                continue
            if not article.provenance.file:
                prov = dataclasses.replace(article.provenance, file=str(path),
                                           position=f"line {number}")
                article = dataclasses.replace(article, provenance=prov)
            yield article


#: An escape of a UTF-16 surrogate (U+D800–U+DFFF): only such escapes make a lone one (a pair
#: is one character), so only a line holding one is checked by encoding what it gave.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")

#: ``\u0000`` as an escape (an odd number of backslashes before it), not ``\\u0000`` text.
_NUL_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")

#: A byte the UTF-8 decoder could not take (kept by "surrogateescape" as U+DC80–U+DCFF).
_UNDECODED = re.compile("[\udc80-\udcff]")


def _pmid(data: Any) -> str:
    """The PMID a line that was not taken gives, if it gives one as text."""
    pmid = data.get("pmid") if isinstance(data, dict) else None
    return pmid if isinstance(pmid, str) and pmid.isdigit() else ""
