"""Configuration: the batch size grows with the data unless one is given; the cold-start rate is checked."""
import pytest

from re_sys.recommend.textcnn.config import TextCNNConfig, TrainConfig


def test_batch_size_scales_with_the_training_ratings():
    auto = TrainConfig()
    assert auto.resolved_batch_size(90_000) == 2048        # ML-100K: the floor
    assert auto.resolved_batch_size(900_188) == 8192       # ML-1M
    assert auto.resolved_batch_size(22_500_000) == 32768   # ML-25M: the ceiling
    assert auto.resolved_batch_size(0) == 2048
    assert TrainConfig(batch_size=256).resolved_batch_size(900_188) == 256


def test_the_cold_start_rate_must_leave_films_their_own_ids():
    for bad in (1.0, 1.5, -0.1, float("nan")):
        with pytest.raises(ValueError, match="cold_start_rate"):
            TextCNNConfig(cold_start_rate=bad)
    assert TextCNNConfig(cold_start_rate=0.0).cold_start_rate == 0.0
    assert TextCNNConfig().cold_start_rate == 0.2
