"""Top-level URL map: the site, the JSON API, the admin."""
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("re_sys.api_urls")),
    path("", include("re_sys.urls")),
]
