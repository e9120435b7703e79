"""evaluate's building blocks: the protocols' splits, every method on planted data, the report."""
import numpy as np
import pandas as pd
import pytest

from re_sys.recommend.algorithms import Interactions
from re_sys.recommend.evaluation.comparison import compare, markdown_table, replace_section
from re_sys.recommend.evaluation.protocols import holdout_split, new_viewer_split
from tests.recommend.planted import planted_frames


@pytest.fixture(scope="module")
def planted():
    return planted_frames(n_users=80, n_movies=40, density=0.5, seed=4)


def test_new_viewer_split_holds_out_whole_viewers(planted):
    data = Interactions.from_frame(planted[0])
    train, test = new_viewer_split(data, 0.1, seed=2)
    assert len(train) + len(test) == len(data)
    assert not set(train.user_ids.tolist()) & set(test.user_ids.tolist())
    assert len(set(test.user_ids.tolist())) == 8


def test_holdout_split_holds_out_a_tenth_and_depends_only_on_the_seed(planted):
    data = Interactions.from_frame(planted[0])
    train, test = holdout_split(data, 0.1, seed=5)
    assert len(test) == round(len(data) * 0.1) and len(train) + len(test) == len(data)
    again = holdout_split(data, 0.1, seed=5)[1]
    assert np.array_equal(test.movie_ids, again.movie_ids) and np.array_equal(test.user_ids, again.user_ids)


def test_every_method_beats_its_floor_on_planted_tastes(planted):
    ratings, movies, users = planted
    liked = ratings[ratings.stars >= 3.5]     # a viewer "watches" what they like
    results = compare(liked, movies, users, protocols=["user-split"],
                      names=["random", "popularity", "ease", "als"], k=5, seed=1)
    ndcg = {r.name: r.metrics["ndcg@5"] for r in results}
    assert ndcg["popularity"] > ndcg["random"]
    assert ndcg["ease"] > ndcg["popularity"] + 0.1 and ndcg["als"] > ndcg["popularity"] + 0.1


def test_biases_beat_the_global_mean_where_viewers_and_movies_differ(planted):
    _ratings, movies, users = planted
    rng = np.random.default_rng(0)
    viewer_bias, movie_bias = rng.normal(0, 0.7, 80), rng.normal(0, 0.7, 40)
    rows = [(u + 1, m + 1, float(np.clip(np.round((3 + viewer_bias[u] + movie_bias[m] + rng.normal(0, 0.3)) * 2)
                                         / 2, 0.5, 5)), i)
            for i, (u, m) in enumerate((u, m) for u in range(80) for m in range(40) if rng.random() < 0.5)]
    ratings = pd.DataFrame(rows, columns=["user_id", "movie_id", "stars", "timestamp"])
    rmse = {r.name: r.metrics["rmse"] for r in compare(ratings, movies, users, protocols=["holdout"],
                                                       names=["global-mean", "biases"], seed=1)}
    assert rmse["biases"] < 0.7 * rmse["global-mean"]


def test_for_you_is_the_engine_and_ranks_like_its_item_to_item_channel(planted):
    from re_sys.recommend.evaluation.rankers import RankerInputs, for_you_ranker
    from re_sys.recommend.evaluation.protocols import evaluate_ranker, per_user_split

    ratings, movies, users = planted
    data = Interactions.from_frame(ratings[ratings.stars >= 3.5])
    train, test = per_user_split(data, 0.25, seed=1)
    for_you = for_you_ranker(RankerInputs(train, movies, users, 1), with_text_cnn=False)
    seen = set(train.movie_ids[train.user_ids == 1].tolist())
    assert not seen & {m for m, _ in for_you(1, 10)}
    from re_sys.recommend.algorithms import Popularity
    assert evaluate_ranker(for_you, test, 5)["ndcg@5"] > \
        evaluate_ranker(Popularity().fit(train).recommend, test, 5)["ndcg@5"] + 0.1


def test_the_same_seed_gives_the_same_figures(planted):
    ratings, movies, users = planted
    first = compare(ratings, movies, users, protocols=["user-split", "leave-last-out"],
                    names=["random", "ease"], k=5, seed=3)
    second = compare(ratings, movies, users, protocols=["user-split", "leave-last-out"],
                     names=["random", "ease"], k=5, seed=3)
    assert [r.metrics for r in first] == [r.metrics for r in second]
    table = markdown_table(first, 5)
    assert "| user-split | ease (EASE, λ = 500) |" in table and "NDCG@5" in table


def test_replace_section_touches_only_its_markers():
    document = "# Benchmarks\n\nhand-written\n"
    once = replace_section(document, "evaluate", "table one")
    assert once.startswith(document.rstrip()) and "table one" in once
    twice = replace_section(once + "\nafter\n", "evaluate", "table two")
    assert "table one" not in twice and "table two" in twice
    assert twice.count("<!-- evaluate:start -->") == 1 and twice.endswith("after\n")


def test_the_blend_beats_its_best_member(planted):
    """Tastes plus viewer and movie biases: neighbours see the tastes, biases the offsets."""
    from re_sys.recommend.evaluation.rankers import RankerInputs
    from re_sys.recommend.evaluation.rating_models import RATING_MODELS, blend
    from re_sys.recommend.metrics import rmse

    ratings, movies, users = planted
    rng = np.random.default_rng(3)
    shift = dict(zip(range(1, 81), rng.normal(0, 0.6, 80)))
    ratings = ratings.assign(stars=np.clip(np.round((ratings.stars + ratings.user_id.map(shift)) * 2) / 2, 0.5, 5))
    train, test = holdout_split(Interactions.from_frame(ratings), 0.2, seed=1)
    inputs = RankerInputs(train, movies, users, seed=1)
    members = ("biases", "cosine-item", "pearson-item")
    alone = {name: rmse(test.stars, RATING_MODELS[name].build(inputs)(test.user_ids, test.movie_ids))
             for name in members}
    mixed = rmse(test.stars, blend(inputs, members=members)(test.user_ids, test.movie_ids))
    assert mixed < min(alone.values()) - 0.02


def test_all_leaves_out_the_on_request_methods_and_a_name_asks_for_them():
    from re_sys.recommend.evaluation.comparison import methods_for

    assert "spark-als" not in methods_for("holdout", None)
    assert "blend" in methods_for("holdout", None)
    assert methods_for("holdout", ["spark-als"]) == ["spark-als"]
    assert methods_for("user-split", ["spark-als"]) == []      # a rating model only


def test_the_served_list_agrees_with_the_served_stars_and_finds_what_viewers_like():
    """A trained run (text-CNN included) on planted tastes where every viewer rated both kinds,
    loving one and disliking the other: "rated it" says nothing, the stars say everything."""
    from re_sys.recommend.evaluation.protocols import evaluate_ranker, per_user_split
    from re_sys.recommend.evaluation.rankers import RankerInputs, for_you_ranker, served_engine, served_stars
    from re_sys.recommend.serving.ranking import RankingPolicy

    ratings, movies, users = planted_frames(n_users=80, n_movies=80, density=0.5, seed=3)
    train, test = per_user_split(Interactions.from_frame(ratings), 0.25, seed=0)
    inputs = RankerInputs(train, movies, users, 0)
    recommend, judge = for_you_ranker(inputs), served_stars(inputs)
    engine = served_engine(inputs)
    served = evaluate_ranker(recommend, test, 10, predicted=judge)
    engine.policy = RankingPolicy(signed=False, stars_weight=0.0, floor=None)
    unsigned = evaluate_ranker(recommend, test, 10, predicted=judge)
    assert served["contradiction@10"] <= 0.03 < unsigned["contradiction@10"]
    assert served["disliked@10"] <= 0.02 < unsigned["disliked@10"]
    assert served["liked_ndcg@10"] > unsigned["liked_ndcg@10"] + 0.1
