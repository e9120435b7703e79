"""The poster shown for a movie: Douban's cached image, or one drawn from its title.

Never a broken image: when no poster was fetched (or its file is gone) an SVG
with the title, year and a colour of the main genre stands in.
"""
from __future__ import annotations

import colorsys
import hashlib
import textwrap
from pathlib import Path

from django.conf import settings
from django.utils.html import escape
from django.utils.translation import get_language

from .links import movie_link

GENRE_COLOURS = {
    "Action": "#8c2f1b", "Adventure": "#a65e12", "Animation": "#1f7a8c", "Children's": "#2a9d8f",
    "Children": "#2a9d8f", "Comedy": "#b08900", "Crime": "#3d3d3d", "Documentary": "#4f6d7a",
    "Drama": "#5b3a8c", "Fantasy": "#7b4397", "Film-Noir": "#222222", "Horror": "#5a0f0f",
    "IMAX": "#14507a", "Musical": "#b5446e", "Mystery": "#2e3a59", "Romance": "#b23a48",
    "Sci-Fi": "#0f4c75", "Thriller": "#432818", "War": "#4a5a2a", "Western": "#7f4f24",
}


def poster_url(movie) -> str:
    """The URL of the cached poster, or of the generated one in the active language."""
    if movie.poster and (Path(settings.MEDIA_ROOT) / movie.poster).is_file():
        return "/" + settings.MEDIA_URL.strip("/") + "/" + movie.poster
    link = movie_link("re_sys:poster", movie.pk)
    language = get_language()
    # The generated poster prints genres: each language has an address of its own (see views.poster).
    return link if not language or language == settings.LANGUAGE_CODE else f"{link}?lang={language}"


def _shade(colour: str, digest: bytes) -> str:
    """`colour` with its hue turned by up to ±18° and its lightness by up to ±10 %, from the title:
    two films of one genre share a family of colours, never the same brick."""
    red, green, blue = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    hue, light, sat = colorsys.rgb_to_hls(red, green, blue)
    hue = (hue + (digest[0] / 255 - .5) * .1) % 1.0
    light = min(.55, max(.12, light + (digest[1] / 255 - .5) * .2))
    return "#{:02x}{:02x}{:02x}".format(*(round(c * 255) for c in colorsys.hls_to_rgb(hue, light, sat)))


def genre_colour(genre_names: list[str], title: str) -> str:
    """The poster's main colour: its first known genre's, shaded by the title."""
    digest = hashlib.sha1(title.encode()).digest()
    for name in genre_names:
        if name in GENRE_COLOURS:
            return _shade(GENRE_COLOURS[name], digest)
    # Unknown genres still get a stable colour of their own.
    return "#{:02x}{:02x}{:02x}".format(*(40 + b % 120 for b in digest[:3]))


def _motif(digest: bytes) -> str:
    """One of four light shapes behind the title, placed by the title's hash."""
    x, y, size = 30 + digest[3] % 140, 40 + digest[4] % 70, 40 + digest[5] % 50
    kind = digest[2] % 4
    if kind == 0:       # a sun
        return f'<circle cx="{x}" cy="{y}" r="{size}" fill="#ffffff" fill-opacity=".16"/>'
    if kind == 1:       # rings
        return "".join(f'<circle cx="{x}" cy="{y + 60}" r="{size + 22 * i}" fill="none" stroke="#ffffff" '
                       f'stroke-opacity=".14" stroke-width="6"/>' for i in range(4))
    if kind == 2:       # diagonal bands
        return "".join(f'<path d="M{-100 + 70 * i} 300 L{40 + 70 * i} 0 L{70 + 70 * i} 0 L{-70 + 70 * i} 300Z" '
                       f'fill="#ffffff" fill-opacity=".09"/>' for i in range(6))
    return (f'<path d="M0 {190 + digest[6] % 40} L{x} {110 + digest[7] % 40} L200 {200 + digest[8] % 40} '
            f'L200 300 L0 300Z" fill="#000000" fill-opacity=".22"/>')   # a horizon


# The frame's inner width less a margin, and how wide a character of the poster's sans-serif runs
# on average, per unit of font size (bold a little wider): text estimated wider than the room is
# drawn squeezed to it (SVG's textLength), rather than past the frame.
ROOM = 172
CHAR_WIDTH = {"bold": 0.62, "normal": 0.55}


def _fitted(line: str, size: int, weight: str = "normal") -> str:
    """The attributes that keep a line of `size` within ROOM: none where it fits already."""
    if len(line) * size * CHAR_WIDTH[weight] <= ROOM:
        return ""
    return f' textLength="{ROOM}" lengthAdjust="spacingAndGlyphs"'


def poster_svg(*, title: str, year: int | None, genre_names: list[str],
               shown_genres: list[str] | None = None) -> str:
    """A 2:3 SVG poster; the text is escaped (titles come from dataset files).

    The background runs from the main genre's colour to the second genre's
    (or a darker shade), with a motif the title chooses, so a grid of
    posters without images is still a grid of different films. `genre_names`
    (the dataset's) choose the colours; `shown_genres`, the same genres as the
    reader's language says them, are printed (the dataset's where not given).
    """
    wrapped = textwrap.wrap(title, 16)
    lines = wrapped[:5] or [""]
    if len(wrapped) > 5:
        lines[-1] = lines[-1][:14] + "…"
    digest = hashlib.sha1(title.encode()).digest()
    colour = genre_colour(genre_names, title)
    others = [n for n in genre_names[1:] if n in GENRE_COLOURS]
    second = _shade(GENRE_COLOURS[others[0]], digest[::-1]) if others else _shade(colour, bytes([128, 30]))
    start = 150 - 14 * (len(lines) - 1)
    text = "".join(
        f'<text x="100" y="{start + 28 * i}" text-anchor="middle" font-size="20" '
        f'font-weight="700" fill="#fff"{_fitted(line, 20, "bold")}>{escape(line)}</text>'
        for i, line in enumerate(lines))
    shown = genre_names if shown_genres is None else shown_genres
    subtitle = " · ".join(filter(None, [str(year) if year else "", *shown[:2]]))
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 300" width="200" height="300" '
        f'role="img" aria-label="{escape(title)}">'
        f'<defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="{colour}"/>'
        f'<stop offset="1" stop-color="{second}"/></linearGradient></defs>'
        '<rect width="200" height="300" fill="url(#g)"/>'
        f'{_motif(digest)}'
        '<rect x="10" y="10" width="180" height="280" fill="none" stroke="#ffffff55" stroke-width="2"/>'
        f'{text}<text x="100" y="270" text-anchor="middle" font-size="13" fill="#ffffffcc"{_fitted(subtitle, 13)}>'
        f'{escape(subtitle)}</text></svg>')
