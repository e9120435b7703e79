"""A member's ratings and all derived from them are theirs and staff's, at every door.

Each test is one way in an attacker tried (issue: privacy at every door): the
API's per-user endpoints, also-liked's exclusion, predictions, the profile
page, and guessing ids. Answers for someone else's data must be exactly those
for an id that does not exist.
"""
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from re_sys.models import ApiToken, Movie, MovieMark, Rating, Viewer
from re_sys.recommend.serving.runs import switch_current
from re_sys.services import recommending, tokens
from re_sys.services.ratings import viewer_for_user
from tests.recommend.fake_run import two_kinds_run

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-9"


@pytest.fixture
def site(settings):
    """Dataset viewers 1–3, a member (Ann) who rated and hid movies, and a served run."""
    recommending._store.cache_clear()
    Movie.objects.bulk_create([Movie(id=m, title=f"Film {m}", rating_count=5, rating_mean=3.5)
                               for m in range(1, 11)])
    Viewer.objects.bulk_create([Viewer(id=v, gender="F", age_group=25, occupation="writer") for v in (1, 2, 3)])
    Rating.objects.bulk_create([Rating(viewer_id=v, movie_id=m, stars=4.5, timestamp=1)
                                for v in (1, 2, 3) for m in (1, 3, 5)])
    ann = get_user_model().objects.create_user("annzq", password=PASSWORD)
    viewer = viewer_for_user(ann)
    viewer.gender, viewer.age_group, viewer.occupation = "F", 25, "writer"
    viewer.save()
    for movie, stars in ((1, 4.5), (3, 5.0), (7, 2.0)):
        Rating.objects.create(viewer=viewer, movie_id=movie, stars=stars, timestamp=10)
    MovieMark.objects.create(viewer=viewer, movie_id=9, kind=MovieMark.HIDDEN)
    switch_current(settings.RE_SYS_MODEL_DIR, two_kinds_run(settings.RE_SYS_MODEL_DIR / "runs" / "r"))
    yield ann, viewer
    recommending._store.cache_clear()


def _private_doors(viewer_id: int) -> list[str]:
    return [f"/api/users/{viewer_id}/recommendations?k=100",
            f"/api/movies/2/prediction?user={viewer_id}",
            f"/api/movies/2/also-liked?user={viewer_id}",
            f"/users/{viewer_id}/"]


def _masked(content: bytes, viewer_id: int) -> bytes:
    # The id itself and the per-response CSRF token are the only bytes allowed to differ.
    return re.sub(rb'name="csrfmiddlewaretoken" value="\w+"', b"TOKEN", content.replace(str(viewer_id).encode(), b"ID"))


def _same_as_unknown(client: Client, viewer_id: int, unknown_id: int) -> None:
    """Every door answers a private viewer byte for byte as an id nobody has."""
    for private, missing in zip(_private_doors(viewer_id), _private_doors(unknown_id)):
        a, b = client.get(private), client.get(missing)
        assert a.status_code == b.status_code == 404, (private, a.status_code)
        assert _masked(a.content, viewer_id) == _masked(b.content, unknown_id), private


@pytest.mark.parametrize("demo", [True, False])
def test_a_members_data_is_not_readable_anonymously_at_any_door(site, settings, demo):
    settings.RE_SYS_DEMO = demo
    _ann, viewer = site
    _same_as_unknown(Client(), viewer.pk, 1_999_999_999)


def test_another_member_sees_the_same_as_for_an_unknown_id(site):
    _ann, viewer = site
    bob = Client()
    bob.force_login(get_user_model().objects.create_user("bob", password=PASSWORD))
    _same_as_unknown(bob, viewer.pk, 1_999_999_999)


def test_the_member_and_staff_see_the_member(site):
    ann, viewer = site
    own = Client()
    own.force_login(ann)
    staff = Client()
    staff.force_login(get_user_model().objects.create_user("root", password=PASSWORD, is_staff=True))
    for client in (own, staff):
        recs = client.get(f"/api/users/{viewer.pk}/recommendations?k=100").json()["results"]
        assert recs and not {1, 3, 7, 9} & {r["movie_id"] for r in recs}  # rated and hidden left out
        assert client.get(f"/api/movies/2/prediction?user={viewer.pk}").json()["prediction"] is not None
        liked = client.get(f"/api/movies/5/also-liked?user={viewer.pk}&k=10").json()["results"]
        assert not {1, 3, 7} & {r["movie_id"] for r in liked}
        assert client.get(f"/users/{viewer.pk}/").status_code == 200


def test_dataset_viewers_are_public_only_in_demo_mode(site, settings):
    anonymous = Client()
    settings.RE_SYS_DEMO = True
    assert anonymous.get("/api/users/1/recommendations").status_code == 200
    assert anonymous.get("/api/movies/2/prediction?user=1").status_code == 200
    assert anonymous.get("/users/1/").status_code == 200
    # Leaving out what a viewer rated tells what they rated: also-liked?user= is for oneself only.
    assert anonymous.get("/api/movies/2/also-liked?user=1").status_code == 404
    settings.RE_SYS_DEMO = False
    for door in _private_doors(1):
        assert anonymous.get(door).status_code == 404, door


def test_reasons_shown_to_a_demo_visitor_never_name_a_member(site, settings):
    """Only Ann rated Film 7 (2★): no answer about anyone else may cite it, her name or her id."""
    settings.RE_SYS_DEMO = True
    anonymous = Client()
    answers = [anonymous.get(f"/api/users/{v}/recommendations?k=100").json() for v in (1, 2, 3)]
    answers += [anonymous.get(f"/api/movies/{m}/also-liked?k=100").json() for m in (1, 3, 5)]
    reasons = " ".join(r["reason"] for answer in answers for r in answer["results"])
    assert reasons and "Film 7" not in reasons and "annzq" not in reasons and str(site[1].pk) not in reasons


def test_site_account_ids_are_not_sequential_nor_near_the_dataset(site):
    ids = [viewer_for_user(get_user_model().objects.create_user(f"m{i}", password=PASSWORD)).pk
           for i in range(20)]
    assert min(ids) >= 1_000_000_000 and len(set(ids)) == 20
    gaps = sorted(b - a for a, b in zip(sorted(ids), sorted(ids)[1:]))
    assert gaps[0] > 1000  # twenty random draws from ~1.1e9: never neighbours


def test_me_endpoints_answer_for_the_caller_only(site):
    ann, viewer = site
    anonymous = Client()
    assert anonymous.get("/api/me/recommendations").status_code == 401
    assert anonymous.get("/api/me/ratings").status_code == 401
    own = Client()
    own.force_login(ann)
    mine = own.get("/api/me/ratings").json()
    assert mine["user_id"] == viewer.pk
    assert {(r["movie_id"], r["stars"]) for r in mine["results"]} == {(1, 4.5), (3, 5.0), (7, 2.0)}
    recs = own.get("/api/me/recommendations?k=5").json()
    assert recs["user_id"] == viewer.pk and not {1, 3, 7, 9} & {r["movie_id"] for r in recs["results"]}
    assert own.get("/api/movies/2/prediction").json()["user_id"] == viewer.pk


# ------------------------------------------------------------------ tokens


def _bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_a_token_reads_and_writes_its_members_data_without_csrf(site):
    ann, viewer = site
    _token, secret = tokens.token_create(user=ann, name="script")
    script = Client(enforce_csrf_checks=True)  # no session, no cookie
    assert script.get("/api/me/ratings", **_bearer(secret)).json()["user_id"] == viewer.pk
    assert script.get(f"/api/users/{viewer.pk}/recommendations", **_bearer(secret)).status_code == 200
    wrote = script.post("/api/me/ratings", json.dumps({"movie_id": 2, "stars": 3.5}),
                        content_type="application/json", **_bearer(secret))
    assert wrote.status_code == 200, wrote.content
    assert Rating.objects.get(viewer=viewer, movie_id=2).stars == 3.5
    # Someone else's data stays closed to Ann's token.
    other = viewer_for_user(get_user_model().objects.create_user("bob", password=PASSWORD))
    assert script.get(f"/api/users/{other.pk}/recommendations", **_bearer(secret)).status_code == 404


def test_no_shared_cache_may_keep_a_members_answers(site, client):
    ann, viewer = site
    for url in ("/", "/api/movies/2/similar"):
        assert "private" not in client.get(url).get("Cache-Control", ""), url
    client.force_login(ann)
    for url in ("/for-you/", f"/users/{viewer.pk}/", "/movies/2/", "/api/me/ratings"):
        assert "private" in client.get(url)["Cache-Control"], url
    # The generated posters hold nothing of hers: they stay public, for every reader alike.
    assert client.get("/movies/2/poster.svg")["Cache-Control"] == "max-age=86400, public"
    _token, secret = tokens.token_create(user=ann, name="script")
    script = Client()                      # no cookie: the token alone says whose answer it is
    answer = script.get(f"/api/users/{viewer.pk}/recommendations", **_bearer(secret))
    assert answer.status_code == 200 and "private" in answer["Cache-Control"]


def test_tokens_are_stored_hashed_and_revocable(site):
    ann, _viewer = site
    token, secret = tokens.token_create(user=ann, name="script")
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret not in json.dumps({f.name: str(getattr(stored, f.name)) for f in ApiToken._meta.fields})
    assert secret.startswith(stored.prefix)
    client = Client()
    assert client.get("/api/me/ratings", **_bearer(secret)).status_code == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None
    assert tokens.token_revoke(user=ann, token_id=token.pk)
    refused = client.get("/api/me/ratings", **_bearer(secret))
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "invalid_token"
    for header in ("Bearer", "Bearer rsk_nope", "Basic YW5uOnB3", f"Token {secret}"):
        assert client.get("/api/me/ratings", HTTP_AUTHORIZATION=header).status_code == 401, header


def test_a_staff_token_reads_any_viewer_and_a_members_token_does_not(site, settings):
    settings.RE_SYS_DEMO = False
    ann, viewer = site
    root = get_user_model().objects.create_user("root", password=PASSWORD, is_staff=True)
    _t, staff_secret = tokens.token_create(user=root, name="ops")
    _t, ann_secret = tokens.token_create(user=ann, name="mine")
    client = Client()
    for viewer_id in (1, viewer.pk):
        assert client.get(f"/api/users/{viewer_id}/recommendations", **_bearer(staff_secret)).status_code == 200
    assert client.get("/api/users/1/recommendations", **_bearer(ann_secret)).status_code == 404


def test_tokens_are_made_and_revoked_on_the_profile_page(site):
    ann, viewer = site
    client = Client()
    client.force_login(ann)
    refused = client.post("/profile/tokens/", {"name": "laptop", "password": "not-it"}, follow=True)
    assert "not your password" in refused.content.decode() and not ApiToken.objects.exists()
    made = client.post("/profile/tokens/", {"name": "laptop", "password": PASSWORD}, follow=True)
    page = made.content.decode()
    secret = next(word for word in page.replace("<", " ").split() if word.startswith(tokens.TOKEN_PREFIX))
    assert Client().get("/api/me/ratings", **_bearer(secret)).status_code == 200
    token = ApiToken.objects.get(user=ann)
    assert "laptop" in client.get(f"/users/{viewer.pk}/").content.decode()
    # Another member cannot revoke Ann's token by its id.
    bob = Client()
    bob.force_login(get_user_model().objects.create_user("bob", password=PASSWORD))
    assert bob.post(f"/profile/tokens/{token.pk}/revoke/").status_code == 404
    assert client.post(f"/profile/tokens/{token.pk}/revoke/").status_code == 302
    assert Client().get("/api/me/ratings", **_bearer(secret)).status_code == 401


def test_staff_make_a_token_for_a_member_in_the_admin(site, admin_client):
    ann, _viewer = site
    response = admin_client.post("/admin/re_sys/apitoken/add/", {"user": ann.pk, "name": "support"}, follow=True)
    assert response.status_code == 200
    text = " ".join(str(m) for m in response.context["messages"])
    secret = next(word for word in text.split() if word.startswith(tokens.TOKEN_PREFIX))
    assert Client().get("/api/me/ratings", **_bearer(secret)).json()["user_id"] == site[1].pk


# ------------------------------------------------------------------ rate limits


def test_the_api_limits_each_address_and_each_token_with_retry_after(site, settings):
    settings.RE_SYS_API_RATE, settings.RE_SYS_API_TOKEN_RATE = "5/m", "3/m"
    client = Client()
    answers = [client.get("/api/movies/popular").status_code for _ in range(7)]
    assert answers[:5] == [200] * 5 and answers[5:] == [429, 429]
    limited = client.get("/api/movies/popular")
    assert limited.json()["error"]["code"] == "rate_limited" and 1 <= int(limited["Retry-After"]) <= 60
    # A token has its own budget, whatever its address used.
    _t, secret = tokens.token_create(user=site[0], name="script")
    answers = [client.get("/api/me/ratings", **_bearer(secret)).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]


def test_a_new_password_revokes_the_accounts_tokens(site):
    ann, _viewer = site
    _token, secret = tokens.token_create(user=ann, name="script")
    client = Client()
    assert client.get("/api/me/ratings", **_bearer(secret)).status_code == 200
    ann.set_password("another-horse-battery-7")
    ann.save()
    assert client.get("/api/me/ratings", **_bearer(secret)).status_code == 401
    assert not ApiToken.objects.filter(user=ann).exists()


def test_the_name_of_a_token_alone_does_not_revoke_anything(site):
    ann, _viewer = site
    tokens.token_create(user=ann, name="script")
    ann.first_name = "Ann"
    ann.save()  # saved, password unchanged
    assert ApiToken.objects.filter(user=ann).count() == 1


def test_a_locked_database_is_asked_to_note_a_tokens_use_once_a_minute(site, monkeypatch):
    """Reads with a token go on while an import holds the write lock, and do not each wait for it."""
    from django.db import OperationalError

    ann, _viewer = site
    _token, secret = tokens.token_create(user=ann, name="script")
    tries = []

    def locked(self, **kwargs):
        tries.append(kwargs)
        raise OperationalError("database is locked")

    monkeypatch.setattr(type(ApiToken.objects.all()), "update", locked)
    client = Client()
    for _ in range(3):
        assert client.get("/api/me/ratings", **_bearer(secret)).status_code == 200
    assert len(tries) == 1


@pytest.mark.parametrize("served_lists", [True, False])
def test_also_liked_never_lists_what_fewer_than_three_fans_share(site, settings, served_lists):
    """One member alone loved Film 10: its list must not be that member's favourites."""
    ann, viewer = site
    Rating.objects.create(viewer=viewer, movie_id=10, stars=5.0, timestamp=20)
    from re_sys.services.importing import movie_stats_refresh

    movie_stats_refresh()
    if not served_lists:
        recommending._store.cache_clear()
        (settings.RE_SYS_MODEL_DIR / "current").unlink()  # the live SQL path
    assert Client().get("/api/movies/10/also-liked?k=10").json()["results"] == []
    # Films 1 and 3 were loved by all four: each is in the other's list, with its count.
    if not served_lists:
        listed = Client().get("/api/movies/1/also-liked?k=10").json()["results"]
        assert [r["movie_id"] for r in listed][:1] == [3] and "4 people" in listed[0]["reason"]
