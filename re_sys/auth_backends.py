"""The one authentication backend: canonical usernames and the sign-in lock, at every door.

Django's admin login, the site's sign-in and `django.contrib.auth.authenticate`
all end here, so a limit counted in `services/signin.py` cannot be walked
around by choosing another door or a look-alike spelling of the name.
"""
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from .services import signin


class ThrottledModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        model = get_user_model()
        username = username if username is not None else kwargs.get(model.USERNAME_FIELD)
        if not username or password is None:
            return None
        address = signin.client_address(request)
        wait = signin.attempt_reserve(username, address)
        if wait:
            if request is not None:
                request.signin_wait = wait
            # PermissionDenied stops `authenticate` from asking any other backend.
            raise PermissionDenied("too many failed sign-ins")
        user = signin.account_find(username)
        if user is None:
            model().set_password(password)  # as long as a real check, so timing tells nothing
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            signin.success_record(username, address)
            return user
        return None
