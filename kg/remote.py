"""The wire to a remote SPARQL store: the SPARQL 1.1 Protocol and Graph Store Protocol over HTTP.

One ``Endpoint`` holds the URLs and credentials; ``post`` sends one request and turns every way a
store can fail into a ``StoreError`` carrying the HTTP status evkg answers with (400 for a query
the store refused, 502 for a store error, 503 for a store that is down or too slow).

It uses urllib rather than SPARQLWrapper: SPARQLWrapper installs a process-wide urllib opener
for digest authentication, which the threads of a server would share, and sends a large body
before the store's 401 challenge. Here the challenge is answered before the body goes out,
Digest (Virtuoso) or Basic (most other engines), with the same two settings.
"""

from __future__ import annotations

import base64
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import Message
from typing import Any

#: Seconds to wait for a store when no query time limit applies (loading, counting).
DEFAULT_HTTP_TIMEOUT = 300.0
#: Extra seconds the HTTP client waits beyond the query time limit, so that a store which
#: enforces the limit itself (Virtuoso) answers first.
TIMEOUT_GRACE = 2.0
#: The longest part of a store's error message that is passed on.
MESSAGE_LIMIT = 2000


class StoreError(OSError):
    """A remote store did not answer a request; ``status`` is what evkg answers with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def __str__(self) -> str:
        return self.message


class StoreUnavailable(StoreError):
    """The store is down, unreachable, or refused the credentials (503)."""

    def __init__(self, message: str) -> None:
        super().__init__(503, message)


class StoreTimeout(StoreUnavailable):
    """The store did not finish within the time limit (503, as for the embedded store)."""


#: Where the server's user and password for a remote store are given.
SERVER_CREDENTIALS = "EVKG_SPARQL_USER and EVKG_SPARQL_PASSWORD"


@dataclass(frozen=True)
class Endpoint:
    """Where a remote store answers, and how to log in."""

    query: str
    update: str | None = None
    gsp: str | None = None
    user: str | None = None
    password: str | None = None
    #: Graph IRIs sent as the dataset of a query that names none (empty: the store's own
    #: default graph, which must then be the union of the named graphs).
    dataset: tuple[str, ...] = ()
    #: The query parameter that carries the time limit in milliseconds (Virtuoso, Stardog read
    #: ``timeout``; other engines ignore it and the HTTP timeout applies); empty: none sent.
    timeout_parameter: str = "timeout"
    #: Where the user gives the credentials, for the message of a store that refuses access
    #: (``evkg load``: its options, which the variables only default).
    credentials: str = SERVER_CREDENTIALS

    def passwords(self) -> urllib.request.HTTPPasswordMgrWithDefaultRealm:
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        for url in (self.query, self.update, self.gsp):
            if url and self.user:
                manager.add_password(None, url, self.user, self.password or "")
        return manager


def http_url_problem(url: str, credentials: str | None = None) -> str | None:
    """Why ``url`` cannot be an endpoint's address (``None`` when it can): it must be an http or
    https URL that names a host, as curl refuses one it cannot use ("Protocol not supported",
    "No host part") before it sends anything. urllib said "unknown url type" only once a
    request went out, after the work before it.

    A user (and password) before the host, curl's way to give them, is refused, saying where
    they go (``credentials``, when the caller takes them): urllib sends none from the URL, and
    looked up ``user:password@host`` as the host's name ("Name or service not known")."""
    if not url.strip():
        return "it is empty"
    if any(c <= " " or c == "\x7f" for c in url):
        return "it holds a space or a control character"
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as error:  # a port that is no number, a bracket left open
        return f"it is no URL ({error})"
    if not parts.scheme or "//" not in url:
        return "it has no http:// or https:// before it"
    if parts.scheme.lower() not in ("http", "https"):
        return f"its scheme is {parts.scheme}, not http or https"
    if not parts.hostname:
        return "it names no host"
    if "@" in parts.netloc:
        return ("it names a user before its host (USER:PASSWORD@), which is not sent from there: "
                + (f"give the user and password with {credentials}" if credentials else
                   "evkg sends none to this server"))
    if port == 0:
        return "its port is 0"
    return None


def refused_url(url: str, credentials: str | None = None) -> str | None:
    """The message refusing ``url`` as an endpoint's address (``http_url_problem``, the URL
    shown with its password hidden), to follow the setting's or option's name; None when it
    can be one."""
    problem = http_url_problem(url, credentials)
    if problem is None:
        return None
    return f"{shown_url(url)!r}: {problem}: give an http or https URL (http://HOST:PORT/PATH)"


def shown_url(url: str) -> str:
    """``url`` as a message shows it: a password before its host hidden (``user:***@host``), as
    a log or a terminal's scrollback would keep it."""
    try:
        netloc = urllib.parse.urlsplit(url).netloc
    except ValueError:
        return url
    userinfo, at, host = netloc.rpartition("@")
    if not at or ":" not in userinfo:
        return url
    return url.replace(netloc, f"{userinfo.partition(':')[0]}:***@{host}", 1)


@dataclass(frozen=True)
class Reply:
    body: bytes
    content_type: str
    headers: Message


def with_params(url: str, params: Sequence[tuple[str, str]]) -> str:
    if not params:
        return url
    return url + ("&" if "?" in url else "?") + urllib.parse.urlencode(list(params))


def post(endpoint: Endpoint, url: str, *, form: Sequence[tuple[str, str]] | None = None,
         body: bytes | None = None, content_type: str = "", accept: str = "*/*",
         method: str = "POST", params: Sequence[tuple[str, str]] = (),
         timeout: float = DEFAULT_HTTP_TIMEOUT) -> Reply:
    """Send one request to ``url``; a ``StoreError`` unless the store answered 2xx."""
    headers: dict[str, str] = {"Accept": accept}
    if form is not None:
        body = urllib.parse.urlencode(list(form)).encode("utf-8")
        content_type = "application/x-www-form-urlencoded"
    if content_type:
        headers["Content-Type"] = content_type
    request = urllib.request.Request(with_params(url, params), data=body, headers=headers,
                                     method=method)
    try:
        if endpoint.user:
            _authorise(endpoint, request, url, timeout)
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read()
            return Reply(data, response.headers.get_content_type(), response.headers)
    except urllib.error.HTTPError as error:
        raise _http_error(url, error, endpoint.credentials) from None
    except TimeoutError:
        raise StoreTimeout(f"the SPARQL store at {url} did not answer within {timeout:g} s") \
            from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        if isinstance(reason, TimeoutError):
            raise StoreTimeout(f"the SPARQL store at {url} did not answer within "
                               f"{timeout:g} s") from None
        if body and isinstance(reason, (BrokenPipeError, ConnectionResetError)):
            _raise_refusal(endpoint, url, with_params(url, params), timeout)
        raise StoreUnavailable(_unavailable(url, reason)) from None


def _raise_refusal(endpoint: Endpoint, url: str, asked: str, timeout: float) -> None:
    """Raise the store's refusal of its credentials (401, 403) when it has one for ``url``: a
    store that refuses a request answers as soon as it has read its head and may close the
    connection while the body is still being sent, which broke the pipe, and a wrong password
    or a missing --user was said to be "not answering …; try again later" (half the time, on
    Virtuoso). Asked again by HEAD (``asked``: ``url`` with the request's parameters), with
    the same credentials and no body, it says why."""
    probe = urllib.request.Request(asked, method="HEAD")
    try:
        if endpoint.user:
            _authorise(endpoint, probe, asked, timeout)
        with urllib.request.urlopen(probe, timeout=timeout):
            return
    except urllib.error.HTTPError as error:
        if error.code in (401, 403):
            raise _http_error(url, error, endpoint.credentials) from None
    except (urllib.error.URLError, OSError):
        return


def _unavailable(url: str, reason: object) -> str:
    """Why the store at ``url`` could not be reached: a wrong port or host is no reason to try
    again later ("[Errno 111] Connection refused; try again later", of a mistyped port)."""
    where = urllib.parse.urlsplit(url)
    if isinstance(reason, ConnectionRefusedError):
        return (f"the SPARQL store at {url} is not answering: nothing listens at "
                f"{where.hostname}:{where.port or {'https': 443}.get(where.scheme, 80)} "
                "(connection refused); is the store running, and is that its address?")
    if isinstance(reason, socket.gaierror):
        return (f"the SPARQL store at {url} is not answering: the host {where.hostname} is not "
                f"known ({reason.strerror}); is that its address?")
    return f"the SPARQL store at {url} is not answering ({reason}); try again later"


def _authorise(endpoint: Endpoint, request: urllib.request.Request, url: str,
               timeout: float) -> None:
    """Add the credentials to ``request`` before it is sent.

    A store that asks for them answers 401 as soon as it has read the headers and may close the
    connection while a large body is still being sent (a broken pipe). So the challenge is
    fetched first with a GET that carries no body, and the request goes out already answered:
    Digest (Virtuoso) computed by urllib's own handler, else Basic.
    """
    challenge = ""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="GET"),
                                    timeout=timeout):
            pass
    except urllib.error.HTTPError as error:
        challenge = error.headers.get("WWW-Authenticate", "") if error.code == 401 else ""
    scheme, _, rest = challenge.partition(" ")
    if scheme.lower() == "digest":
        handler = urllib.request.HTTPDigestAuthHandler(endpoint.passwords())
        fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(rest))
        answer = handler.get_authorization(request, fields)
        if answer:
            request.add_unredirected_header("Authorization", f"Digest {answer}")
            return
    token = base64.b64encode(f"{endpoint.user}:{endpoint.password or ''}".encode()).decode()
    request.add_unredirected_header("Authorization", f"Basic {token}")


#: Virtuoso's refusal of a query its planner expects to run past its own limit
#: (``MaxQueryCostEstimationTime``), before running it: "Virtuoso 42000 Error The estimated
#: execution time 29386 (sec) exceeds the limit of 400 (sec)."
_ESTIMATE_REFUSED = re.compile(r"estimated execution time (\d+) \(sec\) exceeds the limit of "
                               r"(\d+) \(sec\)")
#: Virtuoso's error for a query it stopped at a time limit, where it gives no partial answer
#: (``X-SQL-State: S1TAT``): "Virtuoso S1T00 Error SR171: Transaction timed out".
_TIMED_OUT = "SR171: Transaction timed out"


class QueryTooSlow(StoreError):
    """The store stopped a query at a time limit, or refused it as one that would pass it
    (503, as the embedded store answers a query stopped at the limit)."""

    def __init__(self, message: str) -> None:
        super().__init__(503, message)


def _http_error(url: str, error: urllib.error.HTTPError, credentials: str) -> StoreError:
    try:
        text = error.read().decode("utf-8", errors="replace").strip()[:MESSAGE_LIMIT]
    except OSError:
        text = ""
    if estimate := _ESTIMATE_REFUSED.search(text):
        return QueryTooSlow(f"the SPARQL store expected this query to run {estimate[1]} s, "
                            f"longer than its time limit of {estimate[2]} s, and did not run it; "
                            "make it more selective (a LIMIT, a narrower pattern)")
    if _TIMED_OUT in text:
        return QueryTooSlow(f"the SPARQL store stopped the query at its time limit ({text}); "
                            "make it more selective (a LIMIT, a narrower pattern)")
    if error.code in (400, 406, 413, 414, 415):
        return StoreError(400, f"the store refused the query: {text or error.reason}")
    if error.code in (401, 403):
        said = f": {text}" if text else ""  # such as a store that is read-only
        return StoreUnavailable(f"the SPARQL store at {url} refused access ({error.code}{said}); "
                                f"if it takes a user and password, check {credentials}")
    if error.code in (502, 503, 504):
        return StoreUnavailable(f"the SPARQL store at {url} is unavailable ({error.code}): "
                                f"{text}")
    return StoreError(502, f"the SPARQL store at {url} failed ({error.code}): {text}")


def endpoint_from_settings(settings: Mapping[str, Any], *, dataset: Sequence[str] = ()
                           ) -> Endpoint | None:
    """The endpoint named by ``SPARQL_ENDPOINT`` (and its companions) in ``settings``, if any."""
    query = str(settings.get("SPARQL_ENDPOINT") or "")
    if not query:
        return None

    def text(key: str) -> str | None:
        value = settings.get(key)
        return str(value) if value else None

    return Endpoint(query=query, update=text("SPARQL_UPDATE_ENDPOINT"),
                    gsp=text("GSP_ENDPOINT"), user=text("SPARQL_USER"),
                    password=text("SPARQL_PASSWORD"), dataset=tuple(dataset),
                    timeout_parameter=str(settings.get("SPARQL_TIMEOUT_PARAMETER", "timeout")))
