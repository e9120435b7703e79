"""Django-aware glue between the ORM and the recommender core, shared by views and commands."""
