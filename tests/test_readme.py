"""The README as a new user reads it: what it names (links, command lines, settings, the
packages `make` installs) is checked against the files and code it names, so that a change of
either shows here rather than to the user who follows the README."""

from __future__ import annotations

import ast
import json
import re
import shlex
from pathlib import Path

import click
import pytest
from pyoxigraph import Store

from kg import iris
from kg.cli import main
from server import DEFAULTS
from server.settings import NUMBERS
from tests.conftest import ROOT

#: The README and the documents it links to, which a user reads beside it.
DOCS = ("README.md", "docs/model.md", "queries/README.md", "data/README.md")
#: Where the code that reads the ``EVKG_*`` settings lives (the tests' own: EVKG_TEST_PORTS).
CODE = ("kg", "server", "tests/conftest.py", "Makefile")


def text(doc: str) -> str:
    return (ROOT / doc).read_text(encoding="utf-8")


def unfenced(markdown: str) -> str:
    """``markdown`` without its fenced code blocks (those of a list item indented too)."""
    return re.sub(r"^ *```.*?^ *```", "", markdown, flags=re.M | re.S)


def prose(markdown: str) -> str:
    """``markdown`` without its code blocks and code spans (links there are no links)."""
    return re.sub(r"`[^`\n]*`", "", unfenced(markdown))


def anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as ``-``."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(doc: Path) -> set[str]:
    """The anchors of ``doc``'s headings (a line of a code block is none), a code span's text
    in them kept, as GitHub keeps it: ``## Articles (`graph/articles`)`` is
    ``#articles-grapharticles``."""
    headings = re.findall(r"^#+\s+(.*)$", unfenced(doc.read_text("utf-8")), re.M)
    return {anchor(heading.replace("`", "")) for heading in headings}


@pytest.mark.parametrize("doc", DOCS)
def test_every_relative_link_leads_to_a_file_and_heading_that_exist(doc: str) -> None:
    """A link a user follows from the README or its documents opens a file of the checkout,
    and its ``#anchor`` a heading of that file."""
    here = ROOT / doc
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", prose(text(doc))):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):
            continue
        path, _, fragment = target.partition("#")
        file = (here.parent / path) if path else here
        if not file.exists():
            broken.append(f"{target}: no such file")
        elif fragment and file.suffix == ".md" and fragment not in anchors(file):
            broken.append(f"{target}: no such heading")
    assert not broken, f"{doc}: {broken}"


def test_a_link_to_a_heading_with_code_in_it_resolves() -> None:
    """A link to a heading that holds a code span, as GitHub makes its anchor, is taken: the
    check dropped the span, and so refused ``docs/model.md#articles-grapharticles``, the link
    GitHub gives the heading of the articles graph, and took ``#articles-``, which leads
    nowhere."""
    model = anchors(ROOT / "docs/model.md")
    assert "articles-grapharticles" in model and "articles-" not in model


def command_lines(markdown: str) -> list[str]:
    """Each ``evkg COMMAND …`` the text shows, from code spans and shell code blocks (continued
    lines joined), from ``evkg`` to the end of its line."""
    outside = unfenced(markdown)
    code = re.findall(r"`([^`\n]+)`", outside)
    blocks = re.findall(r"^ *```(?:sh|shell|bash)\n(.*?)^ *```", markdown, flags=re.M | re.S)
    indented = re.findall(r"(?<=\n\n)(?: {4}.*\n)+", outside)
    for block in blocks + indented:
        code.extend(block.replace("\\\n", " ").splitlines())
    names = "|".join(main.commands)
    return [m.group(0) for line in code
            for m in re.finditer(rf"(?<![\w-])evkg (?:{names})\b.*", line)]


def arguments(line: str) -> list[str]:
    """The words of the command ``line`` after ``evkg``, up to a shell operator."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    words: list[str] = []
    for word in lexer:
        if set(word) <= set("|&;<>()"):
            break
        words.append(word)
    return words[1:]


def is_synopsis(line: str) -> bool:
    """A synopsis (`evkg build [SOURCES…] --out DIR …`) rather than a command line."""
    return "[" in line or "…" in line


def test_the_readme_shows_every_command_line():
    """The extraction below finds the README's command lines (an empty list passes the
    checks that follow for nothing)."""
    lines = command_lines(text("README.md"))
    assert {arguments(line)[0] for line in lines} == set(main.commands)
    assert "evkg build my-page.txt --out build" in lines


@pytest.mark.parametrize("doc", DOCS)
def test_every_command_line_the_docs_show_parses_with_the_real_command(doc: str) -> None:
    """Each ``evkg …`` a user copies from the README parses with evkg's own command line
    (click's parser, not ``--help``): an option renamed or dropped, or a value of the wrong
    kind, would fail here. A fragment that names an option in the text (`evkg query --format
    table`, `evkg fetch --query`) may leave out what it requires."""
    wrong = []
    for line in command_lines(text(doc)):
        name, *args = arguments(line)
        if not args or is_synopsis(line):
            continue
        try:
            main.commands[name].make_context(name, list(args))
        except click.MissingParameter:
            pass
        except click.BadOptionUsage as error:
            if not (error.option_name == args[-1] and "requires an argument" in error.message):
                wrong.append(f"{line}: {error.format_message()}")
        except click.ClickException as error:
            wrong.append(f"{line}: {error.format_message()}")
    assert not wrong, wrong


def synopsis_options(synopsis: str) -> set[str]:
    return set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", synopsis))


@pytest.mark.parametrize("name", sorted(main.commands))
def test_the_command_table_names_each_commands_options(name: str) -> None:
    """The README's table of commands gives each command's synopsis; it names every option
    the command takes and none it does not."""
    rows = re.findall(rf"^\| `(evkg {name}\b[^`]*)` \|", text("README.md"), flags=re.M)
    assert len(rows) == 1, f"the command table has {len(rows)} rows for evkg {name}"
    command = main.commands[name]
    options = {max(p.opts, key=len) for p in command.params if isinstance(p, click.Option)}
    assert synopsis_options(rows[0]) == options, rows[0]


def settings_read(path: Path) -> set[str]:
    """The ``EVKG_*`` settings the code of ``path`` names: whole, or as a key of
    ``from_prefixed_env("EVKG")`` (``"QUERY_TIMEOUT"``); in a Python file its strings but
    docstrings, in a Makefile its lines but comments."""
    source = path.read_text("utf-8")
    if path.suffix == ".py":
        tree = ast.parse(source)
        docstrings = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
        strings = [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)
                   and isinstance(node.value, str) and id(node) not in docstrings]
    else:
        strings = [re.sub(r"(?:^|\s)#.*", "", line) for line in source.splitlines()]
    read = {name for string in strings for name in re.findall(r"EVKG_[A-Z0-9_]*[A-Z0-9]", string)}
    return read | {f"EVKG_{string}" for string in strings
                   if re.fullmatch(r"(?!EVKG_)[A-Z][A-Z0-9_]+", string)}


@pytest.mark.parametrize("doc", DOCS)
def test_every_setting_the_docs_name_is_read_by_the_code(doc: str) -> None:
    """An ``EVKG_*`` variable the README tells a user to set is one evkg reads: a setting
    renamed in the code and not in the README would be set in vain."""
    read = set().union(*(settings_read(p) for part in CODE for p in
                         ([ROOT / part] if (ROOT / part).is_file() else (ROOT / part).rglob("*.py"))))
    named = set(re.findall(r"EVKG_[A-Z0-9_]*[A-Z0-9](?![A-Z0-9_*])", text(doc)))
    assert named <= read, sorted(named - read)


def test_a_setting_named_only_in_a_comment_or_docstring_is_not_read(tmp_path: Path) -> None:
    """The check above counted every ``EVKG_*`` in the code's text: a setting the code had
    stopped reading but still named in a comment, a docstring or the Makefile's comments
    passed for one it reads."""
    module = tmp_path / "settings.py"
    module.write_text('"""Reads EVKG_IN_A_DOCSTRING."""\n'
                      "import os\n"
                      "# EVKG_IN_A_COMMENT was renamed\n"
                      "def read() -> str:\n"
                      '    """EVKG_IN_A_FUNCTION_DOCSTRING."""\n'
                      '    return os.environ.get("EVKG_READ", "") + CONFIG["LIMIT"]  # EVKG_BESIDE\n',
                      "utf-8")
    makefile = tmp_path / "Makefile"
    makefile.write_text("# EVKG_IN_A_MAKE_COMMENT is set by\n"
                        "serve:\n\tEVKG_IN_A_RECIPE=1 evkg serve\n", "utf-8")
    assert settings_read(module) == {"EVKG_READ", "EVKG_LIMIT"}
    assert settings_read(makefile) == {"EVKG_IN_A_RECIPE"}


def debian_packages_make_test_installs() -> set[str]:
    """The Debian packages of the Makefile's ``system-deps`` (what ``make test`` installs)."""
    makefile = text("Makefile")
    recipe = makefile.partition("\nsystem-deps:")[2].partition("\n\n")[0]
    return {p for found in re.findall(r'missing="\$\$missing ([^"]+)"', recipe)
            for p in found.split()}


def test_make_test_installs_the_debian_packages_the_readme_lists() -> None:
    """The README's `make test` line lists the Debian packages it installs; the Makefile
    installed chromium-driver besides, which no test uses (Playwright drives Chromium itself)."""
    line = next(li for li in text("README.md").splitlines() if li.startswith("make test"))
    listed = re.search(r"Debian ([^)]+)\)", line)
    assert listed, line
    assert debian_packages_make_test_installs() == set(re.split(r",\s*", listed.group(1)))


def test_the_readme_names_every_package_npm_installs() -> None:
    """`make serve` runs `npm ci`: the README's paragraph on it names each package it installs
    and what it is for; it named YASGUI and axe-core, not Chart.js, which draws /explore's
    charts (without it the page shows tables)."""
    packages = json.loads(text("package.json"))
    names = [*packages["dependencies"], *packages["devDependencies"]]
    paragraph = next(p for p in text("README.md").split("\n\n") if "npm ci" in p)
    missing = [n for n in names if n.rpartition("/")[2].lower() not in paragraph.lower()]
    assert not missing, paragraph


def setting_rows() -> dict[str, str]:
    """Each ``EVKG_*`` setting's row of the README's table of settings."""
    rows = {}
    for row in re.findall(r"^\| (`EVKG_[^|]*) \|(.*)$", text("README.md"), flags=re.M):
        for name in re.findall(r"`(EVKG_[A-Z0-9_]+)`", row[0]):
            rows[name] = row[1]
    return rows


@pytest.mark.parametrize("key", [k for k, (_, _, want) in NUMBERS.items() if "(0:" in want])
def test_the_settings_table_says_what_zero_means(key: str) -> None:
    """A setting that takes 0 to mean something of its own (no limit, none, every query) says
    so in the README: `EVKG_QUERY_TIMEOUT=0` lifts the time limit, as `evkg serve`'s own
    refusal of a bad value says, but the table gave only its default."""
    row = setting_rows()[f"EVKG_{key}"]
    assert re.search(r"(?<![\d.,])0( =|:)", row), row


#: A DOI in an IRI: its suffix may hold slashes, but a path of an article's author or
#: investigator after it is none of it.
DOI = r"10\.[\d.]+/[^/]+(?:/(?!(?:author|investigator)/)[^/]+)*"


def iri_patterns() -> list[re.Pattern[str]]:
    """The IRIs the README's *IRIs* section lists, under the base, as patterns: a ``{doi}`` is a
    DOI (``DOI``), ``{id}`` the path of an article, ``#Term`` any term of the ontology (or
    none: its namespace), any other placeholder one segment."""
    section = text("README.md").partition("\n### IRIs\n")[2].partition("\n### ")[0]
    patterns = []
    for written in re.findall(r"`([^`\s]+)`", section):
        path = written.removeprefix(iris.DEFAULT_BASE)
        if path and not re.fullmatch(r"[a-z][\w./{}#-]*", path):
            continue
        parts = re.split(r"(\{[^}]+\}|(?<=#)Term$)", path)
        pattern = "".join(
            DOI if part == "{doi}" else ".+" if part == "{id}" else
            r"\w*" if part == "Term" else r"[^/#]+" if part.startswith("{") else re.escape(part)
            for part in parts)
        patterns.append(re.compile(pattern))
    return patterns


def test_every_iri_the_default_graph_mints_is_one_the_readme_lists(default_store: Store) -> None:
    """The README's *IRIs* section lists what evkg mints under the base. It wrote an author
    without ORCID as `article/{pmid}/author/{position}`; an article known by its DOI has its
    authors at `article/doi/{doi}/author/{position}`, as the endpoints table and docs/model.md
    say (`article/{id}/…`), and the release's files, the endpoint and the base itself (the
    dataset's publisher) are IRIs under the base too."""
    base = iris.DEFAULT_BASE
    rows = default_store.query(f"""SELECT DISTINCT ?iri WHERE {{ GRAPH ?g {{
        {{ ?iri ?p ?o }} UNION {{ ?s ?iri ?o }} UNION {{ ?s ?p ?iri }} }}
        FILTER(isIRI(?iri) && STRSTARTS(STR(?iri), "{base}")) }}""")
    minted = {row["iri"].value.removeprefix(base) for row in rows}  # type: ignore[index]
    patterns = iri_patterns()
    unlisted = sorted(i for i in minted if not any(p.fullmatch(i) for p in patterns))
    assert minted and not unlisted, unlisted[:10]


def test_an_article_of_a_doi_with_a_slash_in_its_suffix_is_one_the_readme_lists() -> None:
    """The README's ``article/doi/{doi}`` holds an article known by a DOI whose suffix has a
    slash in it, as DOIs may (kept, as ``iris.article_iri`` mints it): the check above read
    ``{doi}`` as a suffix of one segment, and would have failed once such an article came."""
    path = iris.article_iri(doi="10.99999/slashed/s.1").value.removeprefix(iris.DEFAULT_BASE)
    assert any(pattern.fullmatch(path) for pattern in iri_patterns()), path


#: Settings the server reads that a user does not set, with why the README leaves them out.
INTERNAL_SETTINGS = {
    "SERVED_RELEASE": "gunicorn's master sets it for its workers (server/reloads.py)",
    "MAX_FORM_MEMORY_SIZE": "Flask's own, lifted so that EVKG_MAX_CONTENT_LENGTH bounds forms",
    "QUERIES_DIR": "the tests' own examples: the editor's are the release's (graph/metadata)",
}


def test_every_setting_the_server_reads_is_in_the_readme() -> None:
    """Every ``EVKG_*`` setting the server reads has its row in the README's table of settings
    (the settings are read with ``from_prefixed_env``, so each is one a user can set; a few
    ``evkg serve`` reads from the environment itself, as ``EVKG_ALLOCATOR``): EVKG_YASGUI_DIR
    and EVKG_CHARTJS_DIR, the folders of the browser assets npm installs, were in no document.
    A name anywhere in the README passed: a setting named in a log line's example only, or one
    whose name begins another's (``SPARQL_TIMEOUT``, ``EVKG_SPARQL_TIMEOUT_PARAMETER``)."""
    code = "\n".join(p.read_text("utf-8") for p in (ROOT / "server").rglob("*.py"))
    found = re.findall(
        r'(?:config(?:\.get)?[(\[]|_setting\(config, )"([A-Z][A-Z0-9_]+)"|"EVKG_([A-Z0-9_]+)"',
        code)
    read = set(DEFAULTS) | {key for keys in found for key in keys if key}
    rows = setting_rows()
    missing = sorted(k for k in read - set(INTERNAL_SETTINGS) if f"EVKG_{k}" not in rows)
    assert not missing, missing


def route_pattern(route: str) -> str:
    """A route with each placeholder (Flask's ``<int:page>``, the README's ``{page}`` or
    ``…``) as ``*``, and no query string: the shape both name it by."""
    route = route.partition("?")[0]
    return re.sub(r"<[^>]*>|\{[^}]*\}|…", "*", route)


def endpoint_table_routes() -> set[str]:
    """The routes the first column of the README's table of endpoints names."""
    section = text("README.md").partition("\n## Endpoints\n")[2].partition("\n## ")[0]
    cells = re.findall(r"^\| ([^|]*`/[^|]*) \|", section, flags=re.M)
    return {route_pattern(route) for cell in cells for route in re.findall(r"`(/[^`]*)`", cell)}


def test_the_endpoints_table_names_every_route_the_server_answers() -> None:
    """Each route the Flask application registers is a row of the README's table of
    endpoints, and each route the table names is one the application registers: the sitemap's
    pages, `/sitemap/{page}.xml`, which its index links to, were missing."""
    from server import create_app

    app = create_app(store=Store())
    registered = {route_pattern(rule.rule) for rule in app.url_map.iter_rules()}
    documented = endpoint_table_routes()
    assert "/sparql" in documented
    assert sorted(registered - documented) == [], "routes the README does not name"
    assert sorted(documented - registered) == [], "routes the README names that do not exist"


@pytest.mark.parametrize("doc", ["README.md", "docs/model.md"])
def test_each_place_that_names_an_article_id_says_what_it_is(doc: str) -> None:
    """``article/{id}/author/{position}`` is an author's IRI without ORCID: the README's
    section on IRIs said that ``{id}`` is the article's own path (its PMID, ``doi/{doi}`` or
    ``pmc/{pmcid}``), but its table of endpoints and the model's page did not, leaving a
    reader of those to take it for a PMID alone, as the design's ``article/{pmid}/author/…``
    reads."""
    unexplained = [block[:80] for block in re.split(r"\n\n|\n(?=\|)", text(doc))
                   if "article/{id}" in block and "`{id}` the article's" not in block]
    assert not unexplained, unexplained


def test_the_readme_names_each_variable_a_make_command_takes() -> None:
    """Each variable the Makefile lets a user set (``NAME ?= default``) is shown in the README
    as ``make … NAME=…``: `PYTHON`, the Python that makes `.venv`, was not, so a user whose
    `python3` is older than 3.11 had no word of `make serve PYTHON=python3.12`."""
    settable = re.findall(r"^([A-Z_]+)\s*\?=", text("Makefile"), flags=re.M)
    shown = {name for span in re.findall(r"`make [a-z]+ ([^`]*)`", text("README.md"))
             for name in re.findall(r"\b([A-Z_]+)=", span)}
    assert "PORT" in settable
    assert sorted(set(settable) - shown) == []


def test_the_layout_table_names_every_module() -> None:
    """The README's Layout table left out 26 of the modules of `kg/` and `server/`
    (`settings.py`, `state.py`, `statistics.py` among them): a reader looking for where a
    thing lives did not find it there. Each module is named in its folder's row (or by its
    path in another)."""
    layout = text("README.md").split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    named: set[str] = set(re.findall(r"`((?:kg|server)/[a-z_]+\.py)`", layout))
    for row in layout.splitlines():
        folder = re.match(r"\| `(kg|server)/` \|", row)
        if folder:
            named |= {f"{folder[1]}/{name}" for name in re.findall(r"`([a-z_]+\.py)`", row)}
    unnamed = [f"{folder}/{path.name}" for folder in ("kg", "server")
               for path in sorted((ROOT / folder).glob("*.py"))
               if path.name != "__init__.py" and f"{folder}/{path.name}" not in named]
    assert unnamed == []
