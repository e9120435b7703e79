"""End to end in Chromium: sign up, onboard, rate, see "for you" change, search, switch language."""
import pytest

from re_sys.models import Rating, Viewer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def rate_in_onboarding(page, movie_id: int, stars: str) -> None:
    """Click a star as a person does: on its label (the radio itself is invisible)."""
    page.locator(f"label:has(input[name=movie_{movie_id}][value='{stars}'])").click()


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

    # Too few: the form says so, keeps the stars given, and nothing is saved.
    rate_in_onboarding(page, 1, "5.0")
    page.get_by_role("button", name="Show my recommendations").click()
    assert "at least 5" in page.content() and page.locator("input[name=movie_1][value='5.0']").is_checked()
    assert not Rating.objects.filter(viewer__user__username="ana").exists()
    # Odd movies loved, even ones not; the running count says when there are enough.
    for movie, stars in ((3, "5.0"), (5, "4.5"), (2, "1.0"), (4, "1.0")):
        rate_in_onboarding(page, movie, stars)
    assert page.locator(".rated-count").inner_text() == "5 rated (at least 5 to start)"
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
    page.locator(".movie-detail form.stars label:has(input[value='0.5'])").click()
    page.get_by_text("You rated it 0.5★").wait_for()
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
    with page.expect_navigation():   # applied on choosing: no "Go" click with scripts on
        page.select_option("#language", "zh-hans")
    assert page.url.endswith("/movies/3/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_role("link", name="为你推荐").is_visible()
    assert "玩具总动员" in page.content()
    page.screenshot(path=screenshots / "movie-zh.png", full_page=True)
    with page.expect_navigation():
        page.select_option("#language", "en")
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
    page.locator(".demo-bar summary").click()   # folded away until asked for
    page.fill("#demo-viewer", "1")
    page.get_by_role("button", name="Browse", exact=True).click()
    page.wait_for_url(site + "/")                # the page one was on, now as that viewer
    assert "browsing as MovieLens user #1" in page.content()
    page.goto(site + "/users/1/")
    page.screenshot(path=screenshots / "profile.png", full_page=True)
    # The skip link is the first thing a keyboard reaches, and it leads to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
