"""URLs of the JSON API, mounted under /api/."""
from django.urls import path, re_path

from . import api

app_name = "api"

urlpatterns = [
    # Any text, so that a user that is not a whole number answers 400 invalid_user, as ?user= does.
    path("users/<str:user_id>/recommendations", api.user_recommendations, name="recommendations"),
    # The caller's own data (session or token): no id to guess.
    path("me/recommendations", api.my_recommendations, name="my-recommendations"),
    path("me/ratings", api.my_ratings, name="my-ratings"),
    path("me/marks", api.my_marks, name="my-marks"),
    path("movies/popular", api.movies_popular, name="popular"),
    path("movies/<int:movie_id>/similar", api.movie_similar, name="similar"),
    path("movies/<int:movie_id>/also-liked", api.movie_also_liked, name="also-liked"),
    path("movies/<int:movie_id>/prediction", api.movie_prediction, name="prediction"),
    path("ratings", api.ratings, name="ratings"),
    re_path(r"^(?P<path>.*)$", api.not_found, name="not-found"),
]
