"""gunicorn's threaded worker, answering a request line too long for it with what to do instead,
and dropping a client that stalls while its request is read or its answer written.

gunicorn reads request lines of at most 8,190 bytes (its maximum; longer would be unlimited) and
answers a longer one itself, before the app sees it, with "Request Line is too large": a long
SPARQL query sent by GET (SPARQLWrapper's default) gets that. This worker says to POST it, and
to percent-encode a target that holds text past ASCII (curl sends ``?q=Sjögren`` as typed).
gunicorn writes such answers (and its 400s for a malformed request) as HTML without CORS headers,
so a query editor on another origin could not read them: here they are plain text, with
``Access-Control-Allow-Origin: *`` as every answer of the app has; gunicorn still decides the
status and the message.

gunicorn waits for a request's first bytes without a thread, but once its head has come a thread
reads the body as the app asks for it: a client that announced 100 bytes and sent 6 held that
thread for as long as it kept the connection open (a review's: twelve such connections left no
thread to answer /health). Here each read and write of a request waits at most
``EVKG_READ_TIMEOUT`` seconds (default 20) for the client.

A request that finds every thread busy waits in gunicorn's queue, unseen by the app. The time it
waited there is handed to the query pool (``server.querypool.set_queue_wait``), for which it is
time spent waiting for a query thread: a query that waited a whole time limit is answered 503
with ``Retry-After`` at once, as one that waited for a query thread in the app is, instead of
being run after a queue of slow queries, each taking a time limit.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import html
import logging
import re
import time
from typing import Any

from gunicorn.glogging import Logger as GunicornLogger
from gunicorn.http.errors import InvalidHTTPVersion, InvalidRequestLine, LimitRequestLine
from gunicorn.workers.gthread import ThreadWorker

from kg.querying import end_with_parent, printable
from server.querypool import set_queue_wait
from server.settings import environment_number


class _PostInstead(LimitRequestLine):  # type: ignore[misc]
    """gunicorn's ``size`` is what it had read when it stopped (16,384 bytes of a line of
    40,000): not the line's length, which is not said."""

    def __str__(self) -> str:
        limit = f"the {self.max_size} bytes " if self.max_size is not None else ""
        return (f"the request line is longer than {limit}this server reads: "
                "send a query this long by POST (an HTML form's "
                "application/x-www-form-urlencoded body, or application/sparql-query), as the "
                "SPARQL 1.1 protocol allows")


class _NotEncoded(InvalidRequestLine):  # type: ignore[misc]
    """A request target holding what HTTP does not allow there unencoded: text past ASCII (curl
    sends ``?q=Sjögren`` as typed, as its UTF-8 bytes), a space, a control character. gunicorn
    said "Invalid Request Line" and quoted the line's UTF-8 bytes read as Latin-1
    ("SjÃ¶gren"). ``target``: the target as the client meant it (its bytes as UTF-8)."""

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.target = target

    def __str__(self) -> str:  # what gunicorn logs and writes, in Latin-1 (the answer's text
        # is ``message``)
        return "a request target not percent-encoded: " + ascii(self.target)[1:-1]

    @property
    def message(self) -> str:
        shown = self.target if len(self.target) <= 200 else self.target[:200] + "…"
        return (f"the request target {shown!r} holds characters a URL must percent-encode (text "
                "other than ASCII, spaces, control characters): encode their UTF-8 bytes, as a "
                "browser does and as curl does with -G --data-urlencode 'q=…'")


#: What a request target may hold unencoded (RFC 9112: visible ASCII), as gunicorn checks it.
_TARGET_CHARACTERS = re.compile(r"[\x21-\x7e]*")


def not_encoded(line: str) -> _NotEncoded | None:
    """The error to give for a request line gunicorn refused (``line`` its text as gunicorn
    keeps it, ``InvalidRequestLine.req``: the line, or its target alone, as Latin-1) when what
    it refused is a target that holds what must be percent-encoded; None for any other fault
    of the line."""
    method, _, rest = line.partition(" ")
    target, _, version = rest.rpartition(" ")
    if not version.startswith("HTTP/") or not method.isalpha():  # the target alone
        target = line
    if not target.startswith(("/", "http://", "https://")) or _TARGET_CHARACTERS.fullmatch(target):
        return None  # (gunicorn's other faults: "bare LF as line terminator" …)
    return _NotEncoded(_as_sent(target))


def _as_sent(text: str) -> str:
    """Text of a request line as the client wrote it: gunicorn reads its bytes as Latin-1,
    and clients send UTF-8."""
    return text.encode("latin-1", "replace").decode("utf-8", "replace")


#: What gunicorn takes for the HTTP version of a request line whose target holds a space
#: (``GET /search?q=breast cancer HTTP/1.1``): the target's words after its first space, a
#: space and the version.
_SPACED_TARGET = re.compile(r"(.+) HTTP/\d(?:\.\d)?")


def spaced_target(version: str) -> _NotEncoded | None:
    """The error to give for a request line gunicorn refused for its version when what it took
    for one (``version``, as Latin-1) is the end of a target that holds a space; None for a
    version that is wrong of itself."""
    found = _SPACED_TARGET.fullmatch(version)
    if found is None:
        return None
    return _NotEncoded("… " + _as_sent(found[1]))  # (its part before the space is not known here)


class _Captured:
    """Stands in for the client socket while gunicorn writes an error answer: keeps the bytes."""

    def __init__(self) -> None:
        self.data = b""

    def gettimeout(self) -> float | None:
        return None

    def setblocking(self, _: bool) -> None:
        pass

    def sendall(self, data: bytes) -> None:
        self.data += data


_STATUS = re.compile(rb"HTTP/1\.1 (\d{3}) ([^\r\n]*)\r\n")
_MESSAGE = re.compile(rb"</h1>\s*(.*?)\s*</body>", re.DOTALL)


def plain_error(written: bytes, said: str = "") -> bytes | None:
    """gunicorn's HTML error answer ``written`` as plain text with CORS headers, saying the same
    (or ``said``; None if it is not one)."""
    status, message = _STATUS.match(written), _MESSAGE.search(written)
    if status is None or message is None:
        return None
    reason = status[2].decode("latin-1")
    text = said or html.unescape(message[1].decode("latin-1")) or reason
    body = f"{text}\n".encode()
    return (f"HTTP/1.1 {status[1].decode()} {reason}\r\nConnection: close\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nAccess-Control-Allow-Origin: *\r\n"
            "X-Content-Type-Options: nosniff\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode("latin-1") + body


#: The logger of the application (Flask names it after its package) and of its modules.
SERVER_LOGGER = "server"


def write_like_gunicorn(logger: logging.Logger, error_log: logging.Logger) -> None:
    """Send ``logger``'s lines where gunicorn's error log goes, in its format (``[time] [pid]
    [LEVEL]``), at its level: Flask's own handler wrote them in another format without the
    worker's pid. (A logging configuration of the operator's that leaves gunicorn's error log
    without handlers leaves ``logger`` alone.)"""
    if not error_log.handlers:
        return
    logger.handlers = list(error_log.handlers)
    logger.setLevel(error_log.level)
    logger.propagate = False


@functools.cache
def read_timeout() -> float:
    """EVKG_READ_TIMEOUT, read once (each request sets it on its socket; the environment is
    the process's for its life)."""
    return environment_number("READ_TIMEOUT", DEFAULT_READ_TIMEOUT)


DEFAULT_READ_TIMEOUT = 20.0


def client_gone(error: OSError) -> str | None:
    """What ``error``, met while a request was read or its answer written, says the client did
    (None: not the client's doing)."""
    if isinstance(error, TimeoutError):
        return (f"the client read nothing for {read_timeout():g} s (EVKG_READ_TIMEOUT): the "
                "answer was cut off")
    if error.errno in (errno.EPIPE, errno.ECONNRESET, errno.ENOTCONN):
        return "the client closed the connection before the answer was whole"
    return None


class Logger(GunicornLogger):  # type: ignore[misc]
    """gunicorn's logger (``--logger-class``), whose access line gives the size of a file sent
    by sendfile: gunicorn counts only the bytes it writes itself, and logged 0 for each release
    file. Such a file's size is its Content-Length (as for what gunicorn writes, the bytes handed
    to the connection)."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any],
              request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        if not resp.sent and resp.response_length and environ.get("REQUEST_METHOD") != "HEAD":
            atoms["b"], atoms["B"] = str(resp.response_length), resp.response_length
        # gunicorn refuses a header with a C0 control character but takes bytes 0x80-0xff
        # (read as Latin-1): a User-Agent or Referer of NEL (0x85) split the access line for
        # Python's readers, and CSI (0x9b) was a terminal's escape
        return {name: printable(value) if isinstance(value, str) else value
                for name, value in atoms.items()}


class Worker(ThreadWorker):  # type: ignore[misc]
    """``gthread``, with the message of a request line over the limit rewritten, and a limit
    on how long a request's client may stall."""

    def init_process(self) -> None:
        # gunicorn's worker sees its master gone (SIGKILL, the OOM killer) only between
        # requests, and then waits for every query it runs, up to EVKG_QUERY_TIMEOUT, holding
        # the port (a server started again gave up), the release and its query process:
        # it ends with the master now, and its query process with it
        end_with_parent(self.ppid)
        super().init_process()

    def load_wsgi(self) -> None:
        write_like_gunicorn(logging.getLogger(SERVER_LOGGER), self.log.error_log)
        super().load_wsgi()

    def enqueue_req(self, conn: Any) -> None:
        conn.evkg_queued = time.monotonic()  # a connection's next request is queued again
        super().enqueue_req(conn)

    def handle(self, conn: Any) -> Any:
        queued = getattr(conn, "evkg_queued", None)
        set_queue_wait(time.monotonic() - queued if queued is not None else 0.0)
        return super().handle(conn)

    def handle_request(self, req: Any, conn: Any) -> Any:
        conn.sock.settimeout(read_timeout())
        try:
            return super().handle_request(req, conn)
        except OSError as error:
            gone = client_gone(error)
            if gone is None:
                raise
            # gunicorn logged a stalled client as an error, with a traceback, and one that
            # closed its connection not at all (its access line, written before, is whole)
            self.log.info("%s %s: %s", req.method, req.path, gone)
            return False  # the connection is closed, as gunicorn closes it
        finally:
            with contextlib.suppress(OSError):  # closed, when the request failed
                conn.sock.settimeout(None)  # blocking again, as gunicorn keeps it between them

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        if isinstance(exc, LimitRequestLine) and not isinstance(exc, _PostInstead):
            exc = _PostInstead(exc.size, exc.max_size)
        elif isinstance(exc, InvalidRequestLine) and not isinstance(exc, _NotEncoded):
            exc = not_encoded(str(getattr(exc, "req", ""))) or exc
        elif isinstance(exc, InvalidHTTPVersion):
            exc = spaced_target(str(getattr(exc, "version", ""))) or exc
        captured = _Captured()
        super().handle_error(req, captured, addr, exc)  # logs it, and writes its answer here
        said = exc.message if isinstance(exc, _NotEncoded) else ""  # (not "Invalid Request Line '…'")
        answer = plain_error(captured.data, said) or captured.data
        with contextlib.suppress(OSError):  # the client may be gone
            client.settimeout(read_timeout())
            client.sendall(answer)
