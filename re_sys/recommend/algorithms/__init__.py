"""Recommenders behind one contract (`base.Recommender`), usable as channels and comparators."""
from .base import Interactions, Recommender
from .ease import EASE
from .popularity import Popularity

__all__ = ["EASE", "Interactions", "Popularity", "Recommender"]
