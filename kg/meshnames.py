"""MeSH identifiers for headings, qualifiers, publication types and substances known by name.

PubMed XML gives every MeSH UI; MEDLINE text (``MH``, ``PT``, ``RN`` lines) and the PubMed
page give names only. A name that is exactly a preferred label of the build's MeSH tables
(``data/mesh.tsv`` and ``--mesh``; ``data/mesh_qualifiers.tsv``;
``data/mesh_supplementary.tsv``) gets its UI, so the heading becomes NLM's descriptor and
descriptor–qualifier pair like any other; a name no table holds stays a name
(``evkg:unresolvedSubjectTerm``, ``evkg:substanceName``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from kg.mesh import Descriptor
from kg.records import Article, MeshHeading, PublicationType, Qualifier, Substance

R = TypeVar("R")


def _table_labels(path: Path) -> dict[str, str]:
    """Label → UI of a ``ui`` / ``label`` table (absent file: none)."""
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["label"]: row["ui"] for row in csv.DictReader(handle, delimiter="\t")
                if row.get("label") and row.get("ui")}


class MeshNames:
    """Preferred labels → UIs, and the articles whose MeSH names they resolve."""

    def __init__(self, descriptors: Iterable[Descriptor], qualifiers: dict[str, str],
                 supplementary: dict[str, str]) -> None:
        self.descriptors = {d.label: d.ui for d in descriptors if d.label}
        self.qualifiers = qualifiers
        self.substances = {**supplementary, **self.descriptors}

    @classmethod
    def from_data(cls, descriptors: Iterable[Descriptor], data_dir: Path,
                  qualifiers: dict[str, str] | None = None) -> MeshNames:
        """The names of ``descriptors``, of the project's qualifier and supplementary tables,
        and of ``qualifiers`` (those a descriptor XML allows, by name)."""
        known = {**(qualifiers or {}), **_table_labels(data_dir / "mesh_qualifiers.tsv")}
        return cls(descriptors, {name: ui for name, ui in known.items() if ui},
                   _table_labels(data_dir / "mesh_supplementary.tsv"))

    def resolve(self, record: R) -> R:
        """``record`` with the UIs of its MeSH names filled in (anything else as it is)."""
        if not isinstance(record, Article) or _all_known(record):
            return record
        return replace(  # type: ignore[return-value]
            record,
            mesh_headings=tuple(map(self._heading, record.mesh_headings)),
            publication_types=tuple(
                p if p.ui else PublicationType(label=p.label, ui=self.descriptors.get(p.label, ""))
                for p in record.publication_types),
            substances=tuple(s if s.ui else Substance(
                name=s.name, ui=self.substances.get(s.name, ""), registry_number=s.registry_number)
                for s in record.substances))

    def _heading(self, heading: MeshHeading) -> MeshHeading:
        return MeshHeading(
            descriptor_label=heading.descriptor_label,
            descriptor_ui=heading.descriptor_ui or self.descriptors.get(heading.descriptor_label, ""),
            major=heading.major,
            qualifiers=tuple(q if q.ui else Qualifier(label=q.label, major=q.major,
                                                      ui=self.qualifiers.get(q.label, ""))
                             for q in heading.qualifiers))


def _all_known(article: Article) -> bool:
    return (all(h.descriptor_ui and all(q.ui for q in h.qualifiers)
                for h in article.mesh_headings)
            and all(p.ui for p in article.publication_types)
            and all(s.ui for s in article.substances))
