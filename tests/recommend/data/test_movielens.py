"""Format detection and strict parsing of every MovieLens layout."""
import numpy as np
import pytest

from re_sys.recommend.data.movielens import (
    DatasetFormatError, UnknownFormatError, age_group_for, detect_format, read_dataset,
    split_title_year,
)
from tests import datasets


@pytest.mark.parametrize("writer, fmt", [
    (datasets.write_ml1m, "ml-1m"),
    (datasets.write_ml100k, "ml-100k"),
    (datasets.write_latest, "ml-latest"),
    (datasets.write_atomic, "atomic-100k"),
])
def test_every_layout_reads_to_the_same_movies(tmp_path, writer, fmt):
    folder = writer(tmp_path / "ds")
    assert detect_format(folder) == fmt
    data = read_dataset(folder)
    titles = {m.id: (m.title, m.year, set(m.genres)) for m in data.movies}
    assert titles[1] == ("Toy Story", 1995, {"Animation", "Children's", "Comedy"})
    assert titles[2] == ("Café au lait", 1993, {"Comedy"})
    assert titles[3][0] == "City of Lost Children, The (Cité des enfants perdus, La)"
    assert titles[4][0].endswith('Love the "Bomb"') and titles[4][2] == set()
    assert data.n_ratings == 6
    assert sorted(v.id for v in data.viewers) == [1, 2, 3]


def test_demographics_map_to_ml1m_codes(tmp_path):
    ml1m = {v.id: v for v in read_dataset(datasets.write_ml1m(tmp_path / "a")).viewers}
    assert (ml1m[1].gender, ml1m[1].age_group, ml1m[1].occupation) == ("F", 1, "K-12 student")
    ml100k = {v.id: v for v in read_dataset(datasets.write_ml100k(tmp_path / "b")).viewers}
    assert [ml100k[u].age_group for u in (1, 2, 3)] == [1, 56, 25]
    latest = {v.id: v for v in read_dataset(datasets.write_latest(tmp_path / "c")).viewers}
    assert (latest[1].gender, latest[1].age_group, latest[1].occupation) == ("", None, "")


def test_latest_keeps_half_stars_links_and_quoted_tags(tmp_path):
    data = read_dataset(datasets.write_latest(tmp_path / "ds"))
    assert sorted(set(data.stars.tolist())) == [0.5, 1.0, 2.5, 3.0, 4.5, 5.0]
    movie = {m.id: m for m in data.movies}
    assert (movie[1].imdb_id, movie[1].tmdb_id) == ("tt0114709", 862)
    assert movie[2].tmdb_id is None
    assert [t.tag for t in data.tags] == ["pixar", "dark, comedy"]


@pytest.mark.parametrize("raw, expected", [
    ("Toy Story (1995)", ("Toy Story", 1995)),
    ("Babe (1995) ", ("Babe", 1995)),
    ("1900 (Novecento) (1976)", ("1900 (Novecento)", 1976)),
    ("No Year Here", ("No Year Here", None)),
])
def test_split_title_year(raw, expected):
    assert split_title_year(raw) == expected


def test_age_groups_have_ml1m_bounds():
    assert [age_group_for(a) for a in (7, 17, 18, 24, 25, 34, 35, 44, 45, 49, 50, 55, 56, 73)] == \
        [1, 1, 18, 18, 25, 25, 35, 35, 45, 45, 50, 50, 56, 56]


def test_unknown_folder_lists_what_was_expected(tmp_path):
    (tmp_path / "readme.txt").write_text("hi")
    with pytest.raises(UnknownFormatError) as err:
        detect_format(tmp_path)
    assert "ratings.dat" in str(err.value) and "u.data" in str(err.value)
    assert "readme.txt" in str(err.value)


def _corrupt(folder, name, line_no, text):
    path = folder / name
    lines = path.read_bytes().decode("latin-1").splitlines()
    lines[line_no - 1] = text
    path.write_bytes(("\n".join(lines) + "\n").encode("latin-1"))


@pytest.mark.parametrize("name, line_no, text, reason", [
    ("ratings.dat", 3, "2::1::4", "expected 4 fields"),
    ("ratings.dat", 2, "x::2::3::978302109", "user id is not a whole number"),
    ("ratings.dat", 4, "2::3::7::978300275", "half stars"),
    ("ratings.dat", 4, "2::3::2.5::978300275", None),  # half stars are fine
    ("ratings.dat", 5, "3::99::5::978824291", "unknown movie 99"),
    ("ratings.dat", 5, "9::4::5::978824291", "unknown user 9"),
    ("ratings.dat", 6, "1::1::2::978300760", "already on line 1"),
    ("users.dat", 2, "2::X::56::16::70072", "gender"),
    ("users.dat", 2, "2::M::57::16::70072", "age group"),
    ("movies.dat", 1, "1|Toy Story (1995)|Comedy", "expected 3 fields"),
])
def test_bad_lines_name_file_line_and_text(tmp_path, name, line_no, text, reason):
    folder = datasets.write_ml1m(tmp_path / "ds")
    _corrupt(folder, name, line_no, text)
    if reason is None:
        assert read_dataset(folder).n_ratings == 6
        return
    with pytest.raises(DatasetFormatError) as err:
        read_dataset(folder)
    message = str(err.value)
    assert reason in message
    assert f"{name}:{line_no}:" in message


def test_lines_end_only_at_newlines_and_windows_endings_read_the_same(tmp_path):
    folder = datasets.write_ml1m(tmp_path / "ds")
    movies = (folder / "movies.dat").read_bytes()
    # Latin-1 decodes the byte 0x85 to U+0085, which str.splitlines would take for a line break.
    (folder / "movies.dat").write_bytes(movies.replace(b"Toy Story", b"Toy Story\x85 Again"))
    for name in ("ratings.dat", "users.dat"):
        (folder / name).write_bytes((folder / name).read_bytes().replace(b"\n", b"\r\n"))
    data = read_dataset(folder)
    assert data.movies[0].title == "Toy Story\x85 Again"
    assert data.n_ratings == 6 and data.viewers[0].zip_code == "48067"


def test_every_repeat_of_a_pair_is_caught_at_its_first_repeat(tmp_path):
    ratings = [*datasets.RATINGS, (2, 3, 5, 1), (1, 2, 4, 2), (2, 3, 1, 3)]  # lines 7, 8 and 9
    folder = datasets.write_ml1m(tmp_path / "ds", ratings=ratings)
    with pytest.raises(DatasetFormatError, match=r"ratings.dat:7: .*user 2 rated movie 3 already on line 4"):
        read_dataset(folder)


def test_ids_too_large_for_the_database_are_reported(tmp_path):
    folder = datasets.write_ml1m(tmp_path / "ds")
    _corrupt(folder, "ratings.dat", 2, "1::2::3::978302109".replace("1::", "9" * 20 + "::", 1))
    with pytest.raises(DatasetFormatError, match=r"ratings.dat:2: .*user id is too large"):
        read_dataset(folder)
    _corrupt(folder, "ratings.dat", 2, "1::2::3::1e400")
    with pytest.raises(DatasetFormatError, match=r"ratings.dat:2: .*timestamp"):
        read_dataset(folder)


def test_binary_garbage_and_bad_encoding_are_reported(tmp_path):
    folder = datasets.write_latest(tmp_path / "ds")
    (folder / "ratings.csv").write_bytes(b"userId,movieId,rating,timestamp\n1,1,4,9\n\xff\xfe\x00\x01\n")
    with pytest.raises(DatasetFormatError, match=r"ratings.csv:3: not valid utf-8"):
        read_dataset(folder)
    (folder / "ratings.csv").write_bytes(b"userId,movieId,rating,timestamp\n1,1,4,9\n1\x00,2,3,4\n")
    with pytest.raises(DatasetFormatError, match=r"ratings.csv:3: binary data"):
        read_dataset(folder)


def test_latest_wrong_header_is_refused(tmp_path):
    folder = datasets.write_latest(tmp_path / "ds")
    (folder / "movies.csv").write_text("id;title;genres\n1;Toy Story (1995);Comedy\n")
    with pytest.raises(DatasetFormatError, match="movies.csv:1: header must start with"):
        read_dataset(folder)


def test_rating_arrays_are_aligned(tmp_path):
    data = read_dataset(datasets.write_ml1m(tmp_path / "ds"))
    assert data.user_ids.dtype == np.int64 and data.stars.dtype == np.float32
    pairs = set(zip(data.user_ids.tolist(), data.movie_ids.tolist(), data.stars.tolist()))
    assert (3, 4, 5.0) in pairs and (2, 3, 2.0) in pairs
