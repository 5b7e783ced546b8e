"""miRNAs from a miRBase GFF3 file (``hsa.gff3``, as miRBase publishes it per species).

``evkg build --mirbase FILE`` lets text mining take any miRNA that the file names as cargo,
not only the vocabulary's. The file's entries become cargo concepts (``evkg:MicroRNA``) keyed
as :mod:`kg.mirnas` normalises names:

- A mature miRNA (``hsa-miR-9-5p``, MIMAT0000441) is a concept narrower than its gene, mapped
  ``exact`` to ``mirbase.mature:``.
- A gene (``hsa-miR-9``) gathers the hairpin precursors of one name, paralogous loci included
  (``hsa-mir-9-1``, ``-2``, ``-3``), mapped to each: ``exact`` for one, ``close`` for several,
  as ``data/vocabulary/cargo.tsv`` does. A mature name without an arm (``hsa-miR-1246``) is its
  gene's key: one concept, mapped ``close`` to the mature accession as well.
- A key the curated vocabulary lists stays the vocabulary's.

Only the concepts that the findings name (and their genes) enter ``graph/vocabulary``
(:func:`used_concepts`), as only the MeSH descriptors the articles use enter ``graph/mesh``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from kg.compression import read_lines
from kg.vocabulary import Concept

#: Precursor names: ``hsa-mir-9-1`` (gene ``hsa-miR-9``, locus 1), ``hsa-let-7a-2``.
_PRECURSOR = re.compile(r"(?P<species>[a-z]{3})-(?P<kind>mir|let)-(?P<core>\d+[a-z]*)"
                        r"(?:-(?P<locus>\d+))?")
#: Mature names: ``hsa-miR-9-5p``, ``hsa-let-7a-5p``, ``hsa-miR-1246`` (no arm).
_MATURE = re.compile(r"[a-z]{3}-(?:miR|let)-\d+[a-z]*(?:-\d+)?(?:-[35]p)?")
_TYPES = {"miRNA_primary_transcript": "precursor", "miRNA": "mature"}
#: How ``dcterms:source`` of every concept made here opens ("miRBase v22 GFF3 hsa.gff3").
SOURCE = "miRBase"


class MirbaseError(ValueError):
    """A file that is not miRBase GFF3, with the file and line."""


@dataclass(frozen=True)
class Entry:
    """One line of the file: a precursor (MI…) or a mature miRNA (MIMAT…) of one locus."""

    kind: str
    accession: str
    name: str
    derives_from: str
    line: int


#: The release a file's header names ("# microRNAs:               miRBase v22").
_RELEASE = re.compile(r"#\s*microRNAs:\s*(miRBase v[\w.]+)")  # opens with SOURCE


def read_gff3(path: Path, header: dict[str, str] | None = None) -> Iterator[Entry]:
    """The miRNA lines of a miRBase GFF3 file (plain or gzip); other feature types are passed
    over, a line that is not GFF3 (or not UTF-8) is an error naming the file and line. The
    release the header names goes into ``header["release"]``."""
    for number, line in enumerate(read_lines(path), start=1):
        if line.startswith("#"):
            release = _RELEASE.match(line)
            if release and header is not None:
                header["release"] = release.group(1)
            continue
        if not line.strip():
            continue
        columns = line.rstrip("\r\n").split("\t")
        if len(columns) != 9:
            raise MirbaseError(f"{path}, line {number}: not GFF3 (want 9 tab-separated "
                               f"columns, found {len(columns)})")
        kind = _TYPES.get(columns[2])
        if kind is None:
            continue
        attributes = dict(part.partition("=")[::2] for part in columns[8].split(";") if part)
        name = unquote(attributes.get("Name", ""))
        accession = attributes.get("Alias") or attributes.get("ID", "").split("_")[0]
        if not name or not accession:
            raise MirbaseError(f"{path}, line {number}: a {columns[2]} without Name or ID")
        yield Entry(kind, accession, name, attributes.get("Derives_from", ""), number)


def concepts(path: Path, *, listed: Iterable[str] = ()) -> dict[str, Concept]:
    """Concepts by key for the miRNAs of ``path`` that ``listed`` (the vocabulary's keys)
    lacks; each names the file (by its name alone) in its ``dcterms:source``."""
    precursors: dict[str, tuple[str, str]] = {}  # MI accession → (name, gene key)
    genes: dict[str, list[tuple[str, str]]] = defaultdict(list)  # gene key → (name, MI)
    matures: dict[str, tuple[str, set[str]]] = {}  # name → (MIMAT, gene keys)
    header: dict[str, str] = {}
    for entry in read_gff3(path, header):
        if entry.kind == "precursor":
            found = _PRECURSOR.fullmatch(entry.name)
            if found is None:
                continue
            gene = f"{found['species']}-{'let' if found['kind'] == 'let' else 'miR'}-{found['core']}"
            if entry.accession not in precursors:
                precursors[entry.accession] = (entry.name, gene)
                genes[gene].append((entry.name, entry.accession))
        elif _MATURE.fullmatch(entry.name):
            accession, parents = matures.setdefault(entry.name, (entry.accession, set()))
            if entry.derives_from in precursors:
                parents.add(precursors[entry.derives_from][1])
    if not precursors and not matures:
        raise MirbaseError(f"{path}: no miRNA in it (no line of type miRNA_primary_transcript "
                           "or miRNA): not a miRBase GFF3 file")
    where = f"{header.get('release', SOURCE)} GFF3 {path.name}"
    listed = frozenset(listed)
    made: dict[str, Concept] = {}
    armless = {name: accession for name, (accession, _) in matures.items() if name in genes}
    for gene, loci in genes.items():
        names = sorted(name for name, _ in loci)
        strength = "exact" if len(loci) == 1 else "close"
        mappings = [(strength, f"mirbase:{a}") for a in sorted(a for _, a in loci)]
        if gene in armless:
            mappings.append(("close", f"mirbase.mature:{armless[gene]}"))
        listing = " and ".join(names) if len(names) < 3 else f"{', '.join(names[:-1])} and {names[-1]}"
        made[gene] = Concept(
            scheme="cargo", key=gene, label=gene, cargo_class="microRNA",
            definition=f"The microRNA gene {gene}, with the hairpin precursor"
                       f"{'s' if len(names) > 1 else ''} {listing} (miRBase).",
            alt_labels=(gene.split("-", 1)[1], *names), mappings=tuple(mappings),
            source=where)
    for name, (accession, parents) in matures.items():
        if name in genes:
            continue
        made[name] = Concept(
            scheme="cargo", key=name, label=name, cargo_class="microRNA",
            definition=f"The mature microRNA {name} (miRBase {accession}).",
            alt_labels=(name.split("-", 1)[1],), mappings=(("exact", f"mirbase.mature:{accession}"),),
            broader=tuple(sorted(parents)), source=where)
    return {key: concept for key, concept in made.items() if key not in listed}


def used_concepts(made: dict[str, Concept], keys: Iterable[str]) -> list[Concept]:
    """The concepts of ``keys`` that ``made`` holds, with every concept they are narrower than
    that it holds too (a mature miRNA's gene), sorted by key."""
    wanted: set[str] = set()
    todo = [key for key in keys if key in made]
    while todo:
        key = todo.pop()
        if key not in wanted:
            wanted.add(key)
            todo.extend(parent for parent in made[key].broader if parent in made)
    return [made[key] for key in sorted(wanted)]
