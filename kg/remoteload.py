"""``evkg load``: push a release's named graphs into a remote SPARQL store, graph by graph.

The release's N-Quads dump is read as a stream and sent in batches of at most N triples: over the
Graph Store Protocol (the first batch of a graph is a PUT, which replaces the graph; the rest
are POSTs, which add), or, with no GSP endpoint, as SPARQL updates (``CLEAR GRAPH`` then
``INSERT DATA`` batches). Loading the same release twice leaves the same graphs, never doubled.

A blank node is scoped to one request, so every triple that mentions a blank node travels in
the same request as the other triples of its blank-node component (an author list, an OWL
axiom): such triples are held until their graph has been read, then sent component by
component. At the end each graph's triple count in the store is compared with the release's
VoID count (``void:triples`` in ``graph/metadata``; for ``graph/metadata`` itself, what was sent).
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, parse

from kg import iris
from kg.backends import RemoteStore
from kg.metadata import DUMPS
from kg.namespaces import VOID
from kg.release import VOID_FILE, release_to_read
from kg.remote import Endpoint, StoreError, StoreUnavailable, post

#: Triples per request unless told otherwise.
DEFAULT_BATCH = 50_000
#: At most this many triples in one ``INSERT DATA`` (Virtuoso's SPARQL compiler runs out of
#: memory on ~5,000).
UPDATE_BATCH = 1_000
#: ``<s> <p> <o> <g> .`` → the graph IRI and the N-Triples line without it.
_GRAPH_TAIL = re.compile(r" <([^ <>\"\n]*)> \.\n?$")
_BNODE = re.compile(r"(?:^|\s)_:([A-Za-z0-9_\-.]+)")


class LoadError(Exception):
    """The store did not take the release, or holds other counts than the release states."""


@dataclass
class GraphLoad:
    """What was sent for one graph, and what the store then holds."""

    iri: str
    expected: int | None
    sent: int = 0
    stored: int | None = None
    requests: int = 0

    @property
    def matches(self) -> bool:
        return self.stored == (self.expected if self.expected is not None else self.sent)


@dataclass
class _Pending:
    """The lines of one graph not sent yet: plain lines, and lines with blank nodes by label."""

    plain: list[str] = field(default_factory=list)
    labelled: list[str] = field(default_factory=list)


def void_counts(release_dir: Path) -> dict[str, int]:
    """Graph IRI → ``void:triples`` stated in the release's VoID description."""
    counts: dict[str, int] = {}
    with (release_dir / VOID_FILE).open("rb") as handle:
        for quad in parse(handle, format=RdfFormat.TURTLE):
            if quad.predicate == VOID.triples and isinstance(quad.subject, NamedNode):
                counts[quad.subject.value] = int(quad.object.value)
    return counts


def _wanted(graphs: Iterable[str]) -> list[str]:
    """The IRIs of the graphs given by name or IRI, each once (a graph named again, or by its
    name and its IRI, counted twice in the progress bar's total), else of all the release's
    graphs."""
    return (list(dict.fromkeys(iris.named_graph(g).value for g in graphs))
            or [iris.graph_iri(n).value for n in iris.GRAPH_NAMES])


def release_lines(release_dir: Path) -> Iterator[tuple[str, str]]:
    """(graph IRI, N-Triples line) for every quad of the release's N-Quads dump."""
    with gzip.open(release_dir / DUMPS["nquads"][0], "rt", encoding="utf-8") as lines:
        for line in lines:
            match = _GRAPH_TAIL.search(line)
            if match is None:
                raise LoadError(f"a quad outside the named graphs in the release: {line[:200]}")
            yield match.group(1), line[:match.start()] + " .\n"


def components(lines: list[str]) -> list[list[str]]:
    """The lines grouped so that lines sharing a blank node are in one group."""
    parent: dict[str, str] = {}

    def find(label: str) -> str:
        while parent.setdefault(label, label) != label:
            parent[label] = parent[parent[label]]
            label = parent[label]
        return label

    labels = [_BNODE.findall(line) for line in lines]
    for found in labels:
        for other in found[1:]:
            parent[find(other)] = find(found[0])
    groups: dict[str, list[str]] = {}
    for line, found in zip(lines, labels, strict=True):
        # "_:" inside a literal only: no blank node, any group will do
        groups.setdefault(find(found[0]) if found else "", []).append(line)
    return list(groups.values())


class Sender:
    """Sends batches of one graph: GSP PUT then POSTs, or CLEAR then INSERT DATA updates."""

    def __init__(self, endpoint: Endpoint, *, on_sent: Callable[[int], None]) -> None:
        if not endpoint.gsp and not (endpoint.update or endpoint.query):
            raise LoadError("give a Graph Store Protocol endpoint (--gsp) or an update endpoint")
        self.endpoint = endpoint
        self.on_sent = on_sent

    def send(self, load: GraphLoad, lines: list[str]) -> None:
        first = load.requests == 0
        body = "".join(lines)
        if self.endpoint.gsp:
            post(self.endpoint, self.endpoint.gsp, method="PUT" if first else "POST",
                 params=[("graph", load.iri)], body=body.encode("utf-8"),
                 content_type="application/n-triples")
        else:
            url = self.endpoint.update or self.endpoint.query
            parts = [f"CLEAR SILENT GRAPH <{load.iri}>"] if first else []
            if lines and "_:" in body:
                # Virtuoso refuses blank nodes in INSERT DATA; a template makes them fresh too
                parts.append(f"INSERT {{ GRAPH <{load.iri}> {{\n{body}}} }} WHERE {{}}")
            elif lines:
                parts.append(f"INSERT DATA {{ GRAPH <{load.iri}> {{\n{body}}} }}")
            try:
                post(self.endpoint, url, form=[("update", " ;\n".join(parts))])
            except StoreError as error:
                if url != self.endpoint.query or isinstance(error, StoreUnavailable):
                    raise
                # the updates went to the query endpoint (Virtuoso takes both there; Oxigraph's
                # and Fuseki's servers do not), and the words were of a query ("the store
                # refused the query: The URL query parameter query must be set")
                raise LoadError(
                    f"{url} did not take the SPARQL update that loads {load.iri} "
                    f"({error.message.removeprefix('the store refused the query: ')}): it may "
                    "answer queries only; give the store's update endpoint (--update-endpoint) "
                    "or its Graph Store Protocol endpoint (--gsp)") from None
        load.requests += 1
        load.sent += len(lines)
        self.on_sent(len(lines))


def _batches(groups: Iterable[list[str]], size: int) -> Iterator[list[str]]:
    """Whole groups packed into batches of about ``size`` lines (a larger group goes alone)."""
    batch: list[str] = []
    for group in groups:
        if batch and len(batch) + len(group) > size:
            yield batch
            batch = []
        batch += group
    if batch:
        yield batch


def load_release(store_dir: Path, endpoint: Endpoint, *, graphs: Iterable[str] = (),
                 batch_triples: int = DEFAULT_BATCH,
                 on_sent: Callable[[int], None] = lambda n: None) -> list[GraphLoad]:
    """Replace each chosen graph (all the release's graphs by default) in the remote store with
    the release's triples, then count them there. Returns one ``GraphLoad`` per graph."""
    release_dir = release_to_read(store_dir)
    expected = void_counts(release_dir)
    wanted = _wanted(graphs)
    metadata = iris.graph_iri("metadata").value
    loads = {iri: GraphLoad(iri, None if iri == metadata else expected.get(iri, 0))
             for iri in wanted}
    pending = {iri: _Pending() for iri in wanted}
    sender = Sender(endpoint, on_sent=on_sent)
    if not endpoint.gsp:
        batch_triples = min(batch_triples, UPDATE_BATCH)
    for graph, line in release_lines(release_dir):
        if graph not in pending:
            continue
        lines = pending[graph]
        (lines.labelled if "_:" in line else lines.plain).append(line)
        if len(lines.plain) >= batch_triples:
            sender.send(loads[graph], lines.plain)
            lines.plain = []
    for iri, lines in pending.items():
        groups = [lines.plain] if lines.plain else []
        groups += components(lines.labelled)
        sent_any = False
        for batch in _batches(groups, batch_triples):
            sender.send(loads[iri], batch)
            sent_any = True
        if not sent_any and loads[iri].requests == 0:
            sender.send(loads[iri], [])  # an empty graph in the release empties it in the store
    store = RemoteStore(endpoint)
    for load in loads.values():
        try:
            load.stored = store.count(
                f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{load.iri}> {{ ?s ?p ?o }} }}")
        except StoreError as error:
            raise LoadError(f"the graphs were sent but could not be counted: {error}") from None
    return list(loads.values())


def total_to_send(store_dir: Path, graphs: Iterable[str] = ()) -> int:
    """The triples a load will send (for a progress bar): the VoID counts of the graphs."""
    release_dir = release_to_read(store_dir)
    counts = void_counts(release_dir)
    wanted = _wanted(graphs)
    return sum(counts.get(iri, 0) for iri in wanted)
