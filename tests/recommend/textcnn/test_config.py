"""Configuration: the batch size grows with the data unless one is given."""
from re_sys.recommend.textcnn.config import TrainConfig


def test_batch_size_scales_with_the_training_ratings():
    auto = TrainConfig()
    assert auto.resolved_batch_size(90_000) == 2048        # ML-100K: the floor
    assert auto.resolved_batch_size(900_188) == 8192       # ML-1M
    assert auto.resolved_batch_size(22_500_000) == 32768   # ML-25M: the ceiling
    assert auto.resolved_batch_size(0) == 2048
    assert TrainConfig(batch_size=256).resolved_batch_size(900_188) == 256
