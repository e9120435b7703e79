"""A real browser (Debian's chromium, driven by Playwright) against a live server."""
import os
import shutil
from pathlib import Path

import pytest

from re_sys.models import Genre, Movie, Rating, Viewer
from tests.web.conftest import catalogue, served  # noqa: F401  (fixtures)

# Playwright's sync API runs an event loop in the test's thread; the ORM calls
# the tests make around it are ordinary blocking calls, which Django would
# otherwise refuse in a thread with a running loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def chromium_path() -> str:
    path = os.environ.get("RE_SYS_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("The browser tests need Debian's chromium: apt-get install chromium "
                    "(or set RE_SYS_CHROMIUM to a Chromium binary).")
    return path


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Playwright cannot download its own browser here: Debian's is used.
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 800}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def screenshots(tmp_path) -> Path:
    """Where screenshots go: docs/screenshots when RE_SYS_SCREENSHOT_DIR says so, else a temp folder."""
    folder = Path(os.environ.get("RE_SYS_SCREENSHOT_DIR") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


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
