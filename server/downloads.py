"""The release files at ``/downloads/``: listed from the manifest, streamed with HTTP caching.

Only names the release's ``manifest.json`` lists are served, so no path a client sends can reach
any other file. werkzeug's ``send_file(conditional=True)`` answers ``Range`` (206/416; which
ranges it serves is ``server.ranges``'s) and ``HEAD`` (``If-None-Match`` and
``If-Modified-Since`` are ``server.gzipping``'s); the ETag is the file's SHA-256.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Response, jsonify, request, send_file

from kg.release import CHECKSUMS, MANIFEST
from server.errors import error_response
from server.pages import page_response, wants_listing_page
from server.state import state

#: The files that list the others (and so are not listed themselves), with their media types.
RELEASE_INDEX = {CHECKSUMS: "text/plain", MANIFEST: "application/json"}


@dataclass(frozen=True)
class ReleaseFile:
    name: str
    bytes: int
    sha256: str
    media_type: str

    @property
    def compressed(self) -> bool:
        return self.name.endswith(".gz")

    @property
    def content_type(self) -> str:
        """What the bytes are: a gzip file is ``application/gzip`` whatever it holds."""
        return "application/gzip" if self.compressed else self.media_type


def release_files() -> list[ReleaseFile]:
    """The files of the served release, as its manifest lists them (none without a release)."""
    st = state()
    if st.release_dir is None:
        return []
    return [ReleaseFile(str(f["name"]), int(f["bytes"]), str(f["sha256"]), str(f["media_type"]))
            for f in st.manifest.get("files", [])]


def release_file_path(name: str) -> tuple[ReleaseFile, Path] | None:
    """The manifest entry and path for ``name``, or None when the manifest has no such file."""
    release_dir = state().release_dir
    for entry in release_files():
        if entry.name == name and release_dir is not None:
            path = release_dir / entry.name
            return (entry, path) if path.is_file() else None
    return None


def create_downloads_blueprint() -> Blueprint:
    bp = Blueprint("downloads", __name__)

    @bp.route("/downloads/")
    def listing() -> Response:
        """The release files with size, SHA-256 and format: HTML for browsers, else JSON (406
        for a client that takes neither)."""
        files = release_files()
        if wants_listing_page():
            return page_response("downloads.html", files=files, version=state().version)
        folder = request.script_root + "/downloads/"  # under a proxy's path prefix
        response = jsonify({"version": state().version, "files": [
            {"name": f.name, "bytes": f.bytes, "sha256": f.sha256, "media_type": f.media_type,
             "content_type": f.content_type, "url": folder + f.name} for f in files],
            **({"checksums": folder + CHECKSUMS, "manifest": folder + MANIFEST} if files else {})})
        response.headers["Vary"] = "Accept"
        return response

    @bp.route("/downloads/<name>")
    def download(name: str) -> Response:
        """One release file, with ETag, Last-Modified, Range and conditional requests."""
        release_dir = state().release_dir
        if name in RELEASE_INDEX and release_dir is not None:  # not in the manifest it is
            response = send_file(release_dir / name, mimetype=RELEASE_INDEX[name],
                                 conditional=True)
            return _revalidated(response)
        found = release_file_path(name)
        if found is None:
            return error_response(404, f"no file named {name!r} in this release; see /downloads/")
        entry, path = found
        response = send_file(path, mimetype=entry.content_type, as_attachment=False,
                             download_name=entry.name, conditional=True, etag=entry.sha256)
        return _revalidated(response)

    return bp


def _revalidated(response: Response) -> Response:
    """A release never changes, but ``/downloads/{name}`` is the current release's file, which
    the next release (an ingest, then ``kill -HUP``) replaces at the same URL: a cache may keep
    the file and must ask again before reusing it (the ETag makes that a 304), so that the
    listing, ``SHA256SUMS`` and the files it gives are of one release."""
    response.cache_control.public = True
    response.cache_control.no_cache = True
    response.cache_control.max_age = None
    response.headers.remove("Expires")
    response.headers["Accept-Ranges"] = "bytes"
    return response
