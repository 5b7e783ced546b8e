"""evkg serve behind a reverse proxy: at the root and under a path prefix, the server's own URLs
are the proxy's when the operator trusts its forwarded headers (``EVKG_PROXY_HOPS``), and a
client's forged headers are ignored otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from kg.build import BuildReport
from tests.conftest import serving

#: What nginx sends for ``https://data.example.org/evkg/…`` proxied to ``/…`` (``proxy_set_header
#: Host $host; X-Forwarded-For …; X-Forwarded-Proto $scheme; X-Forwarded-Prefix /evkg``).
FORWARDED = {"Host": "data.example.org", "X-Forwarded-For": "203.0.113.7",
             "X-Forwarded-Proto": "https", "X-Forwarded-Prefix": "/evkg"}
#: Where the proxy serves the server's root.
PUBLIC = "https://data.example.org/evkg"
#: An article of the default graph.
ARTICLE = "/article/21939504"


@pytest.fixture(scope="module")
def proxied(default_build: tuple[Path, BuildReport]) -> Iterator[str]:
    """``evkg serve`` trusting one proxy's forwarded headers; yields its URL."""
    out, _ = default_build
    with serving(out, {"EVKG_PROXY_HOPS": "1"}) as served:
        yield served.base


@pytest.fixture(scope="module")
def direct(default_build: tuple[Path, BuildReport]) -> Iterator[str]:
    """``evkg serve`` as it starts by default: trusting no forwarded header; yields its URL."""
    out, _ = default_build
    with serving(out, {}) as served:
        yield served.base


def absolute_urls(base: str, headers: dict[str, str]) -> list[str]:
    """The server's own URLs that its answers give in full: the sitemap's first, robots.txt's
    sitemap, the Service Description's endpoint, an article page's and the dataset page's
    Signposting links, and a download's."""
    sitemap = requests.get(base + "/sitemap.xml", headers=headers, timeout=30).text
    robots = requests.get(base + "/robots.txt", headers=headers, timeout=30).text
    description = requests.get(base + "/sparql/service-description", timeout=30,
                               headers={**headers, "Accept": "application/n-triples"}).text
    page = requests.get(base + ARTICLE, headers={**headers, "Accept": "text/html"}, timeout=30)
    dataset = requests.get(base + "/dataset", headers={**headers, "Accept": "text/html"},
                           timeout=30)
    endpoint = next(line.split()[2] for line in description.splitlines()
                    if "ns/sparql-service-description#endpoint>" in line)
    return [sitemap.split("<loc>")[1].split("</loc>")[0],
            robots.split("Sitemap: ")[1].strip(), endpoint.strip("<>"),
            page.links["describedby"]["url"],
            *(link["url"] for link in requests.utils.parse_header_links(dataset.headers["Link"])
              if link["rel"] == "item")]


def test_absolute_urls_are_the_proxys_when_its_headers_are_trusted(proxied: str) -> None:
    urls = absolute_urls(proxied, FORWARDED)
    assert urls and all(url.startswith(PUBLIC + "/") for url in urls), urls


def test_forwarded_headers_are_ignored_unless_trusted(direct: str) -> None:
    forged = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Prefix": "/evil",
              "X-Forwarded-Port": "666"}
    urls = absolute_urls(direct, forged)
    assert urls and all(url.startswith(direct + "/") for url in urls), urls
