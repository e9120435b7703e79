"""Signing up and in (Django's auth; the lock lives in the backend, services/signin.py)."""
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ..forms import AdminPasswordChangeLockedForm, PasswordChangeLockedForm, SignInForm, SignUpForm
from ..services import ratings, signin


class SignInView(auth_views.LoginView):
    """Django's sign-in; a wrong password answers 400 (429 while locked: see middleware.py)."""

    form_class = SignInForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, its old password checked under the sign-in lock."""

    form_class = PasswordChangeLockedForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


class AdminPasswordChangeView(PasswordChangeView):
    """The admin's own door to the same form (dl_re_web/urls.py puts it before the admin's URLs)."""

    form_class = AdminPasswordChangeLockedForm

    def get_context_data(self, **kwargs):
        from django.contrib import admin

        return {**super().get_context_data(**kwargs), **admin.site.each_context(self.request)}


def signup(request):
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save()
            # Two look-alike names signing up at once both pass the form; the second loses here.
            if not signin.account_name_record(user):
                transaction.set_rollback(True)
                user = None
        if user is not None:
            login(request, user, backend="re_sys.auth_backends.ThrottledModelBackend")
            ratings.viewer_for_user(user)
            messages.success(request, _("Welcome! Tell us a few movies you like and your "
                                        "recommendations appear at once."))
            return redirect("re_sys:onboarding")
        form.add_error("username", _("A user with that username already exists."))
    return render(request, "registration/signup.html", {"form": form},
                  status=400 if request.method == "POST" else 200)
