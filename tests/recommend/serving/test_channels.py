"""The 'next for you' and demographic channels: exact small cases, then planted structure."""
import numpy as np
import pytest

from re_sys.recommend.algorithms import EASE, Interactions, Popularity
from re_sys.recommend.serving.channels.demographic import DemographicPopular, segment_keys
from re_sys.recommend.serving.channels.next_up import next_up_scores, recency_weights, transition_matrix
from re_sys.recommend.serving.engine import Engine
from re_sys.recommend.serving.ranking import _sampled
from re_sys.recommend.evaluation.protocols import leave_last_out
from re_sys.recommend.metrics import mean_ranking_metrics
from re_sys.recommend.serving.runs import Run, RunError
from tests.recommend.fake_run import two_kinds_run, with_item_channel


def test_transition_counts_follow_each_viewer_in_time_order():
    # Viewer 0 rated 0 then 1 then 2 (given out of order); viewer 1 rated 2 then 0.
    users = np.array([0, 0, 0, 1, 1])
    movies = np.array([2, 0, 1, 0, 2])
    times = np.array([30, 10, 20, 9, 5])
    raw = transition_matrix(users, movies, times, 3, window=2)
    out_total = np.array([1 + 0.5, 1, 1])      # 0->1 (lag 1), 0->2 (lag 2) | 1->2 | 2->0
    in_total = np.array([1, 1, 1.5])
    expected = np.zeros((3, 3))
    expected[0, 1], expected[0, 2], expected[1, 2], expected[2, 0] = 1.0, 0.5, 1.0, 1.0
    expected /= np.sqrt(out_total[:, None] + 1) * np.sqrt(in_total[None, :] + 1)
    np.testing.assert_allclose(raw, expected, rtol=1e-6)


def test_recency_weights_favour_the_latest():
    weights = recency_weights(4, tau=1.0)
    assert weights[-1] == 1.0 and np.all(np.diff(weights) > 0)
    np.testing.assert_allclose(weights[0], np.exp(-3))


def _chains(n_users=200, n_chains=4, chain_length=16, seed=0):
    """Each viewer walks part of one chain of films in order, plus a few random films before."""
    rng = np.random.default_rng(seed)
    n_movies = n_chains * chain_length
    users, movies, times = [], [], []
    for user in range(n_users):
        chain = rng.integers(n_chains)
        noise = rng.choice(n_movies, size=3, replace=False)
        start = rng.integers(0, chain_length - 4)
        walk = [chain * chain_length + s for s in range(start, rng.integers(start + 3, chain_length) + 1)]
        seen = [m for m in noise if m not in walk] + walk
        users += [user] * len(seen)
        movies += seen
        times += list(range(len(seen)))
    return Interactions(np.array(users) + 1, np.array(movies) + 1, np.full(len(users), 4.0, np.float32),
                        np.array(times))


def _next_up_recommend(train: Interactions, ease: EASE):
    n = len(ease.movie_ids)
    rows = lambda ids: np.searchsorted(ease.movie_ids, ids)  # noqa: E731
    transitions = transition_matrix(train.user_ids, rows(train.movie_ids), train.timestamps, n)

    def recommend(user, k):
        mine = train.user_ids == user
        history = rows(train.movie_ids[mine][np.lexsort((train.movie_ids[mine], train.timestamps[mine]))])
        scores = next_up_scores(history, transitions, ease.weights)
        scores[history] = -np.inf
        best = np.argsort(-scores, kind="stable")[:k]
        return [(int(ease.movie_ids[i]), float(scores[i])) for i in best]
    return recommend


def test_next_up_finds_the_next_film_better_than_ease_and_popularity():
    """Hit rate at 1: EASE on the whole history knows the chain but not which end comes next."""
    data = _chains()
    train, test = leave_last_out(data)
    relevant = {int(u): {int(m)} for u, m in zip(test.user_ids, test.movie_ids)}
    ease = EASE(regularisation=5.0).fit(train)
    popular = Popularity().fit(train)

    def hits(recommend):
        rankings = {u: [m for m, _ in recommend(u, 1)] for u in relevant}
        return mean_ranking_metrics(rankings, relevant, 1)["hit_rate@1"]
    next_up = hits(_next_up_recommend(train, ease))
    assert next_up > hits(ease.recommend) + 0.15
    assert next_up > hits(popular.recommend) + 0.3


def test_demographic_shares_are_smoothed_towards_everyone():
    stars = np.array([5.0, 5.0, 4.0, 1.0])
    movies = np.array([0, 0, 1, 1])
    women = np.array([True, True, False, False])
    model = DemographicPopular.fit(stars, movies, {"gender:F": women}, 2, smoothing=2.0)
    share_all = (np.array([2, 1]) + 1.0) / (3 + 2)
    np.testing.assert_allclose(np.exp(model.log_share_all), share_all, rtol=1e-6)
    np.testing.assert_allclose(np.exp(model.log_share[0]), (np.array([2, 0]) + 2 * share_all) / (2 + 2),
                               rtol=1e-6)


def test_segment_keys_skip_unknown_fields():
    assert segment_keys("F", 25, "writer") == ["gender-age:F:25", "gender:F", "age:25", "occupation:writer"]
    assert segment_keys("", None, "writer") == ["occupation:writer"]
    assert segment_keys("X", 99, None) == []


def test_demographic_popular_beats_global_popular_for_new_viewers():
    """Women like films 0-19, men films 20-39, and everyone a few blockbusters a bit."""
    rng = np.random.default_rng(3)
    users, movies, stars, genders = [], [], [], []
    for user in range(300):
        woman = user % 2 == 0
        genders.append("F" if woman else "M")
        own = np.arange(0, 20) if woman else np.arange(20, 40)
        picks = np.r_[rng.choice(own, 6, replace=False), rng.choice(np.arange(40, 44), 2, replace=False)]
        users += [user] * len(picks)
        movies += list(picks)
        stars += [5.0] * 6 + [4.0] * 2
    users, movies, stars = np.array(users), np.array(movies), np.array(stars)
    train_users = np.arange(300) < 240          # the last 60 viewers arrive new, with no ratings
    in_train = train_users[users]
    masks = {f"gender:{g}": np.array([genders[u] == g for u in users[in_train]]) for g in "FM"}
    model = DemographicPopular.fit(stars[in_train], movies[in_train], masks, 44)
    overall = np.bincount(movies[in_train], minlength=44).astype(float)
    relevant = {u: set(movies[users == u].tolist()) for u in range(240, 300)}
    by_segment = {u: list(np.argsort(-model.scores([f"gender:{genders[u]}"]), kind="stable")[:10])
                  for u in relevant}
    by_everyone = {u: list(np.argsort(-overall, kind="stable")[:10]) for u in relevant}
    demographic = mean_ranking_metrics(by_segment, relevant, 10)["ndcg@10"]
    everyone = mean_ranking_metrics(by_everyone, relevant, 10)["ndcg@10"]
    assert demographic > everyone + 0.05
    assert model.reason(["gender:F"], 3) == "Popular with women"
    assert model.scores([]) is None


def _channels_run(tmp_path):
    folder = with_item_channel(two_kinds_run(tmp_path / "run", n_movies=6), np.zeros((6, 6)), np.arange(6))
    transitions = np.zeros((6, 6), np.float32)
    transitions[0, 3] = 1.0                      # film 4 follows film 1
    np.save(folder / "transitions.npy", transitions)
    women = np.array([True, False, True, False])
    DemographicPopular.fit(np.array([5.0, 5.0, 5.0, 5.0]), np.array([5, 1, 5, 2]),
                           {"gender-age:F:25": women, "gender:F": women}, 6).save(folder)
    return folder


def test_engine_serves_next_up_and_demographic_with_reasons(tmp_path):
    engine = Engine(Run.load(_channels_run(tmp_path)), titles={1: "Heat"})
    history = {2: 4.0, 1: 4.5}                   # oldest first
    assert engine.next_up(history, k=1) == engine.next_up(history, k=1)
    first = engine.next_up(history, k=1)[0]
    assert first.movie_id == 4 and first.channel == "next-up" and first.reason == "Often watched after Heat"
    assert all(r.movie_id not in (1, 2) for r in engine.next_up(history, k=10))
    top = engine.demographic(["gender-age:F:25", "gender:F", "occupation:unknown"], k=1)[0]
    assert top.movie_id == 6 and top.reason == "Popular with women aged 25–34"
    cold = engine.for_user({}, segments=["gender-age:F:25"], k=3)
    assert cold[0].channel == "demographic" and cold[0].movie_id == 6


def test_damaged_demographic_files_are_refused(tmp_path):
    folder = _channels_run(tmp_path)
    (folder / "demographic_segments.json").write_text("[\"gender:F\"")
    with pytest.raises(RunError, match="demographic"):
        Run.load(folder)


def test_variety_draws_from_the_best_and_repeats_with_its_seed():
    scores = np.arange(100, dtype=float)[::-1].copy()     # row 0 best
    scores[5] = -np.inf
    first = _sampled(scores, 10, seed=1)
    assert list(first) == list(_sampled(scores, 10, seed=1))
    assert len(set(first)) == 10 and 5 not in first and max(first) < 31
    assert list(first) == sorted(first)                     # still best first
    draws = {tuple(_sampled(scores, 10, seed=s)) for s in range(20)}
    assert len(draws) > 10
    # the best are drawn far more often than the last of the pool
    counts = np.bincount(np.concatenate([_sampled(scores, 10, seed=s) for s in range(300)]), minlength=31)
    assert counts[0] > 3 * counts[30]
