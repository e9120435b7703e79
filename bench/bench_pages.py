"""Page render times on ML-1M-sized data in SQLite, beside a trivial page in the same run.

    python -m bench.bench_pages [--requests 60] [--ratings 1000209]

Imports files of ML-1M's exact shape (6,040 viewers, 3,883 movies, 1,000,209
ratings) into a fresh SQLite database, writes a run of ML-1M's shape (200-d
user and movie matrices, EASE item-to-item weights and "also liked" lists
computed from those ratings), then renders each main page many times through
Django's full request stack in-process (no network), as a signed-in member
with 20 ratings where the page is personal. Reports p50 and p95 per page and
the ratio of each p95 to the p95 of the generated-poster view (one query, no
template), measured in the same run.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np



def _write_run(folder: Path, viewer_ids, movie_ids, ratings: np.ndarray, dim: int = 200) -> Path:
    """A run of the real shape; factors are random (speed does not depend on their values)."""
    from re_sys.recommend.algorithms.base import Interactions
    from re_sys.recommend.algorithms.ease import EASE
    from re_sys.recommend.serving.channels.also_liked import also_liked_neighbours
    from re_sys.recommend.serving.runs import RUN_FORMAT

    rng = np.random.default_rng(0)
    folder.mkdir(parents=True)
    user_row = {v: i for i, v in enumerate(viewer_ids)}
    movie_row = {m: i for i, m in enumerate(movie_ids)}
    users = np.array([user_row[u] for u in ratings[:, 0].astype(int)])
    movies = np.array([movie_row[m] for m in ratings[:, 1].astype(int)])
    stars = ratings[:, 2].astype(np.float32)
    n_users, n_movies = len(viewer_ids), len(movie_ids)
    arrays = {
        "user_ids": np.asarray(viewer_ids), "movie_ids": np.asarray(movie_ids),
        "user_features": (0.1 * rng.normal(size=(n_users, dim))).astype(np.float32),
        "movie_features": (0.1 * rng.normal(size=(n_movies, dim))).astype(np.float32),
        "user_bias": np.zeros(n_users, np.float32), "movie_bias": np.zeros(n_movies, np.float32),
    }
    ease = EASE(500.0).fit(Interactions(users.astype(np.int64), movies.astype(np.int64), stars,
                                        np.zeros(len(stars), np.int64)))
    weights = np.zeros((n_movies, n_movies), np.float32)
    weights[np.ix_(ease.movie_ids, ease.movie_ids)] = ease.weights
    arrays["item_weights"] = weights
    arrays["movie_popularity"] = np.bincount(movies, minlength=n_movies).astype(np.float32)
    arrays.update(also_liked_neighbours(users, movies, stars, n_users, n_movies))
    for name, array in arrays.items():
        np.save(folder / f"{name}.npy", array)
    (folder / "config.json").write_text(json.dumps({"format": RUN_FORMAT, "run_id": folder.name,
                                                    "trained_at": "2026-01-01T00:00:00+00:00"}))
    (folder / "metrics.json").write_text(json.dumps({"global_mean": float(stars.mean())}))
    return folder


def _time(client, urls, repeat: int) -> list[float]:
    times = []
    for i in range(repeat):
        url = urls[i % len(urls)]
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--requests", type=int, default=60, help="timed requests per page")
    parser.add_argument("--ratings", type=int, default=1_000_209)
    parser.add_argument("--profile", metavar="PAGE", help="also print a cProfile of one page by name")
    args = parser.parse_args()

    from re_sys.recommend.data.synthetic import write_ml1m

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        folder = write_ml1m(tmp / "ml-1m-shaped", n_ratings=args.ratings)
        os.environ.update({
            "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}", "RE_SYS_MODEL_DIR": str(tmp / "model"),
            "RE_SYS_DATA_DIR": str(tmp), "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "b" * 50,
            "DJANGO_ALLOWED_HOSTS": "testserver", "DJANGO_SETTINGS_MODULE": "dl_re_web.settings"})
        import django
        from django.contrib.auth import get_user_model
        from django.core.management import call_command
        from django.test import Client

        django.setup()
        from re_sys.models import Movie, Rating, Viewer
        from re_sys.recommend.serving.runs import switch_current
        from re_sys.services import ratings as rating_service

        call_command("migrate", verbosity=0)
        call_command("import_movielens", str(folder), verbosity=0)
        triples = np.array(Rating.objects.values_list("viewer_id", "movie_id", "stars"), dtype=np.float64)
        viewer_ids = list(Viewer.objects.order_by("id").values_list("id", flat=True))
        movie_ids = list(Movie.objects.order_by("id").values_list("id", flat=True))
        run = _write_run(tmp / "model" / "runs" / "bench", viewer_ids, movie_ids, triples)
        switch_current(tmp / "model", run)

        user = get_user_model().objects.create_user("bench", password="bench-bench-123")
        viewer = rating_service.viewer_for_user(user)
        rng = random.Random(0)
        popular = list(Movie.objects.order_by("-rating_count").values_list("id", flat=True)[:300])
        for movie in Movie.objects.filter(pk__in=rng.sample(popular, 20)):
            rating_service.rating_set(viewer=viewer, movie=movie, stars=rng.choice([2.0, 3.5, 4.0, 5.0]))
        movies = [f"/movies/{m}/" for m in rng.sample(popular, 30)]
        anonymous, member = Client(), Client()
        member.force_login(user)
        pages = [
            ("home (visitor)", anonymous, ["/"]),
            ("home (member)", member, ["/"]),
            ("movie (member)", member, movies),
            ("for you (member)", member, ["/for-you/"]),
            ("search 'the'", anonymous, ["/search/?q=the", "/search/?q=the&page=3"]),
            ("genre, best rated", anonymous, ["/genres/Comedy/?sort=rating", "/genres/Drama/?page=5"]),
            ("profile (member)", member, [f"/users/{viewer.pk}/"]),
            ("profile (ML user, demo)", anonymous, ["/users/10/"]),
            ("insights (cached)", anonymous, ["/insights/"]),
            ("model", anonymous, ["/model/"]),
        ]
        baseline_urls = [f"/movies/{m}/poster.svg" for m in popular[:30]]
        _time(anonymous, baseline_urls, 5)
        baseline = _time(anonymous, baseline_urls, args.requests)
        base_p95 = statistics.quantiles(baseline, n=20)[18]
        rows = []
        for name, client, urls in pages:
            _time(client, urls, 3)  # warm: the model store, the insights cache
            times = _time(client, urls, args.requests)
            p95 = statistics.quantiles(times, n=20)[18]
            rows.append((name, statistics.median(times), p95, p95 / base_p95))
            if name == args.profile:
                import cProfile
                import pstats

                profiler = cProfile.Profile()
                profiler.runcall(_time, client, urls, 20)
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)

    print(f"ratings: {args.ratings:,}; {args.requests} timed requests per page; SQLite; DEBUG off")
    print(f"{'page':28} {'p50 ms':>8} {'p95 ms':>8} {'p95 / baseline':>15}")
    print(f"{'baseline: generated poster':28} {statistics.median(baseline):8.1f} {base_p95:8.1f} {1:15.2f}")
    for name, p50, p95, ratio in rows:
        print(f"{name:28} {p50:8.1f} {p95:8.1f} {ratio:15.2f}")


if __name__ == "__main__":
    main()
