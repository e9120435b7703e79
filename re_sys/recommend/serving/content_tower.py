"""The text-CNN's movie tower in numpy: a vector for any film from its title and genres.

Training exports the tower's weights with every run (`movie_tower.npz`, written
by `textcnn.export.movie_tower_arrays`); serving evaluates them here, without
TensorFlow: title-word embeddings through the four convolutions with
max-pooling over time, the summed genre embeddings, the id embedding, each
through its dense layer, then the 200-d `tanh` layer. For a film the run
knows, the result equals the Keras tower's (tests/recommend/textcnn).

A film the run has never seen has no trained id embedding. With cold-start
training (the default, `textcnn.model.ColdStartDrop`) it gets the unseen id
the model learned for films standing in for new ones, and the unseen bias
beside it, so it is placed as training placed those: by title and genres.
A run trained without gets the mean of the trained ids (of films with
ratings, computed at export): the id part then says "a film like the average
one", neither of this kind nor of that, and the title and genres place it.
(Zero is no neutral id: the regulariser shrinks embeddings, it does not
empty them, so no trained film sits at zero.)

`placed` also finds the NEIGHBOURS rated films nearest it by title and genres:
every rated film of the catalogue run through the tower with that same id
(learned or mean), so that only its title and genres tell it apart. Serving
ranks new films by the viewer's genre shares, how much a film placed there
is rated (a regression over the catalogue, `popularity_model`), the
predicted stars, the film's closeness to the viewer's content profile
(`profile_of`) and how much the viewer watches films of its year
(`years_watched`), all in `new_film_scores`, and lists a new film beside its
neighbours (`Engine`). Lending
the new film their mean id embedding and movie bias instead was measured and
left: it made the stars worse on two of three seeds (protocol new-movies,
docs/benchmarks.md).

An older run without the file serves as before; new films then get no vector.
"""
from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import Iterable, NamedTuple, Sequence

import numpy as np

from ..data.dataset import PAD, UNKNOWN_WORD, title_words
from ..scores import standardised

__all__ = ["NEIGHBOURS", "TOWER_FILE", "MovieTower", "Placement", "genre_shares", "nearest_popularity",
           "new_film_scores", "popularity_weights", "predicted_popularity", "profile_closeness", "years_share"]

TOWER_FILE = "movie_tower.npz"
# How many of the catalogue's films nearest a new film by title and genres `placed` finds.
NEIGHBOURS = 10
# The ridge penalty of `popularity_weights`: chosen with the regression itself on inner splits
# (0.1, 1 and 10 tried; bench/experiments/bench_new_film_popularity.py).
POPULARITY_L2 = 1.0
# The width, in years, of the Gaussian kernel `years_share` weighs films' years by, and the weight,
# in films, of the prior that draws a viewer's share of a year towards their share of all years.
# Set before the signal was measured, and not tuned (bench_new_film_viewer.py).
YEAR_SPREAD = 1.5
YEAR_PRIOR = 1.0
DENSE = ("movie_dense", "genre_dense", "movie_features")


class Placement(NamedTuple):
    """Where the tower puts a film the run never saw."""

    vector: np.ndarray      # its content vector
    nearest: np.ndarray     # rows of the catalogue's films nearest it by title and genres (may be empty)
    genres: np.ndarray      # its genre ids, as the run encodes them (0 pads)
    year: int | None = None  # its release year, where known


def new_film_scores(shares: np.ndarray, popularity: np.ndarray, stars: np.ndarray | None = None,
                    closeness: np.ndarray | None = None, years: np.ndarray | None = None) -> np.ndarray:
    """How films the run never saw rank for one viewer: the viewer's genre shares, how much the
    films can be expected to be rated and, where given, the stars predicted for the viewer, the
    films' closeness to the viewer's content profile and how much the viewer watches films of
    their years, each standardised over these films and added.

    `shares[i]`: the share of the viewer's loved films in film i's genres
    (summed over its genres); `popularity[i]`: how much film i can be
    expected to be rated, in log(1 + ratings) (from a run trained with
    cold-start, `predicted_popularity` by `MovieTower.popularity_model`;
    else the mean over the rated films nearest it, `nearest_popularity`);
    `stars[i]`: the stars predicted for the viewer; `closeness[i]`: film
    i's `profile_closeness` to the viewer's profile; `years[i]`: the
    viewer's `years_share` at film i's year (pass these three only from a
    run trained with cold-start, where they were measured).

    Nobody rated the films, so no collaborative channel can say whether this
    viewer will watch them. The rule was chosen on inner splits of the
    training ratings, step by step (docs/benchmarks.md has the tables):
    - genre shares and the nearest films' popularity, among counts of those
      nearest films the viewer rated or loved, the stars and mixes of these
      (`python -m bench.experiments.bench_new_film_ranking`);
    - the stars, once cold-start training made them worth it: +5.8 points of
      mean liked-NDCG gain over nine splits, at 2.1 points of NDCG
      (`python -m bench.experiments.bench_cold_start`);
    - the profile, the one signal that reads the title words for this
      viewer: higher on both figures on every split but one liked-NDCG tie
      (`python -m bench.experiments.bench_new_film_profile`);
    - popularity by regression over every rated film instead of the ten
      nearest: higher on both figures on eight splits of nine, and the best
      worst split (`python -m bench.experiments.bench_new_film_popularity`);
    - the years the viewer watches, the one signal that reads a film's year
      and the first to know that one viewer watches this year's releases and
      another the classics: higher on both figures on all nine splits, +20
      points on the mean of both (`python -m bench.experiments.bench_new_film_viewer`).
    """
    def z(x):
        return standardised(np.asarray(x, dtype=np.float64))
    total = z(shares) + z(popularity)
    for signal in (stars, closeness, years):       # in this order, so older rules add as they did
        if signal is not None:
            total = total + z(signal)
    return total


def _unit_rows(vectors: Sequence[np.ndarray]) -> np.ndarray:
    units = np.asarray(np.stack(vectors), dtype=np.float64).reshape(len(vectors), -1)
    return units / np.maximum(np.linalg.norm(units, axis=1, keepdims=True), 1e-12)


def profile_closeness(profile: np.ndarray, vectors: Sequence[np.ndarray]) -> np.ndarray:
    """The cosine of each film's vector with a viewer's content profile (`MovieTower.profile_of`)."""
    profile = np.asarray(profile, dtype=np.float64)
    return _unit_rows(vectors) @ (profile / max(float(np.linalg.norm(profile)), 1e-12))


def years_share(viewer_years: np.ndarray, catalogue_years: np.ndarray, film_years: Sequence[int | None],
                spread: float = YEAR_SPREAD, prior: float = YEAR_PRIOR,
                viewer_prior: float | None = None) -> np.ndarray | None:
    """How much a viewer watches films of each film's year, against how many films of about that
    year there are: log of (Σ over the viewer's films K(y − yⱼ) + a·r) / (Σ over the catalogue's
    films K(y − yⱼ) + a), K a Gaussian of width `spread` years, a = `prior` films and r the
    viewer's share of the catalogue's films of known year (`viewer_prior`, if given, in place
    of a·r).

    The prior draws a year with few films towards the viewer's share of every year, so a year
    the catalogue barely has, a film newer than any the run knows among them, is neither
    pushed up nor down. (A fixed prior of a tenth of a film, the first tried, put such years
    above the years a viewer watches whenever they rated under a tenth of the catalogue, as
    most do.) Years are whole numbers, so each sum runs over the distinct years, not films.

    `viewer_years`: the years of the films the viewer rated; `catalogue_years`: those of every
    rated film of the run (the viewer's among them); years ≤ 0 are unknown and left out of both.
    A film without a year gets the mean of the others, so that it neither gains nor loses by
    it. None where the viewer rated no film of a known year or no film has one: nothing to say.
    """
    if prior <= 0 or (viewer_prior is not None and viewer_prior <= 0):
        raise ValueError("the priors of years_share must be positive (a year nobody watched would be log 0)")
    viewer = np.asarray(viewer_years, dtype=np.int64).reshape(-1)
    catalogue = np.asarray(catalogue_years, dtype=np.int64).reshape(-1)
    viewer, catalogue = viewer[viewer > 0], catalogue[catalogue > 0]
    years = np.asarray([y if y and y > 0 else np.nan for y in film_years], dtype=np.float64)
    known = ~np.isnan(years)
    if not len(viewer) or not len(catalogue) or not known.any():
        return None

    def density(of: np.ndarray) -> np.ndarray:
        values, counts = np.unique(of, return_counts=True)
        return np.exp(-0.5 * ((years[known, None] - values[None, :]) / spread) ** 2) @ counts
    mine = prior * len(viewer) / len(catalogue) if viewer_prior is None else viewer_prior
    share = np.log((density(viewer) + mine) / (density(catalogue) + prior))
    out = np.full(len(years), share.mean())
    out[known] = share
    return out


def genre_shares(loved_genres: Iterable[Sequence[int]], film_genres: Iterable[Sequence[int]]) -> np.ndarray:
    """For each film, the share of the loved films (their genre ids, 0 = padding) in its genres, summed."""
    loved = [set(int(g) for g in genres if g) for genres in loved_genres]
    counts: dict[int, int] = {}
    for genres in loved:
        for genre in genres:
            counts[genre] = counts.get(genre, 0) + 1
    n = max(len(loved), 1)
    return np.asarray([sum(counts.get(int(g), 0) for g in set(genres) if g) / n for genres in film_genres],
                      dtype=np.float64)


def popularity_weights(units: np.ndarray, ratings: np.ndarray, l2: float = POPULARITY_L2) -> np.ndarray:
    """Ridge regression of log(1 + ratings) on films' unit vectors and a constant: the weights, the
    constant's last (`l2` on all of them)."""
    x = np.hstack([np.asarray(units, dtype=np.float64), np.ones((len(units), 1))])
    y = np.log1p(np.asarray(ratings, dtype=np.float64))
    return np.linalg.solve(x.T @ x + l2 * np.eye(x.shape[1]), x.T @ y)


def predicted_popularity(weights: np.ndarray, vectors: Sequence[np.ndarray]) -> np.ndarray:
    """The log(1 + ratings) that `popularity_weights` predict for films of these vectors."""
    return _unit_rows(vectors) @ weights[:-1] + weights[-1]


def nearest_popularity(nearest: np.ndarray, ratings_per_film: np.ndarray) -> float:
    """The mean log(1 + ratings) of the films nearest a new film: how much films like it are rated (0 without)."""
    return float(np.log1p(np.asarray(ratings_per_film, dtype=np.float64)[nearest]).mean()) if len(nearest) else 0.0


def _relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0.0)


class MovieTower:
    """`vectors_of_rows` for films the run knows, `placed` for any title and genres."""

    def __init__(self, arrays: dict[str, np.ndarray], *, words: Sequence[str], genres: Sequence[str],
                 catalogue: tuple[np.ndarray, np.ndarray] | None = None, years: np.ndarray | None = None):
        """`catalogue`: the run's own encodings of its films (genre ids, title word ids), for `placed`;
        `years`: their release years (0 unknown), for `years_watched` (a run saved before years were
        kept has none)."""
        self.arrays = {name: np.asarray(value, dtype=np.float32) for name, value in arrays.items()
                       if name not in ("windows", "title_length", "rated_rows")}
        n = len(self.arrays["movie_embedding"])
        rated = np.asarray(arrays.get("rated_rows", np.arange(n)), dtype=np.int64)
        self.rated_rows = rated if len(rated) else np.arange(n)
        # One year per film of the run, or none at all (a row without its year would misplace the rest).
        years = None if years is None else np.asarray(years, dtype=np.int64).reshape(-1)
        fits = years is not None and len(years) == n and (years > 0).any()
        self.years = years if fits else None
        self.catalogue = catalogue
        self.windows = [int(w) for w in np.asarray(arrays["windows"]).ravel()]
        self.title_length = int(np.asarray(arrays["title_length"]))
        self._word = {w: i for i, w in enumerate(words)}
        self._genre = {g: i + 1 for i, g in enumerate(genres)}    # 0 pads, as in DataSet
        # Exported with the run (learned by cold-start training, else the mean over films with
        # ratings); the mean of all rows for a hand-made tower.
        self.unseen_id = self.arrays.get("unseen_id", self.arrays["movie_embedding"].mean(axis=0))
        # Learned by cold-start training; otherwise the engine lends the mean movie bias.
        self.unseen_bias = float(self.arrays["unseen_bias"]) if "unseen_bias" in self.arrays else None

    @classmethod
    def load(cls, folder: Path) -> "MovieTower | None":
        """The run's tower, or None for a run written before towers were exported."""
        folder = Path(folder)
        if not (folder / TOWER_FILE).is_file():
            return None
        vocabulary = json.loads((folder / "vocabulary.json").read_text(encoding="utf-8"))
        catalogue = years = None
        if (folder / "encodings.npz").is_file():
            with np.load(folder / "encodings.npz") as encodings:
                catalogue = (encodings["movie_genres"], encodings["movie_title"])
                years = encodings["movie_year"] if "movie_year" in encodings.files else None
        with np.load(folder / TOWER_FILE) as arrays:
            return cls(dict(arrays), words=vocabulary["words"], genres=vocabulary["genres"],
                       catalogue=catalogue, years=years)

    @property
    def cold_start(self) -> bool:
        """Whether the run was trained with cold-start: its unseen id and bias were learned, not averaged."""
        return self.unseen_bias is not None

    @property
    def feature_dim(self) -> int:
        return self.arrays["movie_features_kernel"].shape[1]

    # ------------------------------------------------------------------ encoding

    def encode_title(self, title: str) -> np.ndarray:
        """Word ids as training encoded them: unknown words as <unk>, padded or cut to the run's length."""
        ids = [self._word.get(w, UNKNOWN_WORD) for w in title_words(title)][:self.title_length]
        return np.asarray(ids + [PAD] * (self.title_length - len(ids)), dtype=np.int64)

    def encode_genres(self, names: Iterable[str], width: int | None = None) -> np.ndarray:
        """Genre ids (genres the run never saw are left out), padded with 0."""
        ids = [self._genre[name] for name in names if name in self._genre]
        width = max(width or 0, len(ids), 1)
        return np.asarray(ids + [0] * (width - len(ids)), dtype=np.int64)

    # ------------------------------------------------------------------ the tower

    def _dense(self, name: str, x: np.ndarray, activation) -> np.ndarray:
        return activation(x @ self.arrays[f"{name}_kernel"] + self.arrays[f"{name}_bias"])

    def _title(self, titles: np.ndarray) -> np.ndarray:
        x = self.arrays["word_embedding"][titles]                       # (n, words, word_dim)
        pooled = []
        for window in self.windows:
            kernel, bias = self.arrays[f"title_conv_{window}_kernel"], self.arrays[f"title_conv_{window}_bias"]
            steps = x.shape[1] - window + 1
            # A "valid" convolution: each output step sums `window` shifted word rows times the kernel.
            out = sum(x[:, k:k + steps, :] @ kernel[k] for k in range(window)) + bias
            pooled.append(_relu(out).max(axis=1))
        return np.concatenate(pooled, axis=1)

    def vectors(self, id_embeddings: np.ndarray, genres: np.ndarray, titles: np.ndarray) -> np.ndarray:
        """The tower on encoded inputs: (n, id_dim) embeddings, (n, g) genre ids, (n, words) word ids."""
        x_id = self._dense("movie_dense", id_embeddings, _relu)
        g = self.arrays["genre_embedding"][genres] * (genres > 0)[..., None]
        x_genre = self._dense("genre_dense", g.sum(axis=1), _relu)
        x = np.concatenate([x_id, x_genre, self._title(titles)], axis=1)
        return self._dense("movie_features", x, np.tanh).astype(np.float32)

    def vectors_of_rows(self, rows: np.ndarray, genres: np.ndarray, titles: np.ndarray) -> np.ndarray:
        """Vectors of films the run knows (`rows` into its id embedding), from the run's encodings."""
        return self.vectors(self.arrays["movie_embedding"][rows], genres, titles)

    def placed(self, title: str, genre_names: Iterable[str], year: int | None = None) -> Placement:
        """A film the run has never seen: its vector, and the rows of the rated films nearest it by title
        and genres (none without a catalogue; see the module's docstring). `year` is kept for
        `years_watched`; the tower does not read it."""
        genres, words = self.encode_genres(genre_names)[None, :], self.encode_title(title)[None, :]
        vector = self.vectors(self.unseen_id[None, :], genres, words)[0]
        year = int(year) if year else None
        known = self._neutral_catalogue
        if known is None:
            return Placement(vector, np.zeros(0, dtype=np.int64), genres[0], year)
        closeness = known @ (vector / max(float(np.linalg.norm(vector)), 1e-12))
        nearest = np.argsort(-closeness, kind="stable")[:NEIGHBOURS]
        return Placement(vector, self.rated_rows[nearest], genres[0], year)

    def years_watched(self, rows: Sequence[int], film_years: Sequence[int | None]) -> np.ndarray | None:
        """`years_share` of a viewer (`rows`: the run's rows of the films they rated; those without
        ratings in the run are left out, as the catalogue leaves them out) at each of `film_years`.
        None for a run without years, or where `years_share` has nothing to say."""
        if self.years is None or not len(self.rated_rows):
            return None
        mine = self.rated_rows[np.unique(self._rated_positions(rows))]
        return years_share(self.years[mine], self._rated_years, film_years)

    def profile_of(self, rows: Sequence[int]) -> np.ndarray | None:
        """A viewer's content profile, as a content-based filter keeps one: the mean of the unit
        vectors the tower gives the rated films among `rows` (the run's rows of the viewer's
        films) from title and genres alone, less that mean over every rated film, so that what
        all films share cancels and what this viewer watches more than others stays.

        None without a catalogue, without any rated film among `rows`, or where the viewer's
        films lean no way (their mean is the catalogue's, and the cosines would be noise). New
        films are compared with it by `profile_closeness`, in the space `placed` puts them in.
        """
        known = self._neutral_catalogue
        if known is None or not len(known):
            return None
        at = self._rated_positions(rows)
        if not len(at):
            return None
        profile = known[at].astype(np.float64).mean(axis=0) - self._neutral_centre
        return profile if float(np.linalg.norm(profile)) > 1e-6 else None

    def popularity_model(self, ratings_per_row: np.ndarray) -> np.ndarray | None:
        """How much a film is rated, learned from where title and genres alone put the rated films
        (`popularity_weights` over the neutral catalogue; `ratings_per_row`: the run's ratings per
        row): its `popularity_weights`, which `predicted_popularity` applies to new films. None
        without a catalogue."""
        known = self._neutral_catalogue
        if known is None or not len(known):
            return None
        return popularity_weights(known, np.asarray(ratings_per_row, dtype=np.float64)[self.rated_rows])

    def _rated_positions(self, rows: Sequence[int]) -> np.ndarray:
        """Where the films of the run's `rows` stand in `rated_rows` (and the neutral catalogue), in
        the order given, repeats kept; rows of no film, or of films without ratings, left out."""
        index = self._neutral_index
        rows = np.asarray(rows, dtype=np.int64).reshape(-1)
        at = index[rows[(rows >= 0) & (rows < len(index))]]
        return at[at >= 0]

    @cached_property
    def _rated_years(self) -> np.ndarray:
        """The years of the films with ratings, the catalogue `years_watched` compares a viewer with."""
        return self.years[self.rated_rows]

    @cached_property
    def _neutral_centre(self) -> np.ndarray:
        return self._neutral_catalogue.astype(np.float64).mean(axis=0)

    @cached_property
    def _neutral_index(self) -> np.ndarray:
        """For each run row, its place in `rated_rows` (and in the neutral catalogue), -1 for none."""
        index = np.full(int(self.rated_rows.max()) + 1, -1, dtype=np.int64)
        index[self.rated_rows] = np.arange(len(self.rated_rows))
        return index

    @cached_property
    def _neutral_catalogue(self) -> np.ndarray | None:
        """Unit vectors of the rated films with the neutral id: where their title and genres alone put them."""
        if self.catalogue is None:
            return None
        if not len(self.rated_rows):
            return np.zeros((0, self.feature_dim), dtype=np.float32)
        genres, titles = (np.asarray(a)[self.rated_rows] for a in self.catalogue)
        neutral = np.repeat(self.unseen_id[None, :], len(self.rated_rows), axis=0)
        vectors = np.concatenate([self.vectors(neutral[i:i + 4096], genres[i:i + 4096], titles[i:i + 4096])
                                  for i in range(0, len(neutral), 4096)])
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
