"""What the application serves, reached through one accessor (``state()``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app
from pyoxigraph import Store

from server.executor import LocalExecutor


@dataclass
class ServerState:
    store: Store
    executor: LocalExecutor
    release_dir: Path | None = None
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return str(self.manifest.get("version", "unversioned"))


def state() -> ServerState:
    result: ServerState = current_app.extensions["evkg"]
    return result
