"""'Viewers also liked' lists: hand-computed scores, the engine's row lookups, and agreement
with the SQL computation the site uses when no run is served."""
import numpy as np
import pytest

from re_sys.recommend.serving.channels.also_liked import FAN_POWER, FAN_PRIOR, also_liked_neighbours
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
    # Movie 0's fans: users 0, 1, 2. Movie 1 (3 fans of its own) loved by 0 (5 -> 2) and 1 (4 -> 1);
    # movie 3 (2 fans) by 2 (5 -> 2); movie 2 (1 fan) by 0 (4 -> 1). Each over (its fans + prior) ** power.
    assert lists["also_liked_rows"][0].tolist() == [1, 3, 2]
    damped = lambda fans: (fans + FAN_PRIOR) ** FAN_POWER  # noqa: E731
    np.testing.assert_allclose(lists["also_liked_scores"][0], [3 / damped(3), 2 / damped(2), 1 / damped(1)],
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


def test_a_film_everyone_loves_falls_below_one_this_movies_fans_love_unusually_often():
    # 1000 viewers love the blockbuster (row 1); movie 0's ten fans do too, and eight of them love
    # the niche film (row 2), which nobody else does.
    rows = [(u, 0, 5.0) for u in range(10)] + [(u, 1, 5.0) for u in range(1000)] + \
        [(u, 2, 5.0) for u in range(8)]
    u, m, s = (np.array(c) for c in zip(*rows))
    lists = also_liked_neighbours(u, m, s.astype(np.float32), n_users=1000, n_movies=3, keep=2)
    assert lists["also_liked_rows"][0].tolist() == [2, 1]
    assert lists["also_liked_fans"][0].tolist() == [8, 10]      # the count shown: fans in common
    # Counted alone, the fans in common put the blockbuster first: the normalisation demotes it.
    raw = also_liked_neighbours(u, m, s.astype(np.float32), n_users=1000, n_movies=3, keep=2,
                                power=0.0, prior=0.0)
    assert raw["also_liked_rows"][0].tolist() == [1, 2]


def test_no_movie_stays_in_more_than_its_share_of_the_lists_and_each_list_keeps_its_order():
    rng = np.random.default_rng(0)
    n_users, n_movies = 300, 40
    # Everyone loves movie 0; each viewer also loves a random handful of the others.
    rows = [(u, 0, 5.0) for u in range(n_users)]
    rows += [(u, int(j), 4.0 + rng.integers(0, 2)) for u in range(n_users) for j in rng.choice(
        np.arange(1, n_movies), 8, replace=False)]
    u, m, s = (np.array(c) for c in zip(*rows))
    free = also_liked_neighbours(u, m, s.astype(np.float32), n_users, n_movies, max_share=None)
    lists = also_liked_neighbours(u, m, s.astype(np.float32), n_users, n_movies, max_share=0.15)

    def share_of_movie_0(arrays):
        top = arrays["also_liked_rows"][1:, :10]           # movie 0's own list aside
        return (top == 0).any(axis=1).mean()
    assert share_of_movie_0(free) > 0.9
    assert share_of_movie_0(lists) <= 0.15 + 1 / n_movies
    for row, scores, fans, before in zip(lists["also_liked_rows"], lists["also_liked_scores"],
                                         lists["also_liked_fans"], free["also_liked_rows"]):
        present = row >= 0
        assert (np.diff(scores[present]) <= 0).all()       # still in score order
        assert set(row[present].tolist()) <= set(before[before >= 0].tolist())
    # Each entry keeps its own count of fans in common.
    where = {(i, int(j)): int(f) for i, (r, fs) in enumerate(zip(free["also_liked_rows"], free["also_liked_fans"]))
             for j, f in zip(r, fs) if j >= 0}
    assert all(where[i, int(j)] == int(f) for i, (r, fs) in enumerate(zip(lists["also_liked_rows"],
                                                                           lists["also_liked_fans"]))
               for j, f in zip(r, fs) if j >= 0)
