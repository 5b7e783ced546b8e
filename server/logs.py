"""What the server's log says of a SPARQL query: which one (cut short, on one line), how long it
took, and why it failed, as Fuseki logs each query; only the query's text, never a header."""

from __future__ import annotations

import time

from flask import current_app, g, request

from kg.querying import printable

#: Characters of a query a log line gives; the rest is cut, with an ellipsis.
QUERY_CHARS = 500
#: Seconds past which an answered query is logged with its text unless EVKG_SLOW_QUERY says
#: otherwise (0: every query).
DEFAULT_SLOW_QUERY = 10.0


def one_line(query: str) -> str:
    """``query`` for a log line: its runs of whitespace (line breaks too) as one space, what is
    not printable escaped (a query could otherwise write lines of its own, or a terminal's
    escape sequences, into the log), at most ``QUERY_CHARS`` characters."""
    text = printable(" ".join(query[:QUERY_CHARS * 20].split())[:QUERY_CHARS + 1])
    return text if len(text) <= QUERY_CHARS else text[:QUERY_CHARS] + "…"


def note_query(query: str) -> None:
    """Remember that the request being answered runs ``query``, from now (``query_note``)."""
    g.evkg_query = query
    g.evkg_query_started = time.monotonic()


def query_note() -> str:
    """``; after 1.02 s; query: SELECT …`` when the request being answered ran a query."""
    query = g.get("evkg_query")
    if query is None:
        return ""
    return f"; after {time.monotonic() - g.evkg_query_started:.2f} s; query: {one_line(query)}"


def log_if_slow(status: int) -> None:
    """Log the query the request ran when it took EVKG_SLOW_QUERY seconds or more (a number:
    ``create_app`` read it, once)."""
    started = g.get("evkg_query_started")
    slow = current_app.config["SLOW_QUERY"]
    if started is not None and time.monotonic() - started >= slow:
        current_app.logger.info("%s %s %d: slow query (EVKG_SLOW_QUERY=%g)%s", request.method,
                                request.path, status, slow, query_note())
