"""manage.py evaluate: the table, reproducibility, the docs section, and clear errors."""
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.recommend.planted import planted_frames

# MovieLens-1M's code for the planted viewers' occupation, "writer".
WRITER = 20


def _write_planted_ml1m(folder: Path) -> Path:
    ratings, movies, users = planted_frames(n_users=60, n_movies=30, density=0.5, seed=2)
    folder.mkdir(parents=True)
    (folder / "movies.dat").write_text("".join(f"{m}::{t}::{'|'.join(g)}\n" for m, t, g in movies.itertuples(
        index=False)), encoding="latin-1")
    (folder / "users.dat").write_text("".join(f"{u}::{g}::25::{WRITER}::12345\n" for u, g, *_ in users.itertuples(
        index=False)), encoding="latin-1")
    (folder / "ratings.dat").write_text("".join(f"{u}::{m}::{max(1, int(round(s)))}::{t}\n" for u, m, s, t in
                                                ratings.itertuples(index=False)), encoding="latin-1")
    return folder


def _evaluate(*args) -> str:
    out = StringIO()
    call_command("evaluate", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def dataset(tmp_path):
    return _write_planted_ml1m(tmp_path / "planted")


def test_evaluate_prints_one_row_per_method_and_repeats_with_its_seed(dataset, tmp_path):
    args = ["--dataset", str(dataset), "--protocol", "user-split", "--protocol", "new-viewers",
            "--seed", "4", "--k", "5"]
    first = _evaluate(*args, "--output", str(tmp_path / "table.md"))
    for row in ("| user-split | random", "| user-split | popularity", "| user-split | ease",
                "| user-split | next-up", "| new-viewers | demographic"):
        assert row in first
    table = (tmp_path / "table.md").read_text()
    assert table.startswith("planted: ") and "| NDCG@5 |" in table
    assert "--protocol user-split --protocol new-viewers --k 5 --seed 4" in table    # how to reproduce it
    figures = [line.split("|")[3:8] for line in first.splitlines() if line.startswith("| user-split")]
    again = [line.split("|")[3:8] for line in _evaluate(*args).splitlines() if line.startswith("| user-split")]
    assert figures == again


def test_evaluate_writes_its_section_of_the_docs_and_a_chart(dataset, tmp_path, settings):
    settings.BASE_DIR = tmp_path
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "benchmarks.md").write_text("# Benchmarks\n\nWritten by hand.\n")
    _evaluate("--dataset", str(dataset), "--protocol", "holdout", "--algo", "biases", "--docs")
    text = (tmp_path / "docs" / "benchmarks.md").read_text()
    assert "Written by hand." in text and "| holdout | biases" in text and "<!-- evaluate:end -->" in text
    assert (tmp_path / "docs" / "img" / "evaluation.png").read_bytes()[:4] == b"\x89PNG"
    _evaluate("--dataset", str(dataset), "--protocol", "holdout", "--algo", "global-mean", "--docs")
    text = (tmp_path / "docs" / "benchmarks.md").read_text()
    assert "| holdout | global-mean" in text and "| holdout | biases" not in text


@pytest.mark.django_db
@pytest.mark.parametrize("args, message", [
    (["--algo", "nonsense"], "Unknown method 'nonsense'"),
    (["--k", "0"], "--k must be between 1 and 100"),
    (["--dataset", "/no/such/folder"], "/no/such/folder"),
    ([], "No ratings to evaluate on"),
])
def test_evaluate_refuses_bad_input_clearly(args, message):
    with pytest.raises(CommandError, match=message):
        _evaluate(*args)


def test_spark_als_without_pyspark_names_the_requirements_file(dataset, monkeypatch):
    import sys

    for name in [m for m in sys.modules if m == "pyspark" or m.startswith("pyspark.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "pyspark", None)      # as if it were not installed
    with pytest.raises(CommandError, match="requirements-spark.txt"):
        _evaluate("--dataset", str(dataset), "--algo", "spark-als", "--protocol", "holdout")


@pytest.mark.django_db
def test_evaluate_keeps_its_figures_beside_the_served_run_for_the_model_page(dataset, settings, client):
    from re_sys.recommend.serving.runs import manifest_check, switch_current
    from tests.recommend.fake_run import two_kinds_run

    args = ["--dataset", str(dataset), "--protocol", "user-split", "--algo", "popularity", "--k", "5"]
    with pytest.raises(CommandError, match="No run is being served"):
        _evaluate(*args, "--save-to-run")        # refused before any fitting
    run = two_kinds_run(settings.RE_SYS_MODEL_DIR / "runs" / "r1")
    switch_current(settings.RE_SYS_MODEL_DIR, run)
    assert "evaluation.json" in _evaluate(*args, "--save-to-run")
    manifest_check(run)                           # the run is still whole: training's files untouched
    saved = json.loads((run / "evaluation.json").read_text())
    assert saved["k"] == 5 and [r["method"] for r in saved["results"]] == ["popularity"]
    ndcg = saved["results"][0]["metrics"]["ndcg@5"]
    page = client.get("/model/")
    ranking = page.context["current"].ranking
    assert ranking[0]["protocol"] == "user-split"
    assert [c["figure"] for c in ranking[0]["charts"]] == ["NDCG@5", "liked-NDCG@5", "HR@5"]
    assert ranking[0]["charts"][0]["bars"] == [{"label": "popularity", "value": round(ndcg, 3), "width": 100.0}]
    assert "How good the lists are" in page.content.decode()


def test_evaluate_scores_new_films_on_stars_and_ranking(dataset):
    out = _evaluate("--dataset", str(dataset), "--protocol", "new-movies", "--algo", "genre-mean", "--k", "5")
    assert "| protocol | method | RMSE | MAE | NDCG@5 | liked-NDCG@5 | HR@5 |" in out
    row = next(line for line in out.splitlines() if line.startswith("| new-movies | genre-mean"))
    rmse_, mae_, ndcg = (float(cell) for cell in row.split("|")[3:6])
    assert 0 < mae_ <= rmse_ < 3 and 0 < ndcg <= 1
