"""Addresses of a movie's pages, built from each URL pattern reversed once.

A page of 40 cards asked Django's `reverse` about 250 times (each card's
link, poster, rate, save and hide forms), a tenth of the member's home page
time. The pattern with a placeholder id is reversed once per URL name and
script prefix, and the id put in its place.
"""
from functools import lru_cache

from django.urls import get_script_prefix, reverse

_PLACEHOLDER = 987654321


@lru_cache(maxsize=32)
def _pattern(name: str, prefix: str) -> str:
    return reverse(name, args=[_PLACEHOLDER])


def movie_link(name: str, movie_id: int) -> str:
    """reverse(name, args=[movie_id]) for a URL that takes one movie id."""
    return _pattern(name, get_script_prefix()).replace(str(_PLACEHOLDER), str(int(movie_id)))
