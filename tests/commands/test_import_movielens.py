"""manage.py import_movielens: every format, idempotent, all or nothing, one dataset per database."""
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from re_sys.models import DatasetImport, Genre, Movie, Rating, Tag, Viewer
from tests import datasets

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        list(Movie.objects.values_list("id", "title", "year", "rating_count", "rating_mean")),
        list(Viewer.objects.values_list("id", "gender", "age_group", "occupation")),
        list(Rating.objects.order_by("viewer", "movie").values_list("viewer", "movie", "stars")),
        list(Genre.objects.values_list("name", flat=True)),
        list(Tag.objects.values_list("tag", flat=True)),
        list(DatasetImport.objects.values_list("name", "fingerprint")),
    )


def _import(path, *extra):
    out = StringIO()
    call_command("import_movielens", str(path), *extra, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("writer", [datasets.write_ml1m, datasets.write_ml100k,
                                    datasets.write_latest, datasets.write_atomic])
def test_each_format_imports(tmp_path, writer):
    output = _import(writer(tmp_path / "ds"))
    assert "Imported ds" in output
    assert Movie.objects.count() == 4 and Viewer.objects.count() == 3
    assert Rating.objects.count() == 6
    toy = Movie.objects.get(pk=1)
    assert (toy.title, toy.year) == ("Toy Story", 1995)
    assert sorted(toy.genres.values_list("name", flat=True)) == ["Animation", "Children's", "Comedy"]
    assert Movie.objects.get(pk=2).title == "Café au lait"
    assert Movie.objects.get(pk=4).genres.count() == 0
    assert toy.rating_count == 3


def test_half_stars_tags_and_links_land(tmp_path):
    _import(datasets.write_latest(tmp_path / "ds"))
    assert Rating.objects.get(viewer=2, movie=1).stars == 0.5
    assert Movie.objects.get(pk=1).rating_mean == pytest.approx((4.5 + 0.5 + 1.0) / 3)
    assert Movie.objects.get(pk=1).imdb_id == "tt0114709"
    assert sorted(Tag.objects.values_list("tag", flat=True)) == ["dark, comedy", "pixar"]
    assert Viewer.objects.get(pk=1).gender == ""


def test_importing_twice_changes_nothing(tmp_path):
    folder = datasets.write_ml1m(tmp_path / "ds")
    _import(folder)
    before = _snapshot()
    assert "already imported; nothing changed" in _import(folder)
    assert _snapshot() == before


@pytest.mark.parametrize("bad_line", [
    "2::3::9::978300275",        # rating out of range
    "2::3::2::",                 # missing timestamp
    "2::99::2::978300275",       # unknown movie
    "2::three::2::978300275",    # non-numeric id
    "2::3::2",                   # wrong field count
])
def test_a_bad_line_rolls_everything_back(tmp_path, bad_line):
    _import(datasets.write_ml1m(tmp_path / "good"))
    before = _snapshot()
    bad = datasets.write_ml1m(tmp_path / "bad")
    lines = (bad / "ratings.dat").read_text().splitlines()
    lines[3] = bad_line
    (bad / "ratings.dat").write_text("\n".join(lines) + "\n")
    with pytest.raises(CommandError) as err:
        _import(bad, "--replace")
    assert "ratings.dat:4:" in str(err.value) and bad_line in str(err.value)
    assert "database was not changed" in str(err.value)
    assert _snapshot() == before


@pytest.mark.parametrize("where", ["middle", "end"])
def test_a_blank_line_is_an_error_with_its_file_and_line(tmp_path, where):
    """A rating silently missing from the import is worse than a refused import."""
    folder = datasets.write_ml100k(tmp_path / "ml-100k")
    lines = (folder / "u.data").read_text().splitlines()
    at = 3 if where == "middle" else len(lines)
    lines.insert(at, "")
    (folder / "u.data").write_text("\n".join(lines) + "\n")
    with pytest.raises(CommandError) as err:
        _import(folder)
    assert f"u.data:{at + 1}: blank line" in str(err.value)
    assert not Rating.objects.exists()


def test_failure_while_writing_rolls_back(tmp_path, monkeypatch):
    """A fault after rows were written (disk, constraint) must leave nothing behind."""
    from re_sys.services import importing

    def explode(data, log):
        raise RuntimeError("disk full")

    _import(datasets.write_ml1m(tmp_path / "first"))
    before = _snapshot()
    monkeypatch.setattr(importing, "_write_ratings", explode)
    with pytest.raises(RuntimeError, match="disk full"):
        _import(datasets.write_latest(tmp_path / "second"), "--replace")
    assert _snapshot() == before


def test_a_second_dataset_is_refused_without_replace(tmp_path):
    _import(datasets.write_ml1m(tmp_path / "first"))
    before = _snapshot()
    with pytest.raises(CommandError, match="already holds first .*--replace"):
        _import(datasets.write_latest(tmp_path / "second"))
    assert _snapshot() == before
    output = _import(datasets.write_latest(tmp_path / "second"), "--replace")
    assert "Imported second" in output
    assert DatasetImport.objects.get().name == "second"
    assert Rating.objects.get(viewer=1, movie=1).stars == 4.5


def test_unknown_folder_is_a_clear_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(CommandError, match="not a MovieLens dataset folder.*Expected"):
        _import(tmp_path / "empty")
    with pytest.raises(CommandError, match="is not a folder"):
        _import(tmp_path / "missing")


def test_verbosity_zero_is_quiet_but_summarises(tmp_path):
    out = StringIO()
    call_command("import_movielens", str(datasets.write_ml1m(tmp_path / "ds")), verbosity=0,
                 stdout=out)
    assert out.getvalue().strip().splitlines() == [
        "Imported ds (ml-1m): 4 movies, 3 viewers, 6 ratings, 0 tags."]


def test_sqlite_gets_a_larger_page_cache_only_while_ratings_are_written(tmp_path, monkeypatch):
    from django.db import connection

    from re_sys.services import importing

    if connection.vendor != "sqlite":
        pytest.skip("a SQLite setting")

    def cache_size():
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            return cursor.fetchone()[0]

    before, during = cache_size(), []
    logged = importing._write_ratings

    def watching(data, log):
        return logged(data, lambda line: (during.append(cache_size()), log(line)))
    monkeypatch.setattr(importing, "_write_ratings", watching)
    _import(datasets.write_ml1m(tmp_path / "ds"))
    assert during and set(during) == {-importing.IMPORT_CACHE_MB * 1024}
    assert cache_size() == before and Rating.objects.count() == 6
