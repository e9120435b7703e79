"""Every top-N scorer honours `algorithms.base.Recommender`, checked the same way for each.

On planted data (two tastes, two kinds of movies) each is fitted on the
training ratings and must: return itself from `fit`; list at most k movies,
best first, never one the viewer rated or one excluded; refuse a viewer it
never saw with KeyError; leave the movie itself out of `similar_items`; give
the same `similar_items` after `save` and `load`; and, beyond popularity
itself, find more of each viewer's held-out movies of their own taste than
popularity does. A scorer missing below fails `test_every_recommender_is_checked`.
"""
import numpy as np
import pytest

from re_sys.recommend.algorithms.base import Interactions, Recommender
from tests.recommend.planted import planted_frames


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _recommenders():
    from re_sys.recommend.algorithms.ease import EASE
    from re_sys.recommend.algorithms.neighbours import CosineCF, PearsonItemCF
    from re_sys.recommend.algorithms.popularity import Popularity

    return {"popularity": (Popularity, Popularity), "ease": (EASE, lambda: EASE(regularisation=10.0)),
            "pearson-item": (PearsonItemCF, lambda: PearsonItemCF(min_common=2)),
            "cosine-item": (CosineCF, lambda: CosineCF(by="item")),
            "cosine-user": (CosineCF, lambda: CosineCF(by="user"))}


@pytest.fixture(scope="module")
def planted():
    ratings, _movies, _users = planted_frames(n_users=60, n_movies=40, density=0.5, seed=4)
    liked = ratings[ratings["stars"] >= 4]
    data = Interactions.from_frame(liked)
    rows = np.random.default_rng(1).permutation(len(data))
    cut = int(0.8 * len(data))
    return data.subset(rows[:cut]), data.subset(rows[cut:])


def _hits(model, train: Interactions, test: Interactions, k: int = 5) -> int:
    """How many held-out (liked) movies the top-k lists find, over every viewer."""
    held = {}
    for u, m in zip(test.user_ids.tolist(), test.movie_ids.tolist()):
        held.setdefault(u, set()).add(m)
    return sum(len(held[u] & {m for m, _s in model.recommend(u, k)}) for u in held if u in set(train.user_ids))


def test_every_recommender_is_checked():
    checked = {cls for cls, _make in _recommenders().values()}
    concrete = {cls for cls in _subclasses(Recommender) if not getattr(cls, "__abstractmethods__", None)}
    assert concrete <= checked, f"not held to the contract: {sorted(c.__name__ for c in concrete - checked)}"


@pytest.mark.parametrize("name", list(_recommenders()))
def test_a_recommender_honours_the_contract(name, planted, tmp_path):
    from re_sys.recommend.algorithms.popularity import Popularity

    train, test = planted
    cls, make = _recommenders()[name]
    model = make()
    assert model.fit(train) is model
    user = int(train.user_ids[0])
    rated = set(train.movie_ids[train.user_ids == user].tolist())
    excluded = next(m for m in model.movie_ids.tolist() if m not in rated)
    listed = model.recommend(user, k=7, exclude=[excluded])
    scores = [s for _m, s in listed]
    assert len(listed) <= 7 and scores == sorted(scores, reverse=True)
    assert not {m for m, _s in listed} & (rated | {excluded})
    with pytest.raises(KeyError):
        model.recommend(10_000, k=5)
    movie = int(train.movie_ids[0])
    similar = model.similar_items(movie, k=5)
    assert movie not in [m for m, _s in similar] and len(similar) <= 5
    model.save(tmp_path / "model.npz")
    assert cls.load(tmp_path / "model.npz").similar_items(movie, k=5) == similar
    if name != "popularity":
        assert _hits(model, train, test) > _hits(Popularity().fit(train), train, test), name
