"""Training from the database: the ratings table is the single source of truth."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from django.conf import settings

from ..models import Movie, Rating, Viewer

__all__ = ["NoRatings", "dataset_frames", "model_train"]


class NoRatings(RuntimeError):
    """There is nothing to learn from yet."""


def dataset_frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(ratings, movies, users) frames of everything in the database, site ratings included."""
    ratings = pd.DataFrame.from_records(
        Rating.objects.values_list("viewer_id", "movie_id", "stars", "timestamp").iterator(
            chunk_size=50_000),
        columns=["user_id", "movie_id", "stars", "timestamp"])
    through = Movie.genres.through.objects.values_list("movie_id", "genre__name")
    genres: dict[int, list[str]] = {}
    for movie_id, name in through.iterator(chunk_size=20_000):
        genres.setdefault(movie_id, []).append(name)
    movies = pd.DataFrame.from_records(Movie.objects.values_list("id", "title"),
                                       columns=["movie_id", "title"])
    movies["genres"] = [sorted(genres.get(m, [])) for m in movies["movie_id"]]
    users = pd.DataFrame.from_records(
        Viewer.objects.values_list("id", "gender", "age_group", "occupation", "zip_code"),
        columns=["user_id", "gender", "age_group", "occupation", "zip_code"])
    return ratings, movies, users


def model_train(*, algorithm: str = "text-cnn", model_config=None, train_config=None,
                model_dir: Path | None = None, log=None) -> tuple[Path, dict]:
    """Train on the database's ratings (the text-CNN, or another factor model); write a run and
    switch model/current to it."""
    from ..recommend.dataset import DataSet
    from ..recommend.training import train_and_export  # imports TensorFlow lazily, inside fit

    ratings, movies, users = dataset_frames()
    if ratings.empty:
        raise NoRatings("The database has no ratings: run import_movielens first.")
    dataset = DataSet.from_frames(ratings, movies, users)
    if log:
        log(f"Training {algorithm} on {len(ratings):,} ratings by {dataset.n_users:,} viewers of "
            f"{dataset.n_movies:,} movies.")
    model_dir = Path(model_dir or settings.RE_SYS_MODEL_DIR)
    if algorithm != "text-cnn":
        from ..recommend.factor_training import fit_factors
        from ..recommend.training import export_factors, switch_current

        seed = train_config.seed if train_config else 0
        factors, model_settings, history, metrics = fit_factors(dataset, users, algorithm, seed=seed, log=log)
        run = export_factors(factors, dataset, model_dir / "runs", algorithm=algorithm, settings=model_settings,
                             history=history, metrics=metrics, extra_info={"n_ratings": len(ratings)})
        switch_current(model_dir, run)
        return run, metrics
    run, result = train_and_export(dataset, model_dir, model_config=model_config,
                                   train_config=train_config, log=log,
                                   extra_info={"n_ratings": len(ratings)})
    return run, result.metrics
