"""What the server says about one resource: its RDF (CBD-like) and the facts its page shows.

The RDF of a resource is its outgoing triples from every graph, the triples of the blank nodes it
owns (author lists, grants, class partitions, OWL axioms: followed through ``rdf:rest`` chains and
up to three levels of nesting), up to ``INCOMING_LIMIT`` incoming triples from named subjects, and
the blank nodes that name it (up to as many), each with its own triples, as a symmetric CBD has
them: a statistic that counts a process or a MeSH descriptor (a blank node that says only "this
count is about <…>" would say nothing). The cells of an author list that name an author are left
out: they belong to the article's list.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from kg.namespaces import DCTERMS, EVKG, PROV, RDF, SKOS
from server import graph
from server.terms import LABEL_PROPERTIES, Term, Value, best_label, language_name, value_of

#: How many incoming triples the RDF of a resource carries.
INCOMING_LIMIT = 500
#: Incoming links shown on one page of HTML.
INCOMING_PAGE = 50
#: A resource's own triples a page reads at most, and so many of the blank nodes it owns: an
#: article has a ``dcterms:creator`` an author and an author list of two triples a member (a
#: consortium's paper lists thousands), so that a list of up to some 25,000 authors is read
#: whole (and cited whole).
OUTGOING_LIMIT = 50_000
#: Members of a list, and values of a property, a page shows (the rest are counted: the RDF
#: and the citations have them all).
LIST_SHOWN = 500
#: Findings listed on one page (the page says how many there are and links a query for all).
FINDINGS_LIMIT = 200
#: How a finding names what it is about, by the role shown on a page.
FINDING_ROLES = {
    "article": PROV.wasDerivedFrom,
    "cargo": EVKG.cargo,
    "cargo class": EVKG.cargoClass,
    "process": EVKG.process,
    "disease": EVKG.diseaseContext,
}


def own_triples(iri: str, limit: int | None = None) -> list[Triple]:
    """The triples whose subject is ``iri`` (``limit``: at most so many)."""
    cap = f" LIMIT {limit}" if limit is not None else ""
    return graph.construct(f"CONSTRUCT {{ <{iri}> ?p ?o }} WHERE {{ <{iri}> ?p ?o }}{cap}")


#: How many blank nodes deep a resource's own reach (an article's grant, a list's member).
OWNED_DEPTH = 3


def owned_triples(iri: str, own: list[Triple], limit: int | None = None) -> list[Triple]:
    """The triples of the blank nodes ``iri`` owns, whose own triples are ``own``: those its
    triples name, and theirs, ``OWNED_DEPTH`` deep; ``limit``: at most so many.

    Each depth is a query of its own, asked only when the depth above names a blank node (most
    resources own none, and an article's list names IRIs): one query of the three depths
    together (a UNION), on Virtuoso 7.2 and an author list of 4,500 cells, ran on for
    minutes after evkg stopped waiting, every other query waiting behind it (with the
    release's graphs named as its dataset, as evkg names them). A list's cells
    are reached through ``rdf:rest*`` from its head, so the nested steps skip ``rdf:rest``
    (walking it there again would cost the square of the list's length).
    """
    rest = f"<{RDF.rest.value}>"
    path, above = f"<{iri}> ?p1 ?a1 . FILTER(isBlank(?a1))", own
    found: dict[Triple, None] = {}
    for depth in range(1, OWNED_DEPTH + 1):
        if not any(isinstance(t.object, BlankNode) and (depth == 1 or t.predicate != RDF.rest)
                   for t in above):
            break
        left = None if limit is None else limit - len(found)
        if left == 0:
            break
        cap = f" LIMIT {left}" if left is not None else ""
        # (in a group of its own: without it, Virtuoso ran the first depth on for minutes too)
        above = graph.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {{ {path} ?a{depth} {rest}* "
                                f"?s . FILTER(isBlank(?s)) ?s ?p ?o }} }}{cap}")
        found.update(dict.fromkeys(above))
        path += (f" ?a{depth} {rest}* ?c{depth} . ?c{depth} ?p{depth + 1} ?a{depth + 1} . "
                 f"FILTER(isBlank(?a{depth + 1}) && ?p{depth + 1} != {rest})")
    return list(found)


def resource_triples(iri: str, incoming_limit: int = INCOMING_LIMIT) -> list[Triple]:
    """The RDF of ``iri``: outgoing, owned blank nodes, bounded incoming triples, and the blank
    nodes that name it with their triples."""
    list_steps = f"<{RDF.first.value}>, <{RDF.rest.value}>"
    own = own_triples(iri)
    incoming = graph.construct(f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{
      {{ {{ SELECT DISTINCT ?s ?p WHERE {{ ?s ?p <{iri}> FILTER(isIRI(?s)) }}
           LIMIT {incoming_limit} }} BIND(<{iri}> AS ?o) }}
      UNION {{ {{ SELECT DISTINCT ?s WHERE {{ ?s ?named <{iri}>
                  FILTER(isBlank(?s) && ?named NOT IN ({list_steps})) }}
                LIMIT {incoming_limit} }} ?s ?p ?o }}
    }}""")
    return list(dict.fromkeys([*own, *owned_triples(iri, own), *incoming]))


def incoming_total(iri: str) -> int:
    """How many (subject, property) pairs of named subjects link to ``iri``."""
    return graph.count(f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p WHERE {{ "
                       f"?s ?p <{iri}> FILTER(isIRI(?s)) }} }}")


def incoming_query(iri: str) -> str:
    """A SPARQL query for every triple of a named subject that links to ``iri``."""
    return (f"# every link to <{iri}> from a named resource\n"
            f"CONSTRUCT {{ ?s ?p <{iri}> }} WHERE {{ ?s ?p <{iri}> FILTER(isIRI(?s)) }}")


@dataclass
class Node:
    """A value on a page; a blank node carries its own properties, a list its items."""

    value: Value
    items: list[Node] = field(default_factory=list)
    properties: list[Property] = field(default_factory=list)
    #: Members of the list not among ``items`` (``LIST_SHOWN``).
    more: int = 0


@dataclass
class Property:
    predicate: Value
    values: list[Node]
    #: Values not among ``values`` (``LIST_SHOWN``).
    more: int = 0


@dataclass(frozen=True)
class Incoming:
    subject: Value
    predicate: Value


@dataclass(frozen=True)
class Finding:
    iri: Value
    article: Value | None
    cargo: Value | None
    process: Value | None
    effect: Value | None
    method: Value | None
    disease: Value | None
    note: str
    retracted: bool


@dataclass
class Description:
    """Everything a resource page shows, read with a handful of SPARQL queries."""

    iri: str
    triples: list[Triple]
    labels: dict[str, str]
    facts: dict[str, dict[str, list[Term]]]
    label: str = ""
    types: list[Value] = field(default_factory=list)
    properties: list[Property] = field(default_factory=list)
    incoming: list[Incoming] = field(default_factory=list)
    incoming_counts: list[tuple[Value, int]] = field(default_factory=list)
    incoming_total: int = 0
    page: int = 1
    findings: list[Finding] = field(default_factory=list)
    #: How many findings name the resource (the page lists ``FINDINGS_LIMIT`` at most).
    findings_total: int = 0
    #: Whether the page read part of the resource's triples (``OUTGOING_LIMIT``): its RDF
    #: has them all.
    cut: bool = False

    @property
    def findings_query(self) -> str:
        """A SPARQL query for every finding that names the resource, for the page to link."""
        return findings_query(self.iri)

    @property
    def type_iris(self) -> set[str]:
        return {t.iri for t in self.types}

    @property
    def pages(self) -> int:
        return max(1, -(-self.incoming_total // INCOMING_PAGE))

    def __post_init__(self) -> None:
        self._by_subject: dict[object, list[Triple]] = {}
        for t in self.triples:
            self._by_subject.setdefault(t.subject, []).append(t)
        self._values: dict[Term, Value] = {}

    def about(self, subject: NamedNode | BlankNode) -> list[Triple]:
        return self._by_subject.get(subject, [])

    def value(self, term: Term) -> Value:
        """``value_of`` with this page's labels, computed once per term."""
        found = self._values.get(term)
        if found is None:
            found = self._values[term] = value_of(term, self.labels)
        return found

    def objects(self, subject: NamedNode | BlankNode, predicate: NamedNode) -> list[Term]:
        return [t.object for t in self.about(subject)
                if t.predicate == predicate and not isinstance(t.object, Triple)]

    def list_items(self, head: Term) -> list[Term]:
        """The members of an RDF list whose cells are in this description, in order."""
        items: list[Term] = []
        node: Term | None = head
        seen: set[Term] = set()
        while isinstance(node, BlankNode) and node not in seen:
            seen.add(node)
            items += self.objects(node, RDF.first)
            rest = self.objects(node, RDF.rest)
            node = rest[0] if rest else None
        return items


def describe(iri: str, page: int = 1) -> Description | None:
    """The description of ``iri`` for its page, or None when the graph says nothing about it.

    Its own triples are read apart from its blank nodes' (until 7 Dec one query, cut at
    5,000 triples: the author list of an article with 3,000 authors filled it, in an order of
    the store's, and its page showed no type nor property, and its citation was refused as
    no article's)."""
    # (one more than a page reads, to tell a resource of just so many from one of more)
    own = own_triples(iri, OUTGOING_LIMIT + 1)
    owned = owned_triples(iri, own, OUTGOING_LIMIT + 1)
    cut = max(len(own), len(owned)) > OUTGOING_LIMIT
    own, owned = own[:OUTGOING_LIMIT], owned[:OUTGOING_LIMIT]
    triples = [*own, *owned]
    counts = graph.select(f"SELECT ?p (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p <{iri}> "
                          f"FILTER(isIRI(?s)) }} GROUP BY ?p ORDER BY DESC(?n) ?p")
    total = sum(int(row["n"].value) for row in counts)
    if not triples and total == 0:
        return None
    page = max(1, page)
    incoming_rows = _incoming_page(iri, [(row["p"], int(row["n"].value)) for row in counts],
                                   page)
    finding_rows = _finding_rows(iri)
    findings_total = _findings_total(iri) if finding_rows else 0
    mentioned = {iri}
    for t in triples:
        mentioned.add(t.predicate.value)
        if isinstance(t.object, NamedNode):
            mentioned.add(t.object.value)
    for row in [*counts, *incoming_rows, *finding_rows]:
        mentioned.update(term.value for term in row.values() if isinstance(term, NamedNode))
    facts = graph.related_facts(mentioned)
    labels = graph.labels_from(facts)
    description = Description(iri, triples, labels, facts, incoming_total=total, page=page,
                              cut=cut)
    subject = NamedNode(iri)
    own_labels = [(t.predicate.value, t.object) for t in triples if t.subject == subject
                  and t.predicate in LABEL_PROPERTIES and isinstance(t.object, Literal)]
    description.label = best_label(own_labels) or labels.get(iri, "")
    description.types = sorted((value_of(o, labels) for o in description.objects(subject, RDF.type)),
                               key=lambda v: v.order)
    description.properties = _properties(description, subject, set())
    description.incoming = [Incoming(value_of(row["s"], labels), value_of(row["p"], labels))
                            for row in incoming_rows]
    description.incoming_counts = [(value_of(row["p"], labels), int(row["n"].value))
                                   for row in counts]
    description.findings = _findings(finding_rows, labels)
    description.findings_total = max(findings_total, len(description.findings))
    return description


def _incoming_page(iri: str, counts: list[tuple[Term, int]], page: int) -> list[graph.Row]:
    """The incoming links of one page: by property in the order of ``counts`` (the page's
    count of each, most first), a property's links in the store's order, each page's sorted.

    A page took its links from all of them sorted (ORDER BY ?p ?s): Humans, which 20,000
    articles name, took 2.6 s a page, and a hub's sort grows with the graph; a property's
    links in the store's order are read up to the page's and no further. The embedded
    store's order is its index's, the same for every request on a release that never
    changes. A remote store's is not: without ORDER BY, SPARQL lets an engine answer each
    page in an order of its own (Virtuoso's varies with its plan), and pages repeated links
    and left others out (until 6 Dec); there a property's links are sorted, which costs a
    sort of that property's links a page (the embedded store took 85 ms at 20,000 links and
    1.4 s at 200,000, where reading in index order took 0.4 to 106 ms).
    """
    order = "ORDER BY ?s " if graph.remote() else ""
    skip, wanted, rows = (page - 1) * INCOMING_PAGE, INCOMING_PAGE, []
    for predicate, n in counts:
        if skip >= n:
            skip -= n
            continue
        found = graph.select(
            f"SELECT DISTINCT ?s WHERE {{ ?s {graph.ref(predicate)} <{iri}> FILTER(isIRI(?s)) }} "
            f"{order}LIMIT {min(wanted, n - skip)} OFFSET {skip}")
        rows += [{"s": row["s"], "p": predicate} for row in sorted(found, key=lambda r: r["s"].value)]
        skip, wanted = 0, wanted - len(found)
        if wanted <= 0:
            break
    return rows


#: Properties shown first on a page, in this order; the rest follow sorted by name. A
#: plain-language summary follows the abstract, where its reader looks for it (in the order
#: of names it came some twenty rows below, after the MeSH headings).
LEADING = [p.value for p in LABEL_PROPERTIES] + [
    "http://purl.org/dc/terms/alternative",
    "http://www.w3.org/2004/02/skos/core#definition", "http://purl.org/dc/terms/abstract",
    EVKG.plainLanguageSummary.value,
    "http://purl.org/ontology/bibo/authorList", "http://purl.org/dc/terms/isPartOf",
    "http://purl.org/dc/terms/issued"]


#: Properties a page leaves out of its table, as another row shows what they hold: each
#: labelled section of a structured abstract is a line of the abstract shown above, and its
#: row showed the abstract's text again, in no reading order (its RDF keeps them).
NOT_SHOWN = frozenset({EVKG.abstractSection.value})


def _properties(d: Description, subject: NamedNode | BlankNode, seen: set[Term]) -> list[Property]:
    grouped: dict[NamedNode, list[Term]] = {}
    for t in d.about(subject):
        if isinstance(t.object, Triple) or t.predicate.value in NOT_SHOWN:
            continue
        if not (t.predicate == RDF.type and isinstance(subject, NamedNode)):
            grouped.setdefault(t.predicate, []).append(t.object)

    def order(p: NamedNode) -> tuple[int, tuple[str, str, str, str]]:
        return LEADING.index(p.value) if p.value in LEADING else len(LEADING), d.value(p).order

    return [Property(d.value(p), _nodes(d, grouped[p], seen | {subject},
                                        unlinked=p == DCTERMS.source,
                                        languages=p == DCTERMS.language),
                     more=max(0, len(grouped[p]) - LIST_SHOWN))
            for p in sorted(grouped, key=order)]


def _nodes(d: Description, objects: list[Term], seen: set[Term], *,
           unlinked: bool = False, languages: bool = False) -> list[Node]:
    """The page's nodes for ``objects``; ``unlinked``: web pages shown as text, not links (an
    article's sources are where the curated facts were read: among them proxies, mirrors and a
    bare IP address, which a page should not send its readers to); ``languages``: language
    codes shown by the language's name, the code beside it as an IRI's CURIE is beside its
    label ("chi" alone told few readers the article is in Chinese)."""
    nodes = []
    # a text without a language tag first: an article's own abstract before those PubMed
    # gives beside it (a publisher's in Polish, an indexing partner's), which sorted first
    # by their text and were read for the abstract the citations give
    for term in sorted(objects, key=lambda o: (isinstance(o, Literal) and bool(o.language),
                                               _order(d, o, seen)))[:LIST_SHOWN]:
        value = d.value(term)
        if unlinked and value.link is not None and not value.local:
            value = replace(value, link=None)
        if languages and isinstance(term, Literal) and (name := language_name(term.value)):
            value = replace(value, text=name, note=term.value)
        node = Node(value)
        if isinstance(term, BlankNode) and term not in seen:
            items = d.list_items(term)
            if items:
                node.items = [n for item in items[:LIST_SHOWN]
                              for n in _nodes(d, [item], seen | {term})]
                node.more = max(0, len(items) - LIST_SHOWN)
            else:
                node.properties = _properties(d, term, seen)
        nodes.append(node)
    return nodes


#: How a page orders values: ``Value.order``, and for a blank node what the page shows of it.
Order = tuple[str, str, str, str, tuple[tuple[str, "Order"], ...]]


def _order(d: Description, term: Term, seen: set[Term], depth: int = 3) -> Order:
    """Where ``term`` goes among the values of one property: by ``Value.order``, and a blank
    node (shown alike, "(anonymous)") by the statements about it, ``depth`` blank nodes deep
    (an author list is a chain of thousands), not by its label, which is the store's (two
    grants were listed in the order of their labels, which differs between stores)."""
    text, exact, note, iri = d.value(term).order
    if not isinstance(term, BlankNode) or term in seen or depth == 0:
        return text, exact, note, iri, ()
    inner = seen | {term}
    return text, exact, note, "", tuple(sorted(
        (t.predicate.value, _order(d, t.object, inner, depth - 1)) for t in d.about(term)
        if not isinstance(t.object, Triple)))


def _finding_roles() -> str:
    return " ".join(f"<{p.value}>" for p in FINDING_ROLES.values())


def _finding_rows(iri: str) -> list[graph.Row]:
    """The rows of the ``FINDINGS_LIMIT`` findings a page lists, ordered by article title.

    Which findings a hub lists is the store's order: ordering all of them in the query sorted
    every finding of the hub for each page view (1.5 s for the 5,900 of a miRNA in a graph of
    20,000 articles, and more the bigger the graph), to show 200.
    """
    e = EVKG.iri
    rows = graph.select(f"""SELECT DISTINCT ?f ?article ?title ?cargo ?process ?effect ?method
        ?disease ?note ?retracted WHERE {{
      {{ SELECT DISTINCT ?f WHERE {{ VALUES ?role {{ {_finding_roles()} }}
                                   ?f ?role <{iri}> ; a <{e}Finding> }}
         LIMIT {FINDINGS_LIMIT} }}
      OPTIONAL {{ ?f <{PROV.wasDerivedFrom.value}> ?article .
                 OPTIONAL {{ ?article <http://purl.org/dc/terms/title> ?title }} }}
      OPTIONAL {{ ?f <{e}cargo>|<{e}cargoClass> ?cargo }}
      OPTIONAL {{ ?f <{e}process> ?process }}
      OPTIONAL {{ ?f <{e}effect> ?effect }}
      OPTIONAL {{ ?f <{e}method> ?method }}
      OPTIONAL {{ ?f <{e}diseaseContext> ?disease }}
      OPTIONAL {{ ?f <{e}evidenceNote> ?note }}
      OPTIONAL {{ ?f <{e}fromRetractedArticle> ?retracted }}
    }}""")
    # (as ORDER BY ?title ?f did: a finding without a title first, then by code point)
    return sorted(rows, key=lambda row: ("title" in row, row["title"].value if "title" in row
                                         else "", row["f"].value))


def _findings_total(iri: str) -> int:
    return graph.count(f"SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE {{ VALUES ?role "
                       f"{{ {_finding_roles()} }} ?f ?role <{iri}> ; a <{EVKG.Finding.value}> }}")


def findings_query(iri: str) -> str:
    """A readable SPARQL query listing every finding that names ``iri``, with what it links."""
    return f"""PREFIX evkg: <{EVKG.iri}>
PREFIX prov: <{PROV.iri}>
PREFIX dcterms: <http://purl.org/dc/terms/>
# every finding that names <{iri}>
SELECT ?finding ?article ?title ?cargo ?effect ?process ?disease ?method WHERE {{
  VALUES ?role {{ prov:wasDerivedFrom evkg:cargo evkg:cargoClass evkg:process evkg:diseaseContext }}
  ?finding ?role <{iri}> ; a evkg:Finding .
  OPTIONAL {{ ?finding prov:wasDerivedFrom ?article
             OPTIONAL {{ ?article dcterms:title ?title }} }}
  OPTIONAL {{ ?finding evkg:cargo|evkg:cargoClass ?cargo }}
  OPTIONAL {{ ?finding evkg:effect ?effect }}
  OPTIONAL {{ ?finding evkg:process ?process }}
  OPTIONAL {{ ?finding evkg:diseaseContext ?disease }}
  OPTIONAL {{ ?finding evkg:method ?method }}
}}"""


@dataclass(frozen=True)
class RelatedFindings:
    """A concept one step above or below a page's in its scheme, and the findings naming it."""

    concept: Value
    #: "narrower" or "broader": where the concept stands from the page's.
    relation: str
    findings: int


def related_findings(iri: str) -> list[RelatedFindings]:
    """The concepts right above and below ``iri`` (``skos:broader``) that findings name, with
    how many: a gene's page and its mature miRNA's (an article naming "miR-21" gives a
    finding on the gene, one naming "miR-21-5p" on the mature form), a process's and its
    narrower process's, each lists only its own findings."""
    broader = f"<{SKOS.broader.value}>"
    rows = graph.select(f"""SELECT ?c ?relation (COUNT(DISTINCT ?f) AS ?n) WHERE {{
      {{ ?c {broader} <{iri}> BIND("narrower" AS ?relation) }}
      UNION {{ <{iri}> {broader} ?c BIND("broader" AS ?relation) }}
      VALUES ?role {{ {_finding_roles()} }}
      ?f ?role ?c ; a <{EVKG.Finding.value}> .
    }} GROUP BY ?c ?relation""")
    labels = graph.labels_for(row["c"].value for row in rows)
    related = [RelatedFindings(value_of(row["c"], labels), row["relation"].value,
                               int(row["n"].value)) for row in rows]
    return sorted(related, key=lambda r: (r.relation, r.concept.order))


def _findings(rows: list[graph.Row], labels: dict[str, str]) -> list[Finding]:
    findings: dict[str, Finding] = {}
    for row in rows:
        if row["f"].value in findings:
            continue

        def value(name: str, row: graph.Row = row) -> Value | None:
            return value_of(row[name], labels) if name in row else None

        article = value("article")
        if article is not None and "title" in row:
            article = Value(row["title"].value, article.link, "iri", article.note, article.iri)
        findings[row["f"].value] = Finding(
            value_of(row["f"], labels), article, value("cargo"), value("process"),
            value("effect"), value("method"), value("disease"),
            row["note"].value if "note" in row else "",
            "retracted" in row and row["retracted"].value == "true")
    return list(findings.values())
