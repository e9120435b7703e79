"""Pages. Thin: parse the request, call a selector, render."""
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import ensure_csrf_cookie

from .models import Genre, Movie, Viewer
from .posters import poster_svg
from .services import recommending, selectors

ROW_LENGTH = 8


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
    rows = [
        ("Similar movies", recommending.movie_similar(movie_id=movie.pk, k=ROW_LENGTH)),
        ("Viewers also liked", recommending.movie_also_liked(movie_id=movie.pk, k=ROW_LENGTH)),
        ("Looks like", recommending.movie_looks_like(movie_id=movie.pk, k=ROW_LENGTH)),
    ]
    return render(request, "re_sys/movie_detail.html", {
        "movie": movie,
        "rows": [(title, selectors.movies_with_reasons(recs)) for title, recs in rows if recs],
    })


@cache_control(max_age=86400, public=True)
def poster(request, movie_id: int):
    """The generated poster of a movie without a cached one (an SVG, cacheable for a day)."""
    movie = get_object_or_404(Movie.objects.prefetch_related("genres"), pk=movie_id)
    svg = poster_svg(title=movie.title, year=movie.year,
                     genre_names=[g.name for g in movie.genres.all()])
    return HttpResponse(svg, content_type="image/svg+xml")


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
