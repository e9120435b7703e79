"""Top-level URL map: the site, the admin."""
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("re_sys.urls")),
]
