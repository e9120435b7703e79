"""Property-based fuzzing: whatever arrives, the answer is a clear 2xx/4xx (never a 500),
and a malformed dataset file is a clear error that leaves the database unchanged."""
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from hypothesis import HealthCheck, example, given, settings, strategies as st

from re_sys.models import DatasetImport, Movie, Rating, Viewer
from re_sys.recommend.serving.runs import switch_current
from re_sys.services import recommending
from tests.datasets import write_ml1m, write_ml100k, write_latest
from tests.recommend.fake_run import two_kinds_run

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
# Everything a query string or form field might carry: text, huge and negative numbers, unicode.
values = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-10**30, max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["", "0", "-1", "1e309", "nan", "½", "１", "٣", "\x00", "%00", "../../etc/passwd",
                     "' OR 1=1 --", "<script>", "9" * 400]),
    # Digits that str.isdigit() takes and int() refuses (or reads as another number).
    st.sampled_from(["²", "¹", "³", "⁵", "₂", "①", "٣", "१", "𝟗", "1²", "²0"]),
    st.text(alphabet=st.characters(categories=["Nd", "No"]), min_size=1, max_size=4),
)
# Any JSON value, nested as deep as a 4 KB body allows.
json_values = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8)),
                           lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                   st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                           max_leaves=20)
ids = st.one_of(st.integers(min_value=-10**20, max_value=10**20), values)


@pytest.fixture
def site(settings):
    recommending._store.cache_clear()
    Movie.objects.bulk_create([Movie(id=m, title=f"Film {m}") for m in range(1, 11)])
    Viewer.objects.bulk_create([Viewer(id=v) for v in (1, 2, 3)])
    Rating.objects.bulk_create([Rating(viewer_id=1, movie_id=1, stars=4, timestamp=1)])
    switch_current(settings.RE_SYS_MODEL_DIR, two_kinds_run(settings.RE_SYS_MODEL_DIR / "runs" / "r"))
    yield
    recommending._store.cache_clear()


def _clear(response) -> None:
    assert response.status_code < 500, (response.status_code, response.content[:300])
    if response["Content-Type"].startswith("application/json") and response.status_code >= 400:
        assert json.loads(response.content)["error"]["message"]


@FUZZ
@given(movie=ids, user=ids, k=values, genre=values, signed_in=st.booleans(), token=st.one_of(st.none(), values))
@example(movie=1, user=1, k="10", genre="Drama", signed_in=False, token=None)
@example(movie=1, user="²", k="²", genre="Drama", signed_in=True, token=None)
@example(movie="¹", user="1", k="¹", genre="", signed_in=False, token="rsk_²")
def test_api_parameters_never_cause_a_500(site, movie, user, k, genre, signed_in, token):
    client = Client()
    if signed_in:
        client.force_login(get_user_model().objects.get_or_create(username="fuzz")[0])
    headers = {} if token is None else {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    from urllib.parse import quote
    m, u = quote(str(movie), safe=""), quote(str(user), safe="")
    for url, params in ((f"/api/users/{u}/recommendations", {"k": k}),
                        ("/api/me/recommendations", {"k": k}),
                        ("/api/me/ratings", {"k": k}),
                        (f"/api/movies/{m}/similar", {"k": k}),
                        (f"/api/movies/{m}/also-liked", {"k": k}),
                        (f"/api/movies/{m}/also-liked", {"k": k, "user": user}),
                        ("/api/movies/popular", {"k": k, "genre": genre}),
                        (f"/api/movies/{m}/prediction", {"user": user}),
                        (f"/api/movies/{m}/prediction", {})):
        _clear(client.get(url, params, **headers))


@pytest.mark.parametrize("k", ["²", "¹", "٣", "１", "1²"])
def test_unicode_digits_are_not_numbers_anywhere(site, k):
    client = Client()
    for url in (f"/api/movies/popular?k={k}", f"/api/movies/1/similar?k={k}", f"/api/users/1/recommendations?k={k}"):
        response = client.get(url)
        assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_k", url
    for url in (f"/api/movies/1/prediction?user={k}", f"/api/movies/1/also-liked?user={k}"):
        assert client.get(url).json()["error"]["code"] == "invalid_user", url


@FUZZ
@given(body=json_values)
@example(body=[[[[[[[[]]]]]]]])
def test_nested_json_bodies_are_400_never_500(site, body):
    client = Client()
    client.force_login(get_user_model().objects.get_or_create(username="fuzz")[0])
    _clear(client.post("/api/ratings", json.dumps(body), content_type="application/json"))
    _clear(client.post("/api/me/ratings", json.dumps({"movie_id": 1, "stars": body}),
                       content_type="application/json"))


def test_a_4000_byte_nested_array_is_refused_in_json(site):
    client = Client()
    client.force_login(get_user_model().objects.get_or_create(username="fuzz")[0])
    response = client.post("/api/ratings", "[" * 2000 + "]" * 2000, content_type="application/json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_json"


@FUZZ
@given(movie_id=st.one_of(ids, st.none(), st.lists(st.integers(), max_size=2)),
       stars=st.one_of(values, st.floats(), st.integers(), st.none(), st.booleans()),
       raw=st.one_of(st.none(), st.binary(max_size=200)))
def test_rating_api_bodies_never_cause_a_500(site, movie_id, stars, raw):
    client = Client()
    client.force_login(get_user_model().objects.get_or_create(username="fuzz")[0])
    body = raw if raw is not None else json.dumps({"movie_id": movie_id, "stars": stars})
    response = client.post("/api/ratings", body, content_type="application/json")
    _clear(response)
    assert all(r.stars * 2 == int(r.stars * 2) and 0.5 <= r.stars <= 5 for r in Rating.objects.all())


@FUZZ
@given(q=values, genre=values, year=values, page=values, stars=values)
def test_forms_and_pages_never_cause_a_500(site, q, genre, year, page, stars):
    client = Client()
    client.force_login(get_user_model().objects.get_or_create(username="fuzz")[0])
    _clear(client.get("/search/", {"q": q, "genre": genre, "year": year, "page": page}))
    _clear(client.get("/", {"page": page}))
    _clear(client.post("/movies/1/rate/", {"stars": stars}))
    _clear(Client().post("/accounts/signup/", {"username": q, "password1": genre, "password2": genre}))
    _clear(Client().post("/accounts/login/", {"username": q, "password": genre}))


# Every page a GET reaches, with the parameters any of them reads; each page ignores the rest.
PAGES = ("/", "/movies/{movie}/", "/movies/{movie}/poster.svg", "/search/", "/for-you/", "/watchlist/",
         "/genres/{genre}/", "/years/{year}/", "/users/{user}/", "/profile/", "/insights/", "/model/",
         "/onboarding/", "/accounts/signup/", "/accounts/login/")
PARAMETERS = ("q", "page", "sort", "order", "genre", "year", "decade", "k", "next", "lang", "variety")


@FUZZ
@given(movie=st.integers(min_value=0, max_value=10**20), user=st.integers(min_value=0, max_value=10**20),
       year=st.integers(min_value=0, max_value=10**20), genre=values,
       query=st.dictionaries(st.sampled_from(PARAMETERS), values, max_size=4), signed_in=st.booleans())
@example(movie=1, user=1, year=1995, genre="Drama", query={"sort": "bogus", "page": "-1"}, signed_in=True)
def test_every_page_answers_odd_paths_and_query_strings_without_a_500(site, movie, user, year, genre, query,
                                                                      signed_in):
    from urllib.parse import quote

    client = Client()
    if signed_in:
        client.force_login(get_user_model().objects.get_or_create(username="fuzz")[0])
    for page in PAGES:
        url = page.format(movie=movie, user=user, year=year, genre=quote(genre, safe="") or "x")
        _clear(client.get(url, query))


WRITERS = {"ml-100k": (write_ml100k, "u.data"), "ml-1m": (write_ml1m, "ratings.dat"),
           "latest": (write_latest, "movies.csv")}


@pytest.fixture
def imported(tmp_path):
    call_command("import_movielens", str(write_ml100k(tmp_path / "first")), verbosity=0)
    return _snapshot()


def _snapshot():
    return (list(DatasetImport.objects.values_list("name", "fingerprint")),
            sorted(Movie.objects.values_list("id", "title")),
            sorted(Rating.objects.values_list("viewer_id", "movie_id", "stars")))


@FUZZ
@given(fmt=st.sampled_from(sorted(WRITERS)), damage=st.sampled_from(["truncate", "separator", "garbage"]),
       where=st.floats(min_value=0.05, max_value=0.95), junk=st.binary(min_size=1, max_size=64))
def test_malformed_dataset_files_are_a_clear_error_and_change_nothing(imported, tmp_path_factory, fmt,
                                                                     damage, where, junk):
    writer, name = WRITERS[fmt]
    folder = writer(tmp_path_factory.mktemp(fmt) / fmt)
    target = folder / name
    data = target.read_bytes()
    cut = max(1, int(len(data) * where))
    if damage == "truncate":       # a download that stopped half-way through a line
        data = data[:cut].rstrip(b"\n") + b"\n" if b"\n" not in data[cut - 1:cut] else data[:cut - 2]
    elif damage == "separator":    # another format's separator on one line
        line_start = data.rfind(b"\n", 0, cut) + 1
        line_end = data.find(b"\n", cut)
        line = data[line_start:line_end if line_end >= 0 else None]
        swapped = line.replace(b"::", b";").replace(b"\t", b",").replace(b"|", b"\t").replace(b",", b"\t")
        data = data[:line_start] + (swapped if swapped != line else b"1;2;3") + data[line_start + len(line):]
    else:                          # binary garbage spliced in
        data = data[:cut] + b"\x00\xff" + junk + b"\n\x00" + data[cut:]
    target.write_bytes(data)
    before = _snapshot()  # an earlier example may have replaced the first import
    try:
        call_command("import_movielens", str(folder), "--replace", verbosity=0)
    except CommandError as exc:
        # Names the file and line at fault (the damaged file, or one that now disagrees with it).
        assert re.search(re.escape(str(folder)) + r"/[\w.]+:\d+: ", str(exc)) or \
            "format" in str(exc).lower(), exc
        assert "The database was not changed." in str(exc)
        assert _snapshot() == before
    else:  # the damage happened to leave a valid, smaller dataset: it replaced the old one whole
        assert DatasetImport.objects.get().name == fmt
