"""Top-level URL map: the site, the JSON API, the admin."""
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path, reverse_lazy
from django.views.decorators.cache import cache_control
from django.views.static import serve

from re_sys import api
from re_sys.views import AdminPasswordChangeView, PasswordChangeView, SignInView

urlpatterns = [
    # Both password-change doors check the old password under the sign-in lock.
    path("admin/password_change/", admin.site.admin_view(AdminPasswordChangeView.as_view(
        success_url=reverse_lazy("admin:password_change_done"))), name="admin_password_change"),
    path("admin/", admin.site.urls),
    path("api/", include("re_sys.api_urls")),
    # Without it Django would redirect "/api" to "/api/" (a POST cannot be redirected so) rather than
    # answer in JSON like every other address under it.
    path("api", api.not_found),
    # Sign-in with throttling; the rest of Django's account views as they are.
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/password_change/", PasswordChangeView.as_view(), name="password_change"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("re_sys.urls")),
]

# Cached posters under MEDIA_ROOT. Served by Django in every setting (posters
# are small and sent with a long cache lifetime); a front web server may take
# over the prefix. `serve` refuses paths outside MEDIA_ROOT, which is read per
# request so that a changed setting (tests, a reconfigured server) is honoured.


@cache_control(max_age=7 * 86400, public=True)
def poster_file(request, path):
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns += [
    re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>posters/.+)$", poster_file),
]

handler400 = "re_sys.views.errors.bad_request"
handler500 = "re_sys.views.errors.server_error"
