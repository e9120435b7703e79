"""The infinitely wide autoencoder measured in bench/experiments/bench_ranking_variants.py (not served)."""
import numpy as np

from bench.experiments.bench_ranking_variants import infinitely_wide_autoencoder, ndcg_and_precision, relu_ntk


def test_relu_ntk_is_the_tangent_kernel_of_a_wide_relu_layer():
    # f(x) = Σ_j a_j relu(w_j · x) / √m with a, w standard normal: its tangent kernel, averaged over
    # many hidden units, is E[relu relu] + x·y E[a² relu' relu']; the formula uses twice that
    # (He scaling), so the Monte Carlo estimate is doubled before comparing.
    rng = np.random.default_rng(0)
    rows = rng.normal(size=(3, 5))
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    hidden = rng.normal(size=(400_000, 5))
    pre = rows @ hidden.T
    activation, slope = np.maximum(pre, 0), (pre > 0).astype(float)
    empirical = 2 * (activation @ activation.T + (rows @ rows.T) * (slope @ slope.T)) / len(hidden)
    np.testing.assert_allclose(relu_ntk(rows), empirical, atol=0.01)
    # Identical rows: θ = 0, so 1 from the activations and 1 from the weights.
    np.testing.assert_allclose(np.diag(relu_ntk(rows)), 2.0)


def test_wide_autoencoder_finds_planted_tastes_better_than_popularity():
    rng = np.random.default_rng(1)
    taste = rng.integers(0, 2, 80)
    kind = np.arange(60) % 2
    # Each viewer watches mostly their own kind of movie; both kinds are about as popular overall,
    # so only a model that finds the viewer's kind ranks well.
    likes = np.where(taste[:, None] == kind[None, :], 0.6, 0.05)
    watched = (rng.random((80, 60)) < likes).astype(np.float32)
    held = (rng.random(watched.shape) < 0.25) & (watched > 0)
    train, test = np.where(held, 0, watched), held.astype(np.float32)
    wide, _ = ndcg_and_precision(infinitely_wide_autoencoder(train, 3.0), train, test)
    popular, _ = ndcg_and_precision(np.tile(train.sum(axis=0), (80, 1)), train, test)
    assert wide > popular + 0.1
