"""What every benchmark script shares: where the project is, and how a dataset is read.

Scripts run as modules from the project's root (`python -m bench.bench_accuracy`),
so they import the core as the site does, with no path patching.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from re_sys.recommend.data.dataset import frames_from_movielens
from re_sys.recommend.data.movielens import read_dataset

__all__ = ["DEFAULT_DATASET", "ROOT", "dataset_parser", "movielens_frames"]

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
