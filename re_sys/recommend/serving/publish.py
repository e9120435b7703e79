"""Publishing a trained model as a run: its factors, every channel fitted beside them, a loss chart.

The text-CNN (`textcnn/training.py`) and the factor models (`algorithms/
factor_training.py`, Spark ALS) all end here, so every run is made alike.
Training time only: it fits the channels.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..algorithms.factors import Factors
from ..data.dataset import DataSet
from .channels.fitting import channels_save
from .runs import write_run

__all__ = ["run_publish"]


def run_publish(factors: Factors, dataset: DataSet, runs_dir: Path, *, algorithm: str, settings: dict,
                history: dict, metrics: dict, extra_info: dict | None = None, item_channel: bool = True,
                extra: Callable[[Path], None] | None = None, channel_options: dict | None = None) -> Path:
    """Write a run of `factors` (rows in `dataset`'s order) with its channels; return its folder.

    `channel_options` go to `channels_save` (the ALS seed, the dense limit).
    """
    def contents(folder: Path) -> None:
        if extra is not None:
            extra(folder)
        if item_channel:
            channels_save(folder, dataset, **(channel_options or {}))
        _plot_history(history, folder / "loss.png")

    return write_run(runs_dir, factors, maps=dataset, extra=contents, history=history, metrics=metrics,
                     config={"algorithm": algorithm, "model": settings, **(extra_info or {})})


def _plot_history(history: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.2), dpi=100)
    for key, label in (("rmse", "train RMSE"), ("val_rmse", "validation RMSE")):
        if key in history:
            ax.plot(range(1, len(history[key]) + 1), history[key], marker="o", label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel("RMSE")
    ax.grid(alpha=0.3)
    if ax.lines:
        ax.legend()
    else:  # a model trained without epochs (the factorization machine keeps no history)
        ax.text(0.5, 0.5, "no per-epoch history", ha="center", va="center", transform=ax.transAxes)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
