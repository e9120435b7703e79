"""App configuration."""
from django.apps import AppConfig


class ReSysConfig(AppConfig):
    name = "re_sys"
    verbose_name = "Movie recommender"
    default_auto_field = "django.db.models.BigAutoField"
