"""Every comparable method, behind one contract per kind (both documented in `base`):
`Recommender` ranks a viewer's top-N, `RatingModel` predicts stars."""
from .base import Interactions, RatingModel, Recommender, Side
from .ease import EASE
from .popularity import Popularity

__all__ = ["EASE", "Interactions", "Popularity", "RatingModel", "Recommender", "Side"]
