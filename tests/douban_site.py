"""A stand-in Douban on the local HTTP server: suggestion JSON, subject pages, poster images.

The markup mirrors what movie.douban.com serves (the parts the scraper
reads): the `<title>`, a JSON-LD block, `span[property="v:itemreviewed"]`,
`span.year`, `#mainpic img`, `strong.rating_num`, `span[property="v:genre"]`.
"""
from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from tests.httpserver import Route


def poster_png(colour=(200, 40, 40), size=(60, 90)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def subject_page(*, douban_id: str, title_zh: str, original: str, year: int, img: str,
                 rating: str = "8.3", genres=("喜剧", "动画"), json_ld: bool = True) -> str:
    ld = ""
    if json_ld:
        ld = ('<script type="application/ld+json">\n{\n  "@context": "http://schema.org",\n'
              f'  "name": "{title_zh} {original}",\n  "url": "/subject/{douban_id}/",\n'
              f'  "image": "{img}",\n  "datePublished": "{year}-11-22",\n'
              f'  "genre": {json.dumps(list(genres), ensure_ascii=False)},\n'
              '  "@type": "Movie",\n  "aggregateRating": {"@type": "AggregateRating", '
              f'"ratingCount": "1234", "ratingValue": "{rating}"}}\n}}\n</script>')
    genre_spans = " / ".join(f'<span property="v:genre">{g}</span>' for g in genres)
    return f"""<!DOCTYPE html>
<html lang="zh-CN" class="ua-linux ua-webkit">
<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>
        {title_zh} (豆瓣)
</title>
{ld}
</head>
<body><div id="wrapper"><div id="content">
<h1><span property="v:itemreviewed">{title_zh} {original}</span>
    <span class="year">({year})</span></h1>
<div class="grid-16-8 clearfix"><div class="article"><div class="indent clearfix">
<div class="subjectwrap clearfix"><div class="subject clearfix">
<div id="mainpic" class="">
  <a class="nbgnbg" href="https://movie.douban.com/subject/{douban_id}/photos?type=R" title="点击看更多海报">
    <img src="{img}" title="点击看更多海报" alt="{original}" rel="v:image" />
  </a>
</div>
<div id="info">类型: {genre_spans}<br/></div>
</div>
<div id="interest_sectl"><div class="rating_wrap clearbox">
<strong class="ll rating_num" property="v:average">{rating}</strong>
</div></div>
</div></div></div></div></div></div></body></html>"""


@dataclass
class FakeFilm:
    douban_id: str
    title_zh: str
    original: str
    year: int
    colour: tuple = (200, 40, 40)


@dataclass
class FakeDouban:
    """Serves films on a LocalServer: suggestions answer by matching the query
    against original titles; posters refuse requests without a Referer (418), as
    Douban's image hosts do."""

    server: object
    films: list[FakeFilm] = field(default_factory=list)

    def __post_init__(self):
        self.server.routes["/j/subject_suggest"] = self._suggest
        for film in self.films:
            self.add(film)

    def add(self, film: FakeFilm, page: str | None = None) -> None:
        if film not in self.films:
            self.films.append(film)
        img = self.poster_url(film)
        self.server.routes[f"/subject/{film.douban_id}/"] = Route(
            (page or subject_page(douban_id=film.douban_id, title_zh=film.title_zh,
                                  original=film.original, year=film.year, img=img)).encode(),
            headers={"Content-Type": "text/html; charset=utf-8"})
        large = img.replace("s_ratio_poster", "l_ratio_poster")
        body = poster_png(film.colour)
        self.server.routes[urlsplit(large).path] = (
            lambda path, headers: Route(body, headers={"Content-Type": "image/png"})
            if headers.get("Referer") else Route(b"I'm a teapot", status=418))

    def poster_url(self, film: FakeFilm) -> str:
        return f"{self.server.url}/view/photo/s_ratio_poster/public/p{film.douban_id}.png"

    def _suggest(self, path, headers) -> Route:
        query = parse_qs(urlsplit(path).query).get("q", [""])[0].casefold()
        items = [{"episode": "", "img": self.poster_url(f), "title": f.title_zh,
                  "url": f"https://movie.douban.com/subject/{f.douban_id}/?suggest",
                  "type": "movie", "year": str(f.year), "sub_title": f.original, "id": f.douban_id}
                 for f in self.films
                 if query and (query in f.original.casefold() or f.original.casefold() in query)]
        return Route(json.dumps(items, ensure_ascii=False).encode(),
                     headers={"Content-Type": "application/json; charset=utf-8"})

    def suggest_requests(self) -> int:
        return sum(1 for path, _ in self.server.requests if path.startswith("/j/subject_suggest"))
