"""Running a query against a release and printing the results (``evkg query``)."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, TypeVar, cast

from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions, RdfFormat, serialize

from kg.iris import base_iri
from kg.namespaces import PREFIXES
from kg.store import open_read_only, run_query

T = TypeVar("T")

#: The stack of a thread that runs queries. pyoxigraph's parser recurses once a level of a
#: query's nesting: on the usual 8 MiB a query of ~1,000 nested FILTER NOT EXISTS kills the
#: process (SIGSEGV). Queries nest at most ``querytext.MAX_NESTING`` levels; this holds many
#: times that (address space: only the pages used become memory).
QUERY_STACK_BYTES = 256 << 20


def on_query_stack(call: Callable[[], T]) -> T:
    """``call()`` on a thread with ``QUERY_STACK_BYTES`` of stack; its exception is raised."""
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as error:  # raised again in the caller, without its frames:
            # they hold the query's results, which pyoxigraph must drop on this thread ("is
            # unsendable, but is being dropped on another thread" after a SERVICE failed)
            failure.append(error.with_traceback(None))

    before = threading.stack_size(QUERY_STACK_BYTES)
    try:
        thread = threading.Thread(target=run, name="evkg-query")
        thread.start()
    finally:
        threading.stack_size(before)
    thread.join()
    if failure:
        raise failure[0]
    return outcome[0]


#: ``--format`` name → pyoxigraph results format.
RESULT_FORMATS = {
    "json": QueryResultsFormat.JSON,
    "xml": QueryResultsFormat.XML,
    "csv": QueryResultsFormat.CSV,
    "tsv": QueryResultsFormat.TSV,
}


def print_results(store_dir: Path, query: str, fmt: str, out: IO[bytes]) -> None:
    """Print SELECT/ASK results in ``fmt``; CONSTRUCT/DESCRIBE results as Turtle."""
    store = open_read_only(store_dir)
    results = run_query(store, query, base_iri=base_iri())
    if isinstance(results, (QuerySolutions, QueryBoolean)):
        if fmt == "table":
            out.write(format_table(results).encode("utf-8"))
        else:
            ended = _LineEnded(out)
            results.serialize(cast(IO[bytes], ended), RESULT_FORMATS[fmt])
            ended.end_line()
    else:
        if fmt != "table":
            print(f"evkg: a CONSTRUCT or DESCRIBE answer is printed as Turtle (--format {fmt} "
                  "is for SELECT and ASK)", file=sys.stderr)
        serialize(results, out, RdfFormat.TURTLE, prefixes=PREFIXES)
    out.flush()


class _LineEnded:
    """``out``, remembering its last byte: JSON, XML and an ASK's CSV end without a newline,
    and a shell prompt then followed the answer on its line."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.last = b"\n"

    def write(self, data: bytes) -> int:
        if data:
            self.last = data[-1:]
        return self.out.write(data)

    def flush(self) -> None:
        self.out.flush()

    def end_line(self) -> None:
        if self.last != b"\n":
            self.out.write(b"\n")


def format_table(results: QuerySolutions | QueryBoolean) -> str:
    """Results as an aligned text table (ASK prints ``true`` or ``false``)."""
    if isinstance(results, QueryBoolean):
        return ("true" if bool(results) else "false") + "\n"
    names = [v.value for v in results.variables]
    rows = [[term.value if term is not None else "" for term in row] for row in results]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    lines = ["  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"
