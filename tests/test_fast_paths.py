"""The build's fast paths give exactly what the plain ones give: the reader's walk for known
roots, N-Quads lines and the shared descriptions left out, dumps from one scan, and dumps from
the lines a new build loaded."""

from __future__ import annotations

import gzip
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Store, Triple, parse, serialize

from kg import iris, pubmed, release
from kg import metadata as metadata_module
from kg.articles import SharedTerms, article_lines, article_quads
from kg.build import BuildReport, build, ingest
from kg.jsonrecords import read_records
from kg.records import Article
from kg.release import DUMPS, current_release
from kg.spool import GraphSpool
from kg.store import literal_term, load_lines, open_read_only

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
XML_FIXTURES = sorted(DATA.glob("*.xml"))


@pytest.mark.parametrize("path", XML_FIXTURES, ids=lambda p: p.name)
def test_the_walk_for_known_roots_reads_what_the_general_walk_reads(
        path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = list(pubmed.read_pubmed_xml(path))
    monkeypatch.setattr(pubmed, "_plain_known_root", lambda path: None)
    assert fast == list(pubmed.read_pubmed_xml(path))


def test_unknown_children_of_a_known_root_keep_their_place(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    body = (DATA / "pubmed_articles.xml").read_text(encoding="utf-8")
    inner = body[body.index("<PubmedArticleSet>") + 18:body.index("</PubmedArticleSet>")]
    path = tmp_path / "mixed.xml"
    path.write_text(f"<PubmedArticleSet><!-- c --><Odd/>{inner}<Odder>x</Odder>"
                    "</PubmedArticleSet>", encoding="utf-8")
    fast = list(pubmed.read_pubmed_xml(path))
    monkeypatch.setattr(pubmed, "_plain_known_root", lambda path: None)
    assert fast == list(pubmed.read_pubmed_xml(path))
    assert [type(r).__name__ for r in fast] == ["Rejected", "Article", "Article", "Article",
                                                "Rejected"]


@pytest.mark.parametrize("value", ['plain', 'quote " and \\ backslash', "line\nbreak\rreturn",
                                   "tab\tand \x00 nul", "ünïcödé \u2028 \U0001f9ec"])
def test_literal_terms_read_back_as_the_same_value(value: str) -> None:
    line = f"<http://example.org/s> <http://example.org/p> {literal_term(value)} .\n"
    (quad,) = parse(input=line.encode("utf-8"), format=RdfFormat.N_QUADS)
    assert quad.object == Literal(value)


def test_literal_terms_are_spelled_as_the_store_writes_them() -> None:
    """Lines of the mapper and lines read back from the store meet in the dumps (sorted,
    de-duplicated, merged by subject): a literal must have one spelling."""
    value = "".join(map(chr, range(0x20))) + '\x7f " \\ é \u2028 \U0001f9ec'
    quad = Quad(NamedNode("http://example.org/s"), NamedNode("http://example.org/p"),
                Literal(value), NamedNode("http://example.org/g"))
    line = f"<http://example.org/s> <http://example.org/p> {literal_term(value)} <http://example.org/g> .\n"
    assert serialize([quad], format=RdfFormat.N_QUADS) == line.encode("utf-8")


def fixture_articles() -> list[Article]:
    records = [*pubmed.read_pubmed_xml(DATA / "pubmed_articles.xml"),
               *read_records(ROOT / "data" / "articles.jsonl")]
    return [r for r in records if isinstance(r, Article) and r.key]


def test_shared_descriptions_are_written_once_and_nothing_else_is_left_out() -> None:
    articles = fixture_articles() * 2
    every = {q for a in articles for q in article_quads(a)}
    shared = SharedTerms()
    lines = [line for a in articles for line in article_lines(a, shared)]
    once = list(parse(input="".join(lines).encode("utf-8"), format=RdfFormat.N_QUADS))
    assert set(once) == every
    assert len(lines) < sum(len(article_lines(a)) for a in articles)


def test_loaded_lines_keep_blank_node_labels() -> None:
    article = fixture_articles()[0]
    extra = Quad(NamedNode("http://example.org/s"), NamedNode("http://example.org/p"),
                 Literal("a quad object"), NamedNode("http://example.org/g"))
    store = Store()
    load_lines(store, [*article_lines(article), extra])
    assert any(isinstance(q.object, BlankNode) for q in store)
    assert set(store) == {*article_quads(article), extra}


def test_dumps_from_one_scan_equal_dumps_format_by_format(
        tmp_path: Path, default_build: tuple[Path, BuildReport],
        monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_read_only(current_release(default_build[0]) / "store")
    one_scan, each = tmp_path / "one", tmp_path / "each"
    one_scan.mkdir()
    each.mkdir()
    counts = release.write_dumps(store, one_scan)
    monkeypatch.setattr(release, "_all_in_named_graphs", lambda store: False)
    assert release.write_dumps(store, each) == counts
    for file_name, _ in DUMPS.values():
        assert (gzip.decompress((one_scan / file_name).read_bytes())
                == gzip.decompress((each / file_name).read_bytes())), file_name
    assert sum(counts.values()) == len(store)


def test_a_dump_converter_that_fails_is_named_and_nothing_waits_for_it(
        tmp_path: Path, default_build: tuple[Path, BuildReport]) -> None:
    """The store's one scan goes through a pipe to three converters: when one of them cannot
    write its file, the error names that dump and the scan and the others still end."""
    store = open_read_only(current_release(default_build[0]) / "store")
    (tmp_path / DUMPS["turtle"][0]).mkdir()  # the Turtle converter cannot create its file
    with pytest.raises(RuntimeError, match=r"^writing the turtle dump failed: IsADirectoryError"):
        release.write_dumps(store, tmp_path)


def dumped_quads(release_dir: Path) -> dict[str, set[Quad] | set[Triple]]:
    """What each dump of a release holds, parsed back (graphs dropped for the triple formats)."""
    found: dict[str, set[Quad] | set[Triple]] = {}
    for name, fmt in release.FORMATS.items():
        data = gzip.decompress((release_dir / DUMPS[name][0]).read_bytes())
        parsed = parse(input=data, format=fmt)
        found[name] = (set(parsed) if fmt.supports_datasets and name != "jsonld"
                       else {q.triple for q in parsed})
    return found


def assert_dumps_hold(release_dir: Path, store: Store) -> None:
    dumps = dumped_quads(release_dir)
    assert dumps.pop("nquads") == set(store)
    for name, triples in dumps.items():
        assert triples == {q.triple for q in store}, name


def test_a_new_build_dumps_its_loaded_lines_with_the_same_quads_and_bytes(
        tmp_path: Path) -> None:
    """The articles graph of a new build is dumped from the lines it loaded (sorted by
    ``sort``), not read back from the store: the dumps hold the store, and again the same
    bytes."""
    sources = [DATA / "pubmed_articles.xml", DATA / "pubmed_medlinecitationset.xml"]
    first = build(sources, tmp_path / "first", default_articles=False)
    again = build(sources, tmp_path / "again", default_articles=False)
    assert (first.dumps_from, again.dumps_from) == ("loaded lines", "loaded lines")
    store = open_read_only(current_release(tmp_path / "first") / "store")
    assert_dumps_hold(current_release(tmp_path / "first"), store)
    assert ((current_release(tmp_path / "first") / release.CHECKSUMS).read_bytes()
            == (current_release(tmp_path / "again") / release.CHECKSUMS).read_bytes())


def test_a_build_that_replaces_an_article_still_dumps_its_loaded_lines(tmp_path: Path) -> None:
    """Replacing an article removes quads the loaded lines still hold: the replaced subjects'
    lines are read from the store and merged with the others, and the dumps hold the store."""
    text = (DATA / "pubmed_articles.xml").read_text(encoding="utf-8")
    newer = tmp_path / "newer.xml"
    newer.write_text(text.replace('<PMID Version="1">99999902</PMID>',
                                  '<PMID Version="2">99999902</PMID>', 1), encoding="utf-8")
    report = build([DATA / "pubmed_articles.xml", newer], tmp_path / "out",
                   default_articles=False)
    assert report.dumps_from == "loaded lines"
    release_dir = current_release(tmp_path / "out")
    assert_dumps_hold(release_dir, open_read_only(release_dir / "store"))


def test_dropping_the_spool_loses_its_buffered_input_quietly(tmp_path: Path) -> None:
    """A replacement drops the spool while its pipe to sort may still buffer lines: the
    build goes on (it used to fail with BrokenPipeError) and the dumps read the store."""
    spool = GraphSpool(iris.graph_iri("articles"), str(tmp_path))
    try:
        graph = iris.graph_iri("articles").value
        spool.add([f'<https://w3id.org/evkg/article/1> <http://purl.org/dc/terms/title> "A" '
                   f'<{graph}> .\n'])  # a few bytes: they stay in the pipe's buffer
        spool.drop()
        assert not spool.valid
    finally:
        spool.close()


def test_lines_that_are_not_the_graph_are_never_dumped(tmp_path: Path) -> None:
    """When the store's graph holds more than the kept lines, the dumps read the store."""
    lines = [line for a in fixture_articles()[:3] for line in article_lines(a)]
    store = Store()
    load_lines(store, lines)
    articles = iris.graph_iri("articles")
    spool = GraphSpool(articles, str(tmp_path))
    try:
        spool.add(lines)
        spool.end_input()
        store.add(Quad(NamedNode("http://example.org/s"), NamedNode("http://example.org/p"),
                       Literal("added after loading"), articles))
        counts = release.write_dumps(store, tmp_path, spool)
    finally:
        spool.close()
    assert not spool.used
    assert counts[articles.value] == len(list(store.quads_for_pattern(None, None, None,
                                                                      articles)))
    assert_dumps_hold(tmp_path, store)


VOID = "http://rdfs.org/ns/void#"


def described_counts(store: Store) -> tuple[dict[str, dict[str, int]], set[tuple[str, int]]]:
    """What graph/metadata says: each graph's VoID counts, and the class partitions."""
    metadata = iris.graph_iri("metadata")
    per_graph: dict[str, dict[str, int]] = {}
    for key in ("triples", "distinctSubjects", "properties", "classes"):
        for graph, _, value, _ in store.quads_for_pattern(None, NamedNode(VOID + key), None,
                                                          metadata):
            if graph != iris.dataset_iri():
                per_graph.setdefault(str(graph.value), {})[key] = int(value.value)
    rows = store.query(f"SELECT ?c ?n {{ GRAPH <{metadata.value}> {{ "
                       f"?part <{VOID}class> ?c ; <{VOID}entities> ?n }} }}")
    return per_graph, {(row[0].value, int(row[1].value)) for row in rows}  # type: ignore[union-attr,index]


def dataset_totals(store: Store) -> tuple[int, int, int, int]:
    """The dataset's void:triples and void:classes as graph/metadata states them, and as
    counted: every quad of the store, every class any graph gives a subject."""
    ds, metadata = iris.dataset_iri(), iris.graph_iri("metadata")
    stated = {key: int(next(iter(store.quads_for_pattern(ds, NamedNode(VOID + key), None,
                                                         metadata))).object.value)  # type: ignore[union-attr]
              for key in ("triples", "classes")}
    classes = store.query("SELECT (COUNT(DISTINCT ?c) AS ?n) { GRAPH ?g { ?s a ?c } }")
    return (stated["triples"], len(store), stated["classes"],
            int(next(iter(classes))[0].value))  # type: ignore[index,union-attr,arg-type]


def counted_by_sparql(store: Store) -> tuple[dict[str, dict[str, int]], set[tuple[str, int]]]:
    """The same counts, each a SPARQL query over every graph, graph/metadata too (DESIGN.md
    asks a triple count of each: it gave none of its own)."""
    graphs = {*store.named_graphs(), *map(iris.graph_iri, iris.GRAPH_NAMES)}
    per_graph = {graph.value: metadata_module.graph_statistics(store, graph)
                 for graph in graphs if isinstance(graph, NamedNode)}
    rows = store.query("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) { GRAPH ?g { ?s a ?c } } GROUP BY ?c")
    return per_graph, {(row[0].value, int(row[1].value)) for row in rows}  # type: ignore[union-attr,index]


def test_the_void_counts_of_a_build_and_an_ingest_are_the_stores_own(tmp_path: Path) -> None:
    """A build counts its graphs while the dumps read them (the sorted loaded lines of a new
    build, the carried lines of an ingest, or the graph read from the store and sorted when the
    previous dump's lines cannot be carried): every VoID count equals the SPARQL count."""
    out = tmp_path / "build"
    built = build([DATA / "pubmed_articles.xml"], out, default_articles=False)
    assert built.dumps_from == "loaded lines"
    first = open_read_only(current_release(out) / "store")
    assert described_counts(first) == counted_by_sparql(first)
    triples, quads, classes, typed = dataset_totals(first)
    assert (triples, classes) == (quads, typed)
    for source, dumps_from in (("pubmed_medlinecitationset.xml", "carried lines"),
                               ("pubmed_update.xml", "store, sorted")):
        if dumps_from == "store, sorted":  # a previous release that does not say so
            manifest = current_release(out) / release.MANIFEST
            manifest.write_text(manifest.read_text(encoding="utf-8").replace(
                '"nquads_sorted_graph": "', '"nquads_sorted_graph_not": "'), encoding="utf-8")
        ingested = ingest([DATA / source], out)
        assert ingested.dumps_from == dumps_from
        store = open_read_only(current_release(out) / "store")
        per_graph, partitions = described_counts(store)
        assert (per_graph, partitions) == counted_by_sparql(store)
        triples, quads, classes, typed = dataset_totals(store)
        assert (triples, classes) == (quads, typed)
        assert per_graph[iris.graph_iri("articles").value]["distinctSubjects"] > 10
        assert ("https://schema.org/ScholarlyArticle", ingested.articles) in partitions


def test_a_subject_typed_with_one_class_in_several_graphs_is_one_entity(tmp_path: Path) -> None:
    """The class partitions count a subject once however many graphs give it the class."""
    def iri(name: str) -> NamedNode:
        return NamedNode(f"http://example.org/{name}")

    typed = {"articles": ["s1", "s2"], "findings": ["s1", "s4"], "mesh": ["s1", "s2", "s5"]}
    rdf_type = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    store = Store()
    store.extend(Quad(iri(s), rdf_type, iri("C"), iris.graph_iri(g))
                 for g, subjects in typed.items() for s in subjects)
    store.extend([Quad(iri("s3"), rdf_type, iri("D"), iris.graph_iri("articles")),
                  Quad(iri("s3"), iri("p"), Literal("x"), iris.graph_iri("articles"))])
    counts = release.write_dumps(
        store, tmp_path, describe=lambda tallies: metadata_module.metadata_quads(
            store, "test", tallies))
    expected = counted_by_sparql(store)
    assert described_counts(store) == expected
    assert ("http://example.org/C", 4) in expected[1] and ("http://example.org/D", 1) in expected[1]
    assert expected[0][iris.graph_iri("articles").value] == {
        "triples": 4, "distinctSubjects": 3, "properties": 2, "classes": 2}
    assert counts[iris.graph_iri("metadata").value] == len(
        list(store.quads_for_pattern(None, None, None, iris.graph_iri("metadata"))))
    nquads = gzip.decompress((tmp_path / DUMPS["nquads"][0]).read_bytes()).decode()
    assert nquads.splitlines()[-1].endswith(f"<{iris.graph_iri('metadata').value}> .")
    assert "#" not in {line[0] for line in nquads.splitlines()}


@pytest.mark.parametrize("block", [64, 200, 1 << 20])
def test_carried_lines_are_the_previous_ones_with_the_touched_subjects_renewed(
        tmp_path: Path, block: int) -> None:
    """``carry_lines`` (an ingest's articles graph from the previous dump) gives the sorted
    lines a graph would have: the previous lines of subjects not touched, and the fresh lines
    of the touched ones, whether a subject's lines fall in one block or across several, and
    with subjects that are prefixes of others (``_:b1`` / ``_:b12``, ``<…/1>`` / ``<…/12>``)."""
    graph = iris.graph_iri("articles").value
    other = iris.graph_iri("mesh").value

    def line(subject: str, value: str, g: str = graph) -> bytes:
        return f'{subject} <http://purl.org/dc/terms/title> "{value}" <{g}> .\n'.encode()

    subjects = [f"<https://w3id.org/evkg/article/{n}>" for n in (1, 12, 2, 3, 30, 4)] + \
        ["_:b1", "_:b12", "_:b2"]
    previous = sorted(line(s, f"old {i}") for s in subjects for i in range(3))
    with gzip.open(tmp_path / "prev.nq.gz", "wb") as dump:  # the graph first, then another
        dump.writelines([*previous, line("<https://w3id.org/evkg/article/1>", "m", other)])
    touched = ["<https://w3id.org/evkg/article/1>", "<https://w3id.org/evkg/article/3>",
               "_:b1", "<https://w3id.org/evkg/article/99>"]  # 99: new
    fresh = sorted(line(s, "new") for s in touched if s != "<https://w3id.org/evkg/article/3>")
    (tmp_path / "subjects.txt").write_text("\n".join(touched) + "\n", encoding="utf-8")
    (tmp_path / "fresh.nq").write_bytes(b"".join(fresh))
    carried = subprocess.run(
        [sys.executable, "-c", "import sys, kg.spool as s; s._BLOCK = int(sys.argv[1]); "
         "s.carry_lines(*sys.argv[2:])", str(block), str(tmp_path / "prev.nq.gz"), graph,
         str(tmp_path / "subjects.txt"), str(tmp_path / "fresh.nq")],
        capture_output=True, check=True, cwd=ROOT).stdout
    kept = [p for p in previous if p.split(b" ", 1)[0].decode() not in touched]
    assert carried == b"".join(sorted(kept + fresh))


def test_a_merge_that_fails_leaves_sort_no_pipe_to_wait_on(tmp_path: Path) -> None:
    """When the touched subjects cannot be merged (here a subject that is no IRI), ``sort``'s
    output has no reader: it must end (a broken pipe), not wait on a full pipe, and the dumps
    read the store."""
    articles = iris.graph_iri("articles")
    lines = [f'<https://w3id.org/evkg/article/{n}> <http://purl.org/dc/terms/title> '
             f'"Article {n} {"x" * 80}" <{articles.value}> .\n' for n in range(3_000)]
    store = Store()
    load_lines(store, lines)
    spool = GraphSpool(articles, str(tmp_path))
    done: list[dict[str, int]] = []
    try:
        spool.add(lines)
        spool.touch(["<not an IRI>"])
        spool.end_input()
        writer = threading.Thread(target=lambda: done.append(
            release.write_dumps(store, tmp_path, spool)), daemon=True)
        writer.start()
        writer.join(120)
        assert not writer.is_alive(), "the dumps hang on sort"
    finally:
        spool.close()
    assert not spool.used and done[0][articles.value] == 3_000
    assert_dumps_hold(tmp_path, store)
