"""``/sitemap.xml``: the article, vocabulary and MeSH descriptor pages, streamed; an index past
50,000 URLs.

The sitemap protocol allows 50,000 URLs per file. Up to that, ``/sitemap.xml`` is the URL set;
beyond, it is a sitemap index pointing at ``/sitemap/{n}.xml`` (1-based pages of the same list).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from xml.sax.saxutils import escape

from flask import Blueprint, Response, abort, request
from pyoxigraph import Literal

from kg import iris
from kg.namespaces import MESHV, SCHEMA, SKOS
from server import graph
from server.state import state
from server.terms import MESH_IRI, local_path

#: URLs per sitemap file (the protocol's limit).
SITEMAP_LIMIT = 50_000
#: Kinds of resource listed: under the base, and MeSH descriptors (``/mesh/{ui}``) a record
#: may name as a heading.
LISTED_TYPES = (SCHEMA.ScholarlyArticle, SKOS.Concept, MESHV.TopicalDescriptor, MESHV.CheckTag,
                MESHV.GeographicalDescriptor)
_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def _pattern() -> str:
    types = " ".join(f"<{t.value}>" for t in LISTED_TYPES)
    base, mesh = graph.ref(Literal(iris.base_iri())), graph.ref(Literal(MESH_IRI))
    return (f"VALUES ?type {{ {types} }} ?s a ?type . FILTER(isIRI(?s) && "
            f"(STRSTARTS(STR(?s), {base}) || STRSTARTS(STR(?s), {mesh})))")


def page_count() -> int:
    total = graph.count(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {_pattern()} }}")
    return max(1, -(-total // SITEMAP_LIMIT))


#: What sitemaps.org's protocol escapes in a loc besides ``&``, ``<`` and ``>`` (which
#: ``escape`` does): a path's ``'`` (a prefix or an IRI may hold one) and ``"``.
_QUOTES = {"'": "&apos;", '"': "&quot;"}


def _urlset(page: int) -> Iterator[str]:
    root = request.url_root.rstrip("/")
    rows = graph.select_stream(f"SELECT DISTINCT ?s WHERE {{ {_pattern()} }} ORDER BY ?s "
                               f"LIMIT {SITEMAP_LIMIT} OFFSET {(page - 1) * SITEMAP_LIMIT}")

    def generate() -> Iterator[str]:
        yield f"{_HEAD}<urlset {_NS}>\n"
        for row in rows:
            path = local_path(row["s"].value)
            if path is not None:
                yield f"<url><loc>{escape(root + path, _QUOTES)}</loc></url>\n"
        yield "</urlset>\n"

    return generate()


def _index(pages: int) -> str:
    root = request.url_root.rstrip("/")
    entries = "".join(f"<sitemap><loc>{escape(f'{root}/sitemap/{n}.xml', _QUOTES)}</loc>"
                      "</sitemap>\n"
                      for n in range(1, pages + 1))
    return f"{_HEAD}<sitemapindex {_NS}>\n{entries}</sitemapindex>\n"


def _tagged(urls: Iterator[str]) -> Response:
    """A streamed URL set, tagged by the release served and the address asked (its URLs are
    under that host and prefix), so that a crawler's ``If-None-Match`` gets a 304
    (``server.gzipping``) instead of the whole file again: a streamed answer gets no tag of
    its body. A store of no known release (a remote store being loaded, or that states no
    version; a store given in code) may change under the same name: its sitemap is not
    tagged (a review's: a crawler was told a sitemap that had lost an article was unchanged)."""
    response = Response(urls, content_type="application/xml; charset=utf-8")
    served = state()
    if served.manifest.get("version"):
        response.set_etag(hashlib.sha256(f"{served.answers_of}\n{request.url}".encode()
                                         ).hexdigest())
    return response


def create_sitemap_blueprint() -> Blueprint:
    bp = Blueprint("sitemap", __name__)

    @bp.route("/sitemap.xml")
    def sitemap() -> Response:
        """The sitemap of article, cargo, process, disease and EV-type pages (an index when large)."""
        pages = page_count()
        if pages > 1:
            return Response(_index(pages), content_type="application/xml; charset=utf-8")
        return _tagged(_urlset(1))

    @bp.route("/robots.txt")
    def robots() -> Response:
        """Crawlers may read every page; the sitemap lists them."""
        root = request.url_root.rstrip("/")
        return Response(f"User-agent: *\nAllow: /\nSitemap: {root}/sitemap.xml\n",
                        content_type="text/plain; charset=utf-8")

    @bp.route("/sitemap/<int:page>.xml")
    def sitemap_page(page: int) -> Response:
        """One page of a large sitemap (50,000 URLs each)."""
        if page < 1 or page > page_count():
            abort(404)
        return _tagged(_urlset(page))

    return bp
