"""Training from the database: the ratings table is the single source of truth."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from django.conf import settings

from ..models import Movie, Rating, Viewer

__all__ = ["NoRatings", "TrainingError", "dataset_frames", "model_train", "model_train_spark", "ratings_to_parquet"]


class TrainingError(RuntimeError):
    """Training could not start or finish; the message says why. Nothing was switched."""


class NoRatings(TrainingError):
    """There is nothing to learn from yet."""


def dataset_frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(ratings, movies, users) frames of everything in the database, site ratings included."""
    return _frames(with_ratings=True)


def _frames(*, with_ratings: bool) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    columns = ["user_id", "movie_id", "stars", "timestamp"]
    ratings = pd.DataFrame.from_records(
        Rating.objects.values_list("viewer_id", "movie_id", "stars", "timestamp").iterator(
            chunk_size=50_000), columns=columns) if with_ratings else pd.DataFrame(columns=columns)
    through = Movie.genres.through.objects.values_list("movie_id", "genre__name")
    genres: dict[int, list[str]] = {}
    for movie_id, name in through.iterator(chunk_size=20_000):
        genres.setdefault(movie_id, []).append(name)
    movies = pd.DataFrame.from_records(Movie.objects.values_list("id", "title", "year"),
                                       columns=["movie_id", "title", "year"])
    movies["genres"] = [sorted(genres.get(m, [])) for m in movies["movie_id"]]
    users = pd.DataFrame.from_records(
        Viewer.objects.values_list("id", "gender", "age_group", "occupation", "zip_code"),
        columns=["user_id", "gender", "age_group", "occupation", "zip_code"])
    return ratings, movies, users


def model_train(*, algorithm: str = "text-cnn", model_config=None, train_config=None,
                model_dir: Path | None = None, spark_master: str = "local[*]", log=None) -> tuple[Path, dict]:
    """Train on the database's ratings (the text-CNN, another factor model, or ALS on Spark); write a
    run and switch model/current to it. The one place that dispatches on the algorithm."""
    if algorithm == "spark-als":
        return _spark_train(master=spark_master, seed=train_config.seed if train_config else 0,
                            model_dir=model_dir, log=log)
    from ..recommend.data.dataset import DataSet
    from ..recommend.textcnn.training import train_and_export  # imports TensorFlow lazily, inside fit

    ratings, movies, users = dataset_frames()
    if ratings.empty:
        raise NoRatings("The database has no ratings: run import_movielens first.")
    dataset = DataSet.from_frames(ratings, movies, users)
    if log:
        log(f"Training {algorithm} on {len(ratings):,} ratings by {dataset.n_users:,} viewers of "
            f"{dataset.n_movies:,} movies.")
    model_dir = Path(model_dir or settings.RE_SYS_MODEL_DIR)
    if algorithm != "text-cnn":
        from ..recommend.algorithms.factor_training import fit_factors
        from ..recommend.serving.publish import run_publish
        from ..recommend.serving.runs import switch_current

        seed = train_config.seed if train_config else 0
        factors, model_settings, history, metrics = fit_factors(dataset, users, algorithm, seed=seed, log=log)
        run = run_publish(factors, dataset, model_dir / "runs", algorithm=algorithm, settings=model_settings,
                             history=history, metrics=metrics, extra_info={"n_ratings": len(ratings)})
        switch_current(model_dir, run)
        return run, metrics
    run, result = train_and_export(dataset, model_dir, model_config=model_config,
                                   train_config=train_config, log=log,
                                   extra_info={"n_ratings": len(ratings)})
    return run, result.metrics


def _spark_train(*, master: str, seed: int, model_dir: Path | None, log) -> tuple[Path, dict]:
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise TrainingError("spark-als needs PySpark: pip install -r requirements-spark.txt "
                            "(and Java 17: apt-get install openjdk-17-jre-headless).") from exc
    try:
        return model_train_spark(master=master, seed=seed, model_dir=model_dir, log=log)
    except (TrainingError, OSError):
        raise
    except Exception as exc:  # Spark reports a missing Java or an unreachable master its own ways
        if type(exc).__module__.split(".")[0] not in ("pyspark", "py4j"):
            raise
        raise TrainingError(f"Spark could not train on {master}: {exc}. "
                            f"Nothing was switched; model/current still serves the previous run.") from exc


def ratings_to_parquet(path: Path, chunk_size: int = 200_000) -> int:
    """Every rating as Parquet (user_id, movie_id, stars), written chunk by chunk; returns the count.

    Written to a temporary name and renamed, so a reader never sees half a file.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([("user_id", pa.int64()), ("movie_id", pa.int64()), ("stars", pa.float32())])
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    written = 0

    def table(batch: list[tuple]):
        users, movies, stars = zip(*batch)
        return pa.table([list(users), list(movies), list(stars)], schema=schema)

    try:
        with pq.ParquetWriter(partial, schema) as writer:
            batch: list[tuple] = []
            for row in Rating.objects.order_by("id").values_list("viewer_id", "movie_id", "stars").iterator(
                    chunk_size=chunk_size):
                batch.append(row)
                if len(batch) == chunk_size:
                    writer.write_table(table(batch))
                    written, batch = written + len(batch), []
            if batch:
                writer.write_table(table(batch))
                written += len(batch)
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return written


def model_train_spark(*, master: str = "local[*]", seed: int = 0, model_dir: Path | None = None,
                      log=None) -> tuple[Path, dict]:
    """Spark ALS on the database's ratings, exported to Parquet; the factors become a served run.

    The ratings never sit in this process's memory: they stream into the
    Parquet file, and Spark reads that. The run has no item-to-item weights
    (n_movies² floats do not fit at the scale Spark is for), so its
    recommendations rank by the ALS factors.
    """
    import numpy as np

    from ..recommend.algorithms.base import rows_in
    from ..recommend.data.dataset import DataSet
    from ..recommend.algorithms.factors import Factors
    from ..recommend.algorithms.spark_als import fit_spark_als
    from ..recommend.serving.publish import run_publish
    from ..recommend.serving.runs import switch_current

    parquet = Path(settings.DATA_DIR) / "spark" / "ratings.parquet"
    n_ratings = ratings_to_parquet(parquet)
    if n_ratings == 0:
        raise NoRatings("The database has no ratings: run import_movielens first.")
    if log:
        log(f"Exported {n_ratings:,} ratings to {parquet}.")
    _ratings, movies, users = _frames(with_ratings=False)
    dataset = DataSet.from_frames(_ratings, movies, users)
    result = fit_spark_als(parquet, master=master, seed=seed, log=log)

    def aligned(ids: np.ndarray, known: np.ndarray, vectors: np.ndarray) -> np.ndarray:
        out = np.zeros((len(ids), vectors.shape[1]), dtype=np.float32)
        pos, found = rows_in(known, ids)
        out[found] = vectors[pos[found]]
        return out

    factors = Factors(aligned(dataset.user_ids, result.user_ids, result.user_factors),
                      aligned(dataset.movie_ids, result.movie_ids, result.movie_factors),
                      np.zeros(dataset.n_users), np.zeros(dataset.n_movies), 0.0)
    model_dir = Path(model_dir or settings.RE_SYS_MODEL_DIR)
    run = run_publish(factors, dataset, model_dir / "runs", algorithm="spark-als", settings=result.settings,
                         history={}, metrics=result.metrics, extra_info={"n_ratings": n_ratings},
                         item_channel=False)
    switch_current(model_dir, run)
    return run, result.metrics
