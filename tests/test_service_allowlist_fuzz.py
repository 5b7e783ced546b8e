"""A differential fuzz of the SERVICE allowlist against pyoxigraph itself, offline.

The allowlist check reads a query's text with its own lexer (``server.federation``); pyoxigraph,
which calls the endpoints, reads it with its parser. Queries are built from SPARQL's lexical
pieces (strings of the four quote forms with escapes, comments, IRIs with odd characters,
prefixed names and variables named service, ``<`` and ``>`` comparing, newlines of each kind,
stray quotes and brackets) around SERVICE clauses to a recording endpoint on 127.0.0.1. For
each one, the check's verdict is set against what pyoxigraph calls when it runs the query:

- a bypass: the check allows the query and pyoxigraph calls an endpoint off the allowlist (or
  the query the server parses it with, its SERVICE keywords read as GRAPH, calls anything);
- a false refusal: the check refuses a query that pyoxigraph runs calling only allowed
  endpoints, for a reason other than those the README gives (a variable or relative target,
  a ``<`` that may compare written before a quote or ``#``).

The test runs a fixed seed's cases; ``python -m tests.test_service_allowlist_fuzz --seed N
--cases M`` runs more and prints every fault found (the README's Development section).
"""

from __future__ import annotations

import argparse
import random
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import ThreadingHTTPServer

import pytest
from pyoxigraph import QuerySolutions, QueryTriples, Store

from server.federation import check_services, service_targets, without_services
from tests.conftest import free_port
from tests.test_federation import Recorder

#: Seconds a case may run before it is set aside (pyoxigraph cannot be stopped: its thread is
#: left to end on its own; its calls are its case's, by their path).
CASE_SECONDS = 10
#: Reasons a query is refused that the README gives: not false refusals.
KNOWN_REFUSALS = ("with a variable", "not an absolute IRI", "less-than sign")

NEWLINES = ["\n", "\r", "\r\n"]
#: Characters that are white space or a line's end to some readers, not to SPARQL.
ODD_SPACES = ["\v", "\f", "\x85", "\u2028", "\u2029", "\x1c", "\u00a0", "\u3000", "\u1680"]
SEPARATORS = [" ", " ", " ", "", "\t", *NEWLINES]
#: (U+1680 is a letter of a name to SPARQL and white space to Python's ``\s``; ı, İ and ſ are
#: letters to SPARQL, and I, I and S to Python's IGNORECASE.)
PREFIX_NAMES = ["p", "", "service", "SERVICE", "Service", "services", "xservice", "service1",
                "silent", "graph", "serviceSILENT", "s.service", "\u1680", "a\u1680b",
                "S\u0131LENT", "\u017fILENT", "SERV\u0130CE", "\u017fervice"]
LOCALS = ["x", "service", "SERVICE", "a.b", "a\\#b", "a\\~SERVICE", "%41", "a-SERVICE", "_1",
          "a:b", "Service", "allowed\u1680x", "\u1680"]
STRING_PIECES = ["a", "SERVICE", "service", " ", "{", "}", "#", "<", ">", "\\'", '\\"',
                 "\\\\", "\\n", "\\u0027", "\\U00000022", "\\u0023", "'", '"', "''", '""',
                 "\\", *NEWLINES, *ODD_SPACES]
IRI_PIECES = ["x", "#", "'", "%20", "\\u0023", "\\u003E", "\\u0027", "SERVICE", ";", ",", "(",
              ")", "!", "$", "&", "*", "+", "=", "~", "@", "/", "?", ".", "-", "é"]
RAW_PIECES = ["'''", '"""', "'", '"', "<", ">", "#", "\\", "{", "}", "(", ")", ".", ";", "SERVICE",
              "service", "SILENT", "?", "$", "@en", "^^", "<<", ">>", "<<(", ")>>", "{|", "|}",
              "~", ":", "_:", *NEWLINES, *ODD_SPACES]
#: What may follow a local part, and go on it (U+1680) or not.
NAME_TAILS = ["", "", "\u1680", "\u1680x", "€", "\\~x"]
OPERATORS = ["<", " < ", ">", " > ", "<=", ">=", "=", "!=", "&&", "||"]


@dataclass
class Case:
    """One query and where its endpoints are: ``base`` + ``allowed`` is the only one allowed."""

    query: str
    base: str

    @property
    def allowed(self) -> str:
        return self.base + "allowed"


class Builder:
    """Queries from lexical pieces, one case's endpoints under ``base``."""

    def __init__(self, rng: random.Random, base: str) -> None:
        self.rng = rng
        self.base = base
        self.prefixes: list[str] = []
        self.counter = 0

    def pick(self, items: list[str]) -> str:
        return self.rng.choice(items)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def sep(self) -> str:
        if self.chance(0.1):
            return "#" + self.pick(["", " SERVICE", "<", " ", "'"]) + self.pick(NEWLINES)
        if self.chance(0.04):
            return self.pick(ODD_SPACES)
        return self.pick(SEPARATORS)

    def prologue(self) -> str:
        parts = []
        if self.chance(0.2):
            parts.append(f"BASE <{self.base}>")
        for _ in range(self.rng.randint(0, 3)):
            name = self.pick(PREFIX_NAMES)
            iri = self.pick([self.base, self.base, self.base + "allowed", self.base + "bad",
                             self.base + "al"])
            self.prefixes.append(name)
            parts.append(f"PREFIX{self.pick([' ', ''])}{name}:{self.pick([' ', ''])}<{iri}>")
        return self.sep().join(parts) + self.sep()

    def iri(self) -> str:
        return "<" + self.base + "".join(self.pick(IRI_PIECES)
                                         for _ in range(self.rng.randint(0, 3))) + ">"

    def prefixed(self) -> str:
        name = self.pick(self.prefixes) if self.prefixes and self.chance(0.8) else \
            self.pick(PREFIX_NAMES)
        return f"{name}:{self.pick(LOCALS)}"

    def literal(self) -> str:
        quote = self.pick(["'", '"', "'''", '"""'])
        text = "".join(self.pick(STRING_PIECES) for _ in range(self.rng.randint(0, 4)))
        if self.chance(0.2):
            text += f" SERVICE <{self.base}bad> {{ }} "
        suffix = self.pick(["", "", "", "@en", "@service", "@en-SERVICE", "@en--ltr",
                            f"^^{self.prefixed()}", f"^^<{self.base}t>"])
        return f"{quote}{text}{quote}{suffix}"

    def term(self) -> str:
        return self.pick([
            "?s", "?service", "$service", "?SERVICE", "?o", "_:service", "1", "1.5", "1e3",
            "true", self.prefixed(), self.iri(), self.literal(), "<<( ?s ?p ?o )>>",
        ])

    def expression(self) -> str:
        parts = [self.pick(["?n", self.term(), self.literal(), "2"])]
        for _ in range(self.rng.randint(0, 3)):
            parts += [self.pick(OPERATORS), self.pick(["?n", "2", self.literal(), self.term()])]
        return "".join(parts)

    def target(self) -> str:
        endpoint = self.pick(["allowed", "allowed", "bad"])
        forms = [f"<{self.base}{endpoint}>", "?service", "$service"]
        named = [name for name in self.prefixes if name]
        if self.prefixes:
            forms.append(f"{self.pick(self.prefixes)}:{endpoint}")
            forms.append(f"{self.pick(self.prefixes)}:")
        if named:
            forms.append(f"{self.pick(named)}:{endpoint}{self.pick(NAME_TAILS)}")
        forms.append(f"<{endpoint}>")
        return self.pick(forms)

    def service(self, depth: int) -> str:
        keyword = self.pick(["SERVICE", "service", "Service", "SeRvIcE", "\u017fERVICE"])
        silent = self.pick(["", "", f"SILENT{self.sep()}", f"silent{self.sep()}"])
        inner = self.group(depth + 1) if self.chance(0.3) else self.pick(["", "?x ?p ?o"])
        return f"{keyword}{self.sep()}{silent}{self.target()}{self.sep()}{{{inner}}}"

    def item(self, depth: int) -> str:
        self.counter += 1
        n = self.counter
        choices = [
            lambda: f"BIND({self.literal()} AS ?v{n})",
            lambda: f"BIND({self.expression()} AS ?v{n})",
            lambda: f"FILTER({self.expression()})",
            lambda: f"#{self.pick(STRING_PIECES)}SERVICE <{self.base}bad> {{}}{self.pick(NEWLINES)}",
            lambda: f"{self.term()} {self.pick([self.prefixed(), '?p', 'a', self.iri()])} "
                    f"{self.term()} .",
            lambda: f"VALUES ?service {{ <{self.base}{self.pick(['allowed', 'bad'])}> }}",
            lambda: f"VALUES (?service ?x) {{ (<{self.base}allowed> {self.literal()}) }}",
            lambda: f"OPTIONAL {{{self.group(depth + 1)}}}",
            lambda: f"{{{self.group(depth + 1)}}} UNION {{{self.group(depth + 1)}}}",
            lambda: f"MINUS {{{self.group(depth + 1)}}}",
            lambda: f"FILTER EXISTS {{{self.group(depth + 1)}}}",
            lambda: f"GRAPH {self.pick(['?g', self.prefixed(), self.iri()])} "
                    f"{{{self.group(depth + 1)}}}",
            # a local part holding PREFIX, then an IRI: reads as a declaration, and is none
            lambda: f"OPTIONAL {{ ?s {self.prefixed()}.PREFIX{self.pick(PREFIX_NAMES)}:"
                    f"{self.pick(['', ' '])}<{self.base}{self.pick(['allowed', 'bad', ''])}> }}",
            lambda: self.pick(RAW_PIECES),
            lambda: self.service(depth),
        ]
        if depth > 2:
            choices = choices[:7] + choices[-3:]
        return self.rng.choice(choices)()

    def group(self, depth: int) -> str:
        items = [self.item(depth) for _ in range(self.rng.randint(0, 3 if depth else 5))]
        if depth == 0:
            items.insert(self.rng.randint(0, len(items)), self.service(depth))
        return self.sep() + self.sep().join(items) + self.sep()

    def query(self) -> str:
        head = self.prologue()
        form = self.pick(["SELECT * WHERE", "SELECT *", "ASK", "CONSTRUCT {} WHERE",
                          "SELECT ?service WHERE"])
        return f"{head}{form}{self.sep()}{{{self.group(0)}}}"


def cases(seed: int, count: int, endpoint: str) -> Iterator[Case]:
    """``count`` queries of ``seed``, each case's endpoints under a path of its own."""
    rng = random.Random(seed)
    for number in range(count):
        base = f"{endpoint}/s{seed}c{number}/"
        yield Case(Builder(rng, base).query(), base)


def _calls(base: str) -> list[str]:
    path = base.split("/", 3)[3]
    return [call for call in list(Recorder.calls) if call.lstrip("/").startswith(path)]


def _run(query: str, base: str) -> str | None:
    """Run ``query`` on an empty store, every row read, relative IRIs against ``base`` (the
    case's: nothing is called elsewhere); its error's kind, if any."""
    outcome: list[str | None] = []

    def work() -> None:
        try:
            results = Store().query(query, base_iri=base)
            if isinstance(results, QuerySolutions | QueryTriples):
                for _ in results:
                    pass
            outcome.append(None)
        except SyntaxError:
            outcome.append("syntax")
        except (OSError, RuntimeError, ValueError) as error:
            outcome.append(f"error: {error}")

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(CASE_SECONDS)
    return outcome[0] if outcome else "timeout"


@dataclass
class Fault:
    kind: str  # "bypass" or "false refusal"
    query: str
    detail: str


def judge(case: Case) -> Fault | None:
    """What the check says of ``case`` against what pyoxigraph calls.

    A refusal is false where pyoxigraph runs the query calling nothing off the allowlist and
    either reads no SERVICE where the check reads one (the query with the check's SERVICE
    keywords written GRAPH, the same syntax, does not parse) or parses a target the check
    cannot read. (An endpoint off the allowlist that pyoxigraph did not call, as the join
    beside it was empty, proves nothing.)"""
    allowlist = (case.allowed,)
    targets = service_targets(case.query)
    refusal = check_services(targets, allowlist)
    if refusal is None:
        _run(without_services(case.query), case.base)  # the server's parse check: it calls nothing
        parsing = _calls(case.base)
        if parsing:
            return Fault("bypass", case.query, f"checking that it parses called {parsing}")
    outcome = _run(case.query, case.base)
    called = _calls(case.base)
    if outcome == "timeout":
        return None
    elsewhere = [call for call in called if not call.endswith("/allowed")]
    if refusal is None and elsewhere:
        return Fault("bypass", case.query, f"allowed, and pyoxigraph called {elsewhere}")
    if refusal is None or outcome == "syntax" or elsewhere:
        return None
    problems = [target.problem for target in targets if target.problem is not None]
    if any(known in problem for problem in problems for known in KNOWN_REFUSALS):
        return None
    misread = _run(without_services(case.query), case.base) == "syntax"
    if misread or problems:
        return Fault("false refusal", case.query, f"{refusal.message} (pyoxigraph: "
                     f"{outcome or 'ran'}, called {called}"
                     f"{'; with GRAPH for SERVICE it does not parse' if misread else ''})")
    return None


def fuzz(seed: int, count: int, endpoint: str) -> Iterator[Fault]:
    for case in cases(seed, count, endpoint):
        fault = judge(case)
        if fault is not None:
            yield fault


class _Recording:
    """The recording endpoint on 127.0.0.1 (tests.test_federation's), while in a with block."""

    def __enter__(self) -> str:
        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Recorder)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_port}"

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with _Recording() as url:
        yield url


def test_the_fuzzer_reaches_pyoxigraph_and_the_check(endpoint: str) -> None:
    """Its queries parse often enough to call the endpoint, and to be refused."""
    runs = refusals = 0
    for case in cases(0, 300, endpoint):
        runs += _run(case.query, case.base) != "syntax"
        refusals += check_services(service_targets(case.query), (case.allowed,)) is not None
    assert runs > 30 and refusals > 30
    assert any(call.endswith("/bad") for call in Recorder.calls)


def test_no_query_the_check_allows_calls_an_endpoint_off_the_allowlist(endpoint: str) -> None:
    """A fixed seed: the same cases each run. (False refusals are listed by the command
    line, ``python -m tests.test_service_allowlist_fuzz``: some are left, the README says
    which.)"""
    faults = [fault for fault in fuzz(1, 1500, endpoint) if fault.kind == "bypass"]
    assert [f"{f.query!r}: {f.detail}" for f in faults] == []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cases", type=int, default=10_000)
    args = parser.parse_args()
    with _Recording() as url:
        found = 0
        for fault in fuzz(args.seed, args.cases, url):
            found += 1
            print(f"{fault.kind}: {fault.query!r}\n    {fault.detail}")
        print(f"{found} faults in {args.cases} cases (seed {args.seed})")


if __name__ == "__main__":
    main()
