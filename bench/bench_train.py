"""Training speed: one epoch over ML-100K, ours beside the seeds' literal Conv2D title CNN.

    python -m bench.bench_train [--dataset data/ml-100k] [--ml1m]

Reports, in one run: seconds per epoch (the second epoch, after tracing) for
the default model, for the same model with the seeds' Conv2D over a
(words x embedding x 1) title image, their ratio, and for the default model
without the user tower's implicit input (the films each viewer rated), a full default training on
ML-100K, optionally a full default training on generated data of ML-1M's shape
(`--ml1m`, 1,000,209 ratings), and the process's peak memory.
"""
from __future__ import annotations

import os
import resource
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from bench.common import dataset_parser, movielens_frames  # noqa: E402
from re_sys.recommend.textcnn import model as model_module  # noqa: E402
from re_sys.recommend.textcnn import training  # noqa: E402
from re_sys.recommend.textcnn.config import TextCNNConfig, TrainConfig  # noqa: E402
from re_sys.recommend.data.dataset import DataSet, frames_from_movielens  # noqa: E402
from re_sys.recommend.data.movielens import read_dataset  # noqa: E402


def seeds_title_cnn(words, *, vocabulary_size: int, cfg: TextCNNConfig):
    """The seeds' formulation: a 2-D convolution over the title as a one-channel image."""
    from keras import layers, ops

    x = model_module._embed(vocabulary_size, cfg.word_dim, cfg, "word_embedding")(words)
    x = ops.expand_dims(x, -1)
    pooled = []
    for window in cfg.windows:
        conv = layers.Conv2D(cfg.filters, (window, cfg.word_dim), activation="relu",
                             name=f"title_conv2d_{window}")(x)
        pooled.append(layers.GlobalMaxPooling2D(name=f"title_pool_{window}")(conv))
    return layers.Dropout(cfg.dropout)(layers.Concatenate()(pooled))


def epoch_seconds(dataset: DataSet, config: TrainConfig, model_config: TextCNNConfig | None = None) -> float:
    """Seconds of the second epoch of a fresh model (default: the default one) on 90% of the ratings."""
    import keras

    split = dataset.split(0.1, config.seed)
    x, y = dataset.rating_inputs(split.train)
    keras.utils.set_random_seed(config.seed)
    towers = model_module.build_rating_model(
        n_users=dataset.n_users, n_movies=dataset.n_movies,
        n_occupations=len(dataset.occupations), n_genres=len(dataset.genres),
        vocabulary_size=len(dataset.vocabulary), global_mean=float(y.mean()),
        cfg=model_config or TextCNNConfig(title_length=dataset.title_length),
        rated_pairs=(dataset.rating_users[split.train], dataset.rating_movies[split.train]))
    towers.rating.compile(optimizer=keras.optimizers.Adam(config.lr), loss="mse")
    batch_size = config.resolved_batch_size(len(split.train))
    towers.rating.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)
    started = time.perf_counter()
    towers.rating.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)
    return time.perf_counter() - started


def _epochs(metrics: dict) -> str:
    text = f"{metrics['epochs_run']} epochs"
    return text + (f" + refit {metrics['best_epochs']} epochs" if metrics.get("refit") else "")


def main() -> None:
    parser = dataset_parser(__doc__)
    parser.add_argument("--ml1m", action="store_true")
    args = parser.parse_args()
    training._configure_threads()
    config = TrainConfig()
    dataset = DataSet.from_frames(*movielens_frames(args.dataset))

    ours = epoch_seconds(dataset, config)
    original = model_module.build_title_cnn
    model_module.build_title_cnn = seeds_title_cnn
    try:
        seeds = epoch_seconds(dataset, config)
    finally:
        model_module.build_title_cnn = original
    plain = epoch_seconds(dataset, config, TextCNNConfig(title_length=dataset.title_length, implicit=False))
    print(f"one epoch, {int(dataset.n_ratings * 0.9):,} ratings, "
          f"batch {config.resolved_batch_size(int(dataset.n_ratings * 0.9))}: "
          f"ours {ours:.2f} s, seeds' Conv2D {seeds:.2f} s, ratio {seeds / ours:.2f}x; "
          f"ours without the films each viewer rated {plain:.2f} s (ours / that {ours / plain:.2f}x)", flush=True)

    started = time.perf_counter()
    result = training.fit(dataset, train_config=config)
    print(f"full default training on {args.dataset.name}: {time.perf_counter() - started:.1f} s, "
          f"{_epochs(result.metrics)}, validation RMSE {result.metrics['valid_rmse']:.4f}",
          flush=True)

    if args.ml1m:
        from re_sys.recommend.data.synthetic import write_ml1m

        with tempfile.TemporaryDirectory() as tmp:
            big = DataSet.from_frames(*frames_from_movielens(read_dataset(write_ml1m(Path(tmp)))))
        started = time.perf_counter()
        result = training.fit(big, train_config=config)
        print(f"full default training on ML-1M-shaped data ({big.n_ratings:,} ratings): "
              f"{time.perf_counter() - started:.1f} s, {_epochs(result.metrics)}, "
              f"batch {result.metrics['batch_size']}", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS): {peak:.0f} MiB")


if __name__ == "__main__":
    main()
