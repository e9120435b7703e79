"""Security: CSRF on every write, sign-in for writes, staff-only admin, no open redirect,
sign-in throttling, escaping of dataset strings, parameterised search, bounded inputs."""
import json
import re
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from re_sys.services import signin
from re_sys.models import Movie, Rating
from tests.datasets import write_ml100k

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-battery-9"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def member():
    return get_user_model().objects.create_user("ann", password=PASSWORD)


@pytest.fixture
def movie():
    return Movie.objects.create(id=1, title="Heat", year=1995)


def test_every_write_needs_a_csrf_token(member, movie):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    writes = [
        ("/movies/1/rate/", {"stars": "4.5"}, None),
        ("/api/ratings", json.dumps({"movie_id": 1, "stars": 4.5}), "application/json"),
        ("/accounts/logout/", {}, None),
        ("/accounts/password_change/", {"old_password": PASSWORD, "new_password1": "x" * 12,
                                        "new_password2": "x" * 12}, None),
    ]
    for url, data, content_type in writes:
        kwargs = {"content_type": content_type} if content_type else {}
        assert client.post(url, data, **kwargs).status_code == 403, url
    anonymous = Client(enforce_csrf_checks=True)
    for url, data in (("/accounts/login/", {"username": "ann", "password": PASSWORD}),
                      ("/accounts/signup/", {"username": "bob", "password1": PASSWORD,
                                             "password2": PASSWORD})):
        assert anonymous.post(url, data).status_code == 403, url
    assert not Rating.objects.exists() and not get_user_model().objects.filter(username="bob").exists()


def test_writes_need_sign_in(client, movie):
    response = client.post("/movies/1/rate/", {"stars": "4"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.post("/api/ratings", {"movie_id": 1, "stars": 4},
                       content_type="application/json").status_code == 401
    assert not Rating.objects.exists()


def test_admin_is_for_staff_only(client, member):
    client.force_login(member)
    response = client.get("/admin/re_sys/rating/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    member.is_staff = True
    member.save()
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "http:/\\evil.example",
                                    "javascript:alert(1)"])
def test_sign_in_never_redirects_off_site(client, member, target):
    response = client.post(f"/accounts/login/?next={target}", {"username": "ann", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/for-you/"


def test_sign_in_redirects_to_a_local_next(client, member):
    response = client.post("/accounts/login/?next=/movies/1/", {"username": "ann", "password": PASSWORD})
    assert response["Location"] == "/movies/1/"


def test_repeated_failures_pause_sign_in_for_that_account(client, member):
    for _ in range(signin.USERNAME_LIMIT):
        assert client.post("/accounts/login/", {"username": "ann", "password": "wrong"}).status_code == 400
    paused = client.post("/accounts/login/", {"username": "ANN", "password": PASSWORD})
    assert paused.status_code == 429 and "Too many failed sign-ins" in paused.content.decode()
    assert "_auth_user_id" not in client.session  # even the right password waits
    other = get_user_model().objects.create_user("bea", password=PASSWORD)
    assert client.post("/accounts/login/", {"username": "bea", "password": PASSWORD}).status_code == 302
    assert other.pk == int(client.session["_auth_user_id"])


def test_the_pause_ends_after_the_window(client, member, monkeypatch):
    clock = [1_000_000.0]
    monkeypatch.setattr(signin.time, "time", lambda: clock[0])
    for _ in range(signin.USERNAME_LIMIT):
        client.post("/accounts/login/", {"username": "ann", "password": "wrong"})
    assert client.post("/accounts/login/", {"username": "ann", "password": PASSWORD}).status_code == 429
    clock[0] += signin.WINDOW_S + 1
    assert client.post("/accounts/login/", {"username": "ann", "password": PASSWORD}).status_code == 302


def test_one_address_cannot_cycle_through_usernames(client):
    for i in range(signin.ADDRESS_LIMIT):
        client.post("/accounts/login/", {"username": f"user{i}", "password": "wrong"})
    assert client.post("/accounts/login/", {"username": "fresh", "password": "x"}).status_code == 429


def test_a_script_title_from_a_dataset_file_renders_as_text(tmp_path, client):
    folder = write_ml100k(tmp_path / "ml-100k")
    items = (folder / "u.item").read_bytes().decode("latin-1").splitlines(keepends=True)
    fields = items[0].split("|")
    fields[1] = "<script>alert(1)</script> (1995)"
    (folder / "u.item").write_bytes(("|".join(fields) + "".join(items[1:])).encode("latin-1"))
    call_command("import_movielens", str(folder), verbosity=0)
    viewer = Rating.objects.filter(movie_id=1).values_list("viewer_id", flat=True).first()
    for url in ("/", "/movies/1/", "/search/?q=script", f"/users/{viewer}/"):
        body = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in body, url
    # The API returns the title as data, typed so that no browser renders it as a page.
    api = client.get("/api/movies/popular")
    assert api["Content-Type"] == "application/json" and api["X-Content-Type-Options"] == "nosniff"
    assert "<script>alert(1)</script>" in [r["title"] for r in api.json()["results"]]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get("/movies/1/").content.decode()


@pytest.mark.parametrize("query", ["' OR 1=1 --", "%", "_", "\" OR \"\"=\"", "1; DROP TABLE re_sys_movie"])
def test_search_is_parameterised(client, movie, query):
    Movie.objects.create(id=2, title="Toy Story", year=1995)
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert "Heat" not in response.content.decode() and "Toy Story" not in response.content.decode()
    assert Movie.objects.count() == 2


def test_request_bodies_and_pages_are_bounded(client, member, movie):
    client.force_login(member)
    huge = json.dumps({"movie_id": 1, "stars": 4, "pad": "x" * 400_000})
    response = client.post("/api/ratings", huge, content_type="application/json")
    assert response.status_code in (400, 413) and "error" in response.json()
    form = client.post("/movies/1/rate/", {"stars": "4", "pad": "x" * 400_000})
    assert form.status_code == 400
    assert client.get("/?page=99999999999999999999").status_code in (200, 404)
    assert not Rating.objects.exists()


def test_no_secret_is_committed():
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split()
    patterns = [re.compile(p) for p in (
        r"-----BEGIN [A-Z ]*PRIVATE KEY-----",
        r"AKIA[0-9A-Z]{16}",                                 # AWS access key ids
        r"(?i)DJANGO_SECRET_KEY\s*=\s*['\"]?[A-Za-z0-9_\-]{32,}",
        r"(?i)postgres(ql)?://[^:\s]+:(?!re_sys@|pw@|password@)[^@\s$]+@(?!localhost)",  # passwords in URLs
    )]
    leaks = []
    for name in files:
        path = ROOT / name
        if not path.is_file() or path.suffix in {".png", ".jpg", ".npy", ".keras", ".whl", ".zip"}:
            continue
        text = path.read_text(errors="ignore")
        leaks += [f"{name}: {p.pattern}" for p in patterns if p.search(text)]
    assert leaks == []


def test_every_answer_carries_a_strict_csp_and_a_permissions_policy(client, member, movie):
    client.force_login(member)
    for url in ("/", "/movies/1/", "/search/?q=heat", "/api/movies/popular", "/accounts/login/", "/nope/"):
        response = client.get(url)
        csp = response["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "object-src 'none'" in csp, url
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, url
        assert "camera=()" in response["Permissions-Policy"], url


def test_no_page_has_inline_script_or_style_that_the_csp_would_block(client, member, movie):
    """What the policy forbids must not be in our own pages, or they would break under it."""
    Rating.objects.create(viewer=__import__("re_sys.services.ratings", fromlist=["x"]).viewer_for_user(member),
                          movie=movie, stars=4, timestamp=1)
    client.force_login(member)
    for url in ("/", "/movies/1/", "/search/?q=heat", "/for-you/", "/profile/", "/insights/", "/model/"):
        response = client.get(url, follow=True)
        body = response.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", body), url
        assert not re.search(r"\sstyle=|\son[a-z]+=", body), url
