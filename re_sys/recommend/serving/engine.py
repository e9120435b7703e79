"""Serving from a run's feature matrices with numpy only: no TensorFlow in the web process.

`Engine` answers queries over one loaded `Run` (`store.ModelStore` keeps the
current one per process). Every answer is a list of `Recommendation` (movie
id, score, channel, reason); the reasons' words are in `reasons.py`.
"""
from __future__ import annotations

from functools import cached_property
from typing import Iterable, Mapping, Sequence

import numpy as np

from ..data.titles import display_title
from ..scores import top_k
from ..stars import LOVED_STARS, liked_mask
from .channels.also_liked import also_liked_reason
from .channels.base import (ALSChannel, DemographicChannel, ItemToItemChannel, PopularChannel, Query, RecallChannel,
                            TextCNNChannel)
from .channels.next_up import HISTORY_USED, next_up_scores, recency_weights
from .new_films import in_for_you, in_similar
from .content_tower import MovieTower, Placement
from .user_tower import UserTower
from .ranking import RankingPolicy
from .similarity import Similarity
from .reasons import BECAUSE_YOU_RATED, TASTES_LIKE_YOURS, Reason, gettext_noop, predicted_reason, stars_text
from .results import Recommendation, UnknownId
from .runs import Run

__all__ = ["Engine", "Recommendation", "UnknownId"]

# How strongly a folded-in user vector is pulled towards zero; chosen so that a
# handful of ratings moves recommendations without one rating dominating.
FOLD_IN_REGULARISATION = 1.0


class Engine:
    """Queries over one run. Titles are only used to word the reasons."""

    def __init__(self, run: Run, titles: Mapping[int, str] | None = None, policy: RankingPolicy | None = None,
                 similarity: Similarity | None = None):
        self.run = run
        self.titles = titles or {}
        self.policy = policy or RankingPolicy()
        self.similarity = similarity or Similarity()
        self._movie_row = {int(m): i for i, m in enumerate(run.movie_ids)}
        self._user_row = {int(u): i for i, u in enumerate(run.user_ids)}
        # Plain arrays even if a caller handed in np.memmap: its own indexing
        # adds Python overhead to every row lookup of every request.
        self._item_weights = None if run.item_weights is None else np.asarray(run.item_weights)
        self._transitions = None if run.transitions is None else np.asarray(run.transitions)
        norms = np.linalg.norm(run.movie_features, axis=1, keepdims=True)
        self.unit_movies = run.movie_features / np.maximum(norms, 1e-12)
        self.channels = self._channels()

    def _channels(self) -> list[RecallChannel]:
        """The run's recall channels, in the order a tie between them is broken."""
        run = self.run
        channels: list[RecallChannel] = []
        if run.item_weights is not None:
            channels.append(ItemToItemChannel(self._item_weights))
        if run.als is not None:
            channels.append(ALSChannel(run.als))
        channels.append(TextCNNChannel(run.movie_features, run.movie_bias, run.global_mean))
        if run.demographic is not None:
            channels.append(DemographicChannel(run.demographic))
        popularity = run.movie_popularity if run.movie_popularity is not None else -run.movie_bias
        channels.append(PopularChannel(popularity))
        return channels

    # ------------------------------------------------------------------ lookups

    def knows_movie(self, movie_id: int) -> bool:
        return int(movie_id) in self._movie_row

    def knows_user(self, user_id: int) -> bool:
        return int(user_id) in self._user_row

    def row_of(self, movie_id: int) -> int | None:
        """The run's row of a movie, or None for one it does not know."""
        return self._movie_row.get(int(movie_id))

    def _movie(self, movie_id: int) -> int:
        try:
            return self._movie_row[int(movie_id)]
        except KeyError:
            raise UnknownId(f"movie {movie_id} is not in the served model") from None

    def _user(self, user_id: int) -> int:
        try:
            return self._user_row[int(user_id)]
        except KeyError:
            raise UnknownId(f"viewer {user_id} is not in the served model") from None

    def _mask(self, exclude: Iterable[int]) -> np.ndarray:
        rows = [self._movie_row[int(m)] for m in exclude if int(m) in self._movie_row]
        return np.asarray(rows, dtype=np.int64)

    def title_of(self, movie_id: int) -> str:
        """A movie's title as reasons show it ("The Usual Suspects"), or "movie 12" for one without."""
        title = self.titles.get(int(movie_id))
        return display_title(title) if title else Reason(gettext_noop("movie {id}"), id=movie_id)

    # ------------------------------------------------------------------ queries

    def similar(self, movie_id: int, k: int = 10, exclude: Iterable[int] = (),
                new_movies: Mapping[int, Placement] | None = None) -> list[Recommendation]:
        """Movies like this one by content and by who rates them (`similarity.Similarity`), itself excluded.

        `new_movies`: placements (`content_placement`) of films the run never
        saw (see `new_films.in_similar`).
        """
        row = self._movie(movie_id)
        scores = self.similarity.scores(row, self.unit_movies, self._item_weights, self.run.movie_popularity)
        scores[row] = -np.inf
        scores[self._mask(exclude)] = -np.inf
        reason = Reason(gettext_noop("Similar to {title}"), title=self.title_of(movie_id))
        answer = [Recommendation(int(self.run.movie_ids[i]), float(scores[i]), "similar", reason)
                  for i in top_k(scores, k) if np.isfinite(scores[i])]
        return in_similar(self, answer, row, new_movies or {}, {movie_id, *map(int, exclude)}, k, reason)

    @cached_property
    def movie_tower(self) -> MovieTower | None:
        """The run's movie tower in numpy (None for older runs): vectors for films it never saw."""
        return MovieTower.load(self.run.path) if self.run.path is not None else None

    def content_placement(self, title: str, genre_names: Iterable[str], year: int | None = None) -> Placement | None:
        """Where the movie tower places a film from its title and genres (`MovieTower.placed`), with its
        `year` kept beside; None without a tower.

        Kept per title and genres (a page asks for the same new film on every load; an edit in
        the admin changes the key, so the next request sees the new words). The tower does not
        read the year, so it is set on the kept placement, not part of the key.
        """
        tower = self.movie_tower
        if tower is None or tower.feature_dim != self.run.movie_features.shape[1]:
            return None
        key = (title, tuple(genre_names))
        placement = self._placements.get(key)
        if placement is None:      # threads of one worker share the dict: read it once, keep our own
            placement = tower.placed(title, key[1])
            if len(self._placements) >= 10_000:
                self._placements.clear()
            self._placements[key] = placement
        year = int(year) if year else None
        return placement if placement.year == year else placement._replace(year=year)

    def content_vector(self, title: str, genre_names: Iterable[str]) -> np.ndarray | None:
        """The movie tower's vector of a film from its title and genres; None without a tower."""
        placement = self.content_placement(title, genre_names)
        return None if placement is None else placement.vector

    @cached_property
    def content_popularity(self) -> np.ndarray | None:
        """The movie tower's model of how much a film is rated from its title and genres
        (`MovieTower.popularity_model`), fitted once per run; None without a tower or counts."""
        tower, counts = self.movie_tower, self.run.movie_popularity
        return None if tower is None or counts is None else tower.popularity_model(counts)

    @cached_property
    def _placements(self) -> dict:
        return {}

    @cached_property
    def _unseen_movie_bias(self) -> float:
        """The bias cold-start training learned for unrated films, else the mean trained one."""
        tower = self.movie_tower
        if tower is not None and tower.cold_start:
            return tower.unseen_bias
        return float(self.run.movie_bias.mean())

    def predict_content(self, vector: np.ndarray, bias: float, content: Mapping[int, Placement]) -> dict[int, float]:
        """Predicted stars for films the run has not seen, from their placements: as `predict_many`,
        with the unseen bias (`_unseen_movie_bias`) for the unknown one of the new film."""
        if not content:
            return {}
        ids = list(content)
        scores = (np.stack([content[m].vector for m in ids]) @ vector + bias + self.run.global_mean
                  + self._unseen_movie_bias)
        return {m: float(np.clip(v, 0.5, 5.0)) for m, v in zip(ids, scores)}

    def similar_to_content(self, vector: np.ndarray, title: str, k: int = 10,
                           exclude: Iterable[int] = ()) -> list[Recommendation]:
        """Films nearest a content vector (a film the run has not seen): content alone, as nobody rated it."""
        unit = np.asarray(vector, dtype=np.float64) / max(float(np.linalg.norm(vector)), 1e-12)
        scores = (self.unit_movies @ unit).astype(np.float64)
        scores[self._mask(exclude)] = -np.inf
        reason = Reason(gettext_noop("Similar in title words and genres to {title}"), title=display_title(title))
        return [Recommendation(int(self.run.movie_ids[i]), float(scores[i]), "similar", reason)
                for i in top_k(scores, k) if np.isfinite(scores[i])]

    @property
    def has_also_liked(self) -> bool:
        return self.run.also_liked_rows is not None

    def also_liked(self, movie_id: int, k: int = 10, exclude: Iterable[int] = (),
                   min_fans: int = 1) -> list[Recommendation]:
        """What the movie's fans also rated highly (lists computed at training time).

        A movie only fewer than `min_fans` of those fans loved is left out: with
        one fan in common, the list would be that one person's favourites.
        Raises LookupError when the run has no such lists (an older run).
        """
        if not self.has_also_liked:
            raise LookupError("this run has no 'also liked' lists")
        row = self._movie(movie_id)
        blocked = set(self._mask(exclude).tolist())
        title = self.title_of(movie_id)
        answer = []
        for other, score, fans in zip(self.run.also_liked_rows[row].tolist(),
                                      self.run.also_liked_scores[row].tolist(),
                                      self.run.also_liked_fans[row].tolist()):
            if other < 0 or len(answer) == k:
                break
            if other not in blocked and fans >= min_fans:
                answer.append(Recommendation(int(self.run.movie_ids[other]), float(score), "also-liked",
                                             also_liked_reason(fans, title)))
        return answer

    def predict(self, user_id: int, movie_id: int) -> float:
        """The model's rating for a known viewer, clipped to the star scale."""
        self._movie(movie_id)  # UnknownId for a movie the run does not know
        return self.predict_many(*self.user_vector(user_id), [movie_id])[int(movie_id)]

    def predict_many(self, vector: np.ndarray, bias: float, movie_ids: Iterable[int]) -> dict[int, float]:
        """Predicted stars (clipped to 0.5–5) of a viewer's vector for the movies the run knows.

        The one place of the rating formula: mean + viewer bias + movie bias + viewer · movie.
        """
        known = [int(m) for m in movie_ids if int(m) in self._movie_row]
        if not known:
            return {}
        rows = np.array([self._movie_row[m] for m in known])
        scores = (self.run.movie_features[rows] @ vector + self.run.movie_bias[rows] + bias
                  + self.run.global_mean)
        return {m: float(np.clip(v, 0.5, 5.0)) for m, v in zip(known, scores)}

    def user_vector(self, user_id: int) -> tuple[np.ndarray, float]:
        u = self._user(user_id)
        return self.run.user_features[u], float(self.run.user_bias[u])

    def score_all(self, vector: np.ndarray, bias: float = 0.0) -> np.ndarray:
        """Predicted rating of every movie (row order of the run) for one user vector."""
        return self.run.movie_features @ vector + self.run.movie_bias + bias + self.run.global_mean

    def for_vector(self, vector: np.ndarray, bias: float = 0.0, k: int = 10,
                   exclude: Iterable[int] = ()) -> list[Recommendation]:
        """The text-CNN channel: highest predicted ratings, excluded movies left out."""
        scores = self.score_all(vector, bias)
        scores[self._mask(exclude)] = -np.inf
        return [Recommendation(int(self.run.movie_ids[i]), float(scores[i]), "text-cnn",
                               predicted_reason(scores[i]))
                for i in top_k(scores, k) if np.isfinite(scores[i])]

    def for_user(self, rated: Mapping[int, float], vector: tuple[np.ndarray, float] | None = None,
                 k: int = 10, exclude: Iterable[int] = (), order: str = "blend",
                 segments: Sequence[str] = (), variety: int | None = None,
                 new_movies: Mapping[int, Placement] | None = None) -> list[Recommendation]:
        """Multi-channel recall, then one ranking; never a rated or excluded movie.

        Channels: item-to-item (EASE weights, fitted over ratings, sittings,
        genres and co-liking, from the viewer's rated movies), implicit ALS (factors
        folded in from the same movies), the text-CNN (predicted rating
        from `vector`), popular within the viewer's
        demographic `segments` (see `demographic_segments`), and popular.
        The channels read `rated`'s stars as signed feedback, and
        `self.policy` (serving/ranking.py) ranks: EASE plus ALS plus the
        predicted stars, a movie predicted below 3★ only where nothing better
        is left. Each result is labelled with the channel that recalled it
        highest, and that channel's reason.

        `variety`: a seed; when given, the k results are drawn from the best
        3k, the better ones likelier, so that repeated visits see fresh
        lists. The same seed gives the same list.

        `order` other than "blend" names the one channel that ranks ("text-cnn",
        "item-to-item", "als" or "popular"), as a viewer may choose; when that channel
        cannot score for this viewer, the first of RANKING_ORDER that can ranks
        instead. Every order reads the stars alike and keeps the floor.

        `new_movies`: placements (`content_placement`) of films the run never
        saw (see `new_films.in_for_you`), listed as channel "new".
        """
        known = [int(m) for m in rated if int(m) in self._movie_row]
        rated_rows = np.array([self._movie_row[m] for m in known], dtype=np.int64)
        stars = np.array([rated[m] for m in known], dtype=np.float64)
        segments = self.demographic_segments(segments)
        query = Query(rated_rows=rated_rows, feedback=self.policy.feedback(stars, self.run.global_mean),
                      vector=vector, segments=segments)
        channels = self._recall(query)
        blocked = np.r_[rated_rows, self._mask(exclude)].astype(np.int64)
        for scores in channels.values():
            scores[blocked] = -np.inf
        ranking = self.policy.ranking(channels, order)
        chosen = self.policy.chosen(ranking, self.policy.below_floor(channels), k, variety)
        liked_rows = rated_rows[liked_mask(stars)]
        answer = self._labelled(chosen, ranking, channels, rated, liked_rows, segments, k)
        if new_movies and vector is not None:
            known_rated = {m: float(rated[m]) for m in known}
            loved_rows = rated_rows[stars >= LOVED_STARS]
            blocked_ids = {*map(int, rated), *map(int, exclude)}
            answer = in_for_you(self, answer, vector, new_movies, known_rated, loved_rows,
                                blocked_ids, order, k)
        return answer

    def _recall(self, query: Query) -> dict[str, np.ndarray]:
        """Every channel's score for every movie row, the channels that can score for this viewer only."""
        answers = ((channel.name, channel.scores(query)) for channel in self.channels)
        return {name: scores for name, scores in answers if scores is not None}

    def _labelled(self, chosen, ranking, channels, rated, liked_rows, segments, k) -> list[Recommendation]:
        """Each chosen row with the channel that recalled it highest, and that channel's reason."""
        run = self.run
        ranks = {name: {int(i): r for r, i in enumerate(top_k(scores, 5 * k))}
                 for name, scores in channels.items()}
        answer = []
        for i in chosen:
            if not np.isfinite(ranking[i]):
                continue
            channel = min(ranks, key=lambda c: (ranks[c].get(int(i), 10**9),
                                                list(channels).index(c)))
            if int(i) not in ranks[channel]:
                channel = next(iter(channels))
            answer.append(Recommendation(int(run.movie_ids[i]), float(ranking[i]), channel,
                                         self._reason(channel, int(i), rated, liked_rows, channels, segments)))
        return answer

    def demographic_segments(self, segments: Sequence[str]) -> list[str]:
        """Those of `segments` the run's demographic channel knows (none without the channel)."""
        if self.run.demographic is None:
            return []
        known = set(self.run.demographic.keys)
        return [s for s in segments if s in known]

    def demographic(self, segments: Sequence[str], k: int = 10, exclude: Iterable[int] = ()
                    ) -> list[Recommendation]:
        """Popular with people like the viewer; [] when the run has no such channel or no segment is known."""
        segments = self.demographic_segments(segments)
        if not segments:
            return []
        scores = self.run.demographic.scores(segments)
        scores[self._mask(exclude)] = -np.inf
        return [Recommendation(int(self.run.movie_ids[i]), float(scores[i]), "demographic",
                               self.run.demographic.reason(segments, int(i)))
                for i in top_k(scores, k) if np.isfinite(scores[i])]

    @property
    def has_next_up(self) -> bool:
        return self.run.transitions is not None

    def next_up(self, history: Mapping[int, float], k: int = 10, exclude: Iterable[int] = (),
                vector: tuple[np.ndarray, float] | None = None) -> list[Recommendation]:
        """'Next for you': films people go on to watch after the ones this viewer liked last.

        `history` is the viewer's ratings, movie -> stars, oldest first; only
        the liked ones (≥ LIKED_STARS) start the list, so a 1★ never brings
        its sequel. Rated movies are never recommended. [] for an older run
        without transitions or a history with nothing liked.

        With the viewer's `vector` the row keeps for-you's floor
        (`RankingPolicy.chosen`): a film the rating model predicts below 3★
        for them comes only where nothing better is left, so that the row
        never prints "For you: 1.8★" under its own pick. Only films the
        history leads to (through either part: `next_up_scores`' `led_only`) are listed:
        the floor's room would otherwise go to films nothing leads to, under
        a reason that is not theirs.
        """
        if not self.has_next_up:
            return []
        known = [int(m) for m in history if int(m) in self._movie_row]
        rated = np.array([self._movie_row[m] for m in known], dtype=np.int64)
        rows = rated[liked_mask([history[m] for m in known])] if known else rated
        if not len(rows):
            return []
        scores = next_up_scores(rows, self._transitions, self._item_weights, led_only=True)
        scores[rated] = -np.inf
        scores[self._mask(exclude)] = -np.inf
        below = None if vector is None else self.policy.below_floor({"text-cnn": self.score_all(*vector)})
        return [Recommendation(int(self.run.movie_ids[i]), float(scores[i]), "next-up",
                               self._after(rows, int(i), history)) for i in self.policy.chosen(scores, below, k)]

    def _after(self, history_rows: np.ndarray, row: int, history: Mapping[int, float]) -> Reason:
        """'Often watched after X': X the film of the (liked) history that leads to `row` most; where
        no film leads to it by what was watched next, the one that leads to it most by what was
        rated alongside: 'Because you rated X ★★★★★'."""
        rows = history_rows[-HISTORY_USED:]         # the films next-up's scores come from
        weights = recency_weights(len(rows))
        pull = weights * np.asarray(self._transitions[rows, row], dtype=np.float64)
        if (pull > 0).any():
            after = int(self.run.movie_ids[rows[int(np.argmax(pull))]])
            return Reason(gettext_noop("Often watched after {title}"), title=self.title_of(after))
        # Not led to by what was watched next, so led to by the item-to-item weights (`next_up`
        # lists only films the history leads to, and without those weights none other).
        pull = weights * np.asarray(self._item_weights[rows, row], dtype=np.float64)
        because = int(self.run.movie_ids[rows[int(np.argmax(pull))]])
        return Reason(BECAUSE_YOU_RATED, title=self.title_of(because), stars=stars_text(history[because]))

    def _reason(self, channel: str, row: int, rated: Mapping[int, float], liked: np.ndarray,
                channels: dict[str, np.ndarray], segments: Sequence[str] = ()) -> str:
        if channel == "item-to-item" and len(liked):
            # Name a movie the viewer liked: "because you rated X ★" would read as a joke.
            contributions = np.asarray(self._item_weights[liked, row], dtype=np.float64)
            because = int(self.run.movie_ids[liked[int(np.argmax(contributions))]])
            return Reason(BECAUSE_YOU_RATED, title=self.title_of(because),
                          stars=stars_text(rated[because]))
        if channel == "text-cnn":
            return predicted_reason(channels["text-cnn"][row])
        if channel == "demographic":
            return self.run.demographic.reason(list(segments), row)
        if channel in ("als", "item-to-item"):
            return Reason(TASTES_LIKE_YOURS)
        return Reason(gettext_noop("Popular with everyone"))

    def fold_in(self, ratings: Mapping[int, float], regularisation: float = FOLD_IN_REGULARISATION,
                prior: np.ndarray | None = None) -> tuple[np.ndarray, float]:
        """A user vector and bias from ratings, against the fixed movie matrix.

        Ridge regression of (stars - global mean - movie bias) on the rated
        movies' features plus a constant column for the user's own bias: a
        (d+1)x(d+1) solve, well under a millisecond for d = 200. The vector is
        shrunk towards `prior` (the user tower's vector of this viewer,
        `tower_vector`) where one is given, else towards zero. Movies the run
        does not know are ignored.
        """
        pairs = [(self._movie_row[int(m)], float(s)) for m, s in ratings.items()
                 if int(m) in self._movie_row]
        dim = self.run.movie_features.shape[1]
        centre = np.zeros(dim + 1) if prior is None else np.r_[np.asarray(prior, dtype=np.float64), 0.0]
        if not pairs:
            return centre[:dim].astype(np.float32), 0.0
        rows = np.array([r for r, _ in pairs])
        target = np.array([s for _, s in pairs]) - self.run.global_mean - self.run.movie_bias[rows]
        design = np.hstack([self.run.movie_features[rows].astype(np.float64),
                            np.ones((len(rows), 1))])
        gram = design.T @ design + regularisation * np.eye(dim + 1)
        solution = np.linalg.solve(gram, design.T @ target + regularisation * centre)
        return solution[:dim].astype(np.float32), float(solution[dim])

    @cached_property
    def user_tower(self) -> UserTower | None:
        """The run's user tower in numpy (None for older runs, or one of another width)."""
        tower = UserTower.load(self.run.path) if self.run.path is not None else None
        return tower if tower is not None and tower.feature_dim == self.run.movie_features.shape[1] else None

    def tower_vector(self, rated: Iterable[int], gender: str | None = None, age_group: int | None = None,
                     occupation: str | None = None) -> np.ndarray | None:
        """The user tower's vector of a viewer the run never saw, from their details and the films they
        rated (ids; those the run does not know are left out); None without a tower."""
        if self.user_tower is None:
            return None
        rows = [self._movie_row[int(m)] for m in rated if int(m) in self._movie_row]
        return self.user_tower.vector(gender=gender, age_group=age_group, occupation=occupation, rated_rows=rows)
