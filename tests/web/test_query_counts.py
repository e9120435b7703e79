"""No N+1: the main pages make the same number of queries however many movies they list."""
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from re_sys.models import Genre, Movie, MovieMark, Rating, Viewer

pytestmark = pytest.mark.django_db

PAGES = ["/", "/?sort=rating", "/movies/3/", "/for-you/", "/search/?q=film", "/genres/Comedy/",
         "/years/1995/", "/watchlist/", "/profile/", "/insights/", "/model/", "/onboarding/"]


@pytest.fixture
def member(client, served):
    Viewer.objects.bulk_create([Viewer(id=1), Viewer(id=2)])
    user = get_user_model().objects.create_user("ana", password="pw-pw-pw-123")
    client.force_login(user)
    for movie in (1, 3, 5):
        client.post(f"/movies/{movie}/rate/", {"stars": "5.0"})
    return Viewer.objects.get(user=user)


def _grow(member, extra: int, start: int) -> None:
    """More movies, each with genres, ratings, marks and a search hit."""
    comedy = Genre.objects.get(name="Comedy")
    for pk in range(start, start + extra):
        movie = Movie.objects.create(id=pk, title=f"Film {pk}", year=1995, rating_count=1, rating_mean=4.0)
        movie.genres.add(comedy)
        Rating.objects.create(viewer=member, movie=movie, stars=4.0, timestamp=pk)
        MovieMark.objects.create(viewer=member, movie=movie, kind="watchlist")


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, follow=True)
    assert response.status_code == 200, url
    return len(captured)


def test_query_counts_do_not_grow_with_the_data(client, member):
    _grow(member, 3, 100)
    small = {url: _queries(client, url) for url in PAGES}
    _grow(member, 30, 200)
    large = {url: _queries(client, url) for url in PAGES}
    grown = {url: (small[url], large[url]) for url in PAGES if large[url] > small[url]}
    assert grown == {}


# Pinned: a change here is a deliberate decision, not an accident. Messages live in the
# session since the API tokens (one message shows a token once): the first page after the
# member's ratings reads and clears them there (home +3), the movie page no longer does (-3).
# Stars and Save/Hide on every card: one query for the member's marks on the listed movies
# (+1; their stars come from the ratings the page reads anyway), the movie page's own rating
# and marks folded into it (-2); whether any Chinese titles exist, so the search label promises
# only what the data holds (home and search +1); the dataset's name in the footer, read where the
# page has not read it already (+1; these pages have no import).
PINNED = {"/": 22, "/movies/3/": 14, "/for-you/": 9, "/search/?q=film": 11, "/genres/Comedy/": 11}


def test_query_counts_of_the_main_pages_are_pinned(client, member):
    _grow(member, 5, 100)
    assert {url: _queries(client, url) for url in PINNED} == PINNED
