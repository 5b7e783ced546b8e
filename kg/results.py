"""SELECT results written row by row, in the W3C formats: one small function per format, all
in ``WRITERS``.

pyoxigraph's ``QuerySolutions.serialize`` writes a whole result and cannot stop at a row cap, so
the server writes a capped answer here. The output matches pyoxigraph's byte for byte on ordinary
data; where pyoxigraph's is wrong, CSV and XML are always written here (by the server and by
`evkg query`): its CSV leaves an IRI with a comma unquoted (RFC 4180 asks for quotes: the row
split in two columns), and its XML writes a carriage return inside a value as it is, which an
XML reader takes for a line feed (written ``&#13;`` here).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import IO, Any

import orjson
from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from kg.querying import text_table

#: A term a solution can bind.
Term = NamedNode | BlankNode | Literal | Triple
#: Solutions as a writer reads them, once, in order (a list, or the store's own iterator):
#: each one value (or None when unbound) per variable.
Rows = Iterable[Iterable[Term | None]]

XSD = "http://www.w3.org/2001/XMLSchema#"
_STRING = XSD + "string"
#: Datatypes that TSV writes bare when the lexical form is Turtle's own syntax for them.
_TURTLE_NUMBERS = {
    XSD + "integer": re.compile(r"[+-]?[0-9]+"),
    XSD + "decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    XSD + "double": re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.?[0-9]+)[eE][+-]?[0-9]+"),
    XSD + "boolean": re.compile(r"true|false"),
}
_XML_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"}
_XML_SPECIAL = re.compile(r"[&<>\"']")
#: Leading and trailing white space, and a carriage return anywhere (an XML reader turns a CR,
#: or a CR LF, written as it is into a line feed): written as character references.
_XML_AS_REFERENCES = re.compile(r"^[ \t\r\n]+|[ \t\r\n]+$|\r")
#: The column an ASK's answer is written in as CSV or TSV, whose specification defines no
#: boolean answer: Jena's, which Fuseki writes and Jena's readers take back as a boolean (a
#: bare ``true``, pyoxigraph's, reads in rdflib and pandas as a header and no rows).
ASK_COLUMN = "_askResult"
#: The media types that are always written here, never by pyoxigraph (see above).
NOT_PYOXIGRAPHS = ("text/csv", "application/sparql-results+xml")
#: A carriage return as an XML document must write it to keep it (see ``rdf_xml``).
_CR, _CR_REFERENCE = b"\r", b"&#13;"
_TSV_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_TSV_SPECIAL = re.compile(r'[\\"\n\r\t]')
_CSV_SPECIAL = re.compile(r'[",\n\r]')


def _literal_extras(literal: Literal) -> tuple[str | None, str | None, str | None]:
    """(language, direction, datatype IRI unless implied) of a literal."""
    datatype = literal.datatype.value
    direction = literal.direction
    if literal.language:
        return literal.language, str(direction) if direction else None, None
    return None, None, None if datatype == _STRING else datatype


# --- SPARQL 1.1 Query Results JSON ---------------------------------------------------------------

def _json_term(term: Term) -> dict[str, Any]:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        value: dict[str, Any] = {"type": "literal", "value": term.value}
        language, direction, datatype = _literal_extras(term)
        if language:
            value["xml:lang"] = language
            if direction:
                value["its:dir"] = direction
        elif datatype:
            value["datatype"] = datatype
        return value
    return {"type": "triple", "value": {"subject": _json_term(term.subject),
                                        "predicate": _json_term(term.predicate),
                                        "object": _json_term(term.object)}}


def json_parts(variables: Sequence[str], rows: Rows) -> Iterator[bytes]:
    """The JSON document in parts: its head, then one part per row, then its end."""
    # orjson writes the same compact UTF-8 as ``json.dumps(separators=(",", ":"),
    # ensure_ascii=False)``, ~15 times faster: a capped answer is written on every request.
    yield b'{"head":{"vars":' + orjson.dumps(list(variables)) + b'},"results":{"bindings":['
    for number, row in enumerate(rows):
        yield (b"," if number else b"") + orjson.dumps(
            {name: _json_term(value) for name, value in zip(variables, row, strict=True)
             if value is not None})
    yield b"]}}"


def write_json(variables: Sequence[str], rows: Rows) -> bytes:
    return b"".join(json_parts(variables, rows))


# --- SPARQL Query Results XML --------------------------------------------------------------------

def _xml_text(text: str) -> str:
    escaped = _XML_SPECIAL.sub(lambda m: _XML_ESCAPES[m.group()], text)
    return _XML_AS_REFERENCES.sub(lambda m: "".join(f"&#{ord(c)};" for c in m.group()), escaped)


def _xml_term(term: Term) -> str:
    if isinstance(term, NamedNode):
        return f"<uri>{_xml_text(term.value)}</uri>"
    if isinstance(term, BlankNode):
        return f"<bnode>{_xml_text(term.value)}</bnode>"
    if isinstance(term, Literal):
        language, direction, datatype = _literal_extras(term)
        attributes = ""
        if language:
            attributes = f' xml:lang="{_xml_text(language)}"'
            if direction:
                attributes += (f' its:dir="{direction}" xmlns:its="http://www.w3.org/2005/11/its"'
                               ' its:version="2.0"')
        elif datatype:
            attributes = f' datatype="{_xml_text(datatype)}"'
        return f"<literal{attributes}>{_xml_text(term.value)}</literal>"
    return (f"<triple><subject>{_xml_term(term.subject)}</subject>"
            f"<predicate>{_xml_term(term.predicate)}</predicate>"
            f"<object>{_xml_term(term.object)}</object></triple>")


def xml_parts(variables: Sequence[str], rows: Rows) -> Iterator[str]:
    """The XML document in parts: its head, then one part per row, then its end."""
    yield ('<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>'
           + "".join(f'<variable name="{name}"/>' for name in variables) + "</head><results>")
    for row in rows:
        yield "<result>" + "".join(
            f'<binding name="{name}">{_xml_term(value)}</binding>'
            for name, value in zip(variables, row, strict=True) if value is not None) + "</result>"
    yield "</results></sparql>"


def write_xml(variables: Sequence[str], rows: Rows) -> bytes:
    return "".join(xml_parts(variables, rows)).encode()


# --- SPARQL 1.1 Query Results CSV and TSV --------------------------------------------------------

def _csv_field(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if _CSV_SPECIAL.search(text) else text


def _csv_term(term: Term) -> str:
    if isinstance(term, BlankNode):
        return "_:" + term.value
    if isinstance(term, NamedNode | Literal):
        return term.value
    return " ".join(_csv_term(t) for t in (term.subject, term.predicate, term.object))


def csv_lines(variables: Sequence[str], rows: Rows) -> Iterator[str]:
    """The CSV lines, each ended by CR LF: the variables, then one line per row."""
    yield ",".join(variables) + "\r\n"
    for row in rows:
        yield ",".join("" if value is None else _csv_field(_csv_term(value))
                       for value in row) + "\r\n"


def write_csv(variables: Sequence[str], rows: Rows) -> bytes:
    return "".join(csv_lines(variables, rows)).encode()


def _tsv_string(text: str) -> str:
    return '"' + _TSV_SPECIAL.sub(lambda m: _TSV_ESCAPES[m.group()], text) + '"'


def _tsv_term(term: Term) -> str:
    if isinstance(term, NamedNode):
        return f"<{term.value}>"
    if isinstance(term, BlankNode):
        return "_:" + term.value
    if isinstance(term, Literal):
        language, direction, datatype = _literal_extras(term)
        if language:
            return f"{_tsv_string(term.value)}@{language}" + (f"--{direction}" if direction else "")
        if datatype is None:
            return _tsv_string(term.value)
        bare = _TURTLE_NUMBERS.get(datatype)
        if bare is not None and bare.fullmatch(term.value):
            return term.value
        return f"{_tsv_string(term.value)}^^<{datatype}>"
    return (f"<<( {_tsv_term(term.subject)} {_tsv_term(term.predicate)} "
            f"{_tsv_term(term.object)} )>>")


def tsv_lines(variables: Sequence[str], rows: Rows) -> Iterator[str]:
    """The TSV lines, each ended by LF: the variables, then one line per row."""
    yield "\t".join("?" + name for name in variables) + "\n"
    for row in rows:
        yield "\t".join("" if value is None else _tsv_term(value) for value in row) + "\n"


def write_tsv(variables: Sequence[str], rows: Rows) -> bytes:
    return "".join(tsv_lines(variables, rows)).encode()


# --- text/plain: the aligned table of ``evkg query --format table`` (Fuseki answers text/plain
# with a table too) ---------------------------------------------------------------------------

def write_text(variables: Sequence[str], rows: Rows) -> bytes:
    return text_table(variables, rows).encode()


#: Results media type → writer.
WRITERS: dict[str, Callable[[Sequence[str], Rows], bytes]] = {
    "application/sparql-results+json": write_json,
    "application/sparql-results+xml": write_xml,
    "text/csv": write_csv,
    "text/tab-separated-values": write_tsv,
    "text/plain": write_text,
}


def write_solutions(media_type: str, variables: Sequence[str], rows: Rows) -> bytes:
    """``rows`` in ``media_type``; a clear ``ValueError`` naming the known types otherwise."""
    writer = WRITERS.get(media_type)
    if writer is None:
        raise ValueError(f"no results writer for {media_type}; known: {', '.join(WRITERS)}")
    return writer(variables, rows)


def write_boolean(media_type: str, value: bool) -> bytes:
    """An ASK's answer in ``media_type``, CSV or TSV: one column, ``ASK_COLUMN``, one row."""
    return write_solutions(media_type, [ASK_COLUMN],
                           [(Literal(str(value).lower(), datatype=NamedNode(XSD + "boolean")),)])


# --- RDF/XML --------------------------------------------------------------------------------------

def rdf_xml(body: bytes) -> bytes:
    """pyoxigraph's RDF/XML with each carriage return written ``&#13;``: its writer puts one
    inside a literal as it is, and an XML reader takes it (and a CR LF) for a line feed. The
    writer puts none anywhere else (its layout is line feeds and tabs), so each is a value's."""
    return body.replace(_CR, _CR_REFERENCE)


class RdfXmlWriter:
    """A binary stream that passes pyoxigraph's RDF/XML on to ``out`` as ``rdf_xml`` writes it
    (for a dump written in parts: a carriage return is one byte, never cut between two)."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out

    def write(self, data: bytes) -> int:
        self.out.write(rdf_xml(bytes(data)))
        return len(data)

    def flush(self) -> None:
        self.out.flush()
