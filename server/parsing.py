"""The syntax check: whether pyoxigraph parses a query, evaluating nothing.

The check is run where queries run, under their time limit (``Executor.check``): pyoxigraph
plans a query as it parses it, and planning is not cheap. A query of 200 flat triple patterns
took 5 s to parse on an empty store, one of 500 (8 KB) more than two minutes; until 6 Dec the
check ran in the web worker, with no limit, before a 406, before a 303 to the editor and
before every query forwarded to a remote store. Nothing here imports Flask: the query process
runs it.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import Store

from kg.querytext import ask_as_construct, syntax_message
from server.failures import Failure
from server.federation import without_services

#: An empty store: parsing a query on it checks the syntax without evaluating anything remote.
_EMPTY = Store()


@dataclass(frozen=True)
class SyntaxCheck:
    """A job that parses ``query`` (against ``base_iri``) and runs nothing."""

    query: str
    base_iri: str | None = None


#: What makes a query slow to plan, and what to do about it. Planning time grows with the
#: triple patterns that share variables: 150 on one variable took 6 s here, a chain of 150
#: (each pattern joining the next) 0.1 s.
_PLANNING_ADVICE = (
    "Many triple patterns on the same variables take longest (a few hundred take seconds): "
    "write fewer (each pattern once; a property path, p1/p2, for a chain), or ask the operator "
    "to raise the limit (EVKG_QUERY_TIMEOUT, in seconds)")


def unchecked_message(seconds: float) -> str:
    """What a client of a server of a remote store reads when its query's check took the time
    limit (or all but too little of it to run the query): the query was not forwarded, and
    naming its patterns' selectivity, or SERVICE endpoints, as a query's 503 does, would be
    wrong."""
    return (f"the query could not be checked and forwarded within the time limit of "
            f"{seconds:g} s, and did not run: this server checks every query (pyoxigraph parses "
            "and plans it) before forwarding it to the SPARQL store, and planning this one took "
            f"the time. {_PLANNING_ADVICE}")


def unplanned_message(seconds: float) -> str:
    """What a client reads when the embedded store was still reading and planning its query
    at the time limit (its check: parsing runs nothing): none of it had run, so a LIMIT or a
    narrower pattern, which a query's 503 advises, is no help (until 6 Dec it was given that
    advice)."""
    return (f"the query took longer than the time limit of {seconds:g} s to be read and "
            "planned, and none of it ran: pyoxigraph plans a query as it parses it, and "
            f"planning this one took the time. {_PLANNING_ADVICE}")


def unstarted_message(seconds: float) -> str:
    """What a client reads when the embedded store was stopped at the time limit before it
    gave its query's first result: it was planning the query, or computing an answer it
    gives whole (an aggregate's, ORDER BY's, an ASK's): from here the two look alike, so both
    are named."""
    return (f"the query ran longer than the time limit of {seconds:g} s and was stopped before "
            "its first result: make it more selective (a LIMIT, a narrower pattern); if it has "
            "many triple patterns, planning it may be what took the time (pyoxigraph plans a "
            f"query as it parses it). {_PLANNING_ADVICE}")


def syntax_failure(check: SyntaxCheck) -> Failure | None:
    """A 400 when pyoxigraph cannot parse the query (the same message as running it gives).

    SELECT, CONSTRUCT and DESCRIBE are evaluated lazily, so parsing them runs nothing; an ASK
    is evaluated at once, so it is parsed as the CONSTRUCT with the same body
    (``ask_as_construct``). An ASK that named a SERVICE was forwarded to a remote store
    unparsed until 5 Dec: anything the store's own dialect reads went through, such as
    Virtuoso's ``bif:`` functions, undeclared and unchecked.
    """
    error = _parse_error(ask_as_construct(check.query), check.base_iri)
    if error is None:
        return None
    # the query itself fails where its CONSTRUCT did, at parsing (running nothing): its error
    # names its own lines and columns
    error = _parse_error(check.query, check.base_iri) or error
    return Failure(400, f"bad query: {syntax_message(check.query, error)}")


def _parse_error(query: str, base_iri: str | None) -> SyntaxError | None:
    """pyoxigraph's error when it cannot parse ``query``; None when it parsed (a failure on
    evaluation is the store's to meet). Its SERVICE clauses are read as GRAPH: given a query,
    pyoxigraph calls them at once, and did so here until 5 Dec, outside the time limit and
    (before a 406, or a 303 to the editor) before the allowlist was checked. Deeply nested
    text must be refused before (``nesting_message``): the parser recurses."""
    try:
        _EMPTY.query(without_services(query), base_iri=base_iri)
    except SyntaxError as error:
        return error
    except (ValueError, OSError, RuntimeError):
        return None
    return None
