"""What every request of one office shares: folder, settings, database, limiter, worker."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import audit
from .db import Database
from .runs import Worker
from .security import LoginLimiter
from .settings import Settings


@dataclass
class OfficeContext:
    folder: Path
    settings: Settings
    db: Database
    limiter: LoginLimiter = field(init=False)
    worker: Worker | None = None

    def __post_init__(self) -> None:
        self.limiter = LoginLimiter(self.settings.login_max_failures,
                                    self.settings.login_window_seconds)

    def record(self, action: str, **kw) -> None:
        """Write an audit entry in its own transaction (for refusals that roll back)."""
        with self.db.session() as s:
            audit.record(s, action, **kw)
