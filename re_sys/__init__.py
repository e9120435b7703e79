"""The movie-recommender Django app: models, pages, API and commands."""
