"""The effect a sentence gives a text-mined finding: does the cargo promote or inhibit the process?

:func:`read_effect` reads one sentence that names a cargo and a process. What its rules do not
settle stays ``associatedWith``, the sentence kept beside the finding for a reader to judge.
The rules, on the words between the two names:

1. Cargo first ("miR-105 promotes metastasis", "miR-9-induced EMT", "miR-105 destroys
   barriers, which promotes metastasis"): the effect word nearest the process decides. One
   after a form of "be" ("miR-21 levels were increased in patients with metastasis") says what
   happened to the cargo, not what it did, and is passed over; one after another cargo that
   follows an effect word of its own belongs to that cargo ("miR-155 promoted proliferation
   and miR-34a inhibited migration" says nothing of miR-155 and migration). What the process
   needs counts after "be" too ("was required for invasion", "essential for", "was sufficient
   to transfer resistance"); so do "primes the niche", "expanded MDSCs", "annexin A6-dependent
   formation", "transmits", "determine organotropic metastasis", "could transfer". Gapping
   gives each cargo its own word ("miR-155 enhanced, whereas miR-200c reduced, docetaxel
   resistance"). A role the cargo is given is an effect word ("as an inducer of M2
   polarization", "act as a mediator of immunosuppression"). A condition on the cargo in
   a clause of its own reads the effect word after the process in the next ("When miR-1246
   was silenced in donor cells, migration of recipient cells fell"). The effect word of another
   cargo that heads a clause of its own (", and miR-21 promoted", "miR-1246, which promoted")
   or of an action that does (", and blocking exosome uptake could restore") is not this one's.
2. Process first: a passive with its agent ("metastasis was promoted by exosomal miR-105",
   "migration was reduced after transfection of miR-145 mimics"), an effect word on a pronoun
   ("whereas miR-21 promoted invasion, miR-146a attenuated it"), the process as what an effect
   word did ("suppression of tumour growth by miR-34a") or as the cargo's effect ("the
   pro-angiogenic effect of miR-210"), a result before the treatment with the cargo that
   brought it ("Apoptosis rose … after treatment with exosomes loaded with a miR-21
   inhibitor", "Reduced apoptosis was observed in cells treated with survivin-rich exosomes"),
   or the cargo as the process's route ("metastasis … via exosomal integrin α6β4" promotes;
   "induced apoptosis via exosomal miR-34a": the word before the process decides).
3. No effect where the words between negate ("did not", "nor", "failed to"; not "not only …
   but also"), speak of a correlation ("associated with", "correlated"), or turn to another
   clause ("whereas", "but", ";"), nor where "neither", "nor", "no" or "not" stands just before
   the cargo — unless a contrast goes on with the cargo as subject and an effect word of its
   own ("did not affect proliferation but increased migration"; after "neither" or "no" only
   with the cargo named again: "neither … altered apoptosis, although both enhanced
   motility"): then only the words after it count; none either for a
   process named as the place or the means of an effect
   ("glucose metabolism in the pre-metastatic niche", "via exosome-mediated transfer", "the
   apoptosis pathway") or as what carried the cargo ("when delivered by exosomes", "exosomal
   transfer of miR-222", "transferred miR-21 to", "was taken up by"; but "Exosomal GSTP1
   transferred chemoresistance" promotes), nor for one named as what the cargo did not act on
   ("enhanced migration rather than proliferation"); and a question or a hypothesis states none ("Does miR-155
   drive …?", "We hypothesized that exosomal survivin contributes to …").
4. A phrase of the process that carries its own direction ("suppress T cell killing",
   "enhanced proliferation", "pro-angiogenic", "anti-metastatic") asserts it where nothing
   between the two decides; a verb that makes cells sensitive to a drug ("sensitized the
   cells to docetaxel", "were sensitized to docetaxel by miR-200c") inhibits drug resistance.
5. Reversals: a cargo knocked down, knocked out, silenced or blocked ("knockdown of miR-21",
   "miR-21-/- mice", "miR-200a inhibitors", "anti-miR-21", "an antagomir against miR-1246",
   "targeting exosomal survivin overcame resistance", "… and their loss promoted EMT", "H19
   may be a therapeutic target for overcoming resistance") has the reverse effect, and so
   has a process named by its opposite ("reduced drug sensitivity" promotes drug resistance),
   or after "less", "non-", "incapable of" ("rendered cells less metastatic"). A cargo an
   intervention lowered is undone too ("lowered circulating PD-L1 and restored antitumour
   immunity"), unless it heads a clause of its own ("reduced miR-21, which promotes …").
   Two reversals cancel. With the cargo lacking ("ANXA6-depleted cells"), a gain that did not
   come ("failed to increase invasion") or a resisted state that ended ("were no longer
   resistant to apoptosis") says the cargo gives it.

A hedge between the two ("may promote") leaves the effect and is named in the evidence note.
The keywords are a list, not a sentence: they give no effect. ``benchmarks/textmining.py``
measures these rules against hand-judged pairs (``tests/data/effects.tsv``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

#: Sentences longer than this are not read (a list or a table run into text, not a claim).
LONGEST = 1500
#: How far back the rules that end at a name look (characters).
WINDOW = 80
#: Words before an agent noun the cargo is called ("as a key mediator of"): a role, not another
#: molecule's ("caspase-3, a key mediator of apoptosis" is no effect word, ``_AGENT_NOUNS``).
_AGENT_ROLE = r"(?:(?:key|major|main|potent|novel|critical|important|central|crucial)\s+)?"
#: Word starts that say a cargo makes a process happen, or more of it.
PROMOTING = (r"promot|enhanc|induc|increas|confer|driv|drove|facilitat|stimulat|accelerat|"
             r"augment|trigger|mediat|boost|foster|elicit|reprogram|upregulat|up-regulat|"
             r"potentiat|exacerbat|fuel|restor|transfer(?:s|red|ring)\b|direct(?:s|ed|ing)?\b|contribut\w*\s+to|"
             r"(?:(?<=\bcan\s)|(?<=\bcould\s)|(?<=\bmay\s)|(?<=\bmight\s)|(?<=\bwill\s))"
             r"(?:transfer|spread)\b|"  # verbs only after a modal: "could transfer", "may spread"
             r"skew(?:s|ed|ing)\b(?=[^.;]*?\btowards?\b)|dictat|"
             r"establish(?:es|ed|ing)?(?=\s+(?:a|an|the)\s)|"
             r"render(?:s|ed|ing)?\b|"
             r"(?<!\ba\s)(?<!\ban\s)(?<!\bthe\s)(?:prim(?:e|es|ed|ing)|expand(?:s|ed|ing)?)\b|"
             r"dependent\b|(?:requir(?:ed|es)|necessary|essential|indispensable|crucial|critical)"
             r"\s+for\b(?!\s+\w+ing\b)|sufficient\s+to\b|transmit|"
             r"lead(?:s|ing)?\s+to|led\s+to|"
             r"(?<!\bto\s)(?<!\bas\s)(?<!\bwe\s)(?<!\bthen\s)determin(?:e|es|ed|ing)\b"
             r"(?!\s+(?:by|whether|if|how|what|which|that|its|their|the\s+(?:role|effect|function|"
             r"level|expression|impact)s?)\b)|"
             r"result(?:s|ed|ing)?\s+in|g(?:ave|ives?|iving)\s+rise\s+to|favou?r(?:s|ed|ing)\b|(?<=\bnot\s)dispensable\s+for|"
             r"rescu(?!\w*\s+(?:[\w-]+\s+){0,6}?from\b|\w*\s+[\w-]+-induced\b)|"
             # verbs whose object must be the process (the text this is read in may end where the
             # process begins) or a place of it: "rewires glucose metabolism", "conditions the
             # pre-metastatic niche", "prepared the lung for metastasis"
             r"rewir(?:e|es|ed|ing)\b(?=(?:\s+(?:the|a|an))?\s*$|\s+(?:the\s+)?(?:[\w-]+\s+){0,2}?"
             r"(?:metabolism|glycolysis|niche|microenvironment|stroma|signall?ing|programs?|programmes?)\b)"
             r"(?!\s+(?:[\w-]+\s+){0,3}?(?:away|from)\b)|"
             r"(?<!\bunder\s)(?<!\bthese\s)(?<!\bsuch\s)(?<!\bthose\s)(?<!\bsame\s)(?<!\bhypoxic\s)"
             r"(?:condition(?:s|ed|ing)?|prepar(?:e|es|ed|ing))\b(?=\s+(?:the|a|an)\s*$|\s+(?:the|a|an)\s+(?:[\w-]+\s+){0,2}?"
             r"(?:niche|soil|microenvironment|lungs?|liver|bones?|brain|organs?|sites?|stroma)\b)|"
             rf"as\s+(?:an?\s+)?{_AGENT_ROLE}(?:inducer|promoter|driver|mediator|enhancer|activator)s?\s+of\b")
#: Word starts that say a cargo stops a process, or makes less of it.
INHIBITING = (r"inhibit|suppress(?!or\s+cells)|reduc|decreas|attenuat|block|impair|abolish|abrogat|prevent|"
              r"repress|diminish|restrain|revers|hinder|dampen|counteract|alleviat|antagoni[sz]|"
              r"downregulat|down-regulat|destroy|destruct|lower(?:s|ed|ing)?\b|overc[oa]m|"
              r"protect(?:s|ed|ing)?\b|slow(?:s|ed|ing)?\b|blunt|imped(?:e|es|ed|ing)\b|curb|"
              r"rescu(?=\w*\s+(?:[\w-]+\s+){0,6}?from\b)|"
              rf"as\s+(?:an?\s+)?{_AGENT_ROLE}(?:inhibitor|suppressor|repressor)s?\s+of\b")
#: Nouns of agents that start like effect words but name something else ("caspase-3, a key
#: mediator of apoptosis", "the miR-21 promoter").
_AGENT_NOUNS = r"(?:mediator|inducer|promoter|enhancer|activator|inhibitor)s?\b"


def _cue(promoting: str = PROMOTING, inhibiting: str = INHIBITING) -> str:
    """An effect word, not an agent noun; the group that matched (promotes, inhibits) says which."""
    return rf"(?!{_AGENT_NOUNS})(?:(?P<promotes>{promoting})|(?P<inhibits>{inhibiting}))[a-z]*"


CUE = _cue()
_CUE = re.compile(rf"\b{CUE}", re.I)
#: A form of "be" (and an adverb) just before an effect word: the cargo is the one acted on
#: (but for what the process needs: "was required for invasion").
_BE_BEFORE = re.compile(r"\b(?:is|are|was|were|be|been|being)\s+(?:\w+ly\s+)?$", re.I)
_NEEDED = re.compile(r".*\s(?:for|to)$", re.S)
#: A change right after the cargo's level ("miR-21 levels decreased after …"): what happened to
#: the cargo, as after a form of "be".
_STATE_BEFORE = re.compile(r"^\s*(?:levels?|expression|concentrations?|amounts?|abundance|content)"
                           r"\s+(?:\w+ly\s+)?$", re.I)
_CHANGED = re.compile(r"(?:increas|decreas|reduc|elevat|lower|up-?regulat|down-?regulat)", re.I)
#: After a passive effect word: the agent follows ("promoted by", "reduced after transfection of").
_AGENT_AFTER = re.compile(r"\s+(?:by|after|upon|following)\b", re.I)
#: What brought a result named before it (process first): a treatment with the cargo.
_TREATED = re.compile(r"\b(?:after|following|upon|with|by)\s+(?:\w+\s+)?(?:treatment|incubation|"
                      r"exposure|co-?culture|transfection|addition)\s+(?:with|to|of)\b|"
                      r"\b(?:treated|incubated|co-?cultured|transfected)\s+with\b|\bexposed\s+to\b",
                      re.I)
_CLAUSE_BREAK = re.compile(r";|,\s*(?:and|but|whereas|while)\b", re.I)
_OBSERVED_AFTER = re.compile(r"\s+(?:was|were)\s+(?:\w+ly\s+)?(?:observed|seen|found|detected|noted)\b",
                             re.I)
#: The result's effect word just before the process ("Reduced apoptosis was observed in …").
_RESULT_BEFORE = re.compile(rf"(?:^|[.;:]\s*|\b(?:a|an|the)\s+)(?P<cue>{CUE})\s+$", re.I)
#: Process first, then the cargo as its route ("Lung-specific metastasis of breast cancer via
#: exosomal integrin α6β4", "spread resistance through exosome-transmitted lncRNA SNHG14"),
#: perhaps after an adverb that says how much ("partly by delivering", "at least in part via").
_VIA = re.compile(r"(?:\s+(?:of|in)\s+(?:(?!\b(?:is|was|were|are|be|been|being|occurs?|occurred|takes?|"
                  r"took|did|does|not)\b)[^,;.]){0,60}?)?(?:\s+(?:\w+ly|(?:at\s+least\s+)?in\s+part))?"
                  r"\s+(?P<via>via|through|by\s+way\s+of|by\s+"
                  r"(?:delivering|transferring|shuttling|transmitting|secreting|releasing))\s+"
                  r"(?:(?:the|an?|exosomal|EV|extracellular|vesicular|circulating|"
                  r"[\w-]+-(?:derived|transmitted|mediated|borne|delivered|secreted))\s+)*"
                  r"(?:(?:lncRNA|microRNA|miRNA|protein|circRNA|integrins?)\s+)?", re.I)
#: The effect word that acts on the process, right before it ("suppressed invasion via …"; a
#: noun of one, "Inhibition of metastasis via …", is ``_NOMINAL_BEFORE``).
_CUE_ON = re.compile(rf"(?P<cue>{CUE})\s+(?:(?:the|its|their)\s+)?$", re.I)
#: An intervention or a negation before the effect word: it acts, not the cargo's route.
_INTERVENTION = re.compile(r"\b(?:silencing|knock-?down|knock-?out|inhibition|depletion|deletion|loss|"
                           r"blockade|inhibitors?|antagonists?|GW4869|not|no|never|without)\b", re.I)
#: An effect word on a pronoun for the process named before ("miR-146a attenuated it").
_ON_PRONOUN = re.compile(rf"\s+(?:\w+ly\s+)?{CUE}\s+(?:it|them)\b", re.I)
#: A process named as what an effect word did, with the agent after "by" ("suppression of
#: tumour growth by miR-34a"), or as the effect of the cargo ("the pro-angiogenic effect of").
_NOMINAL_BEFORE = re.compile(rf"\b(?P<cue>{CUE})\s+of\s+(?:the\s+)?$", re.I)
_BY_NEXT = re.compile(r"\s*(?:[\w-]+\s+){0,2}?by\b", re.I)
_EFFECT_OF = re.compile(r"\s*(?P<words>(?:effects?|activit(?:y|ies)|roles?|functions?)\s+of)\b", re.I)
#: An effect word on another's ability to act ("abolished the ability of their exosomes to
#: enhance"): the two compose.
_ABILITY = re.compile(r"\s+(?:the\s+)?(?:ability|capacity|potential|power)\b[^;,]*?\bto\s+$", re.I)
#: A process phrase that says the cargo was carried ("transferred by exosomes", "exosomal
#: transfer of miR-222", or a verb alone: "transferred miR-21 to", "was taken up by"): the cargo
#: is what is carried, and no effect word acts on the carrying.
_CARRIED = re.compile(r"\b(?:transferred|delivered|shuttled)\s+(?:by|via)\b|"
                      r"^(?:exosomal|exosome|EV|vesicular)\s+transfer$|"
                      r"^(?:[\w-]+-)?transferr(?:ed|ing)$|^shuttl\w+$|^(?:taken|taking)\s+up$|^uptake$",
                      re.I)
#: After a transfer verb, a trait as its object: the verb is active, its subject transfers
#: ("transferred chemoresistance", "transferred the resistant phenotype"), not carried
#: ("transferred from", "transferred to", "transferred horizontally").
_TRANSFERS_WHAT = re.compile(r"(?<=transferred)\s+(?:(?:the|a|an|its|their|this)\s+)?(?:[\w-]+\s+){0,2}?"
                             r"(?:[\w-]*resistance|phenotypes?|traits?|sensitivity|capacity|ability|"
                             r"properties|potential)\b", re.I)
#: Hedges between the names: the effect stands, the note says so.
HEDGE = re.compile(r"\b(?:may|might|could|possibl[ey]|potential(?:ly)?|probabl[ey]|likely|"
                   r"perhaps|candidates?|promising)\b", re.I)
#: A name written as what carries it ("TRPC5-containing EVs", "miR-21-enriched exosomes"): no
#: subject of a clause of its own.
CARRIER_AFTER = re.compile(r"-(?:containing|enriched|loaded|rich|carrying|bearing|laden|positive)\b",
                           re.I)
#: Another cargo's name (written as NULs) between the two.
_OTHER_NAME = re.compile("\0+")
#: Another cargo's name as the subject of the effect word that follows: heading a clause of its
#: own (", and miR-21 promoted"), or with a relative clause ("miR-1246, which promoted").
_OTHER_SUBJECT = re.compile(r"(?:[,;]\s*(?:and|but|whereas|while)\s+|;\s*)\0+\s+(?:\w+ly\s+)?$|"
                            r"\0+\s*,?\s*(?:which|that)\s+(?:\w+ly\s+)?$")
#: An action as the subject of a clause of its own (", and blocking exosome uptake could …"),
#: not a pronoun for the cargo ("and silencing it").
_ACTION_SUBJECT = re.compile(
    r"[,;]\s*(?:and|but|while|whereas)\s+(?!(?:during|following|including|according|regarding|"
    r"concerning|being)\b)(?P<gerund>\w+ing)\s+(?!(?:it|them|its|their)\b)", re.I)
#: A finite verb after the process: the action before it is that verb's subject.
_FINITE_AFTER = re.compile(r"\s+(?:could|may|might|can|will|would|should|did|does|was|were|is|are|"
                           r"has|have|had)\b|\s+(?:\w+ly\s+)?\w+ed\b", re.I)
#: Between the cargo and a role it is given, only a verb of being or acting ("may act as a
#: mediator of", "was identified as an inducer of"; not "targets PDCD4, which acts as").
_ROLE_VERBS = re.compile(r"(?:\s*(?:may|might|could|can|therefore|thus|also|potentially|likely|to|be|"
                         r"is|was|are|were|been|acts?|acted|acting|functions?|functioned|serves?|"
                         r"served|emerged|identified|described|considered|regarded)\b)*\s*", re.I)
#: Only a conjunction between two names: they stand in a list.
_COORDINATED = re.compile(r"(?:\s|,|/|\band\b|\bor\b)*")
#: Words between the two names after which the sentence no longer says one acts on the other.
_NO_EFFECT = re.compile(
    r"(?<![\w-])(?:not(?!\s+(?:only|dispensable))|no|neither|nor|never|without|failed|unable|cannot|whether|"
    r"whereas|while|but(?!\s+also)|"
    r"although|though|however|unlike|associat\w*|correlat\w*|linked|relat(?:ed|ion\w*))\b"
    r"|n't\b|;", re.I)
#: A contrast after which the cargo is still the subject, with an effect word of its own: the
#: words before it say nothing of this process ("miR-21 did not affect proliferation but
#: increased migration", "neither … altered apoptosis, although both enhanced motility").
_CONTINUED = re.compile(rf"\b(?:but|although|though)\s+(?:(?:also|still|instead)\s+)?"
                        rf"(?P<subject>(?:both|it|they)\s+)?(?:(?:also|still)\s+)?(?:\w+ly\s+)?"
                        rf"(?={CUE})", re.I)
#: With the cargo lacking from cells or vesicles (``_LACKING``), a gain that did not come, or a
#: resisted state that ended, says the cargo gives it ("exosomes of ANXA6-depleted cells failed
#: to increase invasion", "cells given survivin-depleted exosomes were no longer resistant to
#: apoptosis"); not a loss that did not come ("… did not reduce migration"), nor an intervention
#: that did not work ("Depletion of HER2 from exosomes failed to restore trastuzumab
#: sensitivity": HER2 is no cause of it).
_LACKING_WORDS = r"depleted|silenced|deficient"
_LACKING = re.compile(rf"-(?:{_LACKING_WORDS}|knock-?down|knock-?out)\b", re.I)
_NEGATED_GAIN = re.compile(rf"\b(?:failed\s+to|unable\s+to|did\s+not|could\s+not|no\s+longer)\s+"
                           rf"(?:\w+ly\s+)?(?:(?P<cue>{CUE})(?:(?!\b(?:or|but|and)\b)[^;,])*|"
                           rf"(?:resistant|refractory)\s+to\s+)$", re.I)
#: Vesicles of the donor the cargo is lacking from ("exosomes derived from ANXA6-depleted cells",
#: "survivin-depleted exosomes"), not the donor cells themselves.
_VESICLES_FROM = re.compile(r"\b(?:exosom|EVs?\b|vesic|microvesic)\w*\s+(?:\w+\s+)?from\s+"
                            r"(?:the\s+)?$", re.I)
_VESICLES_AFTER = re.compile(r"\s+(?:exosom|EVs?\b|sEVs?\b|vesic|microvesic)", re.I)
#: Gapping: the cargo's own effect word, then another cargo's in a contrast, then the process
#: both act on ("miR-155 enhanced, whereas miR-200c reduced, docetaxel resistance").
_GAPPED = re.compile(rf"^\s*(?:\w+ly\s+)?(?P<cue>{CUE}),\s+(?:whereas|while|but)\s+[^,;]*,\s*$",
                     re.I)
#: A condition on the cargo in a clause of its own, and the effect word after the process in
#: the next ("When miR-1246 was silenced in donor cells, migration of recipient cells fell").
_CONDITION = re.compile(r"\s*(?:when|if|after|upon|once)\b[^,;]*$", re.I)
#: What the condition did to the cargo: more of it, or less by other means than ``_undone``'s
#: (then the reading is left: "When miR-21 expression was reduced, migration fell").
_RAISED = re.compile(r"\b(?:added|overexpress|transfect|deliver|introduc|loaded|upregulat|"
                     r"up-regulat|elevat|increas|enrich|treat)", re.I)
_LOWERED = re.compile(r"\b(?:reduc|decreas|downregulat|down-regulat|low|absen|lack|block|inhibit|"
                      r"silenc|deplet|delet|knock|remov|abolish|without|free\b)|-(?:free|deficient)",
                      re.I)
#: The effect word after the process: a verb of the process's own clause (an intransitive one
#: too: "fell", "declined"), not a participle that modifies it ("apoptosis induced by …").
_AFTER_CUE = _cue(PROMOTING + r"|ros(?:e|en)\b", INHIBITING + r"|fell\b|fallen\b|declin|dropped\b")
_CUE_AFTER = re.compile(
    r"(?:\s+(?:of|in|by|from|on)\s+[^,;]{0,60}?)?\s+(?:(?:was|were|is|are)\s+)?(?:\w+ly\s+)?"
    rf"(?P<cue>{_AFTER_CUE})(?<=ed|ll|se|en)\b"
    r"(?!\s+by\s+(?!\d|half\b|a\s+third\b|about\b|approximately\b|nearly\b|almost\b|roughly\b|"
    r"more\b|over\b|up\b)[^\s\d])", re.I)
#: The process as what the cargo did not act on ("enhanced migration rather than proliferation").
_RATHER_BEFORE = re.compile(r"\b(?:rather\s+than|instead\s+of)\s+(?:\w+ing\s+)?$", re.I)
#: The process with a predicate of its own after a clause break ("…, and apoptosis was
#: reduced"): the effect word before it belongs to another.
_OWN_PREDICATE = re.compile(rf"\s+(?:was|were|is|are)\s+(?:\w+ly\s+)?{CUE}", re.I)
_NEGATED_CARGO = re.compile(r"\b(?:neither|nor|no|not(?!\s+only))\s+(?:\S+\s+){0,2}$|\bwhether\b",
                            re.I)
#: A hypothesis before the cargo: what follows is supposed, not found ("We hypothesized that
#: exosomal survivin contributes to …"; not "Consistent with this hypothesis, … promoted").
#: After both names, words that say what was before them is not known ("… was not examined",
#: "… remains unclear").
_UNSTUDIED_AFTER = re.compile(
    r"[^.;,]{0,40}?\b(?:(?:was|were|is|are|has|have)\s+(?:not|never|yet\s+to\s+be)\s+(?:been\s+)?"
    r"(?:examined|studied|investigated|assessed|tested|determined|explored|addressed|evaluated|"
    r"clarified|elucidated|established)|remains?\s+(?:unclear|unknown|elusive|to\s+be|poorly))\b", re.I)
_SUPPOSED = re.compile(r"\bhypothesi[sz](?:e|es|ed)\s+that\b", re.I)
#: What undoing may act on to undo the cargo ("blocking the release of exosomal PD-L1").
_RELEASE_OF = r"(?:\s+(?:the\s+)?(?:release|secretion|production|packaging|loading|sorting)\s+of)?"
_RELEASED = re.compile(r"\b(?:release|secretion|production|packaging|loading|sorting)\s+of\b", re.I)
#: What undoes a cargo: before it ("knockdown of exosomal miR-21", "anti-miR-21") or after it
#: ("miR-200a, miR-200b and miR-429 inhibitors"); ``\0`` stands for another cargo name.
_UNDONE_BEFORE = re.compile(
    rf"(?P<words>\b(?:knock-?down|silenc(?:e|ing)|inhibition|inhibiting|depletion|deletion|knock-?out|loss|"
    r"blockade|blocking|suppression|suppressing|down-?regulation|absence|lack|antagonism|"
    rf"disruption)\s+of{_RELEASE_OF}"
    r"(?:\s+(?:the|exosomal|EV|extracellular|vesicular|circulating|[\w-]+-derived))*"
    r"|\b(?:blocking|inhibiting|silencing|suppressing|depleting|neutrali[sz]ing|disrupting)"
    rf"{_RELEASE_OF}(?:\s+(?:the|exosomal|EV|extracellular|vesicular|circulating|[\w-]+-derived))*"
    r"|\b(?:(?:si|sh)RNAs?|antagomirs?|inhibitors?|antibod(?:y|ies)|antisense\s+[\w-]+)\s+"
    r"(?:against|targeting|to|of)(?:\s+(?:the|exosomal|EV|extracellular|vesicular|circulating))*"
    r"|\btargeting(?:\s+(?:the|exosomal|EV|extracellular|vesicular|circulating))+|\banti-)"
    r"(?:\s*\0+(?:\s*(?:,|and|or|/))+)*\s*$", re.I)
#: What an intervention lowered, with an effect word after it ("lowered circulating PD-L1 and
#: restored antitumour immunity"); not a cargo that heads a clause of its own (``_CLAUSE_AFTER``:
#: "reduced exosomal miR-21, which promotes invasion" says what miR-21 does).
_LOWERED_BEFORE = re.compile(
    r"(?P<words>\b(?:lower(?:ed|ing)|reduc(?:ed|ing)|decreas(?:ed|ing)|down-?regulat(?:ed|ing))"
    r"(?:\s+(?:the|exosomal|EV|extracellular|vesicular|circulating|[\w-]+-derived))*)\s*$", re.I)
_CLAUSE_AFTER = re.compile(r"(?:\s+(?:and|or)\s+\0+)?(?:\s+(?:expression|levels?))?"
                           r"(?:\s+(?:in|of|from|at|within)\s+[^,;]{0,40}?)?"
                           r"\s*,\s*(?:which|that|who|both|one|and|but|whereas|while|an?|the|known|"
                           r"itself)\b", re.I)
_UNDONE_AFTER = re.compile(
    r"(?:(?:\s*(?:,|and|or|/))+\s*\0+)*[\s-]*(?P<words>inhibitors?|antagomirs?|knock-?down|silencing|"
    r"depletion|deletion|knock-?out|antisense|(?:si|sh)RNAs?|inhibition|blockade|loss|"
    rf"(?<=-)(?:{_LACKING_WORDS})|"
    r"(?:was|were|is|are)\s+(?:\w+ly\s+)?(?:blocked|silenced|knocked[\s-]+down|depleted|inhibited|"
    r"neutrali[sz]ed|deleted|knocked[\s-]+out))\b", re.I)
#: A knockout as geneticists write it after the name: "miR-21-/- mice" (PubMed's
#: "miR-21<sup>-/-</sup>", read flat), "miR-21 KO mice", "miR-21-null mice".
_KNOCKED_OUT = re.compile(r"(?P<words>-/-(?![\w/+-])|\s+KO\b|-null\b)")
#: A process named as the place of an effect ("angiogenesis in the pre-metastatic niche"), but
#: not "an increase in migration" or "resulted in metastasis"; or as its means ("promote tumour
#: growth via exosome-mediated transfer").
_PLACE_BEFORE = re.compile(r"(?<![\w-])(?P<word>[\w-]{1,40})\s+(?:in|within|at)\s+(?:(?:the|a|an)\s+)?$",
                           re.I)
#: A process named as a pathway ("through the Bcl-2/BAX apoptosis pathway"): a means.
_PATHWAY_AFTER = re.compile(r"[\s-]+(?:signal(?:l)?ing\s+|related\s+)?pathways?\b", re.I)
_MEANS_BEFORE = re.compile(r"\b(?:via|through)\s+(?:(?:the|a|an)\s+)?$", re.I)
_CHANGE_NOUNS = frozenset({"increase", "increases", "decrease", "decreases", "reduction",
                           "reductions", "rise", "gain", "loss", "enhancement", "decline", "drop",
                           "change", "changes", "role", "roles", "result", "results", "resulted",
                           "resulting", "involved", "implicated"})
#: What undoes a cargo named before, between it and the effect word ("their loss promoted").
_UNDONE_LATER = re.compile(r"\b(?:its|their)\s+(?:loss|knock-?down|silencing|inhibition|depletion|"
                           r"deletion|down-?regulation|absence|blockade|suppression)\b", re.I)
#: The cargo named as what a treatment targets, the effect word right after ("H19 may act as
#: a therapeutic target for overcoming doxorubicin resistance"): the effect is the treatment's.
_TARGET_FOR = re.compile(r"\b(?:therapeutic|drug|promising|potential|novel|attractive|an?)\s+"
                         rf"(?:[\w-]+\s+)?targets?\s+(?:for|to)(?=\s+{CUE})", re.I)
#: A verb that names drug resistance by making cells sensitive ("sensitized … to docetaxel"):
#: what does it inhibits drug resistance (:mod:`kg.textmining` finds it by this spelling).
SENSITIZING = re.compile(r"(?:re-?)?sensiti[sz]", re.I)
_BY_AGENT = re.compile(r"\bby\s+(?:(?:the|exosomal|EV|extracellular|vesicular|circulating|"
                       r"[\w-]+-(?:derived|loaded|containing|enriched))\s+)*$", re.I)
#: Process phrases that name the opposite of their concept ("drug sensitivity", "apoptosis" for
#: apoptosis resistance, "T cell cytotoxicity" for immune evasion, "mesenchymal-to-epithelial
#: transition" for EMT), or a process
#: named with "anti-" ("anti-metastatic").
OPPOSITE_PHRASE = re.compile(r"sensitiv|^(?:apoptosis|apoptotic cell death|(?:T|NK)[\s-]cell "
                              r"cytotoxicity|T[\s-]cell (?:activation|proliferation)|"
                              r"anti-?tumou?r immunity|mesenchymal[\s-]+(?:to[\s-]+)?epithelial "
                              r"transition)$|^MET$", re.I)
_RESISTED_BEFORE = re.compile(r"\b(?:escap\w*|resist\w*|evasion|evad\w*|refractor\w*|insensitiv\w*|"
                              r"immun\w*)\s+(?:\w+\s+){0,2}?(?:from|to|against|of)\s+$|"
                              r"\b(?:escap\w*|resist\w*|evad\w*|refractor\w*|insensitiv\w*|immun\w*resist\w*)\s+"
                              r"(?:\w+\s+){0,2}?(?:from|to|against)\s+[\w-]+-induced\s+$", re.I)
_RESISTED_AFTER = re.compile(r"[\s-]+(?:evasion|escape|resistance)\b", re.I)
_ANTI_BEFORE = re.compile(r"\banti-$", re.I)
#: A process named as what a barrier or defence holds off ("destroys … these natural barriers
#: against metastasis"): what acts on the barrier acts the other way on the process.
_BARRIER_BEFORE = re.compile(r"\b(?:barriers?|protection|defen[cs]es?|shields?|safeguards?)\s+"
                             r"against\s+(?:(?:the|a|an)\s+)?$", re.I)
_LESS_BEFORE = re.compile(r"(?<![\w-])(?:less\s+|non-|incapable\s+of\s+)$", re.I)
_PRO = re.compile(r"pro-|pro(?=angiogen|metasta|surviv|tumou?r|invas|migrat)", re.I)
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
    hedge: str = ""

    @property
    def note(self) -> str:
        """How the effect was read, for the finding's evidence note ("" for associatedWith)."""
        if not self.cue:
            return ""
        undone = f', reversed by "{self.reversal}"' if self.reversal else ""
        hedged = f', hedged ("{self.hedge}")' if self.hedge else ""
        return f'; {self.effect} read from "{self.cue}"{undone}{hedged}'


def read_effect(sentence: str, cargo: Span, process: Span, *,
                other_cargo: Iterable[Span] = ()) -> Effect:
    """The effect ``sentence`` states of ``cargo`` on ``process`` (offsets into the sentence).

    ``other_cargo`` are the sentence's other cargo names, which may stand in a list with this
    one ("knockdown of miR-200a and miR-429"). A sentence longer than ``LONGEST`` characters
    (a list or a table run into text) is not read.
    """
    if len(sentence) > LONGEST:
        return Effect()
    masked = _masked(sentence, (c for c in other_cargo
                                if (c.start, c.end) != (cargo.start, cargo.end)))
    if _SUPPOSED.search(_before(masked, min(cargo.start, process.start))):
        return Effect()  # "We hypothesized that exosomal survivin contributes to …"
    if _UNSTUDIED_AFTER.match(masked, max(cargo.end, process.end)):
        return Effect()  # "their contribution to organotropism was not examined"
    if _CARRIED.search(process.text) and not (
            cargo.end <= process.start and _TRANSFERS_WHAT.match(masked, process.end)
            and not _BE_BEFORE.search(_before(masked, process.start))):  # not "was transferred"
        return Effect()  # "miR-21 suppressed apoptosis when delivered by exosomes" (not "Exosomal
        # GSTP1 transferred chemoresistance to …": GSTP1 transfers)
    if cargo.end <= process.start:
        between = masked[cargo.end:process.start]
        read = _cargo_first(masked, between, cargo, process)
    elif process.end <= cargo.start:
        between = masked[process.end:cargo.start]
        read = _process_first(masked, between, cargo, process)
    else:
        return Effect()
    if read is None or _named_as_place(masked, process):
        return Effect()
    effect, cue = read
    later = _UNDONE_LATER.search(between) if cargo.end <= process.start else None
    target = _TARGET_FOR.search(between) if cargo.end <= process.start else None
    opposite = "" if cue.lower().startswith("anti-") else _opposite(masked, process)
    less = _LESS_BEFORE.search(_before(masked, process.start))  # "rendered cells less metastatic"
    barrier = _BARRIER_BEFORE.search(_before(masked, process.start))
    reversals = [r for r in (_undone(masked, cargo), later.group() if later else "",
                             target.group() if target else "", opposite,
                             less.group().strip() if less else "",
                             barrier.group().strip() if barrier else "") if r]
    if len(reversals) % 2:
        effect = _REVERSE[effect]
    hedge = HEDGE.search(between)
    return Effect(effect, cue, '", "'.join(reversals) if len(reversals) % 2 else "",
                  hedge.group() if hedge else "")


def acted_on(sentence: str, start: int) -> bool:
    """Whether the name at ``start`` follows an effect word of its own clause: what that word
    acts on ("reduced the production of TRPC5-containing EVs"), not the clause's subject."""
    return _ACTED_ON.search(_before(sentence, start)) is not None


_ACTED_ON = re.compile(rf"\b{CUE}[^,;]*$", re.I)


def _before(masked: str, end: int) -> str:
    """The words just before ``end``: what the rules that end at a name look at (a window, so
    that a long run of text costs no more than a short one)."""
    return masked[max(0, end - WINDOW):end]


def _direction(cue: re.Match[str]) -> str:
    return "promotes" if cue["promotes"] else "inhibits"


def _cargo_first(masked: str, between: str, cargo: Span,
                 process: Span) -> tuple[str, str] | None:
    """Rules 1, 3 and 4 (``between``: the text from the cargo to the process)."""
    turn = max(_CONTINUED.finditer(between), key=lambda m: m.start(), default=None)
    if turn is not None:  # "did not affect proliferation but increased migration"
        between = between[turn.end():]
    if (turn is None or not turn["subject"]) and _NEGATED_CARGO.search(_before(masked, cargo.start)):
        return None  # "No miR-21 was detected, but increased migration was seen"
    lacking = _LACKING.match(masked, cargo.end)
    vesicles = lacking and (_VESICLES_FROM.search(_before(masked, cargo.start))
                            or _VESICLES_AFTER.match(masked, lacking.end()))
    negated = _NEGATED_GAIN.search(between) if vesicles else None
    if negated and (negated["cue"] is None or (
            negated["promotes"] and not negated["cue"].lower().startswith("restor")
            and not OPPOSITE_PHRASE.search(process.text))):
        return "inhibits", negated.group().strip()  # reversed by the undoing: promotes
    gapped = _GAPPED.match(between)
    if gapped:  # "miR-155 enhanced, whereas miR-200c reduced, docetaxel resistance"
        return _direction(gapped), gapped["cue"]
    if _NO_EFFECT.search(between) or _RATHER_BEFORE.search(between):
        return None
    cues = [c for c in _CUE.finditer(between)
            if (_NEEDED.match(c.group()) or not _BE_BEFORE.search(between, 0, c.start()))
            and (not c.group().lower().startswith("as") or _ROLE_VERBS.fullmatch(between, 0, c.start()))
            and (between[c.start() - 1:c.start()] != "-" or c.start() == 1)  # not "exosome-induced"
            and not (_CHANGED.match(c.group()) and _STATE_BEFORE.search(between, 0, c.start()))]
    if not cues:  # the phrase may assert it: "suppress T cell killing", "pro-angiogenic"
        if SENSITIZING.match(process.text) and not _BE_BEFORE.search(between):
            # "sensitized the cells to docetaxel" (not "after cells were sensitized")
            return "inhibits", process.text
        phrase = _CUE.search(process.text) or _PRO.match(process.text)
        if phrase:
            return "promotes", phrase.group()
        anti = _ANTI_BEFORE.search(_before(masked, process.start))
        if anti:
            return "inhibits", anti.group() + process.text
        return _conditioned(masked, between, cargo, process)
    last = cues[-1]
    if "," in between[last.end():] and _OWN_PREDICATE.match(masked, process.end):
        return None  # "enhanced proliferation, and apoptosis was reduced": another's effect word
    action = _ACTION_SUBJECT.search(between)
    if action and (action.start("gerund") != last.start() or _FINITE_AFTER.match(masked, process.end)):
        return None  # "…, and blocking exosome uptake could restore sensitivity": the action's
        # (not a participle of the cargo's: "…, and enhancing invasion")
    subject = _OTHER_SUBJECT.search(between, 0, last.start())
    if subject and not _COORDINATED.fullmatch(between, 0, subject.start()):
        return None  # "HER2-positive EVs were enriched in miR-1246, which promoted …": miR-1246's
        # (not "carried miR-21 and miR-1246, which enhanced …": both)
    for other in _OTHER_NAME.finditer(between, 0, last.start()):
        carried = CARRIER_AFTER.match(between, other.end()) and acted_on(
            masked, cargo.end + other.start())
        if cues[0].end() <= other.start() and not carried:
            return None  # "miR-155 promoted X and miR-34a inhibited Y" (not "reduced the
            # production of TRPC5-containing EVs and restored …")
    effect = _direction(last)
    if len(cues) > 1 and _ABILITY.match(between[cues[-2].end():last.start()]):
        outer = cues[-2]  # "reduced the ability of their exosomes to enhance"
        if _direction(outer) == "inhibits":
            effect = _REVERSE[effect]
        return effect, f"{outer.group()} … {last.group()}"
    return effect, last.group()


def _conditioned(masked: str, between: str, cargo: Span, process: Span) -> tuple[str, str] | None:
    """A condition on the cargo in a clause of its own and the effect word after the process in
    the next ("When miR-1246 was silenced in donor cells, migration of recipient cells fell"):
    read when the condition adds or raises the cargo, or undoes it as ``_undone`` knows."""
    comma = between.find(",")
    if comma < 0 or not _CONDITION.match(masked, 0, cargo.start):
        return None
    clause = masked[:cargo.end + comma]
    if not _undone(masked, cargo) and (_LOWERED.search(clause) or not _RAISED.search(clause)):
        return None
    after = _CUE_AFTER.match(masked, process.end)
    return (_direction(after), after["cue"]) if after else None


def _process_first(masked: str, between: str, cargo: Span,
                   process: Span) -> tuple[str, str] | None:
    """Rule 2 (``between``: the text from the process to the cargo): a passive with its agent,
    an effect word on a pronoun for the process, or the process named as the effect."""
    pronoun = _ON_PRONOUN.match(masked, cargo.end)
    if pronoun:  # "Whereas miR-21 promoted invasion, miR-146a attenuated it"
        return _direction(pronoun), pronoun.group().strip()
    if _NO_EFFECT.search(between):
        return None
    passive = [c for c in _CUE.finditer(between) if _AGENT_AFTER.match(between, c.end())]
    if passive and not _CLAUSE_BREAK.search(between, passive[-1].end()):
        # (not "Migration increased after treatment with TGF-beta, and miR-10b was measured")
        return _direction(passive[-1]), passive[-1].group()
    if SENSITIZING.match(process.text) and _BY_AGENT.search(between):
        return "inhibits", process.text  # "cells were sensitized to docetaxel by miR-X"
    via = _VIA.fullmatch(between)
    if via and not _CUE.search(between):  # the cargo as the process's route: what acts on the
        # process (a noun of change before it, or its verb when no intervention is its subject),
        # else it promotes it
        before = _before(masked, process.start)
        on = _NOMINAL_BEFORE.search(before) or _CUE_ON.search(before)
        if _INTERVENTION.search(before, 0, on.start() if on else len(before)):
            return None  # "Knockdown of Rab27a inhibited lung metastasis through exosomal miR-105",
            # "GW4869 did not affect invasion via exosomal miR-21"
        return (_direction(on), on["cue"]) if on else ("promotes", via["via"])
    if _TREATED.search(between) and not _CLAUSE_BREAK.search(between):
        # a result, then what brought it: "Apoptosis rose … after treatment with exosomes
        # loaded with a miR-21 inhibitor", "Reduced apoptosis was observed in cells treated with
        # survivin-rich exosomes"
        result = (_CUE_AFTER.match(masked, process.end)
                  or _RESULT_BEFORE.search(_before(masked, process.start)))
        if result:
            return _direction(result), result["cue"]
        observed = _OBSERVED_AFTER.match(masked, process.end)
        if observed:  # the process itself was the result
            return "promotes", observed.group().strip()
    nominal = _NOMINAL_BEFORE.search(_before(masked, process.start))
    if nominal and _BY_NEXT.match(between):  # "suppression of tumour growth by miR-34a"
        return _direction(nominal), nominal.group().strip()
    effect_of = _EFFECT_OF.match(between)
    if effect_of:  # "the pro-angiogenic effect of exosomal miR-210"
        return "promotes", effect_of["words"]
    return None


def _masked(text: str, names: Iterable[Span]) -> str:
    """``text`` with each of ``names`` written as NUL characters (offsets kept)."""
    pieces: list[str] = []
    done = 0
    for name in sorted(names, key=lambda n: n.start):
        if name.start >= done:
            pieces += (text[done:name.start], "\0" * (name.end - name.start))
            done = name.end
    return "".join((*pieces, text[done:])) if pieces else text


def _undone(masked: str, cargo: Span) -> str:
    """The words that undo the cargo ("knockdown of", "inhibitors", "lowered circulating"), or
    ""."""
    undone = (_UNDONE_BEFORE.search(_before(masked, cargo.start))
              or _UNDONE_AFTER.match(masked, cargo.end) or _KNOCKED_OUT.match(masked, cargo.end))
    if undone and _RELEASED.search(undone["words"]) and CARRIER_AFTER.match(masked, cargo.end):
        undone = None  # "blocking the release of ANXA6-containing vesicles that promote …": the
        # vesicles are what is released, and what they do is said of them
    if undone:
        return undone["words"]
    lowered = _LOWERED_BEFORE.search(_before(masked, cargo.start))
    return lowered["words"] if lowered and not _CLAUSE_AFTER.match(masked, cargo.end) else ""


def _named_as_place(masked: str, process: Span) -> bool:
    """Whether the process is named as the place or the means of an effect, not its target."""
    words = _before(masked, process.start)
    if _MEANS_BEFORE.search(words) or _PATHWAY_AFTER.match(masked, process.end):
        return True
    place = _PLACE_BEFORE.search(words)
    return place is not None and place["word"].lower() not in _CHANGE_NOUNS


def _opposite(masked: str, process: Span) -> str:
    """The words that name the process by its opposite ("drug sensitivity", "anti-"), or "" (also
    for the opposite resisted: "escape from apoptosis", "resistance to T cell cytotoxicity")."""
    if OPPOSITE_PHRASE.search(process.text):
        resisted = (_RESISTED_BEFORE.search(_before(masked, process.start))
                    or _RESISTED_AFTER.match(masked, process.end))
        return "" if resisted else process.text
    anti = _ANTI_BEFORE.search(_before(masked, process.start))
    return anti.group() if anti else ""
