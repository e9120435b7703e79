"""Browsing the catalogue: home, a movie, search, genres and years, generated posters."""
from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import ensure_csrf_cookie

from .. import vocabulary
from ..forms import RatingForm, SearchForm, SortForm
from ..models import Movie
from ..posters import poster_svg
from ..services import pages, selectors
from .shown import viewers


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
    sort = _sort(request)
    shown, own = viewers(request)
    context = pages.home_page(shown=shown, own=own, sort=sort, page=request.GET.get("page"))
    return render(request, "re_sys/home.html", {
        **context, "sort": sort, "sort_form": SortForm(initial={"sort": sort}),
        "query": _query_without_page(request)})


def _listing(request, *, title: str, genre=None, year=None):
    sort = _sort(request)
    if year is not None and sort in SortForm.BY_YEAR:    # an old link: the default, which the menu can show
        sort = "popular"
    shown, own = viewers(request)
    context = pages.listing_page(shown=shown, own=own, sort=sort, page=request.GET.get("page"),
                                 genre=genre, year=year)
    return render(request, "re_sys/listing.html", {
        **context, "title": title, "genre": genre, "year": year, "sort": sort,
        "sort_form": SortForm(initial={"sort": sort}, one_year=year is not None),
        "query": _query_without_page(request)})


def genre_detail(request, name: str):
    genre = selectors.genre_named(name)
    if genre is None:
        raise Http404(f"No genre {name!r}.")
    if genre.name != name:   # one address per genre: /genres/sci-fi/ -> /genres/Sci-Fi/, the query kept
        query = request.GET.urlencode()
        return redirect(reverse("re_sys:genre", args=[genre.name]) + (f"?{query}" if query else ""), permanent=True)
    return _listing(request, title=_("%(genre)s movies") % {"genre": vocabulary.word(genre.name)}, genre=genre)


def year_detail(request, year: int):
    if not selectors.year_has_movies(year):
        raise Http404(f"No movies from {year}.")
    return _listing(request, title=_("Movies from %(year)d") % {"year": year}, year=year)


@ensure_csrf_cookie
def movie_detail(request, movie_id: int, *, rating_form=None, status=200):
    movie = get_object_or_404(Movie.objects.prefetch_related("genres"), pk=movie_id)
    shown, own = viewers(request)   # a GET never creates a viewer
    context = pages.movie_page(movie=movie, shown=shown, own=own)
    return render(request, "re_sys/movie_detail.html", {**context, "rating_form": rating_form or RatingForm()},
                  status=status)


def search(request):
    form = SearchForm(request.GET)
    if not form.is_valid():
        return render(request, "re_sys/search.html", {"form": form}, status=400)
    data = form.cleaned_data
    searched = any(data.values())
    shown, own = viewers(request)
    found = pages.search_page(shown=shown, own=own, query=data["q"], genre=data["genre"], year=data["year"],
                              page=request.GET.get("page")) if searched else {}
    return render(request, "re_sys/search.html", {
        "chinese_titles": found["chinese_titles"] if searched else selectors.has_chinese_titles(),
        **found, "form": form, "searched": searched, "query": _query_without_page(request)})


@cache_control(max_age=86400, public=True)
def poster(request, movie_id: int):
    """The generated poster of a movie without a cached one (an SVG, cacheable for a day).

    Its genres are in the language its address names (`?lang=`, `posters.poster_url`), never the
    reader's: a shared cache keeps one copy per address, and a Chinese page must not get the
    English copy somebody fetched first.
    """
    language = request.GET.get("lang", settings.LANGUAGE_CODE).lower()   # zh-Hans is zh-hans
    if language not in dict(settings.LANGUAGES):
        raise BadRequest(_("Unknown language: choose one of %(languages)s.")
                         % {"languages": ", ".join(code for code, _name in settings.LANGUAGES)})
    movie = get_object_or_404(Movie.objects.prefetch_related("genres"), pk=movie_id)
    names = [g.name for g in movie.genres.all()]
    with translation.override(language):
        svg = poster_svg(title=movie.display_title, year=movie.year, genre_names=names,
                         shown_genres=[vocabulary.word(name) for name in names])
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Content-Language"] = language     # the address's, which LocaleMiddleware then keeps
    return response
