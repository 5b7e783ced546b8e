"""The SSSOM mapping set: every alignment of the vocabulary and the ontology, as SSSOM/TSV.

One row per ``skos:*Match`` triple: the evkg concept or cargo class (subject), the SKOS mapping
property (predicate) and the external term (object, a CURIE with the prefixes of
``kg.iris.CURIE_NAMESPACES``). Every row is a manual curation; its ``comment`` repeats the
subject's ``dcterms:source``, which says where the external identifier was verified.

The metadata block is embedded as ``#``-prefixed YAML lines above the table (the standard
SSSOM/TSV form). Rows are sorted and no clock time is written: the same graph gives the same bytes.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Store, parse

from kg import iris
from kg.metadata import LICENSE
from kg.mirbase import SOURCE as MIRBASE_SOURCE
from kg.namespaces import DCTERMS, OWL, RDF, RDFS, SKOS
from kg.vocabulary import STRENGTHS, vocabulary_quads

#: The mapping set's file name, in a release and at ``mapping_set_id``.
SSSOM_FILE = "evkg.sssom.tsv"
#: Its media type (SSSOM/TSV is TSV with a commented YAML header).
MEDIA_TYPE = "text/tab-separated-values"
#: Every mapping of the vocabulary was chosen by a curator (data/README.md, "How match
#: strengths were set"); those of the miRNAs ``--mirbase`` adds are miRBase's own accessions,
#: taken from its file as stated.
JUSTIFICATION = "semapv:ManualMappingCuration"
STATED_JUSTIFICATION = "semapv:UnspecifiedMatching"
#: SKOS mapping property IRI → its CURIE (``skos`` is an SSSOM built-in prefix).
PREDICATES: dict[str, str] = {p.value: f"skos:{p.value.rsplit('#', 1)[1]}"
                              for p in STRENGTHS.values()}
#: The table's columns, in the order of the SSSOM specification.
COLUMNS = ("subject_id", "subject_label", "subject_type", "predicate_id", "object_id",
           "object_label", "mapping_justification", "comment")
#: The ontology namespace's CURIE prefix (as in kg.namespaces.PREFIXES).
ONTOLOGY_PREFIX = "evkg"


def subject_prefixes() -> dict[str, str]:
    """CURIE prefixes of evkg's own terms: ``evkg`` and ``evkg.{process,disease,ev-type,cargo}``."""
    base = iris.base_iri()
    prefixes = {ONTOLOGY_PREFIX: "https://w3id.org/evkg/ontology#"}
    for mint in iris.CONCEPT_IRIS.values():
        namespace = mint("").value  # e.g. https://w3id.org/evkg/ev-type/
        prefixes[f"evkg.{namespace[len(base):].strip('/')}"] = namespace
    return prefixes


def curie_map() -> dict[str, str]:
    """Every prefix the mapping set uses, sorted (the SSSOM built-ins skos and semapv aside)."""
    return dict(sorted((subject_prefixes() | iris.CURIE_NAMESPACES).items()))


def contract(iri: str, prefixes: dict[str, str]) -> str:
    """``iri`` as a CURIE under the longest matching namespace; a clear error when none does."""
    matches = [(len(ns), prefix) for prefix, ns in prefixes.items()
               if iri.startswith(ns) and len(iri) > len(ns)]
    if not matches:
        raise ValueError(f"{iri} is in no namespace of the mapping set's curie_map; "
                         f"known: {', '.join(prefixes.values())}")
    _, prefix = max(matches)
    return f"{prefix}:{iri[len(prefixes[prefix]):]}"


def _first_value(store: Store, subject: NamedNode, *predicates: NamedNode) -> str:
    """The smallest literal value of the first predicate that has one (stable across runs)."""
    for predicate in predicates:
        values = [q.object.value for q in store.quads_for_pattern(subject, predicate, None, None)
                  if isinstance(q.object, Literal)]
        if values:
            return min(values)
    return ""


def _subject_type(store: Store, subject: NamedNode) -> str:
    types = {q.object for q in store.quads_for_pattern(subject, RDF.type, None, None)}
    if OWL.Class in types:
        return "owl class"
    return "skos concept" if SKOS.Concept in types else ""


def alignments(store: Store) -> set[tuple[NamedNode, NamedNode, NamedNode]]:
    """Every ``(subject, skos:*Match, object)`` in any graph of ``store``."""
    return {(q.subject, q.predicate, q.object)
            for predicate in STRENGTHS.values()
            for q in store.quads_for_pattern(None, predicate, None, None)
            if isinstance(q.subject, NamedNode) and isinstance(q.object, NamedNode)}


def graph_mapping_rows(store: Store) -> list[dict[str, str]]:
    """The mapping set of the graph in ``store``: one row per alignment, sorted."""
    subjects, objects = subject_prefixes(), iris.CURIE_NAMESPACES
    rows = [{
        "subject_id": contract(s.value, subjects),
        "subject_label": _first_value(store, s, SKOS.prefLabel, RDFS.label),
        "subject_type": _subject_type(store, s),
        "predicate_id": PREDICATES[p.value],
        "object_id": contract(o.value, objects),
        "object_label": _first_value(store, o, RDFS.label),
        "mapping_justification": (STATED_JUSTIFICATION if source.startswith(MIRBASE_SOURCE)
                                  else JUSTIFICATION),
        "comment": source,
    } for s, p, o in alignments(store) for source in [_first_value(store, s, DCTERMS.source)]]
    return sorted(rows, key=lambda r: (r["subject_id"], r["predicate_id"], r["object_id"]))


def _table_labels(path: Path) -> Iterator[Quad]:
    """``rdfs:label`` of each MeSH UI in a ``ui``/``label`` table of ``data/``."""
    if not path.exists():
        return
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row.get("ui") and row.get("label"):
                yield Quad(iris.mesh_iri(row["ui"]), RDFS.label,
                           Literal(row["label"], language="en"), iris.graph_iri("mesh"))


def _ontology_quads(ontology_dir: Path) -> Iterator[Quad]:
    graph = iris.graph_iri("ontology")
    for triple in parse(path=str(ontology_dir / "evkg.ttl"), format=RdfFormat.TURTLE):
        yield Quad(triple.subject, triple.predicate, triple.object, graph)


def mapping_rows(data_dir: Path, ontology_dir: Path) -> list[dict[str, str]]:
    """The mapping set of the curated files: ``data/vocabulary/*.tsv`` and ``evkg.ttl``.

    Object labels are the MeSH labels of ``data/mesh.tsv`` and ``data/mesh_supplementary.tsv``
    and the names of ``data/vocabulary/external_labels.tsv``; UniProt and Ensembl terms, which
    no file names, keep an empty cell.
    """
    store = Store()
    store.extend(vocabulary_quads(data_dir / "vocabulary"))
    store.extend(_ontology_quads(ontology_dir))
    for table in ("mesh.tsv", "mesh_supplementary.tsv"):
        store.extend(_table_labels(data_dir / table))
    return graph_mapping_rows(store)


def metadata(version: str) -> dict[str, str | dict[str, str]]:
    """The mapping set's metadata block (SSSOM 1.0 slots)."""
    return {
        "curie_map": curie_map(),
        "mapping_set_id": f"{iris.base_iri()}mappings/{SSSOM_FILE}",
        "mapping_set_version": version,
        "mapping_set_title": "evkg alignments to external ontologies",
        "mapping_set_description": (
            "Every skos:*Match alignment of the evkg vocabulary (cancer processes, breast-cancer "
            "diseases, EV types, cargo molecules) and of the evkg ontology's cargo classes to GO, "
            "NCIT, MeSH, MONDO, DOID, SO, ChEBI, miRBase, HGNC, UniProt and Ensembl. The comment "
            "of each mapping says where its external identifier was verified."),
        "license": LICENSE.value,
    }


def _yaml_lines(block: dict[str, str | dict[str, str]]) -> Iterator[str]:
    """The metadata as YAML, each line behind ``#``; scalars as JSON strings (valid YAML)."""
    for key, value in block.items():
        if isinstance(value, dict):
            yield f"#{key}:\n"
            for name, item in value.items():
                yield f"#  {name}: {json.dumps(item, ensure_ascii=False)}\n"
        else:
            yield f"#{key}: {json.dumps(value, ensure_ascii=False)}\n"


def _cell(value: str) -> str:
    """A value with no tab or line break, which SSSOM/TSV cells cannot hold."""
    return " ".join(value.split()) if any(c in value for c in "\t\r\n") else value


def write_table(out: IO[str], rows: Iterable[dict[str, str]], version: str) -> int:
    """Write the metadata block and the table to ``out``; return the number of rows."""
    out.writelines(_yaml_lines(metadata(version)))
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for row in rows:
        writer.writerow([_cell(row.get(column, "")) for column in COLUMNS])
        count += 1
    return count


def write_sssom(path: Path, version: str, data_dir: Path, ontology_dir: Path) -> int:
    """Write the mapping set of the curated files to ``path``; return the number of mappings."""
    with path.open("w", encoding="utf-8", newline="") as out:
        return write_table(out, mapping_rows(data_dir, ontology_dir), version)


def write_release_mappings(store: Store, directory: Path, version: str) -> dict[str, str]:
    """Write the mapping set of the release's graph beside its dumps; file name → media type."""
    with (directory / SSSOM_FILE).open("w", encoding="utf-8", newline="") as out:
        write_table(out, graph_mapping_rows(store), version)
    return {SSSOM_FILE: MEDIA_TYPE}
