"""The viewer's own controls: watchlist, hide, the recommender choice, predicted stars; browsing."""
import pytest
from django.contrib.auth import get_user_model

from re_sys.models import Movie, MovieMark, Rating, Viewer
from re_sys.services import recommending

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client, served):
    """A signed-in site member (viewer 3: unknown to the run) who loves odd movies."""
    Viewer.objects.bulk_create([Viewer(id=1), Viewer(id=2)])
    user = get_user_model().objects.create_user("ana", password="pw-pw-pw-123")
    client.force_login(user)
    for movie, stars in ((1, "5.0"), (3, "5.0"), (5, "5.0"), (2, "0.5")):
        assert client.post(f"/movies/{movie}/rate/", {"stars": stars}).status_code == 302
    return Viewer.objects.get(user=user)


def _for_you(client):
    return [movie.pk for movie, _ in client.get("/for-you/").context["items"]]


def test_watchlist_add_list_and_remove(client, member):
    response = client.post("/movies/7/watchlist/", {"next": "/watchlist/"})
    assert response.status_code == 302 and response["Location"] == "/watchlist/"
    assert MovieMark.objects.filter(viewer=member, movie_id=7, kind="watchlist").exists()
    page = client.get("/watchlist/")
    assert [m.pk for m in page.context["movies"]] == [7]
    assert "On your watchlist" in client.get("/movies/7/").content.decode()
    client.post("/movies/7/watchlist/")
    assert not MovieMark.objects.exists()
    assert client.get("/watchlist/").context["movies"] == []


def test_watchlist_and_hide_need_sign_in_post_and_a_real_movie(client, served):
    for url in ("/movies/7/watchlist/", "/movies/7/hide/", "/watchlist/"):
        response = client.post(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    # A press whose session ran out signs in, then goes back to the form's page, not to the control.
    assert client.post("/movies/7/hide/")["Location"] == "/accounts/login/?next=/movies/7/"
    assert client.post("/movies/7/hide/", {"next": "/genres/Comedy/?page=2"})["Location"] == \
        "/accounts/login/?next=/genres/Comedy/%3Fpage%3D2"
    assert client.post("/movies/7/hide/", {"next": "https://evil.example/"})["Location"] == \
        "/accounts/login/?next=/movies/7/"
    assert client.post("/for-you/recommender/", {"recommender": "als"})["Location"] == \
        "/accounts/login/?next=/for-you/"
    client.force_login(get_user_model().objects.create_user("bo", password="pw-pw-pw-123"))
    assert client.get("/movies/7/hide/").status_code == 405
    assert client.post("/movies/999/hide/").status_code == 404
    # `next` never leaves the site
    response = client.post("/movies/7/watchlist/", {"next": "https://evil.example/"})
    assert response["Location"] == "/movies/7/"
    assert MovieMark.objects.count() == 1


def test_hidden_movies_leave_every_list_until_unhidden(client, member):
    before = _for_you(client)
    assert sorted(before[:2]) == [7, 9]
    client.post("/movies/7/watchlist/")
    client.post("/movies/7/hide/")
    assert not MovieMark.objects.filter(kind="watchlist").exists()  # hiding unsaves
    assert 7 not in _for_you(client)
    assert 7 not in [m.pk for m, _ in client.get("/").context["for_you"]]
    assert 7 not in [m.pk for m in client.get("/").context["hot"]]
    similar = dict(client.get("/movies/5/").context["rows"])
    assert similar and all(7 not in [m.pk for m, _ in items] for items in similar.values())
    assert 7 in [m.pk for m in client.get(f"/users/{member.pk}/").context["hidden"]]
    client.post("/movies/7/hide/")  # unhide
    assert 7 in _for_you(client)


def test_the_recommender_choice_orders_for_you_and_is_remembered(client, member):
    blend = _for_you(client)
    assert client.post("/for-you/recommender/", {"recommender": "popular"}).status_code == 302
    member.refresh_from_db()
    assert member.recommender == "popular"
    popular = _for_you(client)
    # Most ratings first, rated ones excluded, and what the run predicts below 3★ for this member
    # (the even films: she loves odd ones) only after the rest.
    assert popular[:2] == [7, 9] and popular[2] == 4 and all(m % 2 == 0 for m in popular[2:])
    assert popular != blend and not {1, 2, 3, 5} & set(popular)
    client.post("/for-you/recommender/", {"recommender": "text-cnn"})
    text_cnn = _for_you(client)
    assert sorted(text_cnn[:2]) == [7, 9]
    # Its picks' reason is their predicted stars: each card says it once, on its stars line.
    page = client.get("/for-you/").content.decode()
    assert "For you: " in page and "Predicted ★" not in page
    response = client.post("/for-you/recommender/", {"recommender": "astrology"}, follow=True)
    assert "Choose one of the listed recommenders" in response.content.decode()
    member.refresh_from_db()
    assert member.recommender == "text-cnn"


def test_cards_show_the_predicted_stars_for_the_signed_in_viewer(client, member):
    page = client.get("/genres/Comedy/")
    cards = {m.pk: (m.predicted, m.their_stars) for m in page.context["page"].object_list}
    assert cards == {1: (None, 5.0), 3: (None, 5.0)}     # rated: their own stars, no guess beside them
    home = client.get("/")
    cards = {m.pk: m.predicted for m in home.context["hot"] if m.their_stars is None}
    assert all(p is not None for p in cards.values())
    odd = [p for m, p in cards.items() if m % 2]
    even = [p for m, p in cards.items() if not m % 2]
    assert odd and even and min(odd) > max(even)  # the planted taste shows in the stars
    assert "For you:" in home.content.decode()
    client.logout()
    assert all(m.predicted is None for m in client.get("/").context["hot"])


def test_a_movie_page_predicts_the_members_stars_only_until_she_rates_it(client, member):
    assert "Predicted for you" in client.get("/movies/7/").content.decode()
    client.post("/movies/7/rate/", {"stars": "4.5"})
    page = client.get("/movies/7/").content.decode()
    assert "Predicted for you" not in page and "Your rating" in page


def test_the_popular_choice_looks_past_the_most_popular_for_what_the_member_will_like(client, member):
    # The three most popular unrated films are even ones, which she is predicted to dislike; the
    # odd ones come later in the popular order, and must come first in her list all the same.
    Movie.objects.filter(pk__in=[6, 8, 10]).update(rating_count=30, rating_mean=3.5)
    member.recommender = "popular"
    member.save()
    assert [r.movie_id for r in recommending.viewer_recommendations(viewer=member, k=1)] == [7]
    assert [r.movie_id for r in recommending.viewer_recommendations(viewer=member, k=2)] == [7, 9]


def test_browse_sorts_by_popularity_rating_year_and_title(client, catalogue):
    Rating.objects.all().delete()
    ids = lambda url: [m.pk for m in client.get(url).context["page"].object_list]  # noqa: E731
    assert ids("/genres/Comedy/") == [3, 1]                   # most rated first
    assert ids("/genres/Comedy/?sort=oldest") == [1, 3]
    assert ids("/?sort=newest")[:2] == [2, 3]                 # 1995, ties by id
    assert ids("/?sort=title") == [1, 2, 4, 3]
    Movie.objects.filter(pk=4).update(rating_mean=5.0, rating_count=200)
    assert ids("/?sort=rating")[0] == 4
    Movie.objects.filter(pk=1).update(rating_mean=5.0, rating_count=1)  # one 5★ is not enough
    assert ids("/?sort=rating").index(1) > ids("/?sort=rating").index(4)
    assert ids("/years/1995/") == [3, 2]
    assert client.get("/years/1800/").status_code == 404
    # A year's page offers no sorting by year (it would change nothing there); other pages do.
    assert 'value="newest"' not in client.get("/years/1995/").content.decode()
    assert 'value="oldest"' in client.get("/genres/Comedy/").content.decode()
    # An old link with such a sort answers in the default order, the one its menu shows.
    old_link = client.get("/years/1995/?sort=newest")
    assert [m.pk for m in old_link.context["page"].object_list] == [3, 2]
    assert '<option value="popular" selected>' in old_link.content.decode()
    bad = client.get("/?sort=random")
    assert bad.status_code == 400 and "Unknown sort order" in bad.content.decode()


def test_pages_show_titles_article_first_but_sort_by_the_stored_title(client, catalogue):
    shown = "The City of Lost Children (La Cité des enfants perdus)"
    page = client.get("/movies/2/").content.decode()
    assert f"<h1>{shown}" in page and f"<title>{shown} (1995)" in page
    listing = client.get("/?sort=title")
    assert shown in listing.content.decode()
    assert [m.pk for m in listing.context["page"].object_list] == [1, 2, 4, 3]  # under C, not T
    for html in (page, listing.content.decode(), client.get("/movies/2/poster.svg").content.decode()):
        assert "Lost Children, The" not in html
    assert f'aria-label="{shown}"' in client.get("/movies/2/poster.svg").content.decode()


def test_movie_page_shows_the_rating_summary_and_distribution(client, catalogue):
    for viewer, stars in enumerate([5.0, 5.0, 4.0, 2.5], start=1):
        Rating.objects.create(viewer=Viewer.objects.create(id=viewer), movie_id=3, stars=stars, timestamp=1)
    summary = client.get("/movies/3/").context["summary"]
    assert (summary["count"], summary["highest"], summary["lowest"]) == (4, 5.0, 2.5)
    assert summary["mean"] == pytest.approx(4.125)
    bars = {b["stars"]: b["count"] for b in summary["bars"]}
    assert bars == {1.0: 0, 2.0: 0, 2.5: 1, 3.0: 0, 4.0: 1, 5.0: 2}
    assert "How it was rated" in client.get("/movies/3/").content.decode()
    assert "Nobody has rated it yet" in client.get("/movies/4/").content.decode()


def _add_channels(settings):
    """Give the served run a 'next' list (films 8 and 7 follow film 5, 8 more often, but the member's
    stars for even films are low) and women's favourite (film 9)."""
    import numpy as np

    from re_sys.recommend.serving.channels.demographic import DemographicPopular
    from re_sys.services import recommending

    folder = settings.RE_SYS_MODEL_DIR / "runs" / "r1"
    transitions = np.zeros((10, 10), np.float32)
    transitions[4, 6] = 1.0
    transitions[4, 7] = 2.0
    np.save(folder / "transitions.npy", transitions)
    DemographicPopular.fit(np.full(3, 5.0), np.array([8, 8, 0]), {"gender:F": np.array([True, True, False])},
                           10).save(folder)
    recommending._store.cache_clear()


def test_for_you_shows_what_comes_next_after_the_latest_ratings(client, member, settings):
    _add_channels(settings)
    next_up = [(r.movie_id, r.reason) for r in recommending.viewer_next_up(viewer=member, k=8)]
    assert next_up[0] == (7, "Often watched after Film 5")     # film 8 is predicted below 3★ for her
    assert not {1, 2, 3, 5} & {m for m, _ in next_up}
    # On the page, "next for you" leaves out what the list above it shows already (in this
    # ten-film catalogue, that is every film left), instead of repeating it.
    page = client.get("/for-you/")
    listed = {m.pk for m, _r in page.context["items"]}
    assert 7 in listed and not listed & {m.pk for m, _r in page.context["next_up"]}


def test_next_for_you_never_starts_from_a_film_the_member_disliked(client, member, settings):
    _add_channels(settings)
    assert client.post("/movies/5/rate/", {"stars": "1.0"}).status_code == 302   # film 7 follows film 5
    next_up = client.get("/for-you/").context["next_up"]
    assert not any("Film 5" in r.reason for _m, r in next_up)
    assert not next_up or next_up[0][0].pk != 7


def test_a_new_member_with_details_but_no_ratings_gets_their_demographic(client, served, settings):
    _add_channels(settings)
    user = get_user_model().objects.create_user("bea", password="pw-pw-pw-123")
    client.force_login(user)
    Viewer.objects.create(id=50, user=user, gender="F", age_group=25)
    items = client.get("/for-you/").context["items"]
    assert (items[0][0].pk, items[0][1].reason) == (9, "Popular with women")
    assert client.get("/for-you/").context["next_up"] == []
