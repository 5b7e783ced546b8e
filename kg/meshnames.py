"""MeSH identifiers for headings, qualifiers, publication types and substances known by name.

PubMed XML gives every MeSH UI; MEDLINE text (``MH``, ``PT``, ``RN``, ``NM`` lines) and the
PubMed page give names only. A name that is exactly a preferred label of the build's MeSH tables
(``data/mesh.tsv`` and ``--mesh``; ``data/mesh_qualifiers.tsv``;
``data/mesh_supplementary.tsv`` and NLM's supplementary concept records given with ``--mesh``)
gets its UI, so the heading becomes NLM's descriptor and
descriptor–qualifier pair like any other; a name no table holds stays a name
(``evkg:unresolvedSubjectTerm``, ``evkg:substanceName``, ``evkg:supplementaryConceptName``).

The other way round, a term a hand-written record names by its UI with an empty name gets the
tables' name for it (the loader asks the records read before and the graph for the rest, and
quarantines a record naming a term none of them names: ``kg.loading``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import TypeVar

from kg.mesh import Descriptor
from kg.records import Article, with_mesh_terms

R = TypeVar("R")


def _table_labels(path: Path) -> dict[str, str]:
    """Label → UI of a ``ui`` / ``label`` table (absent file: none)."""
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["label"]: row["ui"] for row in csv.DictReader(handle, delimiter="\t")
                if row.get("label") and row.get("ui")}


class MeshNames:
    """The tables' preferred labels and UIs, and the articles whose MeSH terms they complete:
    the UI of a term named by name alone, the name of one named by UI alone."""

    def __init__(self, descriptors: Iterable[Descriptor], qualifiers: dict[str, str],
                 supplementary: dict[str, str]) -> None:
        named = {d.label: d.ui for d in descriptors if d.label}
        by_role = {"descriptor": named, "qualifier": qualifiers, "publication type": named,
                   "substance": {**supplementary, **named}, "supplementary concept": supplementary}
        #: Role → (name → UI, UI → name).
        self._tables = {role: (table, {ui: name for name, ui in table.items()})
                        for role, table in by_role.items()}

    @classmethod
    def from_data(cls, descriptors: Iterable[Descriptor], data_dir: Path,
                  qualifiers: dict[str, str] | None = None,
                  supplementary: dict[str, str] | None = None) -> MeshNames:
        """The names of ``descriptors``, of the project's qualifier and supplementary tables,
        of ``qualifiers`` (those a descriptor XML allows, by name) and of ``supplementary``
        (name → UI of NLM's supplementary concept records given with ``--mesh``, which win
        over the project's table)."""
        known = {**(qualifiers or {}), **_table_labels(data_dir / "mesh_qualifiers.tsv")}
        return cls(descriptors, {name: ui for name, ui in known.items() if ui},
                   {**_table_labels(data_dir / "mesh_supplementary.tsv"), **(supplementary or {})})

    def resolve(self, record: R) -> R:
        """``record`` with the UIs of its MeSH names and the names of its MeSH UIs filled in
        where the tables know them (anything else as it is)."""
        if not isinstance(record, Article) or _all_known(record):
            return record
        return with_mesh_terms(record, self._term)  # type: ignore[return-value]

    def labels(self, role: str) -> dict[str, str]:
        """UI → name of the terms of ``role`` ("qualifier" …) the tables name."""
        return self._tables[role][1]

    def _term(self, role: str, ui: str, name: str) -> tuple[str, str]:
        by_name, by_ui = self._tables[role]
        return ui or by_name.get(name, ""), name or by_ui.get(ui, "")


def _all_known(article: Article) -> bool:
    return (all(h.descriptor_ui and h.descriptor_label and all(q.ui and q.label
                                                               for q in h.qualifiers)
                for h in article.mesh_headings)
            and all(p.ui and p.label for p in article.publication_types)
            and all(s.ui and s.name for s in article.substances)
            and all(c.ui and c.name for c in article.supplementary_concepts))
