"""Fixtures of the command tests."""
import pytest

from re_sys.models import Movie, Rating, Viewer
from tests.recommend.planted import planted_frames


@pytest.fixture
def planted_db():
    """Planted tastes (tests/recommend/planted.py) in the database: 30 viewers, 20 movies."""
    ratings, movies, users = planted_frames(n_users=30, n_movies=20)
    Movie.objects.bulk_create([Movie(id=int(r.movie_id), title=r.title) for r in movies.itertuples()])
    Viewer.objects.bulk_create([Viewer(id=int(r.user_id), gender=r.gender, age_group=25,
                                       occupation="writer") for r in users.itertuples()])
    Rating.objects.bulk_create([Rating(viewer_id=int(r.user_id), movie_id=int(r.movie_id),
                                       stars=r.stars, timestamp=int(r.timestamp))
                                for r in ratings.itertuples()])
    return ratings


