"""The JSON API under /api/. Thin: parse, call a service, answer.

Errors always have one shape: {"error": {"code": ..., "message": ...}}.
"""
from __future__ import annotations

import hashlib
import json

from django.core.cache import caches
from django.http import HttpResponse, JsonResponse

from .models import Genre, Movie, Viewer
from .services import recommending
from .services.ratings import InvalidStars, rating_delete, rating_set, viewer_for_user

MAX_K = 100
MAX_BODY = 4096
# Popular lists follow the ratings; a minute's delay is invisible in a "hot" list.
POPULAR_SECONDS = 60
# Answers that are the same for every caller and change only with the served run.
SHARED_SECONDS = 3600


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


def api_view(*methods: str):
    """Allow only `methods`; turn ApiError into the documented error body."""
    def decorate(view):
        def wrapped(request, *args, **kwargs):
            try:
                if request.method not in methods:
                    raise ApiError(405, "method_not_allowed",
                                   f"Use {' or '.join(methods)} for this URL.")
                return view(request, *args, **kwargs)
            except ApiError as exc:
                response = _error(exc.status, exc.code, exc.message)
                if exc.status == 405:
                    response["Allow"] = ", ".join(methods)
                return response
        wrapped.__name__, wrapped.__doc__ = view.__name__, view.__doc__
        return wrapped
    return decorate


def csrf_failure(request, reason=""):
    """CSRF failures under /api/ answer in the API's error shape (settings.CSRF_FAILURE_VIEW)."""
    if request.path.startswith("/api/"):
        return _error(403, "csrf_failed", "CSRF token missing or incorrect: send the csrftoken "
                                          "cookie's value in the X-CSRFToken header.")
    from django.views.csrf import csrf_failure as default
    return default(request, reason=reason)


def _k(request) -> int:
    raw = request.GET.get("k", "10")
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_K:
        raise ApiError(400, "invalid_k", f"k must be a whole number from 1 to {MAX_K}.")
    return int(raw)


def _movie_or_404(movie_id: int) -> Movie:
    movie = Movie.objects.filter(pk=movie_id).first()
    if movie is None:
        raise ApiError(404, "movie_not_found", f"There is no movie {movie_id}.")
    return movie


def _viewer_or_404(user_id) -> Viewer:
    if not str(user_id).isdigit():
        raise ApiError(400, "invalid_user", f"{str(user_id)[:40]!r} is not a user id (a whole number).")
    viewer = Viewer.objects.filter(pk=user_id).first()
    if viewer is None:
        raise ApiError(404, "user_not_found", f"There is no user {user_id}.")
    return viewer


def _results(recs) -> list[dict]:
    # The served engine already holds every title it knew at load; the database
    # is asked only for movies imported since.
    engine = recommending.engine_current()
    known = engine.titles if engine is not None else {}
    titles = {r.movie_id: known[r.movie_id] for r in recs if r.movie_id in known}
    missing = [r.movie_id for r in recs if r.movie_id not in titles]
    if missing:
        titles.update(Movie.objects.filter(pk__in=missing).values_list("id", "title"))
    return [{"movie_id": r.movie_id, "title": titles.get(r.movie_id, ""), "score": round(r.score, 4),
             "channel": r.channel, "reason": r.reason} for r in recs]


def _answer(recs, **extra) -> JsonResponse:
    engine = recommending.engine_current()
    return JsonResponse({**extra, "model": engine.run.run_id if engine else None,
                         "fallback": engine is None, "results": _results(recs)})


def _shared(key: str, seconds: int, build) -> HttpResponse:
    """The same answer for everyone: built once per worker and kept, keyed by the served run.

    Kept in the per-process "answers" cache (memory), so a model switch or
    the timeout makes it fresh; error answers are never kept.
    """
    engine = recommending.engine_current()
    key = hashlib.sha256(f"{engine.run.run_id if engine else 'none'}:{key}".encode()).hexdigest()
    store = caches["answers"]
    content = store.get(key)
    if content is None:
        response = build()
        if response.status_code != 200:
            return response
        content = response.content
        store.set(key, content, seconds)
    return HttpResponse(content, content_type="application/json")


@api_view("GET")
def user_recommendations(request, user_id: int):
    k = _k(request)
    viewer = _viewer_or_404(user_id)
    return _answer(recommending.viewer_recommendations(viewer=viewer, k=k), user_id=viewer.pk)


@api_view("GET")
def movie_similar(request, movie_id: int):
    k = _k(request)
    return _shared(f"similar:{movie_id}:{k}", SHARED_SECONDS, lambda: _movie_similar(movie_id, k))


def _movie_similar(movie_id: int, k: int) -> JsonResponse:
    _movie_or_404(movie_id)
    if recommending.engine_current() is None:
        raise ApiError(503, "no_model", recommending.model_error() or "No model is served.")
    try:
        recs = recommending.movie_similar(movie_id=movie_id, k=k)
    except recommending.UnknownId:
        raise ApiError(404, "movie_not_in_model",
                       f"Movie {movie_id} is newer than the served model.") from None
    return _answer(recs, movie_id=movie_id)


@api_view("GET")
def movie_also_liked(request, movie_id: int):
    k = _k(request)
    if not request.GET.get("user"):
        return _shared(f"also-liked:{movie_id}:{k}", SHARED_SECONDS, lambda: _movie_also_liked(movie_id, k))
    viewer = _viewer_or_404(request.GET["user"])
    return _movie_also_liked(movie_id, k, exclude=set(viewer.ratings.values_list("movie_id", flat=True)))


def _movie_also_liked(movie_id: int, k: int, exclude: set[int] = frozenset()) -> JsonResponse:
    _movie_or_404(movie_id)
    return _answer(recommending.movie_also_liked(movie_id=movie_id, k=k, exclude=exclude),
                   movie_id=movie_id)


@api_view("GET")
def movies_popular(request):
    k = _k(request)
    genre = request.GET.get("genre") or None
    # Checked before the cache, so that made-up genres neither fill it nor answer an empty list.
    if genre is not None and not Genre.objects.filter(name=genre).exists():
        raise ApiError(404, "genre_not_found", f"There is no genre {genre[:40]!r}.")
    return _shared(f"popular:{genre}:{k}", POPULAR_SECONDS,
                   lambda: _answer(recommending.movie_popular(k=k, genre=genre), genre=genre))


@api_view("GET")
def movie_prediction(request, movie_id: int):
    _movie_or_404(movie_id)
    if not request.GET.get("user"):
        raise ApiError(400, "missing_user", "Give the viewer as ?user=<MovieLens user id>.")
    viewer = _viewer_or_404(request.GET["user"])
    if recommending.engine_current() is None:
        raise ApiError(503, "no_model", recommending.model_error() or "No model is served.")
    prediction = recommending.rating_predict(viewer=viewer, movie_id=movie_id)
    return JsonResponse({"user_id": viewer.pk, "movie_id": movie_id,
                         "prediction": None if prediction is None else round(prediction, 3)})


@api_view("POST")
def ratings(request):
    """Set ({"movie_id": 1, "stars": 4.5}) or remove ({"movie_id": 1, "stars": null}) a rating."""
    if not request.user.is_authenticated:
        raise ApiError(401, "not_signed_in", "Sign in to rate movies.")
    # Checked before reading: Django refuses bodies over DATA_UPLOAD_MAX_MEMORY_SIZE
    # with an HTML page, and the API answers in JSON.
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY or len(request.body) > MAX_BODY:
        raise ApiError(413, "body_too_large", f"The request body is over {MAX_BODY} bytes.")
    try:
        body = json.loads(request.body or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ApiError(400, "invalid_json", "The body must be a JSON object.") from None
    if not isinstance(body, dict) or not isinstance(body.get("movie_id"), int) \
            or isinstance(body.get("movie_id"), bool) or "stars" not in body:
        raise ApiError(400, "invalid_rating", 'Send {"movie_id": <id>, "stars": <0.5–5.0 or null>}.')
    movie = _movie_or_404(body["movie_id"])
    viewer = viewer_for_user(request.user)
    if body["stars"] is None:
        removed = rating_delete(viewer=viewer, movie=movie)
        return JsonResponse({"movie_id": movie.pk, "stars": None, "removed": removed})
    if isinstance(body["stars"], bool):
        raise ApiError(400, "invalid_stars", "stars must be from 0.5 to 5.0 in half steps.")
    try:
        rating = rating_set(viewer=viewer, movie=movie, stars=body["stars"])
    except InvalidStars as exc:
        raise ApiError(400, "invalid_stars", str(exc) + ".") from None
    return JsonResponse({"movie_id": movie.pk, "stars": rating.stars, "user_id": viewer.pk})
