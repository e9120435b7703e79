"""Fit the text-CNN on a DataSet, evaluate it, and export a complete, immutable run.

A run directory is written under a temporary name and renamed into
`runs/<id>` only once every file is in place; `current` is a symbolic link
replaced atomically afterwards. An interrupted training therefore never
changes what is served.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from .channels.demographic import DemographicPopular, segment_keys
from .channels.implicit_als import ImplicitALS
from .channels.next_up import transition_matrix
from .config import TextCNNConfig, TrainConfig
from .dataset import AGE_CODES, DataSet, Split
from .metrics import mae, rmse
from .runs import RUN_FORMAT, manifest_write, switch_current  # one definition, shared with serving

__all__ = ["RUN_FORMAT", "TrainResult", "export_factors", "export_run", "fit", "switch_current",
           "train_and_export"]

Log = Callable[[str], None]


@dataclass
class TrainResult:
    towers: object
    history: dict
    metrics: dict
    split: Split
    model_config: TextCNNConfig
    train_config: TrainConfig
    seconds: float


def fit(dataset: DataSet, *, model_config: TextCNNConfig | None = None,
        train_config: TrainConfig | None = None, log: Log | None = None) -> TrainResult:
    """Train on a seeded random split; early-stop on validation RMSE."""
    import keras  # TensorFlow stays out of every process that does not train

    model_config = model_config or TextCNNConfig(title_length=dataset.title_length)
    train_config = train_config or TrainConfig()
    log = log or (lambda message: None)
    _configure_threads()
    keras.utils.set_random_seed(train_config.seed)

    split = dataset.split(train_config.val_fraction, train_config.seed)
    x_train, y_train = dataset.rating_inputs(split.train)
    x_valid, y_valid = dataset.rating_inputs(split.valid)
    global_mean = float(y_train.mean())
    batch_size = train_config.resolved_batch_size(len(split.train))
    log(f"{len(split.train):,} training and {len(split.valid):,} validation ratings, "
        f"batch size {batch_size}")
    towers = _compiled_model(dataset, model_config, train_config, global_mean)

    callbacks = [
        # Gains under 1e-4 RMSE are noise; counting them kept large datasets
        # training for every epoch allowed.
        keras.callbacks.EarlyStopping(monitor="val_rmse", patience=train_config.patience,
                                      min_delta=1e-4, restore_best_weights=True, mode="min"),
        keras.callbacks.ReduceLROnPlateau(monitor="val_rmse", factor=0.3, patience=1,
                                          min_lr=train_config.lr / 30, mode="min"),
        _epoch_logger(log, train_config.epochs),
    ]
    started = time.perf_counter()
    history = towers.rating.fit(
        x_train, y_train, validation_data=(x_valid, y_valid), epochs=train_config.epochs,
        batch_size=batch_size, shuffle=True, verbose=0, callbacks=callbacks)

    # The validation figures are measured before any refit: afterwards the
    # validation ratings are training data and would flatter the model.
    predicted = np.clip(predict_inputs(towers.rating, x_valid), 0.5, 5.0)
    baseline = np.full_like(y_valid, global_mean)
    best_epochs = int(np.argmin(history.history["val_rmse"])) + 1
    metrics = {
        "valid_rmse": rmse(y_valid, predicted), "valid_mae": mae(y_valid, predicted),
        "baseline_rmse": rmse(y_valid, baseline), "baseline_mae": mae(y_valid, baseline),
        "global_mean": global_mean, "n_train": int(len(split.train)),
        "n_valid": int(len(split.valid)), "epochs_run": len(history.history["loss"]),
        "best_epochs": best_epochs, "refit": bool(train_config.refit), "batch_size": batch_size,
    }
    if train_config.refit:
        schedule = [float(lr) for lr in history.history.get("learning_rate", [])][:best_epochs]
        log(f"refit on all {dataset.n_ratings:,} ratings for {best_epochs} epochs")
        towers, metrics["global_mean"] = _refit(dataset, model_config, train_config,
                                                batch_size, best_epochs, schedule, log)
    seconds = time.perf_counter() - started
    metrics["train_seconds"] = seconds
    hist = {k: [float(v) for v in vals] for k, vals in history.history.items()}
    return TrainResult(towers, hist, metrics, split, model_config, train_config, seconds)


def _compiled_model(dataset: DataSet, model_config: TextCNNConfig, train_config: TrainConfig,
                    global_mean: float):
    import keras

    from .model import build_rating_model

    towers = build_rating_model(
        n_users=dataset.n_users, n_movies=dataset.n_movies,
        n_occupations=len(dataset.occupations), n_genres=len(dataset.genres),
        vocabulary_size=len(dataset.vocabulary), global_mean=global_mean, cfg=model_config)
    towers.rating.compile(optimizer=keras.optimizers.Adam(train_config.lr), loss="mse",
                          metrics=[keras.metrics.RootMeanSquaredError(name="rmse")])
    return towers


def _refit(dataset: DataSet, model_config: TextCNNConfig, train_config: TrainConfig,
           batch_size: int, epochs: int, schedule: list[float], log: Log):
    """A fresh model trained on every rating for `epochs`, replaying the learning rates;
    returns its towers and the global mean it was built around."""
    import keras

    keras.utils.set_random_seed(train_config.seed)
    x_all, y_all = dataset.rating_inputs(np.arange(dataset.n_ratings))
    global_mean = float(y_all.mean())
    towers = _compiled_model(dataset, model_config, train_config, global_mean)
    replay = keras.callbacks.LearningRateScheduler(
        lambda epoch, lr: schedule[epoch] if epoch < len(schedule) else lr)
    towers.rating.fit(x_all, y_all, epochs=epochs, batch_size=batch_size,
                      shuffle=True, verbose=0, callbacks=[replay, _epoch_logger(log, epochs)])
    return towers, global_mean


def _configure_threads() -> None:
    """Ops of this small model are tiny: running two at once beats splitting each one."""
    import tensorflow as tf

    try:
        tf.config.threading.set_inter_op_parallelism_threads(2)
        tf.config.threading.set_intra_op_parallelism_threads(1)
    except RuntimeError:
        pass  # TensorFlow already started in this process; keep its settings


def predict_inputs(model, inputs: dict, batch_size: int = 8192) -> np.ndarray:
    """Deterministic predictions (dropout off) in large batches."""
    n = len(next(iter(inputs.values())))
    out = [np.asarray(model(
        {k: v[i:i + batch_size] for k, v in inputs.items()}, training=False))
        for i in range(0, n, batch_size)]
    return np.concatenate(out) if out else np.zeros(0, dtype=np.float32)


def _epoch_logger(log: Log, epochs: int):
    """A Keras callback printing one line per epoch through `log`."""
    import keras

    class EpochLog(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.started = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            valid = f" val_rmse {logs['val_rmse']:.4f}" if "val_rmse" in logs else ""
            log(f"epoch {epoch + 1}/{epochs}: loss {logs.get('loss', 0):.4f} "
                f"rmse {logs.get('rmse', 0):.4f}{valid} "
                f"({time.perf_counter() - self.started:.1f} s)")

    return EpochLog()


# --------------------------------------------------------------------------- export


# EASE weights and next-up transitions are dense movies x movies float32 matrices:
# 1.6 GB at this many movies. Above it (ML-25M has 59,047 rated movies) they are
# left out and the ALS channel, movies x 64, is the collaborative channel.
DENSE_ITEM_LIMIT = 20_000


# The item-to-item channel is EASE over ratings, sittings, genres and
# co-liking (algorithms/ease.py, algorithms/sittings.py). Each setting was
# chosen by NDCG@10 on inner 75/25 splits of the training ratings, ML-100K
# seeds 0-2 (docs/benchmarks.md).
ITEM_REGULARISATION = 150.0
SITTING_WEIGHT = 2.0
GENRE_WEIGHT = 3.0
LIKING_WEIGHT = 0.15


def item_channel_arrays(dataset: DataSet, regularisation: float = ITEM_REGULARISATION,
                        dense_limit: int = DENSE_ITEM_LIMIT,
                        sitting_weight: float = SITTING_WEIGHT,
                        genre_weight: float = GENRE_WEIGHT,
                        liking_weight: float = LIKING_WEIGHT) -> dict[str, np.ndarray]:
    """EASE item-to-item weights, next-up transitions, rating counts and 'also liked' lists, in run order.

    Saved beside the text-CNN's matrices so the engine can recall by
    item-to-item similarity: on ML-100K EASE ranks far better than the
    text-CNN's predicted rating (docs/benchmarks.md). Catalogues larger than
    `dense_limit` get no n² matrices (see DENSE_ITEM_LIMIT).
    """
    from .algorithms.base import Interactions
    from .algorithms.ease import EASE
    from .channels.also_liked import also_liked_neighbours

    n = dataset.n_movies
    counts = np.bincount(dataset.rating_movies, minlength=n).astype(np.float32)
    also_liked = also_liked_neighbours(dataset.rating_users, dataset.rating_movies, dataset.rating_stars,
                                       dataset.n_users, n)
    if n > dense_limit:
        return {"movie_popularity": counts, **also_liked}
    weights = np.zeros((n, n), dtype=np.float32)
    if dataset.n_ratings:
        names = np.array(["", *dataset.genres], dtype=object)     # code 0 pads
        genres = {row: [g for g in names[codes] if g] for row, codes in enumerate(dataset.movie_genres)}
        ease = EASE(regularisation, sitting_weight, genre_weight=genre_weight,
                    liking_weight=liking_weight).fit(Interactions(
            dataset.rating_users.astype(np.int64), dataset.rating_movies.astype(np.int64),
            dataset.rating_stars, dataset.rating_timestamps), genres=genres)
        rows = ease.movie_ids  # contiguous movie indices that have ratings
        weights[np.ix_(rows, rows)] = ease.weights
    transitions = transition_matrix(dataset.rating_users, dataset.rating_movies, dataset.rating_timestamps, n)
    return {"item_weights": weights, "movie_popularity": counts, "transitions": transitions, **also_liked}


def als_channel(dataset: DataSet, seed: int = 0) -> ImplicitALS | None:
    """Implicit-feedback ALS item factors from who rated what (None without ratings)."""
    if not dataset.n_ratings:
        return None
    return ImplicitALS.fit(dataset.rating_users, dataset.rating_movies, dataset.n_users, dataset.n_movies,
                           seed=seed)


def demographic_channel(dataset: DataSet) -> DemographicPopular:
    """Popular within each gender, age group and occupation (and gender with age), from the ratings."""
    genders = np.array(["", "M", "F"])[dataset.user_gender]
    ages = np.array([0, *AGE_CODES])[dataset.user_age]
    occupations = np.array(["", *dataset.occupations], dtype=object)[dataset.user_occupation]
    per_user: dict[str, np.ndarray] = {}
    for row in range(dataset.n_users):
        for key in segment_keys(genders[row] or None, int(ages[row]) or None, occupations[row] or None):
            per_user.setdefault(key, np.zeros(dataset.n_users, dtype=bool))[row] = True
    masks = {key: users[dataset.rating_users] for key, users in per_user.items()}
    return DemographicPopular.fit(dataset.rating_stars, dataset.rating_movies, masks, dataset.n_movies)


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
def _new_run_folder(runs_dir: Path) -> Iterator[tuple[Path, str]]:
    """A scratch folder that becomes `runs_dir/<id>` in one rename when the block succeeds.

    On any failure (a full disk, an interrupt) the scratch folder is removed and
    no run appears: `current` and every finished run stay as they were. A
    training killed outright cannot clean up; the next one removes its folder.
    The manifest (sizes and checksums) is written last, just before the rename.
    """
    runs_dir.mkdir(parents=True, exist_ok=True)
    stale_partials_remove(runs_dir)
    run_id = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(3)
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


def _write_channels_and_records(scratch: Path, dataset: DataSet, *, item_channel: bool, config: dict,
                                history: dict, metrics: dict) -> None:
    """What every run has besides its factors: id maps, channels, config, history, metrics."""
    dataset.save_maps(scratch)
    if item_channel:
        for name, array in item_channel_arrays(dataset).items():
            np.save(scratch / f"{name}.npy", array)
        demographic_channel(dataset).save(scratch)
        als = als_channel(dataset)
        if als is not None:
            als.save(scratch)
    _write_json(scratch / "config.json", {
        "format": RUN_FORMAT, "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), **config})
    _write_json(scratch / "history.json", history)
    _write_json(scratch / "metrics.json", metrics)
    _plot_history(history, scratch / "loss.png")


def export_run(result: TrainResult, dataset: DataSet, runs_dir: Path, *,
               extra_info: dict | None = None, item_channel: bool = True) -> Path:
    """Write every file of a text-CNN run into `runs_dir/<id>`, atomically; return that folder."""
    with _new_run_folder(runs_dir) as (scratch, run_id):
        towers = result.towers
        towers.rating.save(scratch / "model.keras")
        np.save(scratch / "user_features.npy",
                predict_inputs(towers.user, dataset.user_inputs()).astype(np.float32))
        np.save(scratch / "movie_features.npy",
                predict_inputs(towers.movie, dataset.movie_inputs()).astype(np.float32))
        np.save(scratch / "user_bias.npy",
                towers.rating.get_layer("user_bias").get_weights()[0][:, 0].astype(np.float32))
        np.save(scratch / "movie_bias.npy",
                towers.rating.get_layer("movie_bias").get_weights()[0][:, 0].astype(np.float32))
        _write_channels_and_records(scratch, dataset, item_channel=item_channel, config={
            "algorithm": "text-cnn", "run_id": run_id, "model": result.model_config.to_dict(),
            "train": result.train_config.to_dict(), **(extra_info or {})},
            history=result.history, metrics=result.metrics)
    return runs_dir / run_id


def export_factors(factors, dataset: DataSet, runs_dir: Path, *, algorithm: str, settings: dict,
                   history: dict, metrics: dict, extra_info: dict | None = None,
                   item_channel: bool = True) -> Path:
    """A run from any model that factors as mean + user bias + movie bias + user · movie.

    `factors` has user_features, movie_features, user_bias, movie_bias (rows
    in the dataset's order) and global_mean; the engine serves the run like
    a text-CNN one.
    """
    with _new_run_folder(runs_dir) as (scratch, run_id):
        for name in ("user_features", "movie_features", "user_bias", "movie_bias"):
            np.save(scratch / f"{name}.npy", np.asarray(getattr(factors, name), dtype=np.float32))
        _write_channels_and_records(scratch, dataset, item_channel=item_channel, config={
            "algorithm": algorithm, "run_id": run_id, "model": settings, **(extra_info or {})},
            history=history, metrics={**metrics, "global_mean": float(factors.global_mean)})
    return runs_dir / run_id


def train_and_export(dataset: DataSet, model_dir: Path, *, model_config=None, train_config=None,
                     log: Log | None = None, extra_info: dict | None = None) -> tuple[Path, TrainResult]:
    """Fit, export into model_dir/runs, then switch model_dir/current to the new run."""
    result = fit(dataset, model_config=model_config, train_config=train_config, log=log)
    run = export_run(result, dataset, model_dir / "runs", extra_info=extra_info)
    switch_current(model_dir, run)
    return run, result


def _write_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def _plot_history(history: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.2), dpi=100)
    for key, label in (("rmse", "train RMSE"), ("val_rmse", "validation RMSE")):
        if key in history:
            ax.plot(range(1, len(history[key]) + 1), history[key], marker="o", label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel("RMSE")
    ax.grid(alpha=0.3)
    if ax.lines:
        ax.legend()
    else:  # a model trained without epochs (the factorization machine keeps no history)
        ax.text(0.5, 0.5, "no per-epoch history", ha="center", va="center", transform=ax.transAxes)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
