"""Acting from any card in Chromium: stars, Save and Hide in place (no reload), undo,
the same with scripts off, the for-you refresh offer, and the phone layout."""
import pytest
from django.contrib.auth import get_user_model

from re_sys.models import MovieMark, Rating
from re_sys.services.ratings import ratings_set_many, viewer_for_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-pass-phrase"


def sign_in(page, site, username="cara"):
    get_user_model().objects.create_user(username, password=PASSWORD)
    page.goto(site + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def card(page, title, where="#all-movies"):
    return page.locator(f"{where} li.movie-card").filter(has=page.get_by_text(title, exact=True))


def star(scope, stars: str):
    """A star's half, clicked as a person does: on the label (the radio itself is invisible)."""
    return scope.locator(f"form.stars label:has(input[value='{stars}'])")


def mark_reload_detector(page):
    page.evaluate("window.__sameDocument = true")


def same_document(page) -> bool:
    return page.evaluate("window.__sameDocument === true")


def stars_of(username, movie_id):
    rating = Rating.objects.filter(viewer__user__username=username, movie_id=movie_id).first()
    return rating.stars if rating else None


def home_card(page, site, title):
    """Signed in, on the home page, `title`'s card in view and the reload detector set: the card
    and where it is on the screen."""
    sign_in(page, site)
    page.goto(site + "/")
    film = card(page, title)
    film.scroll_into_view_if_needed()
    mark_reload_detector(page)
    return film, film.bounding_box()["y"]


def test_stars_on_a_card_save_in_place_with_undo_and_keyboard(page, site, screenshots):
    film, where = home_card(page, site, "Film 7")

    star(film, "4.5").click()
    film.get_by_text("You rated it 4.5★").wait_for()
    assert stars_of("cara", 7) == 4.5
    # No reload, and the card stays where the visitor sees it (the browser may scroll to keep it
    # there as cards above it grow by a line).
    assert same_document(page) and abs(film.bounding_box()["y"] - where) < 2
    assert film.locator("input[value='4.5']").is_checked()
    page.screenshot(path=screenshots / "card-rated.png")

    film.get_by_role("button", name="Undo").click()
    film.get_by_text("Back as it was.").wait_for()
    assert stars_of("cara", 7) is None and not film.locator("input:checked").count()

    # The keyboard: a radio group, one arrow step at a time, saved once, when it settles.
    star(film, "3.0").click()
    film.get_by_text("You rated it 3★").wait_for()
    sent = []
    page.on("request", lambda r: sent.append(r.post_data_json) if r.url.endswith("/api/ratings") else None)
    film.locator("input[value='3.0']").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    film.get_by_text("You rated it 4★").wait_for()
    assert stars_of("cara", 7) == 4.0 and same_document(page)
    assert sent == [{"movie_id": 7, "stars": 4.0}]

    # After a reload the card shows the stored stars: the page and the API agree.
    page.reload()
    assert card(page, "Film 7").locator("input[value='4.0']").is_checked()


def test_stars_on_a_search_result_save_in_place(page, site):
    sign_in(page, site)
    page.goto(site + "/search/?q=toy")
    result = card(page, "Toy Story", where="ol.movie-grid")
    mark_reload_detector(page)
    star(result, "5.0").click()
    result.get_by_text("You rated it 5★").wait_for()
    assert stars_of("cara", 3) == 5.0 and same_document(page) and "q=toy" in page.url


def test_save_and_hide_in_place_and_their_state_is_shown(page, site):
    film, where = home_card(page, site, "Film 8")

    save = film.get_by_role("button", name="Save Film 8 to your watchlist")
    save.click()
    saved = film.get_by_role("button", name="Take Film 8 off your watchlist")
    saved.wait_for()
    assert saved.inner_text() == "Saved ✓" and saved.get_attribute("aria-pressed") == "true"
    assert MovieMark.objects.filter(movie_id=8, kind="watchlist").exists()

    # Hiding takes it off the watchlist, and the card says both at once.
    film.get_by_role("button", name="Hide Film 8: never recommend it").click()
    film.get_by_role("button", name="Show Film 8 in recommendations again").wait_for()
    assert "is-hidden" in film.get_attribute("class")
    assert film.locator("form.mark-watchlist button").inner_text() == "Save"
    assert set(MovieMark.objects.filter(movie_id=8).values_list("kind", flat=True)) == {"hidden"}
    # The film's other card on the page (the hot row above) says the same.
    other = card(page, "Film 8", where="#hot")
    assert other.locator("form.mark-hidden button").get_attribute("aria-pressed") == "true"
    assert "is-hidden" in other.get_attribute("class")
    assert same_document(page) and abs(film.bounding_box()["y"] - where) < 2

    film.get_by_role("button", name="Show Film 8 in recommendations again").click()
    film.get_by_role("button", name="Hide Film 8: never recommend it").wait_for()
    assert not MovieMark.objects.filter(movie_id=8).exists()

    page.goto(site + "/watchlist/")
    assert page.get_by_text("Nothing saved yet").is_visible()


def test_every_control_works_with_scripts_off(browser, site):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1100, "height": 800})
    page = context.new_page()
    try:
        sign_in(page, site, "dov")
        page.goto(site + "/genres/Comedy/?sort=title")
        film = card(page, "Film 7", where="")
        star(film, "2.0").click()
        film.get_by_role("button", name="Rate").click()
        page.wait_for_load_state()
        assert page.url.endswith("/genres/Comedy/?sort=title")   # back where the visitor was
        assert "You rated Film 7 2★" in page.content() and stars_of("dov", 7) == 2.0
        film = card(page, "Film 7", where="")
        assert film.locator("input[value='2.0']").is_checked()
        film.get_by_role("button", name="Save Film 7 to your watchlist").click()
        page.wait_for_load_state()
        assert MovieMark.objects.filter(movie_id=7, kind="watchlist").exists()
        film = card(page, "Film 7", where="")
        assert film.get_by_role("button", name="Take Film 7 off your watchlist").is_visible()
        # The sort still has its button.
        page.select_option("#id_sort", "popular")
        page.get_by_role("button", name="Sort").click()
        assert "sort=popular" in page.url
    finally:
        context.close()


def test_for_you_offers_to_refresh_after_a_rating(page, site):
    sign_in(page, site)
    ratings_set_many(viewer=viewer_for_user(get_user_model().objects.get(username="cara")),
                     stars_by_movie={1: 5.0, 3: 5.0, 5: 5.0, 2: 1.0, 4: 1.0})
    page.goto(site + "/for-you/")
    offer = page.locator("#refresh-offer")
    assert offer.is_hidden()
    first = page.locator("ol.for-you li.movie-card").first
    title = first.locator(".title").inner_text()
    mark_reload_detector(page)
    star(first, "1.0").click()
    offer.wait_for(state="visible")
    assert same_document(page)
    with page.expect_navigation():
        offer.get_by_role("button", name="Show my updated list").click()
    assert title not in page.locator("ol.for-you .title").all_inner_texts()   # rated: no longer offered


def test_sort_and_recommender_apply_on_choosing(page, site):
    sign_in(page, site)
    page.goto(site + "/genres/Comedy/")
    assert page.get_by_role("button", name="Sort").is_hidden()
    with page.expect_navigation():
        page.select_option("#id_sort", "title")
    assert "sort=title" in page.url
    viewer_for_user(get_user_model().objects.get(username="cara"))   # the choice is stored on the viewer
    page.goto(site + "/for-you/")
    with page.expect_navigation():
        page.select_option("#id_recommender", "popular")
    assert page.get_by_text("Your list is now ordered by: Popular with everyone.").is_visible()
    assert page.locator("#id_recommender").input_value() == "popular"
    assert page.get_by_role("link", name="For you").first.get_attribute("aria-current") == "page"


def test_the_phone_layout(browser, site, screenshots):
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True,
                                  device_scale_factor=2)
    page = context.new_page()
    try:
        sign_in(page, site, "evelyn_watches_movies")     # a long name must not squeeze the menu
        page.goto(site + "/")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways ({width} px)"
        header = page.locator(".site-header").bounding_box()
        assert header["height"] <= 160
        nav = page.locator(".site-header nav")
        shown, needed = nav.evaluate("n => [n.clientWidth, n.scrollWidth]")
        assert needed <= shown + 1, f"the menu needs {needed} px and has {shown}"
        for link in nav.get_by_role("link").all():
            assert link.is_visible() and link.bounding_box()["x"] + link.bounding_box()["width"] <= 390
        first, second = page.locator("#all-movies li.movie-card").nth(0), page.locator("#all-movies li.movie-card").nth(1)
        a, b = first.bounding_box(), second.bounding_box()
        assert a["y"] == b["y"] and b["x"] > a["x"]   # two cards a row
        for button in first.locator(".mark-button").all():
            box = button.bounding_box()
            assert box["height"] >= 44 and box["width"] >= 44
        star(first, "3.5").tap()
        first.get_by_text("You rated it 3.5★").wait_for()
        page.screenshot(path=screenshots / "phone-home.png")
        for path in ("/for-you/", "/movies/3/", "/search/?q=film", "/genres/Comedy/", "/watchlist/",
                     "/insights/", "/model/", "/onboarding/", "/profile/", "/movies/999/"):
            page.goto(site + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{path} scrolls sideways ({width} px)"
            for button in page.locator(".mark-button").all()[:4]:
                box = button.bounding_box()
                assert box["height"] >= 44 and box["width"] >= 44, path
        page.goto(site + "/movies/3/")
        page.screenshot(path=screenshots / "phone-movie.png", full_page=True)
        page.goto(site + "/onboarding/")
        page.screenshot(path=screenshots / "phone-onboarding.png")
    finally:
        context.close()
