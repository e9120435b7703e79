"""Popular within a viewer's demographic: the per-feature recall of the FM seed.

For every segment (each gender, age group, occupation, and each gender with
each age group) training stores a smoothed share of the segment's liked
ratings (4 stars and up) that went to each movie:

    p(m | s) = (liked_s(m) + α · p(m)) / (liked_s + α)

with p(m) the same share over everyone, so a small segment falls back to
what everyone likes instead of to noise. A viewer is scored from plain
popularity, tilted by how much more their segments like each movie than
everyone does:

    log(1 + ratings(m)) + β · Σ_s [log p(m | s) - log p(m)]

over the most specific segments they belong to (gender with age, and
occupation). β = 1/2 and α = 1000 were chosen on ML-100K viewers held out
whole (`evaluate --protocol new-viewers`): the full naive-Bayes product
(β = 1, no popularity term) ranked worse than popularity alone, because
small segments overfit; the damped tilt beat popularity on each of three
seeds (docs/benchmarks.md). The reason names the segment where the movie
stands out most ("Popular with women aged 25–34").
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...stars import LOVED_STARS
from ..reasons import Reason, Term, gettext_noop

__all__ = ["AGE_LABELS", "DEMOGRAPHIC_FILES", "DemographicPopular", "segment_keys"]

# What a run holds of this channel (all three or none).
DEMOGRAPHIC_FILES = ("demographic_segments.json", "demographic_log_share.npy", "demographic_log_share_all.npy",
                     "demographic_log_popularity.npy")

# MovieLens-1M age codes (the first age of each group) and how people say them.
AGE_LABELS = {1: gettext_noop("under 18"), 18: gettext_noop("aged 18–24"), 25: gettext_noop("aged 25–34"),
              35: gettext_noop("aged 35–44"), 45: gettext_noop("aged 45–49"), 50: gettext_noop("aged 50–55"),
              56: gettext_noop("aged 56 and over")}
GENDER_WORDS = {"F": gettext_noop("women"), "M": gettext_noop("men")}
SMOOTHING = 1000.0
TILT = 0.5


def segment_keys(gender: str | None, age_group: int | None, occupation: str | None) -> list[str]:
    """The segments a viewer belongs to, most specific first; unknown fields are skipped."""
    keys = []
    gender = gender if gender in GENDER_WORDS else None
    age_group = age_group if age_group in AGE_LABELS else None
    if gender and age_group:
        keys.append(f"gender-age:{gender}:{age_group}")
    if gender:
        keys.append(f"gender:{gender}")
    if age_group:
        keys.append(f"age:{age_group}")
    if occupation:
        keys.append(f"occupation:{occupation}")
    return keys


def _label(key: str) -> Reason | Term:
    """'women aged 25–34': the segment in words, each word one the site can translate."""
    kind, _, value = key.partition(":")
    if kind == "gender-age":
        gender, age = value.split(":")
        return Reason(gettext_noop("{gender} {age}"), gender=Term(GENDER_WORDS[gender]),
                      age=Term(AGE_LABELS[int(age)]))
    if kind == "gender":
        return Term(GENDER_WORDS[value])
    if kind == "age":
        return Reason(gettext_noop("viewers {age}"), age=Term(AGE_LABELS[int(value)]))
    if value == "other":
        return Term(gettext_noop("people in other occupations"))
    return Reason(gettext_noop("people working as {occupation}"), occupation=Term(value))


@dataclass
class DemographicPopular:
    """Per-segment log shares of liked ratings, one row per segment, columns = movie rows."""

    keys: list[str]
    log_share: np.ndarray        # (segments, movies)
    log_share_all: np.ndarray    # (movies,)
    log_popularity: np.ndarray   # (movies,): log(1 + number of ratings)

    @classmethod
    def fit(cls, stars: np.ndarray, movies: np.ndarray, segments_of_rating: dict[str, np.ndarray],
            n_movies: int, *, smoothing: float = SMOOTHING) -> "DemographicPopular":
        """`segments_of_rating[key]` is a boolean mask over the ratings saying which fall in that segment."""
        liked = stars >= LOVED_STARS
        everyone = np.bincount(movies[liked], minlength=n_movies).astype(np.float64)
        share_all = (everyone + 1.0) / (everyone.sum() + n_movies)
        keys = sorted(segments_of_rating)
        log_share = np.zeros((len(keys), n_movies), dtype=np.float32)
        for row, key in enumerate(keys):
            counts = np.bincount(movies[liked & segments_of_rating[key]], minlength=n_movies)
            log_share[row] = np.log((counts + smoothing * share_all) / (counts.sum() + smoothing))
        popularity = np.log1p(np.bincount(movies, minlength=n_movies)).astype(np.float32)
        return cls(keys, log_share, np.log(share_all).astype(np.float32), popularity)

    def save(self, folder: Path) -> None:
        (folder / DEMOGRAPHIC_FILES[0]).write_text(json.dumps(self.keys, ensure_ascii=False))
        np.save(folder / DEMOGRAPHIC_FILES[1], self.log_share)
        np.save(folder / DEMOGRAPHIC_FILES[2], self.log_share_all)
        np.save(folder / DEMOGRAPHIC_FILES[3], self.log_popularity)

    @classmethod
    def load(cls, folder: Path) -> "DemographicPopular | None":
        """The run's channel, or None when it has none. Raises ValueError/OSError when damaged."""
        paths = [folder / name for name in DEMOGRAPHIC_FILES]
        if not any(p.exists() for p in paths):
            return None
        keys = json.loads(paths[0].read_text())
        model = cls(list(keys), *(np.load(p, allow_pickle=False) for p in paths[1:]))
        n = len(model.log_share_all)
        if not isinstance(keys, list) or model.log_share.shape != (len(keys), n) or \
                model.log_popularity.shape != (n,):
            raise ValueError("segments, shares and popularity do not match")
        return model

    @property
    def n_movies(self) -> int:
        return len(self.log_share_all)

    def scores(self, segments: list[str], tilt: float = TILT) -> np.ndarray | None:
        """Popularity tilted towards these segments' tastes, every movie; None when no segment is given."""
        if not segments:
            return None
        row = {k: i for i, k in enumerate(self.keys)}
        lifts = sum(self.log_share[row[k]].astype(np.float64) - self.log_share_all for k in _independent(segments))
        return self.log_popularity.astype(np.float64) + tilt * lifts

    def reason(self, segments: list[str], movie_row: int) -> Reason:
        """'Popular with …' naming the segment where this movie's share is highest above everyone's."""
        row = {k: i for i, k in enumerate(self.keys)}
        lift = {k: float(self.log_share[row[k], movie_row] - self.log_share_all[movie_row]) for k in segments}
        best = max(segments, key=lambda k: (lift[k], -segments.index(k)))
        return Reason(gettext_noop("Popular with {segment}"), segment=_label(best))


def _independent(segments: list[str]) -> list[str]:
    """Segments that do not overlap: gender-age replaces gender and age on their own."""
    kinds = {k.partition(":")[0] for k in segments}
    if "gender-age" in kinds:
        return [k for k in segments if not k.startswith(("gender:", "age:"))]
    return segments
