"""Poster features from an ImageNet CNN without its top (offline, TensorFlow).

The weights come from a local file the user downloaded once: hubs are not
reachable everywhere, so nothing is fetched at run time. The features feed
the numpy-only `channels.posters.PosterIndex`.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

__all__ = ["ARCHITECTURES", "Architecture", "PosterFeatureError", "build_extractor",
           "extract_features", "load_poster"]


class PosterFeatureError(Exception):
    """Weights that do not fit the architecture, or an unreadable image."""


@dataclass(frozen=True)
class Architecture:
    name: str
    size: int
    weights_file: str  # what Keras publishes for include_top=False, to tell users what to get

    def application(self):
        import keras

        return {"mobilenet_v3_small": keras.applications.MobileNetV3Small,
                "mobilenet_v3_large": keras.applications.MobileNetV3Large,
                "vgg16": keras.applications.VGG16}[self.name]

    def preprocess(self, images: np.ndarray) -> np.ndarray:
        if self.name == "vgg16":
            import keras

            return keras.applications.vgg16.preprocess_input(images)
        return images  # MobileNetV3 rescales 0-255 inputs itself


ARCHITECTURES = {a.name: a for a in (
    Architecture("mobilenet_v3_small", 224, "weights_mobilenet_v3_small_224_1.0_float_no_top_v2.h5"),
    Architecture("mobilenet_v3_large", 224, "weights_mobilenet_v3_large_224_1.0_float_no_top_v2.h5"),
    Architecture("vgg16", 224, "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"),
)}


def build_extractor(architecture: Architecture, weights: Path | None):
    """The CNN without its top, global-average pooled; weights loaded from `weights`.

    `weights=None` leaves the network randomly initialised: only tests want that.
    """
    application = architecture.application()
    model = application(include_top=False, weights=None, pooling="avg",
                        input_shape=(architecture.size, architecture.size, 3))
    if weights is not None:
        expected = (f"{weights} does not hold {architecture.name} weights without the top "
                    f"(expected Keras's {architecture.weights_file})")
        # Keras loads what matches and only warns about the rest; a half-loaded
        # network would give confident nonsense, so any such warning is an error.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                model.load_weights(str(weights))
            except (OSError, ValueError, KeyError) as exc:
                raise PosterFeatureError(f"{expected}: {exc}") from exc
        skipped = [str(w.message) for w in caught if "freshly-initialized" in str(w.message)
                   or "Skipping" in str(w.message)]
        if skipped:
            raise PosterFeatureError(f"{expected}: {skipped[0]}")
    return model


def load_poster(path: Path, size: int) -> np.ndarray:
    """An RGB poster letterboxed onto a grey square, as float32 0-255 (size x size x 3)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image = image.convert("RGB")
            image.thumbnail((size, size))
            square = Image.new("RGB", (size, size), (128, 128, 128))
            square.paste(image, ((size - image.width) // 2, (size - image.height) // 2))
    except (OSError, UnidentifiedImageError) as exc:
        raise PosterFeatureError(f"{path}: not a readable image ({exc})") from exc
    return np.asarray(square, dtype=np.float32)


def extract_features(model, architecture: Architecture, paths: Sequence[Path], *,
                     batch_size: int = 16,
                     progress: Callable[[int], None] | None = None) -> tuple[np.ndarray, list[int]]:
    """Features of every readable poster, and the positions in `paths` they belong to."""
    features, kept, batch, batch_rows = [], [], [], []

    def flush():
        if batch:
            out = model(architecture.preprocess(np.stack(batch)), training=False)
            features.append(np.asarray(out, dtype=np.float32))
            kept.extend(batch_rows)
            if progress:
                progress(len(batch))
            batch.clear()
            batch_rows.clear()

    for position, path in enumerate(paths):
        try:
            batch.append(load_poster(path, architecture.size))
            batch_rows.append(position)
        except PosterFeatureError:
            if progress:
                progress(1)
            continue
        if len(batch) == batch_size:
            flush()
    flush()
    dim = model.output_shape[-1]
    return (np.concatenate(features) if features else np.zeros((0, dim), np.float32)), kept
