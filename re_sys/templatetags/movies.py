"""Template helpers for movie cards: the poster to show, stars as text."""
from django import template

from ..posters import poster_url as _poster_url
from ..recommend.engine import stars_text

register = template.Library()


@register.filter
def poster_url(movie) -> str:
    return _poster_url(movie)


@register.filter
def stars(value) -> str:
    try:
        return stars_text(round(float(value) * 2) / 2)
    except (TypeError, ValueError):
        return ""
