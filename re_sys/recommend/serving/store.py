"""The engine of `model/current`, one per process, swapped for a newer run without a restart."""
from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from .engine import Engine
from .runs import Run, RunError, current_run_path

__all__ = ["ModelStore"]

logger = logging.getLogger(__name__)


class ModelStore:
    """The engine for `model_dir/current`, loaded once and reloaded when the link changes.

    Thread-safe: a request thread either gets the old engine or the new one,
    never a half-loaded run. `error` says why nothing can be served.
    """

    def __init__(self, model_dir: Path, titles_loader=None):
        self.model_dir = Path(model_dir)
        self._titles_loader = titles_loader
        self._lock = threading.Lock()
        self._engine: Engine | None = None
        self._loaded_from: tuple[str, float] | None = None
        self.error: str | None = None
        self._link = os.path.join(self.model_dir, "current")

    def _marker(self) -> tuple[str, float] | None:
        """What `current` points at and that folder's mtime: checked on every query, so two syscalls.

        `current` is a symlink (see `switch_current`); only where it is
        something else is the slower full resolution used.
        """
        link = self._link
        try:
            target = os.readlink(link)
        except FileNotFoundError:
            return None
        except OSError:
            path = current_run_path(self.model_dir)
            if path is None:
                return None
            target = str(path)
        try:
            return target, os.stat(link).st_mtime
        except OSError:
            return target, -1.0

    def get(self) -> Engine | None:
        """The current engine, or None (then `error` says why)."""
        marker = self._marker()
        if marker is not None and marker == self._loaded_from:
            return self._engine
        with self._lock:
            if marker == self._loaded_from and (self._engine or self.error):
                return self._engine
            if marker is None:
                self._engine, self._loaded_from = None, None
                self.error = "No model has been trained yet: run `python manage.py train`."
                return None
            run_path = str(Path(self._link).resolve())
            try:
                run = Run.load(Path(run_path))
                titles = self._titles_loader() if self._titles_loader else None
                self._engine, self.error = Engine(run, titles), None
            except RunError as exc:
                # Logged once per change of model/current, not on every request.
                logger.error("model %s cannot be served, popular movies stand in: %s",
                             run_path, exc, extra={"run": run_path})
                self._engine, self.error = None, str(exc)
            else:
                logger.info("serving model %s", run_path, extra={"run": run_path})
            self._loaded_from = marker
            return self._engine
