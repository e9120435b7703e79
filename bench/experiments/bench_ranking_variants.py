"""Variants of EASE tried for the for-you ranking, on one per-user 75/25 split.

    python -m bench.experiments.bench_ranking_variants [--dataset data/ml-100k] [--seed 0]

Each row ranks every movie a viewer did not train on and reports NDCG@10 and
P@10 beside plain EASE (λ = 500) in the same run. EASE plus the implicit-ALS
channel beat EASE by more than noise on ML-100K, and EASE over ratings and
sittings (pairs rated minutes apart weigh more) beat plain EASE in that sum,
which is why the site's blend ranks with those two. Adding the infinitely
wide autoencoder gains a little more on this split but nothing on an inner
split of the training ratings, and costs ~10 ms an answer at ML-1M size, so
it is not served (docs/benchmarks.md). Dense numpy throughout: ML-100K-sized
data only.
"""
from __future__ import annotations


from bench.common import dataset_parser, movielens_frames  # noqa: E402
import numpy as np


from re_sys.recommend.algorithms import Interactions  # noqa: E402
from re_sys.recommend.algorithms.sittings import sitting_gram  # noqa: E402
from re_sys.recommend.serving.channels.implicit_als import ImplicitALS  # noqa: E402
from re_sys.recommend.serving.channels.next_up import next_up_scores, transition_matrix  # noqa: E402
from re_sys.recommend.algorithms.ease import closed_form  # noqa: E402
from re_sys.recommend.evaluation.protocols import per_user_split  # noqa: E402
from re_sys.recommend.metrics import mean_ranking_metrics  # noqa: E402


# The core's closed form, under the name the experiments use.
ease_weights = closed_form


def relu_ntk(rows: np.ndarray) -> np.ndarray:
    """The neural tangent kernel of a one-hidden-layer ReLU network between unit-length rows.

    With θ the angle between two viewers' rows: (sin θ + (π − θ) cos θ) / π from
    the hidden layer's activations, plus cos θ (π − θ) / π from its weights.
    """
    cos = np.clip(rows @ rows.T, -1.0, 1.0)
    angle = np.arccos(cos)
    return (np.sin(angle) + (np.pi - angle) * cos) / np.pi + cos * (np.pi - angle) / np.pi


def infinitely_wide_autoencoder(x: np.ndarray, regularisation: float) -> np.ndarray:
    """∞-AE (Sachdeva et al. 2022): kernel ridge regression of each viewer's row on every viewer's,
    the limit of an autoencoder with an infinitely wide hidden layer. λ is relative to the kernel's
    mean diagonal. Every answer costs a kernel row against all viewers and a viewers × movies product.
    """
    rows = x.astype(np.float64) / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    kernel = relu_ntk(rows)
    ridge = kernel + regularisation * np.mean(np.diag(kernel)) * np.eye(len(kernel))
    return kernel @ np.linalg.solve(ridge, x.astype(np.float64))


def standardised(scores: np.ndarray) -> np.ndarray:
    scores = scores - np.nanmean(scores, axis=1, keepdims=True)
    return scores / (np.nanstd(scores, axis=1, keepdims=True) + 1e-9)


def ndcg_and_precision(scores: np.ndarray, train: np.ndarray, test: np.ndarray, k: int = 10):
    """NDCG@k and P@k (the core's metrics) of each viewer's top k by `scores`, rated movies left out."""
    scores = np.where(train > 0, -np.inf, scores.astype(np.float64))
    users = np.flatnonzero(test.sum(axis=1) > 0)
    top = np.argsort(-scores[users], axis=1, kind="stable")[:, :k]
    relevant = {u: np.flatnonzero(test[u] > 0).tolist() for u in users.tolist()}
    metrics = mean_ranking_metrics(dict(zip(users.tolist(), top.tolist())), relevant, k)
    return metrics[f"ndcg@{k}"], metrics[f"precision@{k}"]


def main() -> None:
    parser = dataset_parser(__doc__)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    ratings, _movies, _users = movielens_frames(args.dataset)
    data = Interactions.from_frame(ratings)
    train, test = per_user_split(data, 0.25, args.seed)
    user_ids, movie_ids = np.unique(data.user_ids), np.unique(data.movie_ids)

    def matrix(part: Interactions, values=None) -> np.ndarray:
        out = np.zeros((len(user_ids), len(movie_ids)), np.float32)
        out[np.searchsorted(user_ids, part.user_ids), np.searchsorted(movie_ids, part.movie_ids)] = \
            1 if values is None else values
        return out

    x, held = matrix(train), matrix(test)
    gram = x.T @ x
    ease = x @ ease_weights(gram, 500.0)
    rows = []

    def row(name, scores):
        rows.append((name, *ndcg_and_precision(scores, x, held)))
        print(f"{name:60} NDCG@10 {rows[-1][1]:.4f}  P@10 {rows[-1][2]:.4f}", flush=True)

    row("EASE λ=500 (the baseline)", ease)
    user_gram = (x @ x.T).astype(np.float64)
    row("EASE + 0.3 × user-based EASE (λ=200)", standardised(ease) + 0.3 * standardised(
        ease_weights(user_gram, 200.0).T @ x))
    to_users = x / x.sum(axis=1, keepdims=True)
    to_movies = (x / np.maximum(x.sum(axis=0, keepdims=True), 1)).T
    rp3 = (to_movies @ to_users) / np.maximum(x.sum(axis=0), 1)[None, :] ** 0.5
    np.fill_diagonal(rp3, 0)
    row("EASE + 0.3 × RP3β (β=0.5)", standardised(ease) + 0.3 * standardised(x @ rp3))
    dropout = 0.33
    row("dropout-regularised EASE (p=0.33, λ=200)",
        x @ ease_weights(gram, dropout / (1 - dropout) * np.diag(gram) + 200.0))
    activity = x / x.sum(axis=1, keepdims=True) ** 0.25
    weighted = activity.T @ activity
    row("Gram weighted by activity^-1/4", x @ ease_weights(weighted, 500.0 * np.trace(weighted) / np.trace(gram)))
    stars = matrix(train, train.stars)
    row("query weighted by stars (1 + 0.1 (stars - 3.5))", (x * (1 + 0.1 * (stars - 3.5))) @ ease_weights(gram, 500.0))
    row("popularity penalty (-0.01 log popularity)", ease - 0.01 * np.log1p(x.sum(axis=0))[None, :])
    when = matrix(train, train.timestamps.astype(np.float32))
    last_seen = np.where(x > 0, when, -np.inf).max(axis=1)
    first_rated = np.where(x > 0, when, np.inf).min(axis=0)
    row("drop movies first rated after the viewer's last rating",
        np.where(first_rated[None, :] > last_seen[:, None], -np.inf, ease))
    movie_rows = np.searchsorted(movie_ids, train.movie_ids)
    transitions = transition_matrix(np.searchsorted(user_ids, train.user_ids), movie_rows, train.timestamps,
                                    len(movie_ids))
    order = np.lexsort((train.movie_ids, train.timestamps, train.user_ids))
    users_sorted = np.searchsorted(user_ids, train.user_ids[order])
    starts = np.searchsorted(users_sorted, np.arange(len(user_ids) + 1))
    weights = ease_weights(gram, 500.0).astype(np.float32)
    next_up = np.stack([next_up_scores(movie_rows[order][starts[u]:starts[u + 1]], transitions, weights)
                        for u in range(len(user_ids))])
    both_ways = x @ (lambda t: t + t.T)(transition_matrix(np.searchsorted(user_ids, train.user_ids), movie_rows,
                                                           train.timestamps, len(movie_ids), window=3))
    row("EASE + 0.2 × rated-nearby-in-time (window 3, both ways)", standardised(ease) + 0.2 * standardised(both_ways))
    for weight in (0.1, 0.25):
        row(f"EASE + {weight} × next-up (the recency channel)", standardised(ease) + weight * next_up)
    als = ImplicitALS.fit(np.searchsorted(user_ids, train.user_ids), movie_rows, len(user_ids), len(movie_ids),
                          seed=args.seed)
    als_scores = np.stack([als.scores(np.flatnonzero(x[u])) for u in range(len(user_ids))])
    row("implicit ALS alone (16 factors, λ=20, confidence 5: the channel)", als_scores)

    def over_unseen(scores):  # as Engine.for_user standardises: rated movies left out of the statistics
        return np.nan_to_num(standardised(np.where(x > 0, np.nan, scores)), nan=-np.inf)
    row("EASE + ALS, each standardised over unseen movies (served before sittings)",
        over_unseen(ease) + over_unseen(als_scores))
    sittings = sitting_gram(np.searchsorted(user_ids, train.user_ids), movie_rows, train.timestamps,
                            len(movie_ids))
    for weight, regularisation in ((0.0, 150.0), (2.0, 150.0)):
        label = "EASE λ=150" if not weight else f"EASE over ratings + {weight:g} × sittings (λ=150)"
        item_to_item = x @ ease_weights((gram + weight * sittings) / (1 + weight), regularisation)
        row(f"{label} alone", item_to_item)
        row(f"{label} + ALS{' (served)' if weight else ''}", over_unseen(item_to_item) + over_unseen(als_scores))
    wide = infinitely_wide_autoencoder(x, 3.0)
    row("∞-AE alone (ReLU NTK kernel ridge, λ = 3 × mean diagonal)", wide)
    row("EASE + ALS + ∞-AE, each standardised over unseen movies",
        over_unseen(ease) + over_unseen(als_scores) + over_unseen(wide))

    print(f"\n{args.dataset.name}, per-user 75/25 split, seed {args.seed}\n")
    print("| variant | NDCG@10 | P@10 |\n|---|---|---|")
    for name, ndcg, precision in rows:
        print(f"| {name} | {ndcg:.4f} | {precision:.4f} |")


if __name__ == "__main__":
    main()
