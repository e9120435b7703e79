"""The JSON API: answers, validation, status codes, one error shape, CSRF on writes."""
import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from re_sys.models import Movie, Rating, Viewer
from re_sys.recommend.serving.runs import switch_current
from re_sys.services import recommending
from tests.recommend.fake_run import two_kinds_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    recommending._store.cache_clear()
    Movie.objects.bulk_create([Movie(id=m, title=f"Film {m}") for m in range(1, 11)])
    Viewer.objects.bulk_create([Viewer(id=v) for v in (1, 2, 3)])
    ratings = [(1, 1, 5), (2, 1, 4.5), (2, 3, 5), (3, 1, 4), (3, 3, 4), (3, 5, 4.5), (1, 2, 1)]
    Rating.objects.bulk_create([Rating(viewer_id=v, movie_id=m, stars=s, timestamp=1)
                                for v, m, s in ratings])
    from re_sys.services.importing import movie_stats_refresh
    movie_stats_refresh()
    yield
    recommending._store.cache_clear()


@pytest.fixture
def served(catalogue, settings):
    switch_current(settings.RE_SYS_MODEL_DIR, two_kinds_run(settings.RE_SYS_MODEL_DIR / "runs" / "r"))


def _error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code and body["error"]["message"]


def test_recommendations_from_the_model(client, served):
    body = client.get("/api/users/1/recommendations?k=3").json()
    assert body["model"] == "r" and body["fallback"] is False and len(body["results"]) == 3
    first = body["results"][0]
    assert set(first) == {"movie_id", "title", "score", "channel", "reason"}
    assert 1 not in [r["movie_id"] for r in body["results"]]


def test_without_a_model_popular_is_flagged_and_model_endpoints_answer_503(client, catalogue):
    body = client.get("/api/users/1/recommendations?k=2").json()
    assert body["fallback"] is True and body["model"] is None
    assert {r["channel"] for r in body["results"]} == {"popular"}
    _error(client.get("/api/movies/1/similar"), 503, "no_model")
    _error(client.get("/api/movies/1/prediction?user=1"), 503, "no_model")


@pytest.mark.parametrize("k", ["0", "101", "-1", "abc", "1e3", "", "9" * 30])
def test_k_is_validated(client, served, k):
    _error(client.get(f"/api/movies/popular?k={k}"), 400, "invalid_k")


def test_unknown_ids_are_404(client, served):
    _error(client.get("/api/users/99/recommendations"), 404, "user_not_found")
    _error(client.get("/api/movies/99/similar"), 404, "movie_not_found")
    _error(client.get("/api/movies/99/also-liked"), 404, "movie_not_found")
    _error(client.get("/api/movies/1/prediction?user=99"), 404, "user_not_found")
    _error(client.get("/api/movies/1/prediction?user=x"), 400, "invalid_user")
    _error(client.get("/api/movies/1/also-liked?user=-3"), 400, "invalid_user")
    _error(client.get("/api/movies/1/prediction"), 400, "missing_user")


def test_similar_popular_also_liked_prediction(client, admin_client, served, settings):
    settings.RE_SYS_ALSO_LIKED_MIN_FANS = 1  # the mechanics, on four viewers (the floor: test_privacy.py)
    similar = client.get("/api/movies/1/similar?k=2").json()["results"]
    assert [r["channel"] for r in similar] == ["similar", "similar"]
    popular = client.get("/api/movies/popular?k=2").json()["results"]
    assert popular[0]["movie_id"] == 1  # four ratings averaging 4.6
    liked = client.get("/api/movies/1/also-liked?k=5").json()["results"]
    assert [r["movie_id"] for r in liked][:1] == [3] and 1 not in [r["movie_id"] for r in liked]
    assert "people who loved Film 1 also loved this" in liked[0]["reason"]
    # Leaving out what a viewer saw is for that viewer and staff only (tests/production/test_privacy.py).
    seen = admin_client.get("/api/movies/1/also-liked?k=5&user=3").json()["results"]
    assert not {3, 5} & {r["movie_id"] for r in seen}
    prediction = client.get("/api/movies/3/prediction?user=1").json()
    assert prediction["prediction"] > 3.5


def test_popular_within_a_genre_and_unknown_genres(client, served):
    from re_sys.models import Genre

    Genre.objects.create(name="Comedy").movies.add(3, 5, 7)
    comedy = client.get("/api/movies/popular?k=5&genre=Comedy").json()
    assert comedy["genre"] == "Comedy"
    assert [r["movie_id"] for r in comedy["results"]] == [3, 5]  # 7 has no ratings
    assert all("Popular in Comedy" in r["reason"] for r in comedy["results"])
    _error(client.get("/api/movies/popular?genre=comedy"), 404, "genre_not_found")
    _error(client.get("/api/movies/popular?genre=Nope"), 404, "genre_not_found")


def test_wrong_method_is_405_in_the_same_shape(client, served):
    response = client.post("/api/movies/popular")
    _error(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET"


@pytest.fixture
def signed_in(catalogue):
    user = get_user_model().objects.create_user("ann", password="pw-Ann-12345")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/")  # sets the csrftoken cookie
    return client, user


def _post(client, body, token=True):
    headers = {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value} if token else {}
    return client.post("/api/ratings", json.dumps(body), content_type="application/json", **headers)


def test_rating_set_change_remove(signed_in):
    client, user = signed_in
    answer = _post(client, {"movie_id": 7, "stars": 3.5})
    assert answer.status_code == 200
    viewer = Viewer.objects.get(user=user)
    # A site account's viewer id is drawn at random far above the dataset's, not the next one.
    assert viewer.pk >= 1_000_000_000 and Rating.objects.get(viewer=viewer, movie_id=7).stars == 3.5
    assert Movie.objects.get(pk=7).rating_count == 1
    _post(client, {"movie_id": 7, "stars": 5})
    assert Rating.objects.filter(viewer=viewer, movie_id=7).count() == 1
    assert Movie.objects.get(pk=7).rating_mean == 5.0
    assert _post(client, {"movie_id": 7, "stars": None}).json()["removed"] is True
    assert not Rating.objects.filter(viewer=viewer).exists()
    assert Movie.objects.get(pk=7).rating_count == 0


@pytest.mark.parametrize("body, code", [
    ({"movie_id": 7, "stars": 5.5}, "invalid_stars"),
    ({"movie_id": 7, "stars": 0}, "invalid_stars"),
    ({"movie_id": 7, "stars": 3.3}, "invalid_stars"),
    ({"movie_id": 7, "stars": "four"}, "invalid_stars"),
    ({"movie_id": 7, "stars": True}, "invalid_stars"),
    ({"movie_id": "7", "stars": 4}, "invalid_rating"),
    ({"stars": 4}, "invalid_rating"),
    ({"movie_id": 7, "stars": 4, "note": "x"}, "invalid_rating"),
    (["not", "an", "object"], "invalid_json"),
    ("x", "invalid_json"),
    ({"movie_id": 7, "stars": 4, "x": {"a": 1}}, "invalid_json"),
])
def test_bad_ratings_are_400_and_change_nothing(signed_in, body, code):
    client, _ = signed_in
    _error(_post(client, body), 400, code)
    assert Rating.objects.count() == 7


@pytest.mark.parametrize("url", ["/api/ratings", "/api/me/ratings", "/api/me/marks"])
@pytest.mark.parametrize("raw", [b"", b"not json", b"[1, 2]", b'"x"', b"42", b"null"])
def test_a_body_that_is_not_one_flat_object_is_invalid_json_and_writes_nothing(signed_in, url, raw):
    client, _ = signed_in
    _error(client.post(url, raw, content_type="application/json",
                       HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value), 400, "invalid_json")
    assert Rating.objects.count() == 7


@pytest.mark.parametrize("url", ["/api", "/api/", "/api/nope", "/api/me/ratings/", "/api/movies/abc/similar",
                                 "/api/movies/-1/similar", "/api/movies/1", "/api/users/1/ratings"])
def test_any_other_api_address_is_a_json_404(served, url):
    client = Client(enforce_csrf_checks=True)       # no session, no CSRF token: still the 404
    for method in (client.get, client.post, client.delete):
        _error(method(url), 404, "not_found")


def test_a_user_in_the_path_that_is_not_a_whole_number_is_400(client, served):
    for user in ("abc", "-1", "1.5", "%C2%B2"):
        _error(client.get(f"/api/users/{user}/recommendations"), 400, "invalid_user")


def test_the_callers_hidden_films_are_in_none_of_their_api_lists(client, served, settings):
    from re_sys.services import marks
    from re_sys.services.ratings import viewer_for_user

    settings.RE_SYS_ALSO_LIKED_MIN_FANS = 1      # lists on four viewers

    def ids(response):
        assert response.status_code == 200, response.content
        return [r["movie_id"] for r in response.json()["results"]]
    from django.core.cache import caches

    urls = ["/api/movies/1/similar?k=9", "/api/movies/1/also-liked?k=9", "/api/movies/popular?k=10"]
    before = {url: ids(client.get(url)) for url in urls}          # anonymous: fills the shared cache
    assert all(before.values()), before
    caches["answers"].clear()            # the personal answers come first: none may be kept for others
    user = get_user_model().objects.create_user("hid", password="pw-Hid-12345")
    client.force_login(user)
    viewer = viewer_for_user(user)
    for url in urls:
        shown = before[url][0]
        marks.mark_set(viewer=viewer, movie=Movie.objects.get(pk=shown), kind="hidden", on=True)
        assert shown not in ids(client.get(url)), url
    also = ids(client.get(f"/api/movies/1/also-liked?k=9&user={viewer.pk}"))
    assert not set(also) & set(marks.marked_ids(viewer, "hidden"))
    client.logout()                                                # and the shared answers are untouched
    assert {url: ids(client.get(url)) for url in urls} == before


def test_rating_needs_sign_in_csrf_and_a_known_movie(signed_in, catalogue):
    client, _ = signed_in
    _error(_post(client, {"movie_id": 7, "stars": 4}, token=False), 403, "csrf_failed")
    _error(_post(client, {"movie_id": 99, "stars": 4}), 404, "movie_not_found")
    anonymous = Client()
    _error(anonymous.post("/api/ratings", "{}", content_type="application/json"), 401, "not_signed_in")
    raw = client.post("/api/ratings", b"{not json", content_type="application/json",
                      HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)
    _error(raw, 400, "invalid_json")
    big = client.post("/api/ratings", b"{" + b" " * 5000 + b"}", content_type="application/json",
                      HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)
    _error(big, 413, "body_too_large")
    assert Rating.objects.count() == 7


def test_also_liked_from_the_run_agrees_with_the_sql_fallback(client, catalogue, settings):
    """The run's precomputed lists and the live SQL aggregate give the same answer."""
    import numpy as np

    from re_sys.recommend.serving.channels.also_liked import also_liked_neighbours

    sql = recommending.movie_also_liked(movie_id=1, k=5)  # no run served yet
    run = two_kinds_run(settings.RE_SYS_MODEL_DIR / "runs" / "r")
    movie_ids = np.load(run / "movie_ids.npy")
    user_ids = np.unique(Rating.objects.values_list("viewer_id", flat=True))
    rows = list(Rating.objects.values_list("viewer_id", "movie_id", "stars"))
    lists = also_liked_neighbours(np.searchsorted(user_ids, [v for v, _, _ in rows]),
                                  np.searchsorted(movie_ids, [m for _, m, _ in rows]),
                                  np.array([s for _, _, s in rows], np.float32), len(user_ids),
                                  len(movie_ids), keep=5)
    for name, array in lists.items():
        np.save(run / f"{name}.npy", array)
    switch_current(settings.RE_SYS_MODEL_DIR, run)
    served = recommending.movie_also_liked(movie_id=1, k=5)
    assert recommending.engine_current().has_also_liked
    assert [(r.movie_id, r.reason) for r in served] == [(r.movie_id, r.reason) for r in sql]
    np.testing.assert_allclose([r.score for r in served], [r.score for r in sql], rtol=1e-5)


def test_answers_shared_by_everyone_are_kept_per_run(client, admin_client, served, settings,
                                                     django_assert_num_queries):
    settings.RE_SYS_ALSO_LIKED_MIN_FANS = 1
    first = client.get("/api/movies/1/similar?k=3")
    with django_assert_num_queries(0):
        again = client.get("/api/movies/1/similar?k=3")
    assert again.content == first.content and again["Content-Type"] == "application/json"
    assert client.get("/api/movies/1/similar?k=2").json()["results"] != first.json()["results"]
    # a newly served run is answered afresh, not from what the old run said
    switch_current(settings.RE_SYS_MODEL_DIR, two_kinds_run(settings.RE_SYS_MODEL_DIR / "runs" / "r2", seed=5))
    assert client.get("/api/movies/1/similar?k=3").json()["model"] == "r2"
    # errors are never kept: the movie appears, the next call finds it
    _error(client.get("/api/movies/77/also-liked?k=3"), 404, "movie_not_found")
    Movie.objects.create(id=77, title="Late arrival")
    assert client.get("/api/movies/77/also-liked?k=3").status_code == 200
    # a viewer's own exclusions are never served from the shared answer
    assert 3 in [r["movie_id"] for r in client.get("/api/movies/1/also-liked?k=5").json()["results"]]
    mine = admin_client.get("/api/movies/1/also-liked?k=5&user=2").json()["results"]
    assert 3 not in [r["movie_id"] for r in mine]
