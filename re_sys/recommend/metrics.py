"""Accuracy metrics, as pure functions over arrays."""
from __future__ import annotations

import numpy as np

__all__ = ["mae", "rmse"]


def rmse(truth, predicted) -> float:
    truth, predicted = np.asarray(truth, dtype=np.float64), np.asarray(predicted, dtype=np.float64)
    return float(np.sqrt(np.mean((truth - predicted) ** 2)))


def mae(truth, predicted) -> float:
    truth, predicted = np.asarray(truth, dtype=np.float64), np.asarray(predicted, dtype=np.float64)
    return float(np.mean(np.abs(truth - predicted)))
