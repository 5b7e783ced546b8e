"""NLM's supplementary concept records (``SupplementalRecordSet``, supp{year}.xml) → ``graph/mesh``.

PubMed indexes an article with supplementary concepts (XML's SupplMeshList, MEDLINE's ``NM``
lines by name alone): chemicals, protocols, diseases and organisms that MeSH has no descriptor
for. Given with ``--mesh``, the file's names resolve such names to NLM's IRIs, and each concept
the records name is described as NLM's MeSH RDF describes it: label, identifier, class and the
headings it is mapped to.

NLM's full file holds some 300,000 records: it is parsed once, before the articles are read,
and what a build takes of each record is held (the names, to resolve the articles' names; the
class and mapped-to headings, for the concepts the articles name): a second pass after the
articles, for those concepts alone, took as long as the first (22 s of 46 s for 300,000
records here) to save some 70 MB.
"""

from __future__ import annotations

import zlib
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from pyoxigraph import Literal, Quad

from kg import iris
from kg.compression import open_table
from kg.mesh import Descriptor, descriptor_quads, unreadable
from kg.namespaces import MESHV, RDF, RDFS

#: ``SCRClass`` → the class NLM's MeSH RDF gives the record: ../shared/data/mesh/meshrdf's
#: supp-samples.xml against samples.nt (C025735 Aeron 1, meshv:SCR_Chemical; C038409 ABC
#: protocol 2, meshv:SCR_Protocol; C564178 Horner Syndrome, Congenital 3, meshv:SCR_Disease).
#: No shared file ties a class to meshv:SCR_Organism: such a record is a
#: meshv:SupplementaryConceptRecord only (a PubMed record's ``Type="Organism"`` adds the class).
SCR_CLASSES = {"1": MESHV.SCR_Chemical, "2": MESHV.SCR_Protocol, "3": MESHV.SCR_Disease}
#: The element a record is, and what an asterisk on a UI it is mapped to means (NLM's MeSH RDF
#: vocabulary, meshv:preferredMappedTo: "includes an asterisk designation in the Source XML").
RECORD, STAR = "SupplementalRecord", "*"


@dataclass(frozen=True, slots=True)
class SupplementaryRecord:
    ui: str
    label: str
    #: ``SCRClass`` ("1" … ); "" when the record gives none
    scr_class: str = ""
    #: The headings the record is mapped to (HeadingMappedTo), as MeSH IRIs' local names: a
    #: descriptor (``D004338``) or a descriptor–qualifier pair (``D002164Q000031``) …
    mapped_to: tuple[str, ...] = ()
    #: … and those of them starred on either part (meshv:preferredMappedTo)
    preferred_mapped_to: tuple[str, ...] = ()

    def descriptor(self) -> Descriptor:
        """The record as a MeSH term of the tables (UI and label)."""
        return Descriptor(ui=self.ui, label=self.label)

    def headings(self) -> Iterator[tuple[str, str]]:
        """The descriptor and qualifier UIs ("" for none) of each heading it is mapped to."""
        for target in (*self.preferred_mapped_to, *self.mapped_to):
            descriptor, qualifier, number = target.partition("Q")
            yield descriptor, qualifier + number


def _records(path: Path) -> Iterator[etree._Element]:
    """Each ``SupplementalRecord`` element, freed once the next is read (constant memory)."""
    try:
        with open_table(path) as handle:
            for _, element in etree.iterparse(handle, tag=RECORD, resolve_entities=False,
                                              no_network=True, load_dtd=False):
                yield element
                element.clear()
                while element.getprevious() is not None:
                    del element.getparent()[0]
    except (etree.XMLSyntaxError, EOFError, zlib.error, OSError) as error:
        raise unreadable(path, error) from None


@dataclass(frozen=True)
class SupplementaryFile:
    """What a build takes from a file of NLM's supplementary concept records, read once."""

    #: UI → record
    records: dict[str, SupplementaryRecord]

    def names(self) -> dict[str, str]:
        """Name → UI of every record that has a name (a later record's wins)."""
        return {record.label: ui for ui, record in self.records.items() if record.label}

    def named(self, wanted: Collection[str]) -> Iterator[SupplementaryRecord]:
        """The file's records whose UIs are ``wanted``, in the file's order."""
        return (record for ui, record in self.records.items() if ui in wanted)


def read_supplementary_file(path: Path) -> SupplementaryFile:
    """Every record of the file, and the names they give; a UI given twice is refused, naming
    both lines (as a descriptor file's is), and a file without records too."""
    records: dict[str, SupplementaryRecord] = {}
    seen: dict[str, str] = {}
    for element in _records(path):
        ui = (element.findtext("SupplementalRecordUI") or "").strip()
        if ui in seen:
            raise ValueError(f"{path}, line {element.sourceline}: supplementary concept record "
                             f"{ui} again ({seen[ui]} gives it too): a MeSH file gives "
                             "each record once")
        seen[ui] = f"line {element.sourceline}"
        records[ui] = _record(ui, element)
    if not seen:
        raise ValueError(f"{path}: no supplementary concept record in it (SupplementalRecord "
                         "elements, as NLM's supp{year}.xml holds them)")
    return SupplementaryFile(records)


def _record(ui: str, element: etree._Element) -> SupplementaryRecord:
    mapped: list[str] = []
    preferred: list[str] = []
    for heading in element.iterfind("HeadingMappedToList/HeadingMappedTo"):
        descriptor = (heading.findtext("DescriptorReferredTo/DescriptorUI") or "").strip()
        qualifier = (heading.findtext("QualifierReferredTo/QualifierUI") or "").strip()
        if not descriptor.removeprefix(STAR):
            continue
        target = descriptor.removeprefix(STAR) + qualifier.removeprefix(STAR)
        starred = descriptor.startswith(STAR) or qualifier.startswith(STAR)
        (preferred if starred else mapped).append(target)
    return SupplementaryRecord(
        ui=ui, label=(element.findtext("SupplementalRecordName/String") or "").strip(),
        scr_class=element.get("SCRClass", "").strip(),
        mapped_to=tuple(mapped), preferred_mapped_to=tuple(preferred))


def supplementary_record_quads(records: Iterable[SupplementaryRecord]) -> Iterator[Quad]:
    """Each record as the project's supplementary concepts are described (a
    meshv:SupplementaryConceptRecord with its label and identifier), with its class and the
    headings it is mapped to, as NLM's MeSH RDF gives them (preferred ones by
    meshv:preferredMappedTo alone, the others by meshv:mappedTo)."""
    g = iris.graph_iri("mesh")
    for record in records:
        yield from descriptor_quads([record.descriptor()])
        m = iris.mesh_iri(record.ui)
        if record.scr_class in SCR_CLASSES:
            yield Quad(m, RDF.type, SCR_CLASSES[record.scr_class], g)
        for link, targets in ((MESHV.preferredMappedTo, record.preferred_mapped_to),
                              (MESHV.mappedTo, record.mapped_to)):
            for target in targets:
                yield Quad(m, link, iris.mesh_iri(target), g)


def mapped_heading_uis(records: Iterable[SupplementaryRecord]) -> set[str]:
    """The descriptors the records are mapped to (alone or in a pair), to be described with
    their ancestors as the headings articles use are."""
    return {descriptor for record in records for descriptor, _ in record.headings()}


def mapped_pair_quads(records: Iterable[SupplementaryRecord], descriptors: Mapping[str, str],
                      qualifiers: Mapping[str, str]) -> Iterator[Quad]:
    """The descriptor–qualifier pairs the records are mapped to, as NLM's MeSH RDF gives them
    (their descriptor, their qualifier and "Descriptor/qualifier" for label when the tables
    name both: ``descriptors`` and ``qualifiers`` UI → name), each as a record's heading of
    the pair is (a ``meshv:DescriptorQualifierPair``), and the qualifiers the tables name."""
    g = iris.graph_iri("mesh")
    pairs = {(d, q) for record in records for d, q in record.headings() if q}
    for descriptor, qualifier in sorted(pairs):
        pair, q = iris.mesh_iri(descriptor + qualifier), iris.mesh_iri(qualifier)
        yield Quad(pair, RDF.type, MESHV.DescriptorQualifierPair, g)
        yield Quad(pair, MESHV.hasDescriptor, iris.mesh_iri(descriptor), g)
        yield Quad(pair, MESHV.hasQualifier, q, g)
        if qualifier in qualifiers and descriptor in descriptors:
            yield Quad(pair, RDFS.label, Literal(
                f"{descriptors[descriptor]}/{qualifiers[qualifier]}", language="en"), g)
    # each qualifier once, however many pairs hold it
    yield from descriptor_quads(Descriptor(ui=qualifier, label=qualifiers[qualifier])
                                for qualifier in sorted({q for _, q in pairs if q in qualifiers}))
