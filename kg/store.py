"""The only module that opens a pyoxigraph ``Store``; and the N-Quads lines the bulk path loads.

Mapping code may give quads as ``Quad`` objects or as N-Quads lines (``str`` ending in
``" .\n"``, built with ``iri_term``/``literal_term``). Lines are much cheaper to make than
pyoxigraph objects, and ``bulk_load`` parses them in Rust without holding the GIL, so loading can
run beside the Python that reads and maps the next records (``kg/loading.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from pyoxigraph import (
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
    parse,
)

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


def first_count(results: object) -> int:
    """The integer of a ``SELECT (COUNT(…) AS ?n)`` answer: its first row's first value (0 when
    there is no row or no value)."""
    assert isinstance(results, QuerySolutions), "a COUNT query gives solutions"
    for row in results:
        term = row[0]
        return int(term.value) if term is not None else 0
    return 0


# --- N-Quads lines ------------------------------------------------------------------------------

#: The characters of a literal escaped in N-Quads as pyoxigraph writes them: the quote, the
#: backslash, and the control characters (five by letter, the rest as ``\\u`` and four
#: upper-case digits). The lines the mapper writes and those read from the store then spell a
#: literal alike, so ``sort -u`` and the dumps' merge see one line per quad.
_MUST_ESCAPE = re.compile(r'["\\\x00-\x1f\x7f]')
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f",
            "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _ESCAPES.get(char) or f"\\u{ord(char):04X}"


def iri_term(value: str) -> str:
    """``<value>``, the IRI checked as ``NamedNode`` checks it (a ``ValueError`` if invalid)."""
    return f"<{NamedNode(value).value}>"


def literal_term(value: str, datatype: str = "", language: str = "") -> str:
    """A literal in N-Quads syntax; ``datatype`` is an IRI term (``<…>``) as ``iri_term`` gives."""
    if _MUST_ESCAPE.search(value):
        value = _MUST_ESCAPE.sub(_escape, value)
    if language:
        return f'"{value}"@{language}'
    if datatype:
        return f'"{value}"^^{datatype}'
    return f'"{value}"'


def split_lines(items: Iterable[str | Quad]) -> tuple[list[str], list[str | Quad]]:
    """The lines ``bulk_load`` may take, and the rest: lines with a blank node and ``Quad``s.

    ``bulk_load`` renames blank nodes at random, and the release files must be the same bytes
    for the same inputs, so a line with a blank node (a term starting ``_:``: at the start of
    the line or after a space; a literal that merely contains `` _:`` takes the other path too,
    which is harmless) goes to ``load_others``. An IRI may contain ``_:`` (a DOI can): its
    lines stay plain, so an article's ``dcterms:creator`` links load with its authors'
    descriptions, which a removal in between would otherwise miss.
    """
    plain: list[str] = []
    others: list[str | Quad] = []
    for item in items:
        if isinstance(item, str) and item[0] != "_" and " _:" not in item:  # lines start "<" or "_:"
            plain.append(item)
        else:
            others.append(item)
    return plain, others


def load_plain_lines(store: Store, lines: list[str]) -> None:
    """Bulk-load N-Quads lines without blank nodes; pyoxigraph parses them without the GIL."""
    if lines:
        store.bulk_load(input="".join(lines).encode("utf-8"), format=RdfFormat.N_QUADS)


def load_others(store: Store, items: list[str | Quad]) -> None:
    """Bulk-load lines with blank nodes (parsed by ``parse``, which keeps labels) and quads."""
    lines = [item for item in items if isinstance(item, str)]
    quads = [item for item in items if not isinstance(item, str)]
    if lines:
        store.bulk_extend(parse(input="".join(lines).encode("utf-8"), format=RdfFormat.N_QUADS))
    if quads:
        store.bulk_extend(quads)


def load_lines(store: Store, items: Iterable[str | Quad]) -> None:
    """Bulk-load N-Quads lines and ``Quad`` objects (see ``split_lines``)."""
    plain, others = split_lines(items)
    load_plain_lines(store, plain)
    load_others(store, others)
