"""Browsing the catalogue: home, a movie, search, genres and years, generated posters."""
import random

from django.core.exceptions import BadRequest
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import ensure_csrf_cookie

from .. import vocabulary
from ..forms import RatingForm, SearchForm, SortForm
from ..models import Genre, Movie, MovieMark, Rating
from ..posters import poster_svg
from ..services import recommending, selectors
from .shown import viewer_shown, with_predictions

ROW_LENGTH = 8
# The home page is a landing page: a short grid; genres and years browse the rest.
HOME_GRID = 12


def _sort(request) -> str:
    form = SortForm(request.GET)
    if not form.is_valid():
        raise BadRequest(_("Unknown sort order: choose one of %(sorts)s.")
                         % {"sorts": ", ".join(selectors.SORTS)})
    return form.cleaned_data["sort"] or "popular"


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# Pages set the CSRF cookie so their scripts can call the API's write endpoints.
@ensure_csrf_cookie
def home(request):
    viewer = viewer_shown(request)
    taste = recommending.Taste(viewer) if viewer is not None else None
    hot = selectors.movie_hot_sample(k=12, exclude=taste.hidden if taste else set())
    for_you = []
    if viewer is not None:
        for_you = selectors.movies_with_reasons(
            # A fresh draw among the best on each visit, like the hot sample above it.
            recommending.viewer_recommendations(viewer=viewer, k=ROW_LENGTH, taste=taste,
                                                variety=random.randrange(2**32)))
    sort = _sort(request)
    page = selectors.movie_page(page=request.GET.get("page"), sort=sort, per_page=HOME_GRID)
    with_predictions(viewer, [*hot, *page.object_list, *(m for m, _r in for_you)], taste)
    return render(request, "re_sys/home.html", {
        "hot": hot, "for_you": for_you, "page": page, "sort": sort,
        "sort_form": SortForm(initial={"sort": sort}), "query": _query_without_page(request),
        "genres": Genre.objects.all(), "dataset": selectors.dataset_current(),
    })


def _listing(request, *, title: str, genre=None, year=None):
    viewer = viewer_shown(request)
    sort = _sort(request)
    page = selectors.movie_page(page=request.GET.get("page"), genre=genre, year=year, sort=sort)
    with_predictions(viewer, page.object_list)
    return render(request, "re_sys/listing.html", {
        "title": title, "genre": genre, "year": year, "page": page, "sort": sort,
        "sort_form": SortForm(initial={"sort": sort}), "query": _query_without_page(request),
        "genres": Genre.objects.all(),
    })


def genre_detail(request, name: str):
    genre = get_object_or_404(Genre, name=name)
    return _listing(request, title=_("%(genre)s movies") % {"genre": vocabulary.word(genre.name)}, genre=genre)


def year_detail(request, year: int):
    if not Movie.objects.filter(year=year).exists():
        raise Http404(f"No movies from {year}.")
    return _listing(request, title=_("Movies from %(year)d") % {"year": year}, year=year)


@ensure_csrf_cookie
def movie_detail(request, movie_id: int, *, rating_form=None, status=200):
    movie = get_object_or_404(Movie.objects.prefetch_related("genres"), pk=movie_id)
    mine = predicted = None
    shown = viewer_shown(request)
    own = selectors.viewer_of(request.user)  # a GET never creates one
    if own is not None:
        mine = Rating.objects.filter(viewer=own, movie=movie).first()
    taste = recommending.Taste(shown) if shown is not None else None
    if shown is not None:
        predicted = recommending.viewer_predictions(
            viewer=shown, movie_ids=[movie.pk], taste=taste).get(movie.pk)
    marked = set(MovieMark.objects.filter(viewer=own, movie=movie).values_list("kind", flat=True)) \
        if own is not None else set()
    hidden = taste.hidden if taste else set()
    rows = [
        (_("Similar movies"), recommending.movie_similar(movie_id=movie.pk, k=ROW_LENGTH, exclude=hidden)),
        (_("Viewers also liked"), recommending.movie_also_liked(movie_id=movie.pk, k=ROW_LENGTH,
                                                                exclude=hidden)),
        (_("Looks like"), recommending.movie_looks_like(movie_id=movie.pk, k=ROW_LENGTH)),
    ]
    rows = [(title, selectors.movies_with_reasons(recs)) for title, recs in rows if recs]
    with_predictions(shown, [m for _t, items in rows for m, _r in items], taste)
    return render(request, "re_sys/movie_detail.html", {
        "movie": movie, "mine": mine, "predicted": predicted, "summary": selectors.movie_rating_summary(movie),
        "on_watchlist": MovieMark.WATCHLIST in marked, "is_hidden": MovieMark.HIDDEN in marked,
        "rating_form": rating_form or RatingForm(initial={"stars": str(mine.stars) if mine else "4.0"}),
        "rows": rows,
    }, status=status)


def search(request):
    form = SearchForm(request.GET)
    if not form.is_valid():
        return render(request, "re_sys/search.html", {"form": form}, status=400)
    data = form.cleaned_data
    searched = any(data.values())
    page = selectors.movie_search(query=data["q"], genre=data["genre"], year=data["year"],
                                  page=request.GET.get("page")) if searched else None
    if page is not None:
        with_predictions(viewer_shown(request), page.object_list)
    return render(request, "re_sys/search.html", {
        "form": form, "page": page, "searched": searched, "query": _query_without_page(request)})


@cache_control(max_age=86400, public=True)
def poster(request, movie_id: int):
    """The generated poster of a movie without a cached one (an SVG, cacheable for a day)."""
    movie = get_object_or_404(Movie.objects.prefetch_related("genres"), pk=movie_id)
    svg = poster_svg(title=movie.display_title, year=movie.year,
                     genre_names=[g.name for g in movie.genres.all()])
    return HttpResponse(svg, content_type="image/svg+xml")
