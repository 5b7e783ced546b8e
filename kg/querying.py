"""Running a query against a release and printing the results (``evkg query``)."""

from __future__ import annotations

import ctypes
import os
import pickle
import signal
import sys
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any, TypeVar, cast

from pyoxigraph import (
    BlankNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Triple,
    serialize,
)
from wcwidth import ljust, width

from kg.iris import base_iri
from kg.namespaces import PREFIXES
from kg.plurals import counted
from kg.querytext import selected_order
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


#: What ``in_child_process`` raises when the query's process stopped (pyoxigraph aborted).
CRASHED_MESSAGE = (
    "the store crashed while evaluating this query (pyoxigraph stopped its process with the "
    "message above). The release is unharmed; rewriting the query may avoid the crash (ORDER BY "
    "over values that cannot be ordered consistently, such as NaN beside other terms, is one "
    "cause)")


class QueryCrashed(RuntimeError):
    """The process evaluating a query stopped without an answer or an error."""


class QueryFailed(RuntimeError):
    """An error of the query's process that cannot cross to the caller as it is (pyo3's
    ``PanicException``, whose module cannot be imported), with its type and message."""


#: Linux's ``prctl`` option that has the kernel signal a process when its parent dies.
_PR_SET_PDEATHSIG = 1


def end_with_parent(parent: int) -> None:
    """Have the kernel kill this process when ``parent`` dies (Linux): a query's process must
    not run on alone when evkg is stopped (``kill``, a timeout of the caller), nor a server's
    worker when gunicorn's master is killed."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the parent kills it if it can
        return
    if os.getppid() != parent:  # it died before prctl took effect
        os._exit(1)


def _outcome_bytes(outcome: tuple[bool, object]) -> bytes:
    """``outcome`` pickled, or, for an error that would not come back whole, its text."""
    try:
        payload = pickle.dumps(outcome)
        pickle.loads(payload)
    except Exception:
        error = outcome[1]
        payload = pickle.dumps((False, QueryFailed(f"{type(error).__name__}: {error}")))
    return payload


def in_child_process(call: Callable[[IO[bytes]], T], out: IO[bytes]) -> T:
    """``call(writer)`` in a forked process, so that pyoxigraph aborting on a query (a Rust
    panic ends the process: 0.5.13's ORDER BY over some mixes of NaN and other terms) ends that
    process and not the caller, which raises ``QueryCrashed`` instead of dying with a Rust
    backtrace. What ``call`` writes to ``writer`` is copied to ``out`` as it comes; its result
    is returned, its exception raised again here (``QueryFailed`` with its text if it cannot
    be). The process ends with the caller, and the caller's failure (a reader gone, a signal)
    ends it."""
    out.flush()
    sys.stderr.flush()
    parent = os.getpid()
    data_read, data_write = os.pipe()
    result_read, result_write = os.pipe()
    with warnings.catch_warnings():  # 3.12+ warns of a fork beside threads: the child runs
        warnings.simplefilter("ignore", DeprecationWarning)  # no thread of the parent's
        pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 1
        try:
            os.close(data_read)
            os.close(result_read)
            end_with_parent(parent)
            os.environ["RUST_BACKTRACE"] = "0"  # the panic's message without the backtrace
            try:
                with os.fdopen(data_write, "wb") as writer:
                    outcome: tuple[bool, object] = (True, call(writer))
            except BaseException as error:  # handed to the parent
                outcome = (False, error.with_traceback(None))
            with os.fdopen(result_write, "wb") as pipe:
                pipe.write(_outcome_bytes(outcome))
            sys.stderr.flush()
            code = 0 if outcome[0] else 1
        finally:
            os._exit(code)
    os.close(data_write)
    os.close(result_write)
    with os.fdopen(data_read, "rb") as data, os.fdopen(result_read, "rb") as results:
        try:
            while chunk := data.read1(1 << 16):
                out.write(chunk)
            out.flush()
            payload = results.read()
        except BaseException:  # the reader stopped (``| head``), a signal: so does the child
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise
    _, status = os.waitpid(pid, 0)
    if not payload or os.WIFSIGNALED(status):
        raise QueryCrashed(CRASHED_MESSAGE)
    ok, value = pickle.loads(payload)
    if not ok:
        raise value
    return cast(T, value)


#: ``--format`` name → pyoxigraph results format.
RESULT_FORMATS = {
    "json": QueryResultsFormat.JSON,
    "xml": QueryResultsFormat.XML,
    "csv": QueryResultsFormat.CSV,
    "tsv": QueryResultsFormat.TSV,
}


def print_results(store_dir: Path, query: str, fmt: str, out: IO[bytes]) -> list[str]:
    """Print SELECT/ASK results in ``fmt``; CONSTRUCT/DESCRIBE results as Turtle. Returns the
    notes for standard error (a ``fmt`` that a graph is not printed in)."""
    store = open_read_only(store_dir)
    results = run_query(store, query, base_iri=base_iri())
    notes: list[str] = []
    if isinstance(results, (QuerySolutions, QueryBoolean)):
        variables = (selected_variables(results, query)
                     if isinstance(results, QuerySolutions) else [])
        if fmt == "table":
            out.write(format_table(results, variables).encode("utf-8"))
        elif isinstance(results, QueryBoolean) and fmt in ("csv", "tsv"):  # (as /sparql does)
            from kg.results import write_boolean
            out.write(write_boolean("text/csv" if fmt == "csv" else "text/tab-separated-values",
                                    bool(results)))
        elif isinstance(results, QuerySolutions) and (
                fmt in ("csv", "xml") or variables != stored_order(results)):
            _write_own(results, variables, fmt, out)
        else:
            ended = _LineEnded(out)
            results.serialize(cast(IO[bytes], ended), RESULT_FORMATS[fmt])
            ended.end_line()
    else:
        if fmt != "table":
            notes.append(f"evkg: a CONSTRUCT or DESCRIBE answer is printed as Turtle (--format "
                         f"{fmt} is for SELECT and ASK)")
        serialize(distinct_triples(results), out, RdfFormat.TURTLE, prefixes=PREFIXES)
    out.flush()
    return notes


def distinct_triples(triples: Iterable[Triple]) -> Iterator[Triple]:
    """``triples`` without repeats, in the order they came, as they come (streamed).

    pyoxigraph drops a repeated CONSTRUCT triple itself unless its subject or object is a blank
    node or a triple term: it takes those for the template's blank nodes, new in each solution.
    A blank node bound from the data (graph/metadata's class partitions) is the same in every
    solution, so its triples came once per solution. Only those are remembered: memory grows
    with the distinct triples holding a blank node or a triple term, not with the answer (the
    server holds its answer whole anyway, cut at the row cap; `evkg query` streams its own).
    """
    seen: set[Triple] = set()
    for triple in triples:
        if isinstance(triple.subject, BlankNode) or isinstance(triple.object, BlankNode | Triple):
            if triple in seen:
                continue
            seen.add(triple)
        yield triple


def _write_own(results: QuerySolutions, variables: Sequence[str], fmt: str,
               out: IO[bytes]) -> None:
    """Results as evkg writes them (``kg.results``), row by row, under ``variables`` in their
    order: CSV and XML always (pyoxigraph's leave an IRI with a comma unquoted, and a carriage
    return to be read as a line feed), JSON and TSV when that order is not pyoxigraph's. A
    value XML 1.0 cannot carry (a control character) is an error, not a document no reader
    takes."""
    from kg.records import NOT_XML
    from kg.results import csv_lines, json_parts, tsv_lines, xml_parts

    rows = solution_rows(results, variables)
    if fmt == "json":
        for chunk in json_parts(variables, rows):
            out.write(chunk)
        out.write(b"\n")
        return
    for part in {"csv": csv_lines, "tsv": tsv_lines}.get(fmt, xml_parts)(variables, rows):
        if fmt == "xml" and (bad := NOT_XML.search(part)):
            raise ValueError(f"a value holds the character U+{ord(bad.group()):04X}, which XML "
                             "1.0 cannot carry: ask for --format json, csv or tsv")
        out.write(part.encode())
    if fmt == "xml":
        out.write(b"\n")


def selected_variables(results: QuerySolutions, query: str) -> list[str]:
    """The variables of ``query``'s ``results`` in the order a reader expects them: a
    ``SELECT *``'s as they first appear in the query (``querytext.selected_order``). Where
    that is not ``stored_order``, pyoxigraph's own writers cannot write them."""
    return selected_order(query, stored_order(results))


def stored_order(results: QuerySolutions) -> list[str]:
    """The variables of ``results`` in pyoxigraph's order (by name, for a ``SELECT *``)."""
    return [v.value for v in results.variables]


def solution_rows(results: QuerySolutions, variables: Sequence[str]) -> Iterator[tuple[Any, ...]]:
    """Each solution's values (None: unbound) in the order of ``variables``, as they come."""
    if list(variables) == stored_order(results):  # (read by name: slower)
        return (tuple(solution) for solution in results)
    return (tuple(solution[name] for name in variables) for solution in results)


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


def format_table(results: QuerySolutions | QueryBoolean, variables: Sequence[str]) -> str:
    """Results as an aligned text table under ``variables`` (``selected_variables``), in
    their order (ASK prints ``true`` or ``false``)."""
    if isinstance(results, QueryBoolean):
        return ("true" if bool(results) else "false") + "\n"
    return text_table(variables, solution_rows(results, variables))


#: The characters that end a line (``str.splitlines``) or jump to a tab stop: in a cell (a
#: structured abstract's line breaks) they broke its row across lines, out of its columns, so
#: the table writes them as escapes (``\n``), as Fuseki's text/plain does. So are the other
#: control characters (C0, DEL, C1): a terminal acts on them (a backspace draws the next letter
#: over the last, ESC [8m hides the text after it, ESC c resets the terminal) and ``wcwidth``
#: measures such a sequence as no columns, so the row looked whole with its text hidden.
_CELL_BREAKS = str.maketrans({c: repr(c)[1:-1] for c in (
    *map(chr, range(0x20)), *map(chr, range(0x7F, 0xA0)), "\u2028", "\u2029")})


def printable(text: str) -> str:
    """``text`` with each character that is not printable escaped as Python writes it
    (``\\x1b``, ``\\x85``): a control character (a C1 one, such as NEL, which splits a line
    for Python and other readers, or CSI, a terminal's escape) writes no line or escape of
    its own into a log or a terminal (a table's cells keep other non-printable text, such as a
    no-break space, as it is: ``_CELL_BREAKS``)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _plain_value(term: object) -> str:
    """A bound term as the table shows it: an IRI, a blank node as N-Triples writes it
    (``_:b0``: its bare label read as a literal) or a literal's lexical form, line breaks and
    tabs escaped (``\\n``) so that each row stays one aligned line; a triple term in its
    N-Triples form; "" when unbound."""
    if term is None:
        return ""
    if isinstance(term, BlankNode):
        return str(term)
    value = getattr(term, "value", None)
    return (value if isinstance(value, str) else str(term)).translate(_CELL_BREAKS)


def text_table(names: Sequence[str], solutions: Iterable[Iterable[object]]) -> str:
    """Solutions under their variables' names, in aligned columns, and the row count (the
    server's text/plain answers too). Columns are measured as a terminal shows them: a CJK
    character takes two columns, a combining accent none (``wcwidth``). A query that selects
    no variable (``SELECT * {}``) is said to, on the count's line: its names, rule and rows
    were empty lines. The last column is not padded: one long value there (an abstract) made
    every row as long, and a server's answer of 10,000 rows 60 times its CSV's size."""
    rows = [[_plain_value(term) for term in row] for row in solutions]
    if not names:
        return f"({counted(len(rows), 'row')}, no variables)\n"
    widths = [max([width(n), *(width(r[i]) for r in rows)]) for i, n in enumerate(names)]
    lines = ["  ".join(ljust(n, w) for n, w in zip(names, widths, strict=True)).rstrip(" "),
             "  ".join("-" * w for w in widths)]

    def line(cells: list[str]) -> str:
        written = "  ".join([*(ljust(c, w) for c, w in zip(cells[:-1], widths[:-1], strict=True)),
                             cells[-1]])
        return written if cells[-1] else written.rstrip(" ")  # unbound: no value's padding

    lines += [line(r) for r in rows]
    lines.append(f"({counted(len(rows), 'row')})")
    return "\n".join(lines) + "\n"
