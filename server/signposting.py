"""FAIR Signposting: typed links in the ``Link`` header of a landing page, for machines.

A page of a resource (and the dataset's page) says, as the FAIR Signposting Profile
(signposting.org/FAIR, version 20231002) and its patterns (signposting.org/patterns) ask of a
landing page: the persistent identifier to cite (``cite-as``: the resource's IRI under the base,
which resolves here), what the page and the object are (``type``: schema.org's AboutPage and
the object's class), where metadata about it is, in which format (``describedby``), and for an
article the ORCIDs of its authors (``author``) and the publisher's identifiers (``related``,
as the signposting adopters' page advises for a DOI that is not the repository's own); for
the dataset, its content (``item``: the release files) and its licence (``license``). FAIR
checkers (F-UJI, FAIR-Checker) and Signposting clients read these without parsing HTML.
"""

from __future__ import annotations

from collections.abc import Iterable

from werkzeug.urls import iri_to_uri

#: schema.org's class of a page about something.
ABOUT_PAGE = "https://schema.org/AboutPage"

#: A typed link: target, relation, further attributes (type, …).
Link = tuple[str, str, dict[str, str]]


def link_header(links: Iterable[Link]) -> str:
    """``links`` as one ``Link`` header value (RFC 8288), each target written as a URI."""
    return ", ".join(f'<{iri_to_uri(target)}>; rel="{rel}"'
                     + "".join(f'; {name}="{value}"' for name, value in attributes.items())
                     for target, rel, attributes in links)


def landing_links(iri: str, page: str, formats: Iterable[tuple[str, str]],
                  types: Iterable[str] = ()) -> list[Link]:
    """The links of the page ``page`` (its URL here) about ``iri``: cite-as, type (AboutPage and
    ``types``), and describedby for each (``?format=`` value, media type) of ``formats``."""
    return [(iri, "cite-as", {}),
            *((cls, "type", {}) for cls in dict.fromkeys((ABOUT_PAGE, *types))),
            *((f"{page}?format={value}", "describedby", {"type": media})
              for value, media in formats)]
