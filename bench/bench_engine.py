"""Engine query latency on ML-1M-sized matrices (6,040 x 200 users, 3,883 x 200 movies).

    python -m bench.bench_engine [--repeat 2000]

Random matrices of ML-1M's shape (latency does not depend on the values), with
the item-to-item and next-up channels (3,883² weights each, memory-mapped as
served) and a demographic channel of ML-1M's 30 segments. The
baseline in the same run is the bare matrix-vector product every query needs
(movies x 200 times a 200-vector); the ratio shows the engine's own overhead.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np


from re_sys.recommend.serving.channels.demographic import DemographicPopular  # noqa: E402
from re_sys.recommend.serving.engine import Engine  # noqa: E402
from re_sys.recommend.algorithms.factors import Factors  # noqa: E402
from re_sys.recommend.serving.runs import IdMaps, Run, write_run  # noqa: E402


def per_call_ms(fn, repeat: int) -> float:
    fn()
    started = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - started) / repeat * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--repeat", type=int, default=2000)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    n_users, n_movies, dim = 6040, 3883, 200
    with tempfile.TemporaryDirectory() as tmp:
        weights = rng.normal(size=(n_movies, n_movies)).astype(np.float32) * 0.01
        segments = [f"gender:{g}" for g in "FM"] + [f"age:{a}" for a in (1, 18, 25, 35, 45, 50, 56)] + \
            [f"gender-age:{g}:{a}" for g in "FM" for a in (1, 18, 25, 35, 45, 50, 56)] + \
            [f"occupation:job{j}" for j in range(21)]

        def channels(folder: Path) -> None:
            np.save(folder / "item_weights.npy", weights)
            np.save(folder / "movie_popularity.npy", rng.integers(1, 3000, n_movies).astype(np.float32))
            np.save(folder / "transitions.npy",
                    np.abs(rng.normal(size=(n_movies, n_movies))).astype(np.float32) * 0.01)
            DemographicPopular(segments, np.log(rng.random((len(segments), n_movies)).astype(np.float32) + 1e-3),
                               np.log(rng.random(n_movies).astype(np.float32) + 1e-3),
                               np.log1p(rng.integers(1, 3000, n_movies)).astype(np.float32)).save(folder)

        factors = Factors(rng.normal(size=(n_users, dim)) * 0.1, rng.normal(size=(n_movies, dim)) * 0.1,
                          np.zeros(n_users), np.zeros(n_movies), 3.5)
        run = write_run(Path(tmp), factors, maps=IdMaps(np.arange(1, n_users + 1), np.arange(1, n_movies + 1)),
                        config={"algorithm": "random"}, history={}, metrics={}, extra=channels)
        engine = Engine(Run.load(run))
        mine = ["gender-age:F:25", "occupation:job3"]
        rated = {int(m): 4.0 for m in rng.choice(np.arange(1, n_movies + 1), 165, replace=False)}
        vector = engine.user_vector(7)
        movies, user = engine.run.movie_features, engine.run.user_features[7]
        rows = [
            ("baseline: movies x 200 @ vector", lambda: movies @ user),
            ("similar(movie, 10)", lambda: engine.similar(100, 10)),
            ("predict(viewer, movie)", lambda: engine.predict(7, 100)),
            ("for_vector (text-CNN channel), 10", lambda: engine.for_vector(*vector, k=10)),
            ("for_user, 165 rated, all channels, 10", lambda: engine.for_user(rated, vector, k=10,
                                                                               segments=mine)),
            ("for_user with a variety seed", lambda: engine.for_user(rated, vector, k=10, segments=mine,
                                                                     variety=3)),
            ("next_up from 165 rated, 10", lambda: engine.next_up(rated, 10)),
            ("demographic(gender-age, occupation), 10", lambda: engine.demographic(mine, 10)),
            ("fold_in from 20 ratings", lambda: engine.fold_in(dict(list(rated.items())[:20]))),
        ]
        results = [(name, per_call_ms(fn, args.repeat)) for name, fn in rows]
    base = results[0][1]
    print("| query | ms per call | × baseline |")
    print("|---|---|---|")
    for name, ms in results:
        print(f"| {name} | {ms:.3f} | {ms / base:.1f} |")


if __name__ == "__main__":
    main()
