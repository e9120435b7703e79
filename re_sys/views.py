"""Pages. Thin: parse the request, call a selector, render."""
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_POST

from .forms import RatingForm, SearchForm, SignUpForm
from .models import Genre, Movie, Rating, Viewer
from .posters import poster_svg
from . import throttle
from .services import ratings, recommending, selectors

ROW_LENGTH = 8


# Pages set the CSRF cookie so their scripts can call the API's write endpoints.
@ensure_csrf_cookie
def home(request):
    return render(request, "re_sys/home.html", {
        "page": selectors.movie_page(page=request.GET.get("page")),
        "dataset": selectors.dataset_current(),
    })


@ensure_csrf_cookie
def movie_detail(request, movie_id: int, *, rating_form=None, status=200):
    movie = get_object_or_404(Movie.objects.prefetch_related("genres"), pk=movie_id)
    mine = predicted = None
    viewer = selectors.viewer_of(request.user)  # a GET never creates one
    if viewer is not None:
        mine = Rating.objects.filter(viewer=viewer, movie=movie).first()
        predicted = recommending.rating_predict(viewer=viewer, movie_id=movie.pk)
    rows = [
        ("Similar movies", recommending.movie_similar(movie_id=movie.pk, k=ROW_LENGTH)),
        ("Viewers also liked", recommending.movie_also_liked(movie_id=movie.pk, k=ROW_LENGTH)),
        ("Looks like", recommending.movie_looks_like(movie_id=movie.pk, k=ROW_LENGTH)),
    ]
    return render(request, "re_sys/movie_detail.html", {
        "movie": movie, "mine": mine, "predicted": predicted,
        "rating_form": rating_form or RatingForm(initial={"stars": str(mine.stars) if mine else "4.0"}),
        "rows": [(title, selectors.movies_with_reasons(recs)) for title, recs in rows if recs],
    }, status=status)


@login_required
@require_POST
def movie_rate(request, movie_id: int):
    """Set, change or (with `delete`) remove the signed-in visitor's rating."""
    movie = get_object_or_404(Movie, pk=movie_id)
    viewer = ratings.viewer_for_user(request.user)
    if "delete" in request.POST:
        if ratings.rating_delete(viewer=viewer, movie=movie):
            messages.success(request, f"Your rating of {movie.title} was removed.")
        return redirect(movie)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return movie_detail(request, movie_id, rating_form=form, status=400)
    ratings.rating_set(viewer=viewer, movie=movie, stars=form.cleaned_data["stars"])
    messages.success(request, f"You rated {movie.title} {form.cleaned_data['stars']:g}★. "
                              "Your recommendations already reflect it.")
    return redirect(movie)


def search(request):
    form = SearchForm(request.GET)
    if not form.is_valid():
        return render(request, "re_sys/search.html", {"form": form}, status=400)
    data = form.cleaned_data
    searched = any(data.values())
    page = selectors.movie_search(query=data["q"], genre=data["genre"], year=data["year"],
                                  page=request.GET.get("page")) if searched else None
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "re_sys/search.html", {
        "form": form, "page": page, "searched": searched, "query": query.urlencode()})


@ensure_csrf_cookie
def for_you(request):
    """Personal recommendations with reasons; popular ones and an invitation for visitors."""
    viewer = selectors.viewer_of(request.user)
    if viewer is not None:
        recs = recommending.viewer_recommendations(viewer=viewer, k=24)
        rated = viewer.ratings.count()
    else:
        recs, rated = recommending.movie_popular(k=24), 0
    return render(request, "re_sys/for_you.html", {
        "rated": rated, "items": selectors.movies_with_reasons(recs),
        "min_ratings": recommending.MIN_FOLD_IN_RATINGS})


class SignInView(auth_views.LoginView):
    """Django's sign-in, paused for an account or address after repeated failures (429)."""

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")[:150]
        address = throttle.client_address(request)
        wait = throttle.wait_seconds(username, address)
        if wait:
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, f"Too many failed sign-ins. Try again in {max(1, round(wait / 60))} "
                                 f"minute{'s' if wait > 90 else ''}.")
            return self.render_to_response(self.get_context_data(form=form), status=429)
        response = super().post(request, *args, **kwargs)
        if request.user.is_authenticated:
            throttle.success_record(username, address)
        else:
            throttle.failure_record(username, address)
            response.status_code = 400
        return response


def signup(request):
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        ratings.viewer_for_user(user)
        messages.success(request, "Welcome! Rate a few movies you know and your "
                                  "recommendations appear here at once.")
        return redirect("re_sys:for_you")
    return render(request, "registration/signup.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


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
