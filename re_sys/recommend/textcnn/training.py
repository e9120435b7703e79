"""Fit the text-CNN on a DataSet, evaluate it, and publish it as a run (`serving/publish.py`)."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from ..algorithms.factors import Factors
from ..data.dataset import DataSet, Split
from ..metrics import mae, rmse
from ..serving.publish import run_publish
from ..serving.runs import switch_current
from .config import TextCNNConfig, TrainConfig

__all__ = ["TrainResult", "export_run", "factors_of", "fit", "predict_inputs", "train_and_export",
           "unseen_movie_bias"]

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
    towers = _compiled_model(dataset, model_config, train_config, global_mean, split.train)

    started = time.perf_counter()
    history = towers.rating.fit(
        x_train, y_train, validation_data=(x_valid, y_valid), epochs=train_config.epochs,
        batch_size=batch_size, shuffle=True, verbose=0, callbacks=_callbacks(train_config, log))
    # The validation figures are measured before any refit: afterwards the
    # validation ratings are training data and would flatter the model.
    best_epochs = int(np.argmin(history.history["val_rmse"])) + 1
    metrics = {**_validation_metrics(towers, x_valid, y_valid, global_mean),
               "global_mean": global_mean, "n_train": int(len(split.train)),
               "n_valid": int(len(split.valid)), "epochs_run": len(history.history["loss"]),
               "best_epochs": best_epochs, "refit": bool(train_config.refit), "batch_size": batch_size}
    if train_config.refit:
        schedule = [float(lr) for lr in history.history.get("learning_rate", [])][:best_epochs]
        log(f"refit on all {dataset.n_ratings:,} ratings for {best_epochs} epochs")
        towers, metrics["global_mean"] = _refit(dataset, model_config, train_config,
                                                batch_size, best_epochs, schedule, log)
    seconds = time.perf_counter() - started
    metrics["train_seconds"] = seconds
    hist = {k: [float(v) for v in vals] for k, vals in history.history.items()}
    return TrainResult(towers, hist, metrics, split, model_config, train_config, seconds)


def _callbacks(train_config: TrainConfig, log: Log) -> list:
    import keras

    return [
        # Gains under 1e-4 RMSE are noise; counting them kept large datasets
        # training for every epoch allowed.
        keras.callbacks.EarlyStopping(monitor="val_rmse", patience=train_config.patience,
                                      min_delta=1e-4, restore_best_weights=True, mode="min"),
        keras.callbacks.ReduceLROnPlateau(monitor="val_rmse", factor=0.3, patience=1,
                                          min_lr=train_config.lr / 30, mode="min"),
        _epoch_logger(log, train_config.epochs),
    ]


def _validation_metrics(towers, x_valid, y_valid, global_mean: float) -> dict:
    """RMSE and MAE on the validation ratings, beside the global mean's."""
    predicted = np.clip(predict_inputs(towers.rating, x_valid), 0.5, 5.0)
    baseline = np.full_like(y_valid, global_mean)
    return {"valid_rmse": rmse(y_valid, predicted), "valid_mae": mae(y_valid, predicted),
            "baseline_rmse": rmse(y_valid, baseline), "baseline_mae": mae(y_valid, baseline)}


def _compiled_model(dataset: DataSet, model_config: TextCNNConfig, train_config: TrainConfig,
                    global_mean: float, positions: np.ndarray):
    """A fresh compiled model; `positions` are the ratings it learns from, whose
    (viewer, movie) pairs the implicit part of the user tower reads."""
    import keras

    from .model import build_rating_model

    towers = build_rating_model(
        n_users=dataset.n_users, n_movies=dataset.n_movies,
        n_occupations=len(dataset.occupations), n_genres=len(dataset.genres),
        vocabulary_size=len(dataset.vocabulary), global_mean=global_mean, cfg=model_config,
        rated_pairs=(dataset.rating_users[positions], dataset.rating_movies[positions]))
    towers.rating.compile(optimizer=keras.optimizers.Adam(train_config.lr), loss="mse",
                          metrics=[keras.metrics.RootMeanSquaredError(name="rmse")])
    return towers


def _refit(dataset: DataSet, model_config: TextCNNConfig, train_config: TrainConfig,
           batch_size: int, epochs: int, schedule: list[float], log: Log):
    """A fresh model trained on every rating for `epochs`, replaying the learning rates;
    returns its towers and the global mean it was built around."""
    import keras

    keras.utils.set_random_seed(train_config.seed)
    everything = np.arange(dataset.n_ratings)
    x_all, y_all = dataset.rating_inputs(everything)
    global_mean = float(y_all.mean())
    towers = _compiled_model(dataset, model_config, train_config, global_mean, everything)
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


def factors_of(result: TrainResult, dataset: DataSet) -> Factors:
    """The trained towers as the factors every run holds: each viewer's and movie's vector and bias."""
    towers = result.towers
    return Factors(
        predict_inputs(towers.user, dataset.user_inputs()),
        predict_inputs(towers.movie, dataset.movie_inputs()),
        towers.rating.get_layer("user_bias").get_weights()[0][:, 0],
        _movie_bias_rows(towers)[:dataset.n_movies],
        result.metrics["global_mean"])


def _movie_bias_rows(towers) -> np.ndarray:
    """Every row of the trained movie bias: one per film, and the unseen one last with cold-start training."""
    return towers.rating.get_layer("movie_bias").get_weights()[0][:, 0]


def unseen_movie_bias(result: TrainResult, dataset: DataSet) -> float | None:
    """The movie bias cold-start training learned for films nobody rated (None without it)."""
    rows = _movie_bias_rows(result.towers)
    return float(rows[dataset.n_movies]) if len(rows) == dataset.n_movies + 1 else None


def export_run(result: TrainResult, dataset: DataSet, runs_dir: Path, *,
               extra_info: dict | None = None, item_channel: bool = True) -> Path:
    """Publish a trained text-CNN as a run in `runs_dir/<id>`, atomically; return that folder."""
    return run_publish(factors_of(result, dataset), dataset, runs_dir, algorithm="text-cnn", settings=result.model_config.to_dict(),
                       history=result.history, metrics=result.metrics, item_channel=item_channel,
                       extra_info={"train": result.train_config.to_dict(), **(extra_info or {})},
                       extra=lambda folder: _save_model(folder, result, dataset))


def _save_model(folder: Path, result: TrainResult, dataset: DataSet) -> None:
    """The Keras model (for retraining and checks) and both towers as arrays (for serving new films and viewers)."""
    from .export import movie_tower_write, user_tower_write

    result.towers.rating.save(folder / "model.keras")
    movie_tower_write(folder, result.towers.movie, result.model_config, dataset.title_length,
                      n_movies=dataset.n_movies, rated_rows=np.unique(dataset.rating_movies),
                      unseen_bias=unseen_movie_bias(result, dataset))
    user_tower_write(folder, result.towers.user, rated_rows=np.unique(dataset.rating_users))


def train_and_export(dataset: DataSet, model_dir: Path, *, model_config=None, train_config=None,
                     log: Log | None = None, extra_info: dict | None = None) -> tuple[Path, TrainResult]:
    """Fit, export into model_dir/runs, then switch model_dir/current to the new run."""
    result = fit(dataset, model_config=model_config, train_config=train_config, log=log)
    run = export_run(result, dataset, model_dir / "runs", extra_info=extra_info)
    switch_current(model_dir, run)
    return run, result


