"""What every benchmark script shares: where the project is, and how a dataset is read.

Scripts run as modules from the project's root (`python -m bench.bench_accuracy`),
so they import the core as the site does, with no path patching.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from re_sys.recommend.data.dataset import frames_from_movielens
from re_sys.recommend.data.movielens import read_dataset

__all__ = ["DEFAULT_DATASET", "ROOT", "dataset_parser", "movielens_frames", "nested_splits", "seeds_parser",
           "without_demographics"]

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATASET = ROOT / "data" / "ml-100k"


def movielens_frames(folder: Path):
    """(ratings, movies, users) data frames of a dataset folder in any supported format."""
    return frames_from_movielens(read_dataset(folder))


def dataset_parser(doc: str) -> argparse.ArgumentParser:
    """A script's argument parser, its docstring as help, with the --dataset every script reads."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET, help="A MovieLens folder (any format).")
    return parser


def seeds_parser(doc: str) -> argparse.ArgumentParser:
    """`dataset_parser` with --seeds (default 0 1 2) and --outer, for scripts that tune on inner splits."""
    parser = dataset_parser(doc)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--outer", action="store_true", help="Score on the outer (held-out) split as well.")
    return parser


def nested_splits(data, seed: int):
    """(train, test, inner train, inner test): per-viewer 75/25 with `seed`, and again within train
    (seed + 1000), where choices are made; test is only for reporting them."""
    from re_sys.recommend.evaluation.protocols import per_user_split

    train, test = per_user_split(data, 0.25, seed)
    return (train, test, *per_user_split(train, 0.25, seed + 1000))


def without_demographics(users):
    """The viewers with gender, age group and occupation blanked, as in the ml-latest format, which has none."""
    import numpy as np

    return users.assign(gender="", age_group=np.nan, occupation="")
