"""DataSet: ratings, movies and viewers encoded as the integer arrays the model reads.

Built from pandas frames (the `train` command reads them from the database),
so the same code serves MovieLens files, the site's own ratings and tests.
Index 0 is reserved wherever a value can be missing: padding for genres and
title words, "unknown" for demographics, so datasets without demographics
(MovieLens latest) need no special case.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .formats import AGE_GROUPS
from .titles import without_year

__all__ = ["AGE_CODES", "GENDER_CODES", "DataSet", "Split", "frames_from_movielens", "random_split", "title_words"]

AGE_CODES = list(AGE_GROUPS)  # ML-1M's codes, in order: the model's age inputs are 1 + their index
GENDER_CODES = {"M": 1, "F": 2}  # the model's gender inputs; 0 is unknown
PAD, UNKNOWN_WORD = 0, 1
_WORD = re.compile(r"\w+|[^\w\s]", re.UNICODE)


def title_words(title: str) -> list[str]:
    """Lower-cased words of a title, its trailing '(year)' removed, punctuation split off."""
    return _WORD.findall(without_year(title).lower())


@dataclass(frozen=True)
class Split:
    train: np.ndarray  # row positions into the ratings arrays
    valid: np.ndarray


def random_split(n: int, valid_fraction: float, seed: int) -> Split:
    """A reproducible random split of `n` ratings."""
    if not 0 < valid_fraction < 1:
        raise ValueError("valid_fraction must be between 0 and 1")
    order = np.random.default_rng(seed).permutation(n)
    n_valid = max(1, int(round(n * valid_fraction)))
    return Split(train=np.sort(order[n_valid:]), valid=np.sort(order[:n_valid]))


def movie_genre_lists(movies) -> list[list[str]]:
    """Each row's genres of a movies frame whose `genres` holds lists or '|'-joined strings."""
    return [list(g) if isinstance(g, (list, tuple)) else [x for x in str(g).split("|") if x]
            for g in movies["genres"]]


class DataSet:
    """Contiguous indices and encoded features for viewers and movies, plus the ratings.

    Attributes are numpy arrays indexed by the contiguous index (row i of
    `movie_genres` describes `movie_ids[i]`), ready for Keras and for the
    serving engine's feature matrices.
    """

    def __init__(self, *, user_ids, movie_ids, user_gender, user_age, user_occupation,
                 movie_genres, movie_title, occupations, genres, vocabulary,
                 rating_users, rating_movies, rating_stars, rating_timestamps, movie_year=None):
        self.user_ids = np.asarray(user_ids, dtype=np.int64)
        self.movie_ids = np.asarray(movie_ids, dtype=np.int64)
        self.user_gender = np.asarray(user_gender, dtype=np.int32)
        self.user_age = np.asarray(user_age, dtype=np.int32)
        self.user_occupation = np.asarray(user_occupation, dtype=np.int32)
        self.movie_genres = np.asarray(movie_genres, dtype=np.int32)
        self.movie_title = np.asarray(movie_title, dtype=np.int32)
        # Release years, 0 where unknown: only the new-film ranking reads them (`MovieTower.years_watched`).
        self.movie_year = (np.zeros(len(self.movie_ids), dtype=np.int32) if movie_year is None
                           else np.asarray(movie_year, dtype=np.int32))
        self.occupations = list(occupations)
        self.genres = list(genres)
        self.vocabulary = list(vocabulary)
        self.rating_users = np.asarray(rating_users, dtype=np.int32)
        self.rating_movies = np.asarray(rating_movies, dtype=np.int32)
        self.rating_stars = np.asarray(rating_stars, dtype=np.float32)
        self.rating_timestamps = np.asarray(rating_timestamps, dtype=np.int64)
        self._user_index = {int(u): i for i, u in enumerate(self.user_ids)}
        self._movie_index = {int(m): i for i, m in enumerate(self.movie_ids)}
        self._word_index = {w: i for i, w in enumerate(self.vocabulary)}

    # ------------------------------------------------------------------ building

    @classmethod
    def from_frames(cls, ratings: pd.DataFrame, movies: pd.DataFrame, users: pd.DataFrame,
                    *, title_length: int = 15, vocabulary_from: np.ndarray | None = None
                    ) -> "DataSet":
        """Encode frames with columns:

        ratings: user_id, movie_id, stars, timestamp
        movies:  movie_id, title, genres (a list of names, or a '|'-joined string),
                 year (optional; missing or empty is unknown)
        users:   user_id, gender ('M', 'F', ''), age_group (ML-1M code or NaN), occupation
        `vocabulary_from`: movie ids whose titles build the vocabulary (the training
        data); words of other titles become the unknown word.
        """
        users = users.sort_values("user_id").reset_index(drop=True)
        movies = movies.sort_values("movie_id").reset_index(drop=True)
        known_users = set(users["user_id"].tolist())
        missing = sorted(set(ratings["user_id"].unique().tolist()) - known_users)
        if missing:
            raise ValueError(f"ratings by {len(missing)} unknown users, e.g. {missing[:3]}")

        gender, age, occupation, occupations = _viewer_codes(users)
        movie_genres, genres = _genre_codes(movie_genre_lists(movies))
        titles = movies["title"].astype(str).tolist()
        source = titles
        if vocabulary_from is not None:
            allowed = set(np.asarray(vocabulary_from).tolist())
            source = [t for t, m in zip(titles, movies["movie_id"]) if m in allowed]
        vocabulary = _vocabulary(source)

        dataset = cls(
            user_ids=users["user_id"].to_numpy(), movie_ids=movies["movie_id"].to_numpy(),
            user_gender=gender, user_age=age, user_occupation=occupation, movie_genres=movie_genres,
            movie_title=np.zeros((len(movies), title_length), dtype=np.int32),
            occupations=occupations, genres=genres, vocabulary=vocabulary,
            rating_users=np.zeros(0), rating_movies=np.zeros(0), rating_stars=np.zeros(0),
            rating_timestamps=np.zeros(0), movie_year=_years(movies))
        dataset.movie_title = np.stack([dataset.encode_title(t, title_length) for t in titles]) \
            if titles else dataset.movie_title
        unknown = ~ratings["movie_id"].isin(dataset._movie_index)
        if unknown.any():
            raise ValueError(f"ratings for unknown movies, e.g. {ratings['movie_id'][unknown].iloc[0]}")
        dataset.rating_users = ratings["user_id"].map(dataset._user_index).to_numpy(np.int32)
        dataset.rating_movies = ratings["movie_id"].map(dataset._movie_index).to_numpy(np.int32)
        dataset.rating_stars = ratings["stars"].to_numpy(np.float32)
        dataset.rating_timestamps = ratings["timestamp"].to_numpy(np.int64)
        return dataset

    # ------------------------------------------------------------------ queries

    @property
    def n_users(self) -> int:
        return len(self.user_ids)

    @property
    def n_movies(self) -> int:
        return len(self.movie_ids)

    @property
    def n_ratings(self) -> int:
        return len(self.rating_stars)

    @property
    def title_length(self) -> int:
        return self.movie_title.shape[1]

    def user_index(self, user_id: int) -> int:
        return self._user_index[int(user_id)]

    def movie_index(self, movie_id: int) -> int:
        return self._movie_index[int(movie_id)]

    def user_row(self, user_id: int) -> int | None:
        """The viewer's row, or None for an id the DataSet does not hold."""
        return self._user_index.get(int(user_id))

    def movie_row(self, movie_id: int) -> int | None:
        return self._movie_index.get(int(movie_id))

    def encode_title(self, title: str, length: int | None = None) -> np.ndarray:
        """Word ids of a title, unknown words as <unk>, padded or truncated to `length`."""
        length = length or self.title_length
        ids = [self._word_index.get(w, UNKNOWN_WORD) for w in title_words(title)][:length]
        return np.asarray(ids + [PAD] * (length - len(ids)), dtype=np.int32)

    def user_inputs(self, rows: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Inputs of the user tower for user indices `rows` (all users by default)."""
        rows = np.arange(self.n_users) if rows is None else rows
        return {"user": rows.astype(np.int32), "gender": self.user_gender[rows],
                "age": self.user_age[rows], "occupation": self.user_occupation[rows]}

    def movie_inputs(self, rows: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Inputs of the movie tower for movie indices `rows` (all movies by default)."""
        rows = np.arange(self.n_movies) if rows is None else rows
        return {"movie": rows.astype(np.int32), "genres": self.movie_genres[rows],
                "title": self.movie_title[rows]}

    def rating_inputs(self, positions: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Model inputs and targets for the ratings at `positions`."""
        inputs = self.user_inputs(self.rating_users[positions])
        inputs.update(self.movie_inputs(self.rating_movies[positions]))
        return inputs, self.rating_stars[positions]

    def split(self, valid_fraction: float, seed: int) -> Split:
        return random_split(self.n_ratings, valid_fraction, seed)

    # ------------------------------------------------------------------ persistence

    def save_maps(self, folder: Path) -> None:
        """Write the id maps and vocabularies a run needs to be served and reloaded."""
        np.save(folder / "user_ids.npy", self.user_ids)
        np.save(folder / "movie_ids.npy", self.movie_ids)
        np.savez(folder / "encodings.npz", user_gender=self.user_gender, user_age=self.user_age,
                 user_occupation=self.user_occupation, movie_genres=self.movie_genres,
                 movie_title=self.movie_title, movie_year=self.movie_year)
        (folder / "vocabulary.json").write_text(json.dumps({
            "words": self.vocabulary, "genres": self.genres, "occupations": self.occupations,
            "age_codes": AGE_CODES}, ensure_ascii=False))

    @classmethod
    def load_maps(cls, folder: Path) -> "DataSet":
        """The encodings of a saved run (no ratings): enough to rebuild its inputs."""
        vocab = json.loads((folder / "vocabulary.json").read_text())
        enc = np.load(folder / "encodings.npz")
        return cls(user_ids=np.load(folder / "user_ids.npy"),
                   movie_ids=np.load(folder / "movie_ids.npy"),
                   user_gender=enc["user_gender"], user_age=enc["user_age"],
                   user_occupation=enc["user_occupation"], movie_genres=enc["movie_genres"],
                   movie_title=enc["movie_title"], occupations=vocab["occupations"],
                   genres=vocab["genres"], vocabulary=vocab["words"], rating_users=[],
                   rating_movies=[], rating_stars=[], rating_timestamps=[],
                   movie_year=enc["movie_year"] if "movie_year" in enc.files else None)


def frames_from_movielens(data) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(ratings, movies, users) frames from a `movielens.MovieLensData`, for files on disk."""
    ratings = pd.DataFrame({"user_id": data.user_ids, "movie_id": data.movie_ids,
                            "stars": data.stars, "timestamp": data.timestamps})
    movies = pd.DataFrame({"movie_id": [m.id for m in data.movies],
                           "title": [m.title for m in data.movies],
                           "genres": [list(m.genres) for m in data.movies],
                           "year": [m.year or 0 for m in data.movies]})
    users = pd.DataFrame({"user_id": [v.id for v in data.viewers],
                          "gender": [v.gender for v in data.viewers],
                          "age_group": [v.age_group for v in data.viewers],
                          "occupation": [v.occupation for v in data.viewers],
                          "zip_code": [v.zip_code for v in data.viewers]})
    return ratings, movies, users


def _years(movies: pd.DataFrame) -> np.ndarray | None:
    """The movies frame's years (0 where unknown), None without a year column."""
    if "year" not in movies.columns:
        return None
    return pd.to_numeric(movies["year"], errors="coerce").fillna(0).clip(lower=0).astype(np.int32).to_numpy()


def _viewer_codes(users: pd.DataFrame):
    """Gender (0 unknown, 1 M, 2 F), age group and occupation as codes, and the occupations' names."""
    gender = users["gender"].fillna("").map(GENDER_CODES).fillna(0).astype(int)
    age = users["age_group"].map({c: i + 1 for i, c in enumerate(AGE_CODES)}).fillna(0)
    occupations = sorted({o for o in users["occupation"].fillna("") if o})
    occ_index = {o: i + 1 for i, o in enumerate(occupations)}
    occupation = users["occupation"].fillna("").map(lambda o: occ_index.get(o, 0))
    return gender.to_numpy(), age.to_numpy(), occupation.to_numpy(), occupations


def _genre_codes(genre_lists: list[list[str]]) -> tuple[np.ndarray, list[str]]:
    """One row of genre codes per movie (1-based, 0 pads to the longest list), and the genres' names."""
    genres = sorted({g for gl in genre_lists for g in gl})
    genre_index = {g: i + 1 for i, g in enumerate(genres)}
    width = max([len(gl) for gl in genre_lists] + [1])
    movie_genres = np.zeros((len(genre_lists), width), dtype=np.int32)
    for row, gl in enumerate(genre_lists):
        movie_genres[row, :len(gl)] = [genre_index[g] for g in gl]
    return movie_genres, genres


def _vocabulary(titles: list[str]) -> list[str]:
    """Padding, unknown, then every title word, most frequent first (ties alphabetically)."""
    counts: dict[str, int] = {}
    for title in titles:
        for word in title_words(title):
            counts[word] = counts.get(word, 0) + 1
    return ["<pad>", "<unk>"] + sorted(counts, key=lambda w: (-counts[w], w))
