"""The effect a sentence gives a text-mined finding: does the cargo promote or inhibit the process?

:func:`read_effect` reads one sentence that names a cargo and a process. What its rules do not
settle stays ``associatedWith``, the sentence kept beside the finding for a reader to judge.
The rules, on the words between the two names:

1. Cargo first ("miR-105 promotes metastasis", "miR-9-induced EMT", "miR-105 destroys
   barriers, which promotes metastasis"): the effect word nearest the process decides. One
   after a form of "be" ("miR-21 levels were increased in patients with metastasis") says what
   happened to the cargo, not what it did, and is passed over.
2. Process first: only a passive with "by" ("metastasis was promoted by exosomal miR-105").
3. No effect where the words between negate ("did not", "nor", "failed to"), speak of a
   correlation ("associated with", "correlated"), or turn to another clause ("whereas", "but",
   ";"), nor where "neither", "nor", "no" or "not" stands just before the cargo.
4. A phrase of the process that carries its own effect word ("suppress T cell killing",
   "enhanced proliferation") asserts the process where nothing between the two decides; a
   process named as the place of an effect ("reprograms glucose metabolism in the
   pre-metastatic niche") is given none.
5. Reversals: a cargo knocked down, silenced or blocked ("knockdown of miR-21", "miR-200a
   inhibitors", "anti-miR-21") has the reverse effect, and so has a process named by its
   opposite ("reduced drug sensitivity" promotes drug resistance). Two reversals cancel.

The keywords are a list, not a sentence: they give no effect. ``benchmarks/textmining.py``
measures these rules against hand-judged pairs (``tests/data/effects.tsv``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

#: Word starts that say a cargo makes a process happen, or more of it.
PROMOTING = (r"promot|enhanc|induc|increas|confer|driv|drove|facilitat|stimulat|accelerat|"
             r"augment|trigger|mediat|boost|foster|elicit|reprogram|upregulat|up-regulat|"
             r"potentiat|exacerbat|fuel|restor|contribut\w*\s+to|lead(?:s|ing)?\s+to|led\s+to|"
             r"result(?:s|ed|ing)?\s+in")
#: Word starts that say a cargo stops a process, or makes less of it.
INHIBITING = (r"inhibit|suppress|reduc|decreas|attenuat|block|impair|abolish|abrogat|prevent|"
              r"repress|diminish|restrain|revers|hinder|dampen|counteract|alleviat|antagoni[sz]|"
              r"downregulat|down-regulat|destroy|destruct|lower(?:s|ed|ing)\b")
_CUE = re.compile(rf"\b(?:(?P<promotes>{PROMOTING})|(?P<inhibits>{INHIBITING}))[a-z]*", re.I)
#: A form of "be" (and an adverb) just before an effect word: the cargo is the one acted on.
_BE_BEFORE = re.compile(r"\b(?:is|are|was|were|be|been|being)\s+(?:\w+ly\s+)?$", re.I)
_BY_AFTER = re.compile(r"\s+by\b", re.I)
#: Words between the two names after which the sentence no longer says one acts on the other.
_NO_EFFECT = re.compile(
    r"(?<![\w-])(?:not|no|neither|nor|never|without|failed|unable|cannot|whether|whereas|while|but|"
    r"although|though|however|unlike|associat\w*|correlat\w*|linked|relat(?:ed|ion\w*))\b"
    r"|n't\b|;", re.I)
_NEGATED_CARGO = re.compile(r"\b(?:neither|nor|no|not)\s+(?:\S+\s+){0,2}$", re.I)
#: What undoes a cargo: before it ("knockdown of exosomal miR-21", "anti-miR-21") or after it
#: ("miR-200a, miR-200b and miR-429 inhibitors"); ``\0`` stands for another cargo name.
_UNDONE_BEFORE = re.compile(
    r"(?P<words>\b(?:knock-?down|silencing|inhibition|inhibiting|depletion|deletion|knock-?out|loss|"
    r"blockade|blocking|suppression|suppressing|down-?regulation|absence|lack|antagonism)\s+of"
    r"(?:\s+(?:the|exosomal|EV|extracellular|vesicular|circulating|[\w-]+-derived))*"
    r"|\b(?:si|sh)RNAs?\s+(?:against|targeting)|\banti-)"
    r"(?:\s*\0+(?:\s*(?:,|and|or|/))+)*\s*$", re.I)
_UNDONE_AFTER = re.compile(
    r"(?:(?:\s*(?:,|and|or|/))+\s*\0+)*[\s-]*(?P<words>inhibitors?|antagomirs?|knock-?down|silencing|"
    r"depletion|deletion|knock-?out|sponges?|antisense|(?:si|sh)RNAs?|inhibition|blockade|loss)"
    r"\b", re.I)
#: A process named as the place of an effect ("angiogenesis in the pre-metastatic niche"), but
#: not "an increase in migration" or "resulted in metastasis".
_PLACE_BEFORE = re.compile(r"(?P<word>[\w-]+)\s+(?:in|within|at)\s+(?:(?:the|a|an)\s+)?$", re.I)
_CHANGE_NOUNS = frozenset({"increase", "increases", "decrease", "decreases", "reduction",
                           "reductions", "rise", "gain", "loss", "enhancement", "decline", "drop",
                           "change", "changes", "role", "roles", "result", "results", "resulted",
                           "resulting", "involved", "implicated"})
#: Process phrases that name the opposite of their concept ("drug sensitivity").
_OPPOSITE_PHRASE = re.compile(r"sensitiv", re.I)
_REVERSE = {"promotes": "inhibits", "inhibits": "promotes"}


class Span(Protocol):
    """A name in the sentence: what :class:`kg.textmining.Mention` gives."""

    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def text(self) -> str: ...


@dataclass(frozen=True)
class Effect:
    """What :func:`read_effect` read: the effect, and the words it read it from ("" if none)."""

    effect: str = "associatedWith"
    cue: str = ""
    reversal: str = ""

    @property
    def note(self) -> str:
        """How the effect was read, for the finding's evidence note ("" for associatedWith)."""
        if not self.cue:
            return ""
        undone = f', reversed by "{self.reversal}"' if self.reversal else ""
        return f'; {self.effect} read from "{self.cue}"{undone}'


def read_effect(text: str, cargo: Span, process: Span, *, other_cargo: Iterable[Span] = (),
                sentence_start: int = 0) -> Effect:
    """The effect the sentence of ``text`` that opens at ``sentence_start`` and names ``cargo``
    and ``process`` (offsets into ``text``) states of the one on the other.

    ``other_cargo`` are the sentence's other cargo names, which may stand in a list with this
    one ("knockdown of miR-200a and miR-429").
    """
    masked = _masked(text, (c for c in other_cargo if (c.start, c.end) != (cargo.start, cargo.end)))
    if cargo.end <= process.start:
        between = masked[cargo.end:process.start]
        if _NO_EFFECT.search(between) or _NEGATED_CARGO.search(masked, sentence_start, cargo.start):
            return Effect()
        cue = _last_cue(between)
        if cue is None:
            cue = _CUE.search(process.text)  # "suppress T cell killing": the phrase asserts it
            effect = "promotes" if cue else ""
        else:
            effect = "promotes" if cue["promotes"] else "inhibits"
    elif process.end <= cargo.start:
        between = masked[process.end:cargo.start]
        if _NO_EFFECT.search(between):
            return Effect()
        passive = [c for c in _CUE.finditer(between) if _BY_AFTER.match(between, c.end())]
        cue = passive[-1] if passive else None
        effect = ("promotes" if cue["promotes"] else "inhibits") if cue else ""
    else:
        return Effect()
    if cue is None or not effect or _named_as_place(masked, process, sentence_start):
        return Effect()
    reversals = [r for r in (_undone(masked, cargo, sentence_start), _opposite(process)) if r]
    if len(reversals) == 1:
        effect = _REVERSE[effect]
    return Effect(effect, cue.group(), reversals[0] if len(reversals) == 1 else "")


def _masked(text: str, names: Iterable[Span]) -> str:
    """``text`` with each of ``names`` written as NUL characters (offsets kept)."""
    pieces: list[str] = []
    done = 0
    for name in sorted(names, key=lambda n: n.start):
        if name.start >= done:
            pieces += (text[done:name.start], "\0" * (name.end - name.start))
            done = name.end
    return "".join((*pieces, text[done:])) if pieces else text


def _last_cue(between: str) -> re.Match[str] | None:
    cues = [c for c in _CUE.finditer(between) if not _BE_BEFORE.search(between, 0, c.start())]
    return cues[-1] if cues else None


def _undone(masked: str, cargo: Span, sentence_start: int) -> str:
    """The words that undo the cargo ("knockdown of", "inhibitors"), or ""."""
    undone = (_UNDONE_BEFORE.search(masked, sentence_start, cargo.start)
              or _UNDONE_AFTER.match(masked, cargo.end))
    return undone["words"] if undone else ""


def _named_as_place(masked: str, process: Span, sentence_start: int) -> bool:
    place = _PLACE_BEFORE.search(masked, sentence_start, process.start)
    return place is not None and place["word"].lower() not in _CHANGE_NOUNS


def _opposite(process: Span) -> str:
    return process.text if _OPPOSITE_PHRASE.search(process.text) else ""
