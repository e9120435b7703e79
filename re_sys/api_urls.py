"""URLs of the JSON API, mounted under /api/."""
from django.urls import path

from . import api

app_name = "api"

urlpatterns = [
    path("users/<int:user_id>/recommendations", api.user_recommendations, name="recommendations"),
    # The caller's own data (session or token): no id to guess.
    path("me/recommendations", api.my_recommendations, name="my-recommendations"),
    path("me/ratings", api.my_ratings, name="my-ratings"),
    path("me/marks", api.my_marks, name="my-marks"),
    path("movies/popular", api.movies_popular, name="popular"),
    path("movies/<int:movie_id>/similar", api.movie_similar, name="similar"),
    path("movies/<int:movie_id>/also-liked", api.movie_also_liked, name="also-liked"),
    path("movies/<int:movie_id>/prediction", api.movie_prediction, name="prediction"),
    path("ratings", api.ratings, name="ratings"),
]
