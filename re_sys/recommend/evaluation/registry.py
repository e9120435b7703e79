"""The one registry type of `evaluate`: every method, ranker or rating model, is a `Method`.

A `Method` says what it is (its description in the table) and how it is
built: given a protocol's training inputs, its answer function — a
`Recommend` for rankers (`rankers.py`), a `Predict` for rating models
(`rating_models.py`). Registries map names to methods.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

from ..algorithms.base import Interactions

__all__ = ["Method", "RankerInputs", "Registry"]


@dataclass
class RankerInputs:
    """What a method may learn from: the training ratings, and the catalogue and viewers."""

    train: Interactions
    movies: pd.DataFrame
    users: pd.DataFrame
    seed: int = 0
    # Tune hyper-parameters by cross-validation on `train` first, where a method has a search.
    search: bool = False
    log: Callable[[str], None] | None = None
    # What several methods of one protocol build alike (the served engine): built once, by the first.
    cache: dict = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class Method:
    description: str
    build: Callable[[RankerInputs], Callable]
    # Run only when named with --algo: it needs more than the project's requirements.
    on_request: bool = False


Registry = dict[str, Method]
