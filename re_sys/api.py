"""The JSON API under /api/. Thin: parse, call a service, answer.

Errors always have one shape: {"error": {"code": ..., "message": ...}}.
Callers are a browser session (writes need the CSRF header) or a script with
a member's token (`Authorization: Bearer rsk_…`, no CSRF). Whose data may be
read is decided by `services.access`, as on the pages.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re

from django.conf import settings
from django.core.cache import caches
from django.db import InterfaceError, InternalError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.core import get_usage

from .models import Movie, MovieMark, Viewer
from .services import access, marks, recommending, selectors, tokens
from .services.clients import client_address
from .services.ratings import InvalidStars, rating_delete, rating_set, viewer_for_user

logger = logging.getLogger(__name__)

MAX_K = 100
MAX_BODY = 4096
# A rating body is one flat object; deeper nesting is refused before parsing.
MAX_JSON_DEPTH = 1
# Whole numbers in ASCII digits only: str.isdigit() also takes `²` and `٣`.
_WHOLE = re.compile(r"[0-9]{1,10}")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# A database that cannot answer (gone, locked, read-only): 503, as on the pages (views/errors.py).
UNAVAILABLE = (OperationalError, InterfaceError, InternalError)
# Popular lists follow the ratings; a minute's delay is invisible in a "hot" list.
POPULAR_SECONDS = 60
# Answers that are the same for every caller and change only with the served run.
SHARED_SECONDS = 3600


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, retry_after: int = 0):
        super().__init__(message)
        self.status, self.code, self.message, self.retry_after = status, code, message, retry_after


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


def api_view(*methods: str):
    """Allow only `methods`; authenticate a token, check CSRF for session writes, limit
    the rate, and turn ApiError and an unavailable database into the documented error body."""
    def decorate(view):
        @csrf_exempt  # checked below for browser sessions; a token request carries no cookie
        def wrapped(request, *args, **kwargs):
            try:
                # Counted first: refused tokens, wrong methods and CSRF failures use up the budget too.
                _authenticate(request)
                if request.method not in methods:
                    raise ApiError(405, "method_not_allowed",
                                   f"Use {' or '.join(methods)} for this URL.")
                _csrf_check(request)
                return view(request, *args, **kwargs)
            except ApiError as exc:
                response = _error(exc.status, exc.code, exc.message)
                if exc.status == 405:
                    response["Allow"] = ", ".join(methods)
                if exc.retry_after:
                    response["Retry-After"] = str(exc.retry_after)
                return response
            except UNAVAILABLE:
                logger.exception("API %s %s: the database is unavailable", request.method, request.path)
                return _error(503, "database_unavailable",
                              "The site cannot reach its database just now; nothing was changed. "
                              "Try again in a minute.")
        wrapped.__name__, wrapped.__doc__ = view.__name__, view.__doc__
        return wrapped
    return decorate


def _authenticate(request) -> None:
    """A Bearer token replaces the session's account; each request is counted against its limit.

    A token that is unknown or revoked is counted against the client's address,
    so trying made-up tokens cannot escape the address's limit.
    """
    request.api_token = False
    header = request.META.get("HTTP_AUTHORIZATION", "")
    user = None
    if header:
        scheme, _, secret = header.partition(" ")
        user = tokens.token_user(secret.strip()) if scheme.lower() == "bearer" else None
    if user is not None:
        request.user, request.api_token = user, True
        _rate_limit(request, f"token:{user.pk}", settings.RE_SYS_API_TOKEN_RATE)
        return
    _rate_limit(request, f"addr:{client_address(request)}", settings.RE_SYS_API_RATE)
    if header:
        raise ApiError(401, "invalid_token", "The token is unknown or revoked; make one on "
                                             "your profile page and send it as 'Authorization: Bearer <token>'.")


def _csrf_check(request) -> None:
    """A browser session's write must carry the CSRF header; a token request has no cookie to forge."""
    if request.api_token or request.method in SAFE_METHODS:
        return
    refused = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
    if refused is not None:
        raise ApiError(403, "csrf_failed", "CSRF token missing or incorrect: send the csrftoken "
                                           "cookie's value in the X-CSRFToken header.")


def _rate_limit(request, key: str, rate: str) -> None:
    """At most `rate` requests under `key`, counted in each worker process's memory."""
    usage = get_usage(request, group="api", key=lambda _group, _request: key, rate=rate, increment=True)
    if usage is not None and usage["should_limit"]:
        raise ApiError(429, "rate_limited", f"Too many requests: at most {rate.replace('/', ' per ')}. "
                                            "Wait and try again.", retry_after=max(1, usage["time_left"]))


def csrf_failure(request, reason=""):
    """CSRF failures under /api/ answer in the API's error shape (settings.CSRF_FAILURE_VIEW)."""
    if request.path.startswith("/api/"):
        return _error(403, "csrf_failed", "CSRF token missing or incorrect: send the csrftoken "
                                          "cookie's value in the X-CSRFToken header.")
    from django.views.csrf import csrf_failure as default
    return default(request, reason=reason)


def _k(request) -> int:
    raw = request.GET.get("k", "10")
    if not _WHOLE.fullmatch(raw) or not 1 <= int(raw) <= MAX_K:
        raise ApiError(400, "invalid_k", f"k must be a whole number from 1 to {MAX_K}.")
    return int(raw)


def _movie_or_404(movie_id: int) -> Movie:
    movie = selectors.movie_of(movie_id)
    if movie is None:
        raise ApiError(404, "movie_not_found", f"There is no movie {movie_id}.")
    return movie


def _viewer_or_404(request, user_id) -> Viewer:
    """The viewer if this caller may see them; a private one answers exactly as an unknown id."""
    if not _WHOLE.fullmatch(str(user_id)):
        raise ApiError(400, "invalid_user", f"{str(user_id)[:40]!r} is not a user id (a whole number).")
    try:
        return access.viewer_visible(request.user, user_id)
    except access.NotVisible:
        raise ApiError(404, "user_not_found", f"There is no user {user_id}.") from None


def _own_viewer(request) -> Viewer | None:
    """The signed-in (or token) account's viewer; None before it rated or saved anything."""
    if not request.user.is_authenticated:
        raise ApiError(401, "not_signed_in", "Sign in, or send a token as 'Authorization: Bearer <token>'.")
    return selectors.viewer_of(request.user)


def _no_model(request) -> ApiError:
    """503 in words; the reason (it names files on the server) only for staff."""
    detail = recommending.model_error() if request.user.is_staff else None
    return ApiError(503, "no_model", detail or "No trained model is being served just now; "
                                              "popular lists still work.")


def _results(recs) -> list[dict]:
    titles = recommending.movie_titles([r.movie_id for r in recs])
    return [{"movie_id": r.movie_id, "title": titles.get(r.movie_id, ""), "score": round(r.score, 4),
             "channel": r.channel, "reason": r.reason} for r in recs]


def _answer(recs, **extra) -> JsonResponse:
    run_id = recommending.served_run_id()
    return JsonResponse({**extra, "model": run_id, "fallback": run_id is None, "results": _results(recs)})


def _shared(key: str, seconds: int, build) -> HttpResponse:
    """The same answer for everyone: built once per worker and kept, keyed by the served run.

    Kept in the per-process "answers" cache (memory), so a model switch or
    the timeout makes it fresh; error answers are never kept.
    """
    key = hashlib.sha256(f"{recommending.served_run_id() or 'none'}:{key}".encode()).hexdigest()
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
    viewer = _viewer_or_404(request, user_id)
    return _answer(recommending.viewer_recommendations(viewer=viewer, k=k), user_id=viewer.pk)


@api_view("GET")
def my_recommendations(request):
    k = _k(request)
    viewer = _own_viewer(request)
    if viewer is None:
        return _answer(recommending.movie_popular(k=k), user_id=None)
    return _answer(recommending.viewer_recommendations(viewer=viewer, k=k), user_id=viewer.pk)


def _hidden_by_caller(request) -> set[int]:
    """The films the signed-in (or token) caller hid: no list they are given holds one. Such an
    answer is theirs alone and is never kept in the shared cache."""
    if not request.user.is_authenticated:
        return set()
    viewer = selectors.viewer_of(request.user)
    return set() if viewer is None else set(marks.marked_ids(viewer, "hidden"))


@api_view("GET")
def movie_similar(request, movie_id: int):
    k = _k(request)
    hidden = _hidden_by_caller(request)
    if hidden:
        return _movie_similar(request, movie_id, k, exclude=hidden)
    key = f"similar:{movie_id}:{k}"
    engine = recommending.engine_current()
    if engine is not None and engine.movie_tower is not None:
        # A film added since training joins similar lists at once: the catalogue's fingerprint in the
        # key costs one query. A run without a movie tower places no new film, and asks none.
        key += ":%s:%s" % recommending.catalogue_fingerprint()
    return _shared(key, SHARED_SECONDS, lambda: _movie_similar(request, movie_id, k))


def _movie_similar(request, movie_id: int, k: int, exclude: set[int] = frozenset()) -> JsonResponse:
    _movie_or_404(movie_id)
    if recommending.engine_current() is None:
        raise _no_model(request)
    try:
        recs = recommending.movie_similar(movie_id=movie_id, k=k, exclude=exclude)
    except recommending.UnknownId:
        raise ApiError(404, "movie_not_in_model",
                       f"Movie {movie_id} is newer than the served model.") from None
    return _answer(recs, movie_id=movie_id)


@api_view("GET")
def movie_also_liked(request, movie_id: int):
    k = _k(request)
    hidden = _hidden_by_caller(request)
    if not request.GET.get("user"):
        if hidden:
            return _movie_also_liked(movie_id, k, exclude=hidden)
        return _shared(f"also-liked:{movie_id}:{k}", SHARED_SECONDS, lambda: _movie_also_liked(movie_id, k))
    # Leaving out what a viewer rated tells what they rated: only for oneself (or staff).
    viewer = _viewer_or_404(request, request.GET["user"])
    if not access.is_own_or_staff(request.user, viewer):
        raise ApiError(404, "user_not_found", f"There is no user {request.GET['user']}.")
    return _movie_also_liked(movie_id, k, exclude={*recommending.Taste(viewer).rated, *hidden})


def _movie_also_liked(movie_id: int, k: int, exclude: set[int] = frozenset()) -> JsonResponse:
    _movie_or_404(movie_id)
    return _answer(recommending.movie_also_liked(movie_id=movie_id, k=k, exclude=exclude),
                   movie_id=movie_id)


@api_view("GET")
def movies_popular(request):
    k = _k(request)
    genre = request.GET.get("genre") or None
    # Checked before the cache, so that made-up genres neither fill it nor answer an empty list.
    if genre is not None and not selectors.genre_exists(genre):
        raise ApiError(404, "genre_not_found", f"There is no genre {genre[:40]!r}.")
    hidden = _hidden_by_caller(request)
    if hidden:
        return _answer(recommending.movie_popular(k=k, genre=genre, exclude=hidden), genre=genre)
    return _shared(f"popular:{genre}:{k}", POPULAR_SECONDS,
                   lambda: _answer(recommending.movie_popular(k=k, genre=genre), genre=genre))


@api_view("GET")
def movie_prediction(request, movie_id: int):
    _movie_or_404(movie_id)
    if request.GET.get("user"):
        viewer = _viewer_or_404(request, request.GET["user"])
    elif request.user.is_authenticated:
        viewer = _own_viewer(request)
    else:
        raise ApiError(400, "missing_user", "Give the viewer as ?user=<MovieLens user id>, "
                                            "or sign in for your own.")
    if recommending.engine_current() is None:
        raise _no_model(request)
    if viewer is None:
        return JsonResponse({"user_id": None, "movie_id": movie_id, "prediction": None})
    prediction = recommending.rating_predict(viewer=viewer, movie_id=movie_id)
    return JsonResponse({"user_id": viewer.pk, "movie_id": movie_id,
                         "prediction": None if prediction is None else round(prediction, 3)})


@api_view("GET", "POST")
def my_ratings(request):
    """GET: the caller's own ratings, newest first. POST: as /api/ratings."""
    if request.method == "POST":
        return _rating_write(request)
    viewer = _own_viewer(request)
    rows = [] if viewer is None else selectors.viewer_ratings_list(viewer)
    return JsonResponse({"user_id": viewer.pk if viewer else None, "results": rows})


def _json_depth(raw: str) -> int:
    """How deeply arrays and objects nest in `raw`, outside strings (before json.loads recurses)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in raw:
        if in_string:
            escaped, in_string = (False, True) if escaped else (char == "\\", char != '"')
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


@api_view("POST")
def ratings(request):
    """Set ({"movie_id": 1, "stars": 4.5}) or remove ({"movie_id": 1, "stars": null}) a rating."""
    return _rating_write(request)


def _json_body(request):
    """The request's body as one flat JSON object (its fields not yet checked), or the API's 413/400 error."""
    # Checked before reading: Django refuses bodies over DATA_UPLOAD_MAX_MEMORY_SIZE
    # with an HTML page, and the API answers in JSON.
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY or len(request.body) > MAX_BODY:
        raise ApiError(413, "body_too_large", f"The request body is over {MAX_BODY} bytes.")
    try:
        text = request.body.decode("utf-8")
        if _json_depth(text) > MAX_JSON_DEPTH:
            raise ValueError("nested too deeply")
        body = json.loads(text)
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        body = None
    # One object of plain values: an empty body, an array, a bare string or a nested object is
    # no rating or mark of any shape, and says so, rather than "wrong fields".
    if not isinstance(body, dict) or any(isinstance(value, (dict, list)) for value in body.values()):
        raise ApiError(400, "invalid_json", "The body must be one flat JSON object.")
    return body


def _movie_id_valid(body: dict) -> bool:
    return type(body.get("movie_id")) is int and 0 < body["movie_id"] < 2 ** 31


def _rating_write(request) -> JsonResponse:
    if not request.user.is_authenticated:
        raise ApiError(401, "not_signed_in", "Sign in to rate movies.")
    body = _json_body(request)
    if not _movie_id_valid(body) or set(body) - {"movie_id", "stars"} or "stars" not in body:
        raise ApiError(400, "invalid_rating", 'Send {"movie_id": <id>, "stars": <0.5–5.0 or null>}.')
    movie = _movie_or_404(body["movie_id"])
    viewer = viewer_for_user(request.user)
    if body["stars"] is None:
        removed = rating_delete(viewer=viewer, movie=movie)
        return JsonResponse({"movie_id": movie.pk, "stars": None, "removed": removed})
    if type(body["stars"]) not in (int, float):
        raise ApiError(400, "invalid_stars", "stars must be a number from 0.5 to 5.0 in half steps.")
    try:
        rating = rating_set(viewer=viewer, movie=movie, stars=body["stars"])
    except InvalidStars as exc:
        raise ApiError(400, "invalid_stars", str(exc) + ".") from None
    return JsonResponse({"movie_id": movie.pk, "stars": rating.stars, "user_id": viewer.pk})


MARK_KINDS = tuple(kind for kind, _label in MovieMark.KINDS)


@api_view("GET", "POST")
def my_marks(request):
    """GET: the caller's watchlist and hidden movies. POST {"movie_id", "kind", "on"}: set or clear one.

    The body says the state wanted, not "toggle": sending it twice, or an
    undo that crosses a slow first request, leaves the mark as asked.
    """
    if not request.user.is_authenticated:
        raise ApiError(401, "not_signed_in", "Sign in, or send a token as 'Authorization: Bearer <token>'.")
    if request.method == "GET":
        viewer = selectors.viewer_of(request.user)
        return JsonResponse({"user_id": viewer.pk if viewer else None,
                             **{kind: sorted(marks.marked_ids(viewer, kind)) for kind in MARK_KINDS}})
    body = _json_body(request)
    if not _movie_id_valid(body) or set(body) != {"movie_id", "kind", "on"} \
            or body["kind"] not in MARK_KINDS or type(body["on"]) is not bool:
        raise ApiError(400, "invalid_mark", 'Send {"movie_id": <id>, "kind": "watchlist" or "hidden", '
                                            '"on": true or false}.')
    movie = _movie_or_404(body["movie_id"])
    on = marks.mark_set(viewer=viewer_for_user(request.user), movie=movie, kind=body["kind"], on=body["on"])
    return JsonResponse({"movie_id": movie.pk, "kind": body["kind"], "on": on})


@csrf_exempt  # it changes nothing, so a write to a mistyped address learns of the typo, not of CSRF
def not_found(request, path: str = ""):
    """Any other address under /api/: the API's 404, in JSON like every answer of the API, counted
    against the client's limit like any request."""
    try:
        _authenticate(request)
    except ApiError as exc:
        if exc.status == 429:
            response = _error(exc.status, exc.code, exc.message)
            response["Retry-After"] = str(exc.retry_after)
            return response
    return _error(404, "not_found", f"There is no API address {request.path[:80]!r}. Ids are whole numbers "
                                    "and addresses end without a slash; the README's JSON API lists them.")
