"""The numeric and URL ``EVKG_*`` settings, checked once before anything serves: a value that
is no number of its kind, or below what it may be, or an endpoint that is no http(s) URL, is an
error naming the setting.

A typo such as ``EVKG_QUERY_TIMEOUT=30s`` stopped ``evkg serve`` only once gunicorn's workers
failed to boot, with a traceback that said ``could not convert string to float: '30s'`` and not
which setting; a negative limit was taken as it was.
"""

from __future__ import annotations

import math
import os
import re
import sys
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Config

from kg.remote import SERVER_CREDENTIALS, refused_url

#: Each numeric setting (its ``EVKG_`` name without the prefix): whether it is whole, the least
#: value it may take, and what it counts, with what its least value means.
NUMBERS: dict[str, tuple[bool, float, str]] = {
    "QUERY_TIMEOUT": (False, 0, "seconds, 0 or more (0: no limit)"),
    "MAX_ROWS": (True, 0, "rows, 0 or more (0: no cap)"),
    "THREADS": (True, 1, "query threads, 1 or more"),
    "QUERY_MEMORY": (True, 0, "bytes, 0 or more (0: no limit)"),
    "MAX_ANSWER_BYTES": (True, 0, "bytes, 0 or more (0: no limit)"),
    "CACHE_MAX_BYTES": (True, 0, "bytes, 0 or more (0: no result cache)"),
    "CACHE_MAX_AGE": (True, 0, "seconds, 0 or more"),
    "MAX_CONTENT_LENGTH": (True, 1, "bytes, 1 or more"),
    "READ_TIMEOUT": (False, 0, "seconds, more than 0"),
    "SLOW_QUERY": (False, 0, "seconds, 0 or more (0: every query is logged)"),
    "PROXY_HOPS": (True, 0, "proxies, 0 or more (0: no forwarded header is trusted)"),
}
#: The settings that name a remote store's endpoints (empty: none).
URLS = ("SPARQL_ENDPOINT", "SPARQL_UPDATE_ENDPOINT", "GSP_ENDPOINT")
#: Settings whose least value is itself refused (a read that may take no time at all).
ABOVE_LEAST = {"READ_TIMEOUT"}
#: The least EVKG_QUERY_MEMORY but 0: a query process takes ~37 MB of anonymous memory before
#: it runs a query (measured here), so a lower limit stopped every query (503), and one set in
#: megabytes by mistake (``512``) is one of those.
LEAST_QUERY_MEMORY = 64_000_000
#: The most a number of seconds may be: the longest wait Python takes (a socket's timeout,
#: a lock's); past it (``1e308``) every request or query failed with an OverflowError.
MOST_SECONDS = threading.TIMEOUT_MAX
#: The most a whole number may be (a row cap is counted to one more, as Python counts).
MOST_WHOLE = sys.maxsize - 1


#: Settings that are text whatever they look like: an endpoint, a user, a password, a token, a
#: folder, a parameter's name. Flask reads each ``EVKG_*`` variable as JSON where it parses, so
#: ``EVKG_UPDATE_TOKEN=1e3`` was the token ``1000.0``, ``EVKG_SPARQL_PASSWORD=true`` the
#: password ``True`` and one of ``0`` or ``null`` none at all, and ``evkg serve --store 2024``
#: (``EVKG_STORE_DIR=2024``, a number) stopped at once, its workers failing to boot (until 7 Dec).
TEXT = (*URLS, "SPARQL_USER", "SPARQL_PASSWORD", "SPARQL_TIMEOUT_PARAMETER", "UPDATE_TOKEN",
        "STORE_DIR", "CACHE_DIR", "QUERIES_DIR", "YASGUI_DIR", "CHARTJS_DIR")
#: The folder settings a server reads from its environment alone (``evkg serve --store``
#: checks the store's folder as it checks every path it is given).
FOLDERS = ("CACHE_DIR", "QUERIES_DIR", "YASGUI_DIR", "CHARTJS_DIR")
#: Settings that are text, or a JSON list of texts: ``EVKG_SERVICE_ALLOWLIST=0`` (or ``null``,
#: ``false``) made every worker fail to boot (``'int' object is not iterable``) and
#: ``EVKG_TRUSTED_HOSTS=true`` every request a 500 (until 7 Dec).
TEXTS = ("SERVICE_ALLOWLIST", "TRUSTED_HOSTS")


def read_environment(config: Config) -> None:
    """Read the ``EVKG_*`` variables of this process's environment into ``config``, as Flask
    reads them (JSON where they parse, else text), the ``TEXT`` settings as they are written,
    quotes and all (a JSON string, ``"s3cret"``, lost its quotes in the server alone: ``evkg
    load`` and ``evkg serve --store``, which click reads, kept them), and the ``TEXTS``
    settings so where JSON reads them as neither a string (a host or an IRI holds no quote)
    nor a list of strings. Only ``""`` (an env file's empty value, quotes kept) is empty
    still: as written, ``EVKG_UPDATE_TOKEN=""`` would be a token of two quotes, which anyone
    could send."""
    config.from_prefixed_env("EVKG")
    for name in (*TEXT, *TEXTS):
        written = os.environ.get(f"EVKG_{name}")
        value = config.get(name)
        texts = isinstance(value, str) or (
            isinstance(value, list) and all(isinstance(item, str) for item in value))
        if written is not None and value != "" and not (name in TEXTS and texts):
            config[name] = written
    for name in NUMBERS:
        written = os.environ.get(f"EVKG_{name}")
        value = config.get(name)
        if written is not None and (value is None or isinstance(value, bool) or (
                isinstance(value, float) and not math.isfinite(value))):
            # JSON's null, true and 1e400: named as written (null passed as unset, and the
            # workers failed to boot on it), not as Python writes them (True, inf)
            config[name] = written


#: A host EVKG_TRUSTED_HOSTS may name: a name or an address (``.example.org``: it and its
#: subdomains, as werkzeug reads it), an IPv6 address in brackets, with a port or not.
_TRUSTED_HOST = re.compile(r"(?:\.?[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_])?"
                           r"|\[[0-9A-Fa-f:.]+\])(?::[0-9]+)?", re.ASCII)


def setting_items(value: Any) -> tuple[str, ...]:
    """A list setting's items (EVKG_SERVICE_ALLOWLIST, EVKG_TRUSTED_HOSTS): comma-separated
    text, or a JSON list's texts."""
    items = value.split(",") if isinstance(value, str) else list(value or ())
    return tuple(str(item).strip() for item in items if str(item).strip())


def unwritable(folder: Path) -> OSError | None:
    """Why the server cannot write in ``folder`` (made when it is not there), or None."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".probe-"):
            pass
    except OSError as error:
        return error
    return None


def list_problems(config: Mapping[str, Any]) -> list[str]:
    """What is wrong with the list settings (``TEXTS``): each EVKG_SERVICE_ALLOWLIST item an
    http(s) URL, each EVKG_TRUSTED_HOSTS item a host. An operator's: ``['127.0.0.1']`` (a
    Python list's quotes, no JSON) started a server that answered every request "Host
    '127.0.0.1:8000' is not trusted", and an allowlist of ``[bad`` or ``ftp://…`` one that
    refused every SERVICE, naming it (until 7 Dec)."""
    problems = []
    if is_set(config, "SERVICE_ALLOWLIST"):
        for item in setting_items(config.get("SERVICE_ALLOWLIST")):
            refusal = refused_url(item)
            if refusal is not None:
                problems.append(f"EVKG_SERVICE_ALLOWLIST holds {refusal}: list SPARQL "
                                "endpoints separated by commas, or as a JSON list of strings")
                break
    if is_set(config, "TRUSTED_HOSTS"):
        for item in setting_items(config.get("TRUSTED_HOSTS")):
            if not _TRUSTED_HOST.fullmatch(item):
                problems.append(f"EVKG_TRUSTED_HOSTS holds {item!r}, which is no host: list "
                                "host names or addresses separated by commas (127.0.0.1,"
                                "example.org), or as a JSON list of strings")
                break
    return problems


def file_problems(config: Mapping[str, Any]) -> list[str]:
    """An EVKG_CACHE_DIR the server cannot write in (a file, ``/proc/…``: the cache then lived
    in each worker's memory, in silence) and an EVKG_ACCESS_LOG it cannot write (gunicorn said
    "Error: Error: '…' isn't writable", naming no setting): an operator's (7 Dec)."""
    problems = []
    folder = config.get("CACHE_DIR")
    error = unwritable(Path(folder)) if isinstance(folder, str) and folder.strip() else None
    if error is not None:
        problems.append(f"EVKG_CACHE_DIR={folder!r}: the server cannot write there "
                        f"({error.strerror or error}): give a folder it can write in, or "
                        "unset it (the build folder's cache/)")
    log = os.environ.get("EVKG_ACCESS_LOG", "").strip()
    if log and log != "-":
        path = Path(log)
        why = ("it is a folder" if path.is_dir()
               else ("it cannot be written" if not os.access(path, os.W_OK) else "")
               if path.exists() else "its folder does not exist" if not path.parent.is_dir()
               else "its folder cannot be written" if not os.access(path.parent, os.W_OK)
               else "")
        if why:
            problems.append(f"EVKG_ACCESS_LOG={log!r}: {why}: give a file the server can "
                            "write (its folder must exist), or - for standard output")
    return problems


def is_set(config: Mapping[str, Any], name: str) -> bool:
    """Whether ``config`` gives the setting ``name`` a value: unset and empty (``EVKG_X=``, as
    a shell clears a variable) are alike."""
    return config.get(name) not in (None, "")


def setting_problems(config: Mapping[str, Any]) -> list[str]:
    """What is wrong with the numeric and URL settings of ``config`` (Flask's, ``EVKG_*`` read
    as JSON where they parse, else as text): one sentence each, naming the variable. An
    endpoint that is no http(s) URL stopped the server only once gunicorn's workers failed to
    boot, each with urllib's traceback ("unknown url type")."""
    problems = []
    for name in URLS:
        refusal = (refused_url(str(config.get(name)), SERVER_CREDENTIALS)
                   if is_set(config, name) else None)
        if refusal is not None:
            problems.append(f"EVKG_{name}={refusal}")
    if (is_set(config, "SPARQL_ENDPOINT") and is_set(config, "SPARQL_PASSWORD")
            and not is_set(config, "SPARQL_USER")):
        # (a remote store's alone: the server of its own release sends no password anywhere)
        problems.append("EVKG_SPARQL_PASSWORD is set without EVKG_SPARQL_USER: a password is "
                        "sent only with its user, and this one would go unused: set "
                        "EVKG_SPARQL_USER too (or unset EVKG_SPARQL_PASSWORD)")
    problems += list_problems(config) + file_problems(config)
    for name in FOLDERS:
        value = config.get(name)
        if isinstance(value, str) and value and not value.strip():
            problems.append(f"EVKG_{name}={value!r} is white space alone: give a folder (for a "
                            "name of white space alone, write ./ before it), or unset it")
    token = config.get("UPDATE_TOKEN")
    if isinstance(token, str) and token != token.strip():  # (its value is never shown)
        problems.append("EVKG_UPDATE_TOKEN begins or ends with white space, which no "
                        "Authorization header can carry (HTTP trims it from a header's "
                        "value), so no update could be sent with it: write the token without it")
    elif isinstance(token, str) and any((ord(c) < 32 and c != "\t") or c == "\x7f"
                                        for c in token):
        problems.append("EVKG_UPDATE_TOKEN holds a control character, which no Authorization "
                        "header may carry (gunicorn refuses the request), so no update could be "
                        "sent with it: use letters, digits and punctuation")
    for name, (whole, least, wanted) in NUMBERS.items():
        value = config.get(name)
        if value is None:
            continue
        number = _number(value, whole=whole)
        kind = "a whole number of" if whole else "a number of"
        if number is None or number < least or (name in ABOVE_LEAST and number <= least):
            problems.append(f"EVKG_{name}={value!r}: want {kind} {wanted}")
        elif number > (most := MOST_WHOLE if whole else MOST_SECONDS):
            problems.append(f"EVKG_{name}={value!r}: want {kind} {wanted.split(',')[0]}, "
                            f"at most {int(most)}")
        elif name == "QUERY_MEMORY" and 0 < number < LEAST_QUERY_MEMORY:
            problems.append(f"EVKG_{name}={value!r}: want a whole number of bytes, 0 (no limit) "
                            f"or {LEAST_QUERY_MEMORY} or more: a query process takes some 40 MB "
                            "before it runs a query, so every query would be stopped (the "
                            f"setting counts bytes: 512 MB is 512000000)")
    return problems


def read_numbers(config: Config) -> None:
    """Set each numeric setting of ``config`` (``setting_problems`` found none wrong) to its
    number, a whole one an int: ``1000.`` or an env file's ``"1e3"`` are text to Flask, which
    ``int()`` refused in every worker as it booted."""
    for name, (whole, _, _) in NUMBERS.items():
        value = config.get(name)
        number = _number(value, whole=whole)
        if number is not None and (whole or isinstance(value, str)):
            config[name] = int(number) if whole else number


def _number(value: Any, *, whole: bool) -> float | None:
    if isinstance(value, bool):  # JSON's true and false are no numbers here
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if not isinstance(value, int | float) or value != value or value in (float("inf"), -float("inf")):
        return None
    return None if whole and value != int(value) else float(value)


def environment_number(name: str, default: float) -> float:
    """The number ``EVKG_{name}`` sets, read as the server reads it (an env file's ``"16"`` is
    16 to gunicorn's settings as to the application), else ``default``."""
    config = Config(".")
    read_environment(config)
    number = _number(config.get(name), whole=False)
    return default if number is None else number


def serves_remote_store() -> bool:
    """Whether this process's environment makes the server serve a remote store: its
    ``EVKG_SPARQL_ENDPOINT``, read as the server reads it, is set (an env file's ``""`` is
    not; `evkg serve` took it for an endpoint and left the release unchecked)."""
    config = Config(".")
    read_environment(config)
    return is_set(config, "SPARQL_ENDPOINT")


def unused_remote_settings() -> str | None:
    """A warning naming the remote store's ``EVKG_*`` variables of this process's environment
    (``EVKG_SPARQL_USER``, ``EVKG_GSP_ENDPOINT``, …) set without ``EVKG_SPARQL_ENDPOINT``,
    which alone makes the server serve a remote store: passed over in silence, they let a user
    think it did. Not an error: a shared environment may set them for ``evkg load``."""
    from server.state import DEFAULT_BACKEND

    config = Config(".")
    read_environment(config)
    if is_set(config, "SPARQL_ENDPOINT"):
        return None
    unused = [f"EVKG_{name}" for name in DEFAULT_BACKEND
              if name != "SPARQL_ENDPOINT" and is_set(config, name)]
    if not unused:
        return None
    *others, last = unused
    named = f"{', '.join(others)} and {last} are" if others else f"{last} is"
    they = "they are a remote store's settings" if others else "it is a remote store's setting"
    return (f"warning: {named} set, but not EVKG_SPARQL_ENDPOINT: {they}, unused here: this "
            "server serves its own release, not a remote store (set EVKG_SPARQL_ENDPOINT to "
            "serve one)")


def environment_problems() -> list[str]:
    """What is wrong with the numeric ``EVKG_*`` variables of this process's environment, read
    as the server reads them (``server.create_app``)."""
    config = Config(".")
    read_environment(config)
    return setting_problems(config)
