"""Fill movies' Chinese titles and posters from Douban, one movie at a time, resumably.

Each movie's outcome is committed as soon as it is known, so a batch stopped
by Douban (or Ctrl-C) keeps everything fetched so far and the next run goes
on where this one stopped. Never called from a view.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from ..models import DoubanLookup, Movie, movie_search_text
from ..recommend.enrich.douban import (DoubanBlocked, DoubanClient, DoubanError, DoubanUnreachable,
                                Subject)

__all__ = ["BatchStopped", "PosterSummary", "douban_client", "movies_to_fetch", "poster_fetch",
           "posters_fetch"]

POSTER_DIR = "posters"
# This many connection failures in a row means Douban (or the network) is down:
# stop rather than mark every remaining movie as failed.
MAX_UNREACHABLE_IN_A_ROW = 3
_EXTENSIONS = {"image/jpeg": "jpg", "image/jpg": "jpg", "image/png": "png", "image/webp": "webp",
               "image/gif": "gif"}


class BatchStopped(Exception):
    """Douban blocked us or cannot be reached; what was fetched so far is saved."""

    def __init__(self, message: str, summary: "PosterSummary"):
        super().__init__(message)
        self.summary = summary


@dataclass
class PosterSummary:
    found: int = 0
    not_found: int = 0
    errors: int = 0

    @property
    def total(self) -> int:
        return self.found + self.not_found + self.errors


def douban_client(delay: float | None = None) -> DoubanClient:
    return DoubanClient(settings.DOUBAN_BASE_URL, settings.DOUBAN_IMG_BASE_URL or None,
                        delay=settings.DOUBAN_DELAY if delay is None else delay)


def movies_to_fetch(*, limit: int | None = None, retry_failed: bool = False) -> QuerySet:
    """Movies never tried, or queued again by hand (and failed ones when asked), most rated first."""
    wanted = Q(douban__isnull=True) | Q(douban__status=DoubanLookup.PENDING)
    if retry_failed:
        wanted |= Q(douban__status=DoubanLookup.ERROR)
    movies = Movie.objects.filter(wanted).order_by("-rating_count", "id")
    return movies[:limit] if limit is not None else movies


def poster_fetch(movie: Movie, client: DoubanClient) -> str:
    """Look one movie up and save the outcome; returns the DoubanLookup status.

    DoubanBlocked and DoubanUnreachable propagate (the batch decides what to
    do); every other failure is recorded on the movie's lookup row.
    """
    lookup, _ = DoubanLookup.objects.get_or_create(movie=movie)
    try:
        subject = client.subject(lookup.douban_id) if lookup.douban_id \
            else client.find(movie.title, movie.year)
        if subject is None:
            _save(lookup, status=DoubanLookup.NOT_FOUND, last_error="")
            return DoubanLookup.NOT_FOUND
        poster = _poster_download(movie, lookup, subject, client)
    except DoubanBlocked:
        raise
    except DoubanError as exc:
        _save(lookup, status=DoubanLookup.ERROR, attempts=lookup.attempts + 1, last_error=str(exc))
        if isinstance(exc, DoubanUnreachable):
            raise
        return DoubanLookup.ERROR
    with transaction.atomic():
        _save(lookup, status=DoubanLookup.FOUND, douban_id=subject.douban_id,
              douban_rating=subject.rating, poster_url=subject.poster_url, last_error="")
        title_zh = subject.title_zh[:300]
        Movie.objects.filter(pk=movie.pk).update(
            title_zh=title_zh, poster=poster, search_text=movie_search_text(movie.title, title_zh))
    return DoubanLookup.FOUND


def posters_fetch(movies: Iterable[Movie], client: DoubanClient,
                  progress: Callable[[Movie, str], None] | None = None) -> PosterSummary:
    """Fetch each movie in turn; BatchStopped (carrying the summary) when Douban stops us."""
    summary = PosterSummary()
    unreachable_in_a_row = 0
    for movie in movies:
        try:
            status = poster_fetch(movie, client)
        except DoubanBlocked as exc:
            raise BatchStopped(str(exc), summary) from exc
        except DoubanUnreachable as exc:
            summary.errors += 1
            unreachable_in_a_row += 1
            if progress:
                progress(movie, DoubanLookup.ERROR)
            if unreachable_in_a_row >= MAX_UNREACHABLE_IN_A_ROW:
                raise BatchStopped(f"Douban cannot be reached ({exc}); "
                                   f"stopped after {unreachable_in_a_row} failures in a row.",
                                   summary) from exc
            continue
        unreachable_in_a_row = 0
        if status == DoubanLookup.FOUND:
            summary.found += 1
        elif status == DoubanLookup.NOT_FOUND:
            summary.not_found += 1
        else:
            summary.errors += 1
        if progress:
            progress(movie, status)
    return summary


def _save(lookup: DoubanLookup, **values) -> None:
    for name, value in values.items():
        setattr(lookup, name, value)
    lookup.fetched_at = timezone.now()
    lookup.save()


def _poster_download(movie: Movie, lookup: DoubanLookup, subject: Subject,
                     client: DoubanClient) -> str:
    """The poster's path under MEDIA_ROOT, downloading it unless we already hold that image."""
    if movie.poster and lookup.poster_url == subject.poster_url \
            and (Path(settings.MEDIA_ROOT) / movie.poster).is_file():
        return movie.poster
    body, content_type = client.image(subject.poster_url)
    name = f"{POSTER_DIR}/{movie.pk}.{_EXTENSIONS.get(content_type, 'jpg')}"
    target = Path(settings.MEDIA_ROOT) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    try:
        partial.write_bytes(body)
        os.replace(partial, target)  # a reader never sees half an image
    finally:
        partial.unlink(missing_ok=True)
    return name


def poster_features_compute(architecture_name: str, weights: Path | None, *,
                            batch_size: int = 16, progress=None) -> tuple[int, Path]:
    """CNN features of every cached poster, saved as the 'looks like' index beside the runs.

    Returns how many posters were encoded and where the index went.
    """
    from ..recommend.serving.channels.posters import save_poster_features
    from ..recommend.enrich.poster_features import ARCHITECTURES, build_extractor, extract_features

    architecture = ARCHITECTURES[architecture_name]
    media = Path(settings.MEDIA_ROOT)
    movies = [(pk, media / poster) for pk, poster in
              Movie.objects.exclude(poster="").order_by("id").values_list("id", "poster")]
    movies = [(pk, path) for pk, path in movies if path.is_file()]
    model = build_extractor(architecture, weights)
    features, kept = extract_features(model, architecture, [p for _, p in movies],
                                      batch_size=batch_size, progress=progress)
    ids = [movies[i][0] for i in kept]
    target = save_poster_features(Path(settings.RE_SYS_MODEL_DIR), ids, features, architecture.name)
    return len(ids), target
