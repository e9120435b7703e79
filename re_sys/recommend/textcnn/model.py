"""The text-CNN two-tower model in Keras 3.

Towers are built by functions; `build_rating_model` only composes them and
says how a rating is computed: the dot product of the two 200-d feature
vectors, plus the global mean and per-user / per-movie biases. With the
biases carrying "this viewer rates high" and "this movie is liked by all",
the dot product is left to model taste, which is what the serving engine's
similarity and retrieval queries use.
"""
from __future__ import annotations

from dataclasses import dataclass

import keras
from keras import layers, ops

from .config import TextCNNConfig

__all__ = ["ColdStartDrop", "PerDistinctMovie", "RatedMoviesPool", "Towers", "build_movie_tower",
           "build_rating_model", "build_title_cnn", "build_user_tower", "movie_id_rows"]


def movie_id_rows(n_movies: int, cfg: TextCNNConfig) -> int:
    """Rows of the movie id embedding and bias: one per film, and with cold-start training one
    more, the last, that every film nobody rated shares (`ColdStartDrop`)."""
    return n_movies + (1 if cfg.cold_start_rate > 0 else 0)


@keras.saving.register_keras_serializable(package="re_sys")
class PerDistinctMovie(layers.Layer):
    """Runs the movie tower once per distinct movie of a batch, then spreads the result back.

    A movie's features depend on the movie alone, and a batch of 1,024 ML-100K
    ratings holds only ~560 distinct movies, so the title CNN (most of a
    training step) does about half the work for the same result.

    An optional input "identity" (the films' own ids) says which rows are the
    same movie where "movie" no longer does: with cold-start training many
    films share the unseen id in a step, each with its own title and genres.
    """

    def __init__(self, tower: keras.Model, **kwargs):
        super().__init__(**kwargs)
        self.tower = tower

    def call(self, inputs, training=None):
        import tensorflow as tf  # only ever traced inside training; serving uses numpy

        identity = inputs.get("identity", inputs["movie"])
        films, position = tf.unique(identity)
        first = tf.math.unsorted_segment_min(tf.range(tf.shape(identity)[0]), position,
                                             tf.shape(films)[0])
        picked = {name: tf.gather(value, first) for name, value in inputs.items() if name != "identity"}
        return tf.gather(self.tower(picked, training=training), position)

    def compute_output_shape(self, input_shape):
        return (input_shape["movie"][0], self.tower.output_shape[-1])

    def get_config(self):
        return {**super().get_config(), "tower": keras.saving.serialize_keras_object(self.tower)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["tower"] = keras.saving.deserialize_keras_object(config["tower"])
        return cls(**config)


@keras.saving.register_keras_serializable(package="re_sys")
class ColdStartDrop(layers.Layer):
    """In training, a share of each step's films stand in for films nobody has rated yet.

    Their id becomes `n_movies`, the unseen id (the last row of the movie id
    embedding and of the movie bias, shared by all such films), so the tower must place them by
    title and genres alone and the unseen row learns what a film placed so is
    worth: the id embedding and bias a film added after training gets. The draw
    is per film and step, so every rating of a dropped film in the step drops
    together, as a new film has none (DropoutNet's input dropout, Volkovs et
    al. 2017). Outside training the ids pass through.

    A dropped film still counts among the films its viewers rated in the
    user tower's implicit part (`RatedMoviesPool`), which a film nobody rated
    would not; hiding it there too would need the draw shared with that
    layer's whole-catalogue product, and was not tried.

    Without `seed` the draws follow Keras' global seed, which `training.fit`
    sets from the run's seed.
    """

    def __init__(self, n_movies: int, rate: float, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.n_movies, self.rate, self.seed = n_movies, rate, seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, movie, training=None):
        if not training or self.rate <= 0:
            return movie
        draw = keras.random.uniform((self.n_movies,), seed=self.seed_generator)
        dropped = ops.take(draw, movie) < self.rate
        return ops.where(dropped, ops.full_like(movie, self.n_movies), movie)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "n_movies": self.n_movies, "rate": self.rate, "seed": self.seed}


@keras.saving.register_keras_serializable(package="re_sys")
class RatedMoviesPool(layers.Layer):
    """The movies a viewer rated, as one vector: Σ y_j / √|N(u)| over their learned embeddings y.

    This is SVD++'s implicit-feedback term. The sets N(u) are fixed when the
    model is built (the training ratings only, so nothing held out leaks in)
    and kept as non-trainable weights, so that they are saved with the model:
    `flat` (every viewer's movie rows, one viewer after another), `splits`
    (where each viewer's run starts) and `owners` (the viewer of each entry).

    Each step pools for every viewer at once, as one sparse (viewers × movies)
    by dense (movies × dim) product, then picks the batch's viewers. Pooling
    only the batch's viewers, by gathering their movies' rows and summing
    them per viewer, did less arithmetic but took 2.6 times as long per
    epoch as the tower without this input (bench/bench_train.py): the
    gathers and the scattered gradient cost more than the product.
    """

    def __init__(self, n_users: int, n_movies: int, n_rated: int, dim: int, l2: float = 0.0,
                 **kwargs):
        super().__init__(**kwargs)
        self.n_users, self.n_movies, self.n_rated, self.dim, self.l2 = (
            n_users, n_movies, n_rated, dim, l2)
        self.table = self.add_weight(shape=(n_movies, dim), name="rated_embedding",
                                     initializer=keras.initializers.RandomUniform(-0.05, 0.05),
                                     regularizer=keras.regularizers.L2(l2) if l2 else None)
        size = (max(n_rated, 1),)
        self.flat = self.add_weight(shape=size, dtype="int32", name="flat", initializer="zeros",
                                    trainable=False)
        self.owners = self.add_weight(shape=size, dtype="int32", name="owners", initializer="zeros",
                                      trainable=False)
        self.splits = self.add_weight(shape=(n_users + 1,), dtype="int32", name="splits",
                                      initializer="zeros", trainable=False)

    @classmethod
    def of(cls, user_rows, movie_rows, *, n_users: int, n_movies: int, dim: int, l2: float,
           name: str = "rated_movies") -> "RatedMoviesPool":
        """The layer for the (viewer row, movie row) pairs given."""
        import numpy as np

        users, movies = np.asarray(user_rows, dtype=np.int64), np.asarray(movie_rows, dtype=np.int64)
        order = np.lexsort((movies, users))
        counts = np.bincount(users, minlength=n_users)
        layer = cls(n_users, n_movies, len(order), dim, l2, name=name)
        if len(order):
            layer.flat.assign(movies[order].astype(np.int32))
            layer.owners.assign(users[order].astype(np.int32))
        layer.splits.assign(np.concatenate([[0], np.cumsum(counts)]).astype(np.int32))
        return layer

    def call(self, users):
        import tensorflow as tf  # only ever traced inside training; serving uses numpy

        counts = tf.cast(self.splits[1:] - self.splits[:-1], self.table.dtype)
        scale = tf.gather(tf.math.rsqrt(tf.maximum(counts, 1.0)), self.owners)
        if self.n_rated == 0:
            scale = scale * 0.0                      # the one placeholder entry counts for nothing
        indices = tf.cast(tf.stack([self.owners, self.flat], axis=1), tf.int64)
        every = tf.SparseTensor(indices, scale, dense_shape=(self.n_users, self.n_movies))
        return tf.gather(tf.sparse.sparse_dense_matmul(every, self.table), users)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.dim)

    def get_config(self):
        return {**super().get_config(), "n_users": self.n_users, "n_movies": self.n_movies,
                "n_rated": self.n_rated, "dim": self.dim, "l2": self.l2}


@dataclass
class Towers:
    rating: keras.Model  # all inputs -> predicted rating
    user: keras.Model    # user inputs -> feature vector
    movie: keras.Model   # movie inputs -> feature vector


def _embed(n: int, dim: int, cfg: TextCNNConfig, name: str) -> layers.Embedding:
    return layers.Embedding(n, dim, name=name,
                            embeddings_regularizer=keras.regularizers.L2(cfg.l2))


def build_user_tower(*, n_users: int, n_occupations: int, cfg: TextCNNConfig,
                     rated: RatedMoviesPool | None = None) -> keras.Model:
    """id, gender, age group and occupation embeddings, each through a dense layer, then 200-d;
    with `rated`, the pooled movies the viewer rated join them as a fifth part."""
    inputs = {name: keras.Input(shape=(), dtype="int32", name=name)
              for name in ("user", "gender", "age", "occupation")}
    sizes = {"user": (n_users, cfg.id_dim), "gender": (3, cfg.demographic_dim),
             "age": (8, cfg.demographic_dim), "occupation": (n_occupations + 1, cfg.demographic_dim)}
    parts = []
    for name, (n, dim) in sizes.items():
        x = _embed(n, dim, cfg, f"{name}_embedding")(inputs[name])
        parts.append(layers.Dense(cfg.hidden_dim, activation="relu", name=f"{name}_dense")(x))
    if rated is not None:
        parts.append(layers.Dense(cfg.hidden_dim, activation="relu", name="rated_dense")(
            rated(inputs["user"])))
    x = layers.Concatenate(name="user_concat")(parts)
    features = layers.Dense(cfg.feature_dim, activation="tanh", name="user_features")(x)
    return keras.Model(inputs, features, name="user_tower")


def build_title_cnn(words, *, vocabulary_size: int, cfg: TextCNNConfig):
    """Title word ids -> one max-pooled feature per filter and window size.

    A Conv1D over the word axis with kernels spanning the whole embedding is
    the same arithmetic as the seeds' Conv2D over a (words x embedding) image,
    several times faster (bench/bench_train.py measures both).
    """
    x = _embed(vocabulary_size, cfg.word_dim, cfg, "word_embedding")(words)
    pooled = []
    for window in cfg.windows:
        conv = layers.Conv1D(cfg.filters, window, activation="relu", name=f"title_conv_{window}")(x)
        pooled.append(layers.GlobalMaxPooling1D(name=f"title_pool_{window}")(conv))
    x = layers.Concatenate(name="title_concat")(pooled) if len(pooled) > 1 else pooled[0]
    return layers.Dropout(cfg.dropout, name="title_dropout")(x)


def build_movie_tower(*, n_movies: int, n_genres: int, vocabulary_size: int,
                      cfg: TextCNNConfig) -> keras.Model:
    """id embedding, summed genre embeddings and the title CNN, then 200-d.

    With `cfg.cold_start_rate` the id embedding has one more row, the unseen one."""
    movie = keras.Input(shape=(), dtype="int32", name="movie")
    genres = keras.Input(shape=(None,), dtype="int32", name="genres")
    title = keras.Input(shape=(cfg.title_length,), dtype="int32", name="title")

    x_id = _embed(movie_id_rows(n_movies, cfg), cfg.id_dim, cfg, "movie_embedding")(movie)
    x_id = layers.Dense(cfg.hidden_dim, activation="relu", name="movie_dense")(x_id)

    g = _embed(n_genres + 1, cfg.id_dim, cfg, "genre_embedding")(genres)
    mask = ops.expand_dims(ops.cast(ops.greater(genres, 0), g.dtype), -1)  # 0 is padding
    x_genre = layers.Dense(cfg.hidden_dim, activation="relu", name="genre_dense")(
        ops.sum(g * mask, axis=1))

    x_title = build_title_cnn(title, vocabulary_size=vocabulary_size, cfg=cfg)
    x = layers.Concatenate(name="movie_concat")([x_id, x_genre, x_title])
    features = layers.Dense(cfg.feature_dim, activation="tanh", name="movie_features")(x)
    return keras.Model({"movie": movie, "genres": genres, "title": title}, features,
                       name="movie_tower")


def build_rating_model(*, n_users: int, n_movies: int, n_occupations: int, n_genres: int,
                       vocabulary_size: int, global_mean: float,
                       cfg: TextCNNConfig | None = None, rated_pairs=None) -> Towers:
    """Compose the towers into rating = u·m + b_user + b_movie + global mean.

    `rated_pairs` (viewer rows, movie rows) are the sets the user tower's
    implicit part pools when `cfg.implicit` is on.
    """
    cfg = cfg or TextCNNConfig()
    rated = None
    if cfg.implicit:
        if rated_pairs is None:
            raise ValueError("cfg.implicit needs rated_pairs: the (viewer rows, movie rows) the model learns from")
        rated = RatedMoviesPool.of(*rated_pairs, n_users=n_users, n_movies=n_movies,
                                   dim=cfg.implicit_dim, l2=cfg.implicit_l2)
    user_tower = build_user_tower(n_users=n_users, n_occupations=n_occupations, cfg=cfg,
                                  rated=rated)
    movie_tower = build_movie_tower(n_movies=n_movies, n_genres=n_genres,
                                    vocabulary_size=vocabulary_size, cfg=cfg)
    inputs = {**{k: keras.Input(shape=(), dtype="int32", name=k)
                 for k in ("user", "gender", "age", "occupation", "movie")},
              "genres": keras.Input(shape=(None,), dtype="int32", name="genres"),
              "title": keras.Input(shape=(cfg.title_length,), dtype="int32", name="title")}
    u = user_tower({k: inputs[k] for k in ("user", "gender", "age", "occupation")})
    movie = inputs["movie"]
    if cfg.cold_start_rate > 0:
        movie = ColdStartDrop(n_movies, cfg.cold_start_rate, name="cold_start_drop")(inputs["movie"])
    m = PerDistinctMovie(movie_tower, name="movie_tower_per_distinct")(
        {"movie": movie, "identity": inputs["movie"], "genres": inputs["genres"], "title": inputs["title"]})
    bias_reg = keras.regularizers.L2(cfg.bias_l2)
    b_user = layers.Embedding(n_users, 1, embeddings_initializer="zeros",
                              embeddings_regularizer=bias_reg, name="user_bias")(inputs["user"])
    b_movie = layers.Embedding(movie_id_rows(n_movies, cfg), 1, embeddings_initializer="zeros",
                               embeddings_regularizer=bias_reg, name="movie_bias")(movie)
    dot = ops.sum(u * m, axis=-1)
    rating = dot + ops.squeeze(b_user, -1) + ops.squeeze(b_movie, -1) + global_mean
    model = keras.Model(inputs, rating, name="text_cnn")
    return Towers(rating=model, user=user_tower, movie=movie_tower)
