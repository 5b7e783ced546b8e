"""Every example in ``queries/`` runs against the default graph and gives the answer it states.

Each file states its expected answer in ``# expect:`` header lines (format: queries/README.md);
a file marked ``# needs: network`` calls a public endpoint and is run against a local stand-in
in ``test_federation.py`` instead.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import pytest
import requests
from flask.testing import FlaskClient
from markupsafe import escape
from pyoxigraph import Quad, QuerySolutions, RdfFormat, Store, parse
from SPARQLWrapper import SPARQLWrapper

from kg import iris
from kg.build import BuildReport, build
from kg.examples import header_fields, load_examples, rebased
from kg.findings import Finding, FindingNames, finding_quads
from kg.namespaces import CITO, ONTOLOGY_IRI, PREFIXES, SH
from kg.querytext import query_form
from kg.release import current_release
from kg.store import open_read_only
from server import create_app
from server.federation import DEFAULT_ALLOWLIST, service_targets
from tests.conftest import Backend, engine_difference, just_loaded

ROOT = Path(__file__).resolve().parents[1]
QUERIES = sorted((ROOT / "queries").glob("*.rq"))
#: Examples a remote engine answers otherwise (each listed in the README's engine differences).
ENGINE_DIFFERENCES: dict[str, tuple[tuple[str, ...], str]] = {}
_ROWS = re.compile(r"rows\s*(?P<op>>=|=)?\s*(?P<n>\d+)$")
_ROW = re.compile(r"(?:row\s+(?P<k>\d+)|(?P<some>some row))\s+(?P<bindings>.+)$")
_PREFIXED = re.compile(r"(?P<prefix>[A-Za-z][\w-]*):(?P<local>[^/\s]*)$")

Row = dict[str, str]


@dataclass
class Expectation:
    """What a query's answer must hold: a row count and bindings of given (or some) rows."""

    rows: int | None = None
    at_least: bool = False
    row_bindings: list[tuple[int | None, Row]] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)


def expand(value: str) -> str:
    """``evkg:MicroRNA`` → the full IRI, for the prefixes evkg offers; other text as it is."""
    match = _PREFIXED.match(value)
    if match and match.group("prefix") in PREFIXES:
        return PREFIXES[match.group("prefix")] + match.group("local")
    return value


def parse_expectation(text: str) -> Expectation:
    """The ``# expect:`` and ``# needs:`` lines of a query's header; a malformed line is an error."""
    expectation = Expectation()
    for key, value in header_fields(text):
        if key == "needs":
            expectation.needs += [item.strip() for item in value.split(",") if item.strip()]
        elif key == "expect":
            rows, row = _ROWS.match(value), _ROW.match(value)
            if rows:
                expectation.rows, expectation.at_least = int(rows["n"]), rows["op"] == ">="
            elif row:
                pairs = [item.partition("=") for item in shlex.split(row["bindings"])]
                if not pairs or any(not name or not sep for name, sep, _ in pairs):
                    raise ValueError(f"expect line needs name=value pairs: {value!r}")
                wanted = {name: expand(v) for name, _, v in pairs}
                expectation.row_bindings.append((int(row["k"]) if row["k"] else None, wanted))
            else:
                raise ValueError(f"unknown expect line: {value!r} (see queries/README.md)")
    return expectation


def answer_rows(store: Store, query: str) -> list[Row]:
    """The answer as rows of variable → lexical value (IRI text or literal lexical form)."""
    solutions = store.query(query, use_default_graph_as_union=True)
    assert isinstance(solutions, QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]  # type: ignore[union-attr]


def matches(row: Row, wanted: Row) -> bool:
    return all(row.get(name) == value for name, value in wanted.items())


def check(expectation: Expectation, rows: list[Row]) -> list[str]:
    """How ``rows`` fail the expectation (empty when they hold it)."""
    problems: list[str] = []
    if expectation.rows is not None:
        if expectation.at_least and len(rows) < expectation.rows:
            problems.append(f"{len(rows)} rows, expected at least {expectation.rows}")
        elif not expectation.at_least and len(rows) != expectation.rows:
            problems.append(f"{len(rows)} rows, expected {expectation.rows}")
    for position, wanted in expectation.row_bindings:
        if position is None:
            if not any(matches(row, wanted) for row in rows):
                problems.append(f"no row binds {wanted}")
        elif position > len(rows) or not matches(rows[position - 1], wanted):
            got = rows[position - 1] if position <= len(rows) else "(no such row)"
            problems.append(f"row {position} is {got}, expected {wanted}")
    return problems


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_example_gives_its_stated_answer(path: Path, default_store: Store) -> None:
    text = path.read_text(encoding="utf-8")
    expectation = parse_expectation(text)
    if "network" in expectation.needs:
        pytest.skip(f"{path.name} needs network access (it calls a public SPARQL endpoint); "
                    "tests/test_federation.py runs it against a local stand-in")
    assert expectation.rows is not None or expectation.row_bindings, \
        f"{path.name} states no expected answer (# expect: …)"
    problems = check(expectation, answer_rows(default_store, text))
    assert not problems, f"{path.name}: " + "; ".join(problems)


@pytest.fixture(scope="module")
def example_backend(backend: Backend, default_build: tuple[Path, BuildReport],
                    tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    """The backend the examples are asked of: Virtuoso a store of its own, just loaded with
    the release (``just_loaded`` says why)."""
    out, _ = default_build
    with just_loaded(backend, out, tmp_path_factory.mktemp("virtuoso-examples")) as fresh:
        yield fresh


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_example_gives_its_stated_answer_through_the_server_on_each_backend(
        path: Path, example_backend: Backend, default_build: tuple[Path, BuildReport],
        request: pytest.FixtureRequest) -> None:
    """A review's: the README named these Virtuoso differences "xfails in the example-query
    test", which ran on the embedded store alone; three more examples gave Virtuoso's users a
    wrong answer (no rows, or 2 of 21) with a 200, unlisted. Each example now runs through
    /sparql on every backend; a known difference is an xfail with its reason."""
    backend = example_backend
    text = path.read_text(encoding="utf-8")
    expectation = parse_expectation(text)
    if "network" in expectation.needs:
        pytest.skip(f"{path.name} needs network access (see test_federation.py)")
    if path.stem in ENGINE_DIFFERENCES:
        engine_difference(request, backend, *ENGINE_DIFFERENCES[path.stem])
    out, _ = default_build
    client = create_app({"STORE_DIR": str(out), "TESTING": True, "CACHE_MAX_BYTES": 0,
                         **backend.config}).test_client()
    response = client.post("/sparql", data={"query": text},
                           headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    document = response.get_json()
    rows = [{name: term["value"] for name, term in binding.items()}
            for binding in document["results"]["bindings"]]
    problems = check(expectation, rows)
    assert not problems, f"{path.name} on {backend.name}: " + "; ".join(problems)


def order_keys(text: str) -> list[str]:
    """The variables of a query's last ``ORDER BY`` (``DESC(?n) STR(?v)`` → ``n``, ``v``),
    comments left out."""
    sparql = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    clauses = re.findall(r"\bORDER\s+BY\b(.*?)(?=\bLIMIT\b|\bOFFSET\b|$)", sparql, re.S | re.I)
    return re.findall(r"\?(\w+)", clauses[-1]) if clauses else []


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_example_orders_every_row(path: Path, default_store: Store) -> None:
    """A review's: chemoresistance-cargo.rq sorted by the cargo's name alone, so a cargo's
    curated and text-mined findings (SNHG14, UCHL1, mitochondrial genome) came in whatever
    order the store found them, retracted-findings.rq sorted its four rows by one title they
    all share, and seed-review-neighbourhood.rq the citing articles of one year in no order.
    Every example that lists rows sorts them fully: rows its ORDER BY keys tie are the same."""
    text = path.read_text(encoding="utf-8")
    if "network" in parse_expectation(text).needs:
        pytest.skip(f"{path.name} needs network access (see test_federation.py)")
    keys = order_keys(text)
    assert keys, f"{path.name} has no ORDER BY"
    first: dict[tuple[str | None, ...], Row] = {}
    tied = []
    for row in answer_rows(default_store, text):
        key = tuple(row.get(name) for name in keys)
        if first.setdefault(key, row) != row:
            tied.append((first[key], row))
    assert not tied, f"{path.name}: ORDER BY {' '.join(keys)} ties {tied}"


def example(name: str) -> str:
    return (ROOT / "queries" / f"{name}.rq").read_text(encoding="utf-8")


def store_with(default_store: Store, *findings: Finding) -> Store:
    """A copy of the default graph in memory with ``findings`` added."""
    store = Store()
    store.extend(default_store.quads_for_pattern(None, None, None))
    for finding in findings:
        store.extend(finding_quads(finding, FindingNames()))
    return store


def test_cargo_evidence_examples_list_findings_that_name_a_cargo_class(
        default_store: Store) -> None:
    """A review's: MeSH indexing names a class of cargo (evkg:cargoClass) when an article's
    headings name a kind ("DNA, Mitochondrial", "MicroRNAs") and no molecule; the three
    evidence examples asked for evkg:cargo and left such findings out (the default graph's
    MeSH-indexing finding of mitochondrial DNA in drug resistance, PMID 29073103)."""
    article = iris.mint("article/25828099")
    store = store_with(default_store, *(
        Finding(article=article, method="mesh", effect="associatedWith", cargo_class="MicroRNA",
                process=process, disease="breast_cancer")
        for process in ("organotropism", "angiogenesis", "drug_resistance")))
    microrna = PREFIXES["evkg"] + "MicroRNA"
    for name in ("metastasis-cargo", "angiogenesis-cargo", "chemoresistance-cargo"):
        rows = [r for r in answer_rows(store, example(name)) if r.get("cargo") == microrna]
        assert [(r["cargoLabel"], r["article"], r["method"]) for r in rows] == [
            ("microRNA", article.value, PREFIXES["evkg"] + "MeshIndexing")], name


def test_evidence_examples_say_which_findings_come_from_retracted_articles(
        default_store: Store) -> None:
    """A review's: only chemoresistance-cargo.rq said whether a finding's article is retracted;
    text-mined-findings.rq listed the two findings text mining read in the retracted PMID
    30015837 (SNHG14) as it listed any other, and metastasis- and angiogenesis-cargo.rq would
    list one so."""
    article = iris.mint("article/30015837")
    store = store_with(default_store, *(
        Finding(article=article, method="curated", effect="promotes", cargo="SNHG14",
                process=process, disease="breast_cancer", retracted=True)
        for process in ("metastasis", "angiogenesis")))
    for name in ("metastasis-cargo", "angiogenesis-cargo", "text-mined-findings"):
        flags = {r.get("retracted") for r in answer_rows(store, example(name))
                 if r["article"] == article.value}
        assert flags == {"true"}, name
        assert "false" in {r.get("retracted") for r in answer_rows(store, example(name))}, name


def test_retracted_findings_names_the_cargo_class_of_a_finding(default_store: Store) -> None:
    """A review's: a retracted article's finding that names a class of cargo was listed with
    no cargo at all."""
    article = iris.mint("article/30015837")
    store = store_with(default_store, Finding(
        article=article, method="mesh", effect="associatedWith", cargo_class="LongNoncodingRNA",
        process="drug_resistance", disease="breast_cancer", retracted=True))
    rows = answer_rows(store, example("retracted-findings"))
    assert {(r.get("cargoLabel"), r["method"].rpartition("#")[2]) for r in rows} == {
        ("SNHG14", "CuratedEvidence"), ("SNHG14", "TextMining"), ("AFAP1-AS1", "TextMining"),
        ("long non-coding RNA", "MeshIndexing")}


def test_seed_review_neighbourhood_lists_what_the_review_cites(default_store: Store) -> None:
    """A review's: the neighbourhood example listed the similar and citing articles, not the
    review's references, which neighbourhood-major-topics.rq, the citation network and
    /explore count among its neighbours (a graph grown from PubMed's record of the review
    holds them)."""
    seed, cited = iris.mint("article/37534210"), iris.mint("article/24735924")
    store = store_with(default_store)
    store.add(Quad(seed, CITO.cites, cited, iris.graph_iri("articles")))
    rows = answer_rows(store, example("seed-review-neighbourhood"))
    assert {(r["relation"], r["year"]) for r in rows if r["article"] == cited.value} == {
        ("cited by the review", "2014")}
    assert len(rows) == 11


@pytest.mark.parametrize("doc", ["README.md", "docs/model.md"])
def test_the_data_models_cargo_class_pattern_finds_every_class_of_the_findings(
        doc: str, default_store: Store) -> None:
    """A review's: the data model wrote the cargo classes as `evkg:MicroRNA, evkg:Protein, … ⊑
    evkg:Cargo` ("all rdfs:subClassOf evkg:Cargo"), and a user who counted findings by cargo
    class with `?class rdfs:subClassOf evkg:Cargo` got proteins alone: microRNA, lncRNA,
    circRNA and mtDNA sit under RNA or DNA, under NucleicAcid. The pattern the model gives
    finds every class a finding's cargo has."""
    text = (ROOT / doc).read_text(encoding="utf-8")
    patterns = re.findall(r"`([^`]*\?class rdfs:subClassOf[^`]*evkg:Cargo)`", text)
    assert patterns, f"{doc} gives no pattern for the cargo classes"
    for pattern in patterns:
        rows = answer_rows(default_store, f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
            PREFIX evkg: <https://w3id.org/evkg/ontology#>
            SELECT DISTINCT ?class WHERE {{ ?f evkg:cargo ?c . ?c a ?class . {pattern} }}""")
        assert {r["class"].rpartition("#")[2] for r in rows} == {
            "MicroRNA", "Protein", "LongNoncodingRNA", "CircularRNA", "MitochondrialDNA"}, pattern


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_example_has_title_and_description(path: Path) -> None:
    header = [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    assert header[0].startswith("# title: ") and header[1].startswith("# description: ")


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_sparqlwrapper_takes_each_example_for_the_query_it_is(path: Path) -> None:
    """SPARQLWrapper 2.0 reads a query's form with a pattern that keeps every other comment
    line and finds an update keyword inside any word of them: "remove the #" in a description
    made it POST chemoresistance-cargo.rq as an update (MOVE), which the endpoint refuses. A
    user copies these files into scripts: each must reach the endpoint as a query."""
    text = path.read_text(encoding="utf-8")
    client = SPARQLWrapper("http://127.0.0.1/sparql")
    client.setQuery(text)
    assert client.queryType == query_form(text), (
        f"{path.name}: SPARQLWrapper reads a comment's word as {client.queryType}")


def test_there_are_at_least_twenty_examples_and_three_federated() -> None:
    needs = [parse_expectation(p.read_text(encoding="utf-8")).needs for p in QUERIES]
    assert len(QUERIES) >= 20
    assert sum("network" in n for n in needs) >= 3


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_only_marked_examples_call_endpoints_and_only_allowed_ones(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    targets = service_targets(text)
    marked = "network" in parse_expectation(text).needs
    assert marked == bool(targets), f"{path.name}: SERVICE and '# needs: network' go together"
    assert all(t.iri in DEFAULT_ALLOWLIST for t in targets), [t.iri for t in targets]
    if marked:
        assert "network" in text.splitlines()[1].lower(), "the description says it needs network"


@pytest.mark.parametrize("value", ["rows", "rows 3 4", "row x a=1", "some row a", "nothing"])
def test_malformed_expect_line_is_an_error(value: str) -> None:
    with pytest.raises(ValueError):
        parse_expectation(f"# title: t\n# expect: {value}\nSELECT * {{}}")


def test_expectation_checks_counts_positions_and_prefixed_names() -> None:
    expectation = parse_expectation(
        '# expect: rows 2\n# expect: row 2 c=evkg:MicroRNA n=3\n# expect: some row t="a b"\n')
    rows = [{"t": "a b"}, {"c": PREFIXES["evkg"] + "MicroRNA", "n": "3"}]
    assert check(expectation, rows) == []
    assert check(expectation, rows[::-1]) != []
    assert check(expectation, rows[:1]) != []


@pytest.fixture(scope="module")
def client(default_store: Store) -> FlaskClient:
    return create_app({"TESTING": True}, store=default_store).test_client()


def test_editor_offers_the_new_examples(client: FlaskClient) -> None:
    html = client.get("/", headers={"Accept": "text/html"}).get_data(as_text=True)
    for name in ("mir-105", "cargo-class-process-counts", "federated-mesh-scope-notes"):
        title = next(p for p in QUERIES if p.stem == name).read_text(encoding="utf-8")
        title = title.splitlines()[0].removeprefix("# title: ")
        assert f">{escape(title)}</option>" in html


def test_the_prefixes_page_says_what_each_declaration_declares(client: FlaskClient) -> None:
    """query/prefixes, which every example names as its sh:prefixes, declared each prefix as an
    IRI of its own page (query/prefixes#dcterms …) that no page described: its RDF and its HTML
    page listed 18 links back to the page itself and gave no prefix nor namespace. Each
    declaration is the page's own (as SHACL's examples write them), with both."""
    turtle = client.get("/query/prefixes", headers={"Accept": "text/turtle"})
    triples = list(parse(turtle.get_data(), format=RdfFormat.TURTLE))
    values = {(t.subject, t.predicate): t.object.value for t in triples}
    declarations = [t.object for t in triples
                    if t.subject == iris.prefixes_iri() and t.predicate == SH.declare]
    assert {values[d, SH.prefix]: values[d, SH.namespace] for d in declarations} == PREFIXES
    page = client.get("/query/prefixes", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "http://purl.org/dc/terms/" in page and 'href="/query/prefixes#' not in page


#: The queries SIB's sparql-editor asks an endpoint for its examples and prefixes
#: (github.com/sib-swiss/sparql-editor, packages/sparql-editor/src/metadata.ts).
SIB_EXAMPLES = """PREFIX sh: <http://www.w3.org/ns/shacl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?sq ?comment ?query
WHERE {
  ?sq a sh:SPARQLExecutable ;
    rdfs:comment ?comment ;
    sh:select|sh:ask|sh:construct|sh:describe ?query .
} ORDER BY ?sq"""
SIB_PREFIXES = """PREFIX sh: <http://www.w3.org/ns/shacl#>
SELECT DISTINCT ?prefix ?namespace
WHERE { [] sh:namespace ?namespace ; sh:prefix ?prefix}
ORDER BY ?prefix"""


def test_the_endpoint_lists_its_examples_and_prefixes_as_sib_tools_ask(
        live_server: str) -> None:
    """UniProt's, Bgee's and OMA's endpoints describe their example queries in the graph (SHACL
    SPARQLExecutables, SIB's sparql-examples convention), and SIB's sparql-editor lists an
    endpoint's examples and prefixes by asking for them: evkg's endpoint answered neither. Each
    example of queries/ is there, with its description and the text the editor shows, and the
    editor's prefixes; the example's page opens it in the query editor."""
    client = SPARQLWrapper(live_server + "/sparql", returnFormat="json")
    client.setQuery(SIB_EXAMPLES)
    rows = client.queryAndConvert()["results"]["bindings"]  # type: ignore[index, call-overload]
    examples = {example.name: example for example in load_examples(ROOT / "queries")}
    listed = {row["sq"]["value"]: row for row in rows}
    assert sorted(listed) == sorted(iris.example_iri(name).value for name in examples)
    for name, example in examples.items():
        row = listed[iris.example_iri(name).value]
        assert row["comment"]["value"] == example.description
        assert row["query"]["value"] == example.query and "# expect" not in example.query
    client.setQuery(SIB_PREFIXES)
    prefixes = client.queryAndConvert()["results"]["bindings"]  # type: ignore[index, call-overload]
    assert {row["prefix"]["value"]: row["namespace"]["value"] for row in prefixes} == PREFIXES
    page = requests.get(iris.example_iri("top-journals").value.replace(
        iris.base_iri(), live_server + "/"), headers={"Accept": "text/html"}, timeout=30)
    run = re.search(r'<a href="/#query=([^"&]+)&amp;tabTitle=([^"&]+)">Run this query in the '
                    r'query editor</a>', page.text)
    assert run is not None and unquote(run[1]) == examples["top-journals"].query
    assert unquote(run[2]) == examples["top-journals"].title


def test_the_examples_answer_under_another_base_iri(
        tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The examples name resources by their IRIs under the default base
    (``<https://w3id.org/evkg/process/metastasis>``): a graph built and served under another
    ``EVKG_BASE_IRI`` answered most of them with no rows, in the editor and in the graph's own
    list of examples. They now name the IRIs of the base in force, the ontology's aside, and
    each gives its stated answer, read under that base too."""
    base = "http://example.org/kg/"
    monkeypatch.setenv("EVKG_BASE_IRI", base)
    out = tmp_path_factory.mktemp("rebased")
    build([], out, shacl=False)
    store = open_read_only(current_release(out) / "store")
    editor = create_app({"TESTING": True, "STORE_DIR": str(out)}).test_client()
    html = editor.get("/", headers={"Accept": "text/html"}).get_data(as_text=True)
    listed = json.loads(re.search(r'<script type="application/json" id="evkg-examples">(.*?)'
                                  r"</script>", html, re.S)[1])["examples"]  # type: ignore[index]
    texts = {example["name"]: example["query"] for example in listed}
    described = {row["sq"].value: row["query"].value
                 for row in store.query(SIB_EXAMPLES, use_default_graph_as_union=True)}
    for path in QUERIES:
        expectation = parse_expectation(rebased(path.read_text(encoding="utf-8"), base))
        query = texts[path.stem]
        assert described[iris.example_iri(path.stem).value] == query
        assert "w3id.org/evkg/" not in query.replace(ONTOLOGY_IRI, "")
        if "network" not in expectation.needs:
            problems = check(expectation, answer_rows(store, query))
            assert not problems, f"{path.name} under {base}: " + "; ".join(problems)
