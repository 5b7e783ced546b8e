"""A fake NCBI E-utilities server for the tests: ESearch, EFetch, EPost and ELink over real HTTP.

It serves the ``PubmedArticle`` records it is given (in the order given), keeps histories
(``WebEnv`` → query key → PMIDs), logs every request with a monotonic timestamp, and injects
faults on demand: 429 with Retry-After, 500, a connection dropped mid-body, a truncated body, a
slow answer, a forgotten history. Similar articles and citing articles are made up from the
order of the records (``similar``, ``cited_by``), so a test can say what the graph must hold.

Like PubMed, it serves no record of a search past the first ``SEARCH_CAP`` (see ``SEARCH_CAP``),
and ESearch's ``datetype``/``mindate``/``maxdate`` select by the dates in its records
(``dates``: ``mdat`` and ``edat``). ``generated_records`` makes any number of small records.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from lxml import etree

#: How many records of one PubMed search the E-utilities serve: positions 0 to 9,998. NCBI's
#: "The E-utilities In-Depth" (NBK25499, ESearch's retmax) says only "For PubMed, ESearch can
#: only retrieve the first 10,000 records matching the query"; what PubMed answers was found in
#: issue threads: biopython/biopython#4189 (the warning "Restrictions achieved. start and count
#: adjusted to 0, 9999"; retstart=15000 gives the ERROR "Search Backend failed: Exception:
#: Position 15000 is out of acceptable range") and cyanheads/pubmed-mcp-server#95 (retstart=9999
#: of a larger search: the ERROR "'retstart' cannot be larger than 9998"; of a smaller one an
#: empty page; retstart=9998&retmax=1000 gives one UID). The stand-in answers so. What EFetch
#: answers past the cap from a history is in neither the documentation nor an issue we could
#: find: the stand-in answers as ESearch does (the same slice, an ERROR past it).
SEARCH_CAP = 9_999
#: How many UIDs one EPost takes: NBK25499, EPost's ``id``: "For PubMed, no more than 10,000 UIDs
#: can be included in a single URL request". What PubMed answers to more is not documented, nor
#: in an issue we found: the stand-in answers an ``ePostResult`` with an ERROR of its own words.
POST_CAP = 10_000

DOCTYPE = (b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, '
           b'1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n')


@dataclass
class Logged:
    """One request as the server saw it."""

    time: float
    utility: str
    params: dict[str, list[str]]
    fault: str = ""
    #: How many records EFetch answered it with.
    served: int = 0

    def get(self, name: str) -> str:
        return self.params.get(name, [""])[0]

    def ids(self) -> list[str]:
        return [i for value in self.params.get("id", []) for i in value.split(",") if i]


@dataclass
class Fault:
    """Answer the next ``times`` requests to ``utility`` whose parameters match with ``kind``:
    ``429`` (Retry-After ``seconds``), ``500``, ``drop`` (half the body, then close),
    ``truncate`` (a complete response with two thirds of the body), ``slow`` (answer after
    ``seconds``), ``expire`` (forget every history first), any other kind nothing; ``then``
    runs after it is applied (``then(server)``)."""

    utility: str
    kind: str
    match: dict[str, str] = field(default_factory=dict)
    times: int = 1
    #: Matching requests let through before the fault applies.
    after: int = 0
    seconds: float = 1.0
    then: Callable[[EutilsServer], None] | None = None


def read_articles(path: Path) -> dict[str, bytes]:
    """PMID → serialised ``PubmedArticle`` for every one in a file (any root element)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.parse(str(path), parser).getroot()
    found = {}
    for article in root.iter("PubmedArticle"):
        article.tail = None
        found[article.findtext("MedlineCitation/PMID")] = etree.tostring(article)
    return found


def generated_records(dates: dict[str, tuple[str, str]]) -> dict[str, bytes]:
    """PMID → a small made-up ``PubmedArticle`` with the given (entrez date, date revised), each
    YYYY/MM/DD: a title and a journal, enough for evkg's reader."""
    def day(value: str) -> str:
        year, month, dd = value.split("/")
        return f"<Year>{year}</Year><Month>{month}</Month><Day>{dd}</Day>"

    return {pmid: (
        f'<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">{pmid}'
        f"</PMID><DateRevised>{day(revised)}</DateRevised><Article PubModel=\"Print\"><Journal>"
        f"<Title>Journal of generated records</Title></Journal><ArticleTitle>Generated record "
        f"{pmid}.</ArticleTitle></Article></MedlineCitation><PubmedData><History>"
        f'<PubMedPubDate PubStatus="entrez">{day(entered)}</PubMedPubDate></History>'
        f"</PubmedData></PubmedArticle>").encode()
        for pmid, (entered, revised) in dates.items()}


def record_dates(xml: bytes) -> dict[str, str]:
    """``mdat`` (DateRevised) and ``edat`` (the entrez date) of a record, as YYYY/MM/DD."""
    article = etree.fromstring(xml)

    def day(elem: Any) -> str:
        if elem is None:
            return ""
        return "/".join(f"{int(elem.findtext(p) or 1):02d}" for p in ("Year", "Month", "Day"))

    entrez = article.find("PubmedData/History/PubMedPubDate[@PubStatus='entrez']")
    return {"mdat": day(article.find("MedlineCitation/DateRevised")), "edat": day(entrez)}


class EutilsServer:
    """The server; ``records``, ``dates``, ``withheld`` and ``faults`` may change while it runs."""

    def __init__(self, records: dict[str, bytes]) -> None:
        self.records = dict(records)
        self.dates = {pmid: record_dates(xml) for pmid, xml in records.items()}
        self.withheld: set[str] = set()
        #: Added to every JSON ESearch result, as NCBI adds ``errorlist`` and ``warninglist``.
        self.search_notes: dict[str, Any] = {}
        self.faults: list[Fault] = []
        self.log: list[Logged] = []
        self.histories: dict[str, dict[str, list[str]]] = {}
        self.webenvs = 0
        self._positions: tuple[Any, list[str], dict[str, int]] = (None, [], {})
        self.lock = threading.Lock()
        self.released = threading.Event()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.eutils = self  # type: ignore[attr-defined]
        self.httpd.handle_error = lambda request, address: None  # type: ignore[method-assign]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/entrez/eutils/"

    @contextmanager
    def running(self) -> Iterator[EutilsServer]:
        self._thread.start()
        try:
            yield self
        finally:
            self.released.set()
            self.httpd.shutdown()
            self.httpd.server_close()

    def requests(self, utility: str) -> list[Logged]:
        return [r for r in self.log if r.utility == utility]

    # --- made-up links ---------------------------------------------------------------------

    def _order(self) -> tuple[list[str], dict[str, int]]:
        """The records' PMIDs in order and each one's position (kept while ``records`` is)."""
        key = (id(self.records), len(self.records))
        if self._positions[0] != key:
            order = list(self.records)
            self._positions = (key, order, {p: at for at, p in enumerate(order)})
        return self._positions[1], self._positions[2]

    def similar(self, pmid: str) -> list[str]:
        """The record itself first (as PubMed does), the next three, and one unknown PMID."""
        order, at = self._order()[0], self._order()[1][pmid]
        return [pmid, *(order[(at + k) % len(order)] for k in (1, 2, 3)), str(int(pmid) + 1)]

    def cited_by(self, pmid: str) -> list[str]:
        order, at = self._order()[0], self._order()[1][pmid]
        return order[max(0, at - 2):at]

    # --- answering -------------------------------------------------------------------------

    def fault_for(self, request: Logged) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if (fault.times > 0 and fault.utility == request.utility
                        and all(request.get(k) == v for k, v in fault.match.items())):
                    if fault.after > 0:
                        fault.after -= 1
                        continue
                    fault.times -= 1
                    return fault
        return None

    def answer(self, request: Logged) -> tuple[int, str, bytes]:
        utility = getattr(self, f"_{request.utility}", None)
        if utility is None:
            return 404, "text/plain", b"unknown utility"
        with self.lock:
            result: tuple[int, str, bytes] = utility(request)
            return result

    def _history(self, ids: list[str], webenv: str = "") -> tuple[str, str]:
        if webenv not in self.histories:  # a new one, never one that was forgotten
            self.webenvs += 1
            webenv = f"MCID_{self.webenvs:04d}"
        keys = self.histories.setdefault(webenv, {})
        keys[str(len(keys) + 1)] = ids
        return webenv, str(len(keys))

    def _esearch(self, r: Logged) -> tuple[int, str, bytes]:
        low = _full_date(r.get("mindate"), "/01/01", "0000/00/00")
        high = _full_date(r.get("maxdate"), "/12/31", "9999/99/99")
        kind = r.get("datetype") or "mdat"
        ids = [p for p in self.records if low <= self.dates[p].get(kind, "") <= high] \
            if r.get("mindate") or r.get("maxdate") else list(self.records)
        webenv, key = self._history(ids) if r.get("usehistory") == "y" else ("", "")
        start, size = int(r.get("retstart") or 0), int(r.get("retmax") or 20)
        notes: dict[str, Any] = {}
        if start >= SEARCH_CAP and len(ids) > SEARCH_CAP:
            notes = {"ERROR": f"'retstart' cannot be larger than {SEARCH_CAP - 1}."}
        elif start + size > SEARCH_CAP:
            size = max(0, SEARCH_CAP - start)
            notes = {"warninglist": {"phrasesignored": [], "quotedphrasesnotfound": [],
                                     "outputmessages": ["Restrictions achieved. start and count "
                                                        f"adjusted to {start}, {size}"]}}
        page = [] if "ERROR" in notes else ids[start:start + size]
        if r.get("retmode") == "json":
            result = {"count": str(len(ids)), "retmax": str(len(page)), "retstart": str(start),
                      "idlist": page, "translationset": [], "querytranslation": r.get("term")}
            if webenv:
                result |= {"querykey": key, "webenv": webenv}
            result |= notes | self.search_notes
            return 200, "application/json", json.dumps(
                {"header": {"type": "esearch", "version": "0.3"}, "esearchresult": result}).encode()
        xml = (f"<eSearchResult><Count>{len(ids)}</Count><RetMax>{len(page)}</RetMax>"
               f"<RetStart>{start}</RetStart>"
               + (f"<QueryKey>{key}</QueryKey><WebEnv>{webenv}</WebEnv>" if webenv else "")
               + "<IdList>" + "".join(f"<Id>{p}</Id>" for p in page) + "</IdList>"
               + "<TranslationSet/><QueryTranslation/></eSearchResult>")
        return 200, "text/xml", b'<?xml version="1.0" ?>\n' + xml.encode()

    def _epost(self, r: Logged) -> tuple[int, str, bytes]:
        if len(r.ids()) > POST_CAP:
            return 200, "text/xml", (b'<?xml version="1.0" ?>\n<ePostResult><ERROR>Too many UIDs '
                                     b"(the stand-in's words)</ERROR></ePostResult>")
        webenv, key = self._history(r.ids(), r.get("WebEnv"))
        return 200, "text/xml", (f'<?xml version="1.0" ?>\n<ePostResult><QueryKey>{key}</QueryKey>'
                                 f"<WebEnv>{webenv}</WebEnv></ePostResult>").encode()

    def _efetch(self, r: Logged) -> tuple[int, str, bytes]:
        if r.ids():
            ids = r.ids()
        else:
            ids = self.histories.get(r.get("WebEnv"), {}).get(r.get("query_key"), [])
            if not ids:
                return 200, "text/xml", (b'<?xml version="1.0" ?>\n<eFetchResult>\n\t<ERROR>Unable '
                                         b"to obtain query #1</ERROR>\n</eFetchResult>\n")
            start = int(r.get("retstart") or 0)
            if start >= SEARCH_CAP and len(ids) > SEARCH_CAP:
                return 200, "text/xml", (b'<?xml version="1.0" ?>\n<eFetchResult>\n\t<ERROR>'
                                         b"'retstart' cannot be larger than 9998.</ERROR>\n"
                                         b"</eFetchResult>\n")
            ids = ids[start:min(start + int(r.get("retmax") or 20), SEARCH_CAP)]
        served = [self.records[p] for p in ids if p in self.records and p not in self.withheld]
        r.served = len(served)
        body = b"\n".join(served)
        return 200, "text/xml", DOCTYPE + b"<PubmedArticleSet>\n" + body + b"\n</PubmedArticleSet>\n"

    def _elink(self, r: Logged) -> tuple[int, str, bytes]:
        links = {"pubmed_pubmed": self.similar, "pubmed_pubmed_citedin": self.cited_by}[
            r.get("linkname")]
        linksets = []
        for value in r.params.get("id", []):
            ids = value.split(",")
            found = [x for i in ids if i in self.records for x in links(i)]
            linkset: dict[str, Any] = {"dbfrom": "pubmed", "ids": ids}
            if found:
                linkset["linksetdbs"] = [{"dbto": "pubmed", "linkname": r.get("linkname"),
                                          "links": found}]
            linksets.append(linkset)
        return 200, "application/json", json.dumps(
            {"header": {"type": "elink", "version": "0.3"}, "linksets": linksets}).encode()


def _full_date(value: str, pad: str, default: str) -> str:
    return default if not value else value + pad[len(value) - 4:] if len(value) < 10 else value


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # the tests read server.log instead
        pass

    def do_GET(self) -> None:
        self._handle(urlsplit(self.path).query)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._handle(self.rfile.read(length).decode())

    def _handle(self, query: str) -> None:
        server: EutilsServer = self.server.eutils  # type: ignore[attr-defined]
        name = urlsplit(self.path).path.rsplit("/", 1)[-1].removesuffix(".fcgi")
        request = Logged(time.monotonic(), name, parse_qs(query, keep_blank_values=True))
        fault = server.fault_for(request)
        request.fault = fault.kind if fault else ""
        with server.lock:
            server.log.append(request)
        if fault and fault.kind == "429":
            self._send(429, "application/json", b'{"error":"API rate limit exceeded"}',
                       {"Retry-After": f"{fault.seconds:g}"})
            return
        if fault and fault.kind == "500":
            self._send(500, "text/html", b"<html><body>Internal Server Error</body></html>")
            return
        if fault and fault.kind == "slow":
            server.released.wait(fault.seconds)
        if fault and fault.kind == "expire":
            with server.lock:
                server.histories.clear()
        if fault and fault.then is not None:
            fault.then(server)
        status, media, body = server.answer(request)
        if fault and fault.kind == "truncate":
            body = body[:len(body) * 2 // 3]
        if fault and fault.kind == "drop":
            self.send_response(status)
            self.send_header("Content-Type", media)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._send(status, media, body)

    def _send(self, status: int, media: str, body: bytes,
              headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", media)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the client went away (a killed fetch)
            self.close_connection = True
