"""The evkg linked-data server: ``create_app`` builds the Flask application."""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from pyoxigraph import Store

from kg.release import MANIFEST, current_release, lease, read_manifest
from kg.remote import StoreError, endpoint_from_settings
from kg.store import open_read_only
from server.dataset import create_dataset_blueprint
from server.downloads import create_downloads_blueprint
from server.errors import bad_host_message, error_response, register_error_handlers
from server.executor import QueryError
from server.explore import create_explore_blueprint
from server.gzipping import Gzip
from server.limits import DEFAULT_LIMITS, Admission
from server.logs import DEFAULT_SLOW_QUERY
from server.memo import AnswerMemo
from server.meta import create_meta_blueprint
from server.openapi import create_openapi_blueprint
from server.pages import create_pages_blueprint
from server.proxies import trusting_proxies
from server.ranges import RangedResponse
from server.resources import create_resources_blueprint
from server.settings import read_environment, read_numbers, setting_items, setting_problems
from server.sitemap import create_sitemap_blueprint
from server.sparql import allowed_request_headers, create_sparql_blueprint
from server.state import (
    DEFAULT_BACKEND,
    DEFAULT_SERVING,
    ServerState,
    memory_state,
    refreshed,
    release_state,
    remote_state,
)

#: What an HTML page may load and run: its scripts are this server's files alone (the editor's
#: and the charts' JSON is data, never run), so a script written into a page by a label or a
#: query's text does not run; styles are this server's and the inline ones YASGUI and the
#: heatmap write; YASGUI's requests go to the endpoint its tab names (it may be another, as its
#: note says) and read the prefixes from a ``data:`` URL; no plugin, no other page framing it.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data:; font-src 'self' data:; connect-src * data:; "
                           "object-src 'none'; base-uri 'self'; form-action 'self'; "
                           "frame-ancestors 'self'")

#: Response headers every answer that carries them lets a script on another origin read.
EXPOSED_EVERYWHERE = ("ETag", "Content-Range", "Accept-Ranges", "Content-Disposition", "Link")

#: Defaults for every setting; each can be set as an ``EVKG_*`` environment variable.
DEFAULTS: dict[str, Any] = {
    "STORE_DIR": "build",
    "UPDATE_TOKEN": "",
    "MAX_CONTENT_LENGTH": 1_000_000,
    "QUERIES_DIR": "",  # example queries for the editor; empty: queries/ in the checkout
    "YASGUI_DIR": "",  # YASGUI's build/ folder; empty: node_modules/@zazuko/yasgui/build
    # Reverse proxies in front whose X-Forwarded-For/-Proto/-Host/-Port/-Prefix are trusted
    # (0: none, since a client could forge them; werkzeug's ProxyFix reads the last N values)
    "PROXY_HOPS": 0,
    # The body limit bounds forms too (Flask's own 500 kB form-field limit would answer first).
    "MAX_FORM_MEMORY_SIZE": None,
    "SLOW_QUERY": DEFAULT_SLOW_QUERY,  # seconds past which an answered query is logged
    **DEFAULT_LIMITS,  # QUERY_TIMEOUT, MAX_ROWS, SERVICE_ALLOWLIST
    **DEFAULT_SERVING,  # THREADS, CACHE_DIR, CACHE_MAX_BYTES, CACHE_MAX_AGE
    **DEFAULT_BACKEND,  # SPARQL_ENDPOINT (a remote store instead of the release), credentials
}


def open_release(store_dir: Path, served: str = "") -> tuple[Store, Path, dict[str, Any], int]:
    """The store (read-only), folder and manifest of the current release, or of the release
    folder ``served`` names (gunicorn's master chose it: ``server.reloads``), and the
    descriptor of its lease (``kg.release.lease``: ``evkg prune`` leaves it while it is open)."""
    release_dir = Path(served) if served else current_release(store_dir)
    held = lease(release_dir) if (release_dir / MANIFEST).is_file() else -1
    try:
        manifest = read_manifest(release_dir)
        return open_read_only(release_dir / "store"), release_dir, manifest, held
    except BaseException:
        if held >= 0:
            os.close(held)
        raise


def _files_offered(app: Flask, served: ServerState) -> str:
    """Where the release files of the version a remote store states are offered from, for
    the log (a review's: it never said which release a remote store held)."""
    if served.release_dir is not None:
        return f"its files from {served.release_dir}"
    return (f"without its files ({app.config['STORE_DIR']} holds no release {served.version}: "
            "no downloads)")


def create_app(config: dict[str, Any] | None = None, *, store: Store | None = None) -> Flask:
    """The application, serving ``store``, else the remote store at ``EVKG_SPARQL_ENDPOINT``,
    else the current release under ``EVKG_STORE_DIR``."""
    app = Flask(__name__)
    app.response_class = RangedResponse  # every file answer's Range rules (server.ranges)
    app.config.update(DEFAULTS)
    read_environment(app.config)
    if config:
        app.config.update(config)
    problems = setting_problems(app.config)
    if problems:
        raise ValueError("; ".join(problems))
    read_numbers(app.config)
    hosts = app.config.get("TRUSTED_HOSTS")
    if isinstance(hosts, str):  # "a.example, b.example": Flask would read each letter a host
        app.config["TRUSTED_HOSTS"] = list(setting_items(hosts))
    app.extensions["evkg-admission"] = Admission(int(app.config["THREADS"]),
                                                 float(app.config["QUERY_TIMEOUT"]))
    # a number (setting_problems): read here once, not in the log line of each answer
    app.config["SLOW_QUERY"] = float(app.config["SLOW_QUERY"])
    endpoint = endpoint_from_settings(app.config)
    release: Callable[[], str] | None = None  # the version served, where it may change
    if store is not None:
        app.extensions["evkg"] = memory_state(app.config, store)
    elif endpoint is not None:
        def serve(served: ServerState, *, at_start: bool = False) -> None:
            """Serve ``served``, and log why when its store states no one release version (or,
            after the start, the release it now states)."""
            app.extensions["evkg"] = served
            if at_start and not served.version_problem:
                app.logger.info("evkg: serving release %s from the SPARQL store at %s, %s",
                                served.version, endpoint.query, _files_offered(app, served))
            if served.version_problem:
                app.logger.warning("evkg: %s; serving it unversioned (no answer cache, no "
                                   "downloads) until it states one", served.version_problem)
            elif not at_start:
                app.logger.warning("evkg: the SPARQL store now states release %s, %s",
                                   served.version, _files_offered(app, served))

        serve(remote_state(app.config, endpoint), at_start=True)

        @app.before_request
        def settle_version() -> None:
            """Read the version again now and then: the store may have come up, or been loaded
            with another release (also before ``AnswerMemo`` answers, by ``release``)."""
            fresh = refreshed(app.config, app.extensions["evkg"])
            if fresh is not None:
                serve(fresh)

        def served_release() -> str:
            settle_version()
            return app.extensions["evkg"].version  # type: ignore[no-any-return]

        release = served_release
    else:
        opened, release_dir, manifest, held = open_release(
            Path(app.config["STORE_DIR"]), str(app.config.get("SERVED_RELEASE") or ""))
        if held >= 0:  # held while the application lives
            weakref.finalize(app, os.close, held)
        app.extensions["evkg"] = release_state(app.config, opened, release_dir, manifest)
        if app.extensions["evkg"].base_warning:
            app.logger.warning("evkg: %s", app.extensions["evkg"].base_warning)
    register_error_handlers(app)

    @app.errorhandler(QueryError)
    def query_error(error: QueryError) -> Response:
        return error_response(400, str(error))

    @app.errorhandler(StoreError)
    def store_error(error: StoreError) -> Response:
        return error_response(error.status, str(error))

    @app.before_request
    def readable_request() -> Response | None:
        """A Host werkzeug cannot read (links built from it came out as ``http:/sitemap.xml``)
        and a path that is not UTF-8 are answered 400 with the reason."""
        if "Host" in request.headers and not request.host:
            return error_response(400, bad_host_message())
        try:
            request.environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8")
        except UnicodeError:
            return error_response(400, "the path is not UTF-8 once percent-decoded: "
                                       "percent-encode the UTF-8 bytes of each character")
        return None

    @app.after_request
    def tagged(response: Response) -> Response:
        """An ``ETag`` (a hash of the body) on every whole 200 answer to GET that has none:
        pages, RDF, citations, the dataset description, so that crawlers and caches revalidate
        instead of fetching again (``server.gzipping`` answers ``If-None-Match``). Downloads
        set their own; SPARQL answers have the result cache's, and only a cacheable answer has
        one (``/sparql`` without a query, the editor or the Service Description, is tagged
        here); streamed answers get none."""
        if (request.method in ("GET", "HEAD") and response.status_code == 200
                and (request.blueprint != "sparql" or "query" not in request.args)
                and not response.is_streamed and not response.direct_passthrough
                and "ETag" not in response.headers):
            response.add_etag()
        return response

    @app.after_request
    def cors(response: Response) -> Response:
        response.headers.setdefault("Access-Control-Allow-Origin", "*")
        # beyond the CORS-safelisted headers (Content-Length, Content-Type, Last-Modified …),
        # a script on another origin reads only those named: a file's tag, range and name, a
        # resource's links (named whether or not this answer has them: the tag is added later)
        named = [h.strip() for h in response.headers.get("Access-Control-Expose-Headers",
                                                         "").split(",") if h.strip()]
        named += [h for h in EXPOSED_EVERYWHERE if h not in named]
        response.headers["Access-Control-Expose-Headers"] = ", ".join(named)
        # a browser takes every answer for its Content-Type, never for HTML it sniffs: result
        # values, query text in an error and labels are what clients wrote
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if response.mimetype == "text/html":
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        if response.status_code == 204:  # no body, so no type of one (Flask's default is HTML)
            response.headers.pop("Content-Type", None)
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            # a browser's preflight (Flask answers OPTIONS itself on every route but /sparql)
            response.headers.setdefault("Access-Control-Allow-Methods",
                                        response.headers.get("Allow", "GET, HEAD, OPTIONS"))
            response.headers.setdefault("Access-Control-Allow-Headers", allowed_request_headers())
            response.headers.setdefault("Access-Control-Max-Age", "86400")
        return response

    app.register_blueprint(create_sparql_blueprint())
    app.register_blueprint(create_meta_blueprint())
    app.register_blueprint(create_pages_blueprint())
    app.register_blueprint(create_resources_blueprint())
    app.register_blueprint(create_downloads_blueprint())
    app.register_blueprint(create_dataset_blueprint())
    app.register_blueprint(create_sitemap_blueprint())
    app.register_blueprint(create_openapi_blueprint())
    app.register_blueprint(create_explore_blueprint())
    app.wsgi_app = Gzip(AnswerMemo(app.wsgi_app, release=release))  # type: ignore[method-assign]
    hops = int(app.config["PROXY_HOPS"])
    if hops:  # the URLs the server gives of itself are then the proxy's, prefix and all
        app.wsgi_app = trusting_proxies(app.wsgi_app, hops)  # type: ignore[method-assign,assignment]
    return app
