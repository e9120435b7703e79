"""Writing a MovieLens dataset into the database: validated first, then all or nothing."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from django.db import connection, transaction
from django.db.models import Avg, Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from ..models import DatasetImport, Genre, Movie, Rating, Tag, Viewer, movie_search_text
from ..recommend.data.movielens import MovieLensData, detect_format, read_dataset

__all__ = ["ImportRefused", "ImportSummary", "dataset_import", "movie_stats_refresh"]

Log = Callable[[str], None]
# SQLite page cache while ratings are written (megabytes; only what is used is taken).
IMPORT_CACHE_MB = 512


class ImportRefused(RuntimeError):
    """The database already holds a different dataset and --replace was not given."""


@dataclass(frozen=True)
class ImportSummary:
    name: str
    format: str
    movies: int
    viewers: int
    ratings: int
    tags: int
    unchanged: bool = False
    replaced: str | None = None


def dataset_import(*, path: Path, replace: bool = False, log: Log | None = None) -> ImportSummary:
    """Import the dataset folder at `path`; nothing is written unless every line is valid."""
    log = log or (lambda message: None)
    path = Path(path)
    fmt = detect_format(path)
    log(f"Reading {path} ({fmt})…")
    data = read_dataset(path)
    log(f"Read {len(data.movies):,} movies, {len(data.viewers):,} viewers, "
        f"{data.n_ratings:,} ratings, {len(data.tags):,} tags.")
    fingerprint = _fingerprint(path)
    name = path.resolve().name

    current = DatasetImport.objects.first()
    if current and current.fingerprint == fingerprint:
        return ImportSummary(name, data.format, len(data.movies), len(data.viewers),
                             data.n_ratings, len(data.tags), unchanged=True)
    holds_data = current is not None or Movie.objects.exists() or Viewer.objects.exists()
    if holds_data and not replace:
        what = str(current) if current else "movies and viewers from an earlier import"
        raise ImportRefused(
            f"The database already holds {what}. One dataset per database keeps ids "
            f"meaningful: give --replace to delete it (ratings made on the site too) and "
            f"import {name}, or point DATABASE_URL at another database.")

    with transaction.atomic():
        if holds_data:
            log("Deleting the previous dataset…")
            _delete_everything()
        _write(data, log)
        DatasetImport.objects.create(
            name=name, format=data.format, source=str(path.resolve()), fingerprint=fingerprint,
            movies=len(data.movies), viewers=len(data.viewers), ratings=data.n_ratings,
            tags=len(data.tags))
    return ImportSummary(name, data.format, len(data.movies), len(data.viewers), data.n_ratings,
                         len(data.tags), replaced=str(current) if current else None)


def movie_stats_refresh(movie_ids=None) -> None:
    """Recompute the denormalised rating count and mean of some (or all) movies."""
    ratings = Rating.objects.filter(movie=OuterRef("pk")).values("movie")
    movies = Movie.objects.all() if movie_ids is None else Movie.objects.filter(pk__in=movie_ids)
    movies.update(
        rating_count=Coalesce(Subquery(ratings.annotate(n=Count("id")).values("n")), 0),
        rating_mean=Subquery(ratings.annotate(m=Avg("stars")).values("m")),
    )


# --------------------------------------------------------------------------- internals


def _fingerprint(folder: Path) -> str:
    """Hash of every data file in the folder, so re-importing the same files is a no-op."""
    digest = hashlib.sha256()
    for file in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        digest.update(file.name.encode())
        with file.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def _delete_everything() -> None:
    # Children first, so that each delete is one plain DELETE with nothing to cascade.
    for model in (Tag, Rating, Movie.genres.through, Movie, Genre, Viewer, DatasetImport):
        model.objects.all().delete()


def _write(data: MovieLensData, log: Log) -> None:
    genres = {name: Genre(name=name) for name in data.genres}
    Genre.objects.bulk_create(genres.values())
    genre_ids = dict(Genre.objects.values_list("name", "id"))

    Movie.objects.bulk_create(
        [Movie(id=m.id, title=m.title[:300], year=m.year, imdb_id=m.imdb_id, tmdb_id=m.tmdb_id,
               search_text=movie_search_text(m.title[:300]))
         for m in data.movies], batch_size=2000)
    Through = Movie.genres.through
    Through.objects.bulk_create(
        [Through(movie_id=m.id, genre_id=genre_ids[g]) for m in data.movies for g in set(m.genres)],
        batch_size=5000)
    log(f"  {len(data.movies):,} movies in {len(genres)} genres")

    Viewer.objects.bulk_create(
        [Viewer(id=v.id, gender=v.gender, age_group=v.age_group, occupation=v.occupation[:40],
                zip_code=v.zip_code[:20]) for v in data.viewers], batch_size=2000)
    log(f"  {len(data.viewers):,} viewers")

    _write_ratings(data, log)

    Tag.objects.bulk_create(
        [Tag(viewer_id=t.user_id, movie_id=t.movie_id, tag=t.tag, timestamp=t.timestamp)
         for t in data.tags], batch_size=5000)
    if data.tags:
        log(f"  {len(data.tags):,} tags")
    movie_stats_refresh()


def _write_ratings(data: MovieLensData, log: Log) -> None:
    """Insert ratings with executemany on Django's connection (COPY on PostgreSQL).

    bulk_create builds a model instance per row and sends ~250 rows per
    statement on SQLite; for a million ratings that alone takes over a minute.
    The table and column names still come from the model, so a schema change
    cannot silently diverge from this statement, and the database's constraints
    (unique pair, half stars) still apply.
    """
    meta = Rating._meta
    fields = [meta.get_field(n) for n in ("viewer", "movie", "stars", "timestamp")]
    qn = connection.ops.quote_name
    sql = (f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    columns = (data.user_ids, data.movie_ids, data.stars, data.timestamps)
    total, batch = len(data.user_ids), 100_000

    def rows(start: int) -> list[tuple]:
        # Plain Python scalars (numpy's would not adapt, or adapt slowly), one batch at a
        # time: 25 million rows as tuples at once would take over 4 GB.
        return list(zip(*(column[start:start + batch].tolist() for column in columns)))

    if connection.vendor == "postgresql":
        # COPY streams rows without a round trip per row: several times faster than
        # executemany there. Same transaction, same constraints.
        copy_sql = (f"COPY {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
                    f"FROM STDIN")
        with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
            for start in range(0, total, batch):
                for row in rows(start):
                    copy.write_row(row)
                log(f"  {min(start + batch, total):,} / {total:,} ratings")
        return
    with connection.cursor() as cursor:
        # SQLite's page cache is 2 MB unless set, and the indexes on movie take these
        # rows out of order, so each insert re-reads pages: 5 million ratings imported
        # in 197 s with the default and 121 s with this (docs/benchmarks.md).
        sqlite = connection.vendor == "sqlite"
        if sqlite:
            cursor.execute("PRAGMA cache_size")
            default = cursor.fetchone()[0]
            cursor.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_MB * 1024}")
        try:
            for start in range(0, total, batch):
                cursor.executemany(sql, rows(start))
                log(f"  {min(start + batch, total):,} / {total:,} ratings")
        finally:
            if sqlite:
                cursor.execute(f"PRAGMA cache_size = {int(default)}")
