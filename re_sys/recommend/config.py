"""Typed, frozen configuration: model hyperparameters apart from runtime options."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields


@dataclass(frozen=True)
class TextCNNConfig:
    """Sizes of the two towers; the defaults are the design card's architecture."""

    id_dim: int = 32
    demographic_dim: int = 16
    hidden_dim: int = 32
    feature_dim: int = 200
    title_length: int = 15
    word_dim: int = 32
    windows: tuple[int, ...] = (2, 3, 4, 5)
    filters: int = 8
    dropout: float = 0.5
    # L2 on every embedding and on the per-user / per-movie biases: without it
    # the id embeddings memorise the training ratings within two epochs.
    l2: float = 5e-4
    bias_l2: float = 5e-4

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "TextCNNConfig":
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        if "windows" in values:
            values["windows"] = tuple(values["windows"])
        return cls(**values)


@dataclass(frozen=True)
class TrainConfig:
    """How one training run goes; the command line's defaults come from here."""

    epochs: int = 30
    batch_size: int = 2048
    lr: float = 5e-3
    seed: int = 42
    val_fraction: float = 0.1
    patience: int = 3

    def to_dict(self) -> dict:
        return asdict(self)
