"""Text mining: cargo, process, EV and disease mentions in titles, abstracts and keywords.

A :class:`Matcher` is built once per build from the vocabulary and finds :class:`Mention` values
in a text (names compiled by :mod:`kg.lexicons`, miRNAs read by :mod:`kg.mirnas`);
:func:`text_findings` pairs each listed cargo with each process of the same sentence into a
candidate finding, whose effect :mod:`kg.effects` reads from the sentence. Pure Python and
``re``. The decisions:

- A miRNA the vocabulary does not list is still a mention (``listed=False``, its key the
  normalised name, e.g. ``hsa-miR-1234``) but never makes a finding.
- Overlapping mentions of different types: the longest wins, then cargo > disease > EV >
  process ("PD-L1" is CD274, not immune evasion; "metastatic breast cancer" is a disease, not
  metastasis). Two molecules in one name ("miR-221/222") share its span.
- Short forms in :data:`CONTEXT_RULES` (EV, BC, MV, …) count only where the article also
  writes the long form: an "EV" that is an electric vehicle is not an extracellular vesicle.
- Findings are drawn only from articles about EVs (an EV type named in a field, or a MeSH
  heading that maps to one), and a molecule named as another's target ("activating ERBB2
  translation", "by targeting PTEN") is no cargo of a finding.
- Findings: the disease context is the most specific disease named in the title or abstract
  (the one left once ancestors are dropped, else their nearest common ancestor), or none when
  no breast-cancer term occurs (then the MeSH headings' disease, if they name one): an
  article on colon cancer gets no breast-cancer context. The
  keywords, joined by "; " (the text the span refers to), count as one sentence; a pair they
  name that a sentence of the title or abstract already gave makes no second finding. The effect
  is ``promotes`` or ``inhibits`` where the sentence's words say so (:mod:`kg.effects`), else
  ``associatedWith``; every finding keeps its sentence so that a reader can judge it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import NamedTuple

from pyoxigraph import NamedNode

from kg.articles import subject_iri
from kg.effects import CARRIER_AFTER, HEDGE, LONGEST, SENSITIZING, Effect, acted_on, read_effect
from kg.findings import Finding
from kg.hierarchy import narrowest, parent_keys
from kg.lexicons import Lexicon, Name, concept_names, lexicons
from kg.mirnas import NEEDLES as MIRNA_NEEDLES
from kg.mirnas import find_names, name_keys, normalise
from kg.records import NLM_CATEGORIES, PLAIN_OF_SCRIPT, Article, section_line
from kg.vocabulary import DRUG_RESISTANCE, EV_COMMUNICATION, Concept

#: Entity types, by the vocabulary file (scheme) their concepts come from.
ENTITY_TYPES: dict[str, str] = {"cargo": "cargo", "processes": "process", "ev_types": "ev",
                                "diseases": "disease"}
#: Which type keeps a span two types both claim, once the longer span has won.
PRIORITY: dict[str, int] = {"cargo": 0, "disease": 1, "ev": 2, "process": 3}
#: Short forms that count only in a text that also matches the long form (lower-cased).
CONTEXT_RULES: dict[str, re.Pattern[str]] = {
    short: re.compile(long) for shorts, long in (
        (("EV", "sEV", "lEV"), r"extracellular vesicle"),
        (("BC",), r"breast cancer"),
        (("MV",), r"microvesicle"),
        (("NST",), r"no special type"),
        # the transition only where the text defines it so; else MET is the gene
        (("MET",), r"mesenchymal[ -]+(?:to[ -]+)?epithelial transition \(met\)"),
    ) for short in shorts
}
#: Unicode's super- and subscripts of digits, signs and brackets, which the PubMed reader writes
#: for a <sup> or <sub> ("HER2<sup>+</sup>" is "HER2⁺", "integrin α<sub>6</sub>β<sub>4</sub>"
#: "integrin α₆β₄"): matched as the plain characters, as the names and phrases spell them.
_SCRIPTS = PLAIN_OF_SCRIPT
#: Dashes, no-break spaces and those scripts, written as "-", " " and the plain character before
#: matching (one character for one: spans do not move).
_ODD = re.compile("[\u2010-\u2014\u2212\u00a0" + "".join(_SCRIPTS) + "]")
_SENTENCE_END = re.compile(r"[.!?\n][\"')\]]*\s*")  # one class first: twice as fast
_ABBREVIATIONS = frozenset({"e.g", "i.e", "al", "vs", "fig", "figs", "cf", "approx", "ca", "dr",
                            "no", "nos", "ref", "refs", "resp", "u.s", "sp", "spp"})
_NAME_START = re.compile(r"[a-z]+[A-Z0-9-]")  # miR-21, lncRNA, p53: may open a sentence
#: The fields of an article text mining reads (a finding's ``evkg:field``).
FIELDS = ("title", "abstract", "keywords")
#: Words by which a sentence calls a molecule a biomarker, and words that doubt it.
_BIOMARKER = re.compile(
    r"\b(?:bio-?markers?|(?:diagnostic|prognostic|predictive|tumou?r|cancer|disease|"
    r"candidate|potential|novel|circulating)\s+markers?|"
    r"(?:diagnostic|prognos(?:tic|is))(?![\w-]*related)|"
    r"predictive|predictors?|distinguish(?:ed|es|ing)?|discriminat(?:ed|es|ing|ion)|AUCs?|"
    r"area under the (?:ROC )?curve|liquid biops(?:y|ies)|early detection|screening|"
    r"monitor(?:s|ed|ing)?\s+(?:the\s+)?(?:(?:treatment|therapeutic|therapy)\s+response|response\s+to\s+"
    r"(?:(?:neoadjuvant|adjuvant|endocrine|systemic)\s+)?(?:chemotherapy|therapy|treatment|"
    r"[\w-]+(?:mab|nib|taxel|rubicin|platin|fen|zole)\b))|"
    r"predict(?:s|ed|ing)?\s+(?:(?:poor|worse|better|shorter|longer|overall|disease-free|"
    r"progression-free|metastasis-free|relapse-free|recurrence-free|event-free|distant|early|late|"
    r"the|an?|pathologic(?:al)?|complete)\s+)*(?:recurrence|relapse|survival|outcomes?|prognosis|"
    r"response|(?:chemo-?|drug\s+)?resistance)|"
    r"predict(?:s|ed|ing)?\s+(?:(?:acquired|neoadjuvant|adjuvant|endocrine|hormonal|chemotherapy|"
    r"treatment|therapy|therapeutic|drug|[\w-]+(?:mab|nib|taxel|rubicin|platin|fen|zole|cycline|"
    r"tabine|trexate|amide))\s+){1,2}(?:resistance|response|failure)"
    r"(?!\s+(?:elements?|genes?|pathways?|signatures?|networks?|modules?))|"
    r"hazard\s+ratio|odds\s+ratio|"
    r"(?:HR|OR)\s*[=:]\s*\d+(?:\.\d+)?|"
    r"\b(?:as|be|is|was|are|were|represents?|represented)\s+(?:an?\s+)?(?:[\w-]+\s+){0,2}?"
    r"(?:markers?|indicators?)\s+(?:of|for)\s+(?:[\w-]+\s+){0,2}?(?:(?:chemo-?)?resistance|"
    r"(?:treatment|therapy|therapeutic|chemotherapy|clinical|pathologic(?:al)?|drug)\s+response|"
    r"response\s+to|metastas[ie]s|metastatic\s+(?:spread|disease|relapse)|recurrence|relapse|"
    r"prognosis|(?:disease|tumou?r|cancer)\s+progression|outcomes?|survival|diagnosis|"
    r"(?:treatment|therapy|therapeutic|chemotherapy|drug)\s+failure)|"
    r"(?:had|showed|exhibited|experienced)\s+(?:(?:a|significantly|markedly)\s+)?(?:shorter|"
    r"longer|worse|poorer|better|reduced|improved)\s+(?:[\w-]+\s+)?(?:survival|outcomes?|prognosis)|"
    r"(?:associated|correlated)\s+with\s+(?:an?\s+)?(?:(?:reduced|overall)\s+)?(?:poor|worse|"
    r"better|shorter|longer|unfavou?rable|favou?rable|overall|disease-free|progression-free|"
    r"relapse-free|recurrence-free|metastasis-free)\s+(?:[\w-]+\s+)?(?:survival|outcomes?|"
    r"prognosis)(?!\s+of\s+(?:[\w-]+\s+){0,3}?(?:cells?|lines?|mice|xenografts?)\b))\b",
    re.I)
#: A sentence about markers of EVs themselves ("exosome-specific markers CD63 and TSG101").
_EV_MARKER = re.compile(r"\b(?:exosom|EVs?\b|vesic|surface)[\w-]*\s+(?:[\w-]+\s+)?markers?\b"
                        r"|\bmarkers?\s+of\s+(?:the\s+)?(?:exosom|EVs?\b|extracellular\s+vesic|vesic)",
                        re.I)
#: A diagnostic statistic ("78% sensitivity", "a specificity of 74%", "sensitivity and specificity
#: of 0.81 and 0.74"): a biomarker claim for the cargo named before it, in its sentence part (not
#: an assay's: "a detection sensitivity of 95%", nor "60% sensitivity to docetaxel").
_STATISTIC = re.compile(
    r"(?<!detection\s)(?<!analytical\s)(?<!technical\s)(?<!assay\s)(?<!capture\s)"
    r"(?:\b\d+(?:\.\d+)?\s*%\s+(?:sensitivity|specificity)\b(?!\s+to\b)|"
    r"\b(?:sensitivity|specificity)(?:\s+and\s+(?:sensitivity|specificity))?\s*(?:of|was|were|=|:|\()\s*"
    r"(?:\d+(?:\.\d+)?(?=\s*%)|0?\.\d+\b))", re.I)
_BIOMARKER_DOUBT = re.compile(r"\b(?:not|no|neither|nor|failed|unable|whether|without)\b", re.I)
#: Words that make the molecule after them a target of another, not cargo: "activating ERBB2
#: translation", "by targeting PTEN", "binding to CD274".
_TARGET_BEFORE = re.compile(r"\b(?:target(?:s|ed|ing)?|activat(?:es|ed|ing)|bind(?:s|ing)?"
                            r"(?:\s+(?:to|with))?|spong(?:es|ed|ing))\s+(?:the\s+)?$", re.I)
#: A molecule named as what a drug class acts on, in a drug's description or what is resisted
#: ("trastuzumab, a human epidermal growth factor receptor 2 (HER2) inhibitor", "resistance to
#: EGFR inhibitors"): the drug's target, not cargo. Not "transfection of miR-21 inhibitors",
#: which undoes the cargo (``kg.effects``).
_DRUG_CLASS_BEFORE = re.compile(r"(?:,\s*an?|\b(?:resistan\w*|sensitiv\w*|respon\w*|refractory)\s+to"
                                r"(?:\s+an?)?)\s+(?:[\w-]+\s+){0,6}\(?$", re.I)
_DRUG_CLASS_AFTER = re.compile(r"\)?(?:\s*\([^()]{1,20}\))?[\s-]+(?:inhibitors?|antagonists?|"
                               r"blockers?|(?:monoclonal\s+)?antibod(?:y|ies))\b", re.I)
#: A molecule named as a marker that cells or tumours are sorted by ("HER2-positive breast
#: cancer", "CD24+ cells"), not as cargo that acts; and an EV marker of the vocabulary (its
#: notes open with "EV marker") named as what vesicles are characterised by ("CD9-positive EVs",
#: "vesicles positive for CD63, CD81 and TSG101", "the exosomal markers CD63 and TSG101").
#: "PD-L1-positive exosomes" carry PD-L1: that PD-L1 is cargo.
_MARKED = r"(?:(?:\s*-\s*|\s+)(?:positive|negative)|\+)(?!\w)"
_POPULATION_AFTER = re.compile(_MARKED + r"\s*(?:[\w-]+\s+){0,2}?(?:cells?|tumou?rs?|cancers?|"
                               r"carcinomas?|patients?|women|subtypes?|lines?|diseases?)\b", re.I)
_EV_MARKER_AFTER = re.compile(_MARKED, re.I)
_EV_MARKER_BEFORE = re.compile(r"(?:\b(?:[Pp]ositive|[Nn]egative)\s+for|\b[Mm]arkers?(?:\s+(?:such\s+as|"
                               r"including|like))?\s*\(?)\s*"
                               r"(?:[A-Z0-9][\w-]*(?:\s*,\s*|\s+and\s+|\s+or\s+))*$")
#: Words near an EV marker that characterise vesicles ("immunoblotting for CD63"), and how near.
_CHARACTERISED = re.compile(r"immunoblot|western\s+blot|characteri[sz]|nanoparticle\s+tracking|"
                            r"flow\s+cytometr|identity", re.I)
_CHARACTERISED_NEAR = 60
#: A process named as a qualifier of another noun ("apoptosis-related genes", "apoptosis
#: assays", "metastasis-associated lung adenocarcinoma transcript 1", "exosomal transfer RNA
#: fragments"): no mention of it.
_QUALIFIER_AFTER = re.compile(r"(?:-|\s+)(?:related|associated|assays?|staining|kits?|RNAs?)\b",
                              re.I)


@dataclass(frozen=True, order=True)
class Mention:
    """A name in a text: ``text[start:end] == mention.text`` means ``key`` of ``entity_type``."""

    start: int
    end: int
    entity_type: str
    key: str
    text: str
    #: False for a miRNA name the vocabulary does not list (its key is the normalised name).
    listed: bool = True


class Mentioned(NamedTuple):
    """A field's text with dashes folded (what the names were found in), and its mentions."""

    folded: str
    mentions: list[Mention]


class Matcher:
    """Finds vocabulary mentions in text; build it once with :meth:`from_concepts`."""

    def __init__(self, cargo: tuple[Lexicon, ...], other: tuple[Lexicon, ...],
                 mirnas: dict[str, str], parents: dict[str, tuple[str, ...]],
                 ev_markers: frozenset[str], ev: tuple[Lexicon, ...],
                 sensitive_to: tuple[str, ...]) -> None:
        self.cargo, self.other, self.mirnas, self.parents = cargo, other, mirnas, parents
        #: The cargo the vocabulary calls EV markers (CD63, TSG101 …).
        self.ev_markers = ev_markers
        #: The EV types' names alone: found also inside a longer name of another kind.
        self.ev = ev
        #: What drug resistance's phrases name a sensitivity to ("sensitivity to docetaxel"):
        #: a verb that makes cells sensitive to one names drug resistance too.
        self.sensitive_to = sensitive_to

    @classmethod
    def from_concepts(cls, concepts: Iterable[Concept]) -> Matcher:
        concepts = list(concepts)
        mirnas: dict[str, str] = {}
        cargo: list[Name] = []
        other: list[Name] = []
        for concept in concepts:
            kind = ENTITY_TYPES[concept.scheme]
            if concept.cargo_class == "microRNA":
                mirnas[concept.key] = concept.key
                for name in (concept.label, *concept.alt_labels):
                    mirnas.setdefault(normalise(name) or concept.key, concept.key)
                continue
            (cargo if kind == "cargo" else other).extend(concept_names(concept, kind))
        parents = parent_keys(concepts)
        markers = frozenset(c.key for c in concepts if c.notes.startswith("EV marker"))
        sensitive_to = tuple(sorted({phrase[len(_SENSITIVITY_TO):].lower() for c in concepts
                                     if c.key == DRUG_RESISTANCE for phrase in c.phrases
                                     if phrase.lower().startswith(_SENSITIVITY_TO)}))
        return cls(lexicons(cargo, parents, needles=True), lexicons(other, parents), mirnas,
                   parents, markers, lexicons((n for n in other if n[1] == "ev"), parents),
                   sensitive_to)

    def mentions(self, text: str, context: str = "", drugs: Sequence[str] = ()) -> list[Mention]:
        """Every mention in ``text``, sorted; ``context`` (default: the text) decides short forms;
        ``drugs`` name drug resistance by their resistance (:meth:`mentions_with_cargo`)."""
        prepared = _prepare(text)
        patterns = self._drug_patterns(drugs, context or text)
        return self._finish(self._cargo(*prepared) + self._other(*prepared)
                            + _drug_mentions(patterns, *prepared)
                            + _transfer_mentions(*prepared), context or text, prepared[0])

    def mentions_with_cargo(self, fields: Iterable[tuple[str, str]],
                            indexed_drugs: Callable[[], Sequence[str]] = tuple
                            ) -> dict[str, Mentioned]:
        """Mentions per field of texts that name a listed cargo somewhere; {} when none does.

        The cheap cargo scan runs first, so an article without cargo costs a fraction of a
        full scan (most of PubMed names none of the vocabulary's molecules). ``indexed_drugs``
        (asked only then) gives names whose resistance or sensitivity names drug resistance too
        ("cetuximab resistance", "resistance to cetuximab", "cetuximab-resistant").
        """
        prepared = [(field, text, _prepare(text)) for field, text in fields]
        cargo = [self._cargo(*p) for _, _, p in prepared]
        if not any(m.listed for found in cargo for m in found):
            return {}
        context = "\n".join(text for _, text, _ in prepared)
        resisted = self._drug_patterns(indexed_drugs(), context)
        return {field: Mentioned(p[0], self._finish(
                    found + self._other(*p) + _drug_mentions(resisted, *p)
                    + _transfer_mentions(*p), context, p[0]))
                for (field, _, p), found in zip(prepared, cargo, strict=True)}

    def _drug_patterns(self, drugs: Sequence[str], context: str) -> _DrugPatterns:
        """The drug resistance patterns of ``drugs`` and of the abbreviations ``context``
        defines for them or for the drugs of the vocabulary's phrases ("tamoxifen (TAM)")."""
        return _drug_pattern(drugs, self.sensitive_to,
                             _abbreviations(context, (*drugs, *self.sensitive_to)))

    def names_ev(self, fields: Iterable[tuple[str, str]]) -> bool:
        """Whether the texts name an extracellular vesicle (any EV type of the vocabulary), also
        inside a longer name ("Exosome-mediated transfer of miR-105" names exosomes)."""
        text = "\n".join(text for _, text in fields)
        known: dict[str, bool] = {}
        return any(_in_context(m.text, text, known) for m in self._scan(self.ev, *_prepare(text)))

    def disease(self, mentions: Iterable[Mention]) -> str:
        """The disease context the disease mentions give (see the module notes), or ""."""
        return narrowest((m.key for m in mentions if m.entity_type == "disease"), self.parents)

    def _cargo(self, folded: str, spaced: str) -> list[Mention]:
        found = self._scan(self.cargo, folded, spaced)
        if not any(needle in spaced for needle in MIRNA_NEEDLES):
            return found
        for match in find_names(folded):
            start, end = match.span()
            for candidates in name_keys(match):
                key = next((self.mirnas[k] for k in candidates if k in self.mirnas), "")
                found.append(Mention(start, end, "cargo", key or candidates[0], folded[start:end],
                                     listed=bool(key)))
        return found

    def _other(self, folded: str, spaced: str) -> list[Mention]:
        return self._scan(self.other, folded, spaced)

    @staticmethod
    def _scan(lexicons: tuple[Lexicon, ...], folded: str, spaced: str) -> list[Mention]:
        return [Mention(start, end, kind, key, folded[start:end])
                for lexicon in lexicons for start, end, kind, key in lexicon.scan(folded, spaced)]

    @staticmethod
    def _finish(found: list[Mention], context: str, folded: str) -> list[Mention]:
        known: dict[str, bool] = {}
        return _resolve([m for m in found if _in_context(m.text, context, known)
                         and not (m.entity_type == "disease" and _marks_vesicles(m, found, folded))
                         and not (m.key == "emt" and _names_met_gene(m, folded))])


_SENSITIVITY_TO = "sensitivity to "
#: The MET gene, not the mesenchymal-epithelial transition: "mesenchymal-epithelial transition
#: factor", "c-MET", "HGF/MET", "MET amplification".
_MET_GENE_AFTER = re.compile(r"[\s-]+(?:factor|amplifi\w*|inhibitors?|receptors?|kinases?|signal\w*|"
                             r"mediated|genes?|expression|phosphorylation|pathways?|mutations?)\b", re.I)
_MET_GENE_BEFORE = re.compile(r"(?:\bc-|/)$")


def _names_met_gene(mention: Mention, folded: str) -> bool:
    """Whether EMT's name by its opposite is the MET gene's (``_MET_GENE_AFTER``)."""
    text = mention.text.lower()
    if text != "met" and not text.startswith("mesenchymal"):
        return False
    return bool(_MET_GENE_AFTER.match(folded, mention.end)
                or _MET_GENE_BEFORE.search(folded, max(0, mention.start - 2), mention.start))
#: Vesicles right after a subtype's name that ends in "positive" ("HER2-positive exosomes"), not
#: as part of a name of cells ("HER2-positive exosome-secreting cells", "… exosome recipient
#: cells").
_VESICLES_MARKED = re.compile(
    r"\s+(?:(?:small|extracellular|tumou?r-derived|circulating|serum|plasma|urinary)\s+)*"
    r"(?:exosomes?|EVs?|sEVs?|(?:micro|nano)?vesicles?)(?![\w-])"
    r"(?!\s+(?:recipient|donor|producing|secreting|releasing|cells?)\b)", re.I)


def _marks_vesicles(disease: Mention, found: list[Mention], folded: str) -> bool:
    """Whether a subtype's name marks the vesicles after it by a listed cargo inside it:
    "HER2-positive exosomes" carry HER2 (the cargo is kept), they are no HER2-positive disease."""
    return (disease.text.lower().endswith("positive") and bool(_VESICLES_MARKED.match(folded, disease.end))
            and any(m.entity_type == "cargo" and m.listed and disease.start <= m.start
                    and m.end <= disease.end for m in found))


#: A drug's abbreviation as a text defines it, right after the name: "tamoxifen (TAM)",
#: "paclitaxel (PTX)", "5-fluorouracil (5-FU)": capitals (two or more), digits and hyphens,
#: not a word in brackets ("tamoxifen (Sigma)", a supplier: a review's).
_ABBREVIATION = r"\s*\(((?=(?:[^)]*[A-Z]){2})[A-Z0-9][A-Z0-9-]{1,7})\)"


def _abbreviations(context: str, drugs: Iterable[str]) -> tuple[str, ...]:
    """The abbreviations ``context`` defines for ``drugs`` (of four letters or more)."""
    if "(" not in context:
        return ()
    names = sorted({d for d in drugs if len(d) > 3}, key=len, reverse=True)
    if not names:
        return ()
    pattern = _abbreviation_pattern(tuple(names))
    return tuple(sorted({match[1] for match in pattern.finditer(context)}))


@lru_cache(maxsize=256)
def _abbreviation_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(name) for name in names)
    return re.compile(rf"(?<![\w-])(?i:{alternatives}){_ABBREVIATION}")


def _drug_pattern(drugs: Sequence[str], sensitive_to: tuple[str, ...],
                  defined: Sequence[str] = ()) -> _DrugPatterns:
    """ "<drug> resistance / resistant / sensitivity", "resistance / sensitivity to <drug>" for
    the ``drugs`` (None without them; names of three letters or fewer are left out, but for the
    abbreviations the text ``defined`` for a drug, "TAM" for "tamoxifen (TAM)"), and a verb
    that makes cells sensitive to one of them or of ``sensitive_to`` ("sensitized
    trastuzumab-resistant SKBR3 cells to trastuzumab", "re-sensitised them to docetaxel": the
    name is the verb's), or a sensitivity or resistance of cells or tumours to one ("the
    sensitivity of parental cells to adriamycin": the name is the noun's)."""
    named = tuple(sorted({d.lower() for d in drugs if len(d) > 3} | {d.lower() for d in defined}))
    return _DrugPatterns(_resisted_pattern(named) if named else None,
                         _sensitized_pattern(tuple(sorted({*named, *sensitive_to}))))


#: What the sensitized pattern's matches hold (in the lower-cased text): cheaper to look for first.
_SENSITIZED_NEEDLES = ("ensiti", "resistance of")


class _DrugPatterns(NamedTuple):
    resisted: re.Pattern[str] | None
    sensitized: re.Pattern[str]


@lru_cache(maxsize=256)
def _resisted_pattern(drugs: tuple[str, ...]) -> re.Pattern[str]:
    names = "|".join(re.escape(d) for d in sorted(drugs, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:(?:{names})(?:\s+|-)(?:resistance|resistant|sensitivity|"
                      rf"sensitive)|(?:resistance|sensitivity)\s+to\s+(?:{names})"
                      rf"(?!\s+(?:deprivation|starvation|depletion|withdrawal|species|stress)))"
                      rf"(?![\w-])", re.I)


@lru_cache(maxsize=256)
def _sensitized_pattern(objects: tuple[str, ...]) -> re.Pattern[str]:
    names = "|".join(re.escape(d) for d in sorted(objects, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{SENSITIZING.pattern}(?:e|es|ed|ing)(?=(?:\s+[\w-]+){{0,6}}?\s+"
                      rf"to\s+(?:{names})(?![\w-]))|(?<!diagnostic\s)(?<!detection\s)(?<!analytical\s)"
                      rf"(?:sensitivity|resistance)(?=\s+of(?:\s+[\w-]+){{0,4}}?\s+{_CELLS}\s+to\s+"
                      rf"(?:{names})(?![\w-])))", re.I)


#: What a drug's sensitivity or resistance is of ("the sensitivity of parental cells to …").
_CELLS = r"(?:cells?|lines?|sublines?|clones?|tumou?rs?|xenografts?|organoids?|spheroids?)"


#: A verb or noun of cargo moving between cells ("transferred miR-21 to breast cancer cells",
#: "was taken up by fibroblasts", "were internalised by macrophages", "shuttled miR-223 into",
#: "EV-transferred survivin"): it names EV-mediated communication where a vesicle is named near
#: it, in the same sentence part (``_transfer_mentions``).
_TRANSFER = re.compile(
    r"(?<![\w-])(?:(?:[\w-]+-)?transferr(?:ed|ing)|transfer(?:s)?(?=\s+(?:of|from)\b)"
    r"|shuttl(?:ed|es|ing)|(?:taken|taking)\s+up(?=\s+(?:\w+ly\s+)?(?:by|into|and)\b|\s*[,.;])"
    r"|internali[sz](?:ed|ing)(?=\s+(?:\w+ly\s+)?(?:by|into)\b)"
    r"|(?<=exosome\s)uptake|(?<=exosomal\s)uptake|(?<=\bEV\s)uptake|(?<=upon\s)uptake|(?<=after\s)uptake"
    r"|(?<=following\s)uptake)(?![\w-])", re.I)
#: A transfer in another sense: of cells, media or genes, of energy, to a plate or a membrane.
_OTHER_TRANSFER_BEFORE = re.compile(r"(?:adoptive|gene|energy|resonance|viral|virus|lentivirus|plasmid|"
                                    r"nuclear|embryo|electron|[\w-]*(?:virus|viral|vector|plasmid|"
                                    r"liposome|nanoparticle)-mediated)\s+$", re.I)
_TRANSFER_OF_OTHER = re.compile(r"\s+of\s+(?:the\s+)?(?:[\w-]+\s+){0,2}?(?:cells?|medium|media|"
                                r"supernatants?|conditioned|serum|plasmids?|vectors?)\b", re.I)
_TRANSFER_TO_OTHER = re.compile(
    r"\s+(?:[\w-]+\s+){0,4}?(?:to|onto|into|in)\s+(?:[\w-]+\s+){0,3}?(?:plates?|wells?|dishes|dish|"
    r"flasks?|membranes?|PVDF|nitrocellulose|medium|media|PBS|buffer|tubes?|mice|columns?|slides?|"
    r"TRIzol|fresh)\b", re.I)
#: A vesicle's name; as the subject of the verb that follows ("Exosomes carrying miR-21 were …").
_VESICLE = r"\b(?:exosom\w*|s?EVs?\b|(?:extracellular\s+|micro|nano)?vesic\w*)"
_EV_NAME = re.compile(_VESICLE, re.I)
_EV_SUBJECT = re.compile(_VESICLE + r"(?:\s+[^\s,;.]+){0,6}?\s+$", re.I)
#: What every ``_TRANSFER`` match holds (in the lower-cased text): the pattern is tried only at
#: the start of the word they are in, as searching the whole text with it costs ~150 µs a text.
_TRANSFER_STEMS = ("transfer", "shuttl", "taken up", "taking up", "uptake", "internali")
#: How far from a transfer word a vesicle's name may be (characters, within its sentence).
_TRANSFER_REACH = 120


def _transfer_mentions(folded: str, spaced: str) -> list[Mention]:
    """EV-mediated communication named by a verb of transfer with a vesicle's name within
    ``_TRANSFER_REACH`` characters, not across ".", ";" (nor a transfer in another sense)."""
    found: list[Mention] = []
    for match in _transfer_matches(folded, spaced):
        if match.group().lower().startswith("internali") and not _EV_SUBJECT.search(
                folded, max(0, match.start() - 100), match.start()):
            continue  # what was internalised must be the vesicles ("HER2 was internalized")
        if (_OTHER_TRANSFER_BEFORE.search(folded, max(0, match.start() - 40), match.start())
                or _TRANSFER_TO_OTHER.match(folded, match.end())
                or (match.group().lower().startswith("transfer") and _TRANSFER_OF_OTHER.match(
                    folded, match.end()))):
            continue
        start = max(folded.rfind(".", 0, match.start()), folded.rfind(";", 0, match.start()),
                    match.start() - _TRANSFER_REACH)
        stops = [i for i in (folded.find(".", match.end()), folded.find(";", match.end())) if i >= 0]
        stop = min([*stops, match.end() + _TRANSFER_REACH])
        if _EV_NAME.search(folded, max(0, start), stop):
            found.append(Mention(match.start(), match.end(), "process", EV_COMMUNICATION,
                                 match.group()))
    return found


def _transfer_matches(folded: str, spaced: str) -> list[re.Match[str]]:
    """``_TRANSFER`` tried at the start of each word that holds one of ``_TRANSFER_STEMS``
    (``spaced``: the lower-cased text behind one space)."""
    starts = set()
    for stem in _TRANSFER_STEMS:
        at = spaced.find(stem)
        while at >= 0:
            word = at - 1  # in folded, back to the word's start ("EV-transferred")
            while word > 0 and (folded[word - 1].isalnum() or folded[word - 1] in "-_"):
                word -= 1
            starts.add(word)
            at = spaced.find(stem, at + 1)
    found = (_TRANSFER.match(folded, start) for start in sorted(starts))
    return [match for match in found if match]


def _drug_mentions(patterns: _DrugPatterns, folded: str, spaced: str) -> list[Mention]:
    sensitized = any(needle in spaced for needle in _SENSITIZED_NEEDLES)
    found = [*(patterns.resisted.finditer(folded) if patterns.resisted else ()),
             *(patterns.sensitized.finditer(folded) if sensitized else ())]
    return [Mention(m.start(), m.end(), "process", DRUG_RESISTANCE, m.group()) for m in found]


def _prepare(text: str) -> tuple[str, str]:
    """The text with dashes and super- and subscripts folded, and its lower case behind one
    space (same offsets + 1)."""
    folded = text if text.isascii() or not _ODD.search(text) else _ODD.sub(_plain, text)
    lowered = folded.lower()
    if len(lowered) != len(folded):  # a rare character whose lower case is longer (İ)
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in folded)
    return folded, " " + lowered


def _plain(odd: re.Match[str]) -> str:
    char = odd.group()
    return " " if char == "\u00a0" else _SCRIPTS.get(char, "-")


def _in_context(name: str, context: str, known: dict[str, bool]) -> bool:
    rule = CONTEXT_RULES.get(name) or CONTEXT_RULES.get(name[:-1] if name[-1:] == "s" else "")
    if rule is None:
        return True
    if rule.pattern not in known:
        known[rule.pattern] = rule.search(_ODD.sub(_plain, context).lower()) is not None
    return known[rule.pattern]


def _resolve(mentions: list[Mention]) -> list[Mention]:
    """Drops overlapped mentions: in each cluster of overlaps, the longest first, then PRIORITY."""
    mentions.sort(key=lambda m: (m.start, -m.end))
    kept: list[Mention] = []
    cluster: list[Mention] = []
    cluster_end = -1
    for mention in mentions:
        if cluster and mention.start < cluster_end:
            cluster.append(mention)
            cluster_end = max(cluster_end, mention.end)
            continue
        kept.extend(_choose(cluster) if len(cluster) > 1 else cluster)
        cluster, cluster_end = [mention], mention.end
    kept.extend(_choose(cluster) if len(cluster) > 1 else cluster)
    return sorted(kept)


def _choose(cluster: list[Mention]) -> list[Mention]:
    chosen: list[Mention] = []
    for m in sorted(cluster, key=lambda m: (m.start - m.end, PRIORITY[m.entity_type], m.start)):
        same = chosen and (m.start, m.end, m.entity_type) == (chosen[-1].start, chosen[-1].end,
                                                              chosen[-1].entity_type)
        if same or not any(m.start < c.end and c.start < m.end for c in chosen):
            chosen.append(m)  # same span and type: "miR-221/222" names two molecules
    return chosen


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: ends at . ! ? or a line break, not after e.g., et al., Fig."""
    spans: list[tuple[int, int]] = []
    start = 0
    for boundary in _SENTENCE_END.finditer(text):
        mark = boundary.group().rstrip()
        if mark and ((mark == boundary.group() and boundary.end() < len(text))  # "3.5", "e.g.,"
                     or not _ends_sentence(text, boundary.start(), boundary.end())):
            continue
        _add_span(spans, text, start, boundary.start() + len(mark))
        start = boundary.end()
    _add_span(spans, text, start, len(text))
    return spans


def _add_span(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    if piece.strip():
        spans.append((start + len(piece) - len(piece.lstrip()), start + len(piece.rstrip())))


def _ends_sentence(text: str, stop: int, after: int) -> bool:
    word = text[max(0, stop - 12):stop].rsplit(None, 1)[-1:] or [""]
    if word[0].lstrip("([").lower() in _ABBREVIATIONS:
        return False
    following = text[after:after + 1]
    return not following.islower() or _NAME_START.match(text, after) is not None


def article_fields(article: Article) -> tuple[tuple[str, str], ...]:
    """(field, text) pairs mined; the keywords field is the keywords joined by "; "."""
    return tuple(zip(FIELDS, (article.title, article.abstract_text, "; ".join(article.keywords)),
                     strict=True))


def text_findings(article: Article, matcher: Matcher, *, ev_heading: bool = False,
                  indexed_disease: Callable[[], str] = str,
                  indexed_drugs: Callable[[], Sequence[str]] = tuple) -> Iterator[Finding]:
    """The candidate findings of ``_sentence_findings``, each read in a section of a structured
    abstract that NLM gave a category (RESULTS, CONCLUSIONS …) naming that category. The
    sections are measured at the first finding of the abstract (most articles have none)."""
    sections: tuple[list[int], list[str]] | None = None
    for finding in _sentence_findings(article, matcher, ev_heading=ev_heading,
                                      indexed_disease=indexed_disease,
                                      indexed_drugs=indexed_drugs):
        if finding.field == "abstract" and finding.span:
            if sections is None:
                sections = section_categories(article)
            starts, categories = sections
            category = categories[bisect_right(starts, finding.span[0]) - 1] if starts else ""
            if category:
                finding = replace(finding, abstract_category=category)
        yield finding


def section_categories(article: Article) -> tuple[list[int], list[str]]:
    """Where each section of ``article.abstract_text`` begins and its NLM category (or ""),
    in order; none when no section has a category. A category NLM's DTD does not list (a
    hand-made or converted file's ``NlmCategory="Results"``) is none: the shapes take NLM's
    six, and one such section failed the whole build until 6 Dec."""
    if not any(section.category for section in article.abstract):
        return [], []
    starts, categories, at = [], [], 0
    for section in article.abstract:
        starts.append(at)
        categories.append(section.category if section.category in NLM_CATEGORIES else "")
        at += len(section_line(section)) + 1  # and the line's end
    return starts, categories


def _sentence_findings(article: Article, matcher: Matcher, *, ev_heading: bool,
                       indexed_disease: Callable[[], str],
                       indexed_drugs: Callable[[], Sequence[str]]) -> Iterator[Finding]:
    """A candidate finding for each listed cargo and process named in one sentence of an
    article about extracellular vesicles: one whose title, abstract or keywords name an EV
    type, or (``ev_heading``) whose MeSH indexing does. A molecule and a process in an article
    on something else (a colon cancer cell line, beta cells) are no EV cargo finding. The
    disease context is the text's, else the one the MeSH headings give (``indexed_disease``,
    asked only then). ``indexed_drugs`` gives names whose resistance names drug resistance
    (the substances of an article indexed with it: ``kg.meshlinks.Vocabulary.drugs``)."""
    fields = article_fields(article)
    found = matcher.mentions_with_cargo(fields, indexed_drugs)
    # an EV mention found already settles it; names_ev scans again for one inside a longer name
    if not found or not (ev_heading or any(m.entity_type == "ev" for field in found.values()
                                           for m in field.mentions) or matcher.names_ev(fields)):
        return
    disease = matcher.disease(found["title"].mentions + found["abstract"].mentions) or indexed_disease()
    iri = subject_iri(article)
    in_sentences: set[tuple[str, str]] = set()
    for field, text in fields:
        keywords = field == "keywords"
        spans = [(0, len(text))] if keywords else sentence_spans(text)
        folded, mentions = found[field]
        for start, end in spans:
            asked = _asked_from(folded, start, end)  # a question states no effect
            inside = [m for m in mentions if start <= m.start < end]
            processes: dict[str, list[Mention]] = {}
            for m in inside:
                if m.entity_type == "process" and not _QUALIFIER_AFTER.match(folded, m.end):
                    processes.setdefault(m.key, []).append(m)
            cargo_names = [m for m in inside if m.entity_type == "cargo"]
            molecules: dict[str, list[Mention]] = {}
            for m in cargo_names:
                if m.listed and _acts(folded, start, end, m, matcher.ev_markers):
                    molecules.setdefault(m.key, []).append(m)
            for named_cargo in molecules.values():
                for named in processes.values():
                    if keywords and (named_cargo[0].key, named[0].key) in in_sentences:
                        continue  # the keywords repeat what a sentence said: one finding
                    in_sentences.add((named_cargo[0].key, named[0].key))
                    question = max(named_cargo[0].start, named[0].start) >= asked
                    where = ("the keywords" if keywords else "one question" if question
                             else "one sentence")
                    effect, cargo, process = (
                        (Effect(), named_cargo[0], named[0]) if keywords or question else
                        _sentence_effect(folded[start:end], start, named_cargo, named,
                                         cargo_names))
                    yield Finding(
                        article=iri, method="text", effect=effect.effect, cargo=cargo.key,
                        process=process.key, disease=disease, field=field,
                        span=(cargo.start, cargo.end), sentence=text[start:end],
                        evidence_note=f'"{cargo.text}" and "{process.text}" in {where}{effect.note}',
                        retracted=article.retracted,
                    )
            if molecules and not keywords and asked == end and end - start <= LONGEST:
                sentence = Sentence(field, text, folded, start, end, inside)
                yield from _biomarker_findings(article, iri, sentence, molecules, matcher,
                                               disease)


def _asked_from(folded: str, start: int, end: int) -> int:
    """Where the sentence ``folded[start:end]`` turns to a question: its start for "Does
    miR-21 drive …?", after the colon for "miR-21 drives metastasis: friend or foe?", else
    ``end``."""
    if not folded[start:end].endswith("?"):
        return end
    colon = folded.rfind(":", start, end)
    return start if colon < 0 else colon + 1


def _acts(folded: str, start: int, end: int, cargo: Mention, ev_markers: frozenset[str]) -> bool:
    """Whether a cargo name in the sentence ``folded[start:end]`` is named as something that may
    act: not as another's target ("by targeting PTEN"), nor as a marker cells are sorted by
    ("HER2-positive cells"), nor, for an EV marker, as what vesicles are characterised by (in a
    sentence that characterises them: "immunoblotting for CD63, CD9 and TSG101"), nor as what
    a drug class acts on ("trastuzumab, a HER2 inhibitor")."""
    before = folded[max(start, cargo.start - 40):cargo.start]
    if _TARGET_BEFORE.search(before) or _POPULATION_AFTER.match(folded, cargo.end):
        return False
    if (_DRUG_CLASS_AFTER.match(folded, cargo.end)
            and _DRUG_CLASS_BEFORE.search(folded, max(start, cargo.start - 80), cargo.start)):
        return False
    return cargo.key not in ev_markers or not (
        _EV_MARKER_BEFORE.search(before) or _EV_MARKER_AFTER.match(folded, cargo.end)
        or _CHARACTERISED.search(folded, max(start, cargo.start - _CHARACTERISED_NEAR),
                                 min(end, cargo.end + _CHARACTERISED_NEAR)))


@dataclass(frozen=True)
class Sentence:
    """One sentence of a field: ``text[start:end]`` (``folded``: with dashes folded, as the
    names were found), and the mentions in it."""

    field: str
    text: str
    folded: str
    start: int
    end: int
    mentions: list[Mention]


def _biomarker_findings(article: Article, iri: NamedNode, sentence: Sentence,
                        molecules: dict[str, list[Mention]], matcher: Matcher,
                        article_disease: str) -> Iterator[Finding]:
    """A ``biomarkerFor`` finding for each listed cargo of a sentence that calls something a
    biomarker (a diagnostic, prognostic or predictive marker, a discriminating AUC …): the
    disease context is the sentence's disease, else the article's. None where the sentence
    doubts it ("not", "whether", "failed") or speaks of markers of EVs themselves ("CD63 and CD9
    were used as exosome markers"), nor for a molecule the EVs are sorted by ("CD24+ EVs"); a hedge
    ("potential", "candidate") is named in the evidence note."""
    words = sentence.folded[sentence.start:sentence.end]
    cue = _BIOMARKER.search(words)
    statistic = None if cue else _STATISTIC.search(words)
    cue = cue or statistic
    if cue is None or _BIOMARKER_DOUBT.search(words) or _EV_MARKER.search(words):
        return
    diseases = [m for m in sentence.mentions if m.entity_type == "disease"]
    disease = matcher.disease(diseases) or article_disease
    if not disease:
        return
    named = next((m.text for m in diseases if m.key == disease), " / ".join(m.text for m in diseases))
    hedge = HEDGE.search(words)
    hedged = f', hedged ("{hedge.group()}")' if hedge else ""
    for cargo, *_ in molecules.values():
        if sentence.folded[cargo.end:cargo.end + 1] == "+":
            continue  # "HER2+ and CD24+ EV subpopulations": a marker the EVs are sorted by
        if statistic and (cargo.end > sentence.start + statistic.start()
                          or ";" in sentence.folded[cargo.end:sentence.start + statistic.start()]):
            continue  # a statistic of what is named before it: "Serum CA15-3 had a sensitivity
            # of 42%, and exosomal miR-21 …"
        yield Finding(
            article=iri, method="text", effect="biomarkerFor", cargo=cargo.key, disease=disease,
            field=sentence.field, span=(cargo.start, cargo.end),
            sentence=sentence.text[sentence.start:sentence.end],
            evidence_note=(f'"{cargo.text}", "{cue.group()}" and "{named}" in one sentence{hedged}'
                           if named else f'"{cargo.text}" and "{cue.group()}" in one sentence; '
                           f'the disease is the article\'s{hedged}'),
            retracted=article.retracted)


#: A process phrase that can describe cells or patients, and the population it describes right
#: after it (cell line names between: "paclitaxel-resistant MDA-MB-231 cells"; not "a
#: tamoxifen-resistant phenotype in MCF-7 cells", "the metastatic potential of tumour cells").
_POPULATION_ADJECTIVE = re.compile(r"(?:resistant|metastatic)$", re.I)
def _names_cells(sentence: str, start: int, end: int, text: str) -> bool:
    """Whether a process phrase names which cells or patients ("paclitaxel-resistant MDA-MB-231
    cells", "cells resistant to paclitaxel"), not what happens to them (not "rendered MCF-7
    cells resistant to adriamycin")."""
    if _POPULATION_ADJECTIVE.search(text):
        return _POPULATION_NOUN_AFTER.match(sentence, end) is not None
    return bool(_POSTNOMINAL.match(text) and _POPULATION_NOUN_BEFORE.search(sentence, 0, start)
                and not _RESULTATIVE.search(sentence, max(0, start - 80), start))


#: A verb that makes its object what follows ("rendered sensitive MCF-7 cells resistant to").
_RESULTATIVE = re.compile(r"\b(?:render(?:s|ed|ing)?|made|makes?|making)\s+(?:[\w+-]+\s+){0,5}$",
                          re.I)
#: Cells or patients named by what they resist, after them ("cells resistant to paclitaxel",
#: "patients who were resistant to chemotherapy").
_POSTNOMINAL = re.compile(r"resistant\s+to\b", re.I)
_POPULATION_NOUN_BEFORE = re.compile(
    r"\b(?:cells?|cell\s+lines?|sublines?|clones?|patients?|tumou?rs?|xenografts?)\s+"
    r"(?:(?:that|who|which)\s+(?:were|was|are|is|became|become|remained|had\s+become)\s+"
    r"(?:(?:previously|initially|already|still|now)\s+)?)?$", re.I)
_POPULATION_NOUN_AFTER = re.compile(
    r"\s+(?:(?:[A-Z0-9][\w-]*|breast|cancer|tumou?r|human|murine|mouse)\s+){0,3}"
    r"(?:cells?|cell\s+lines?|sublines?|clones?|variants?|patients?|counterparts?)\b")


def _sentence_effect(sentence: str, offset: int, named_cargo: list[Mention],
                     named: list[Mention], cargo_names: list[Mention]
                     ) -> tuple[Effect, Mention, Mention]:
    """The effect ``sentence`` (at ``offset`` in its field) gives a cargo on a process, each
    perhaps named more than once ("induced by exosomal miR-21 … abolished by miR-21
    inhibitors"): every pair of names is read, and pairs that disagree give no effect. One
    finding, at the names it was read from. A process named to say which cells or patients
    ("paclitaxel-resistant MDA-MB-231 cells", "metastatic 4T1 cells") is not read: what acts
    on those cells says nothing of the process; nor is a molecule's name as what carries it
    where an effect word acts on it ("Silencing of TRPC5 reduced the production of
    TRPC5-containing EVs and restored …": the first name is the subject)."""
    others = [_in_sentence(m, offset) for m in cargo_names]
    stated = [p for p in named if not _names_cells(sentence, p.start - offset, p.end - offset, p.text)]
    acting = [c for c in named_cargo if not CARRIER_AFTER.match(sentence, c.end - offset)
              or not acted_on(sentence, c.start - offset)]
    read = [(read_effect(sentence, _in_sentence(cargo, offset), _in_sentence(process, offset),
                         other_cargo=others), cargo, process)
            for cargo in (acting or named_cargo)[:NAMES_READ] for process in stated[:NAMES_READ]]
    directed = [found for found in read if found[0].cue]
    if not directed or len({effect.effect for effect, _, _ in directed}) > 1:
        return Effect(), named_cargo[0], named[0]
    return directed[0]


#: The names of one molecule, and of one process, that a sentence's effect is read at (a
#: sentence that repeats a name dozens of times is a list, and every pair would be read).
NAMES_READ = 8


class _Name(NamedTuple):
    """A name's place in its sentence (``kg.effects.Span``)."""

    start: int
    end: int
    text: str


def _in_sentence(mention: Mention, offset: int) -> _Name:
    return _Name(mention.start - offset, mention.end - offset, mention.text)
