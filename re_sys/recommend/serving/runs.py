"""The run format, read and written in one place: what `train` leaves and the web process serves.

A run is a folder of numpy arrays and JSON: the factors (user and movie
features and biases, the global mean), the id maps, the channels' arrays, its
config, history and metrics, and `manifest.json` last. `write_run` writes one
under a scratch name and renames it into `runs/<id>` only once every file is
in place; `switch_current` then points `current` at it with one rename. An
interrupted training therefore never changes what is served.

Reading imports numpy only. A run that is missing, truncated or of another
format raises `RunError` with a sentence saying what is wrong, so callers can
keep serving popular lists and show the reason.
"""
from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import socket
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from ..algorithms.factors import Factors
from .channels.also_liked import ALSO_LIKED_ARRAYS
from .channels.demographic import DemographicPopular
from .channels.implicit_als import ImplicitALS

__all__ = ["FACTOR_ARRAYS", "IdMaps", "MANIFEST", "RUN_FORMAT", "Run", "RunError", "current_run_path", "manifest_check",
           "manifest_write", "new_run_folder", "stale_partials_remove", "switch_current", "write_run"]

RUN_FORMAT = 1
# The factors every run carries, whatever model made them: rows in the id maps' order.
FACTOR_ARRAYS = ("user_features", "movie_features", "user_bias", "movie_bias")
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


# --------------------------------------------------------------------------- writing


# Who is writing a scratch folder ("host pid"), so the next training can tell a live one from a dead one.
PARTIAL_OWNER = ".owner"
# A scratch folder with no owner we can ask (another host, or written before owners were) is
# taken for dead once it is this old: no training here runs for a day.
PARTIAL_MAX_AGE_S = 24 * 3600


def _partial_is_live(folder: Path) -> bool:
    try:
        host, pid = (folder / PARTIAL_OWNER).read_text().split()
        if host == socket.gethostname():
            os.kill(int(pid), 0)  # signal 0 only asks whether the process exists
            return True
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    except (OSError, ValueError):
        pass
    try:
        return time.time() - folder.stat().st_mtime < PARTIAL_MAX_AGE_S
    except OSError:
        return False


def stale_partials_remove(runs_dir: Path) -> list[str]:
    """Remove the scratch folders of trainings that died (killed, power lost); return their names."""
    removed = []
    for folder in sorted(Path(runs_dir).glob(".*.partial")):
        if folder.is_dir() and not _partial_is_live(folder):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
    return removed


@contextmanager
def new_run_folder(runs_dir: Path, run_id: str | None = None) -> Iterator[tuple[Path, str]]:
    """A scratch folder that becomes `runs_dir/<id>` in one rename when the block succeeds.

    On any failure (a full disk, an interrupt) the scratch folder is removed and
    no run appears: `current` and every finished run stay as they were. A
    training killed outright cannot clean up; the next one removes its folder.
    The manifest (sizes and checksums) is written last, just before the rename.
    `run_id` names the run instead of the time and a random suffix (fixtures
    that must know the folder's name); a run of that name must not exist yet.
    """
    runs_dir.mkdir(parents=True, exist_ok=True)
    stale_partials_remove(runs_dir)
    run_id = run_id or datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(3)
    if (runs_dir / run_id).exists():
        raise FileExistsError(f"{runs_dir / run_id} exists already")
    scratch = runs_dir / f".{run_id}.partial"
    try:
        scratch.mkdir()
        (scratch / PARTIAL_OWNER).write_text(f"{socket.gethostname()} {os.getpid()}")
        yield scratch, run_id
        (scratch / PARTIAL_OWNER).unlink()
        manifest_write(scratch)
        os.replace(scratch, runs_dir / run_id)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise


@dataclass
class IdMaps:
    """The least a run's `maps` must save: which viewer and movie ids its rows are.

    `DataSet` saves these and its encodings too; runs made from arrays alone
    (benchmarks, tests) use this.
    """

    user_ids: np.ndarray
    movie_ids: np.ndarray

    def save_maps(self, folder: Path) -> None:
        np.save(folder / "user_ids.npy", np.asarray(self.user_ids, dtype=np.int64))
        np.save(folder / "movie_ids.npy", np.asarray(self.movie_ids, dtype=np.int64))


def write_run(runs_dir: Path, factors: Factors, *, maps, config: dict, history: dict, metrics: dict,
              extra: Callable[[Path], None] | None = None, run_id: str | None = None) -> Path:
    """Write a complete run into `runs_dir/<id>` and return that folder; the one writer of the format.

    `maps` saves the id maps and encodings (`DataSet.save_maps`); `extra`
    writes what else this run carries (channels, the Keras model, a chart)
    into the folder while it is still private. `current` is not touched.
    """
    with new_run_folder(runs_dir, run_id) as (folder, run_id):
        for name in FACTOR_ARRAYS:
            np.save(folder / f"{name}.npy", np.asarray(getattr(factors, name), dtype=np.float32))
        maps.save_maps(folder)
        if extra is not None:
            extra(folder)
        _json_write(folder / "config.json", {
            "format": RUN_FORMAT, "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            **config, "run_id": run_id})
        _json_write(folder / "history.json", history)
        _json_write(folder / "metrics.json", {**metrics, "global_mean": float(factors.global_mean)})
    return runs_dir / run_id


def _json_write(path: Path, data) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str))
