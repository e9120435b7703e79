"""The poster shown for a movie: Douban's cached image, or one drawn from its title.

Never a broken image: when no poster was fetched (or its file is gone) an SVG
with the title, year and a colour of the main genre stands in.
"""
from __future__ import annotations

import hashlib
import textwrap
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils.html import escape

GENRE_COLOURS = {
    "Action": "#8c2f1b", "Adventure": "#a65e12", "Animation": "#1f7a8c", "Children's": "#2a9d8f",
    "Children": "#2a9d8f", "Comedy": "#b08900", "Crime": "#3d3d3d", "Documentary": "#4f6d7a",
    "Drama": "#5b3a8c", "Fantasy": "#7b4397", "Film-Noir": "#222222", "Horror": "#5a0f0f",
    "IMAX": "#14507a", "Musical": "#b5446e", "Mystery": "#2e3a59", "Romance": "#b23a48",
    "Sci-Fi": "#0f4c75", "Thriller": "#432818", "War": "#4a5a2a", "Western": "#7f4f24",
}


def poster_url(movie) -> str:
    """The URL of the cached poster, or of the generated one."""
    if movie.poster and (Path(settings.MEDIA_ROOT) / movie.poster).is_file():
        return "/" + settings.MEDIA_URL.strip("/") + "/" + movie.poster
    return reverse("re_sys:poster", args=[movie.pk])


def genre_colour(genre_names: list[str], title: str) -> str:
    for name in genre_names:
        if name in GENRE_COLOURS:
            return GENRE_COLOURS[name]
    # Unknown genres still get a stable colour of their own.
    digest = hashlib.sha1(title.encode()).digest()
    return "#{:02x}{:02x}{:02x}".format(*(40 + b % 120 for b in digest[:3]))


def poster_svg(*, title: str, year: int | None, genre_names: list[str]) -> str:
    """A 2:3 SVG poster; the text is escaped (titles come from dataset files)."""
    wrapped = textwrap.wrap(title, 16)
    lines = wrapped[:5] or [""]
    if len(wrapped) > 5:
        lines[-1] = lines[-1][:14] + "…"
    colour = genre_colour(genre_names, title)
    start = 150 - 14 * (len(lines) - 1)
    text = "".join(
        f'<text x="100" y="{start + 28 * i}" text-anchor="middle" font-size="20" '
        f'font-weight="700" fill="#fff">{escape(line)}</text>' for i, line in enumerate(lines))
    subtitle = escape(" · ".join(filter(None, [str(year) if year else "", *genre_names[:2]])))
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 300" width="200" height="300" '
        f'role="img" aria-label="{escape(title)}">'
        f'<rect width="200" height="300" fill="{colour}"/>'
        '<rect x="10" y="10" width="180" height="280" fill="none" stroke="#ffffff55" stroke-width="2"/>'
        f'{text}<text x="100" y="270" text-anchor="middle" font-size="13" fill="#ffffffcc">'
        f'{subtitle}</text></svg>')
