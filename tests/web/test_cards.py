"""Every card carries the member's own state (stars, saved, hidden) and the controls that change it;
the marks API that the card's script calls; the smaller things a visitor reads on the pages."""
import json
import re
import xml.dom.minidom

import numpy as np

import pytest
from django.contrib.auth import get_user_model

from re_sys.models import Genre, Movie, MovieMark, Rating, Viewer
from re_sys.posters import genre_colour, poster_svg

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client, served):
    Viewer.objects.bulk_create([Viewer(id=1, occupation="doctor"), Viewer(id=2, occupation="writer")])
    user = get_user_model().objects.create_user("ana", password="pw-pw-pw-123")
    client.force_login(user)
    for movie, stars in ((1, "5.0"), (3, "4.5"), (5, "5.0"), (2, "0.5")):
        client.post(f"/movies/{movie}/rate/", {"stars": stars})
    return Viewer.objects.get(user=user)


def _card(page: str, movie_id: int) -> str:
    """The first card of movie `movie_id` on a page."""
    match = re.search(r'<li class="movie-card[^"]*">(?:(?!</li>).)*?href="/movies/%d/".*?</li>' % movie_id,
                      page, flags=re.S)
    assert match, f"no card of movie {movie_id}"
    return match.group(0)


def _pressed(card: str) -> dict[str, str]:
    """Each mark button's words -> its aria-pressed."""
    return {words: pressed for pressed, words in
            re.findall(r'class="mark-button" aria-pressed="(true|false)"[^>]*>([^<]+)</button>', card)}


def _checked(card: str) -> list[str]:
    return re.findall(r'value="([0-9.]+)" checked', card)


def test_cards_show_the_members_own_stars_and_marks_everywhere(client, member):
    MovieMark.objects.create(viewer=member, movie_id=7, kind="watchlist")
    MovieMark.objects.create(viewer=member, movie_id=9, kind="hidden")
    for url in ("/?sort=title", "/genres/Comedy/", "/search/?q=toy", "/years/1995/"):
        page = client.get(url).content.decode()
        assert _checked(_card(page, 3)) == ["4.5"], url
    listing = client.get("/?sort=title").content.decode()
    assert _checked(_card(listing, 7)) == [] and _pressed(_card(listing, 7)) == {"Saved ✓": "true", "Hide": "false"}
    assert _pressed(_card(listing, 9)) == {"Save": "false", "Hidden · undo": "true"} and "is-hidden" in _card(listing, 9)
    assert _pressed(_card(listing, 5)) == {"Save": "false", "Hide": "false"} and 'data-stars="5.0"' in _card(listing, 5)
    # The watchlist's own cards can be rated and taken off in place too.
    watchlist = client.get("/watchlist/").content.decode()
    assert 'action="/movies/7/rate/"' in watchlist and _pressed(_card(watchlist, 7))["Saved ✓"] == "true"


def test_a_visitor_and_a_demo_browse_see_no_controls(client, member, settings):
    client.logout()
    page = client.get("/").content.decode()
    assert 'class="movie-card' in page and 'class="stars' not in page and 'class="mark ' not in page
    settings.RE_SYS_DEMO = True
    client.force_login(member.user)
    client.post("/demo/browse-as/", {"viewer": "1"})
    # The page shows viewer 1's lists; buttons would write to the member's own account.
    page = client.get("/for-you/").content.decode()
    assert 'class="movie-card' in page and 'class="stars' not in page and 'class="mark ' not in page


def test_the_card_forms_go_back_where_they_were_and_say_the_state_wanted(client, member):
    response = client.post("/movies/7/rate/", {"stars": "3.5", "next": "/genres/Comedy/?sort=title"})
    assert response.status_code == 302 and response["Location"] == "/genres/Comedy/?sort=title"
    assert Rating.objects.get(viewer=member, movie_id=7).stars == 3.5
    elsewhere = client.post("/movies/7/rate/", {"stars": "4.0", "next": "https://evil.example/"})
    assert elsewhere["Location"] == "/movies/7/"   # never off the site
    # "on" says the state wanted: the same form sent twice leaves it set.
    for _ in range(2):
        client.post("/movies/7/watchlist/", {"on": "1", "next": "/"})
    assert MovieMark.objects.filter(viewer=member, movie_id=7, kind="watchlist").count() == 1
    client.post("/movies/7/watchlist/", {"on": "0"})
    client.post("/movies/7/watchlist/", {"on": "0"})
    assert not MovieMark.objects.filter(movie_id=7).exists()


def _marks(client, body):
    return client.post("/api/me/marks", json.dumps(body), content_type="application/json")


def test_the_marks_api_sets_and_clears_and_refuses_bad_bodies(client, member):
    saved = _marks(client, {"movie_id": 7, "kind": "watchlist", "on": True})
    assert saved.status_code == 200 and saved.json() == {"movie_id": 7, "kind": "watchlist", "on": True}
    assert _marks(client, {"movie_id": 7, "kind": "watchlist", "on": True}).json()["on"] is True
    # Hiding takes it off the watchlist.
    assert _marks(client, {"movie_id": 7, "kind": "hidden", "on": True}).json()["on"] is True
    assert client.get("/api/me/marks").json() == {"user_id": member.pk, "watchlist": [], "hidden": [7]}
    assert 7 not in {m.pk for m, _ in client.get("/for-you/").context["items"]}
    assert _marks(client, {"movie_id": 7, "kind": "hidden", "on": False}).json()["on"] is False
    assert not MovieMark.objects.exists()

    for body, code in [({"movie_id": 7, "kind": "like", "on": True}, "invalid_mark"),
                       ({"movie_id": 7, "kind": "hidden", "on": 1}, "invalid_mark"),
                       ({"movie_id": "7", "kind": "hidden", "on": True}, "invalid_mark"),
                       ({"movie_id": 7, "kind": "hidden"}, "invalid_mark"),
                       ({"movie_id": 7, "kind": "hidden", "on": True, "extra": 1}, "invalid_mark"),
                       ([7], "invalid_json"),
                       ({"movie_id": 999, "kind": "hidden", "on": True}, "movie_not_found")]:
        response = _marks(client, body)
        assert response.status_code in (400, 404) and response.json()["error"]["code"] == code, body
    assert client.post("/api/me/marks", "{", content_type="application/json").json()["error"]["code"] == "invalid_json"
    assert not MovieMark.objects.exists()
    client.logout()
    assert _marks(client, {"movie_id": 7, "kind": "hidden", "on": True}).status_code == 401


def test_the_marks_api_needs_the_csrf_header_from_a_browser(member):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member.user)
    refused = browser.post("/api/me/marks", json.dumps({"movie_id": 7, "kind": "hidden", "on": True}),
                           content_type="application/json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf_failed"
    assert not MovieMark.objects.exists()


def test_the_navigation_marks_the_current_page(client, member):
    assert re.search(r'href="/for-you/" aria-current="page"', client.get("/for-you/").content.decode())
    home = client.get("/").content.decode()
    assert 'href="/" aria-current="page"' in home and 'href="/for-you/" aria-current' not in home


def test_the_movie_page_links_to_imdb_when_the_data_has_the_id(client, served):
    assert "imdb.com" not in client.get("/movies/3/").content.decode()
    Movie.objects.filter(pk=3).update(imdb_id="tt0114709")
    assert 'href="https://www.imdb.com/title/tt0114709/"' in client.get("/movies/3/").content.decode()


def test_the_profile_form_offers_the_datasets_own_occupations(client, member):
    form = client.get("/profile/edit/").content.decode()
    assert '<option value="doctor">' in form and '<option value="writer">' in form
    assert '<option value="academic/educator">' not in form   # ML-1M's words, not this dataset's


def test_insights_says_how_its_viewers_differ_from_the_datasets(client, member):
    page = client.get("/insights/").content.decode()
    assert "by 3 viewers" in page and "That includes 1 member of this site" in page


def test_search_suggests_close_titles_and_is_honest_about_chinese(client, served, admin_user):
    Movie.objects.filter(title_zh__gt="").update(title_zh="")
    page = client.get("/search/", {"q": "toi storry"}).content.decode()
    assert "No movie matches" in page and 'href="/movies/3/">Toy Story</a>' in page.split("Did you mean")[1]
    assert "English or Chinese" not in page and "English or Chinese" not in client.get("/").content.decode()
    chinese = client.get("/search/", {"q": "星球大战"}).content.decode()
    assert "no Chinese titles yet" in chinese and "fetch_posters" not in chinese
    client.force_login(admin_user)
    assert "fetch_posters" in client.get("/search/", {"q": "星球大战"}).content.decode()
    Movie.objects.filter(pk=3).update(title_zh="玩具总动员")
    assert "English or Chinese" in client.get("/").content.decode()


def test_generated_posters_differ_within_a_genre_and_stay_the_same_for_a_film():
    action = {title: genre_colour(["Action"], title) for title in ("Star Wars", "Die Hard", "Speed", "Heat")}
    assert len(set(action.values())) == 4
    assert genre_colour(["Action"], "Heat") == action["Heat"]
    svgs = {poster_svg(title=t, year=1990, genre_names=["Action", "Sci-Fi"]) for t in ("A", "B", "C", "D", "E")}
    assert len(svgs) == 5
    for svg in svgs | {poster_svg(title="<&\"'>", year=None, genre_names=[])}:
        xml.dom.minidom.parseString(svg)   # well formed, the title escaped


def test_a_generated_posters_long_lines_are_drawn_within_its_frame():
    svg = xml.dom.minidom.parseString(poster_svg(title="Independence Day (ID4)", year=1996,
                                                 genre_names=["Animation", "Children's", "Comedy"]))
    texts = {t.firstChild.data: t for t in svg.getElementsByTagName("text")}
    assert set(texts) == {"Independence Day", "(ID4)", "1996 · Animation · Children's"}
    # The long lines are squeezed to the room inside the frame (180 wide); the short one is left be.
    for line in ("Independence Day", "1996 · Animation · Children's"):
        assert float(texts[line].getAttribute("textLength")) <= 180, line
    assert not texts["(ID4)"].getAttribute("textLength")


def test_a_film_added_after_training_gets_a_page_and_content_neighbours(client, served, settings):
    from re_sys.recommend.serving.runs import manifest_write
    from re_sys.services import recommending
    from tests.recommend.fake_run import with_movie_tower

    Movie.objects.create(id=11, title="Film Returns", year=1999).genres.add(*Genre.objects.filter(name="Comedy"))
    # A run without a movie tower cannot place it: the page still works, without a similar row.
    page = client.get("/movies/11/")
    assert page.status_code == 200 and "Similar movies" not in page.content.decode()
    assert client.get("/api/movies/11/similar").json()["error"]["code"] == "movie_not_in_model"

    run = (settings.RE_SYS_MODEL_DIR / "current").resolve()
    with_movie_tower(run, words=["film", "returns"], genres=["Comedy", "Drama"])
    manifest_write(run)
    recommending._store.cache_clear()
    page = client.get("/movies/11/").content.decode()
    assert "Similar movies" in page and "Similar in title words and genres to Film Returns" in page
    # Placed from what the database holds now, its year kept beside for the years its viewers watch.
    assert recommending.new_movie_placements(recommending.engine_current())[11].year == 1999
    answer = client.get("/api/movies/11/similar?k=5").json()
    assert len(answer["results"]) == 5 and 11 not in {r["movie_id"] for r in answer["results"]}
    # The member's card of the new film carries predicted stars from its content vector too.
    client.force_login(get_user_model().objects.create_user("nia", password="pw-pw-pw-123"))
    for movie in (1, 3, 5):
        client.post(f"/movies/{movie}/rate/", {"stars": "5.0"})
    page = client.get("/movies/11/")
    assert 0.5 <= page.context["predicted"] <= 5.0 and "Predicted for you" in page.content.decode()
    # It is recommendable on the next request: in the member's for-you, marked new, with the loved film it
    # is like as the reason, and in the similar list of a film among those nearest it by title and genres.
    listed = client.get("/api/me/recommendations?k=10").json()["results"]
    new = [r for r in listed if r["movie_id"] == 11]
    assert len(new) == 1 and new[0]["channel"] == "new", listed
    loved = {m.title for m in Movie.objects.filter(pk__in=(1, 3, 5))}
    assert re.fullmatch(r"New here, like (.+), which you rated ★★★★★", new[0]["reason"]).group(1) in loved
    assert 11 in {r["movie_id"] for r in client.get("/api/movies/1/similar?k=10").json()["results"]}
    assert "New here, like" in client.get("/for-you/").content.decode()


def test_a_new_members_vector_starts_from_where_the_user_tower_puts_them(served, settings):
    """Folded in from their ratings, shrunk towards the user tower's vector of them (their details and the
    films they rated) rather than towards zero, where the run has a user tower."""
    from re_sys.recommend.serving.runs import manifest_write
    from re_sys.services import recommending
    from tests.recommend.fake_run import with_user_tower

    nia = Viewer.objects.create(id=700, gender="F", age_group=25, occupation="writer")
    for movie, stars in ((1, 5.0), (3, 4.5), (5, 1.0)):
        Rating.objects.create(viewer=nia, movie_id=movie, stars=stars, timestamp=1)
    engine = recommending.engine_current()
    plain = recommending.Taste(nia).vector(engine)
    assert np.allclose(plain[0], engine.fold_in({1: 5.0, 3: 4.5, 5: 1.0})[0])      # no tower: towards zero

    run = (settings.RE_SYS_MODEL_DIR / "current").resolve()
    with_user_tower(run, occupations=["writer", "artist"])
    manifest_write(run)
    recommending._store.cache_clear()
    engine = recommending.engine_current()
    prior = engine.tower_vector([1, 3, 5], gender="F", age_group=25, occupation="writer")
    assert prior is not None and not np.allclose(prior, engine.tower_vector([1, 3, 5]))   # details count
    vector = recommending.Taste(nia).vector(engine)
    assert np.allclose(vector[0], engine.fold_in({1: 5.0, 3: 4.5, 5: 1.0}, prior=prior)[0])
    assert not np.allclose(vector[0], plain[0])
    # A viewer the run knows who rated since training is shrunk towards their own trained vector.
    known, _ = Viewer.objects.get_or_create(pk=1)          # user 1 of the served run
    for movie, stars in ((2, 5.0), (4, 4.0), (6, 2.0)):
        Rating.objects.create(viewer=known, movie_id=movie, stars=stars, timestamp=2_000_000_000)
    refreshed = recommending.Taste(known).vector(engine)
    own = engine.fold_in({2: 5.0, 4: 4.0, 6: 2.0}, prior=engine.user_vector(1)[0])
    assert np.allclose(refreshed[0], own[0])


def test_rate_with_no_star_chosen_goes_back_saying_so(client, member):
    response = client.post("/movies/7/rate/", {"next": "/genres/Comedy/"}, follow=True)
    assert response.redirect_chain[-1][0] == "/genres/Comedy/"
    assert "Choose a star first" in response.content.decode()
    assert not Rating.objects.filter(viewer=member, movie_id=7).exists()
    # Bad stars are still a 400 that names the problem.
    assert client.post("/movies/7/rate/", {"stars": "9", "next": "/"}).status_code == 400


def test_a_year_in_the_query_matches_the_release_year(client, served):
    found = client.get("/search/", {"q": "toy 1995"}).context["page"].object_list
    assert [m.pk for m in found] == [3]          # Toy Story (1995), not Toy Soldiers (1991)
    assert client.get("/search/", {"q": "toy 1991"}).context["page"].object_list[0].pk == 4


def test_browse_as_goes_back_to_the_page_one_was_on(client, member, settings):
    settings.RE_SYS_DEMO = True
    response = client.post("/demo/browse-as/", {"viewer": "1", "next": "/movies/3/"})
    assert response["Location"] == "/movies/3/"
    page = client.get("/movies/3/")
    assert page.context["theirs"] is None
    Rating.objects.create(viewer_id=1, movie_id=3, stars=4.0, timestamp=1)
    page = client.get("/movies/3/").content.decode()
    assert "Rated 4★ by this viewer" in page and "Predicted for you" not in page


def test_movie_links_match_django_reverse_and_follow_the_script_prefix():
    from django.urls import clear_script_prefix, reverse, set_script_prefix

    from re_sys.links import movie_link

    for name in ("re_sys:movie", "re_sys:rate", "re_sys:poster", "re_sys:hide_toggle"):
        assert movie_link(name, 42) == reverse(name, args=[42])
    set_script_prefix("/site/")
    try:
        assert movie_link("re_sys:movie", 7) == "/site/movies/7/" == reverse("re_sys:movie", args=[7])
    finally:
        clear_script_prefix()
    assert movie_link("re_sys:movie", 7) == "/movies/7/"


def test_odd_digits_and_huge_ids_are_refused_or_ignored_never_a_500(client, member):
    assert client.get("/search/", {"q": "\u1369\u136a\u136b\u136c"}).status_code == 200   # Ethiopic digits
    for field in ("movie_\u00b2", "movie_99999999999999999999", "movie_-3", "movie_"):
        response = client.post("/onboarding/", {field: "4.0", "more": "Comedy"})
        assert response.status_code in (200, 400), field
    long = client.get("/search/", {"q": "x" * 200})
    assert long.status_code == 200 and "No movie matches" in long.content.decode()


def test_onboarding_counts_and_writes_only_new_or_changed_stars(client, member):
    comedy, drama = Genre.objects.get(name="Comedy"), Genre.objects.get(name="Drama")
    for movie in Movie.objects.all():
        movie.genres.add(comedy if movie.pk % 2 else drama)
    form = client.get("/onboarding/").context["form"]
    ids = [m.pk for _name, movies in form.groups for m in movies]
    already = {m: s for m, s in Rating.objects.filter(viewer=member).values_list("movie_id", "stars") if m in ids}
    fresh = [m for m in ids if m not in already][:2]
    data = {f"movie_{m}": str(s) for m, s in already.items()} | {f"movie_{m}": "3.0" for m in fresh}
    response = client.post("/onboarding/", data, follow=True)
    assert len(already) >= 3 and len(fresh) == 2
    assert f"Thanks! {len(fresh)} ratings saved" in response.content.decode()
