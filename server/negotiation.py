"""Content negotiation for every route, in one function with no Flask in it.

``choose_media_type`` picks, from the media types a response can take (server's preference
first), the one the client wants: a ``?format=`` value wins, then the ``Accept`` header with its
q-values and wildcards, and a missing or empty ``Accept`` gets the first offered type.
"""

from __future__ import annotations

from collections.abc import Sequence

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

#: SELECT/ASK result media types, preferred first.
RESULTS_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "application/json",
    "application/xml",
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
#: ``?format=`` short names → media type.
FORMAT_NAMES = {
    "json": "application/sparql-results+json",
    "srj": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "srx": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "ttl": "text/turtle",
    "turtle": "text/turtle",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "nq": "application/n-quads",
    "nquads": "application/n-quads",
    "trig": "application/trig",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "rdf": "application/rdf+xml",
    "rdfxml": "application/rdf+xml",
    "owl": "application/rdf+xml",
    "html": "text/html",
}
#: For graph results, the short names that mean an RDF syntax rather than a results format.
GRAPH_FORMAT_ALIASES = {"json": "application/ld+json", "xml": "application/rdf+xml"}


class NotAcceptable(Exception):
    """No offered media type satisfies the request; the message lists what is offered."""

    def __init__(self, wanted: str, offered: Sequence[str]) -> None:
        self.offered = tuple(offered)
        super().__init__(f"cannot answer with {wanted}; available: {', '.join(offered)}")


def choose_media_type(accept: str | None, offered: Sequence[str],
                      format_param: str | None = None) -> str:
    """The media type to answer with, or ``NotAcceptable``."""
    if format_param:
        wanted = format_param.strip()
        key = wanted.lower()
        graph_results = offered[0] in RDF_TYPES
        media = (GRAPH_FORMAT_ALIASES.get(key) if graph_results else None) or \
            FORMAT_NAMES.get(key, key)
        if media in offered:
            return media
        raise NotAcceptable(f"format={wanted}", offered)
    if accept is None or not accept.strip():
        return offered[0]
    parsed = parse_accept_header(accept, MIMEAccept)
    best = parsed.best_match(offered)
    if best is None:
        raise NotAcceptable(accept, offered)
    return best


def wants_html(accept: str | None) -> bool:
    """Whether a client asked for HTML before any RDF or results type (as browsers do)."""
    if not accept:
        return False
    parsed = parse_accept_header(accept, MIMEAccept)
    best = parsed.best_match(("text/html", *RDF_TYPES, *RESULTS_TYPES))
    return best == "text/html" and parsed["text/html"] > 0 and "text/html" in accept
