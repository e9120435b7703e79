"""App configuration."""
import logging

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_save

logger = logging.getLogger(__name__)


def _account_name_keep(sender, instance, raw=False, **kwargs):
    """Every account, however made (sign-up, admin, createsuperuser), gets its canonical name."""
    from .services.signin import account_name_record

    if not raw and not account_name_record(instance):
        logger.warning("account %s: its canonical username is another account's; it signs in "
                       "by its exact name only", instance.pk)


class ReSysConfig(AppConfig):
    name = "re_sys"
    verbose_name = "Movie recommender"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        post_save.connect(_account_name_keep, sender=settings.AUTH_USER_MODEL,
                          dispatch_uid="re_sys.account_name")
