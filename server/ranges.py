"""Which ``Range`` requests a file answer serves, for every file the server sends.

werkzeug's ``make_conditional`` (which ``send_file`` and ``send_from_directory`` call) serves one
byte range. It refused several ranges, a range it could not read (``bytes=abc``, ``bytes=5-1``)
and one in another unit with a 416 saying nothing, though RFC 9110 (14.2) lets a server ignore
``Range``, and must for a unit it does not know. It also took ``If-Range`` loosely: a weak entity
tag as a strong one, and any date not before ``Last-Modified``, where 13.1.5 asks for a strong
tag that matches or a date exactly the ``Last-Modified``, so a client resuming with a stale
validator could splice bytes of two files. Here such a ``Range`` is dropped before werkzeug
sees it: the answer is the whole file, 200. A strong tag is left to werkzeug, which compares it
with the answer's own. And werkzeug answered a suffix range longer than the file
(``bytes=-200000`` of 164,000 bytes) 416, where 14.1.3 gives the whole file: it is read as
``bytes=0-`` here, a 206 of every byte.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from werkzeug.http import parse_date, parse_range_header
from werkzeug.wrappers import Request


def range_applies(environ: dict[str, Any], response: Response) -> bool:
    """Whether the request's ``Range`` is one to serve for ``response`` (see the module)."""
    value = environ.get("HTTP_RANGE", "")
    wanted = parse_range_header(value)
    if "," in value or wanted is None or wanted.units != "bytes":
        return False
    validator = environ.get("HTTP_IF_RANGE", "").strip()
    if not validator or validator.startswith('"'):
        return True
    date = None if validator.startswith("W/") else parse_date(validator)
    return date is not None and date == response.last_modified


class RangedResponse(Response):
    """Flask's response, whose ``make_conditional`` drops a ``Range`` not to serve first."""

    def make_conditional(self, request_or_environ: Any, accept_ranges: bool | str = False,
                         complete_length: int | None = None) -> RangedResponse:
        environ = (request_or_environ.environ if isinstance(request_or_environ, Request)
                   else request_or_environ)
        if "HTTP_RANGE" in environ and not range_applies(environ, self):
            del environ["HTTP_RANGE"]
        length = complete_length if complete_length is not None else self.content_length
        if "HTTP_RANGE" in environ and length:
            wanted = parse_range_header(environ["HTTP_RANGE"])
            if wanted is not None and wanted.ranges[0][0] < -length:
                environ["HTTP_RANGE"] = "bytes=0-"
        super().make_conditional(request_or_environ, accept_ranges, complete_length)
        return self
