"""Search, accounts, rating from the movie page, and the "for you" list changing with it."""
import re

import pytest
from django.contrib.auth import get_user_model

from re_sys.models import Genre, Movie, Rating, Viewer
from re_sys.recommend.serving.runs import switch_current
from re_sys.services import recommending
from tests.recommend.fake_run import two_kinds_run

pytestmark = pytest.mark.django_db


def _titles(response):
    return [m.title for m in response.context["page"].object_list]


@pytest.mark.parametrize("query, expected", [
    ("cafe", ["Café au lait"]),                      # accent-insensitive
    ("CITÉ des", ["City of Lost Children, The (Cité des enfants perdus, La)"]),
    ("toy", ["Toy Soldiers", "Toy Story"]),          # partial, most rated first
    ("玩具", ["Toy Story"]),                           # the Chinese title
    ("toy sol", ["Toy Soldiers"]),                   # every word must match
    ("' OR 1=1 --", []),                             # parameterised, finds nothing
    ("schindler’s", ["Schindler's List"]),           # a phone's curly apostrophe
    ("“toy story”", ["Toy Story"]),                  # quoted words, curly quotes
    ('"toy soldiers"', ["Toy Soldiers"]),
    ("l’ours", ["L’Ours"]),                          # a title stored with the curly one
])
def test_search_by_title(client, catalogue, query, expected):
    Movie.objects.create(id=90, title="Schindler's List", rating_count=1)
    Movie.objects.create(id=91, title="L’Ours", rating_count=1)
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert _titles(response) == expected


def test_search_filters_by_genre_and_year_and_keeps_them_across_pages(client, catalogue):
    assert _titles(client.get("/search/", {"q": "toy", "genre": "Comedy"})) == ["Toy Story"]
    assert _titles(client.get("/search/", {"year": "1995", "genre": "Drama"})) == [
        "City of Lost Children, The (Cité des enfants perdus, La)"]
    Movie.objects.bulk_create([Movie(id=100 + i, title=f"Toy {i}", search_text=f"toy {i}")
                               for i in range(30)])
    page = client.get("/search/", {"q": "toy"}).content.decode()
    assert 'href="?q=toy&amp;page=2"' in page


@pytest.mark.parametrize("params", [{"year": "nineteen"}, {"genre": "Nonexistent"},
                                    {"year": "99999"}, {"q": "x" * 500}])
def test_bad_search_input_is_a_400_with_the_reason(client, catalogue, params):
    response = client.get("/search/", params)
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()


def test_a_script_title_is_escaped_in_results(client):
    Movie.objects.create(id=9, title="<script>alert(1)</script>")
    page = client.get("/search/", {"q": "script"}).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def _for_you_ids(client):
    return [movie.pk for movie, _ in client.get("/for-you/").context["items"]]


def test_sign_up_rate_and_see_for_you_change(client, served):
    response = client.post("/accounts/signup/", {
        "username": "ana", "password1": "a-long-pass-phrase", "password2": "a-long-pass-phrase"})
    assert response.status_code == 302 and response["Location"] == "/onboarding/"
    page = client.get("/for-you/")
    assert "Rate at least 3" in page.content.decode()
    popular_first = _for_you_ids(client)

    for movie in (1, 3, 5):  # odd movies loved, so odd ones should come
        assert client.post(f"/movies/{movie}/rate/", {"stars": "5.0"}).status_code == 302
    assert client.post("/movies/2/rate/", {"stars": "0.5"}).status_code == 302
    personal = _for_you_ids(client)
    assert personal != popular_first
    assert not {1, 2, 3, 5} & set(personal)          # rated movies never come back
    assert sorted(personal[:2]) == [7, 9]  # the two unrated odd movies: the planted taste
    viewer = Viewer.objects.get(user__username="ana")
    assert Rating.objects.filter(viewer=viewer).count() == 4

    movie_page = client.get("/movies/3/").content.decode()
    assert ">Your rating</p>" in movie_page and _checked_stars(movie_page, 3) == ["5.0"]
    assert "Remove my rating" in movie_page
    assert "Predicted for you" in client.get("/movies/7/").content.decode()


def test_change_and_remove_a_rating(client, served):
    user = get_user_model().objects.create_user("bo", password="pw-pw-pw-123")
    client.force_login(user)
    client.post("/movies/3/rate/", {"stars": "2.5"})
    client.post("/movies/3/rate/", {"stars": "4.5"})
    viewer = Viewer.objects.get(user=user)
    assert list(viewer.ratings.values_list("stars", flat=True)) == [4.5]
    assert Movie.objects.get(pk=3).rating_count == 1  # stats follow the table
    page = client.get("/movies/3/").content.decode()
    assert _checked_stars(page, 3) == ["4.5"]
    response = client.post("/movies/3/rate/", {"delete": "1"}, follow=True)
    assert "was removed" in response.content.decode()
    assert not viewer.ratings.exists()
    # Unrated again, the widget shows no stars: never a rating the visitor did not give.
    assert _checked_stars(response.content.decode(), 3) == []


def _checked_stars(page: str, movie_id: int) -> list[str]:
    """The checked values of movie `movie_id`'s star widgets on `page`."""
    forms = re.findall(r'<form class="stars[^"]*" method="post" action="/movies/%d/rate/".*?</form>' % movie_id,
                       page, flags=re.S)
    assert forms, f"no star widget for movie {movie_id}"
    return [value for form in forms for value in re.findall(r'value="([0-9.]+)" checked', form)]


def test_an_unrated_movie_offers_no_preselected_stars(client, served):
    client.force_login(get_user_model().objects.create_user("di", password="pw-pw-pw-123"))
    page = client.get("/movies/2/").content.decode()
    assert _checked_stars(page, 2) == [] and " checked" not in page


def test_genre_addresses_ignore_case_and_lead_to_the_one_canonical_address(client, catalogue):
    response = client.get("/genres/comedy/?sort=title")
    assert response.status_code == 301 and response["Location"] == "/genres/Comedy/?sort=title"
    assert client.get("/genres/COMEDY/").status_code == 301
    assert client.get("/genres/Comedy/").status_code == 200
    assert client.get("/genres/Nonsense/").status_code == 404


@pytest.mark.parametrize("stars", ["0", "5.5", "3.3", "abc", ""])
def test_invalid_stars_are_a_400_and_nothing_is_saved(client, served, stars):
    client.force_login(get_user_model().objects.create_user("cy", password="pw-pw-pw-123"))
    response = client.post("/movies/3/rate/", {"stars": stars})
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not Rating.objects.exists()


def test_rating_needs_sign_in_csrf_and_a_real_movie(client, served):
    response = client.post("/movies/3/rate/", {"stars": "4.0"})
    # Signed in, the visitor lands on the movie's page (a GET of the rate address would be a 405).
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/movies/3/"
    assert client.get("/movies/3/rate/").status_code == 302  # not signed in: sign in first

    from django.test import Client
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(get_user_model().objects.create_user("dee", password="pw-pw-pw-123"))
    assert strict.post("/movies/3/rate/", {"stars": "4.0"}).status_code == 403
    assert strict.get("/movies/3/rate/").status_code == 405
    assert strict.post("/movies/999/rate/", {"stars": "4.0"}).status_code in (403, 404)
    assert not Rating.objects.exists()


def test_visitors_get_popular_movies_and_an_invitation(client, catalogue):
    Movie.objects.filter(pk=4).update(rating_mean=4.5)
    page = client.get("/for-you/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Sign in" in text and "create an account" in text
    assert _for_you_ids(client)[0] == 4  # the most rated and best liked


def test_sign_in_page_and_open_redirects_are_refused(client, catalogue):
    get_user_model().objects.create_user("eve", password="pw-pw-pw-123")
    response = client.post("/accounts/login/", {"username": "eve", "password": "pw-pw-pw-123",
                                                "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/for-you/"


def test_every_card_has_a_lazy_poster_cached_or_generated(client, catalogue, settings):
    (settings.MEDIA_ROOT / "posters").mkdir(parents=True)
    (settings.MEDIA_ROOT / "posters" / "3.png").write_bytes(b"\x89PNG fake")
    Movie.objects.filter(pk=3).update(poster="posters/3.png")
    page = client.get("/").content.decode()
    assert 'src="/media/posters/3.png"' in page
    assert 'src="/movies/1/poster.svg"' in page and 'loading="lazy"' in page
    assert '<span class="title-zh" lang="zh">玩具总动员</span>' in page
