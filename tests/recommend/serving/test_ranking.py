"""The for-you ranking reads stars as signed feedback and keeps its list in line with its own stars."""
import numpy as np
import pytest

from re_sys.recommend.serving.channels.base import ItemToItemChannel, Query
from re_sys.recommend.serving.engine import Engine
from re_sys.recommend.serving.ranking import RankingPolicy
from re_sys.recommend.serving.runs import Run
from tests.recommend.fake_run import two_kinds_run, with_item_channel

# Movie ids 1..8 (rows 0..7). Film 1's sequel is film 2; films 3-8 are linked in pairs, weakly.
SEQUEL = 2


@pytest.fixture
def engine(tmp_path):
    weights = np.zeros((8, 8), np.float32)
    weights[0, 1] = 1.0                                 # film 1 -> its sequel
    for a, b in ((2, 3), (4, 5), (6, 7)):
        weights[a, b] = weights[b, a] = 0.3
    folder = with_item_channel(two_kinds_run(tmp_path / "run", n_movies=8), weights, np.arange(8, 0, -1))
    return Engine(Run.load(folder), titles={1: "Alien (1979)", 3: "Heat (1995)"})


def rank_of(answer, movie_id):
    ids = [r.movie_id for r in answer]
    return ids.index(movie_id) if movie_id in ids else len(ids)


def test_a_one_star_pushes_the_sequel_down_and_a_five_star_pulls_it_up(engine):
    others = {3: 4.0, 5: 4.0, 7: 4.0}
    hated = engine.for_user({1: 1.0, **others}, k=8)
    loved = engine.for_user({1: 5.0, **others}, k=8)
    assert rank_of(loved, SEQUEL) == 0
    # Below every film nothing links to the viewer's ratings: pushed down, not merely not pulled.
    assert [r.movie_id for r in hated][-1] == SEQUEL and len(hated) == 4
    neutral = engine.for_user(others, k=8)
    assert {r.movie_id for r in neutral[-2:]} == {1, SEQUEL}    # unlinked films tie at the bottom


def test_a_five_star_pulls_harder_than_a_four_star():
    # Row 0 links to row 1; the viewer also rated row 2 (linked to nothing) 4★.
    channel = ItemToItemChannel(np.array([[0, 1.0, 0], [0, 0, 0], [0, 0, 0]], np.float32))
    policy = RankingPolicy()
    rows = np.array([0, 2])

    def sequel_score(stars):
        feedback = policy.feedback(np.array([stars, 4.0]), 3.5)
        return channel.scores(Query(rated_rows=rows, feedback=feedback))[1]
    assert sequel_score(5.0) > sequel_score(4.0) > sequel_score(3.0) > 0 > sequel_score(1.0)


def test_a_viewer_who_rated_only_one_star_gets_no_list_built_on_those_films(engine):
    answer = engine.for_user({1: 1.0, 3: 1.0}, k=4)
    assert answer, "the popular list still answers"
    assert {r.channel for r in answer} <= {"popular", "demographic", "text-cnn"}
    assert not any(r.reason.startswith("Because you rated") for r in answer)
    # The unsigned policy would have built the list on the 1★ films: the sequel first.
    old = Engine(engine.run, policy=RankingPolicy(signed=False, stars_weight=0.0, floor=None))
    assert old.for_user({1: 1.0, 3: 1.0}, k=4)[0].movie_id == SEQUEL


def test_reasons_name_only_liked_films_and_none_without_one(engine):
    liked = engine.for_user({1: 5.0, 3: 2.0}, k=3)
    because = [r.reason for r in liked if r.reason.startswith("Because you rated")]
    assert because and all("Alien" in reason for reason in because)
    lukewarm = engine.for_user({1: 3.0, 3: 3.0}, k=3)      # positive feedback, but nothing liked
    assert lukewarm and not any(r.reason.startswith("Because you rated") for r in lukewarm)


def test_nothing_predicted_below_three_stars_is_listed_while_better_is_left(tmp_path):
    # two_kinds_run: viewer 1's vector predicts odd movies high and even movies low.
    engine = Engine(Run.load(two_kinds_run(tmp_path / "run", n_movies=10)))
    vector = engine.user_vector(1)
    stars = engine.predict_many(*vector, range(1, 11))
    low = {m for m, s in stars.items() if s < 3.0}
    assert low and len(low) < 10
    answer = engine.for_user({}, vector=vector, k=10, order="popular")
    ids = [r.movie_id for r in answer]
    assert len(ids) == 10
    first_low = min(ids.index(m) for m in low)
    assert set(ids[first_low:]) == low, "the low ones only after every other movie"


def test_next_up_never_starts_from_a_disliked_film(tmp_path):
    folder = with_item_channel(two_kinds_run(tmp_path / "run", n_movies=6), np.zeros((6, 6)), np.arange(6))
    transitions = np.zeros((6, 6), np.float32)
    transitions[0, 3] = 1.0                      # film 4 follows film 1
    transitions[1, 4] = 1.0                      # film 5 follows film 2
    np.save(folder / "transitions.npy", transitions)
    engine = Engine(Run.load(folder), titles={1: "Heat (1995)", 2: "Ronin (1998)"})
    assert engine.next_up({1: 1.0}) == []
    answer = engine.next_up({2: 4.0, 1: 1.0}, k=2)
    assert answer[0].movie_id == 5 and answer[0].reason == "Often watched after Ronin (1998)"
    assert not any("Heat" in r.reason for r in answer)
    assert engine.next_up({1: 5.0}, k=1)[0].movie_id == 4


def test_next_up_keeps_the_floor_of_the_viewers_predicted_stars(tmp_path):
    folder = with_item_channel(two_kinds_run(tmp_path / "run", n_movies=6), np.zeros((6, 6)), np.arange(6))
    transitions = np.zeros((6, 6), np.float32)
    transitions[0, 1] = 1.0                      # film 2 follows film 1 most often...
    transitions[0, 2] = 0.2                      # ...film 3 less
    np.save(folder / "transitions.npy", transitions)
    engine = Engine(Run.load(folder), titles={1: "Heat (1995)"})
    vector = engine.user_vector(1)               # predicts odd films high, even ones low
    low = {m for m, s in engine.predict_many(*vector, range(1, 7)).items() if s < 3.0}
    assert 2 in low and 3 not in low
    assert engine.next_up({1: 5.0}, k=2)[0].movie_id == 2          # without stars: the strongest link
    # Film 3 first; film 2, below 3★, only after it, because no other film follows film 1: the
    # row lists only films the history leads to, not the rest of the catalogue above 3★.
    kept = engine.next_up({1: 5.0}, k=5, vector=vector)
    assert [r.movie_id for r in kept] == [3, 2]
    assert all(r.reason == "Often watched after Heat (1995)" for r in kept)


def test_next_up_lists_only_films_the_history_leads_to_each_with_its_own_reason(tmp_path):
    weights = np.zeros((6, 6), np.float32)
    weights[0, 3] = 0.5                          # film 4 is rated alongside film 1
    folder = with_item_channel(two_kinds_run(tmp_path / "run", n_movies=6), weights, np.arange(6))
    transitions = np.zeros((6, 6), np.float32)
    transitions[0, 2] = 1.0                      # film 3 is watched after film 1
    np.save(folder / "transitions.npy", transitions)
    engine = Engine(Run.load(folder), titles={1: "Heat (1995)"})
    answer = engine.next_up({1: 5.0}, k=5)
    assert [r.movie_id for r in answer] == [3, 4]     # films 2, 5 and 6: nothing leads there
    assert answer[0].reason == "Often watched after Heat (1995)"
    assert answer[1].reason.startswith("Because you rated Heat (1995)")


@pytest.mark.parametrize("order", ["blend", "item-to-item", "als", "text-cnn", "popular"])
def test_every_choice_of_recommender_reads_the_stars_alike(tmp_path, order):
    weights = np.zeros((10, 10), np.float32)
    weights[0, 1] = 1.0                                  # film 1 -> film 2 (even: predicted low)
    folder = with_item_channel(two_kinds_run(tmp_path / "run", n_movies=10), weights, np.arange(10, 0, -1))
    engine = Engine(Run.load(folder))
    vector = engine.user_vector(1)                       # likes odd films, predicted low on even ones
    low = {m for m, s in engine.predict_many(*vector, range(1, 11)).items() if s < 3.0}
    answer = engine.for_user({1: 1.0}, vector=vector, k=4, order=order)
    assert len(answer) == 4 and not {r.movie_id for r in answer} & low   # the floor, whichever channel ranks
    assert not {r.channel for r in answer} & {"item-to-item", "als"}     # nothing built on the 1★
    liked = engine.for_user({1: 5.0, 3: 5.0}, vector=vector, k=3, order=order)   # 3 odd films left
    assert not {r.movie_id for r in liked} & low


def test_the_stars_as_a_chance_of_liking_punish_a_likely_miss_and_barely_part_two_likely_hits():
    policy = RankingPolicy(like_threshold=3.5, like_spread=0.5)
    stars = np.array([1.5, 3.0, 3.5, 4.5, 4.9, -np.inf])
    term = policy._stars_term(stars)
    assert np.all(np.diff(term[:5]) > 0) and term[5] == -np.inf   # in the stars' order; blocked stays blocked
    assert term[2] == pytest.approx(np.log(0.5))                 # at the threshold, an even chance
    assert term[1] - term[0] > 10 * (term[4] - term[3])          # a miss costs far more than a hit gains
    # Without a threshold the stars join standardised, linear in the stars.
    linear = RankingPolicy()._stars_term(stars[:5])
    np.testing.assert_allclose(np.diff(linear) / np.diff(stars[:5]), np.diff(linear)[0] / 1.5)


def test_the_log_normal_tail_is_exact_to_a_millionth_and_finite_far_out():
    from math import erfc, log, sqrt

    from re_sys.recommend.serving.ranking import log_normal_tail

    x = np.array([-8.0, -3.0, -1.0, -0.2, 0.0, 0.5, 2.0, 6.0, 20.0])
    np.testing.assert_allclose(log_normal_tail(x), [log(0.5 * erfc(v / sqrt(2))) for v in x], rtol=1e-6, atol=1e-9)
    assert np.isfinite(log_normal_tail(np.array([40.0])))[0]        # erfc itself underflows to 0 there
    with pytest.raises(ValueError, match="like_spread"):
        RankingPolicy(like_spread=0.0)
    with pytest.raises(ValueError, match="recency_half_life"):
        RankingPolicy(recency_half_life=-1.0)


def test_with_a_half_life_a_recent_rating_counts_more_than_an_old_one_of_the_same_stars():
    stars = np.array([5.0, 1.0, 5.0, 5.0])                 # oldest first
    plain = RankingPolicy().feedback(stars, 3.5)
    decayed = RankingPolicy(recency_half_life=2.0).feedback(stars, 3.5)
    np.testing.assert_allclose(decayed, plain * np.array([2 ** -1.5, 2 ** -1, 2 ** -0.5, 1.0]))
    assert decayed[1] < 0 < decayed[0] < decayed[2] < decayed[3]    # signs kept: a dislike still pushes
