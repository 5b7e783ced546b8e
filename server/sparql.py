"""The SPARQL 1.1 Protocol endpoint at ``/sparql`` (read-only unless the operator sets a token).

A request is read into an ``Operation`` (query or update, dataset, ``format``), checked (one
operation, UTF-8, graph IRIs, SERVICE targets), negotiated, then answered from the result cache
or by the executor. A POST is handled by its Content-Type; anything else is a 415.
"""

from __future__ import annotations

import hmac
import re
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from urllib.parse import unquote_to_bytes, urljoin, urlsplit, urlunsplit

from flask import Blueprint, Response, current_app, request
from pyoxigraph import NamedNode
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge

from kg import iris
from kg.backends import RemoteStore
from kg.querytext import (
    has_dataset_clause,
    is_volatile,
    nesting_message,
    normalised,
    query_form,
    update_keyword,
)
from server.cache import cache_key
from server.downloads import release_file_path
from server.editor import editor_link
from server.errors import (
    GRAPH_STORE_ALLOW,
    ProtocolError,
    error_response,
    failure_response,
    graph_store_write,
    names_a_graph,
)
from server.executor import Answer, Failure, QueryJob
from server.federation import Target, check_services, service_targets, unnamed_endpoints
from server.graph import select
from server.limits import Admission
from server.logs import log_if_slow, note_query
from server.meta import service_description_response
from server.negotiation import (
    RDF_TYPES,
    RESULTS_TYPES,
    NotAcceptable,
    choose_media_type,
    first_named_type,
    format_names,
    graph_fallback,
    wants_html,
)
from server.pages import editor_response
from server.parsing import SyntaxCheck
from server.querypool import ANSWER_TOO_LONG, QueryPool
from server.state import state

#: Content types a query POST may have.
QUERY_POST_TYPES = ("application/x-www-form-urlencoded", "application/sparql-query")
#: Content types an update POST may have.
UPDATE_POST_TYPES = ("application/x-www-form-urlencoded", "application/sparql-update")
#: Says that the answer stops at the row (or triple) cap: ``rows=10000``.
TRUNCATED_HEADER = "X-EVKG-Truncated"
#: ``hit`` when the answer came from the result cache, ``miss`` when it was computed.
CACHE_HEADER = "X-EVKG-Cache"
#: Response headers a browser script may read (YASGUI shows truncation from it).
EXPOSED_HEADERS = f"ETag, {TRUNCATED_HEADER}, {CACHE_HEADER}"
#: Request headers a page on another origin may send: a query's type and the answer's, the
#: operator's token for updates, a conditional GET, a byte range of a download.
CORS_REQUEST_HEADERS = "Content-Type, Accept, Authorization, If-None-Match, Range"

#: An HTTP header name (RFC 9110 token): what a preflight may name, nothing else is echoed.
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def allowed_request_headers() -> str:
    """``Access-Control-Allow-Headers`` of a preflight: ``CORS_REQUEST_HEADERS`` and whatever
    else it asks to send (``X-Requested-With`` of jQuery-based editors, a client's own): the
    answers are public and no credentials ride on them, so no header needs refusing (a name
    that is no HTTP token is left out)."""
    names = {name.strip().lower(): name.strip() for name in CORS_REQUEST_HEADERS.split(",")}
    for name in request.headers.get("Access-Control-Request-Headers", "").split(","):
        if name.strip() and _TOKEN.fullmatch(name.strip()):
            names.setdefault(name.strip().lower(), name.strip())
    return ", ".join(names.values())


@dataclass(frozen=True)
class Operation:
    """One protocol request: a query or an update, with its dataset and format parameters."""

    query: str | None
    update: str | None
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    formats: tuple[str, ...]


def offered_types(query: str) -> tuple[str, ...]:
    return RDF_TYPES if query_form(query) in ("CONSTRUCT", "DESCRIBE") else RESULTS_TYPES


def _check_charset(text: bytes) -> None:
    """The body's charset must be UTF-8 (the protocol's encoding), unless its ``text`` (a
    form's once percent-decoded) is ASCII and reads, in that charset, as the same ASCII:
    ISO-8859-1, which Apache HttpClient's forms name by default, US-ASCII, windows-1252 (such a
    body was a 415 until 6 Dec, which Fuseki and Oxigraph's server answer). The text itself is
    read: ISO-2022-JP reads the 128 ASCII bytes as ASCII, but its escapes write Japanese in
    them."""
    # an empty one (``charset=""``) names none, as ``charset=`` does (werkzeug drops that)
    charset = request.mimetype_params.get("charset", "").strip().lower() or "utf-8"
    if charset in ("utf-8", "utf8") or (text.isascii() and _reads_as_ascii(text, charset)):
        return
    raise ProtocolError(415, f"the body is in {charset}; send it in UTF-8")


def _reads_as_ascii(text: bytes, charset: str) -> bool:
    try:
        return text.decode(charset) == text.decode("ascii")
    except (LookupError, ValueError):  # no such charset, one that is no text encoding, or
        return False                   # text it does not read


def _body() -> bytes:
    """The request body. A chunked one (no Content-Length) longer than the limit is a 413:
    werkzeug stops reading it at the limit, and the query ran cut there."""
    data = request.get_data()
    limit = request.max_content_length
    if (request.content_length is None and limit is not None and len(data) >= limit
            and request.environ["wsgi.input"].read(1)):
        raise RequestEntityTooLarge()
    return data


def _body_text() -> str:
    """The request body as text: UTF-8 only (the protocol's encoding)."""
    data = _body()
    _check_charset(data)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProtocolError(400, f"the body is not valid UTF-8: {error}") from None


#: A ``%`` that does not begin a percent-encoding (two hex digits after it).
_BAD_PERCENT = re.compile(rb"%(?![0-9A-Fa-f]{2})")
#: What such a ``%`` begins, for the message: ``%ZZ``, ``%G``, ``%``.
_WRITTEN_PERCENT = re.compile(rb"%[0-9A-Za-z]{0,2}")


#: A parameter (``name=value``, between ``&``) that holds a byte past ASCII, as itself or
#: percent-encoded: its start is the match's.
_BEYOND_ASCII = re.compile(rb"(?:^|(?<=&))[^&]*?(?:%[89A-Fa-f]|[\x80-\xff])")
#: What each parameter holds, as a refusal names it ("percent-encode the graph IRI whole").
_PARAMETER_TEXT = {"query": "query", "update": "update", "graph": "graph IRI",
                   "default-graph-uri": "graph IRI", "named-graph-uri": "graph IRI",
                   "using-graph-uri": "graph IRI", "using-named-graph-uri": "graph IRI"}


def check_encoded_utf8(raw: bytes, where: str, what: str | None = None) -> None:
    """Percent-encoded text must be UTF-8 once decoded (werkzeug keeps ``%E9`` as those three
    characters, so a query written in Latin-1 ran as a different query), and each ``%`` must
    begin a percent-encoding: werkzeug keeps ``%ZZ`` as written too, and the query ran on it
    (Jetty, under Fuseki, refuses such a URL). A refusal names the parameter (``what``: the
    text to encode, else what that parameter holds) and counts characters, not bytes (a
    client may send ``é`` as itself, in UTF-8)."""
    bad = _BAD_PERCENT.search(raw)
    if bad is not None:
        written = _WRITTEN_PERCENT.match(raw, bad.start()).group().decode()  # type: ignore[union-attr]
        position = len(raw[:bad.start()].decode("utf-8", "replace")) + 1
        holds, text = _parameter(raw, raw.rfind(b"&", 0, bad.start()) + 1, what)
        raise ProtocolError(400, f"the {where} has '{written}' at character {position}, "
                                 "which is no percent-encoding (a '%' and two hex digits), "
                                 f"{holds}: write a '%' as %25, and percent-encode the {text} "
                                 "whole")
    try:
        unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError as error:
        start = 0  # the parameter it is in: the first of those holding a byte past ASCII
        for found in _BEYOND_ASCII.finditer(raw):  # (each pair read once, so linear)
            start = found.start()
            end = raw.find(b"&", start)
            if not _decodes(raw[start:end if end >= 0 else len(raw)]):
                break
        holds, text = _parameter(raw, start, what)
        raise ProtocolError(400, f"the {where} is not UTF-8 once percent-decoded (byte "
                                 f"0x{error.object[error.start]:02X}) {holds}: percent-encode "
                                 f"the {text}'s UTF-8 bytes") from None


def _decodes(pair: bytes) -> bool:
    try:
        unquote_to_bytes(pair.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _parameter(raw: bytes, start: int, what: str | None) -> tuple[str, str]:
    """Where the parameter of ``raw`` that begins at ``start`` is (``in its 'graph'
    parameter``), and what it holds (``graph IRI``), unless ``what`` says that."""
    end = raw.find(b"&", start)
    name = unquote_to_bytes(raw[start:end if end >= 0 else len(raw)].partition(b"=")[0].replace(
        b"+", b" ")).decode("utf-8", "replace")
    name = name if len(name) <= 40 else name[:40].rstrip() + "…"
    holds = f"in its {name!r} parameter" if name else "in a parameter with no name"
    return holds, what or _PARAMETER_TEXT.get(name, f"{name!r} value" if name else "value")


def _one(name: str, values: list[str]) -> str | None:
    if len(values) > 1:
        raise ProtocolError(400, f"more than one '{name}' parameter: send one operation per "
                                 "request")
    return values[0] if values else None


def _formats(*fields: MultiDict[str, str]) -> tuple[str, ...]:
    """The ``format`` values asked for, and Fuseki's ``output`` (``output=csv``) after them."""
    return tuple(v for name in ("format", "output") for f in fields for v in f.getlist(name))


def read_operation() -> Operation:
    """The operation a request carries, or a ``ProtocolError`` (400, 415)."""
    args = request.args
    check_encoded_utf8(request.query_string, "query string")
    if request.method in ("GET", "HEAD"):
        if "update" in args:
            raise ProtocolError(400, "an update cannot be sent by GET: POST it as "
                                     "application/sparql-update or as an 'update' form field")
        return Operation(_one("query", args.getlist("query")), None,
                         tuple(args.getlist("default-graph-uri")),
                         tuple(args.getlist("named-graph-uri")), _formats(args))
    content_type = (request.mimetype or "").lower()
    if content_type == "application/x-www-form-urlencoded":
        _check_charset(unquote_to_bytes(_body().replace(b"+", b" ")))
        check_encoded_utf8(_body(), "form body")
        form = request.form
        query = _one("query", form.getlist("query") + args.getlist("query"))
        update = _one("update", form.getlist("update"))
        if query is not None and update is not None:
            raise ProtocolError(400, "a request carries either 'query' or 'update', not both")
        graphs = ("using-graph-uri", "using-named-graph-uri") if update is not None else \
            ("default-graph-uri", "named-graph-uri")
        return Operation(query, update, tuple(form.getlist(graphs[0]) + args.getlist(graphs[0])),
                         tuple(form.getlist(graphs[1]) + args.getlist(graphs[1])),
                         _formats(args, form))
    if content_type == "application/sparql-query":
        if "query" in args:
            raise ProtocolError(400, "a query both in the URL and in the body: send one")
        query = _body_text()
        if query.removeprefix("\ufeff").lstrip().startswith("query="):  # no SPARQL begins so
            raise ProtocolError(400, "the application/sparql-query body is a form (query=…): "
                                     "send the query alone in it, or send the form as "
                                     "application/x-www-form-urlencoded")
        return Operation(query, None, tuple(args.getlist("default-graph-uri")),
                         tuple(args.getlist("named-graph-uri")), _formats(args))
    if content_type == "application/sparql-update":
        return Operation(None, _body_text(), tuple(args.getlist("using-graph-uri")),
                         tuple(args.getlist("using-named-graph-uri")), ())
    if names_a_graph():  # a Graph Store Protocol write
        raise graph_store_write()
    raise ProtocolError(
        415, f"unsupported Content-Type {request.mimetype or '(none)'}; a query POST takes "
        f"{' or '.join(QUERY_POST_TYPES)}, an update POST takes {' or '.join(UPDATE_POST_TYPES)}")


def _bad_graph(iris: tuple[str, ...]) -> Failure | None:
    for iri in iris:
        try:
            NamedNode(iri)
        except ValueError as error:
            return Failure(400, f"bad graph IRI <{iri}> in default-graph-uri or "
                                f"named-graph-uri: {error}")
    return None


def _explained(failure: Failure, query: str, targets: list[Target]) -> Failure:
    """A syntax error on an update sent as a query says what happened; a federated query that
    failed (502) or ran out of time (503) names the endpoints it calls (its ``targets``), as
    the store's own error ("Connection refused (os error 111)") may name none; one that never
    ran (``Failure.ran``: its check took the time limit) does not."""
    if failure.status in (502, 503) and failure.ran:
        where = unnamed_endpoints(targets, failure.message)
        if where is not None:
            what = "may be spending the time at" if failure.status == 503 else "calls"
            return replace(failure, message=f"{failure.message.rstrip()} (the query {what} "
                                            f"SERVICE {where})")
    keyword = update_keyword(query)
    if failure.status != 400 or keyword is None or not failure.message.startswith("bad query"):
        return failure
    return Failure(400, f"bad query: this is a SPARQL update ({keyword}), not a query; updates "
                        "go in an 'update' parameter (this public endpoint refuses them). "
                        f"Parser: {failure.message.removeprefix('bad query: ')}")


def query_response(operation: Operation, query: str) -> Response:
    """Answer a query: from the cache when it can, else from the executor."""
    note_query(query)  # (for the log: a failure or a slow answer names it)
    if not query.strip():
        return error_response(400, "empty query: send a SPARQL query as ?query=, as a form "
                                   "field, or as an application/sparql-query body")
    nesting = nesting_message(query)
    if nesting is not None:
        return error_response(400, f"bad query: {nesting}")
    graphs = operation.default_graphs + operation.named_graphs
    failure = _bad_graph(graphs)
    if failure is not None:
        return failure_response(failure)
    st = state()
    targets = service_targets(query)
    failure = check_services(targets, st.limits.service_allowlist)
    if failure is not None:  # before anything parses the query: nothing else may call them
        return failure_response(failure)
    offered = offered_types(query)
    try:
        media_type = choose_media_type(request.headers.get("Accept"), offered, operation.formats)
    except NotAcceptable as unacceptable:
        # a query that does not parse is a 400 saying why, whatever the client accepts: the
        # check's own (running the query for it parsed it a second time, until 6 Dec)
        failure = _syntax_check(query)
        if failure is not None:
            return _refusal(failure, query)
        fallback = None if operation.formats or offered != RDF_TYPES else \
            graph_fallback(request.headers.get("Accept"))
        if fallback is None:
            raise _of_the_other_kind(unacceptable, operation, query) from None
        media_type = fallback
    job = QueryJob(query, media_type, operation.default_graphs, operation.named_graphs,
                   union=not graphs and not has_dataset_clause(query),
                   max_rows=st.limits.max_rows, base_iri=iris.base_iri())
    # Answers that call other endpoints are not reused: those endpoints change; nor are those of
    # NOW(), RAND(), STRUUID() …, which differ each run.
    cache = st.cache if not targets and not is_volatile(query) else None
    key = cache_key(st.answers_of, job, normalised(query)) if cache is not None else None
    get = request.method in ("GET", "HEAD")
    computing: AbstractContextManager[Answer | Failure | None] = nullcontext()
    if cache is not None and key is not None:
        answer = cache.get(key)
        if answer is not None:
            return _answer_response(answer, key, get, hit=True)
        # a computation ends within the time limit; with none (EVKG_QUERY_TIMEOUT=0) it may run
        # for minutes, and an asker waits for its end rather than run the query a second time
        limit = st.limits.query_timeout
        computing = cache.computing(key, wait=limit + 5 if limit > 0 else None)
    admission: Admission = current_app.extensions["evkg-admission"]
    with admission.admitted() as refused:
        if refused is not None:
            return failure_response(refused)
        with computing as computed:
            if isinstance(computed, Failure):  # the computation this request waited for failed
                return failure_response(_explained(computed, query, targets))
            if computed is not None:
                return _answer_response(computed, key, get, hit=True)
            outcome = st.executor.execute(job)
            if cache is not None and key is not None:
                cache.settle(key, outcome)
            if isinstance(outcome, Failure):
                return failure_response(_explained(outcome, query, targets))
    return _answer_response(outcome, key, get, hit=False)


def _of_the_other_kind(refused: NotAcceptable, operation: Operation,
                       query: str) -> NotAcceptable:
    """The 406 ``refused`` of a query, unless its ``format`` names a type of the other kind of
    answer (``format=csv`` of a CONSTRUCT, whose answer is a graph): then it says so and names
    by their short names the formats that fit."""
    named = first_named_type(operation.formats)
    offered = refused.offered
    graph = offered == RDF_TYPES
    if named is None or named not in (RESULTS_TYPES if graph else RDF_TYPES):
        return refused
    asked = next(v.strip() for v in operation.formats if first_named_type([v]) == named)
    names = format_names(offered)
    fitting = f"{', '.join(names[:-1])} or {names[-1]}"
    form = query_form(query)
    article = "an" if form == "ASK" else "a"
    why = (f"{article} {form} query's answer is a graph: {asked} names a format of SELECT and ASK "
           f"results; a graph's are format={fitting}") if graph else (
        f"{article} {form} query's answer is {'a table of results' if form == 'SELECT' else 'true or false'}"
        f": {asked} names an RDF syntax, of CONSTRUCT and DESCRIBE answers; results' are "
        f"format={fitting}")
    return NotAcceptable(f"{refused.wanted} ({why})", offered)


def _describe(response: Response, key: str | None, get: bool) -> None:
    """Headers every /sparql answer carries (and its 304: ``server.gzipping`` keeps them)."""
    response.headers["Vary"] = "Accept"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if key is not None and get:
        response.set_etag(key)
        max_age = int(current_app.config.get("CACHE_MAX_AGE", 600))
        response.headers["Cache-Control"] = f"public, max-age={max_age}"


def _syntax_check(query: str) -> Failure | None:
    """None when ``query`` parses, else its 400, or the 503 of a check that ran out of time (or
    that this server process had no room for): the check runs where queries run, under their
    time limit (``server.parsing``), and is admitted as a query is."""
    admission: Admission = current_app.extensions["evkg-admission"]
    with admission.admitted() as refused:
        if refused is not None:
            return refused
        return state().executor.check(SyntaxCheck(query, iris.base_iri()))


def _refusal(failure: Failure, query: str) -> Response:
    """The answer to a query its syntax check refused: its 400, as running the query gives it
    (``_explained``: an update sent as a query says so), or the 503 of the check as it is (it
    ran nothing, at no SERVICE)."""
    return failure_response(_explained(failure, query, []) if failure.status == 400 else failure)


def _answer_response(answer: Answer, key: str | None, get: bool, hit: bool) -> Response:
    log_if_slow(200)
    response = Response(answer.body, content_type=answer.content_type)
    _describe(response, key, get)
    if answer.truncation:
        response.headers[TRUNCATED_HEADER] = answer.truncation
    if key is not None:
        response.headers[CACHE_HEADER] = "hit" if hit else "miss"
    return response


#: The refusal of a query sent in the 'update' field. SPARQLWrapper 2.0 sends one there when it
#: reads the query's form from a comment: its pattern strips every other comment line and takes
#: an update keyword anywhere in the rest ("remove" is MOVE, "address" ADD, "loaded" LOAD).
QUERY_AS_UPDATE = (
    "bad update: this is a {form} query, sent as an update (the 'update' form field); send it "
    "as 'query'. SPARQLWrapper does this when a comment line of the "
    "query holds an update keyword, even inside a word ('remove' reads as MOVE, 'address' as "
    "ADD): set `sparql.queryType = \"{form}\"` after `setQuery`, or drop the comments")


def update_response(operation: Operation, update: str) -> Response:
    """Run an update for the operator (token), or refuse it: the public endpoint is read-only."""
    token = str(current_app.config.get("UPDATE_TOKEN") or "")
    form = query_form(update) if update_keyword(update) is None else None
    if form is not None:  # a query sent as an update: say so, and how a client comes to it
        return error_response(400, QUERY_AS_UPDATE.format(form=form))
    if not token:
        return error_response(403, "this endpoint is read-only: SPARQL updates (INSERT, DELETE, "
                                   "LOAD, CLEAR, …) are refused")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    # a header's bytes arrive read as Latin-1: a token beyond ASCII matches as a client sent
    # it, in UTF-8 (curl) or in Latin-1 (Python's http.client, browsers); no timing hint
    wanted = token.encode("utf-8")
    if not (hmac.compare_digest(given.encode("utf-8"), wanted)
            | hmac.compare_digest(given.encode("latin-1", "replace"), wanted)):
        return error_response(403, "updates need the operator's token in an "
                                   "'Authorization: Bearer …' header")
    if operation.default_graphs or operation.named_graphs:
        return error_response(400, "using-graph-uri and using-named-graph-uri are not "
                                   "supported; name graphs with USING or WITH in the update")
    failure = state().executor.update(update)
    if failure is not None:
        return failure_response(failure)
    state().asked.clear()  # what pages asked of the graph may have changed
    return Response(status=204)


def preflight_response() -> Response:
    """The CORS preflight answer: any origin may GET or POST queries. A Graph Store URL's lets
    a page's PUT, POST and DELETE through to their 405 (the browser stopped them here, and its
    script read a network error, never that the graphs are read-only); its ``Allow`` is the
    405's."""
    graph_store = names_a_graph()
    response = Response(status=204)
    response.headers.update({
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Methods": "GET, POST, PUT, DELETE, OPTIONS" if graph_store
        else "GET, POST, OPTIONS",
        "Access-Control-Allow-Headers": allowed_request_headers(),
        "Access-Control-Max-Age": "86400",
        "Allow": GRAPH_STORE_ALLOW if graph_store else "GET, HEAD, POST, OPTIONS",
    })
    return response


def _wants_editor(operation: Operation, offered: tuple[str, ...]) -> bool:
    """Whether a GET asks for a page: ``?format=html`` (the first ``format`` or ``output``
    value this server knows), as on every resource's page (until 7 Dec a 406 here), or with
    no format named, an Accept that wants HTML before the types of the answer (``offered``:
    a browser's)."""
    if operation.formats:
        return first_named_type(operation.formats) == "text/html"
    return wants_html(request.headers.get("Accept"), offered)


def _opened_in_a_browser(operation: Operation, query: str) -> bool:
    """A link to a query opened in a browser: a GET of ``?query=`` alone (with a ``format`` or
    ``output`` of ``html``), HTML wanted first. Its Accept also takes ``application/xml;q=0.9``,
    so the results came as a SPARQL XML file to download; the editor shows them, as UniProt's
    and Virtuoso's endpoints show a table. HEAD is answered as GET (a link checker asks HEAD
    first, with a browser's Accept). A query whose SERVICE is refused gets the refusal
    instead."""
    return (request.method in ("GET", "HEAD")
            and set(request.args) <= {"query", "format", "output"}
            and bool(query.strip()) and _wants_editor(operation, offered_types(query))
            and nesting_message(query) is None
            and check_services(service_targets(query), state().limits.service_allowlist) is None)


def _editor_running(query: str) -> Response:
    """A 303 to the query editor with ``query`` in its share-link form (``/#query=…``), which
    YASGUI opens in a tab and runs, when the query parses; else the check's 400 page, saying
    what is wrong (until 6 Dec the query was run for it, and parsed a second time), or the 503
    of a check past the time limit, logged naming the query."""
    note_query(query)
    failure = _syntax_check(query)
    if failure is not None:
        return _refusal(failure, query)
    return _to_editor(query)


def _to_editor(query: str, title: str = "") -> Response:
    """A 303 to the query editor running ``query``, in a tab named ``title``."""
    response = Response(status=303, headers={"Vary": "Accept"})
    response.location = editor_link(query, title)
    return response


def graph_store_response(operation: Operation) -> Response:
    """A Graph Store Protocol GET or HEAD (SPARQL 1.1 Graph Store HTTP Protocol §4.2, §5.2) of
    the named graph ``?graph=IRI``, or of the default graph ``?default`` (the union of the named
    graphs, as for queries): answered as the CONSTRUCT of its triples is (negotiated, cached),
    but whole or not at all (``_whole``); a graph the dataset does not hold is a 404. A link
    opened in a browser is sent to the editor running that CONSTRUCT. Until 6 Dec such a GET
    was answered with the Service Description."""
    names = request.args.getlist("graph")
    if names and "default" in request.args:
        raise ProtocolError(400, "a Graph Store Protocol request names one graph: ?graph=IRI "
                                 "or ?default, not both")
    if len(names) > 1:
        raise ProtocolError(400, "more than one 'graph' parameter: a Graph Store Protocol "
                                 "request names one graph")
    for dataset in ("default-graph-uri", "named-graph-uri"):
        if dataset in request.args:  # the graph was read within that dataset: found empty
            raise ProtocolError(400, "a Graph Store Protocol request (?graph= or ?default) "
                                     f"takes no '{dataset}': it names its graph alone")
    graph = None
    if names:
        graph = _named_graph(names[0])
        # not ASK: Virtuoso 7.2 finds one empty solution in a graph outside the dataset
        if not any(select(f"SELECT ?s WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }} LIMIT 1")):
            raise ProtocolError(404, f"no graph {graph} in this dataset: its graphs are listed "
                                     "by SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    where = "?s ?p ?o" if graph is None else f"GRAPH {graph} {{ ?s ?p ?o }}"
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {where} }}"
    # a link opened in a browser (HTML first; its application/xml;q=0.9 took RDF/XML, a file
    # to download): the editor shows the graph, as it shows a query link's results
    if _wants_editor(operation, RDF_TYPES):
        return _to_editor(query, "default graph" if graph is None
                          else graph.value.removeprefix(iris.base_iri()))
    return _whole(query_response(operation, query), graph)


def _named_graph(name: str) -> NamedNode:
    """The graph ``?graph=`` names. A relative IRI (``graph/metadata``) is resolved against the
    request's URL, as Oxigraph's server resolves it; a URL of this server stands for the base
    IRI's (``/graph/metadata``, ``http://127.0.0.1:8000/graph/metadata`` for
    ``<base>graph/metadata``), as its pages do, and relative IRIs in queries resolve against
    the base IRI; but an IRI under the base IRI is itself, on a server whose URL it is also
    under (the base IRI's host, at its root): its path was put under the base a second time."""
    if not name:
        raise ProtocolError(400, "the 'graph' parameter is empty: name a graph by its IRI "
                                 "(?graph=IRI), or ask for the default graph (?default)")
    try:
        resolved = urljoin(request.base_url, name)
    except ValueError:  # ("//[x": urllib reads a host that is no IPv6 address)
        resolved = ""
    base, root = iris.base_iri(), _normalised_url(request.url_root)
    here = _normalised_url(resolved)
    if resolved.startswith(base) and len(base) >= len(root):  # (the nearer of the two)
        iri = resolved
    elif here.startswith(root):
        iri = base + here[len(root):]
    else:
        iri = name
    try:
        return NamedNode(iri)
    except ValueError as error:
        raise ProtocolError(400, f"bad graph IRI <{name}> in 'graph': {error}") from None


#: The port a URL of each scheme names when it names none.
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _normalised_url(url: str) -> str:
    """``url`` with its scheme and host in lower case and without its scheme's own port
    (``HTTP://LOCALHOST:80/a`` is ``http://localhost/a``, RFC 3986 §6.2.2, §6.2.3), to tell
    whether it is one of this server's; as it is when it cannot be read."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # (a port that is no number, a bracket left open)
        return url
    host = (parts.hostname or "").lower()
    if ":" in host:  # an IPv6 address, written in brackets in a URL
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        host += f":{port}"
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = f"{userinfo}@{host}" if userinfo else host
    return urlunsplit((parts.scheme.lower(), netloc, parts.path, parts.query, parts.fragment))


def _whole(response: Response, graph: NamedNode | None) -> Response:
    """A Graph Store GET's ``response``, unless it is cut at the triple cap or refused as
    longer than the longest answer: a client (rdflib's ``Graph().parse``) reads no
    ``X-EVKG-Truncated`` and took part of the graph for all of it, and the answer-size 403
    told it to "ask for fewer rows (a LIMIT)", which a GET of a graph cannot. Such a graph is
    refused (403), saying where it is whole: the release's dump (a graph of it streamed from
    the store would be read past the query limits' time and admission), or in parts."""
    too_long = response.status == f"403 {ANSWER_TOO_LONG}"
    if TRUNCATED_HEADER not in response.headers and not too_long:
        return response
    cap = state().limits.max_rows
    what, dump = ("the default graph (the union of the named graphs)", "evkg.nt.gz") \
        if graph is None else (f"the graph {graph}", "evkg.nq.gz")
    # (without ORDER BY, SPARQL gives no one order from one answer to the next)
    pattern = "?s ?p ?o" if graph is None else f"GRAPH {graph} {{ ?s ?p ?o }}"
    part, fit = (str(cap), "") if cap and not too_long else (
        "N", " (N small enough for each part to fit)")
    where = ("query it in parts, in one order (without ORDER BY the parts may overlap and "
             f"leave triples out): CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {pattern} }} ORDER BY ?s "
             f"?p ?o LIMIT {part} OFFSET 0, then OFFSET {part}, and so on{fit}; " + _BLANK_NODES[
                 isinstance(state().store, RemoteStore)])
    if release_file_path(dump) is not None:
        url = request.url_root + "downloads/" + dump
        where = (f"the whole release, as N-Triples, is {url} (gzip); or {where}" if graph is None
                 else f"the whole release, every graph, as N-Quads, is {url} (gzip; the "
                      f"graph's triples are its lines that end in {graph} .); or {where}")
    if too_long:
        executor = state().executor
        longest = executor.max_answer if isinstance(executor, QueryPool) else 0
        said = (f"{what} is larger than the longest answer this server sends ({longest:,} "
                "bytes, EVKG_MAX_ANSWER_BYTES)")
    else:
        said = (f"{what} holds more than {cap} triples, the most an answer of this endpoint "
                "carries (EVKG_MAX_ROWS)")
    refusal = error_response(403, f"{said}, and a Graph Store Protocol GET is not answered "
                                  f"with part of a graph: {where}")
    refusal.status = f"403 {ANSWER_TOO_LONG if too_long else GRAPH_OVER_CAP}"
    return refusal


#: What the parts of a graph over the cap keep of its blank nodes, read apart or joined (an
#: answer is a document, whose blank nodes are its own: rdflib's ``parse`` of each part into
#: one graph split every author list whose nodes fell in two parts), by this server's own
#: store (False: which writes a blank node with one label in every answer) or a remote one.
_BLANK_NODES = {
    False: "a blank node (an article's author list) keeps its label from one part to the next, "
           "but each part read as a graph of its own has blank nodes of its own, and the lists "
           "come apart: ask for N-Triples and read the parts joined, as one document",
    True: "a blank node (an article's author list) may be labelled anew in each part by the "
          "store this server queries, so the parts may not hold the lists whole",
}


#: The reason phrase of ``_whole``'s 403: an RDF client shows the status line, not the body
#: (rdflib's "HTTP Error 403: FORBIDDEN" read as a graph its user may not read).
GRAPH_OVER_CAP = "Graph Larger Than The Triple Cap (EVKG_MAX_ROWS)"


def _fields(names: list[str]) -> str:
    """The fields of a form, named (the first 40 characters of the first name)."""
    first = names[0] if len(names[0]) <= 40 else names[0][:40].rstrip() + "…"
    return (f"one named {first!r}" if len(names) == 1
            else f"{len(names)}, the first named {first!r}")


def create_sparql_blueprint() -> Blueprint:
    bp = Blueprint("sparql", __name__)

    @bp.route("/sparql", methods=["GET", "POST", "OPTIONS"])
    def sparql() -> Response:
        if request.method == "OPTIONS":
            return preflight_response()
        operation = read_operation()
        # a byte order mark an editor wrote before the text is no part of it (body, form, URL)
        if operation.update is not None:
            return update_response(operation, operation.update.removeprefix("\ufeff"))
        if operation.query is not None:
            query = operation.query.removeprefix("\ufeff")
            if names_a_graph():  # (its graph was left aside: the query ran on the union)
                raise ProtocolError(400, "'graph' and 'default' name a graph to read whole by "
                                         "the Graph Store Protocol, which takes no query: to "
                                         "query one graph, name it in the query (FROM <g>, or "
                                         "GRAPH <g> { … }) or as default-graph-uri=")
            if _opened_in_a_browser(operation, query):
                return _editor_running(query)
            return query_response(operation, query)
        if request.method in ("GET", "HEAD"):
            if names_a_graph():
                return graph_store_response(operation)
            if _wants_editor(operation, RDF_TYPES):  # (the Service Description is RDF)
                return editor_response()
            return service_description_response(page=True)
        if "update" in request.args:
            raise ProtocolError(400, "an 'update' in the URL is not read: the protocol takes an "
                                     "update only as a form field or an application/"
                                     "sparql-update body")
        fields = list(request.form) if request.mimetype == QUERY_POST_TYPES[0] else []
        if fields:  # ``curl -d 'SELECT …'``: the query is the name of a field
            raise ProtocolError(400, f"the form has no 'query' field, only {_fields(fields)}: "
                                     "a query sent as a form is the value of its 'query' field "
                                     "(curl's -d sends a form: --data-urlencode 'query=…'); or "
                                     "send the query alone, as an application/sparql-query body")
        raise ProtocolError(400, "missing 'query' parameter: send a SPARQL query as ?query=, "
                                 "as a form field, or as an application/sparql-query body")

    return bp
