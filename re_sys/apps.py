"""App configuration."""
import logging

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_save, pre_save

logger = logging.getLogger(__name__)


def _touches(update_fields, field: str) -> bool:
    """Whether a save may change `field`: every sign-in saves `last_login` alone, and must stay cheap."""
    return update_fields is None or field in update_fields


def _account_name_keep(sender, instance, raw=False, update_fields=None, **kwargs):
    """Every account, however made (sign-up, admin, createsuperuser), gets its canonical name."""
    from .services.signin import account_name_record

    if raw or not _touches(update_fields, sender.USERNAME_FIELD):
        return
    if not account_name_record(instance):
        logger.warning("account %s: its canonical username is another account's; it signs in "
                       "by its exact name only", instance.pk)


def _tokens_revoke_on_new_password(sender, instance, raw=False, update_fields=None, **kwargs):
    """A new password (changed, reset, set by staff) revokes the account's API tokens:
    whoever took the old password or a session must not keep a way in."""
    if raw or instance.pk is None or not _touches(update_fields, "password"):
        return
    from .models import ApiToken

    old = sender._default_manager.filter(pk=instance.pk).values_list("password", flat=True).first()
    if old is not None and old != instance.password:
        ApiToken.objects.filter(user_id=instance.pk).delete()


class ReSysConfig(AppConfig):
    name = "re_sys"
    verbose_name = "Movie recommender"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        post_save.connect(_account_name_keep, sender=settings.AUTH_USER_MODEL,
                          dispatch_uid="re_sys.account_name")
        pre_save.connect(_tokens_revoke_on_new_password, sender=settings.AUTH_USER_MODEL,
                         dispatch_uid="re_sys.tokens_revoke")
