"""A small NCBI E-utilities client: ESearch, EPost, EFetch and ELink for PubMed, politely.

Every request carries ``tool=evkg``, the contact ``email`` NCBI asks for, and ``api_key`` when
one is set; all requests of the process share one rate limiter (3 requests/s, 10 with a key,
spaced 10 % wider so that network jitter cannot put one request too many into NCBI's second).
A request is retried, with exponential backoff and jitter, on 429 (after its ``Retry-After``),
5xx, a broken connection, a timeout and a body that is not complete XML/JSON; after
``max_attempts`` an ``EutilsError`` names what was being fetched.

An expired history (NCBI keeps a ``WebEnv`` for some hours) is a ``HistoryExpired``, not
retried: the caller searches again. Only the standard library does HTTP, so ``evkg fetch``
needs nothing beyond evkg's own dependencies.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import Message
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

from lxml import etree

from kg.remote import refused_url

#: NCBI's E-utilities; ``EVKG_EUTILS_URL`` points evkg elsewhere (a mirror, the tests' server).
DEFAULT_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
#: The ``tool`` parameter NCBI uses to tell clients apart.
TOOL = "evkg"
#: Requests per second NCBI allows without and with an API key.
RATE_WITHOUT_KEY, RATE_WITH_KEY = 3.0, 10.0
#: Spacing beyond the bare minimum, as a factor: keeps jitter from bunching requests.
RATE_MARGIN = 1.1
#: Longest wait honoured from a Retry-After header, in seconds.
MAX_RETRY_AFTER = 300.0
#: Link names for "similar articles" and "cited by".
SIMILAR, CITED_BY = "pubmed_pubmed", "pubmed_pubmed_citedin"
#: Markers of an expired or unknown history in an error message.
_HISTORY_ERRORS = ("unable to obtain query", "webenv", "query_key", "history")

T = TypeVar("T")


class EutilsError(Exception):
    """An E-utilities request that could not be completed; the message says which and why."""


class HistoryExpired(EutilsError):
    """The history server no longer knows the ``WebEnv``/``query_key``: search again."""


class SearchRefused(EutilsError):
    """ESearch answered every attempt with its ``ERROR``: a query PubMed cannot run, or a
    failure of its own that lasted."""


class BrokenResponse(Exception):
    """A 200 response whose body is incomplete or unusable (worth another attempt)."""


class SearchError(BrokenResponse):
    """ESearch's ``ERROR`` (NCBI gives it for a failure of its search backend, which passes, as
    for a request it cannot run, which does not: both are tried again)."""


class RateLimiter:
    """Spaces request starts at least ``interval`` apart, across threads (monotonic clock)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next = 0.0

    def wait(self, interval: float) -> None:
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + interval
        if start > now:
            time.sleep(start - now)


#: The limiter every client of this process shares (NCBI counts per user, not per client).
PROCESS_LIMITER = RateLimiter()


@dataclass(frozen=True)
class History:
    """A result set on NCBI's history server; ``count`` is what ESearch promised."""

    webenv: str
    query_key: str
    count: int = 0
    ids: tuple[str, ...] = ()
    #: What ESearch says it changed in the query (NCBI's ``errorlist`` and ``warninglist``:
    #: a phrase or field it did not find, a phrase it ignored), with the query it ran.
    notes: tuple[str, ...] = ()


@dataclass
class Client:
    """E-utilities settings and calls; ``from_env`` reads the environment."""

    base_url: str = DEFAULT_URL
    email: str = ""
    api_key: str = ""
    timeout: float = 60.0
    max_attempts: int = 5
    #: First backoff delay in seconds; each retry doubles it (plus up to as much jitter).
    backoff: float = 1.0
    limiter: RateLimiter = field(default_factory=lambda: PROCESS_LIMITER)
    sleep: Callable[[float], None] = time.sleep
    #: Requests per second for a server that is not NCBI's (``EVKG_EUTILS_RATE``: a mirror of
    #: one's own, the tests' stand-in); 0 keeps NCBI's limits.
    rate: float = 0.0

    @classmethod
    def from_env(cls, email: str = "", **settings: Any) -> Client:
        """``EVKG_EUTILS_URL``, ``EVKG_NCBI_EMAIL``, ``NCBI_API_KEY`` and, for a server that is
        not NCBI's, ``EVKG_EUTILS_RATE`` (arguments win)."""
        url = os.environ.get("EVKG_EUTILS_URL") or DEFAULT_URL
        refusal = refused_url(url)
        if refusal is not None:  # (urllib's "unknown url type" came after the fetch's warnings)
            raise ValueError(f"EVKG_EUTILS_URL={refusal}")
        url = url if url.endswith("/") else url + "/"
        rate = os.environ.get("EVKG_EUTILS_RATE", "").strip()
        host = urllib.parse.urlsplit(url).hostname or ""
        if rate and not (host == "nih.gov" or host.endswith(".nih.gov")):  # never NCBI's own
            try:
                settings.setdefault("rate", float(rate))
            except ValueError:
                raise ValueError(f"EVKG_EUTILS_RATE={rate!r}: give requests per second, a number"
                                 ) from None
        return cls(base_url=url, email=email or os.environ.get("EVKG_NCBI_EMAIL", ""),
                   api_key=os.environ.get("NCBI_API_KEY", ""), **settings)

    @property
    def interval(self) -> float:
        """Seconds between request starts."""
        if self.rate > 0:
            return 1 / self.rate
        return RATE_MARGIN / (RATE_WITH_KEY if self.api_key else RATE_WITHOUT_KEY)

    # --- the four utilities ------------------------------------------------------------------

    def esearch(self, term: str, *, mindate: str = "", maxdate: str = "", datetype: str = "",
                retstart: int = 0, retmax: int = 0) -> History:
        """Search PubMed into the history server (and the ids at ``retstart``, up to ``retmax``)."""
        params = {"db": "pubmed", "term": term, "usehistory": "y", "retmode": "json",
                  "retstart": str(retstart), "retmax": str(retmax)}
        if mindate or maxdate:
            params |= {"datetype": datetype, "mindate": mindate, "maxdate": maxdate}
        return self.call("esearch.fcgi", params, _search_result, what="ESearch")

    def epost(self, ids: Sequence[str]) -> History:
        """Post PMIDs to the history server."""
        params = {"db": "pubmed", "id": ",".join(ids)}
        history = self.call("epost.fcgi", params, _post_result, what="EPost", post=True)
        return History(history.webenv, history.query_key, len(ids))

    def efetch(self, history: History, retstart: int, retmax: int, *, what: str) -> bytes:
        """PubMed XML (a complete ``PubmedArticleSet``) for a slice of a history."""
        params = {"db": "pubmed", "WebEnv": history.webenv, "query_key": history.query_key,
                  "retstart": str(retstart), "retmax": str(retmax), "retmode": "xml",
                  "rettype": "abstract"}
        return self.call("efetch.fcgi", params, _checked_xml, what=what)

    def elink(self, ids: Sequence[str], linkname: str, *, what: str) -> dict[str, list[str]]:
        """The PMIDs each of ``ids`` links to by ``linkname``, best first (one linkset per id)."""
        params: dict[str, str | list[str]] = {
            "dbfrom": "pubmed", "db": "pubmed", "linkname": linkname, "cmd": "neighbor",
            "retmode": "json", "id": list(ids)}
        return self.call("elink.fcgi", params, _links, what=what, post=True)

    # --- one request, retried ----------------------------------------------------------------

    def call(self, utility: str, params: Mapping[str, str | list[str]],
             check: Callable[[bytes], T], *, what: str, post: bool = False) -> T:
        """One E-utilities call: rate-limited, retried, its body checked by ``check``."""
        query = dict(params) | {"tool": TOOL}
        if self.email:
            query["email"] = self.email
        if self.api_key:
            query["api_key"] = self.api_key
        data = urllib.parse.urlencode(query, doseq=True)
        problem = ""
        for attempt in range(1, self.max_attempts + 1):
            refused = False  # the attempt got ESearch's ERROR
            self.limiter.wait(self.interval)
            delay = self.backoff * 2 ** (attempt - 1) * (1 + random.random())
            try:
                status, headers, body = self._send(utility, data, post)
            except (OSError, http.client.HTTPException) as error:
                problem = f"connection failed: {type(error).__name__}: {error}"
            else:
                if status == 200:
                    try:
                        return check(body)
                    except BrokenResponse as error:
                        problem, refused = str(error), isinstance(error, SearchError)
                elif status == 429 or status >= 500:
                    problem = f"HTTP {status}"
                    delay = max(delay, _retry_after(headers.get("Retry-After", "")))
                else:
                    _raise_client_error(what, status, body)
            if attempt < self.max_attempts:
                self.sleep(delay)
        failed = SearchRefused if refused else EutilsError
        raise failed(f"{what} failed after {self.max_attempts} attempts; last: {problem}")

    def _send(self, utility: str, data: str, post: bool) -> tuple[int, Message[str], bytes]:
        url = self.base_url + utility
        request = (urllib.request.Request(url, data=data.encode(), method="POST") if post
                   else urllib.request.Request(f"{url}?{data}"))
        request.add_header("User-Agent", f"{TOOL} ({self.email})" if self.email else TOOL)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.headers, error.read()


def _retry_after(value: str) -> float:
    """Seconds a Retry-After header asks for (a number or an HTTP date); 0 when absent."""
    value = value.strip()
    if not value:
        return 0.0
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return 0.0
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def _raise_client_error(what: str, status: int, body: bytes) -> None:
    text = body[:300].decode("utf-8", "replace").strip()
    if any(marker in text.lower() for marker in _HISTORY_ERRORS):
        raise HistoryExpired(f"{what}: the history server rejected the WebEnv: {text}")
    raise EutilsError(f"{what}: HTTP {status}: {text}")


# --- checking bodies ---------------------------------------------------------------------------

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _xml(body: bytes, name: str) -> Any:
    try:
        return etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as error:
        raise BrokenResponse(f"{name} XML is incomplete or malformed ({len(body)} bytes): "
                             f"{error.msg}") from None


def _checked_xml(body: bytes) -> bytes:
    """``body`` when it is a complete ``PubmedArticleSet``; an ``eFetchResult`` error raises."""
    root = _xml(body, "EFetch")
    if root.tag == "PubmedArticleSet":
        return body
    message = " ".join(root.itertext()).strip()
    if any(marker in message.lower() for marker in _HISTORY_ERRORS):
        raise HistoryExpired(f"EFetch: the history server rejected the WebEnv: {message}")
    raise BrokenResponse(f"EFetch returned <{root.tag}> instead of PubmedArticleSet: "
                         f"{message[:200]}")


def _json(body: bytes, name: str, key: str) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise BrokenResponse(f"{name} JSON is incomplete or malformed ({len(body)} bytes): "
                             f"{error}") from None
    if not isinstance(data, dict) or key not in data:
        raise BrokenResponse(f"{name} JSON has no {key!r}: {str(data)[:200]}")
    return data


def _search_result(body: bytes) -> History:
    result = _json(body, "ESearch", "esearchresult")["esearchresult"]
    if "ERROR" in result:
        raise SearchError(f"PubMed's search answered with an error: {result['ERROR']}")
    if "webenv" not in result:
        raise BrokenResponse(f"ESearch failed: {result}")
    return History(webenv=str(result["webenv"]), query_key=str(result["querykey"]),
                   count=int(result["count"]), ids=tuple(map(str, result.get("idlist", []))),
                   notes=_search_notes(result))


#: NCBI's names in an ESearch result's ``errorlist`` and ``warninglist``, in words.
_SEARCH_NOTES = {"phrasesnotfound": "phrase not found", "fieldsnotfound": "field not found",
                 "quotedphrasesnotfound": "quoted phrase not found",
                 "phrasesignored": "phrase ignored"}


def _search_notes(result: dict[str, Any]) -> tuple[str, ...]:
    """What NCBI did not search as given: PubMed drops what it cannot find and searches the
    rest, so a typo widens the search (or empties it) without an error."""
    notes: list[str] = []
    for part in ("errorlist", "warninglist"):
        listed = result.get(part)
        for key, words in _SEARCH_NOTES.items():
            values = listed.get(key) if isinstance(listed, dict) else None
            notes.extend(f"{words}: {value}" for value in values or [] if str(value).strip())
    if notes and result.get("querytranslation"):
        notes.append(f"PubMed searched: {result['querytranslation']}")
    return tuple(notes)


def _post_result(body: bytes) -> History:
    root = _xml(body, "EPost")
    webenv, key = root.findtext("WebEnv"), root.findtext("QueryKey")
    if not webenv or not key:
        raise BrokenResponse(f"EPost returned no WebEnv: {' '.join(root.itertext())[:200]}")
    return History(webenv=webenv.strip(), query_key=key.strip())


def _links(body: bytes) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for linkset in _json(body, "ELink", "linksets")["linksets"]:
        if "ERROR" in linkset:
            raise BrokenResponse(f"ELink failed: {linkset['ERROR']}")
        for source in map(str, linkset.get("ids", [])):
            links = found.setdefault(source, [])
            for db in linkset.get("linksetdbs", []):
                # cmd=neighbor_score gives {"id": …, "score": …}; cmd=neighbor plain ids
                links.extend(str(x["id"]) if isinstance(x, dict) else str(x)
                             for x in db.get("links", []))
    return found
