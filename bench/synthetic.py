"""MovieLens-1M-format files of any size (ML-1M's exact shape by default), for the benchmarks.

    python -m bench.synthetic DEST [--ratings N] [--users N] [--movies N] [--seed S]

The generator is `re_sys.recommend.data.synthetic.write_ml1m`, which the tests use too.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from re_sys.recommend.data.synthetic import write_ml1m


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dest", type=Path)
    parser.add_argument("--ratings", type=int, default=1_000_209)
    parser.add_argument("--users", type=int, default=6040)
    parser.add_argument("--movies", type=int, default=3883)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.ratings < 20 * args.users or args.ratings > args.users * args.movies:
        parser.error("--ratings must be between 20 per user and users × movies")
    write_ml1m(args.dest, n_users=args.users, n_movies=args.movies, n_ratings=args.ratings, seed=args.seed)
    print(f"wrote {args.dest}")


if __name__ == "__main__":
    main()
