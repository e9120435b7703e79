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
