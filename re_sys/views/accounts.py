"""Signing up and in (Django's auth, with throttling of failed sign-ins)."""
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .. import throttle
from ..forms import SignUpForm
from ..services import ratings


class SignInView(auth_views.LoginView):
    """Django's sign-in, paused for an account or address after repeated failures (429)."""

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")[:150]
        address = throttle.client_address(request)
        wait = throttle.wait_seconds(username, address)
        if wait:
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, _("Too many failed sign-ins. Try again in %(minutes)d minute(s).")
                           % {"minutes": max(1, round(wait / 60))})
            return self.render_to_response(self.get_context_data(form=form), status=429)
        response = super().post(request, *args, **kwargs)
        if request.user.is_authenticated:
            throttle.success_record(username, address)
        else:
            throttle.failure_record(username, address)
            response.status_code = 400
        return response


def signup(request):
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        ratings.viewer_for_user(user)
        messages.success(request, _("Welcome! Tell us a few movies you like and your "
                                    "recommendations appear at once."))
        return redirect("re_sys:onboarding")
    return render(request, "registration/signup.html", {"form": form},
                  status=400 if request.method == "POST" else 200)
