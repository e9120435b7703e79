"""What every query of the serving layer answers with."""
from __future__ import annotations

from typing import NamedTuple

__all__ = ["Recommendation", "UnknownId"]


class UnknownId(KeyError):
    """A viewer or movie id that the served run does not know."""


class Recommendation(NamedTuple):
    movie_id: int
    score: float
    channel: str
    reason: str
