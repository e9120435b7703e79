"""The text-CNN two-tower model: its configuration, the Keras model, and its training.

Importing this package does not import TensorFlow; `training.fit` does, when
it runs, so the web process never loads it.
"""
from .config import TextCNNConfig, TrainConfig

__all__ = ["TextCNNConfig", "TrainConfig"]
