"""gunicorn's threaded worker, answering a request line too long for it with what to do instead.

gunicorn reads request lines of at most 8,190 bytes (its maximum; longer would be unlimited) and
answers a longer one itself, before the app sees it, with "Request Line is too large": a long
SPARQL query sent by GET (SPARQLWrapper's default) gets that. This worker says to POST it.
"""

from __future__ import annotations

from typing import Any

from gunicorn.http.errors import LimitRequestLine
from gunicorn.workers.gthread import ThreadWorker


class _PostInstead(LimitRequestLine):  # type: ignore[misc]
    def __str__(self) -> str:
        return (f"the request line is {self.size} bytes, more than the {self.max_size} this "
                "server reads: send a query this long by POST (an HTML form's "
                "application/x-www-form-urlencoded body, or application/sparql-query), as the "
                "SPARQL 1.1 protocol allows")


class Worker(ThreadWorker):  # type: ignore[misc]
    """``gthread``, with the message of a request line over the limit rewritten."""

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        if isinstance(exc, LimitRequestLine) and not isinstance(exc, _PostInstead):
            exc = _PostInstead(exc.size, exc.max_size)
        super().handle_error(req, client, addr, exc)
