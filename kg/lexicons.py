"""Vocabulary names as fast regular expressions: each name's spellings, and one trie per case mode.

The text mining (:mod:`kg.textmining`) looks up thousands of names in every title and abstract,
so the names are compiled into a trie-shaped regex (common prefixes factored out) rather than a
flat alternation: ``re`` then tries one branch per character instead of one per name (over 10×
faster here). The decisions about names:

- A concept's names are its label (split at " / ", parenthesised parts dropped), ``alt_labels``
  (not MeSH's inverted forms with ", ": "Receptor, ErbB-2") and ``phrases``.
- Spellings: Greek letters, each of them (integrin beta4 / β4 / β-4 / beta 4, alpha6beta4 /
  α6β4), hyphen as space and space as hyphen, a symbol's capitals and number with or without
  a hyphen between (HER2 / HER-2, IL-6 / IL6), tumour/tumor, and a plural "s" (or "es" for
  case-insensitive names).
- A name of five characters or fewer, or with no lower-case letter, is case-sensitive (HER2,
  EMT, BC, OXPHOS); every other name is not. Names start and end at word boundaries.
- A spelling several concepts share goes to a label or synonym before a phrase, then to the
  narrower concept, then to the first in the file; but a text-mining phrase several cargo
  concepts share names each of them (a complex names its subunits: "integrin α6β4" is ITGA6
  and ITGB4). Cargo has phrases only where ``scripts/curate_vocabulary.py`` adds them
  (CARGO_PHRASES_ADDED, each with its reason), so no two share one by accident.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from kg.hierarchy import ancestors
from kg.vocabulary import Concept

#: (name, entity type, concept key, rank: 0 for a label or synonym, 1 for a phrase).
Name = tuple[str, str, str, int]
#: What a scan finds: (start, end, entity type, concept key).
Hit = tuple[int, int, str, str]

_GREEK = re.compile(r"(alpha|beta|α|β)[\s-]?(\d)")
_GREEK_FORMS = {"alpha": ("alpha", "α"), "α": ("alpha", "α"), "beta": ("beta", "β"), "β": ("beta", "β")}
_Trie = dict[str, "_Trie"]
#: A gene or protein symbol's capitals and number, with or without a hyphen between: papers
#: write both ("HER2" and "HER-2", "IL-6" and "IL6", "TSG101" and "TSG-101").
_SYMBOL_NUMBER = re.compile(r"\b([A-Z]{2,})(-?)(\d+)\b")


def _hyphen_toggled(symbol: re.Match[str]) -> str:
    return f"{symbol[1]}{'' if symbol[2] else '-'}{symbol[3]}"


@dataclass(frozen=True)
class Lexicon:
    """Names of one case mode: a trie regex and what each spelling (lower-cased or not) means.

    A case-insensitive lexicon scans the lower-cased text behind one added space and matches
    the character before a name too: the regex then starts with a character class, so ``re``
    skips from word to word instead of trying every position (about 2× faster).
    """

    pattern: re.Pattern[str]
    #: spelling → (entity type, the concept keys it names: one, but for a complex's name)
    meanings: dict[str, tuple[str, tuple[str, ...]]]
    lower: bool
    #: Words one of which occurs wherever a name does: when none is in the text, nothing is.
    needles: tuple[str, ...] = ()

    def scan(self, folded: str, spaced: str) -> Iterator[Hit]:
        """Names in ``folded`` (the text) or ``spaced`` (" " + its lower case), by position."""
        if self.lower:
            if self.needles and not any(needle in spaced for needle in self.needles):
                return
            for match in self.pattern.finditer(spaced):
                yield from self._hit(match.group(1), match.start(1) - 1)
            return
        for match in self.pattern.finditer(folded):
            start = match.start()
            if not start or not (folded[start - 1].isalnum() or folded[start - 1] == "_"):
                yield from self._hit(match.group(), start)

    def _hit(self, name: str, start: int) -> Iterator[Hit]:
        meaning = self.meanings.get(name) or self.meanings.get(name[:-1]) or self.meanings.get(name[:-2])
        if meaning:
            for key in meaning[1]:
                yield start, start + len(name), meaning[0], key


def concept_names(concept: Concept, entity_type: str) -> Iterator[Name]:
    """A concept's names, ranked 0 (label, synonyms) or 1 (text-mining phrases)."""
    for part in concept.label.split(" / "):
        yield re.sub(r"\s*\(.*\)$", "", part).strip(), entity_type, concept.key, 0
    for name in concept.alt_labels:
        if ", " not in name:
            yield name, entity_type, concept.key, 0
    for name in concept.phrases:
        yield name, entity_type, concept.key, 1


def name_variants(name: str) -> set[str]:
    """The spellings a name is matched in (see the module notes)."""
    forms = {name}
    for greek in reversed(list(_GREEK.finditer(name))):  # each letter ("alpha6beta4"), from the end
        forms = {form[:greek.start()] + letter + sep + greek[2] + form[greek.end():]
                 for form in forms for letter in _GREEK_FORMS[greek[1]] for sep in ("", " ", "-")}
    forms |= {form.replace("-", " ") for form in forms if " " in form or len(form) > 5}
    forms |= {form.replace(" ", "-") for form in forms if " " in form}
    forms |= {_SYMBOL_NUMBER.sub(_hyphen_toggled, form) for form in forms}
    forms |= {form.replace("tumour", "tumor") for form in forms}
    forms |= {form.replace("tumor", "tumour") for form in forms}
    return forms


def case_sensitive(name: str) -> bool:
    return len(name) <= 5 or not any(c.islower() for c in name)


def lexicons(names: Iterable[Name], parents: dict[str, tuple[str, ...]], *,
             needles: bool = False) -> tuple[Lexicon, Lexicon]:
    """A case-sensitive and a case-insensitive lexicon of ``names``; ``needles`` adds the
    first-word prefilter to the second (worth it for a few names, not for hundreds)."""
    names = list(names)
    depth = {key: len(ancestors(key, parents)) for _, _, key, _ in names}
    ranked = sorted(enumerate(names), key=lambda item: (item[1][3], -depth[item[1][2]], item[0]))
    meanings: tuple[dict[str, tuple[str, tuple[str, ...]]], ...] = ({}, {})
    phrases: set[tuple[bool, str]] = set()  # the spellings that only phrases have given so far
    for _, (name, kind, key, rank) in ranked:
        sensitive = case_sensitive(name)
        for form in sorted(name_variants(name)):
            form = form if sensitive else form.lower()
            known = meanings[not sensitive].get(form)
            if known is None:
                meanings[not sensitive][form] = (kind, (key,))
                if rank:
                    phrases.add((sensitive, form))
            elif (rank and kind == known[0] == "cargo" and (sensitive, form) in phrases
                  and key not in known[1]):  # a complex's name: each subunit
                meanings[not sensitive][form] = (kind, (*known[1], key))
    exact, folded = meanings
    return (
        Lexicon(re.compile(f"(?:{trie_pattern(exact)})s?(?!\\w)"), exact, lower=False),
        Lexicon(re.compile(f"\\W((?:{trie_pattern(folded)})(?:e?s)?)(?!\\w)"), folded, lower=True,
                needles=first_words(folded) if needles else ()),
    )


def first_words(names: Iterable[str]) -> tuple[str, ...]:
    """The first word of each name, leaving out words that contain another of them."""
    words = {re.split(r"[\s-]", name, maxsplit=1)[0] for name in names}
    return tuple(sorted(w for w in words if not any(o != w and o in w for o in words)))


def trie_pattern(words: Iterable[str]) -> str:
    """A regex matching any of ``words``, longest first, with common prefixes factored out."""
    trie: _Trie = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _node_pattern(trie) or "(?!)"


def _node_pattern(node: _Trie) -> str:
    branches = [re.escape(char) + _node_pattern(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = "(?:" + "|".join(branches) + ")" if len(branches) > 1 or "" in node else branches[0]
    return body + "?" if "" in node else body
