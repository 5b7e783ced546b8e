"""The forwarded headers of the reverse proxies ``EVKG_PROXY_HOPS`` trusts: werkzeug's
``ProxyFix``, with what it takes checked to be a scheme, a path prefix and an address.

``ProxyFix`` takes the values as they come. A proxy that passes a client's header on (one that
sets no ``X-Forwarded-Prefix`` of its own, as Apache's ``ProxyPass`` and nginx without the
README's line) let the client choose them: ``X-Forwarded-Prefix: //evil.example`` made every
link of a page and every redirect lead to another host (``Location: //evil.example/explore``),
``javascript:alert(1)//x`` made each of a page's links run a script, ``/\\evil.example`` (a
browser reads ``\\`` as ``/``) and ``X-Forwarded-Proto: https://evil.example`` did the same to
the pages and to the full URLs of the sitemap, ``robots.txt`` and the Signposting links: for a
caching proxy in front, for every later client. A prefix that is no path under the host, or a
scheme that is neither ``http`` nor ``https``, is answered 400 naming the header (as werkzeug
answers a ``Host`` that is no host name); an ``X-Forwarded-For`` that is no address leaves the
proxy's own in the access log, which it would otherwise fill with the client's text.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.middleware.proxy_fix import ProxyFix

#: A WSGI application.
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

#: A path prefix under the host: segments of RFC 3986's path characters (no ``\``, quote,
#: space, control character or empty segment, so none that a browser reads as another host).
PREFIX = re.compile(r"(?:/[A-Za-z0-9\-._~!$&'()*+,;=:@%]+)*/?")
#: The schemes of the server's own full URLs.
SCHEMES = ("http", "https")


def trusting_proxies(app: WSGIApp, hops: int) -> WSGIApp:
    """``app`` taking the client's scheme, host, port, prefix and address from the last
    ``hops`` values of the proxies' ``X-Forwarded-*`` headers, once checked."""
    fixed: WSGIApp = ProxyFix(_checked(app), x_for=hops, x_proto=hops, x_host=hops,
                              x_port=hops, x_prefix=hops)
    return fixed


def forwarding_problem(environ: dict[str, Any]) -> str | None:
    """Why the prefix or scheme ``ProxyFix`` took into ``environ`` cannot be used (None: they
    can); an address that is no address is put back to the proxy's."""
    original = environ.get("werkzeug.proxy_fix.orig", {})
    address = environ.get("REMOTE_ADDR")
    if address != original.get("REMOTE_ADDR"):
        try:
            ipaddress.ip_address(address or "")
        except ValueError:
            environ["REMOTE_ADDR"] = original.get("REMOTE_ADDR")
    prefix = environ.get("SCRIPT_NAME", "")
    if prefix != original.get("SCRIPT_NAME") and not PREFIX.fullmatch(prefix):
        return (f"the proxy's X-Forwarded-Prefix {prefix[:100]!r} is no path under the host "
                "(/name/…): the links this server writes are built on it")
    scheme = environ.get("wsgi.url_scheme", "")
    if scheme != original.get("wsgi.url_scheme") and scheme.lower() not in SCHEMES:
        return (f"the proxy's X-Forwarded-Proto {scheme[:100]!r} is neither http nor https: the "
                "links this server writes are built on it")
    environ["wsgi.url_scheme"] = scheme.lower()
    return None


def _checked(app: WSGIApp) -> WSGIApp:
    def checked(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        problem = forwarding_problem(environ)
        if problem is None:
            return app(environ, start_response)
        body = f"{problem}\n".encode()
        start_response("400 BAD REQUEST", [
            ("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body))),
            ("Access-Control-Allow-Origin", "*"), ("X-Content-Type-Options", "nosniff")])
        return [body]

    return checked
