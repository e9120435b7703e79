"""The Django project that serves the dl-re-movies recommender."""
