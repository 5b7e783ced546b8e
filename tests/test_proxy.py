"""evkg serve behind a reverse proxy: at the root and under a path prefix, the server's own URLs
are the proxy's when the operator trusts its forwarded headers (``EVKG_PROXY_HOPS``), and a
client's forged headers are ignored otherwise."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import requests

from kg.build import BuildReport, build
from kg.jsonrecords import write_records
from kg.records import Article, Journal
from tests.conftest import free_port, serving, wait_for
from tests.test_browser import mesh_result_link

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
    """A client's own forwarded headers (or a proxy's that passes them on) change nothing; a
    client on the server's machine, or a proxy there, had gunicorn take its scheme."""
    forged = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Prefix": "/evil",
              "X-Forwarded-Port": "666", "X-Forwarded-Proto": "https", "X-Forwarded-Ssl": "on"}
    urls = absolute_urls(direct, forged)
    assert urls and all(url.startswith(direct + "/") for url in urls), urls


#: Pages (and error pages) of every kind a browser is shown, each with its links to check.
PAGES = ["/", "/sparql", "/explore", "/dataset", "/downloads/", "/ontology", "/search?q=exosome",
         "/explore/findings?cargo_class=https://w3id.org/evkg/ontology%23MicroRNA"
         "&process=https://w3id.org/evkg/process/metastasis",
         ARTICLE, "/mesh/D001943", "/cargo/hsa-miR-21", "/query/articles-per-year",
         "/article/99999999", "/article/21939504?incoming_page=x"]
#: Attributes whose value is a URL (YASGUI's endpoint and the editor's root are data).
URL_ATTRIBUTE = re.compile(r'\s(?:href|src|action|data-endpoint|data-root)="([^"]*)"')


@pytest.mark.parametrize("path", PAGES)
def test_page_links_stay_under_the_prefix(proxied: str, path: str) -> None:
    html = requests.get(proxied + path, headers={**FORWARDED, "Accept": "text/html"},
                        timeout=30).text
    paths = [unescape(url) for url in URL_ATTRIBUTE.findall(html) if url.startswith("/")]
    assert paths and [p for p in paths if not p.startswith("/evkg/")] == []


#: Redirects of the server's own paths: (path, where it leads without the prefix).
REDIRECTS = [("/explore/", "/explore"), (ARTICLE + "/", ARTICLE),
             ("/article/doi/10.3389/fendo.2023.1202493", "/article/37534210"),
             ("/ontology/Finding", "/ontology#Finding"),
             ("/sparql?query=ASK%7B%7D", "/#query=ASK%7B%7D")]


@pytest.mark.parametrize(("path", "target"), REDIRECTS)
def test_redirects_stay_under_the_prefix(proxied: str, path: str, target: str) -> None:
    answer = requests.get(proxied + path, headers={**FORWARDED, "Accept": "text/html"},
                          allow_redirects=False, timeout=30)
    assert answer.is_redirect
    assert urljoin(PUBLIC + path, answer.headers["Location"]) == PUBLIC + target


def test_download_list_links_stay_under_the_prefix(proxied: str) -> None:
    listing = requests.get(proxied + "/downloads/", timeout=30,
                           headers={**FORWARDED, "Accept": "application/json"}).json()
    urls = [f["url"] for f in listing["files"]] + [listing["checksums"], listing["manifest"]]
    assert [url for url in urls if not url.startswith("/evkg/downloads/")] == []


#: What a proxy that passes a client's header on (it sets none of its own) let the client
#: forward: header, value, and what the server's links became.
HOSTILE = [("X-Forwarded-Prefix", "//evil.example"),  # //evil.example/explore: another host
           ("X-Forwarded-Prefix", "/\\evil.example"),  # a browser reads \ as /
           ("X-Forwarded-Prefix", "javascript:alert(1)//x"),  # links that run a script
           ("X-Forwarded-Prefix", "https://evil.example/x"),
           ("X-Forwarded-Proto", "https://evil.example/x"),  # https://evil.example/x//host/…
           ("X-Forwarded-Proto", "javascript")]


def _leaves_the_host(url: str, public: str) -> bool:
    """Whether ``url``, given in an answer for ``public``, leads to another host or scheme."""
    resolved = urljoin(public, url.replace("\\", "/"))  # (as a browser resolves it)
    return not resolved.startswith(public.split("/", 3)[0] + "//" + public.split("/", 3)[2] + "/")


@pytest.mark.parametrize(("header", "value"), HOSTILE)
def test_a_forwarded_value_that_is_no_prefix_or_scheme_is_refused(proxied: str, header: str,
                                                                  value: str) -> None:
    """A trusted proxy's prefix and scheme make every link, redirect and full URL the server
    gives: one that is no path under the host, or no http(s), is a 400 naming the header, not
    pages and redirects leading to another host or running a script."""
    headers = {**FORWARDED, header: value, "Accept": "text/html"}
    public = PUBLIC + "/explore"
    for path in ("/explore", "/explore/", "/robots.txt", ARTICLE):
        answer = requests.get(proxied + path, headers=headers, allow_redirects=False, timeout=30)
        urls = [unescape(url) for url in URL_ATTRIBUTE.findall(answer.text)]
        urls += [answer.headers.get("Location", "/"), *re.findall(r"Sitemap: (\S+)", answer.text),
                 *(link["url"] for link in answer.links.values())]
        assert [url for url in urls if _leaves_the_host(url, public)] == [], (path, urls)
        assert answer.status_code == 400, path
        assert f"X-Forwarded-{header.rsplit('-', 1)[1]} {value!r}" in answer.text


def test_a_forwarded_for_that_is_no_address_is_not_logged(default_build: tuple[Path, BuildReport],
                                                          tmp_path: Path) -> None:
    """The access log's first field is the address a trusted proxy forwards: a client's text
    passed on (spaces, brackets, a user name) wrote fields of its own into the line."""
    out, _ = default_build
    log = tmp_path / "serve.log"
    with serving(out, {"EVKG_PROXY_HOPS": "1"}, log=log) as served:
        for forwarded in ("198.51.100.1 - admin [forged]", "203.0.113.9"):
            requests.get(served.base + "/health", timeout=30,
                         headers={"X-Forwarded-For": forwarded, "User-Agent": forwarded})
    lines = [line for line in log.read_text().splitlines() if "GET /health" in line]
    assert [line.split(" ", 1)[0] for line in lines[-2:]] == ["127.0.0.1", "203.0.113.9"], lines


@pytest.mark.parametrize("hosts", ['["data.example.org"]', "data.example.org, localhost"])
def test_a_host_the_operator_names_not_is_refused(default_build: tuple[Path, BuildReport],
                                                  hosts: str) -> None:
    """The server writes the Host a request names into the URLs it gives of itself (sitemap,
    robots.txt, Service Description, Link headers), so a client naming another host had them
    name that host, cached by whatever proxy kept the answer. ``EVKG_TRUSTED_HOSTS`` (a JSON
    list, as Flask reads it, or the names with commas between) answers any other host 400, also
    when a trusted proxy forwards it."""
    out, _ = default_build
    with serving(out, {"EVKG_PROXY_HOPS": "1", "EVKG_TRUSTED_HOSTS": hosts}) as served:
        trusted = requests.get(served.base + "/robots.txt", timeout=30, headers=FORWARDED)
        assert trusted.status_code == 200
        assert "Sitemap: https://data.example.org/evkg/sitemap.xml" in trusted.text
        for forged in ({"Host": "evil.example"}, {**FORWARDED, "X-Forwarded-Host": "evil.example"}):
            refused = requests.get(served.base + "/robots.txt", timeout=30, headers=forged)
            assert refused.status_code == 400
            assert refused.text == "Host 'evil.example' is not trusted.\n"


# --- through a real nginx ---------------------------------------------------------------------

NGINX = Path("/usr/sbin/nginx")
#: nginx in front of the server at ``/evkg/`` and at the root, as the README configures it
#: (``readme_nginx``), and a second site of the host.
NGINX_CONF = """
daemon off;
{user}
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {dir}/body;
  proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi;
  scgi_temp_path {dir}/scgi;
  gzip on;
  gzip_proxied any;
  gzip_types text/css application/javascript application/json text/turtle;
  server {{
    listen 127.0.0.1:{port};
    {readme}
    # another site under another prefix of the same host (here the same server again)
    location /other/ {{
      proxy_pass http://127.0.0.1:{upstream}/;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-Prefix /other;
    }}
  }}
}}
"""


def readme_nginx(upstream: str) -> str:
    """The README's nginx configuration, proxying to ``upstream`` (``host:port``): its
    location at ``/evkg/``, and the same at the root as its comment says."""
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("```nginx\n", 1)[1].split("```", 1)[0]
    block = block.replace("127.0.0.1:8000", upstream)
    location = block[block.index("location /evkg/"):]
    root = location.replace("location /evkg/", "location /").replace(
        "X-Forwarded-Prefix /evkg;", 'X-Forwarded-Prefix "";')
    return block + root


@pytest.fixture(scope="module")
def nginx(proxied: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Debian's nginx serving ``proxied`` at ``/evkg/``; yields that URL."""
    if not NGINX.exists():
        pytest.skip("Debian's nginx is not installed at /usr/sbin/nginx (make install-test "
                    "installs it)")
    folder = tmp_path_factory.mktemp("nginx")
    port = free_port()
    # as root, nginx's workers would run as nobody, who may not enter pytest's folders
    user = "user root;" if os.geteuid() == 0 else ""
    (folder / "nginx.conf").write_text(NGINX_CONF.format(
        user=user, dir=folder, port=port, upstream=proxied.rsplit(":", 1)[1],
        readme=readme_nginx(proxied.removeprefix("http://"))))
    process = subprocess.Popen([str(NGINX), "-p", str(folder), "-c", str(folder / "nginx.conf")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{port}/evkg/health", process)
        yield f"http://127.0.0.1:{port}/evkg"
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.mark.browser
def test_the_editor_under_a_prefix_queries_and_links_there(browser_page: Any, nginx: str) -> None:
    """The editor's style, YASGUI and endpoint come through the prefix, and result links to the
    graph's IRIs open the server's pages there (they went to the host's root, a 404)."""
    link = mesh_result_link(browser_page, nginx)
    sheets = browser_page.evaluate("Array.from(document.styleSheets, s => s.href)")
    assert nginx + "/static/evkg.css" in sheets
    assert link.get_attribute("href") == nginx + "/mesh/D001943"
    link.click()
    browser_page.wait_for_url(nginx + "/mesh/D001943")
    assert browser_page.inner_text("h1").strip() == "Breast Neoplasms"


def test_downloads_through_nginx_keep_ranges_and_tags(nginx: str) -> None:
    whole = requests.get(nginx + "/downloads/evkg.nt.gz", timeout=30)
    tag = whole.headers["ETag"]
    part = requests.get(nginx + "/downloads/evkg.nt.gz", timeout=30,
                        headers={"Range": "bytes=10-19", "If-Range": tag})
    assert part.status_code == 206 and part.content == whole.content[10:20]
    assert requests.get(nginx + "/downloads/evkg.nt.gz", headers={"If-None-Match": tag},
                        timeout=30).status_code == 304


def test_a_clients_forwarded_headers_pass_not_through_nginx(nginx: str) -> None:
    """nginx passes on the headers a client sends unless its configuration sets them: the
    README's set the prefix and the scheme but not X-Forwarded-Host or -Port, which the server
    trusts (``EVKG_PROXY_HOPS=1``) as the proxy's, so a client had the server name a host of
    its choosing (and a caching proxy keep that copy for others)."""
    forged = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Port": "666",
              "X-Forwarded-Prefix": "/evil", "X-Forwarded-Proto": "gopher"}
    root = nginx.removesuffix("/evkg")
    for site in (nginx, root):  # under the prefix, and at the root
        urls = absolute_urls(site, forged)
        assert urls and [url for url in urls if not url.startswith(site + "/")] == [], urls

#: Articles of one journal in a small release: more than a resource's RDF gives of the links to it.
CROWDED_JOURNAL = 510


@pytest.fixture(scope="module")
def crowded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``evkg serve``, trusting one proxy, of a release whose one journal has 510 articles."""
    folder = tmp_path_factory.mktemp("crowded")
    journal = Journal(title="Journal of Crowds", nlm_id="9999999")
    write_records([Article(pmid=str(99990000 + n), title=f"Article {n}", journal=journal)
                   for n in range(CROWDED_JOURNAL)], folder / "crowded.jsonl")
    build([folder / "crowded.jsonl"], folder / "build", default_articles=False)
    with serving(folder / "build", {"EVKG_PROXY_HOPS": "1"}) as served:
        yield served.base


def test_the_query_for_every_incoming_link_is_under_the_prefix(crowded: str) -> None:
    answer = requests.get(crowded + "/journal/9999999", timeout=30,
                          headers={**FORWARDED, "Accept": "text/turtle"})
    assert answer.headers["X-EVKG-Truncated"] == f"incoming=500; total={CROWDED_JOURNAL}"
    everything = answer.links["related"]["url"]
    assert everything.startswith(PUBLIC + "/sparql?query=")
    assert f"all of them:\n# {everything}" in answer.text


def test_the_openapi_description_serves_its_paths_under_the_prefix(proxied: str) -> None:
    """A client of the OpenAPI description (Swagger UI) calls a path at its server's URL,
    resolved against the description's own; without one it is the host's root."""
    described = PUBLIC + "/openapi.json"
    document = requests.get(proxied + "/openapi.json", headers=FORWARDED, timeout=30).json()
    server = urljoin(described, document.get("servers", [{"url": "/"}])[0]["url"])
    assert "/sparql" in document["paths"]
    assert server.rstrip("/") + "/sparql" == PUBLIC + "/sparql"


@pytest.mark.browser
def test_two_editors_of_one_host_query_their_own_endpoints(browser_page: Any, nginx: str) -> None:
    """YASGUI keeps its tabs, each with its endpoint, in the host's storage: the editor of a
    second site under another prefix opened the first's tabs and queried the first's endpoint."""
    other = nginx.removesuffix("/evkg") + "/other"
    mesh_result_link(browser_page, nginx)
    browser_page.goto(other + "/")
    browser_page.wait_for_selector("#yasgui .yasqe .CodeMirror")
    assert browser_page.evaluate("window.evkgYasgui.getTab().getEndpoint()") == other + "/sparql"
    assert mesh_result_link(browser_page, other).get_attribute("href") == other + "/mesh/D001943"


def test_a_query_too_long_for_a_get_is_told_to_post_through_nginx(nginx: str) -> None:
    """nginx reads request lines of 8 KB at most, and answered a longer GET with its own HTML
    414, which a script on another origin cannot read (no CORS header), before the server's
    plain-text 414 saying to POST it could: the README's configuration passes them on."""
    query = "SELECT * WHERE { ?s ?p ?o } # " + "x" * 9000
    answer = requests.get(nginx + "/sparql", params={"query": query}, timeout=30)
    assert answer.status_code == 414
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in answer.text


def test_the_sitemap_escapes_every_character_the_protocol_names(proxied: str) -> None:
    """sitemaps.org's protocol has &, ', ", > and < entity-escaped in a loc; a prefix may
    hold the first two (a path's sub-delims)."""
    sitemap = requests.get(proxied + "/sitemap.xml", timeout=30,
                           headers={**FORWARDED, "X-Forwarded-Prefix": "/o'brien&co"}).text
    first = sitemap.split("<loc>")[1].split("</loc>")[0]
    assert first.startswith("https://data.example.org/o&apos;brien&amp;co/")
    assert unescape(first).startswith("https://data.example.org/o'brien&co/")
