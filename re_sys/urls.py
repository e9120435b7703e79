"""The site's URLs; the stable ones are fixed by the design card."""
from django.urls import path

from . import views

app_name = "re_sys"

urlpatterns = [
    path("", views.home, name="home"),
    path("movies/<int:movie_id>/", views.movie_detail, name="movie"),
    path("movies/<int:movie_id>/poster.svg", views.poster, name="poster"),
    path("movies/<int:movie_id>/rate/", views.movie_rate, name="rate"),
    path("movies/<int:movie_id>/watchlist/", views.movie_watchlist, name="watchlist_toggle"),
    path("movies/<int:movie_id>/hide/", views.movie_hide, name="hide_toggle"),
    path("search/", views.search, name="search"),
    path("for-you/", views.for_you, name="for_you"),
    path("for-you/recommender/", views.recommender_choose, name="recommender"),
    path("watchlist/", views.watchlist, name="watchlist"),
    path("onboarding/", views.onboarding, name="onboarding"),
    path("accounts/signup/", views.signup, name="signup"),
    path("genres/<str:name>/", views.genre_detail, name="genre"),
    path("years/<int:year>/", views.year_detail, name="year"),
    path("users/<int:user_id>/", views.profile, name="profile"),
    path("profile/", views.my_profile, name="my_profile"),
    path("profile/edit/", views.profile_edit, name="profile_edit"),
    path("profile/tokens/", views.token_create, name="token_create"),
    path("profile/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("insights/", views.insights, name="insights"),
    path("model/", views.model_runs, name="model"),
    path("model/switch/", views.model_switch, name="model_switch"),
    path("demo/browse-as/", views.browse_as, name="browse_as"),
]
