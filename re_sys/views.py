"""Pages. Thin: parse the request, call a selector, render."""
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import ensure_csrf_cookie

from .models import Genre, Movie, Viewer
from .services import selectors


# Pages set the CSRF cookie so their scripts can call the API's write endpoints.
@ensure_csrf_cookie
def home(request):
    return render(request, "re_sys/home.html", {
        "page": selectors.movie_page(page=request.GET.get("page")),
        "dataset": selectors.dataset_current(),
    })


@ensure_csrf_cookie
def movie_detail(request, movie_id: int):
    movie = get_object_or_404(Movie.objects.prefetch_related("genres"), pk=movie_id)
    return render(request, "re_sys/movie_detail.html", {"movie": movie})


def genre_detail(request, name: str):
    genre = get_object_or_404(Genre, name=name)
    page = selectors.movie_page(page=request.GET.get("page"), genre=genre)
    return render(request, "re_sys/home.html", {"page": page, "genre": genre})


def profile(request, user_id: int):
    viewer = get_object_or_404(Viewer, pk=user_id)
    return render(request, "re_sys/profile.html", {
        "viewer": viewer,
        "ratings": selectors.viewer_recent_ratings(viewer=viewer),
        "rating_count": viewer.ratings.count(),
    })
