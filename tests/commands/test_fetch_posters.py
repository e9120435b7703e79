"""manage.py fetch_posters against a stand-in Douban: found, not found, errors, blocking, resuming."""
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from re_sys.models import DoubanLookup, Movie
from tests.douban_site import FakeDouban, FakeFilm
from tests.httpserver import Route

pytestmark = pytest.mark.django_db

TOY_STORY = FakeFilm("1291575", "玩具总动员", "Toy Story", 1995)
HEAT = FakeFilm("1291839", "盗火线", "Heat", 1995, colour=(20, 20, 120))
CASINO = FakeFilm("1292225", "赌城风云", "Casino", 1995)


@pytest.fixture
def douban(settings, http_server):
    settings.DOUBAN_BASE_URL = http_server.url
    settings.DOUBAN_IMG_BASE_URL = ""
    settings.DOUBAN_DELAY = 0
    # Most rated first: Toy Story, Heat, Casino, then one Douban does not know.
    Movie.objects.bulk_create([
        Movie(id=1, title="Toy Story", year=1995, rating_count=400),
        Movie(id=6, title="Heat", year=1995, rating_count=300),
        Movie(id=16, title="Casino", year=1995, rating_count=200),
        Movie(id=99, title="Unheard Of Film", year=1995, rating_count=100)])
    return FakeDouban(http_server, [TOY_STORY, HEAT, CASINO])


def _run(*args):
    out, err = StringIO(), StringIO()
    call_command("fetch_posters", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_fetches_titles_ratings_and_posters_into_the_cache(douban, settings):
    out = _run("--limit", "2")
    assert "2 found, 0 not found, 0 errors" in out
    toy = Movie.objects.get(pk=1)
    assert toy.title_zh == "玩具总动员"
    assert toy.poster == "posters/1.png"
    assert (Path(settings.MEDIA_ROOT) / toy.poster).read_bytes().startswith(b"\x89PNG")
    lookup = toy.douban
    assert (lookup.status, lookup.douban_id, lookup.douban_rating) == ("found", "1291575", 8.3)
    assert lookup.poster_url.endswith("/l_ratio_poster/public/p1291575.png")
    assert not DoubanLookup.objects.filter(movie_id=16).exists()  # beyond --limit


def test_resumes_where_it_stopped_and_reports_not_found_and_errors(douban, http_server):
    douban.add(CASINO, page="<html><body>a brand new layout</body></html>")
    _run("--limit", "1")
    out = _run()
    assert "1 found, 1 not found, 1 errors" in out
    casino = DoubanLookup.objects.get(movie_id=16)
    assert casino.status == "error" and casino.attempts == 1 and "structure" in casino.last_error
    assert DoubanLookup.objects.get(movie_id=99).status == "not_found"
    assert Movie.objects.get(pk=16).poster == ""

    before = len(http_server.requests)
    assert "Nothing to fetch" in _run()
    assert len(http_server.requests) == before

    douban.add(CASINO)  # the page is back to normal
    assert "1 found, 0 not found, 0 errors" in _run("--retry-failed")
    assert Movie.objects.get(pk=16).title_zh == "赌城风云"


def test_a_block_stops_the_batch_and_keeps_what_was_fetched(douban, http_server):
    http_server.routes[f"/subject/{HEAT.douban_id}/"] = Route(b"Forbidden", status=403)
    with pytest.raises(CommandError, match="403.*saved"):
        _run()
    assert Movie.objects.get(pk=1).title_zh == "玩具总动员"
    assert not DoubanLookup.objects.filter(movie_id=16).exists()  # never reached
    assert DoubanLookup.objects.get(movie_id=6).attempts == 0  # not Heat's fault

    douban.add(HEAT)  # unblocked
    assert "2 found, 1 not found, 0 errors" in _run()  # Heat, Casino; the unknown film


def test_an_unreachable_douban_stops_after_a_few_failures(douban, settings):
    settings.DOUBAN_BASE_URL = "http://127.0.0.1:9"  # discard port: connection refused
    with pytest.raises(CommandError, match="cannot be reached"):
        _run()
    assert DoubanLookup.objects.filter(status="error").count() == 3
    assert not DoubanLookup.objects.filter(movie_id=99).exists()


def test_a_douban_id_set_by_hand_is_fetched_directly(douban):
    DoubanLookup.objects.create(movie_id=99, douban_id=CASINO.douban_id, status="not_found")
    before = douban.suggest_requests()
    _run("--movie", "99")
    assert douban.suggest_requests() == before
    assert Movie.objects.get(pk=99).title_zh == "赌城风云"


def test_a_poster_already_held_is_not_downloaded_again(douban, http_server):
    _run("--movie", "1")
    image_requests = [p for p, _ in http_server.requests if p.startswith("/view/")]
    _run("--movie", "1")
    assert [p for p, _ in http_server.requests if p.startswith("/view/")] == image_requests


def test_bad_options_are_clear_errors(douban):
    with pytest.raises(CommandError, match="no movie with MovieLens id 12345"):
        _run("--movie", "12345")
    with pytest.raises(CommandError, match="--limit"):
        _run("--limit", "0")
    with pytest.raises(CommandError, match="delay"):
        _run("--delay", "-1")


def test_admin_edit_of_the_douban_id_queues_the_movie_again(douban, admin_client):
    lookup = DoubanLookup.objects.create(movie_id=99, status="not_found", attempts=2)
    response = admin_client.post(f"/admin/re_sys/doubanlookup/{lookup.pk}/change/", {
        "movie": 99, "status": "not_found", "douban_id": CASINO.douban_id})
    assert response.status_code == 302
    lookup.refresh_from_db()
    assert (lookup.status, lookup.douban_id, lookup.attempts) == ("pending", CASINO.douban_id, 0)
    assert "4 found, 0 not found, 0 errors" in _run()
    listing = admin_client.get("/admin/re_sys/doubanlookup/?status__exact=found")
    assert CASINO.douban_id in listing.content.decode()
