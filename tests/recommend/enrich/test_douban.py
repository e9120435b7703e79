"""The Douban scraper against a local stand-in of Douban, over real HTTP."""
import pytest

from re_sys.recommend.enrich.douban import (Candidate, DoubanBlocked, DoubanClient, DoubanError,
                                     DoubanParseError, DoubanUnreachable, large_image_url,
                                     match_candidate, parse_subject, title_variants)
from tests.douban_site import FakeDouban, FakeFilm, subject_page
from tests.httpserver import Route

TOY_STORY = FakeFilm("1291575", "玩具总动员", "Toy Story", 1995)


def client_for(server, **kwargs) -> DoubanClient:
    kwargs.setdefault("delay", 0)
    kwargs.setdefault("backoff", 0.01)
    return DoubanClient(server.url, **kwargs)


# ----------------------------------------------------------------- matching


@pytest.mark.parametrize("title, expected", [
    ("Toy Story", ["Toy Story"]),
    ("City of Lost Children, The (Cité des enfants perdus, La)",
     ["The City of Lost Children", "La Cité des enfants perdus"]),
    ("Shanghai Triad (Yao a yao yao dao waipo qiao)",
     ["Shanghai Triad", "Yao a yao yao dao waipo qiao"]),
    ("Usual Suspects, The (1995)", ["The Usual Suspects"]),
])
def test_title_variants_put_articles_first_and_keep_alternate_titles(title, expected):
    assert title_variants(title) == expected


def _candidate(douban_id, sub_title, year, title="中文"):
    return Candidate(douban_id=douban_id, title=title, sub_title=sub_title, year=year)


def test_match_picks_the_candidate_of_the_right_year():
    remake = _candidate("2", "Psycho", 1998)
    original = _candidate("1", "Psycho", 1960)
    assert match_candidate("Psycho", 1960, [remake, original]) == original
    assert match_candidate("Psycho", 1998, [remake, original]) == remake


def test_match_accepts_a_year_one_off_and_an_accented_original_title():
    lost = _candidate("7", "La cité des enfants perdus", 1996)
    assert match_candidate("City of Lost Children, The (Cité des enfants perdus, La)", 1995,
                           [lost]) == lost


def test_no_confident_match_is_none_never_a_wrong_poster():
    assert match_candidate("Toy Story", 1995, [_candidate("1", "Toy Story", 2010)]) is None
    assert match_candidate("Toy Story", 1995, [_candidate("1", "Story of Toys", 1995)]) is None
    assert match_candidate("Toy Story", 1995, [_candidate("1", "Toy Story", None)]) is None
    assert match_candidate("Toy Story", 1995, []) is None
    tie = [_candidate("1", "Hamlet", 1996), _candidate("2", "Hamlet", 1996)]
    assert match_candidate("Hamlet", 1996, tie) is None


# ----------------------------------------------------------------- parsing


def test_subject_page_gives_chinese_title_year_large_poster_rating_and_genres():
    html = subject_page(douban_id="1291575", title_zh="玩具总动员", original="Toy Story", year=1995,
                        img="https://img2.doubanio.com/view/photo/s_ratio_poster/public/p1.webp")
    subject = parse_subject(html, "1291575")
    assert subject.title_zh == "玩具总动员"
    assert subject.year == 1995
    assert subject.poster_url == "https://img2.doubanio.com/view/photo/l_ratio_poster/public/p1.webp"
    assert subject.rating == 8.3
    assert subject.genres == ("喜剧", "动画")


def test_a_page_without_html_fields_falls_back_to_json_ld():
    html = ('<html><head><script type="application/ld+json">{"name": "七武士 七人の侍",\n'
            '"image": "https://img1.doubanio.com/view/photo/s_ratio_poster/public/p2.jpg",\n'
            '"datePublished": "1954-04-26", "genre": ["剧情"],\n'
            '"aggregateRating": {"ratingValue": "9.2"}}</script></head><body></body></html>')
    subject = parse_subject(html, "1295399")
    assert subject.title_zh == "七武士 七人の侍"
    assert (subject.year, subject.rating, subject.genres) == (1954, 9.2, ("剧情",))
    assert subject.poster_url.endswith("/l_ratio_poster/public/p2.jpg")


def test_a_page_whose_structure_changed_is_a_parse_error():
    with pytest.raises(DoubanParseError, match="structure"):
        parse_subject("<html><body><div class='new-layout'>玩具总动员</div></body></html>", "1")
    no_poster = subject_page(douban_id="1", title_zh="玩具总动员", original="Toy Story",
                             year=1995, img="", json_ld=False)
    with pytest.raises(DoubanParseError, match="poster"):
        parse_subject(no_poster, "1")


def test_large_image_url_variants():
    assert large_image_url("https://x/view/photo/s/public/p1.jpg") == "https://x/view/photo/l/public/p1.jpg"
    assert large_image_url("https://x/view/photo/m_ratio_poster/public/p1.jpg") \
        == "https://x/view/photo/l_ratio_poster/public/p1.jpg"
    assert large_image_url("https://x/view/movie_poster_cover/spst/public/p1.jpg") \
        == "https://x/view/movie_poster_cover/lpst/public/p1.jpg"


# ----------------------------------------------------------------- HTTP


def test_find_and_download_over_http(http_server):
    FakeDouban(http_server, [TOY_STORY, FakeFilm("2", "玩具总动员3", "Toy Story 3", 2010)])
    client = client_for(http_server)
    subject = client.find("Toy Story", 1995)
    assert (subject.douban_id, subject.title_zh) == ("1291575", "玩具总动员")
    body, content_type = client.image(subject.poster_url)
    assert content_type == "image/png" and body.startswith(b"\x89PNG")
    path, headers = http_server.requests[0]
    assert path.startswith("/j/subject_suggest?q=Toy+Story")
    assert headers["User-Agent"].startswith("Mozilla/5.0")
    assert http_server.requests[-1][1]["Referer"] == http_server.url + "/"


def test_an_image_host_refuses_requests_without_a_referer(http_server):
    import requests

    FakeDouban(http_server, [TOY_STORY])
    url = f"{http_server.url}/view/photo/l_ratio_poster/public/p1291575.png"
    assert requests.get(url, timeout=5).status_code == 418
    assert client_for(http_server).image(url)[0].startswith(b"\x89PNG")


def test_image_urls_are_rewritten_to_the_configured_image_host(http_server):
    FakeDouban(http_server, [TOY_STORY])
    client = DoubanClient("http://unused.invalid", http_server.url, delay=0)
    body, _ = client.image("https://img9.doubanio.com/view/photo/l_ratio_poster/public/p1291575.png")
    assert body.startswith(b"\x89PNG")


def test_non_ascii_queries_are_sent_encoded(http_server):
    FakeDouban(http_server, [FakeFilm("3", "蓝白红三部曲之白", "Trzy kolory: Biały", 1994)])
    subject = client_for(http_server).find("Three Colors: White (Trzy kolory: Biały)", 1994)
    assert subject.title_zh == "蓝白红三部曲之白"


def test_not_found_is_none(http_server):
    FakeDouban(http_server, [TOY_STORY])
    assert client_for(http_server).find("Heat", 1995) is None


def test_429_is_retried_with_backoff_then_succeeds(http_server):
    FakeDouban(http_server, [TOY_STORY])
    answers = [Route(b"slow down", status=429, headers={"Retry-After": "0"}),
               Route(b"busy", status=503)]
    page = http_server.routes["/subject/1291575/"]
    http_server.routes["/subject/1291575/"] = lambda path, headers: answers.pop(0) if answers else page
    slept = []
    client = client_for(http_server, sleep=slept.append, backoff=0.5)
    assert client.subject("1291575").title_zh == "玩具总动员"
    assert slept == [0.0, 1.0]  # Retry-After honoured, then backoff * 2**attempt


def test_persistent_5xx_gives_up_with_an_error(http_server):
    http_server.routes["/subject/1/"] = Route(b"down", status=502)
    with pytest.raises(DoubanError, match="502 after 2 retries"):
        client_for(http_server, retries=2).subject("1")
    assert len(http_server.requests) == 3


def test_403_means_blocked(http_server):
    http_server.routes["/subject/1/"] = Route(b"forbidden", status=403)
    with pytest.raises(DoubanBlocked, match="403"):
        client_for(http_server).subject("1")


def test_a_redirect_to_the_security_check_means_blocked(http_server):
    http_server.routes["/subject/1/"] = Route(
        b"", status=302, headers={"Location": "https://sec.douban.com/b?r=https%3A//movie"})
    with pytest.raises(DoubanBlocked, match="security check"):
        client_for(http_server).subject("1")


def test_a_timeout_is_unreachable(http_server):
    http_server.routes["/subject/1/"] = Route(b"late", delay=1.0)
    with pytest.raises(DoubanUnreachable, match="timed out"):
        client_for(http_server, timeout=(1.0, 0.2)).subject("1")


def test_requests_are_spaced_by_the_delay():
    class Clock:
        now = 100.0

        def __call__(self):
            return self.now

        def sleep(self, seconds):
            slept.append(round(seconds, 3))
            self.now += seconds

    class Session:
        headers = {}

        def get(self, *args, **kwargs):
            clock.now += 0.5  # each request takes half a second

            class Response:
                status_code, is_redirect, text, url = 200, False, "[]", args[0]

                def json(self):
                    return []
            return Response()

    slept, clock = [], Clock()
    client = DoubanClient("http://x", delay=3.0, session=Session(), sleep=clock.sleep, clock=clock)
    for _ in range(3):
        client.suggest("anything")
    assert slept == [2.5, 2.5]


def test_an_invalid_subject_id_is_refused_without_a_request(http_server):
    with pytest.raises(DoubanError, match="not a Douban subject id"):
        client_for(http_server).subject("../../admin")
    assert http_server.requests == []
