"""Where the graph is queried: the embedded pyoxigraph store, or a remote SPARQL 1.1 endpoint.

Both answer ``query(text, **options)`` with pyoxigraph's result types, so the server and its
pages do not know which one they talk to. The embedded store is pyoxigraph's ``Store`` itself;
``RemoteStore`` sends the query over HTTP and parses the answer with pyoxigraph: SPARQL JSON
results become ``QuerySolutions`` / ``QueryBoolean``, and CONSTRUCT/DESCRIBE answers (N-Triples
or Turtle) become a list of ``Triple``.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from pyoxigraph import (
    DefaultGraph,
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolution,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Triple,
    parse,
    parse_query_results,
)

from kg.querytext import blank
from kg.remote import (
    DEFAULT_HTTP_TIMEOUT,
    TIMEOUT_GRACE,
    Endpoint,
    Reply,
    StoreError,
    StoreTimeout,
    post,
)
from kg.store import first_count

#: What a query gives: solutions, a boolean, or triples (a lazy iterator or a list).
QueryResult = QuerySolutions | QueryBoolean | QueryTriples | list[Triple]
#: What a store is asked for, by query form.
RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9"
#: Results media type → pyoxigraph format.
_RESULTS_FORMATS = {
    "application/sparql-results+json": QueryResultsFormat.JSON,
    "application/json": QueryResultsFormat.JSON,
    "application/sparql-results+xml": QueryResultsFormat.XML,
}
#: Strings, IRIs and comments: where a query form keyword must not be looked for.
_NOT_CODE = re.compile(r"""'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|"""
                       r"""<[^<>"{}|^`\\\s]*>|\#[^\n]*""", re.DOTALL)
_FORM = re.compile(r"(?<![\w:?$])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:])", re.IGNORECASE)
#: A character a blank node label may not hold (Virtuoso writes ``nodeID://b10001``).
_BNODE_UNSAFE = re.compile(r"[^A-Za-z0-9_\-]")
_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_BOOLEAN_FORMS = {"1": "true", "0": "false"}
#: Virtuoso's header for an answer cut short at its time limit ("anytime" query).
_VIRTUOSO_TIMEOUT_STATE = "S1TAT"
#: The header in which Virtuoso says it cut a SELECT's answer at its ``ResultSetMaxRows``.
_STORE_CUT = "X-SPARQL-MaxRows"
#: After a store sent no answer to a query, the next request first checks, with a query this
#: many seconds may answer, that the store answers at all: a hung store then costs each page
#: seconds, not the query time limit. The check's outcome holds for ``CHECK_HOLDS`` seconds.
CHECK_SECONDS = 2.0
CHECK_HOLDS = 5.0


def timeout_message(seconds: float) -> str:
    """What a client reads when its query was stopped at the time limit (on every backend)."""
    return (f"the query ran longer than the time limit of {seconds:g} s and was stopped; "
            "make it more selective (a LIMIT, a narrower pattern), or ask the operator to raise "
            "the limit (EVKG_QUERY_TIMEOUT, in seconds)")


def silent_store_message(url: str, seconds: float) -> str:
    """What a client reads when a remote store sent no answer at all within the time limit:
    a query too broad and a store that is hung or overloaded look alike from here, and a page
    or ``/health``, which run evkg's own small queries, are not to be made more selective."""
    return (f"the SPARQL store at {url} sent no answer within the time limit of {seconds:g} s: "
            "it may be overloaded or hung (/health says whether it answers), or the query may "
            "be too broad (make it more selective, or ask the operator to raise the limit, "
            "EVKG_QUERY_TIMEOUT, in seconds)")


class QueryableStore(Protocol):
    """A store the server can query: pyoxigraph's ``Store`` or ``RemoteStore``."""

    def query(self, query: str, /, *, base_iri: str | None = None,
              use_default_graph_as_union: bool = False, default_graph: Any = None,
              named_graphs: Any = None) -> QueryResult: ...


#: A LIMIT and its number.
_LIMIT = re.compile(r"(?i)(?<![\w?$])LIMIT\s+(\d+)")


def own_limit(query: str) -> int | None:
    """The LIMIT of ``query`` itself (after its last '}', strings, comments and IRIs aside: a
    subquery's is inside the braces), if it has one."""
    code = blank(query, iris=True)
    found = _LIMIT.search(code, code.rfind("}") + 1)
    return int(found.group(1)) if found else None


def query_form(query: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first form keyword outside strings and IRIs."""
    match = _FORM.search(_NOT_CODE.sub(" ", query))
    return match.group(1).upper() if match else "SELECT"


def _graph_iris(graphs: Any) -> list[str] | None:
    """The IRIs of a pyoxigraph ``default_graph``/``named_graphs`` option (None: not given)."""
    if graphs is None:
        return None
    items = graphs if isinstance(graphs, list | tuple) else [graphs]
    iris: list[str] = []
    for graph in items:
        if isinstance(graph, DefaultGraph):
            continue
        if not isinstance(graph, NamedNode):
            raise StoreError(400, "a remote store takes only IRIs as graph names")
        iris.append(graph.value)
    return iris


def _safe_label(label: str) -> str:
    safe = _BNODE_UNSAFE.sub("_", label)
    return safe if safe[:1].isalnum() or safe[:1] == "_" else "b" + safe


def _normalised(body: bytes, fmt: QueryResultsFormat) -> bytes:
    """Results pyoxigraph reads, with the terms every backend writes alike: blank node labels it
    accepts (Virtuoso writes ``nodeID://b10001``; labels are opaque, only equality counts) and
    booleans in their canonical form (Virtuoso writes ``"1"^^xsd:boolean`` for ``true``)."""
    if fmt == QueryResultsFormat.JSON:
        if b'"bnode"' not in body and _BOOLEAN.encode() not in body:
            return body
        document = json.loads(body)
        for binding in document.get("results", {}).get("bindings", []):
            for term in binding.values():
                if term.get("type") == "bnode":
                    term["value"] = _safe_label(str(term["value"]))
                elif term.get("datatype") == _BOOLEAN:
                    term["value"] = _BOOLEAN_FORMS.get(term["value"], term["value"])
        return json.dumps(document).encode("utf-8")
    body = re.sub(rb"<bnode>([^<]*)</bnode>", lambda m: b"<bnode>" + _safe_label(
        m.group(1).decode("utf-8")).encode("utf-8") + b"</bnode>", body)
    return re.sub(rb'(<literal datatype="' + re.escape(_BOOLEAN.encode()) + rb'">)([01])<',
                  lambda m: m.group(1) + _BOOLEAN_FORMS[m.group(2).decode()].encode() + b"<",
                  body)


def _canonical(triple: Triple) -> Triple:
    """``triple`` with a boolean object in canonical form (see ``_normalised``)."""
    obj = triple.object
    if isinstance(obj, Literal) and obj.datatype.value == _BOOLEAN and obj.value in ("1", "0"):
        return Triple(triple.subject, triple.predicate,
                      Literal(_BOOLEAN_FORMS[obj.value], datatype=obj.datatype))
    return triple


class RemoteStore:
    """A SPARQL 1.1 endpoint queried over HTTP, giving pyoxigraph's result types."""

    def __init__(self, endpoint: Endpoint, *, timeout: float | None = None) -> None:
        self.endpoint = endpoint
        #: Seconds a query may run (sent to the store, and the HTTP timeout); None: no limit.
        self.timeout = timeout
        #: When a query last got no answer (monotonic), until the store answers again.
        self._silent_since: float | None = None
        #: When the store was last checked, and whether it answered.
        self._checked = (float("-inf"), True)
        self._checking = threading.Lock()
        #: Per thread, the rows at which the store cut its last answer (``store_cut``).
        self._cut = threading.local()

    def store_cut(self) -> int | None:
        """The rows at which the store may have cut the last SELECT answer this thread asked
        it for, by a cap of its own, when it said so (Virtuoso's ``X-SPARQL-MaxRows``, of its
        ``ResultSetMaxRows``, 10,000 in Debian's ``virtuoso.ini``, sent with an answer of as
        many rows; not with a CONSTRUCT's) and the query's own LIMIT did not take as few; None
        otherwise. An answer so cut reached clients whole-looking, without
        ``X-EVKG-Truncated``."""
        cut: int | None = getattr(self._cut, "rows", None)
        return cut

    @property
    def url(self) -> str:
        return self.endpoint.query

    def _dataset(self, use_union: bool, default_graph: Any, named_graphs: Any
                 ) -> list[tuple[str, str]]:
        default = _graph_iris(default_graph)
        named = _graph_iris(named_graphs)
        if default is None and named is None:
            graphs = self.endpoint.dataset if use_union else ()
            return [(key, iri) for iri in graphs for key in ("default-graph-uri",
                                                              "named-graph-uri")]
        return [("default-graph-uri", iri) for iri in default or []] + \
            [("named-graph-uri", iri) for iri in named or []]

    def send(self, query: str, *, accept: str, params: Sequence[tuple[str, str]] = (),
             timeout: float | None = None, seconds_left: float | None = None,
             probe: bool = False) -> Reply:
        """POST ``query`` with the dataset ``params``; the raw answer. After a query that got
        no answer, the store is first checked (``_check_answers``), unless this is a ``probe``
        of its own (/health's, which must ask the store whatever went before).
        ``seconds_left``: what remains of the time limit (``timeout``, else the store's) once
        the query was checked; the store is given that, and messages name the limit."""
        limit = self.timeout if timeout is None else timeout
        given = limit if seconds_left is None or not limit else min(limit, seconds_left)
        form = [("query", query), *params]
        if given and self.endpoint.timeout_parameter:
            form.append((self.endpoint.timeout_parameter, str(max(1, int(given * 1000)))))
        http_timeout = given + TIMEOUT_GRACE if given else DEFAULT_HTTP_TIMEOUT
        silent_since = self._silent_since
        if silent_since is not None and not probe:
            self._check_answers(silent_since)
        try:
            reply = post(self.endpoint, self.endpoint.query, form=form, accept=accept,
                         timeout=http_timeout)
        except StoreTimeout:
            if not limit:
                raise
            self._silent_since = time.monotonic()
            raise StoreTimeout(silent_store_message(self.endpoint.query, limit)) from None
        self._silent_since = None
        if limit and reply.headers.get("X-SQL-State", "").strip() == _VIRTUOSO_TIMEOUT_STATE:
            raise StoreTimeout(timeout_message(limit))  # Virtuoso's "anytime" partial answer
        return reply

    def _check_answers(self, silent_since: float) -> None:
        """Return when the store, which sent no answer to a query at ``silent_since``, answers
        a quick check (``ASK {}``; one thread checks, the others take its outcome for
        ``CHECK_HOLDS`` seconds); else a ``StoreTimeout`` saying so, in seconds."""
        with self._checking:
            checked_at, answered = self._checked
            if checked_at < silent_since or time.monotonic() - checked_at > CHECK_HOLDS:
                try:
                    post(self.endpoint, self.endpoint.query, form=[("query", "ASK {}")],
                         accept=RESULTS_ACCEPT, timeout=CHECK_SECONDS)
                    answered = True
                except StoreTimeout:
                    answered = False
                except StoreError:  # an answer, if only an error, or a refused connection,
                    answered = True  # which the query itself then reports as it is
                self._checked = (time.monotonic(), answered)
        if answered:
            self._silent_since = None
            return
        raise StoreTimeout(
            f"the SPARQL store at {self.endpoint.query} sent no answer to a query within its "
            f"time limit, nor to a check of {CHECK_SECONDS:g} s since: it may be overloaded or "
            f"hung (/health says whether it answers); evkg checks it again in {CHECK_HOLDS:g} s")

    def query(self, query: str, /, *, base_iri: str | None = None,
              use_default_graph_as_union: bool = False, default_graph: Any = None,
              named_graphs: Any = None, seconds_left: float | None = None) -> QueryResult:
        """Run ``query`` on the store. Without graphs named, ``use_default_graph_as_union``
        sends the configured dataset (the release's graphs) as default and named graphs.
        ``seconds_left``: what remains of the time limit for this query (``send``)."""
        text = f"BASE <{base_iri}>\n{query}" if base_iri else query
        params = self._dataset(use_default_graph_as_union, default_graph, named_graphs)
        form = query_form(query)
        self._cut.rows = None
        if form in ("CONSTRUCT", "DESCRIBE"):
            reply = self.send(text, accept=GRAPH_ACCEPT, params=params, seconds_left=seconds_left)
            return triples_from(reply)
        reply = self.send(text, accept=RESULTS_ACCEPT, params=params, seconds_left=seconds_left)
        said = reply.headers.get(_STORE_CUT, "").strip()
        rows = int(said) if said.isascii() and said.isdigit() else None
        # (Virtuoso says so of an answer of as many rows as its cap, cut or whole: one the
        # query's own LIMIT of at most that many took is whole)
        limit = own_limit(query)
        self._cut.rows = rows if rows is not None and (limit is None or limit > rows) else None
        fmt = _RESULTS_FORMATS.get(reply.content_type)
        if fmt is None:
            raise StoreError(502, f"the store answered a {form} query with {reply.content_type}")
        try:
            return parse_query_results(_normalised(reply.body, fmt), format=fmt)
        except (SyntaxError, ValueError) as error:
            raise unreadable(error) from None

    def update(self, update: str) -> None:
        """Run a SPARQL update on the update endpoint (a ``StoreError`` if there is none)."""
        url = self.endpoint.update
        if not url:
            raise StoreError(403, "no update endpoint is configured "
                                  "(EVKG_SPARQL_UPDATE_ENDPOINT)")
        post(self.endpoint, url, form=[("update", update)])

    def count(self, query: str) -> int:
        """The integer in the first binding of a ``SELECT (COUNT(…) AS ?n)`` over the store's
        whole dataset (no graphs sent)."""
        try:
            return first_count(self.query(query))
        except SyntaxError as error:  # (its rows are read as they are taken)
            raise unreadable(error) from None


def unreadable(error: Exception) -> StoreError:
    """A store's answer that could not be read (pyoxigraph's ``error``), as a bad gateway."""
    return StoreError(502, f"the store's answer could not be read: {error}")


def rows(results: object) -> Iterator[QuerySolution]:
    """The rows of a SELECT's ``results``. A remote store's are parsed as they are taken: an
    answer that breaks off among them (a proxy's time-out, a store that stopped) is a
    ``StoreError``, as one that breaks off in its head is, not pyoxigraph's ``SyntaxError``
    where they are read (the server did not start, reading its version so)."""
    assert isinstance(results, QuerySolutions), "a SELECT query gives solutions"
    try:
        yield from results
    except SyntaxError as error:
        raise unreadable(error) from None


def triples_from(reply: Reply) -> list[Triple]:
    """The triples of an N-Triples or Turtle answer."""
    fmt = RdfFormat.from_media_type(reply.content_type)
    if fmt is None or fmt.supports_datasets:
        raise StoreError(502, f"the store answered a graph query with {reply.content_type}")
    try:
        return [_canonical(quad.triple) for quad in parse(reply.body, format=fmt)]
    except (SyntaxError, ValueError) as error:
        raise StoreError(502, f"the store's answer could not be read: {error}") from None


def describe(store: object) -> dict[str, str]:
    """What /health says about the backend."""
    if isinstance(store, RemoteStore):
        return {"backend": "remote", "store": "remote", "endpoint": store.url}
    return {"backend": "embedded", "store": "embedded"}
