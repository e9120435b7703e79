"""DataSet: id maps, demographic and genre encodings, title words, seeded splits."""
import numpy as np
import pandas as pd
import pytest

from re_sys.recommend.data.dataset import PAD, UNKNOWN_WORD, DataSet, random_split, title_words


@pytest.mark.parametrize("title, words", [
    ("Toy Story (1995)", ["toy", "story"]),
    ("City of Lost Children, The (Cité des enfants perdus, La) (1995)",
     ["city", "of", "lost", "children", ",", "the", "(", "cité", "des", "enfants", "perdus",
      ",", "la", ")"]),
    ("Dr. Strangelove", ["dr", ".", "strangelove"]),
    ("", []),
])
def test_title_words(title, words):
    assert title_words(title) == words


def _frames():
    ratings = pd.DataFrame({"user_id": [10, 10, 20, 30], "movie_id": [7, 5, 5, 9],
                            "stars": [4.0, 3.5, 5.0, 1.0], "timestamp": [1, 2, 3, 4]})
    movies = pd.DataFrame({"movie_id": [9, 5, 7], "title": [
        "Toy Story (1995)", "a b c d e f g h i j k l m n o p q r (2001)", "Heat (1995)"],
        "genres": [["Animation", "Comedy"], "Crime|Drama|Thriller", []]})
    users = pd.DataFrame({"user_id": [30, 10, 20], "gender": ["M", "F", ""],
                          "age_group": [25, 1, None], "occupation": ["writer", "", "artist"]})
    return ratings, movies, users


def test_indices_are_contiguous_and_aligned():
    ds = DataSet.from_frames(*_frames())
    assert ds.user_ids.tolist() == [10, 20, 30] and ds.movie_ids.tolist() == [5, 7, 9]
    assert ds.user_ids[ds.rating_users].tolist() == [10, 10, 20, 30]
    assert ds.movie_ids[ds.rating_movies].tolist() == [7, 5, 5, 9]
    assert ds.rating_stars.tolist() == [4.0, 3.5, 5.0, 1.0]


def test_demographics_with_unknown_as_its_own_value():
    ds = DataSet.from_frames(*_frames())
    # users sorted 10, 20, 30: F / unknown / M; ages 1 / unknown / 25; occupations "" / artist / writer
    assert ds.user_gender.tolist() == [2, 0, 1]
    assert ds.user_age.tolist() == [1, 0, 3]
    assert ds.occupations == ["artist", "writer"]
    assert ds.user_occupation.tolist() == [0, 1, 2]


def test_genres_padded_and_empty_list_allowed():
    ds = DataSet.from_frames(*_frames())
    assert ds.movie_genres.shape == (3, 3)
    heat = ds.movie_genres[ds.movie_index(7)]
    assert heat.tolist() == [PAD, PAD, PAD]
    toy = ds.movie_genres[ds.movie_index(9)]
    assert [ds.genres[i - 1] for i in toy if i] == ["Animation", "Comedy"]


def test_titles_truncated_padded_and_unknown_words():
    ds = DataSet.from_frames(*_frames())
    assert ds.movie_title.shape == (3, 15)
    long_title = ds.movie_title[ds.movie_index(5)]
    assert PAD not in long_title.tolist()  # 18 words cut to 15
    toy = ds.movie_title[ds.movie_index(9)]
    assert [ds.vocabulary[i] for i in toy if i] == ["toy", "story"]
    assert toy[2:].tolist() == [PAD] * 13
    unseen = ds.encode_title("Toy Zebra (1999)")
    assert unseen[:3].tolist() == [ds.vocabulary.index("toy"), UNKNOWN_WORD, PAD]


def test_vocabulary_only_from_training_movies():
    ds = DataSet.from_frames(*_frames(), vocabulary_from=np.array([9]))
    assert "heat" not in ds.vocabulary
    assert ds.movie_title[ds.movie_index(7)][0] == UNKNOWN_WORD


def test_unknown_users_in_ratings_are_refused():
    ratings, movies, users = _frames()
    with pytest.raises(ValueError, match="unknown users"):
        DataSet.from_frames(ratings, movies, users[users.user_id != 30])


def test_split_is_seeded_disjoint_and_complete():
    a, b, c = random_split(1000, 0.1, 1), random_split(1000, 0.1, 1), random_split(1000, 0.1, 2)
    assert a.train.tolist() == b.train.tolist() and a.valid.tolist() != c.valid.tolist()
    assert len(a.valid) == 100 and not set(a.train) & set(a.valid)
    assert sorted(set(a.train) | set(a.valid)) == list(range(1000))
    with pytest.raises(ValueError):
        random_split(10, 0, 1)


def test_saved_maps_round_trip(tmp_path):
    ds = DataSet.from_frames(*_frames())
    ds.save_maps(tmp_path)
    back = DataSet.load_maps(tmp_path)
    for name in ("user_ids", "movie_ids", "user_gender", "user_age", "user_occupation",
                 "movie_genres", "movie_title", "movie_year"):
        assert getattr(back, name).tolist() == getattr(ds, name).tolist()
    assert back.vocabulary == ds.vocabulary and back.encode_title("Heat").tolist() == \
        ds.encode_title("Heat").tolist()


def test_release_years_are_kept_in_movie_order_and_unknown_ones_are_zero(tmp_path):
    ratings, movies, users = _frames()
    assert DataSet.from_frames(ratings, movies, users).movie_year.tolist() == [0, 0, 0]    # no year column
    dated = DataSet.from_frames(ratings, movies.assign(year=[1995, None, "1995"]), users)
    assert dated.movie_ids.tolist() == [5, 7, 9] and dated.movie_year.tolist() == [0, 1995, 1995]
    dated.save_maps(tmp_path)
    assert DataSet.load_maps(tmp_path).movie_year.tolist() == [0, 1995, 1995]
    # A run saved before years were kept loads with every year unknown.
    with np.load(tmp_path / "encodings.npz") as saved:
        older = {name: saved[name] for name in saved.files if name != "movie_year"}
    np.savez(tmp_path / "encodings.npz", **older)
    assert DataSet.load_maps(tmp_path).movie_year.tolist() == [0, 0, 0]
