"""Import speed and memory: `import_movielens` on generated files, beside a raw-SQL baseline.

    python -m bench.bench_import [--ratings N --users U --movies M] [--database-url URL]

Generates users.dat / movies.dat / ratings.dat (ML-1M's exact shape by default:
6,040 users, 3,883 movies, 1,000,209 ratings), migrates a fresh database
(SQLite in a temporary folder unless --database-url is given), times the full
command in its own process (read, validate, write, statistics) with its peak
memory and, in the same run, a baseline that only inserts the same rating
tuples with sqlite3's executemany into a table with the same indexes. The ratio
is what to compare across machines.
"""
from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _baseline(folder: Path, db_path: Path) -> float:
    rows = []
    with (folder / "ratings.dat").open(encoding="latin-1") as fh:
        for line in fh:
            u, m, r, t = line.split("::")
            rows.append((int(u), int(m), float(r), int(t)))
    con = sqlite3.connect(db_path)
    con.executescript(
        "CREATE TABLE r (id INTEGER PRIMARY KEY, viewer INT, movie INT, stars REAL, ts INT);"
        "CREATE UNIQUE INDEX r_vm ON r(viewer, movie); CREATE INDEX r_v ON r(viewer);"
        "CREATE INDEX r_m ON r(movie); CREATE INDEX r_ms ON r(movie, stars);")
    start = time.perf_counter()
    with con:
        con.executemany("INSERT INTO r (viewer, movie, stars, ts) VALUES (?, ?, ?, ?)", rows)
    elapsed = time.perf_counter() - start
    con.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--ratings", type=int, default=1_000_209)
    parser.add_argument("--users", type=int, default=6040)
    parser.add_argument("--movies", type=int, default=3883)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    from re_sys.recommend.data.synthetic import write_ml1m

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        folder = write_ml1m(tmp / "ml-1m-shaped", n_users=args.users, n_movies=args.movies,
                            n_ratings=args.ratings)
        os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dl_re_web.settings")
        import django
        from django.core.management import call_command
        from django.db import connection

        django.setup()
        call_command("migrate", verbosity=0)
        # Its own process, so that its peak memory is the import's alone (the generator's is not).
        start = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "manage.py"), "import_movielens", str(folder), "-v", "0"],
                       check=True, env=os.environ.copy())
        ours = time.perf_counter() - start
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        vendor = connection.vendor
        baseline = _baseline(folder, tmp / "baseline.sqlite3")

    print(f"database: {vendor}; ratings: {args.ratings:,}")
    print(f"import_movielens (read + validate + write + stats): {ours:.1f} s "
          f"({args.ratings / ours:,.0f} ratings/s), peak memory {peak_mb:,.0f} MB")
    print(f"baseline (sqlite3 executemany of the parsed tuples only): {baseline:.1f} s")
    print(f"ratio ours / baseline: {ours / baseline:.2f}")


if __name__ == "__main__":
    main()
