"""Alternating least squares on Spark, for ratings that outgrow one machine.

`train --algo spark-als` exports the database's ratings to Parquet (in
chunks, never all in memory) and hands the file to Spark's ALS: `local[*]`
by default, or any cluster given by `--spark-master` (the file must then be
where every executor can read it, e.g. a shared or HDFS path). Spark returns
one factor vector per viewer and per movie; they become a run like any
other, so the site serves it with numpy and never imports Spark.

Explicit-feedback ALS predicts stars as user · movie (no biases); the run
stores zero biases and a zero global mean, so the engine computes the same.
Needs `pip install -r requirements-spark.txt` and Java 17.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .base import RatingModel, Side, rows_in

__all__ = ["SparkALSRatings", "SparkALSResult", "fit_spark_als"]

# Spark ML's ALS settings used by `train --algo spark-als` and `evaluate --algo spark-als`.
RANK, REGULARISATION, ITERATIONS = 32, 0.1, 15


@dataclass
class SparkALSResult:
    user_ids: np.ndarray
    user_factors: np.ndarray
    movie_ids: np.ndarray
    movie_factors: np.ndarray
    settings: dict
    metrics: dict


def _session(master: str):
    from pyspark.sql import SparkSession

    spark = (SparkSession.builder.master(master).appName("dl-re-movies ALS")
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             # ALS's iterations build a long lineage; serialising it recursively overflowed
             # the driver's default 1 MB thread stack once on a loaded 2-core CI machine.
             .config("spark.driver.extraJavaOptions", "-Xss64m")
             # Few shuffle partitions locally; a cluster's own defaults otherwise.
             .config("spark.sql.shuffle.partitions", "8" if master.startswith("local") else "200")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _als(rank: int, regularisation: float, iterations: int, seed: int):
    from pyspark.ml.recommendation import ALS

    return ALS(rank=rank, maxIter=iterations, regParam=regularisation, userCol="user_id", itemCol="movie_id",
               ratingCol="stars", seed=seed, coldStartStrategy="drop", nonnegative=False)


def _factors(frame) -> tuple[np.ndarray, np.ndarray]:
    rows = frame.orderBy("id").toPandas()
    ids = rows["id"].to_numpy(np.int64)
    vectors = np.array(rows["features"].tolist(), dtype=np.float32).reshape(len(ids), -1)
    return ids, vectors


def fit_spark_als(ratings_parquet: Path, *, master: str = "local[*]", rank: int = RANK,
                  regularisation: float = REGULARISATION, iterations: int = ITERATIONS, valid_fraction: float = 0.1,
                  seed: int = 0, log=None) -> SparkALSResult:
    """Fit on a seeded (1 - valid_fraction) share, measure RMSE on the rest, return the factors.

    The Parquet file has integer columns user_id and movie_id and a float column stars.
    """
    from pyspark.ml.evaluation import RegressionEvaluator
    from pyspark.sql import functions as F

    log = log or (lambda message: None)
    spark = _session(master)
    try:
        ratings = spark.read.parquet(str(ratings_parquet))
        train, valid = ratings.randomSplit([1 - valid_fraction, valid_fraction], seed=seed)
        als = _als(rank, regularisation, iterations, seed)
        log(f"Spark ALS on {master}: rank {rank}, λ {regularisation}, {iterations} iterations")
        model = als.fit(train)
        evaluator = RegressionEvaluator(metricName="rmse", labelCol="stars", predictionCol="prediction")
        predictions = model.transform(valid)
        mean = train.agg(F.avg("stars")).first()[0]
        with_mean = valid.withColumn("prediction", F.lit(float(mean)))
        metrics = {
            "valid_rmse": float(evaluator.evaluate(predictions)),
            "valid_mae": float(evaluator.setMetricName("mae").evaluate(predictions)),
            "baseline_rmse": float(evaluator.setMetricName("rmse").evaluate(with_mean)),
            "baseline_mae": float(evaluator.setMetricName("mae").evaluate(with_mean)),
            "n_train": int(train.count()), "n_valid": int(valid.count()), "refit": False,
        }
        user_ids, user_factors = _factors(model.userFactors)
        movie_ids, movie_factors = _factors(model.itemFactors)
    finally:
        spark.stop()
    log(f"Spark ALS: validation RMSE {metrics['valid_rmse']:.4f} (global mean {metrics['baseline_rmse']:.4f})")
    return SparkALSResult(user_ids, user_factors, movie_ids, movie_factors,
                          {"rank": rank, "regularisation": regularisation, "iterations": iterations,
                           "master": master}, metrics)


@dataclass
class SparkALSRatings(RatingModel):
    """Spark ALS as a rating model for `evaluate`: fitted on given ratings, predicting with numpy.

    The same settings as `train --algo spark-als`, measured on the split every
    other rating model uses. A viewer or movie Spark never saw gets the mean of
    the training stars, since explicit ALS has nothing else for them.
    """
    master: str = "local[*]"
    rank: int = RANK
    regularisation: float = REGULARISATION
    iterations: int = ITERATIONS
    seed: int = 0

    def fit(self, ratings, side: Side | None = None) -> "SparkALSRatings":
        """`ratings`: an Interactions (user_ids, movie_ids, stars), as every rating model takes."""
        import pandas as pd

        stars = np.asarray(ratings.stars, dtype=np.float64)
        frame = pd.DataFrame({"user_id": np.asarray(ratings.user_ids, np.int64),
                              "movie_id": np.asarray(ratings.movie_ids, np.int64), "stars": stars})
        spark = _session(self.master)
        try:
            spark.conf.set("spark.sql.execution.arrow.pyspark.enabled", "true")
            model = _als(self.rank, self.regularisation, self.iterations, self.seed).fit(
                spark.createDataFrame(frame))
            self.user_ids, self.user_factors = _factors(model.userFactors)
            self.movie_ids, self.movie_factors = _factors(model.itemFactors)
        finally:
            spark.stop()
        self.mean = float(stars.mean())
        self.star_range = (float(stars.min()), float(stars.max()))
        return self

    def predict(self, user_ids: np.ndarray, movie_ids: np.ndarray) -> np.ndarray:
        users, user_known = rows_in(self.user_ids, np.asarray(user_ids, np.int64))
        movies, movie_known = rows_in(self.movie_ids, np.asarray(movie_ids, np.int64))
        known = user_known & movie_known
        predicted = np.full(len(known), self.mean)
        predicted[known] = np.einsum("ij,ij->i", self.user_factors[users[known]].astype(np.float64),
                                     self.movie_factors[movies[known]].astype(np.float64))
        return np.clip(predicted, *self.star_range)

