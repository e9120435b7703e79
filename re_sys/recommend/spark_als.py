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

__all__ = ["SparkALSResult", "fit_spark_als"]


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


def _factors(frame) -> tuple[np.ndarray, np.ndarray]:
    rows = frame.orderBy("id").toPandas()
    ids = rows["id"].to_numpy(np.int64)
    vectors = np.array(rows["features"].tolist(), dtype=np.float32).reshape(len(ids), -1)
    return ids, vectors


def fit_spark_als(ratings_parquet: Path, *, master: str = "local[*]", rank: int = 32,
                  regularisation: float = 0.1, iterations: int = 15, valid_fraction: float = 0.1,
                  seed: int = 0, log=None) -> SparkALSResult:
    """Fit on a seeded (1 - valid_fraction) share, measure RMSE on the rest, return the factors.

    The Parquet file has integer columns user_id and movie_id and a float column stars.
    """
    from pyspark.ml.evaluation import RegressionEvaluator
    from pyspark.ml.recommendation import ALS
    from pyspark.sql import functions as F

    log = log or (lambda message: None)
    spark = _session(master)
    try:
        ratings = spark.read.parquet(str(ratings_parquet))
        train, valid = ratings.randomSplit([1 - valid_fraction, valid_fraction], seed=seed)
        als = ALS(rank=rank, maxIter=iterations, regParam=regularisation, userCol="user_id",
                  itemCol="movie_id", ratingCol="stars", seed=seed, coldStartStrategy="drop",
                  nonnegative=False)
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
