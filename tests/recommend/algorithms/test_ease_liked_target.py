"""EASE fitted to a target with the stars in it: Y = X + α·C, C the stars centred on each viewer's mean."""
import numpy as np
import pytest

from re_sys.recommend.algorithms import EASE, Interactions
from re_sys.recommend.algorithms.ease import closed_form


def _interactions(users, movies, stars) -> Interactions:
    return Interactions(np.array(users, np.int64), np.array(movies, np.int64), np.array(stars, np.float32),
                        np.arange(len(users), dtype=np.int64))


def _column_by_column(x, y, regularisation):
    """The constrained least squares solved the long way: column j regressed on every other column."""
    return _normal_equations(x.T @ x, x.T @ (y - x), regularisation)


def _normal_equations(gram, cross, regularisation):
    """Column j of B from its own normal equations, row and column j struck out (diag(B) = 0)."""
    n = len(gram)
    out = np.zeros((n, n))
    for j in range(n):
        others = [i for i in range(n) if i != j]
        system = gram[np.ix_(others, others)] + np.diag(regularisation[others])
        out[others, j] = np.linalg.solve(system, gram[others, j] + cross[others, j])
    return out


@pytest.mark.parametrize("regularisation", [2.0, np.array([1.0, 2.0, 3.0, 0.5, 4.0])])
def test_the_closed_form_with_a_cross_term_is_the_constrained_least_squares_fit(regularisation):
    rng = np.random.default_rng(3)
    x = (rng.random((40, 5)) < 0.4).astype(float)
    y = x + 0.7 * x * rng.normal(size=x.shape)
    weights = closed_form(x.T @ x, regularisation, cross=x.T @ (y - x))
    np.testing.assert_allclose(weights, _column_by_column(x, y, np.broadcast_to(regularisation, (5,))), atol=1e-10)
    # No cross term, or a zero one, is plain EASE.
    np.testing.assert_allclose(closed_form(x.T @ x, regularisation, cross=np.zeros((5, 5))),
                               closed_form(x.T @ x, regularisation), atol=1e-12)


def test_the_target_holds_how_much_more_than_usual_each_viewer_liked_each_film():
    # Viewer 1 rated 10, 20 (5, 3 stars: mean 4); viewer 2 rated 20, 30 (2, 4: mean 3);
    # viewer 3 rated 10, 30, 40 (1, 2, 3: mean 2).
    data = _interactions([1, 1, 2, 2, 3, 3, 3], [10, 20, 20, 30, 10, 30, 40], [5, 3, 2, 4, 1, 2, 3])
    x = np.array([[1, 1, 0, 0], [0, 1, 1, 0], [1, 0, 1, 1]], float)
    c = np.array([[1, -1, 0, 0], [0, -1, 1, 0], [-1, 0, 0, 1]], float)
    model = EASE(regularisation=2.0, liked_target=0.5).fit(data)
    np.testing.assert_allclose(model.weights, _column_by_column(x, x + 0.5 * c, np.full(4, 2.0)), atol=1e-5)
    np.testing.assert_allclose(EASE(regularisation=2.0, liked_target=0.0).fit(data).weights,
                               EASE(regularisation=2.0).fit(data).weights)


def test_with_sittings_the_target_is_scaled_as_the_gram_is():
    # Ratings a day apart share no sitting: the sitting Gram is then diag(counts), and EASE's Gram
    # (XᵀX + w·diag(counts)) / (1 + w). Xᵀ(Y − X) = α·XᵀC is divided by (1 + w) alike, so that α
    # weighs the stars against the Gram's co-ratings as it does without sittings.
    users, movies, stars = [1, 1, 2, 2, 3, 3, 3], [10, 20, 20, 30, 10, 30, 40], [5, 3, 2, 4, 1, 2, 3]
    data = Interactions(np.array(users, np.int64), np.array(movies, np.int64), np.array(stars, np.float32),
                        np.arange(len(users), dtype=np.int64) * 86_400)
    x = np.array([[1, 1, 0, 0], [0, 1, 1, 0], [1, 0, 1, 1]], float)
    c = np.array([[1, -1, 0, 0], [0, -1, 1, 0], [-1, 0, 0, 1]], float)
    model = EASE(regularisation=2.0, sitting_weight=1.0, liked_target=0.5).fit(data)
    gram = (x.T @ x + np.diag(x.sum(axis=0))) / 2.0
    np.testing.assert_allclose(model.weights, _normal_equations(gram, 0.5 * x.T @ c / 2.0, np.full(4, 2.0)),
                               atol=1e-5)


def test_a_film_its_co_raters_dislike_loses_weight_and_one_they_love_gains():
    # Everyone who rated film 1 also rated films 2 and 3; they love 2 and dislike 3.
    users, movies, stars = [], [], []
    for viewer in range(30):
        for movie, given in ((1, 4), (2, 5), (3, 1), (4 + viewer % 5, 3)):
            users.append(viewer), movies.append(movie), stars.append(given)
    data = _interactions(users, movies, stars)
    plain = EASE(regularisation=5.0).fit(data)
    liked = EASE(regularisation=5.0, liked_target=1.0).fit(data)
    to_loved, to_disliked = plain._movie_row[2], plain._movie_row[3]
    source = plain._movie_row[1]
    assert plain.weights[source, to_loved] == pytest.approx(plain.weights[source, to_disliked], rel=1e-4)
    assert liked.weights[source, to_loved] > plain.weights[source, to_loved]
    assert liked.weights[source, to_disliked] < plain.weights[source, to_disliked]


@pytest.mark.parametrize("option", ["liking_weight", "liked_target"])
def test_a_negative_weight_is_refused_and_the_weight_survives_save_and_load(tmp_path, option):
    with pytest.raises(ValueError, match=f"^{option} must not be negative"):
        EASE(**{option: -0.1})
    model = EASE(regularisation=2.0, **{option: 0.15}).fit(_interactions([1, 1, 2], [10, 20, 20], [5, 1, 3]))
    model.save(tmp_path / "ease.npz")
    back = EASE.load(tmp_path / "ease.npz")
    assert getattr(back, option) == 0.15
    np.testing.assert_array_equal(back.weights, model.weights)
