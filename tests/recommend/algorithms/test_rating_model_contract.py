"""Every rating model honours `algorithms.base.RatingModel`, checked the same way for each.

Planted data: generous and stingy viewers, better and worse movies, and two
tastes for two kinds of movies. Each model is fitted on 80 % of the ratings and
must predict the other 20 % better than a baseline: the bias model better than
the training mean, every other model better than the bias model (only they
can learn the tastes), give one finite figure per pair (also for a
viewer and a movie it never saw), and give the same figures when fitted again.
A model that does not appear below fails `test_every_rating_model_is_checked`.
"""
import shutil

import numpy as np
import pytest

from re_sys.recommend.algorithms.base import Interactions, RatingModel, Side
from re_sys.recommend.metrics import rmse
from tests.recommend.planted import planted_frames


def _planted(n_users: int = 80, n_movies: int = 40, density: float = 0.6, seed: int = 2):
    """planted_frames' viewers, movies and tastes, the stars moved by each one's own bias."""
    ratings, movies, users = planted_frames(n_users=n_users, n_movies=n_movies, density=density, seed=seed)
    rng = np.random.default_rng(seed + 1)
    user_bias, movie_bias = rng.normal(0, 0.6, n_users + 1), rng.normal(0, 0.6, n_movies + 1)
    shifted = ratings["stars"] + user_bias[ratings["user_id"]] + movie_bias[ratings["movie_id"]]
    ratings["stars"] = np.clip(np.round(shifted * 2) / 2, 0.5, 5.0).astype(np.float32)
    return ratings, movies, users


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _models():
    from re_sys.recommend.algorithms.baseline_knn import BaselineKNN
    from re_sys.recommend.algorithms.biases import Biases, GlobalMean
    from re_sys.recommend.algorithms.fm import FactorizationMachine
    from re_sys.recommend.algorithms.keras_mf import KerasRatingModel
    from re_sys.recommend.algorithms.neighbours import CosineCF, PearsonItemCF
    from re_sys.recommend.algorithms.spark_als import SparkALSRatings
    from re_sys.recommend.textcnn.ratings import TextCNNRatings
    from tests.recommend.textcnn.test_training import FAST, SMALL

    return {
        "global-mean": (GlobalMean, lambda: GlobalMean()),
        "biases": (Biases, lambda: Biases()),
        "baseline-knn": (BaselineKNN, lambda: BaselineKNN(by="item")),
        "pearson": (PearsonItemCF, lambda: PearsonItemCF()),
        "cosine": (CosineCF, lambda: CosineCF(by="user")),
        "fm": (FactorizationMachine, lambda: FactorizationMachine(factors=4, epochs=20, seed=0)),
        "keras-mf": (KerasRatingModel, lambda: KerasRatingModel("rsvd", factors=4, epochs=30, batch_size=64,
                                                                lr=1e-2, seed=0)),
        "text-cnn": (TextCNNRatings, lambda: TextCNNRatings(seed=3, model_config=SMALL, train_config=FAST)),
        "spark-als": (SparkALSRatings, lambda: SparkALSRatings(rank=4, iterations=5, seed=0)),
    }


MODELS = list(_models())


@pytest.fixture(scope="module")
def planted():
    ratings, movies, users = _planted()
    data = Interactions.from_frame(ratings)
    rows = np.random.default_rng(0).permutation(len(data))
    cut = int(0.8 * len(data))
    return data.subset(rows[:cut]), data.subset(rows[cut:]), Side(movies=movies, users=users)


def test_every_rating_model_is_checked():
    checked = {cls for cls, _make in _models().values()}
    concrete = {cls for cls in _subclasses(RatingModel) if not getattr(cls, "__abstractmethods__", None)}
    assert concrete <= checked, f"not held to the contract: {sorted(c.__name__ for c in concrete - checked)}"


@pytest.mark.parametrize("name", MODELS)
def test_a_rating_model_honours_the_contract(name, planted):
    if name == "spark-als" and (shutil.which("java") is None or not _has("pyspark")):
        pytest.skip("Spark needs pyspark and Java 17 (requirements-spark.txt)")
    train, test, side = planted
    cls, make = _models()[name]
    model = make()
    assert isinstance(model, RatingModel)
    assert model.fit(train, side) is model
    predicted = np.asarray(model.predict(test.user_ids, test.movie_ids), dtype=np.float64)
    assert predicted.shape == (len(test),) and np.isfinite(predicted).all()
    # Someone and something the model never saw: a finite fallback, not an error.
    unseen = np.asarray(model.predict(np.array([10_000, 1]), np.array([1, 20_000])), dtype=np.float64)
    assert unseen.shape == (2,) and np.isfinite(unseen).all()
    error = rmse(test.stars, np.clip(predicted, 0.5, 5))
    if name == "biases":
        assert error < 0.95 * rmse(test.stars, np.full(len(test), float(train.stars.mean())))
    elif name != "global-mean":
        from re_sys.recommend.algorithms.biases import Biases

        baseline = Biases().fit(train, side).predict(test.user_ids, test.movie_ids)
        assert error < 0.9 * rmse(test.stars, np.clip(baseline, 0.5, 5)), name
    again = np.asarray(make().fit(train, side).predict(test.user_ids, test.movie_ids), dtype=np.float64)
    np.testing.assert_allclose(again, predicted, rtol=1e-5, atol=1e-5)


def _has(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True
