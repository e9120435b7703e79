"""Loading a trained run as plain numpy arrays: what the web process serves from.

Imports numpy only. A run that is missing, truncated or of another format
raises `RunError` with a sentence saying what is wrong, so callers can keep
serving popular lists and show the reason.
"""
from __future__ import annotations

import hashlib
import json
import os
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np

from .channels.also_liked import ALSO_LIKED_ARRAYS
from .channels.demographic import DemographicPopular
from .channels.implicit_als import ImplicitALS

__all__ = ["MANIFEST", "RUN_FORMAT", "Run", "RunError", "current_run_path", "manifest_check",
           "manifest_write", "switch_current"]

RUN_FORMAT = 1  # must match training.RUN_FORMAT; kept here so serving never imports training
# Every file of a published run, with its size and SHA-256, written last. Runs
# are immutable once published: nothing rewrites a file in place, and a file
# that no longer matches is reported at load instead of being served.
MANIFEST = "manifest.json"


class RunError(RuntimeError):
    """A run directory that cannot be served, and why."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest_write(folder: Path) -> None:
    """List every file of a finished run folder with its size and checksum (the last file written)."""
    folder = Path(folder)
    files = {f.name: {"size": f.stat().st_size, "sha256": _sha256(f)}
             for f in sorted(folder.iterdir()) if f.is_file() and f.name != MANIFEST}
    (folder / MANIFEST).write_text(json.dumps({"files": files}, indent=1))


def manifest_check(folder: Path) -> None:
    """RunError if a file the manifest lists is missing, of another size or another content.

    Runs written before manifests existed have none and are loaded as before.
    """
    path = Path(folder) / MANIFEST
    if not path.exists():
        return
    try:
        files = json.loads(path.read_text())["files"]
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError) as exc:
        raise RunError(f"{folder}: {MANIFEST} is unreadable ({exc}).") from exc
    for name, expected in files.items():
        file = Path(folder) / name
        try:
            size = file.stat().st_size
        except FileNotFoundError:
            raise RunError(f"{folder} is incomplete: {name} is missing.") from None
        if size != expected.get("size"):
            raise RunError(f"{folder}: {name} is damaged ({size} bytes, the run wrote {expected.get('size')}).")
        if _sha256(file) != expected.get("sha256"):
            raise RunError(f"{folder}: {name} is damaged (its checksum changed since the run was written).")


@dataclass
class Run:
    path: Path
    user_ids: np.ndarray
    movie_ids: np.ndarray
    user_features: np.ndarray
    movie_features: np.ndarray
    user_bias: np.ndarray
    movie_bias: np.ndarray
    global_mean: float
    config: dict = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)
    # Optional (item-to-item channel): n_movies² floats, read into each worker's memory.
    item_weights: np.ndarray | None = None
    movie_popularity: np.ndarray | None = None
    # Optional ("viewers also liked", channels/also_liked.py): n_movies x keep each.
    also_liked_rows: np.ndarray | None = None
    also_liked_scores: np.ndarray | None = None
    also_liked_fans: np.ndarray | None = None
    # Optional ("next for you", channels/next_up.py): n_movies².
    transitions: np.ndarray | None = None
    # Optional (popular within a demographic, channels/demographic.py).
    demographic: DemographicPopular | None = None
    # Optional ("viewers with tastes like yours", channels/implicit_als.py).
    als: ImplicitALS | None = None

    @property
    def run_id(self) -> str:
        return self.config.get("run_id", self.path.name)

    @property
    def trained_at(self) -> float | None:
        """When the run was trained, in seconds since 1970 (as rating timestamps are)."""
        stamp = self.config.get("trained_at")
        try:
            return datetime.fromisoformat(stamp).timestamp() if stamp else None
        except (TypeError, ValueError):
            return None

    @classmethod
    def load(cls, path: Path) -> "Run":
        path = Path(path)
        if not path.is_dir():
            raise RunError(f"{path} is not a trained run (no such folder); run `manage.py train`.")
        manifest_check(path)
        try:
            config = json.loads((path / "config.json").read_text())
            metrics = json.loads((path / "metrics.json").read_text())
        except FileNotFoundError as exc:
            raise RunError(f"{path} is incomplete: {Path(exc.filename).name} is missing.") from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise RunError(f"{path} has an unreadable config or metrics file: {exc}.") from exc
        if config.get("format") != RUN_FORMAT:
            raise RunError(f"{path} was written in run format {config.get('format')!r}; this "
                           f"version serves format {RUN_FORMAT}. Train again.")
        arrays = {}
        for name in ("user_ids", "movie_ids", "user_features", "movie_features", "user_bias",
                     "movie_bias"):
            try:
                arrays[name] = np.load(path / f"{name}.npy", allow_pickle=False)
            except FileNotFoundError as exc:
                raise RunError(f"{path} is incomplete: {name}.npy is missing.") from exc
            except (ValueError, OSError, EOFError) as exc:
                raise RunError(f"{path}: {name}.npy is damaged ({exc}).") from exc
        for name in ("item_weights", "movie_popularity", "transitions", *ALSO_LIKED_ARRAYS):
            file = path / f"{name}.npy"
            if file.exists():
                try:
                    # Read into memory, never memory-mapped: a file truncated under a mapping
                    # kills the worker with SIGBUS, while a copy in memory keeps serving.
                    arrays[name] = np.load(file, allow_pickle=False)
                except (ValueError, OSError, EOFError) as exc:
                    raise RunError(f"{path}: {name}.npy is damaged ({exc}).") from exc
        try:
            arrays["demographic"] = DemographicPopular.load(path)
        except (ValueError, OSError, EOFError, json.JSONDecodeError) as exc:
            raise RunError(f"{path}: the demographic channel's files are damaged ({exc}).") from exc
        try:
            arrays["als"] = ImplicitALS.load(path)
        except (ValueError, KeyError, OSError, EOFError, json.JSONDecodeError) as exc:
            raise RunError(f"{path}: the ALS channel's files are damaged ({exc}).") from exc
        run = cls(path=path, global_mean=float(metrics.get("global_mean", 0.0)),
                  config=config, metrics=metrics, **arrays)
        run._check_shapes()
        return run

    def _check_shapes(self) -> None:
        n_users, n_movies = len(self.user_ids), len(self.movie_ids)
        problems = []
        if self.user_features.ndim != 2 or self.user_features.shape[0] != n_users:
            problems.append(f"user_features {self.user_features.shape} for {n_users} users")
        if self.movie_features.ndim != 2 or self.movie_features.shape[0] != n_movies:
            problems.append(f"movie_features {self.movie_features.shape} for {n_movies} movies")
        elif self.user_features.ndim == 2 and \
                self.user_features.shape[1] != self.movie_features.shape[1]:
            problems.append("user and movie features of different widths")
        if self.user_bias.shape != (n_users,) or self.movie_bias.shape != (n_movies,):
            problems.append("bias vectors of the wrong length")
        if self.item_weights is not None and self.item_weights.shape != (n_movies, n_movies):
            problems.append(f"item_weights {self.item_weights.shape} for {n_movies} movies")
        if self.transitions is not None and self.transitions.shape != (n_movies, n_movies):
            problems.append(f"transitions {self.transitions.shape} for {n_movies} movies")
        if self.demographic is not None and self.demographic.n_movies != n_movies:
            problems.append(f"demographic shares for {self.demographic.n_movies} movies, not {n_movies}")
        if self.als is not None and self.als.n_movies != n_movies:
            problems.append(f"ALS factors for {self.als.n_movies} movies, not {n_movies}")
        if self.movie_popularity is not None and self.movie_popularity.shape != (n_movies,):
            problems.append("movie_popularity of the wrong length")
        also = [a for a in (self.also_liked_rows, self.also_liked_scores, self.also_liked_fans)
                if a is not None]
        if also and (len(also) != 3 or any(a.ndim != 2 or a.shape != also[0].shape or
                                            a.shape[0] != n_movies for a in also)):
            problems.append("also_liked arrays incomplete or not one row per movie")
        elif also and self.also_liked_rows.size and (self.also_liked_rows.max() >= n_movies):
            problems.append("also_liked_rows points past the last movie")
        if problems:
            raise RunError(f"{self.path} is inconsistent: " + "; ".join(problems) + ".")


def current_run_path(model_dir: Path) -> Path | None:
    """The folder `model_dir/current` points at, or None when nothing was trained yet."""
    link = Path(model_dir) / "current"
    if not os.path.lexists(link):
        return None
    return link.resolve()


def switch_current(model_dir: Path, run: Path) -> None:
    """Point `model_dir/current` at `run` with one atomic rename (training, or staff switching back)."""
    link = Path(model_dir) / "current"
    temp = Path(model_dir) / f".current-{secrets.token_hex(4)}"
    os.symlink(os.path.relpath(run, model_dir), temp)
    os.replace(temp, link)
