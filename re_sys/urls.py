"""The site's URLs; the stable ones are fixed by the design card."""
from django.urls import path

from . import views

app_name = "re_sys"

urlpatterns = [
    path("", views.home, name="home"),
    path("movies/<int:movie_id>/", views.movie_detail, name="movie"),
    path("movies/<int:movie_id>/poster.svg", views.poster, name="poster"),
    path("movies/<int:movie_id>/rate/", views.movie_rate, name="rate"),
    path("search/", views.search, name="search"),
    path("for-you/", views.for_you, name="for_you"),
    path("accounts/signup/", views.signup, name="signup"),
    path("genres/<str:name>/", views.genre_detail, name="genre"),
    path("users/<int:user_id>/", views.profile, name="profile"),
]
