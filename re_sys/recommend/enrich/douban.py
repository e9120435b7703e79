"""Douban: find a movie's subject, read its Chinese title, rating and poster — politely.

One `DoubanClient` makes every request of a batch, at most one every
`delay` seconds (3 s by default), with a browser-like User-Agent, timeouts,
and exponential backoff on 429 and 5xx answers. Douban blocks scrapers that
go faster: a 403 or a redirect to its security check raises `DoubanBlocked`,
which callers treat as "stop now, keep what is saved".

Matching is deliberately strict: a poster of the wrong film is worse than
the generated one, so a suggestion is accepted only when its year is within
one of ours and its title is close to one of our title's variants.

Plain Python (requests + BeautifulSoup); the `fetch_posters` command wires
it to the database.
"""
from __future__ import annotations

import json
import re
import time
import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Callable
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests

from ..data.titles import article_first, without_year

__all__ = ["Candidate", "DoubanBlocked", "DoubanClient", "DoubanError", "DoubanParseError",
           "DoubanUnreachable", "Subject", "large_image_url", "match_candidate",
           "parse_subject", "title_variants"]

DEFAULT_BASE_URL = "https://movie.douban.com"
USER_AGENT = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/131.0 Safari/537.36")
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MIN_TITLE_SIMILARITY = 0.8
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SECURITY_CHECK = ("sec.douban.com", "/misc/sorry")


class DoubanError(Exception):
    """This movie's lookup failed; record it and go on with the next."""


class DoubanParseError(DoubanError):
    """A page came back without what we read from it: its structure has changed."""


class DoubanBlocked(DoubanError):
    """Douban refuses us (403 or its security check): stop the batch, resume later."""


class DoubanUnreachable(DoubanError):
    """The connection itself failed (DNS, refused, timeout)."""


@dataclass(frozen=True)
class Candidate:
    """One entry of Douban's title suggestions."""

    douban_id: str
    title: str       # usually the Chinese title
    sub_title: str   # usually the original title
    year: int | None
    img: str = ""


@dataclass(frozen=True)
class Subject:
    """What a subject page says about a film."""

    douban_id: str
    title_zh: str
    year: int | None
    poster_url: str
    rating: float | None
    genres: tuple[str, ...] = field(default_factory=tuple)


# --------------------------------------------------------------------------- matching


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.findall(r"\w+", text))


def title_variants(title: str) -> list[str]:
    """The titles a film may be listed under: 'City of Lost Children, The (Cité des
    enfants perdus, La)' gives 'The City of Lost Children' and 'La Cité des enfants perdus'."""
    title = without_year(title).strip()
    inner = re.findall(r"\(([^()]+)\)", title)
    outer = re.sub(r"\s*\([^()]*\)", "", title).strip()
    variants = []
    for name in [outer, *inner]:
        name = re.sub(r"^a\.k\.a\.\s*", "", name.strip(), flags=re.IGNORECASE)
        if name and article_first(name) not in variants:
            variants.append(article_first(name))
    return variants


def _similarity(a: str, b: str) -> float:
    a, b = _normalise(a), _normalise(b)
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b).ratio()


def match_candidate(title: str, year: int | None, candidates: list[Candidate]) -> Candidate | None:
    """The suggestion that is this film, or None when no suggestion is confidently it.

    Accepted: year equal or one off (release dates differ between countries)
    and a title similarity of at least MIN_TITLE_SIMILARITY. Two different
    subjects scoring the same leave us unsure, which is also None.
    """
    variants = title_variants(title)
    scored = []
    for candidate in candidates:
        if year is not None and (candidate.year is None or abs(candidate.year - year) > 1):
            continue
        similarity = max((_similarity(v, name) for v in variants
                          for name in (candidate.sub_title, candidate.title)), default=0.0)
        if similarity < MIN_TITLE_SIMILARITY:
            continue
        year_penalty = 0.0 if year is None else 0.05 * abs(candidate.year - year)
        scored.append((similarity - year_penalty, candidate))
    if not scored:
        return None
    scored.sort(key=lambda pair: -pair[0])
    if len(scored) > 1 and scored[1][0] == scored[0][0] \
            and scored[1][1].douban_id != scored[0][1].douban_id:
        return None
    return scored[0][1]


# --------------------------------------------------------------------------- parsing


def large_image_url(url: str) -> str:
    """The large variant of a Douban poster URL (pages and suggestions link small ones)."""
    url = re.sub(r"/view/photo/[sm]_ratio_poster/", "/view/photo/l_ratio_poster/", url)
    url = re.sub(r"/view/photo/[sm]/", "/view/photo/l/", url)
    return re.sub(r"/view/movie_poster_cover/[a-z]pst/", "/view/movie_poster_cover/lpst/", url)


def _year(text: str | None) -> int | None:
    match = re.search(r"(1[89]\d\d|20\d\d)", text or "")
    return int(match.group(1)) if match else None


def _chinese_part(name: str) -> str:
    """'肖申克的救赎 The Shawshank Redemption' -> '肖申克的救赎'."""
    words = name.split()
    leading = []
    for word in words:
        if not _CJK.search(word) and leading:
            break
        leading.append(word)
    return " ".join(leading) if leading and _CJK.search(leading[0]) else name.strip()


def _json_ld(soup) -> dict:
    tag = soup.find("script", attrs={"type": "application/ld+json"})
    if not tag or not tag.string:
        return {}
    try:
        # Douban's JSON-LD carries raw newlines inside strings; strict=False accepts them.
        data = json.loads(tag.string, strict=False)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def parse_subject(html: str, douban_id: str) -> Subject:
    """Read a subject page; DoubanParseError when it lacks a title or a poster."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    ld = _json_ld(soup)

    reviewed = soup.select_one('span[property="v:itemreviewed"]')
    page_title = soup.title.get_text(strip=True) if soup.title else ""
    page_title = re.sub(r"\s*\(豆瓣\)\s*$", "", page_title)
    name = reviewed.get_text(" ", strip=True) if reviewed else str(ld.get("name") or "")
    if page_title and name.startswith(page_title):
        title_zh = page_title
    else:
        title_zh = _chinese_part(name) if name else ""
    if not title_zh:
        raise DoubanParseError(f"subject {douban_id}: no title found (the page structure may have changed)")

    img = soup.select_one("#mainpic img")
    poster = (img.get("src") if img else None) or str(ld.get("image") or "")
    if not poster:
        raise DoubanParseError(f"subject {douban_id}: no poster image found")

    year_tag = soup.select_one("span.year")
    year = _year(year_tag.get_text() if year_tag else str(ld.get("datePublished") or ""))

    rating_tag = soup.select_one("strong.rating_num")
    rating_text = rating_tag.get_text(strip=True) if rating_tag else ""
    if not rating_text:
        rating_text = str((ld.get("aggregateRating") or {}).get("ratingValue") or "")
    try:
        rating = float(rating_text) if rating_text else None
    except ValueError:
        rating = None

    genres = tuple(tag.get_text(strip=True) for tag in soup.select('span[property="v:genre"]'))
    if not genres and isinstance(ld.get("genre"), list):
        genres = tuple(str(g) for g in ld["genre"])
    return Subject(douban_id=str(douban_id), title_zh=title_zh, year=year,
                   poster_url=large_image_url(poster), rating=rating, genres=genres)


def parse_suggestions(payload) -> list[Candidate]:
    if not isinstance(payload, list):
        raise DoubanParseError("subject suggestions are not a JSON list")
    candidates = []
    for item in payload:
        if not isinstance(item, dict) or not item.get("id"):
            continue
        if item.get("type", "movie") != "movie":
            continue
        candidates.append(Candidate(
            douban_id=str(item["id"]), title=str(item.get("title") or ""),
            sub_title=str(item.get("sub_title") or ""), year=_year(str(item.get("year") or "")),
            img=str(item.get("img") or "")))
    return candidates


# --------------------------------------------------------------------------- HTTP


class DoubanClient:
    """Every request of a batch, spaced, retried and checked for blocking."""

    def __init__(self, base_url: str = DEFAULT_BASE_URL, img_base_url: str | None = None, *,
                 delay: float = 3.0, timeout: tuple[float, float] = (5.0, 20.0),
                 retries: int = 3, backoff: float = 2.0,
                 session: requests.Session | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic):
        if delay < 0:
            raise ValueError("delay must not be negative")
        self.base_url = base_url.rstrip("/")
        self.img_base_url = img_base_url.rstrip("/") if img_base_url else None
        self.delay, self.timeout, self.retries, self.backoff = delay, timeout, retries, backoff
        self.session = session or requests.Session()
        self.session.headers.update({"User-Agent": USER_AGENT,
                                     "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})
        self._sleep, self._clock = sleep, clock
        self._last_request: float | None = None
        self.requests_made = 0

    # ---------------------------------------------------------------- queries

    def suggest(self, query: str) -> list[Candidate]:
        response = self._get(f"{self.base_url}/j/subject_suggest", params={"q": query})
        try:
            payload = response.json()
        except ValueError as exc:
            raise DoubanParseError(f"subject suggestions for {query!r} are not JSON") from exc
        return parse_suggestions(payload)

    def subject(self, douban_id: str) -> Subject:
        if not re.fullmatch(r"\d{1,12}", str(douban_id)):
            raise DoubanError(f"{douban_id!r} is not a Douban subject id")
        response = self._get(f"{self.base_url}/subject/{douban_id}/")
        return parse_subject(response.text, str(douban_id))

    def find(self, title: str, year: int | None) -> Subject | None:
        """The film's subject, or None when Douban has nothing confidently it."""
        for query in title_variants(title)[:2]:
            candidate = match_candidate(title, year, self.suggest(query))
            if candidate is not None:
                return self.subject(candidate.douban_id)
        return None

    def image(self, url: str) -> tuple[bytes, str]:
        """The image's bytes and content type. Douban's image hosts want a Referer."""
        response = self._get(self.image_url(url), headers={"Referer": self.base_url + "/"},
                             stream=True)
        content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
        if not content_type.startswith("image/"):
            raise DoubanError(f"{url} is not an image ({content_type or 'no content type'})")
        body = bytearray()
        for chunk in response.iter_content(64 * 1024):
            body.extend(chunk)
            if len(body) > MAX_IMAGE_BYTES:
                raise DoubanError(f"{url} is larger than {MAX_IMAGE_BYTES // 1024 // 1024} MB")
        if not body:
            raise DoubanError(f"{url} is empty")
        return bytes(body), content_type

    def image_url(self, url: str) -> str:
        """Point an image URL at the configured image host (a mirror, or a test server)."""
        if not self.img_base_url:
            return url
        parts, base = urlsplit(url), urlsplit(self.img_base_url)
        return urlunsplit((base.scheme, base.netloc, base.path + parts.path, parts.query, ""))

    # ---------------------------------------------------------------- plumbing

    def _wait_turn(self) -> None:
        if self._last_request is not None:
            remaining = self.delay - (self._clock() - self._last_request)
            if remaining > 0:
                self._sleep(remaining)
        self._last_request = self._clock()

    def _get(self, url: str, *, params=None, headers=None, stream=False) -> requests.Response:
        for attempt in range(self.retries + 1):
            response = self._get_following(url, params=params, headers=headers, stream=stream)
            if response.status_code == 429 or response.status_code >= 500:
                if attempt == self.retries:
                    raise DoubanError(f"{url}: HTTP {response.status_code} after "
                                      f"{self.retries} retries")
                self._sleep(self._retry_after(response, attempt))
                continue
            if response.status_code == 403:
                raise DoubanBlocked(f"Douban answered 403 Forbidden for {url}: it is blocking "
                                    "this address. Wait (hours) before resuming.")
            if response.status_code == 404:
                raise DoubanError(f"{url}: not found (HTTP 404)")
            if response.status_code != 200:
                raise DoubanError(f"{url}: HTTP {response.status_code}")
            return response
        raise AssertionError("unreachable")

    def _get_following(self, url, *, params, headers, stream) -> requests.Response:
        """GET, following redirects by hand so a detour to the security check is seen."""
        for _ in range(5):
            if any(marker in url for marker in _SECURITY_CHECK):
                raise DoubanBlocked("Douban redirected to its security check (sec.douban.com): "
                                    "it suspects a robot. Wait (hours) before resuming.")
            self._wait_turn()
            self.requests_made += 1
            try:
                response = self.session.get(url, params=params, headers=headers, stream=stream,
                                            timeout=self.timeout, allow_redirects=False)
            except requests.Timeout as exc:
                raise DoubanUnreachable(f"{url}: timed out") from exc
            except requests.RequestException as exc:
                raise DoubanUnreachable(f"{url}: {exc.__class__.__name__}: {exc}") from exc
            if response.is_redirect:
                url, params = urljoin(response.url, response.headers["Location"]), None
                continue
            return response
        raise DoubanError(f"{url}: too many redirects")

    def _retry_after(self, response: requests.Response, attempt: int) -> float:
        header = response.headers.get("Retry-After", "")
        if header.isdigit():
            return min(float(header), 300.0)
        return self.backoff * (2 ** attempt)
