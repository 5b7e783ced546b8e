"""A query or request that could not be answered, as a value: its HTTP status and message.

Its own module so that what reads queries (``server.federation``) and what runs them
(``server.executor``) can both use it, each importing the other's functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Failure:
    """A query that could not be answered: the HTTP status and a message for the client."""

    status: int
    message: str
    headers: dict[str, str] = field(default_factory=dict)
    #: False for a query that never ran (a remote store's, whose check took the time limit;
    #: one that found every query thread busy, or no query process ready): nothing is said of
    #: where it spent its time.
    ran: bool = True
    #: The status line's reason phrase, where the standard one misleads: rdflib and
    #: SPARQLWrapper show a client that line alone, not the message ("" for the standard one).
    reason: str = ""
