"""The serving commands: recommend, similar, predict (contracts from the design card)."""
import csv
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from re_sys.models import Movie, Rating, Viewer
from re_sys.recommend.serving.runs import manifest_write, switch_current
from re_sys.services import recommending
from tests.recommend.fake_run import two_kinds_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def served(settings):
    """Ten movies (odd and even kinds), viewers 1 and 2 in the run, viewer 3 only in the database."""
    recommending._store.cache_clear()
    model_dir = settings.RE_SYS_MODEL_DIR
    switch_current_run = two_kinds_run(model_dir / "runs" / "r1")
    switch_current(model_dir, switch_current_run)
    Movie.objects.bulk_create([Movie(id=m, title=f"Film {m}", rating_count=m, rating_mean=3.0)
                               for m in range(1, 11)])
    Viewer.objects.bulk_create([Viewer(id=v) for v in (1, 2, 3, 4)])
    Rating.objects.bulk_create([
        Rating(viewer_id=1, movie_id=1, stars=5, timestamp=1),
        Rating(viewer_id=3, movie_id=1, stars=5, timestamp=1),
        Rating(viewer_id=3, movie_id=3, stars=4.5, timestamp=2),
        Rating(viewer_id=3, movie_id=2, stars=1, timestamp=3)])
    yield model_dir
    recommending._store.cache_clear()


def _run(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_recommend_for_a_trained_viewer_skips_what_they_rated(served):
    out, _ = _run("recommend", "--user", "1", "--k", "3", "--json")
    answer = json.loads(out)
    assert len(answer) == 3 and 1 not in [r["movie_id"] for r in answer]
    assert all(r["movie_id"] % 2 == 1 for r in answer)  # viewer 1 likes the odd kind
    assert {"movie_id", "score", "channel", "reason", "title"} <= set(answer[0])


def test_recommend_folds_in_a_viewer_the_run_does_not_know(served):
    answer = json.loads(_run("recommend", "--user", "3", "--k", "3", "--json")[0])
    ids = [r["movie_id"] for r in answer]
    assert not {1, 2, 3} & set(ids) and all(m % 2 == 1 for m in ids)


def test_recommend_gives_popular_to_a_viewer_without_ratings(served):
    answer = json.loads(_run("recommend", "--user", "4", "--k", "2", "--json")[0])
    assert [r["channel"] for r in answer] == ["popular", "popular"]


def test_recommend_text_output_and_unknown_viewer(served):
    out, _ = _run("recommend", "--user", "1", "--k", "2")
    assert out.count("\n") == 2 and "Film" in out
    with pytest.raises(CommandError, match="no viewer 99"):
        _run("recommend", "--user", "99")
    with pytest.raises(CommandError, match="--k must be"):
        _run("recommend", "--user", "1", "--k", "0")


def test_recommend_all_writes_one_row_per_recommendation(served, tmp_path):
    output = tmp_path / "recs.csv"
    out, _ = _run("recommend", "--all", "--k", "2", "--output", str(output))
    rows = list(csv.DictReader(output.open()))
    assert list(rows[0]) == ["user_id", "rank", "movie_id", "score", "reason"]
    assert sorted({r["user_id"] for r in rows}) == ["1", "2", "3", "4"]
    assert [r["rank"] for r in rows if r["user_id"] == "2"] == ["1", "2"]
    assert "Wrote 8 rows" in out
    with pytest.raises(CommandError, match="needs --output"):
        _run("recommend", "--all")


def test_similar(served):
    answer = json.loads(_run("similar", "--movie", "1", "--k", "4", "--json")[0])
    assert [r["channel"] for r in answer] == ["similar"] * 4 and 1 not in [r["movie_id"] for r in answer]
    with pytest.raises(CommandError, match="no movie 99"):
        _run("similar", "--movie", "99")


def test_similar_without_a_model_says_what_to_do(settings):
    recommending._store.cache_clear()
    Movie.objects.create(id=1, title="Film")
    with pytest.raises(CommandError, match="manage.py train"):
        _run("similar", "--movie", "1")


def test_predict_writes_predictions_and_counts_fallbacks(served, tmp_path):
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("user_id,movie_id\n1,3\n2,4\n99,3\n1,999\n")
    output = tmp_path / "out.csv"
    out, err = _run("predict", "--input", str(pairs), "--output", str(output))
    rows = list(csv.DictReader(output.open()))
    assert [(r["user_id"], r["movie_id"]) for r in rows] == [("1", "3"), ("2", "4"), ("99", "3"), ("1", "999")]
    assert float(rows[0]["prediction"]) > 3.5 and float(rows[1]["prediction"]) > 3.5
    assert float(rows[2]["prediction"]) == 3.0  # unknown viewer: the movie's mean
    assert float(rows[3]["prediction"]) == 3.5  # unknown movie: the global mean
    assert "2 of 4 pairs" in err and "Wrote 4 predictions" in out


@pytest.mark.parametrize("content, message", [
    ("user,movie\n1,2\n", ":1: the header must be user_id,movie_id"),
    ("user_id,movie_id\n1,2\n1,x\n", ":3: expected two whole numbers"),
])
def test_predict_rejects_bad_files_and_writes_nothing(served, tmp_path, content, message):
    pairs, output = tmp_path / "pairs.csv", tmp_path / "out.csv"
    pairs.write_text(content)
    with pytest.raises(CommandError, match=message):
        _run("predict", "--input", str(pairs), "--output", str(output))
    assert not output.exists() and not list(tmp_path.glob("*.part"))


def test_a_known_viewer_who_rates_after_training_is_folded_in(served):
    config_path = served / "current" / "config.json"
    config = json.loads(config_path.read_text())
    config["trained_at"] = "2020-01-01T00:00:00+00:00"
    config_path.write_text(json.dumps(config))
    manifest_write(config_path.parent)          # re-stamped: as if trained in 2020
    recommending._store.cache_clear()
    before = json.loads(_run("recommend", "--user", "2", "--k", "3", "--json")[0])
    assert all(r["movie_id"] % 2 == 0 for r in before if r["channel"] == "text-cnn")
    # Viewer 2 (trained to like even movies) now loves three odd ones.
    Rating.objects.bulk_create([Rating(viewer_id=2, movie_id=m, stars=5, timestamp=2_000_000_000)
                                for m in (5, 7, 9)])
    after = json.loads(_run("recommend", "--user", "2", "--k", "2", "--json")[0])
    assert [r["channel"] for r in after] == ["text-cnn", "text-cnn"]
    assert all(r["movie_id"] % 2 == 1 for r in after)
