"""Batch jobs over every viewer or a file of pairs: `recommend --all` and `predict`."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..models import Movie, Viewer
from .recommending import engine_current, viewer_recommendations

__all__ = ["PairsFileError", "PredictSummary", "pairs_predict", "recommendations_all"]


class PairsFileError(ValueError):
    """A pairs file that cannot be read; names the file and line."""


@dataclass(frozen=True)
class PredictSummary:
    rows: int
    fallbacks: int


def recommendations_all(*, k: int) -> Iterator[tuple[int, int, int, float, str]]:
    """(user_id, rank, movie_id, score, reason) for every viewer in the database."""
    for viewer in Viewer.objects.order_by("id").iterator(chunk_size=2000):
        for rank, rec in enumerate(viewer_recommendations(viewer=viewer, k=k), start=1):
            yield viewer.pk, rank, rec.movie_id, rec.score, rec.reason


def pairs_predict(*, source: Path, dest: Path) -> PredictSummary:
    """Read user_id,movie_id pairs; write them back with the model's prediction.

    Pairs the model cannot score (unknown viewer or movie, or no model) get the
    movie's mean rating, or the global mean, and are counted as fallbacks.
    """
    pairs = list(_read_pairs(source))
    engine = engine_current()
    movie_means = dict(Movie.objects.exclude(rating_mean=None).values_list("id", "rating_mean"))
    global_mean = (sum(movie_means.values()) / len(movie_means)) if movie_means else 3.5
    if engine is not None:
        global_mean = engine.run.global_mean
    fallbacks = 0
    tmp = dest.with_name(dest.name + ".part")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["user_id", "movie_id", "prediction"])
        for user_id, movie_id in pairs:
            value = None
            if engine is not None and engine.knows_user(user_id) and engine.knows_movie(movie_id):
                value = engine.predict(user_id, movie_id)
            if value is None:
                fallbacks += 1
                value = movie_means.get(movie_id, global_mean)
            writer.writerow([user_id, movie_id, f"{value:.4f}"])
    tmp.replace(dest)
    return PredictSummary(rows=len(pairs), fallbacks=fallbacks)


def _read_pairs(source: Path) -> Iterator[tuple[int, int]]:
    try:
        fh = source.open(newline="", encoding="utf-8")
    except OSError as exc:
        raise PairsFileError(f"{source}: cannot open ({exc.strerror}).") from exc
    with fh:
        reader = csv.reader(fh)
        header = [h.strip() for h in next(reader, [])]
        if header[:2] != ["user_id", "movie_id"]:
            raise PairsFileError(f"{source}:1: the header must be user_id,movie_id, not {','.join(header)!r}")
        for row in reader:
            if not row or not "".join(row).strip():
                continue
            try:
                yield int(row[0]), int(row[1])
            except (ValueError, IndexError):
                raise PairsFileError(f"{source}:{reader.line_num}: expected two whole numbers, "
                                     f"got {','.join(row)!r}") from None
