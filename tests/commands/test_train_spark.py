"""train --algo spark-als: ratings to Parquet, Spark ALS in local mode, a run the engine serves."""
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from re_sys.models import Rating, Viewer
from re_sys.services.training import ratings_to_parquet

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_ratings_go_to_parquet_in_chunks_and_whole(planted_db, tmp_path):
    import pyarrow.parquet as pq

    path = tmp_path / "out" / "ratings.parquet"
    assert ratings_to_parquet(path, chunk_size=7) == len(planted_db)
    table = pq.read_table(path).to_pandas()
    expected = sorted(Rating.objects.values_list("viewer_id", "movie_id", "stars"))
    assert sorted(zip(table.user_id, table.movie_id, table.stars)) == expected
    assert not (tmp_path / "out" / "ratings.parquet.partial").exists()


def test_spark_als_trains_locally_and_its_run_is_served(planted_db, settings):
    from re_sys.services import recommending

    recommending._store.cache_clear()
    out = StringIO()
    call_command("train", "--algo", "spark-als", "--spark-master", "local[2]", "--seed", "3", stdout=out)
    current = settings.RE_SYS_MODEL_DIR / "current"
    config = json.loads((current / "config.json").read_text())
    metrics = json.loads((current / "metrics.json").read_text())
    assert config["algorithm"] == "spark-als" and config["model"]["master"] == "local[2]"
    assert metrics["valid_rmse"] < metrics["baseline_rmse"]
    assert metrics["n_train"] + metrics["n_valid"] == len(planted_db)
    assert not (current / "item_weights.npy").exists()     # ranks by its own factors
    viewer = Viewer.objects.get(pk=2)
    recs = recommending.viewer_recommendations(viewer=viewer, k=3)
    rated = set(Rating.objects.filter(viewer=viewer).values_list("movie_id", flat=True))
    assert len(recs) == 3 and not rated & {r.movie_id for r in recs}
    assert "item-to-item" not in {r.channel for r in recs}   # no weights: ranked by the factors
    recommending._store.cache_clear()


def test_spark_als_without_ratings_is_a_clear_error(settings):
    with pytest.raises(CommandError, match="no ratings"):
        call_command("train", "--algo", "spark-als", stdout=StringIO())
    assert not (settings.RE_SYS_MODEL_DIR / "current").exists()


def test_spark_als_as_a_rating_model_beats_the_mean_and_falls_back_for_strangers():
    import numpy as np

    from re_sys.recommend.algorithms import Interactions
    from re_sys.recommend.evaluation.protocols import holdout_split
    from re_sys.recommend.algorithms.spark_als import SparkALSRatings
    from tests.recommend.planted import planted_frames

    data = Interactions.from_frame(planted_frames(n_users=60, n_movies=30, density=0.6, seed=5)[0])
    train, test = holdout_split(data, 0.2, seed=1)
    model = SparkALSRatings(master="local[2]", rank=4, iterations=10, seed=1).fit(train)
    predicted = model.predict(test.user_ids, test.movie_ids)
    rmse = np.sqrt(np.mean((predicted - test.stars) ** 2))
    mean_rmse = np.sqrt(np.mean((train.stars.mean() - test.stars) ** 2))
    assert rmse < 0.6 * mean_rmse                       # the planted tastes are found
    assert predicted.min() >= train.stars.min() and predicted.max() <= train.stars.max()
    # A viewer and a movie Spark never saw: the training mean, not a crash.
    strangers = model.predict(np.array([10_000, 1]), np.array([1, 10_000]))
    np.testing.assert_allclose(strangers, train.stars.mean())


def test_evaluate_measures_spark_als_on_the_shared_holdout_split(tmp_path):
    from tests.commands.test_evaluate import _evaluate, _write_planted_ml1m

    dataset = _write_planted_ml1m(tmp_path / "planted")
    out = _evaluate("--dataset", str(dataset), "--algo", "spark-als", "--protocol", "holdout", "--seed", "2")
    row = next(line for line in out.splitlines() if line.startswith("| holdout | spark-als"))
    rmse = float(row.split("|")[3])
    assert 0 < rmse < 1.0          # stars 1-5 planted at 1.5 and 4.5: the mean alone is off by ~1.5
