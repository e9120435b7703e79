"""Writes of ratings made on the site: same table as imported ones, stats kept in step."""
from __future__ import annotations

import logging
import random
import secrets
import time
from functools import wraps

from django.db import IntegrityError, OperationalError, transaction

from ..models import HALF_STARS, Movie, Rating, Viewer
from .importing import movie_stats_refresh

__all__ = ["InvalidStars", "rating_delete", "rating_set", "ratings_of", "ratings_set_many", "viewer_for_user"]

logger = logging.getLogger(__name__)

# SQLite allows one writer at a time; PostgreSQL may pick a deadlock victim.
# Either way the write is safe to repeat, and losing a person's rating is not.
# Jittered backoff, so that writers who collided once do not collide again in step.
WRITE_ATTEMPTS = 8
FIRST_BACKOFF_S = 0.05
# No new attempt starts after this many seconds: with SQLite's 5 s busy timeout
# a write has failed (503, nothing written) or landed within ~13 s, well inside
# gunicorn's 30 s, so a client is never told it failed for a write that lands later.
WRITE_DEADLINE_S = 8.0


def _retried(write):
    @wraps(write)
    def attempt(*args, **kwargs):
        started = time.monotonic()
        for number in range(1, WRITE_ATTEMPTS + 1):
            try:
                return write(*args, **kwargs)
            except OperationalError as exc:
                transient = any(word in str(exc).lower() for word in ("locked", "deadlock", "serializ"))
                late = time.monotonic() - started >= WRITE_DEADLINE_S
                if not transient or late or number == WRITE_ATTEMPTS \
                        or transaction.get_connection().in_atomic_block:
                    raise
                logger.warning("%s: %s; retrying (attempt %d of %d)", write.__name__, exc,
                               number + 1, WRITE_ATTEMPTS)
                time.sleep(FIRST_BACKOFF_S * 2 ** (number - 1) * (0.5 + random.random()))
    return attempt


class InvalidStars(ValueError):
    """Stars outside 0.5–5.0 or not in half steps."""


def _check_stars(stars) -> float:
    try:
        value = float(stars)
    except (TypeError, ValueError):
        raise InvalidStars("stars must be a number from 0.5 to 5.0 in half steps") from None
    if value not in HALF_STARS:
        raise InvalidStars("stars must be from 0.5 to 5.0 in half steps")
    return value


# Site accounts' viewer ids are drawn at random from far above any dataset's ids:
# a sequential id would tell how many people signed up and which ids to try.
ACCOUNT_IDS = (1_000_000_000, 2_147_483_647)  # a PositiveIntegerField fits up to 2^31 - 1


def viewer_for_user(user) -> Viewer:
    """The Viewer of a signed-in account, created on first use with a random, unused id."""
    viewer = Viewer.objects.filter(user=user).first()
    if viewer is not None:
        return viewer
    low, high = ACCOUNT_IDS
    for _ in range(5):  # a drawn id may be taken, or two first uses may race; the loser retries
        try:
            with transaction.atomic():
                return Viewer.objects.create(id=low + secrets.randbelow(high - low), user=user)
        except IntegrityError:
            existing = Viewer.objects.filter(user=user).first()
            if existing is not None:
                return existing
    raise RuntimeError("could not allocate a viewer id")


@_retried
def rating_set(*, viewer: Viewer, movie: Movie, stars) -> Rating:
    """Create or change a viewer's rating of a movie; one row per pair, whatever the races."""
    value = _check_stars(stars)
    with transaction.atomic():
        rating, _ = Rating.objects.update_or_create(
            viewer=viewer, movie=movie, defaults={"stars": value, "timestamp": int(time.time())})
        movie_stats_refresh([movie.pk])
    return rating


def ratings_of(viewer: Viewer, movie_ids) -> dict[int, float]:
    """The viewer's stars for those of `movie_ids` they rated."""
    return dict(Rating.objects.filter(viewer=viewer, movie_id__in=list(movie_ids)).values_list("movie_id", "stars"))


def ratings_set_many(*, viewer: Viewer, stars_by_movie: dict[int, float]) -> int:
    """Several ratings of one viewer (onboarding), each written as `rating_set` writes one; returns how many."""
    movies = Movie.objects.in_bulk(stars_by_movie)
    for movie_id, stars in stars_by_movie.items():
        rating_set(viewer=viewer, movie=movies[movie_id], stars=stars)
    return len(stars_by_movie)


@_retried
def rating_delete(*, viewer: Viewer, movie: Movie) -> bool:
    with transaction.atomic():
        deleted, _ = Rating.objects.filter(viewer=viewer, movie=movie).delete()
        movie_stats_refresh([movie.pk])
    return bool(deleted)
