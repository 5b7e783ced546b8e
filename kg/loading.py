"""Applying article records to a store: a PMID is a replaceable unit.

A record for an article the store already holds replaces it (unless its PubMed ``Version`` is
lower); a ``DeleteCitation`` removes it; applying the same file twice changes nothing. New
quads (or N-Quads lines) are buffered and bulk-loaded. Removals of articles already in the store
wait and go in batches, always before the next load (which may hold the records replacing
them); removing an article this loader added flushes first, so a removal always sees everything
loaded before it.

A full buffer is loaded by a background thread (``bulk_load`` parses and writes in Rust without
holding the GIL) while the next records are read and mapped; ``flush`` waits for it, so the order
of loads and removals is the order of the records.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence, Set
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from pyoxigraph import Literal, NamedNode, Quad, QuerySolutions, Store
from tqdm import tqdm

from kg import iris
from kg.articles import subject_iri
from kg.mesh import tree_number_lineage
from kg.namespaces import BIBO, CITO, DCTERMS, EVKG, FABIO, MESH, MESHV, RDF, RDFS
from kg.records import Article, Deletion, Rejected, as_loaded, with_mesh_terms
from kg.spool import GraphLines
from kg.store import load_others, load_plain_lines, split_lines

#: How many quads (or lines) the article loader hands to pyoxigraph at a time. Each bulk load
#: ends by writing files: batches of 200k lines took ~40% more CPU per quad than 500k or 1M.
ARTICLE_BATCH = 500_000
T = TypeVar("T")

#: Removals of articles whose lines are all in the store wait, and go this many at a time.
REMOVAL_BATCH = 500
#: After this many articles added the loader flushes everything, so it need only remember
#: which articles it added since (a removal of one of those flushes first).
UNFLUSHED_LIMIT = 200_000
#: Maps one article to every quad it contributes (bibliographic record and findings), as
#: ``Quad`` objects or N-Quads lines (``kg.store.literal_term`` and ``iri_term`` build them).
ArticleMapper = Callable[[Article], Iterable[Quad | str]]


@dataclass
class FileCount:
    """Per input file: seen = mapped + quarantined + deleted; ``not_in_graph`` of the deleted
    named no article of the graph (a daily update deletes PMIDs this graph never held);
    ``superseded`` of the quarantined were older versions than the graph's (listed, but no
    error of the file: applying an update file again quarantines its earlier versions of a
    PMID it also gives later)."""

    seen: int = 0
    mapped: int = 0
    quarantined: int = 0
    deleted: int = 0
    not_in_graph: int = 0
    superseded: int = 0
    #: Of the quarantined, records without PMID of a paper the graph holds from its PubMed
    #: record (same DOI): the PubMed record wins, whichever came first (listed, no error).
    held_by_pmid: int = 0
    #: Where the file could not be read past (its position, "its start" when it has none):
    #: the records after it are lost and how many is not known; "" when it was read through.
    unread: str = ""


class Versions:
    """Article key → PubMed version, for every article of a build, in little memory.

    A dict costs ~100 bytes an entry: ~3.6 GB for PubMed's 36 million articles. Here a PMID's
    version is one byte in a page of 65,536 PMIDs (PubMed's PMIDs, below 45 million, fit in
    ~45 MB however many are read); other keys (DOI, PMCID, PMIDs with a leading zero) and
    versions above 254 are kept in a dict.
    """

    PAGE_BITS = 16
    #: The byte that says "the version is in the dict".
    _ELSEWHERE = 255

    def __init__(self) -> None:
        self._pages: dict[int, bytearray] = {}
        self._others: dict[str, int] = {}
        self._count = 0

    @staticmethod
    def _number(key: str) -> int | None:
        if key.isdigit() and key.isascii() and key[0] != "0" and len(key) < 12:
            return int(key)
        return None

    def get(self, key: str, default: int | None = None) -> int | None:
        number = self._number(key)
        if number is None:
            return self._others.get(key, default)
        page = self._pages.get(number >> self.PAGE_BITS)
        found = 0 if page is None else page[number & ((1 << self.PAGE_BITS) - 1)]
        if found == self._ELSEWHERE:
            return self._others[key]
        return found or default

    def __contains__(self, key: str) -> bool:
        return self.get(key) is not None

    def __setitem__(self, key: str, version: int) -> None:
        number = self._number(key)
        if number is None:
            self._count += key not in self._others
            self._others[key] = version
            return
        page = self._pages.get(number >> self.PAGE_BITS)
        if page is None:
            page = self._pages[number >> self.PAGE_BITS] = bytearray(1 << self.PAGE_BITS)
        slot = number & ((1 << self.PAGE_BITS) - 1)
        self._count += not page[slot]
        if 0 < version < self._ELSEWHERE:
            if page[slot] == self._ELSEWHERE:
                del self._others[key]
            page[slot] = version
        else:
            page[slot] = self._ELSEWHERE
            self._others[key] = version

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(key)
        self._count -= 1
        self._others.pop(key, None)
        number = self._number(key)
        if number is not None:
            self._pages[number >> self.PAGE_BITS][number & ((1 << self.PAGE_BITS) - 1)] = 0

    def __len__(self) -> int:
        return self._count


def _mesh_terms_named(article: Article) -> Iterator[tuple[str, str]]:
    """(UI, name) of each MeSH term the record names, either possibly empty: headings, their
    qualifiers, substances, supplementary concepts and publication types."""
    for h in article.mesh_headings:
        yield h.descriptor_ui, h.descriptor_label
        yield from ((q.ui, q.label) for q in h.qualifiers)
    yield from ((s.ui, s.name) for s in article.substances)
    yield from ((c.ui, c.name) for c in article.supplementary_concepts)
    yield from ((p.ui, p.label) for p in article.publication_types)


@dataclass
class ArticleIndex:
    """What is known about the articles in the store, without holding the records.

    With ``wanted_dois`` (lower case) only those DOIs are remembered: the DOIs are there to
    resolve the curated findings, and all of them would cost ~100 bytes an article.
    """

    versions: Versions = field(default_factory=Versions)
    #: A wanted DOI (lower case) → the keys of the articles noted with it (``lookup`` takes
    #: the lowest PMID of those still in the graph).
    dois: dict[str, list[str]] = field(default_factory=dict)
    #: Key → the wanted DOI it was noted with: a later version noted without it forgets it.
    doi_of: dict[str, str] = field(default_factory=dict)
    retracted: set[str] = field(default_factory=set)
    #: The MeSH terms the records name (qualifiers too): those the build describes.
    mesh_uis: set[str] = field(default_factory=set)
    #: MeSH UI → (date, name) of the most recently revised record that named the term: the
    #: name a term the MeSH tables lack keeps when records name it differently
    #: (``mesh.keep_record_labels``).
    mesh_names: dict[str, tuple[str, str]] = field(default_factory=dict)
    wanted_dois: frozenset[str] | None = None

    def _note_doi(self, doi: str, key: str) -> None:
        """``key`` holds ``doi`` now (and no DOI it was noted with before): a version that
        gave another DOI kept the old one pointing at it, so that a curated finding citing
        that DOI was drawn from an article that no longer gives it, in a build, and in an
        ingest only until the next one read the index from the store (a review's)."""
        previous = self.doi_of.pop(key, None)
        if previous is not None:
            self.dois[previous].remove(key)
            if not self.dois[previous]:
                del self.dois[previous]
        lowered = doi.lower()
        if lowered and (self.wanted_dois is None or lowered in self.wanted_dois):
            self.dois.setdefault(lowered, []).append(key)
            self.doi_of[key] = lowered

    def note(self, article: Article) -> None:
        self.versions[article.key] = article.version
        self._note_doi(article.doi, article.key)
        if article.retracted:
            self.retracted.add(subject_iri(article).value)
        elif self.retracted:
            self.retracted.discard(subject_iri(article).value)
        stamp, uis, names = article.revised_date or article.pub_date, self.mesh_uis, self.mesh_names
        for ui, name in _mesh_terms_named(article):
            if not ui:
                continue
            uis.add(ui)
            if not name:  # named by UI alone: the loader gave it a name others gave it
                continue
            known = names.get(ui)
            if known is None or stamp >= known[0]:  # ties: the later
                names[ui] = (stamp, name)

    def lookup(self, pmid: str, doi: str) -> NamedNode | None:
        """The IRI of the article with this PMID, else with this DOI, if the store has it."""
        if pmid and pmid in self.versions:
            return iris.article_iri(pmid)
        # a DOI of an article since deleted stays in ``dois`` (forgetting it would mean a scan);
        # of two articles giving one DOI the lower PMID, which the store tells as a build does
        # (the one read last did not: a later ingest, reading the store, moved the findings)
        held = [key for key in self.dois.get(doi.lower(), ()) if key in self.versions] if doi else []
        return _iri_of_key(min(held, key=_holder_order)) if held else None

    @classmethod
    def from_store(cls, store: Store, wanted_dois: frozenset[str] | None = None
                   ) -> ArticleIndex:
        """The index of a built store (versions above 1 are recorded in the graph)."""
        index = cls(wanted_dois=wanted_dois)
        solutions = store.query(f"""
            SELECT ?pmid ?doi ?pmcid ?version ?retracted {{
              GRAPH <{iris.graph_iri('articles').value}> {{
              ?a a <https://schema.org/ScholarlyArticle> .
              OPTIONAL {{ ?a <{FABIO.hasPubMedId.value}> ?pmid }}
              OPTIONAL {{ ?a <http://purl.org/ontology/bibo/doi> ?doi }}
              OPTIONAL {{ ?a <{FABIO.hasPubMedCentralId.value}> ?pmcid }}
              OPTIONAL {{ ?a <{EVKG.pubmedVersion.value}> ?version }}
              OPTIONAL {{ ?a <{EVKG.retracted.value}> ?retracted }} }} }}""")
        assert isinstance(solutions, QuerySolutions)
        for pmid, doi, pmcid, version, retracted in solutions:
            # as Article.key: an article known only by its PMCID counts (and is replaced) too
            key = (pmid.value if pmid else f"doi:{doi.value.lower()}" if doi
                   else f"pmc:{pmcid.value.upper()}" if pmcid else "")
            if not key:
                continue
            index.versions[key] = int(version.value) if version else 1
            index._note_doi(doi.value if doi else "", key)
            if retracted and retracted.value == "true":
                index.retracted.add(_iri_of_key(key).value)
        return index


def _holder_order(key: str) -> tuple[int, int, str]:
    """PMIDs first, lowest first; then DOI and PMCID keys."""
    return (0, int(key), "") if key.isdigit() else (1, 0, key)


def _iri_of_key(key: str) -> NamedNode:
    if key.startswith("doi:"):
        return iris.article_iri(doi=key[4:])
    if key.startswith("pmc:"):
        return iris.article_iri(pmcid=key[4:])
    return iris.article_iri(key)


#: The blank nodes an article's record owns besides its author list: grants, substances known
#: by name and registry number only, data bank entries and its abstract's sections.
_OWNED_NODES = (f"(<{EVKG.grant.value}>|<{EVKG.unresolvedSubstance.value}>"
                f"|<{EVKG.dataBankEntry.value}>|<{EVKG.abstractSection.value}>)")


#: How an article names its people: authors, and investigators (under their own IRI prefix).
_PEOPLE = f"(<{DCTERMS.creator.value}>|<{DCTERMS.contributor.value}>)"
#: Whether the person ``?{0}`` is one of article ``?a``'s own (not known by ORCID).
_OWN_PEOPLE = ('STRSTARTS(STR(?{0}), CONCAT(STR(?a), "/author/"))'
               ' || STRSTARTS(STR(?{0}), CONCAT(STR(?a), "/investigator/"))')


def removed_subjects(store: Store, articles: Sequence[NamedNode]) -> list[str]:
    """The subjects (N-Triples terms) of the articles graph whose lines ``removal_update``
    may remove: the articles, their author list's cells, grants, unresolved substances,
    authors and investigators."""
    solutions = store.query(f"""
SELECT DISTINCT ?s {{ VALUES ?a {{ {_values(a.value for a in articles)} }}
  GRAPH <{iris.graph_iri('articles').value}> {{
    {{ ?a ?p ?o BIND(?a AS ?s) }}
    UNION {{ ?a <{BIBO.authorList.value}>/<{RDF.rest.value}>* ?s }}
    UNION {{ ?a {_OWNED_NODES} ?s }}
    UNION {{ ?a {_PEOPLE} ?s }} }} }}""")
    assert isinstance(solutions, QuerySolutions)
    return [str(row[0]) for row in solutions]


def removal_update(articles: Sequence[NamedNode]) -> str:
    """SPARQL Update removing the articles' own records and the findings derived from them.

    Descriptions of shared resources (journals, MeSH terms) and citations other articles make
    of these stay: they belong to other records (``prune_shared`` removes the shared ones no
    record names any more). An author known by ORCID is described from the records that list
    them: the description goes with the last article that lists them (a replaced article's
    record then describes them again, without what it no longer says); while another article
    lists them it stays whole. Removals that waited (``ArticleLoader._removals``) run before
    the records applied earlier but still buffered are loaded: an ORCID author only such a
    record also lists goes, and that record then describes them again (without an affiliation
    only the removed record gave, which one removal at a time would have kept).
    """
    values = _values(a.value for a in articles)
    listed = ", ".join(values.split(" "))
    articles_graph = f"<{iris.graph_iri('articles').value}>"
    findings = f"<{iris.graph_iri('findings').value}>"
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    return f"""
DELETE {{ GRAPH {articles_graph} {{ ?cell ?cp ?co }} }} WHERE {{ VALUES ?a {{ {values} }}
  GRAPH {articles_graph} {{
  ?a <http://purl.org/ontology/bibo/authorList>/<{rdf}rest>* ?cell . ?cell ?cp ?co }} }};
DELETE {{ GRAPH {articles_graph} {{ ?node ?np ?no }} }} WHERE {{ VALUES ?a {{ {values} }}
  GRAPH {articles_graph} {{ ?a {_OWNED_NODES} ?node . ?node ?np ?no }} }};
DELETE {{ GRAPH {articles_graph} {{ ?author ?ap ?ao }} }} WHERE {{ VALUES ?a {{ {values} }}
  GRAPH {articles_graph} {{ ?a {_PEOPLE} ?author . ?author ?ap ?ao
  FILTER({_OWN_PEOPLE.format("author")}) }} }};
DELETE {{ GRAPH {articles_graph} {{ ?person ?pp ?po }} }} WHERE {{ VALUES ?a {{ {values} }}
  GRAPH {articles_graph} {{ ?a {_PEOPLE} ?person
  FILTER(!({_OWN_PEOPLE.format("person")}))
  FILTER NOT EXISTS {{ ?other {_PEOPLE} ?person
                       FILTER(?other NOT IN ({listed})) }}
  ?person ?pp ?po }} }};
DELETE {{ GRAPH {articles_graph} {{ ?a ?p ?o }} }} WHERE {{ VALUES ?a {{ {values} }}
  GRAPH {articles_graph} {{ ?a ?p ?o }} }};
DELETE {{ GRAPH {findings} {{ ?f ?fp ?fo }} }} WHERE {{ VALUES ?a {{ {values} }}
  GRAPH {findings} {{ ?f <http://www.w3.org/ns/prov#wasDerivedFrom> ?a ; ?fp ?fo }} }};
DELETE {{ GRAPH {findings} {{ ?a ?sp ?so }} }} WHERE {{ VALUES ?a {{ {values} }}
  GRAPH {findings} {{ ?a ?sp ?so }} }}
"""


#: The shared resources an article names (its journal, MeSH terms and pairs), asked before it
#: is removed: once no remaining article names them, ``prune_shared`` removes them too.
SHARED_NAMED = """
SELECT DISTINCT ?o {{ VALUES ?a {{ {values} }} GRAPH <{articles}> {{ ?a ?p ?o }}
  FILTER(isIRI(?o) && (?p = <{is_part_of}>
         || (STRSTARTS(STR(?o), "{mesh}") && !STRSTARTS(STR(?o), "{meshv}")))) }}
"""
#: Inside graph/mesh a term is needed by the pairs that name it, by its narrower descriptors
#: and by the supplementary concepts mapped to it.
_MESH_LINKS = (f"(<{MESHV.hasDescriptor.value}>|<{MESHV.hasQualifier.value}>"
               f"|<{MESHV.broaderDescriptor.value}>|<{MESHV.mappedTo.value}>"
               f"|<{MESHV.preferredMappedTo.value}>)*")
#: The terms named, the descriptors and qualifiers of the pairs among them, and their ancestors.
_MESH_REACH = "SELECT DISTINCT ?x {{ VALUES ?c {{ {values} }} GRAPH <{mesh}> {{ ?c {links} ?x }} }}"
#: The terms nothing outside graph/mesh names directly (most terms a removed article named are
#: named by others: this test, an index lookup, answers for them).
_MESH_UNNAMED = """
SELECT ?x {{ VALUES ?x {{ {values} }}
  FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?p ?x }} FILTER(?g != <{mesh}>) }} }}
"""
#: Whether a named pair or narrower descriptor (or the term itself) reaches the term. Asked
#: term by term, apart from the test above: with the term from VALUES Oxigraph walked the paths
#: from every node (40 terms: 1.7 s; asked one by one 0.05 s), and with both tests in one
#: query it walked them for every term (100k articles, 3,253 terms named by 2,000 replaced
#: ones: 79 s; apart 0.3 s).
_MESH_NEEDED = """
ASK {{ GRAPH <{mesh}> {{ ?root {links} <{term}> }} GRAPH ?g {{ ?s ?p ?root }}
  FILTER(?g != <{mesh}>) }}
"""
_HELD_TREE_NUMBERS = "SELECT DISTINCT ?tn {{ GRAPH <{mesh}> {{ ?d <{tree_number}> ?tn }} }}"
_TREE_NUMBERS = "SELECT ?tn {{ GRAPH <{mesh}> {{ ?tn a <{tree_number_class}> }} }}"
_NODE_REMOVAL = """
DELETE {{ GRAPH <{mesh}> {{ ?x ?p ?o }} }} WHERE {{ VALUES ?x {{ {values} }} GRAPH <{mesh}> {{ ?x ?p ?o }} }}
"""
_MESH_REMOVAL = """
DELETE {{ GRAPH <{mesh}> {{ ?tn ?tp ?to }} }} WHERE {{ VALUES ?x {{ {values} }}
  GRAPH <{mesh}> {{ ?x <{tree_number}> ?tn . ?tn ?tp ?to }} }};
DELETE {{ GRAPH <{mesh}> {{ ?x ?p ?o }} }} WHERE {{ VALUES ?x {{ {values} }} GRAPH <{mesh}> {{ ?x ?p ?o }} }}
"""
#: A substance's registry number comes from the chemical lists that name it (NLM's number for
#: the term): a term that stays but that no article names as a substance any more loses it.
_REGISTRY_REMOVAL = """
DELETE {{ GRAPH <{mesh}> {{ ?x <{registry_number}> ?number }} }} WHERE {{ VALUES ?x {{ {values} }}
  GRAPH <{mesh}> {{ ?x <{registry_number}> ?number }}
  FILTER NOT EXISTS {{ GRAPH <{articles}> {{ ?a <{substance}> ?x }} }} }}
"""
_JOURNAL_ORPHANS = """
SELECT ?j {{ VALUES ?j {{ {values} }}
  FILTER NOT EXISTS {{ GRAPH <{articles}> {{ ?a <{is_part_of}> ?j }} }} }}
"""
_JOURNAL_REMOVAL = """
DELETE {{ GRAPH <{articles}> {{ ?j ?p ?o }} }} WHERE {{ VALUES ?j {{ {values} }}
  GRAPH <{articles}> {{ ?j ?p ?o }} }}
"""


def prune_shared(store: Store, named: Iterable[str], *, chunk: int = 500) -> int:
    """Remove the journals and MeSH terms among ``named`` (IRIs that removed articles named)
    that nothing names any more; the number of resources removed.

    A journal stays while an article is part of it. A MeSH term stays while something outside
    graph/mesh (an article, the vocabulary, the ontology) names it, or a pair or a narrower
    descriptor that is itself named; its tree numbers go with it (and those above them that no
    descriptor's tree number below keeps), and a term that stays keeps a registry number only
    while an article names it as a substance. So a graph that had an
    article replaced or deleted describes the same terms as one built without the old record.
    """
    names = {
        "articles": iris.graph_iri("articles").value, "mesh": iris.graph_iri("mesh").value,
        "is_part_of": DCTERMS.isPartOf.value, "tree_number": MESHV.treeNumber.value,
        "tree_number_class": MESHV.TreeNumber.value,
        "registry_number": MESHV.registryNumber.value, "substance": EVKG.substance.value,
        "links": _MESH_LINKS}
    terms = sorted(n for n in named if n.startswith(MESH.iri))
    journals = sorted(n for n in named if not n.startswith(MESH.iri))
    reached = set(terms)
    for part in _chunks(terms, chunk):
        reached.update(row[0].value for row in _select(store, _MESH_REACH, names, part))
    unnamed = [row[0].value for part in _chunks(sorted(reached), chunk)
               for row in _select(store, _MESH_UNNAMED, names, part)]
    orphans = [term for term in unnamed if not store.query(_MESH_NEEDED.format(**names, term=term))]
    lonely = [row[0].value for part in _chunks(journals, chunk)
              for row in _select(store, _JOURNAL_ORPHANS, names, part)]
    # each decision holds whatever the removals take: nothing named reaches an orphan
    for removal, gone in ((_MESH_REMOVAL, orphans), (_JOURNAL_REMOVAL, lonely),
                          (_REGISTRY_REMOVAL, sorted(set(terms) - set(orphans)))):
        for part in _chunks(gone, chunk):
            store.update(removal.format(**names, values=_values(part)))
    if orphans:
        _prune_tree_numbers(store, names, chunk)
    return len(orphans) + len(lonely)


def _prune_tree_numbers(store: Store, names: dict[str, str], chunk: int) -> None:
    """Remove the tree numbers no descriptor's tree number is at or below: those above a
    removed descriptor's that it alone reached (``mesh.descriptor_quads`` writes every level
    above a descriptor's, whether or not a descriptor holds it)."""
    held = {row[0].value.removeprefix(MESH.iri)
            for row in _select(store, _HELD_TREE_NUMBERS, names, [])}
    kept = held | {above for tn in held for above in tree_number_lineage(tn)}
    unreached = sorted(row[0].value for row in _select(store, _TREE_NUMBERS, names, [])
                       if row[0].value.removeprefix(MESH.iri) not in kept)
    for part in _chunks(unreached, chunk):
        store.update(_NODE_REMOVAL.format(**names, values=_values(part)))


def _chunks(items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _values(iris_: Iterable[str]) -> str:
    return " ".join(f"<{i}>" for i in iris_)


def _select(store: Store, query: str, names: dict[str, str], part: list[str]) -> QuerySolutions:
    solutions = store.query(query.format(**names, values=_values(part)))
    assert isinstance(solutions, QuerySolutions)
    return solutions


@dataclass
class LineBatches:
    """Mapped lines and quads into ``store``, a batch at a time.

    The lines ``bulk_load`` can take are loaded at once; the others (blank nodes, ``Quad``s)
    wait until there is a batch of them (or ``everything`` is asked for): each bulk load writes
    files, and fewer cost less.
    """

    store: Store
    _others: list[Quad | str] = field(default_factory=list)

    def load(self, items: list[Quad | str], *, everything: bool = False) -> None:
        plain, others = split_lines(items)
        load_plain_lines(self.store, plain)
        self._others.extend(others)
        if everything or len(self._others) >= ARTICLE_BATCH:
            load_others(self.store, self._others)
            self._others = []


#: What ``ArticleLoader._graph_record`` reads of an article the graph holds.
_GRAPH_RECORD = (DCTERMS.modified, EVKG.similarTo, CITO.isCitedBy)


def _whole_date(text: str) -> bool:
    """Whether ``text`` is a whole date, YYYY-MM-DD (revision dates compare as text then)."""
    return (len(text) == 10 and text.isascii() and text[4] == text[7] == "-"
            and text.replace("-", "").isdigit())


def _is_pmid(text: str) -> bool:
    return text.isascii() and text.isdigit() and text[0] != "0"


@dataclass
class ArticleLoader:
    """Loads article records into ``store`` with replace and delete semantics, counting."""

    store: Store
    mapper: ArticleMapper
    index: ArticleIndex = field(default_factory=ArticleIndex)
    files: dict[str, FileCount] = field(default_factory=dict)
    quarantine: list[Rejected] = field(default_factory=list)
    #: The entries of ``quarantine`` that are no error (``FileCount.superseded`` and
    #: ``held_by_pmid``): news that changes nothing.
    uncounted: list[Rejected] = field(default_factory=list)
    _buffer: list[Quad | str] = field(default_factory=list)
    _batches: LineBatches = field(init=False)
    _loading: _BackgroundLoad | None = None
    #: The articles graph's lines for the release dumps (``kg/spool.py``), if any.
    spool: GraphLines | None = None
    #: The journals and MeSH terms that removed articles named (for ``prune_shared``).
    released: set[str] = field(default_factory=set)
    #: The citing articles of the previous release's derived citations (IRIs; an ingest's,
    #: ``kg/citations.py``), and those of them whose lines this load removed (``rewritten``).
    citing: Set[str] = frozenset()
    rewritten: set[str] = field(default_factory=set)
    #: The citing articles of the citations only a "cited by" list gave: one that arrives has
    #: those removed before its lines load, which may give the same triples as its own.
    listed_citing: Set[str] = frozenset()
    #: Keys of the articles added since the last flush: some of their lines may still be in
    #: the buffer, a background load or the blank-node batch, so removing one flushes first.
    _unflushed: set[str] = field(default_factory=set)
    #: DOI (lower case) → PMID of the articles with both added since the last flush, which a
    #: store lookup may not find yet (``_pmid_with_doi``): at most ``UNFLUSHED_LIMIT``
    #: entries, ~34 MB of synthetic DOIs.
    _unflushed_dois: dict[str, str] = field(default_factory=dict)
    #: Articles whose lines are all in the store, to remove before the next load: a file of
    #: PubMed updates replaces thousands of records, and a flush (a bulk load that writes
    #: files) and an update for each took 55 ms a record (2,000 records replaced in the 100k
    #: benchmark release: read + map + load 109 s, batched 10.7 s).
    _removals: list[NamedNode] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._batches = LineBatches(self.store)

    def flush(self) -> None:
        """Apply the waiting removals and load everything buffered; on return the store holds
        every record applied so far."""
        self._wait()
        self._apply_removals()
        self._load(self._buffer, everything=True)
        self._buffer = []
        self._unflushed.clear()
        self._unflushed_dois.clear()

    def _add(self, article: Article, quads: Iterable[Quad | str]) -> None:
        self._buffer.extend(quads)
        self._unflushed.add(article.key)
        if article.pmid and article.doi:
            self._unflushed_dois[article.doi.lower()] = article.pmid
        if len(self._unflushed) >= UNFLUSHED_LIMIT:
            self.flush()
        elif len(self._buffer) >= ARTICLE_BATCH:
            self._wait()
            self._apply_removals()  # before the load that may hold the records replacing them
            self._loading = _BackgroundLoad(self._load, self._buffer)
            self._buffer = []

    def _load(self, items: list[Quad | str], *, everything: bool = False) -> None:
        self._batches.load(items, everything=everything)
        if self.spool is not None:
            self.spool.add(items)

    def _wait(self) -> None:
        """Wait for the load running in the background, if any (its error is raised here)."""
        if self._loading is not None:
            loading, self._loading = self._loading, None
            loading.result()

    def _remove(self, article: NamedNode, key: str) -> None:
        """Remove an article before anything applied after it is loaded (see ``_removals``)."""
        if key in self._unflushed:  # added by this loader: its lines go to the store first
            self.flush()
        # its lines are all in the store now: the removal waits for the next load (or batch)
        self._removals.append(article)
        if len(self._removals) >= REMOVAL_BATCH:
            self._wait()
            self._apply_removals()

    def _apply_removals(self) -> None:
        """Remove the waiting articles, noting the shared resources they named."""
        for part in _chunks(self._removals, REMOVAL_BATCH):
            solutions = self.store.query(SHARED_NAMED.format(
                articles=iris.graph_iri("articles").value, values=_values(a.value for a in part),
                is_part_of=DCTERMS.isPartOf.value, mesh=MESH.iri, meshv=MESHV.iri))
            assert isinstance(solutions, QuerySolutions)
            self.released.update(row[0].value for row in solutions)
            self.rewritten.update(a.value for a in part if a.value in self.citing)
            if self.spool is not None and self.spool.follows_changes:
                self.spool.touch(removed_subjects(self.store, part))
            self.store.update(removal_update(part))
        self._removals = []

    def _lesser_keys(self, article: Article) -> list[str]:
        """The keys of the graph's articles that are the same paper, known so far by an
        identifier this record's IRI yields to (its DOI, for a record with a PMID; its PMCID,
        for one with a DOI)."""
        keys = (f"doi:{article.doi.lower()}" if article.doi else "",
                f"pmc:{article.pmcid.upper()}" if article.pmcid else "")
        return [key for key in keys
                if key and key != article.key and key in self.index.versions]

    def _supersede_lesser_keys(self, article: Article) -> None:
        """This record replaces the same paper known by a lesser key, so the graph holds one
        article for it: a curated article known from its publisher's page met its PubMed
        record as a second article with the same DOI."""
        for key in self._lesser_keys(article):
            self._remove(_iri_of_key(key), key)
            del self.index.versions[key]
            self.index.retracted.discard(_iri_of_key(key).value)

    def _reject(self, count: FileCount, rejected: Rejected, *, error: bool = True) -> None:
        count.quarantined += rejected.records or 1
        if rejected.records is None:
            count.unread = count.unread or rejected.provenance.position or "its start"
        self.quarantine.append(rejected)
        if not error:
            self.uncounted.append(rejected)

    def apply(self, path: Path, records: Iterator[Article | Deletion | Rejected],
              *, progress: bool = False) -> None:
        """Apply every record of one file (with a progress bar on stderr when asked)."""
        count = self.files.setdefault(str(path), FileCount())
        if progress:
            records = tqdm(records, desc=path.name, unit=" records", leave=False)
        for record in records:
            count.seen += 1
            if isinstance(record, Rejected):
                count.seen += (record.records or 1) - 1  # a file refused whole: all it held
                self._reject(count, record)
                continue
            record = as_loaded(record)
            if isinstance(record, Deletion) and not _is_pmid(record.pmid):
                self._reject(count, Rejected(
                    reason=f"DeleteCitation: PMID {record.pmid!r} is not a PubMed identifier "
                    "(a whole number from 1)", provenance=record.provenance, pmid=record.pmid))
            elif isinstance(record, Deletion):
                count.deleted += 1
                held = self.index.versions.get(record.pmid)
                if held is not None and record.version not in (None, held):
                    count.not_in_graph += 1  # another version than the graph's: it stays
                elif held is not None:
                    self._remove(iris.article_iri(record.pmid), record.pmid)
                    del self.index.versions[record.pmid]
                    self.index.retracted.discard(iris.article_iri(record.pmid).value)
                else:
                    count.not_in_graph += 1
            elif not record.key:
                self._reject(count, Rejected(
                    reason="no PMID, DOI or PMCID: the graph cannot name this article",
                    provenance=record.provenance, title=record.title))
            elif not record.title:
                self._reject(count, Rejected(
                    reason="no title (nor a vernacular title): an article needs one",
                    provenance=record.provenance, pmid=record.pmid))
            elif record.pmid and not _is_pmid(record.pmid):
                self._reject(count, Rejected(
                    reason=f"PMID {record.pmid!r} is not a PubMed identifier (a whole number "
                    "from 1)",
                    provenance=record.provenance, pmid=record.pmid, title=record.title))
            else:
                self._apply_article(count, record)

    def _apply_article(self, count: FileCount, article: Article) -> None:
        known = self.index.versions.get(article.key)
        held = self._pmid_with_doi(article.doi) if not article.pmid and article.doi else None
        if article.partial and (known is not None or held or self._lesser_keys(article)):
            count.mapped += 1  # a listing on another page never replaces a full record
            return
        if held is not None:
            count.held_by_pmid += 1
            self._reject(count, Rejected(
                reason=f"the graph holds this paper from its PubMed record, PMID {held} (DOI "
                f"{article.doi}): a record without PMID does not replace it",
                provenance=article.provenance, title=article.title), error=False)
            return
        if known is not None and article.version < known:
            count.superseded += 1
            self._reject(count, Rejected(
                reason=f"version {article.version} of {article.key} is older than the "
                f"version {known} already in the graph", provenance=article.provenance,
                pmid=article.pmid, title=article.title), error=False)
            return
        if known is not None and (not article.links_given or article.from_page
                                  or _whole_date(article.revised_date)):
            revised, similar, cited_by = self._graph_record(article)
            if article.from_page and (_whole_date(revised) or self._authored(article)):
                count.held_by_pmid += 1  # (a page names no authors: the record is no page's)
                self._reject(count, Rejected(
                    reason=f"a saved page's record does not replace the record of "
                    f"{article.key} the graph holds, which says more (its authors, or PubMed's "
                    "revision date): its lists of similar and citing articles are not taken "
                    "either (`evkg fetch --pmids` renews them)", provenance=article.provenance,
                    pmid=article.pmid, title=article.title), error=False)
                return
            if (article.version == known and _whole_date(article.revised_date)
                    and _whole_date(revised) and article.revised_date < revised):
                count.superseded += 1  # (an old update file applied again rolled records back)
                self._reject(count, Rejected(
                    reason=f"revised on {article.revised_date}, before the revision of "
                    f"{revised} already in the graph (version {known} of {article.key}): an "
                    "older record does not replace a newer one", provenance=article.provenance,
                    pmid=article.pmid, title=article.title), error=False)
                return
            if not article.links_given:
                article = replace(article, similar_pmids=article.similar_pmids or similar,
                                  cited_by_pmids=article.cited_by_pmids or cited_by)
        try:  # mapped whole before anything changes: a record that cannot be costs only itself
            named = self._named(article)
            lines = list(self.mapper(named))
        except ValueError as error:
            self._reject(count, Rejected(
                reason=f"could not be mapped to RDF: {error}", provenance=article.provenance,
                pmid=article.pmid, title=article.title))
            return
        subject = subject_iri(article)
        if known is not None or subject.value in self.listed_citing:
            self._remove(subject, article.key)
        self._supersede_lesser_keys(article)
        # the names the record did not give are not its own (``note``), but a retraction a
        # publication type named now tells is (``with_mesh_terms``)
        self.index.note(article if named.retracted == article.retracted
                        else replace(article, retracted=named.retracted))
        self._add(article, lines)
        count.mapped += 1

    def _graph_record(self, article: Article) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
        """Of the article the graph holds that ``article`` would replace: its revision date
        (``dcterms:modified``, "" when none) and the PMIDs of its "similar" and "cited by"
        links (ELink's, which a record without the lists keeps: an update file's revised
        record of a fetched article took them out of the graph until its next fetch)."""
        if article.key in self._unflushed:  # (an earlier record of this load: in the store first)
            self.flush()
        prefix = iris.article_iri("0").value[:-1]
        found: dict[str, list[str]] = {p.value: [] for p in _GRAPH_RECORD}
        solutions = self.store.query(
            f"SELECT ?p ?o WHERE {{ GRAPH <{iris.graph_iri('articles').value}> {{ "
            f"VALUES ?p {{ {_values(found)} }} <{subject_iri(article).value}> ?p ?o }} }} "
            "ORDER BY ?p ?o")
        assert isinstance(solutions, QuerySolutions)
        for row in solutions:
            value = row[1].value
            if row[0] == DCTERMS.modified:
                found[DCTERMS.modified.value].append(value)
            elif value.startswith(prefix) and _is_pmid(value[len(prefix):]):
                found[row[0].value].append(value[len(prefix):])
        return (max(found[DCTERMS.modified.value], default=""),
                tuple(found[EVKG.similarTo.value]), tuple(found[CITO.isCitedBy.value]))

    def _authored(self, article: Article) -> bool:
        """Whether the graph names authors of the article ``article`` would replace (after
        ``_graph_record``, which put it in the store)."""
        return bool(self.store.query(
            f"ASK {{ GRAPH <{iris.graph_iri('articles').value}> {{ "
            f"<{subject_iri(article).value}> <{DCTERMS.creator.value}> ?author }} }}"))

    def _named(self, article: Article) -> Article:
        """``article`` with a name for each MeSH term it names by UI alone that the tables do
        not name (``MeshNames.resolve`` gave those they do): the name the record itself gives
        it elsewhere (a substance that is also a heading), else the latest name the records
        read before gave it, else its label in the graph (an ingest's). A term nothing names
        would stand in the graph without a label, which the shapes refuse, and so fail the
        whole build: the record is quarantined (a ValueError) instead."""
        if all(name for ui, name in _mesh_terms_named(article) if ui):  # (nearly every record)
            return article
        mesh = iris.graph_iri("mesh")
        own = {ui: name for ui, name in _mesh_terms_named(article) if ui and name}

        def term(role: str, ui: str, name: str) -> tuple[str, str]:
            if name or not ui:
                return ui, name
            if ui in own:
                return ui, own[ui]
            known = self.index.mesh_names.get(ui)
            labels = [known[1]] if known else sorted(
                q.object.value for q in self.store.quads_for_pattern(
                    iris.mesh_iri(ui), RDFS.label, None, mesh) if isinstance(q.object, Literal))
            if not labels:
                raise ValueError(f"its {role} {ui} has an empty name, and neither the MeSH "
                                 "tables nor a record read before it name that term (the "
                                 "graph would hold it without a label)")
            return ui, labels[0]

        return with_mesh_terms(article, term)

    def _pmid_with_doi(self, doi: str) -> str | None:
        """The PMID of the graph's article with this DOI (any case), if it has one. Only for
        records without PMID, which are few: two index lookups in the store."""
        lowered = doi.lower()
        pmid = self._unflushed_dois.get(lowered)
        if pmid is not None:
            return pmid if pmid in self.index.versions else None
        articles, prefix = iris.graph_iri("articles"), iris.mint("article/").value
        for predicate in (BIBO.doi, EVKG.doiLowerCase):
            for quad in self.store.quads_for_pattern(None, predicate, Literal(lowered), articles):
                subject = quad.subject
                pmid = subject.value.removeprefix(prefix) if isinstance(subject, NamedNode) else ""
                # a PMID still in the graph, and not these lines of a version whose removal
                # waits (the version replacing it, if it gives this DOI, is unflushed above)
                if _is_pmid(pmid) and pmid in self.index.versions and subject not in self._removals:
                    return pmid
        return None

    @property
    def articles(self) -> int:
        return len(self.index.versions)


class _BackgroundLoad:
    """One load in a thread of its own (one at a time: the loader waits before the next)."""

    def __init__(self, load: Callable[[list[Quad | str]], None], items: list[Quad | str]) -> None:
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(load, items),
                                        name="evkg-bulk-load")
        self._thread.start()

    def _run(self, load: Callable[[list[Quad | str]], None], items: list[Quad | str]) -> None:
        try:
            load(items)
        except BaseException as error:  # re-raised in the thread that waits
            self._error = error

    def result(self) -> None:
        self._thread.join()
        if self._error is not None:
            raise self._error
