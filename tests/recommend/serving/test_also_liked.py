"""'Viewers also liked' lists: hand-computed scores, the engine's row lookups, and agreement
with the SQL computation the site uses when no run is served."""
import numpy as np
import pytest

from re_sys.recommend.serving.channels.also_liked import also_liked_neighbours
from re_sys.recommend.serving.engine import Engine
from re_sys.recommend.serving.runs import Run, RunError
from tests.recommend.fake_run import two_kinds_run

# (user row, movie row, stars): users 0-2 love movie 0; what else they loved differs.
RATINGS = [(0, 0, 5), (0, 1, 5), (0, 2, 4),
           (1, 0, 4), (1, 1, 4), (1, 3, 2),
           (2, 0, 4.5), (2, 2, 3), (2, 3, 5),
           (3, 1, 5), (3, 3, 5)]


def neighbours(keep=3):
    u, m, s = (np.array(c) for c in zip(*RATINGS))
    return also_liked_neighbours(u, m, s.astype(np.float32), n_users=4, n_movies=4, keep=keep)


def test_scores_match_a_hand_computation():
    lists = neighbours()
    # Movie 0's fans: users 0, 1, 2. Movie 1 loved by 0 (5 -> 2) and 1 (4 -> 1): 3 / sqrt(3 ratings).
    # Movie 2 loved by 0 (4 -> 1): 1 / sqrt(2). Movie 3 loved by 2 (5 -> 2): 2 / sqrt(3).
    assert lists["also_liked_rows"][0].tolist() == [1, 3, 2]
    np.testing.assert_allclose(lists["also_liked_scores"][0], [3 / 3 ** .5, 2 / 3 ** .5, 1 / 2 ** .5],
                               rtol=1e-6)
    assert lists["also_liked_fans"][0].tolist() == [2, 1, 1]


def test_a_movie_never_lists_itself_and_short_lists_are_padded():
    lists = neighbours(keep=3)
    for movie in range(4):
        assert movie not in lists["also_liked_rows"][movie].tolist()
    # Movie 2's only fan (user 0) also loved movies 0 and 1 (5 stars each, 3 ratings each: a
    # tie, broken by row); nothing else.
    assert lists["also_liked_rows"][2].tolist() == [0, 1, -1]
    assert lists["also_liked_scores"][2][-1] == 0


def test_the_engine_serves_the_lists_with_exclusions_and_reasons(tmp_path):
    run = two_kinds_run(tmp_path / "run", n_movies=4)
    for name, array in neighbours().items():
        np.save(run / f"{name}.npy", array)
    engine = Engine(Run.load(run), titles={1: "Heat"})
    answer = engine.also_liked(1, k=2)
    assert [r.movie_id for r in answer] == [2, 4]
    assert answer[0].reason == "2 people who loved Heat also loved this"
    assert answer[1].reason == "1 person who loved Heat also loved this"
    assert [r.movie_id for r in engine.also_liked(1, k=5, exclude=[4])] == [2, 3]
    # A floor on shared fans: what one fan alone loved is left out, the rest keep their order.
    assert [r.movie_id for r in engine.also_liked(1, k=5, min_fans=2)] == [2]


def test_runs_without_the_lists_say_so_and_damaged_ones_are_refused(tmp_path):
    plain = Engine(Run.load(two_kinds_run(tmp_path / "plain", n_movies=4)))
    assert not plain.has_also_liked
    with pytest.raises(LookupError):
        plain.also_liked(1)
    run = two_kinds_run(tmp_path / "bad", n_movies=4)
    for name, array in neighbours().items():
        np.save(run / f"{name}.npy", array[:2])
    with pytest.raises(RunError, match="also_liked"):
        Run.load(run)
