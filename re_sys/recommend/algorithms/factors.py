"""What every rating model that factors as mean + user bias + movie bias + user · movie hands to a run."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Factors"]


@dataclass
class Factors:
    """Rows in the training DataSet's order; the text-CNN's towers, SVD, FM and ALS all give these."""

    user_features: np.ndarray
    movie_features: np.ndarray
    user_bias: np.ndarray
    movie_bias: np.ndarray
    global_mean: float
