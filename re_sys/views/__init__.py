"""Pages. Thin: parse the request, call a service or selector, render."""
from .accounts import AdminPasswordChangeView, PasswordChangeView, SignInView, signup
from .catalogue import genre_detail, home, movie_detail, poster, search, year_detail
from .about import insights, model_runs, model_switch
from .personal import (browse_as, for_you, movie_hide, movie_rate, movie_watchlist, my_profile,
                       onboarding, profile, profile_edit, recommender_choose, token_create, token_revoke,
                       watchlist)

__all__ = ["AdminPasswordChangeView", "PasswordChangeView", "SignInView", "browse_as", "for_you", "genre_detail", "home", "insights", "model_runs",
           "model_switch", "movie_detail", "movie_hide", "movie_rate", "movie_watchlist", "my_profile", "onboarding",
           "poster", "profile", "profile_edit", "recommender_choose", "search", "signup", "token_create",
           "token_revoke", "watchlist",
           "year_detail"]
