"""End to end in Chromium: sign up, onboard, rate, see "for you" change, search, switch language."""
import pytest

from re_sys.models import Genre, Movie, Rating, Viewer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(live_server, served):
    """The served catalogue, with genres for onboarding and two MovieLens users."""
    comedy, drama = Genre.objects.get(name="Comedy"), Genre.objects.get(name="Drama")
    for movie in Movie.objects.filter(pk__gte=5):
        movie.genres.add(comedy if movie.pk % 2 else drama)
        movie.rating_count, movie.rating_mean = 3, 3.5
        movie.save()  # bulk-created: this also fills the search text
    Viewer.objects.bulk_create([Viewer(id=1, gender="F", age_group=25), Viewer(id=2)])
    Rating.objects.bulk_create([Rating(viewer_id=1, movie_id=m, stars=4.0, timestamp=1) for m in (1, 3, 5)])
    return live_server.url


def _for_you_titles(page):
    return page.locator("ol.for-you li .title").all_inner_texts()


def test_a_new_visitor_signs_up_onboards_rates_and_sees_for_you_change(page, site, screenshots):
    page.goto(site + "/")
    page.screenshot(path=screenshots / "home.png")
    page.get_by_role("link", name="Sign up").click()
    page.fill("#id_username", "ana")
    page.fill("#id_password1", "a-long-pass-phrase")
    page.fill("#id_password2", "a-long-pass-phrase")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/onboarding/")
    page.screenshot(path=screenshots / "onboarding.png", full_page=True)

    # Too few: the form says so and nothing is saved.
    page.select_option("#id_movie_1", "5.0")
    page.get_by_role("button", name="Show my recommendations").click()
    assert "at least 5" in page.content()
    # Odd movies loved, even ones not.
    for movie, stars in ((1, "5.0"), (3, "5.0"), (5, "4.5"), (2, "1.0"), (4, "1.0")):
        page.select_option(f"#id_movie_{movie}", stars)
    page.get_by_role("button", name="Show my recommendations").click()
    page.wait_for_url("**/for-you/")
    before = _for_you_titles(page)
    assert before[:2] and set(before[:2]) <= {"Film 7", "Film 9"}   # the planted taste, at once
    page.screenshot(path=screenshots / "for-you.png", full_page=True)

    # Search, open a movie, rate it: the list changes on the next load.
    page.fill("#header-q", "film 7")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/**")
    page.get_by_role("link", name="Film 7").first.click()
    page.wait_for_url("**/movies/7/")
    page.select_option("#id_stars", "0.5")
    page.get_by_role("button", name="Rate", exact=True).click()
    assert "You rated Film 7" in page.content()
    page.screenshot(path=screenshots / "movie.png", full_page=True)
    page.get_by_role("link", name="For you").first.click()
    after = _for_you_titles(page)
    assert after != before and "Film 7" not in after


def test_switch_language_and_browse_the_other_pages(page, site, screenshots):
    page.goto(site + "/insights/")
    assert page.get_by_role("heading", name="The dataset at a glance").is_visible()
    page.screenshot(path=screenshots / "insights.png", full_page=True)
    page.goto(site + "/model/")
    page.screenshot(path=screenshots / "model.png", full_page=True)
    page.goto(site + "/movies/3/")
    page.select_option("#language", "zh-hans")
    page.get_by_role("button", name="Go").click()
    page.wait_for_load_state()
    assert page.url.endswith("/movies/3/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_role("link", name="为你推荐").is_visible()
    assert "玩具总动员" in page.content()
    page.screenshot(path=screenshots / "movie-zh.png", full_page=True)
    page.select_option("#language", "en")
    page.get_by_role("button", name="切换").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="For you").is_visible()


def test_bar_lengths_are_proportional_to_their_values(page, site):
    # 5★ ×4, 4★ ×3, 2★ ×1: the 4★ bar must be visibly shorter than the 5★ one.
    Viewer.objects.bulk_create([Viewer(id=10 + i) for i in range(8)])
    Rating.objects.bulk_create([Rating(viewer_id=10 + i, movie_id=6, stars=s, timestamp=1)
                                for i, s in enumerate([5, 5, 5, 5, 4, 4, 4, 2])])
    from re_sys.services.importing import movie_stats_refresh

    movie_stats_refresh([6])
    page.goto(site + "/movies/6/")
    bars = page.eval_on_selector_all(".bars .bar", """bars => bars.map(bar => [
        parseFloat(getComputedStyle(bar).getPropertyValue('--share')), bar.getBoundingClientRect().width,
        bar.parentElement.clientWidth])""")
    shares = sorted(share for share, _width, _cell in bars if share > 0)
    assert shares == [25.0, 75.0, 100.0]
    for share, width, cell in bars:
        if share > 0:
            assert width == pytest.approx(cell * 0.6 * share / 100, abs=2)


def test_demo_mode_and_keyboard_use(page, site, screenshots, settings):
    settings.RE_SYS_DEMO = True
    page.goto(site + "/")
    page.fill("#demo-viewer", "1")
    page.get_by_role("button", name="Browse", exact=True).click()
    page.wait_for_url("**/users/1/")
    assert "browsing as MovieLens user #1" in page.content()
    page.screenshot(path=screenshots / "profile.png", full_page=True)
    # The skip link is the first thing a keyboard reaches, and it leads to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
