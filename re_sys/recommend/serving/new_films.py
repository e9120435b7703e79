"""Films added after the served run was trained, in the engine's lists.

Nobody has rated such a film, so the collaborative channels know nothing of
it and, in a list they rank, would bury it. The movie tower places it from
its title and genres (`content_tower.MovieTower.placed`: a vector, and the
rated films nearest it), and the rules here give it a fair place: one per ten
at most, where the one signal it has puts it, and only with evidence that the
viewer (or the film of the page) is near it. Measured with protocol
new-movies (docs/benchmarks.md).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

import numpy as np

from .content_tower import (Placement, genre_shares, nearest_popularity, new_film_scores, predicted_popularity,
                            profile_closeness)
from .reasons import NEW_FOR_YOU, NEW_LIKE_ONE_YOU_LOVED, Reason, stars_text
from .results import Recommendation

if TYPE_CHECKING:
    from .engine import Engine

__all__ = ["NEW_SLOTS_PER_TEN", "in_for_you", "in_similar", "new_reason", "slots_for"]

# In a list not ranked by predicted stars, films added since training take at most this many places per ten.
NEW_SLOTS_PER_TEN = 1


def in_similar(engine: "Engine", answer: list[Recommendation], row: int, new_movies: Mapping[int, Placement],
               blocked: set[int], k: int, reason: Reason) -> list[Recommendation]:
    """A similar list with films the run never saw that the tower places beside this one.

    Nobody rated a new film, so the collaborative part, which decides the
    top of these lists, cannot reach it (on ML-100K a new "Toy Story 3"
    would be about 200th for Toy Story by content alone). A new film that
    has this one among the NEIGHBOURS nearest it by title and genres
    (`MovieTower.placed`) gets one of `slots_for(k)` places instead, the
    closest first, where its content similarity places it among the list's,
    at the latest in the last place.
    """
    candidates = [m for m, p in new_movies.items()
                  if m not in blocked and not engine.knows_movie(m) and row in p.nearest]
    if not candidates or not slots_for(k):
        return answer
    unit = engine.unit_movies[row].astype(np.float64)
    closeness = {m: float(new_movies[m].vector @ unit) / max(float(np.linalg.norm(new_movies[m].vector)), 1e-12)
                 for m in candidates}
    listed = {r.movie_id: float(engine.unit_movies[engine.row_of(r.movie_id)] @ unit) for r in answer}
    out = list(answer)
    chosen = sorted(candidates, key=lambda m: (-closeness[m], m))[:slots_for(k)]
    for n, movie in enumerate(chosen):
        at = next((i for i, r in enumerate(out) if listed.get(r.movie_id, -np.inf) < closeness[movie]), len(out))
        out.insert(min(at, k - len(chosen) + n), Recommendation(movie, closeness[movie], "new", reason))
        listed[movie] = closeness[movie]
    return out[:k]


def slots_for(k: int) -> int:
    """Places for new films in a list of k: NEW_SLOTS_PER_TEN per ten, rounded (none in a list of five or fewer)."""
    return max(0, round(k * NEW_SLOTS_PER_TEN / 10))


def in_for_you(engine: "Engine", answer: list[Recommendation], vector, new_movies: Mapping[int, Placement],
               rated: Mapping[int, float], loved_rows: np.ndarray, blocked: set[int], order: str,
               k: int) -> list[Recommendation]:
    """The list with films the run never saw placed in it, marked "new".

    Nobody rated them, so the collaborative channels know nothing of them
    and would bury them. Where the viewer ranks by predicted stars
    ("text-cnn") they compete on that one scale with every film. In every
    other order the best of them by `new_film_scores` (the viewer's loved
    genres, how much it can be expected to be rated, and, from a run trained
    with cold-start, its stars, how close it is to the content profile
    of the films the viewer rated and how much they watch films of its year)
    gets at most
    `slots_for(k)` places, and only when the viewer loved a
    film of its genres and its stars reach the floor; it goes where its
    stars place it among the list's, at the latest in the last place. Its
    reason names the film like it that the viewer rated highest, where they
    loved one.
    """
    content = {m: p for m, p in new_movies.items() if m not in blocked and not engine.knows_movie(m)}
    predicted = engine.predict_content(*vector, content)
    floor = engine.policy.floor
    by_stars = order == "text-cnn"
    tower = engine.movie_tower
    loved_genres = [] if tower is None or tower.catalogue is None else tower.catalogue[0][loved_rows]
    ids = [m for m, stars in predicted.items() if floor is None or stars >= floor]
    shares = genre_shares(loved_genres, [content[m].genres for m in ids])
    if not by_stars:
        ids, shares = [m for m, share in zip(ids, shares) if share > 0], shares[shares > 0]
    if not ids:
        return answer
    if by_stars:
        scores = np.array([predicted[m] for m in ids])
    else:
        # Stars, the content profile and the learned popularity rank new films only from a run
        # trained for it (with cold-start, where they were measured to help); an older run's stars
        # for films it never learned to place made the ranking worse, so it keeps its rule.
        stars = closeness = years = None
        if tower is not None and tower.cold_start:
            vectors = [content[m].vector for m in ids]
            stars = [predicted[m] for m in ids]
            rated_rows = [row for row in map(engine.row_of, rated) if row is not None]
            profile = tower.profile_of(rated_rows)
            closeness = None if profile is None else profile_closeness(profile, vectors)
            years = tower.years_watched(rated_rows, [content[m].year for m in ids])
            model = engine.content_popularity
            popularity = np.zeros(len(ids)) if model is None else predicted_popularity(model, vectors)
        else:
            counts = engine.run.movie_popularity
            counts = np.zeros(len(engine.run.movie_ids)) if counts is None else counts
            popularity = [nearest_popularity(content[m].nearest, counts) for m in ids]
        scores = new_film_scores(shares, popularity, stars, closeness, years)
    best = [ids[i] for i in np.lexsort((ids, -scores))]
    slots = len(best) if by_stars else slots_for(k)
    stars_of = engine.predict_many(*vector, [r.movie_id for r in answer])
    out = list(answer)
    chosen = best[:slots]
    for n, movie in enumerate(chosen):
        stars = predicted[movie]
        at = next((i for i, r in enumerate(out) if stars_of.get(r.movie_id, -np.inf) < stars), len(out))
        if not by_stars:            # a slot is a place in the list, not after it
            at = min(at, k - len(chosen) + n)
        loved = content[movie].nearest[np.isin(content[movie].nearest, loved_rows)]
        out.insert(at, Recommendation(movie, stars, "new", new_reason(engine, loved, rated)))
        stars_of[movie] = stars
    return out[:k]


def new_reason(engine: "Engine", loved_rows: np.ndarray, rated: Mapping[int, float]) -> Reason:
    """"New here, like X, which you rated ★★★★★": of the film's nearest films the viewer loved, the one
    they rated highest (the nearest of equals)."""
    if not len(loved_rows):
        return Reason(NEW_FOR_YOU)
    ids = [int(engine.run.movie_ids[r]) for r in loved_rows]
    best = max(ids, key=lambda m: rated[m])     # max keeps the first of equals: the nearest
    return Reason(NEW_LIKE_ONE_YOU_LOVED, title=engine.title_of(best), stars=stars_text(rated[best]))
