"""What a number of stars means, decided once for the whole core.

A rating is signed feedback: 1★ is a dislike, not a weak "watched". Every
rule that reads stars as liked or disliked takes its line from here, so the
serving rules, the channels' fitting and the evaluation agree.
"""
from __future__ import annotations

import numpy as np

__all__ = ["DISLIKED_STARS", "LIKED_STARS", "LOVED_STARS", "PREDICTED_DISLIKE", "liked_mask"]

# A viewer's own rating at or above this reads as "liked": a reason may name
# the movie, "next for you" may start from it.
LIKED_STARS = 3.5
# The stricter line for "loved": a held-out rating counted as liked by the
# evaluation (liked-NDCG, liked-P), a movie's fans in "also liked", the
# demographic channel's liked ratings.
LOVED_STARS = 4.0
# A held-out rating at or below this is a dislike (disliked@k).
DISLIKED_STARS = 2.0
# A movie the rating model predicts below this for a viewer is one it expects
# them not to like: listing it contradicts the stars printed under it
# (contradiction@k), so the ranking lists it only when nothing better is left.
PREDICTED_DISLIKE = 3.0


def liked_mask(stars, line: float = LIKED_STARS):
    """Which of a viewer's ratings say they liked the movie (numpy in, boolean array out)."""
    return np.asarray(stars, dtype=np.float64) >= line
