"""Content negotiation for every route, in one function with no Flask in it.

``choose_media_type`` picks, from the media types a response can take (server's preference
first), the one the client wants: a ``?format=`` value wins, then the ``Accept`` header with its
q-values and wildcards, and a missing or empty ``Accept`` gets the first offered type. Aliases
(``application/json`` for SPARQL JSON results, or for JSON-LD when the answer is a graph) are
matched too but the canonical type is returned, so one answer has one media type.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

#: SELECT/ASK result media types, preferred first.
RESULTS_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "text/plain",  # an aligned table, for people at a terminal (Fuseki's "text")
)
#: CONSTRUCT/DESCRIBE (and resource) media types, preferred first.
RDF_TYPES = (
    "text/turtle",
    "application/n-triples",
    "application/n-quads",
    "application/trig",
    "application/ld+json",
    "application/rdf+xml",
)
#: Other names clients use for a results type (matched after the canonical ones).
RESULTS_ALIASES = {
    "application/json": "application/sparql-results+json",
    "text/javascript": "application/sparql-results+json",
    "application/javascript": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
}
#: Other names clients use for an RDF syntax (Turtle is a subset of N3, so N3 readers take it;
#: ``text/plain`` is N-Triples' older name, which rdflib's ``parse(url, format="nt")`` asks for
#: and Oxigraph's and Jena's servers read so; ``text/x-nquads`` and ``application/x-trig``
#: are N-Quads' and TriG's names before their registration, which Jena's servers still read).
RDF_ALIASES = {
    "text/plain": "application/n-triples",
    "application/turtle": "text/turtle",
    "application/x-turtle": "text/turtle",
    "text/n3": "text/turtle",
    "text/rdf+n3": "text/turtle",
    "application/n3": "text/turtle",
    "application/x-json+ld": "application/ld+json",
    "application/json": "application/ld+json",
    "application/xml": "application/rdf+xml",
    "text/xml": "application/rdf+xml",
    "text/x-nquads": "application/n-quads",
    "application/x-trig": "application/trig",
}
#: ``?format=`` short names → media type.
FORMAT_NAMES = {
    "json": "application/sparql-results+json",
    "srj": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "srx": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "text": "text/plain",
    "txt": "text/plain",
    "ttl": "text/turtle",
    "turtle": "text/turtle",
    "n3": "text/turtle",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "n-triples": "application/n-triples",
    "nq": "application/n-quads",
    "nquads": "application/n-quads",
    "n-quads": "application/n-quads",
    "trig": "application/trig",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "rdf": "application/rdf+xml",
    "rdfxml": "application/rdf+xml",
    "rdf+xml": "application/rdf+xml",
    "owl": "application/rdf+xml",
    "html": "text/html",
    "bib": "application/x-bibtex",
    "bibtex": "application/x-bibtex",
    "ris": "application/x-research-info-systems",
    "csl": "application/vnd.citationstyles.csl+json",
    "csl-json": "application/vnd.citationstyles.csl+json",
}
#: For graph results, the short names that mean an RDF syntax rather than a results format.
GRAPH_FORMAT_ALIASES = {"json": "application/ld+json", "xml": "application/rdf+xml"}
#: For an answer in plain JSON (the downloads listing, search results), its short name.
JSON_FORMAT_ALIASES = {"json": "application/json"}


class NotAcceptable(Exception):
    """No offered media type satisfies the request; the message lists what is offered."""

    def __init__(self, wanted: str, offered: Sequence[str]) -> None:
        self.wanted, self.offered = wanted, tuple(offered)
        super().__init__(f"cannot answer with {wanted}; available: {', '.join(offered)}")


def aliases_for(offered: Sequence[str]) -> dict[str, str]:
    """The alias table that fits ``offered`` (graph syntaxes or results formats)."""
    if offered and offered[0] in RDF_TYPES:
        return RDF_ALIASES
    if offered and offered[0] in RESULTS_TYPES:
        return RESULTS_ALIASES
    return {}


def _from_format(values: Sequence[str], offered: Sequence[str]) -> str:
    """The first ``?format=`` value that names an offered type (SPARQLWrapper sends several)."""
    short_names = GRAPH_FORMAT_ALIASES if offered and offered[0] in RDF_TYPES else \
        JSON_FORMAT_ALIASES if "application/json" in offered else {}
    aliases = aliases_for(offered)
    for value in values:
        key = value.strip().lower()
        media = short_names.get(key) or FORMAT_NAMES.get(key, key)
        media = aliases.get(media, media)
        if media in offered:
            return media
    raise NotAcceptable(" or ".join(f"format={v.strip()}" for v in values), offered)


def format_names(offered: Sequence[str]) -> list[str]:
    """The ``?format=`` short name of each of ``offered`` that has one (the first listed)."""
    first: dict[str, str] = {}
    for name, media in FORMAT_NAMES.items():
        first.setdefault(media, name)
    return [first[media] for media in offered if media in first]


def first_named_type(values: Sequence[str]) -> str | None:
    """The media type of the first ``?format=`` value that names one this server knows."""
    known = set(FORMAT_NAMES.values())
    for value in values:
        key = value.strip().lower()
        if (media := FORMAT_NAMES.get(key, key)) in known:
            return media
    return None


def choose_media_type(accept: str | None, offered: Sequence[str],
                      format_param: str | Sequence[str] | None = None) -> str:
    """The media type to answer with, or ``NotAcceptable``."""
    values = [format_param] if isinstance(format_param, str) else list(format_param or ())
    values = [v for v in values if v.strip()]
    if values:
        return _from_format(values, offered)
    # a missing Accept, an empty one, or one of empty elements alone (",", which RFC 9110 5.6.1
    # has ignored): any type will do
    if accept is None or not accept.replace(",", "").strip():
        return offered[0]
    parsed = parse_accept(accept)
    # a type refused (q=0, RFC 9110 12.4.2) by its own name or by the most specific range that
    # matches it (``application/*;q=0``) is not given for another name of it
    aliases = {alias: media for alias, media in aliases_for(offered).items()
               if media in offered and alias not in offered and not refuses(parsed, media)}
    best = parsed.best_match([*offered, *aliases])
    if best is None:
        unread = [part.strip() for part in accept.split(",")
                  if (q := _QUALITY.search(part)) and not _VALID_QUALITY.fullmatch(q.group(1))]
        raise NotAcceptable(accept + (f" ({', '.join(unread)}: a quality value is a number from "
                                      "0 to 1, such as q=0.5)" if unread else ""), offered)
    return aliases.get(best, best)


def graph_fallback(accept: str | None) -> str | None:
    """The RDF syntax of a graph answer (CONSTRUCT, DESCRIBE) when ``accept`` names results
    types and no RDF syntax: the default, Turtle, as with no Accept (RFC 9110 12.5.1 lets a
    server disregard an Accept it cannot satisfy, and Fuseki does so). rdflib's
    ``SPARQLStore(returnFormat="json")`` asks so for every query, and reads any graph syntax
    back: it was a 406 until 6 Dec. None when no results type is asked for, or Turtle is
    refused (q=0)."""
    if not accept:
        return None
    parsed = parse_accept(accept)
    if parsed.best_match([*RESULTS_TYPES, *RESULTS_ALIASES]) is None:
        return None
    return None if refuses(parsed, RDF_TYPES[0]) else RDF_TYPES[0]


def refuses(parsed: MIMEAccept, media: str) -> bool:
    """Whether the most specific range of ``parsed`` that matches ``media`` has q=0 (RFC 9110
    12.5.1: ``text/*;q=0, text/csv`` accepts CSV, ``*/*, text/csv;q=0`` refuses it)."""
    kind = media.split("/", 1)[0] + "/*"
    for candidate in (media, kind, "*/*"):
        qualities = [quality for value, quality in parsed if value == candidate]
        if qualities:
            return max(qualities) == 0
    return False


_QUALITY = re.compile(r";\s*q\s*=\s*([^;,]*)", re.IGNORECASE)
_VALID_QUALITY = re.compile(r"\s*(?:0(?:\.\d{0,3})?|\.\d{1,3}|1(?:\.0{0,3})?)\s*")
#: "q=.2", as Java's default Accept writes it, and "q=1." (RFC 9110 allows no digit after the
#: point): werkzeug drops such a range.
_LEADING_POINT = re.compile(r"(;\s*q\s*=\s*)\.(?=\d)", re.IGNORECASE)
#: "q=" with no value (RFC 9110 has none): written so that werkzeug drops the range, as it
#: drops "q=abc", where it read it as q=1.
_EMPTY_QUALITY = re.compile(r"(;\s*q\s*=)(?=\s*(?:[;,]|$))", re.IGNORECASE)
_TRAILING_POINT = re.compile(r"(;\s*q\s*=\s*[01])\.(?=\s*(?:[;,]|$))", re.IGNORECASE)


def wants_html(accept: str | None,
               offered: Sequence[str] = (*RDF_TYPES, *RESULTS_TYPES)) -> bool:
    """Whether a client asked for HTML before any of the ``offered`` data types (as browsers
    do), by its name (in any case: ``TEXT/HTML`` got 406), not by a wildcard. Only the types
    the answer can take compete: ``text/turtle, text/html`` of a table of results asks for
    HTML (the type it lists first cannot be given). The other names of those types compete
    too: ``application/json, text/html`` of a page of RDF asks for JSON-LD, as
    ``application/json`` alone does (it got the page)."""
    if not accept:
        return False
    parsed = parse_accept(accept)
    return _best_of_html_and(parsed, offered) == "text/html" and parsed["text/html"] > 0 and \
        any(value == "text/html" for value, _ in parsed)


def prefers_rdf(accept: str | None, offered: Sequence[str] = RDF_TYPES) -> bool:
    """Whether a client asks for one of the RDF syntaxes ``offered`` (or a name of one) before
    HTML; ``*/*`` and a missing ``Accept`` do not."""
    if not accept:
        return False
    best = _best_of_html_and(parse_accept(accept), offered)
    return best is not None and best != "text/html"


def _best_of_html_and(parsed: MIMEAccept, offered: Sequence[str]) -> str | None:
    """The range the client wants most of HTML, the ``offered`` types and their other names,
    a tie going to the one it named first. A browser's ``Accept`` (one naming XHTML) names
    XML for XHTML, not for data: old WebKit's, ``application/xml,application/xhtml+xml,
    text/html;q=0.9,…``, got RDF/XML for a page."""
    browser = any(value == "application/xhtml+xml" for value, _ in parsed)
    aliases = [] if browser else [alias for alias, media in aliases_for(offered).items()
                                  if media in offered]
    return parsed.best_match(_in_client_order(parsed, ("text/html", *offered, *aliases)))


def _in_client_order(parsed: MIMEAccept, candidates: Sequence[str]) -> list[str]:
    """``candidates`` in the order the client named them (those it did not name after), for
    ``best_match``, which gives a tie (the same quality and specificity) to the first: HTML,
    listed first, won ``text/turtle, text/html``. ``parsed`` keeps the client's order among
    ranges of one quality and specificity, which are all a tie can hold."""
    named = {value: index for index, (value, _) in reversed(list(enumerate(parsed)))}
    return sorted(candidates, key=lambda media: named.get(media, len(named)))


def parse_accept(accept: str) -> MIMEAccept:
    """The Accept header's media ranges and weights, without their other parameters.

    RFC 9110 lets a range carry parameters (``text/turtle; charset=utf-8``, a JSON-LD
    ``profile``); werkzeug matches them exactly, so such a range matched nothing offered and
    the answer was 406. Each type here is answered in one form, UTF-8, so they are dropped.
    """
    readable = _TRAILING_POINT.sub(r"\g<1>", _LEADING_POINT.sub(r"\g<1>0.", accept))
    readable = _EMPTY_QUALITY.sub(r"\g<1>none", readable)
    parsed = parse_accept_header(readable, MIMEAccept)
    ranked = [(_media_range(value), quality, _fit(value)) for value, quality in parsed]
    # a type named with and without parameters: the most specific range the answer fits rates
    # it (RFC 9110 12.5.1: "text/turtle, text/turtle;charset=utf-8;q=0" refuses it)
    best: dict[str, int] = {}
    for media, _, fit in ranked:
        best[media] = max(fit, best.get(media, fit))
    return MIMEAccept([(media, quality) for media, quality, fit in ranked
                       if fit == best[media]])


def _fit(value: str) -> int:
    """How specifically a range (with its parameters) fits an answer in UTF-8: 2 when it
    names that charset, 1 when it has no parameters, 0 for other parameters (another
    charset, a JSON-LD profile), which are read as the bare type where nothing else names it."""
    parameters = {}
    for parameter in value.split(";")[1:]:
        name, _, given = parameter.partition("=")
        parameters[name.strip().lower()] = given.strip().strip('"').lower()
    if parameters.get("charset") in ("utf-8", "utf8"):
        return 2
    return 0 if parameters else 1


def _media_range(value: str) -> str:
    """A range without its parameters, in lower case (type names are case-insensitive, RFC
    9110 8.3.1: werkzeug matches them so, and a ``q=0`` refusal is compared so too); a bare
    ``*`` (Java's default Accept has ``*; q=.2``) is ``*/*``."""
    media = value.split(";", 1)[0].strip().lower()
    return "*/*" if media == "*" else media
