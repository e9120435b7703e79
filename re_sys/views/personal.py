"""A viewer's own pages and controls: for you, rating, watchlist, hide, profile, onboarding, demo."""
import re
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_POST

from ..forms import BrowseAsForm, DemographicsForm, OnboardingForm, RatingForm, RecommenderForm, TokenForm
from ..models import Movie, MovieMark, Viewer
from ..services import access, marks, pages, ratings, selectors, tokens
from .catalogue import movie_detail
from .shown import viewer_shown, viewers



# An onboarding field: ASCII digits only ('movie_²' is no movie), at most ten of them.
_MOVIE_FIELD = re.compile(r"movie_[0-9]{1,10}")


def _safe_next(request) -> str:
    """The form's `next` where it stays on this site, else ""."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return ""


def _back(request, fallback):
    return redirect(_safe_next(request) or fallback)


def _member_post(view):
    """A control only a signed-in member may press, by POST.

    A signed-out press (a session that ran out under an open page) signs in first and then goes
    back to the page the form was on, or the movie's: not to this address, whose GET would answer
    405 on a blank page after the sign-in.
    """
    posted = require_POST(view)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            movie = kwargs.get("movie_id")
            page = reverse("re_sys:movie", args=[movie]) if movie else resolve_url(settings.LOGIN_REDIRECT_URL)
            return redirect_to_login(_safe_next(request) or page)
        return posted(request, *args, **kwargs)
    return wrapped


@ensure_csrf_cookie
def for_you(request):
    """Personal recommendations with reasons; popular ones and an invitation for visitors."""
    shown, own = viewers(request)
    context = pages.for_you_page(shown=shown, own=own)
    return render(request, "re_sys/for_you.html", {
        **context, "choice_form": RecommenderForm(initial={"recommender": own.recommender})
        if context["controls"] else None})


@_member_post
def movie_rate(request, movie_id: int):
    """Set, change or (with `delete`) remove the signed-in visitor's rating."""
    movie = get_object_or_404(Movie, pk=movie_id)
    viewer = ratings.viewer_for_user(request.user)
    if "delete" in request.POST:
        if ratings.rating_delete(viewer=viewer, movie=movie):
            messages.success(request,
                             _("Your rating of %(title)s was removed.") % {"title": movie.display_title})
        return _back(request, movie)
    if not request.POST.get("stars") and request.POST.get("next"):
        # "Rate" pressed on a card with no star chosen (scripts off): back to the list, saying so.
        messages.error(request, _("Choose a star first, then press Rate."))
        return _back(request, movie)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return movie_detail(request, movie_id, rating_form=form, status=400)
    ratings.rating_set(viewer=viewer, movie=movie, stars=form.cleaned_data["stars"])
    messages.success(request, _("You rated %(title)s %(stars)s★. Your recommendations already reflect it.")
                     % {"title": movie.display_title, "stars": f"{form.cleaned_data['stars']:g}"})
    return _back(request, movie)


def _toggle(request, movie_id: int, kind: str, on: str, off: str):
    """Set the mark as the form says (`on` = 1 or 0: a repeated submit changes nothing), or flip it."""
    movie = get_object_or_404(Movie, pk=movie_id)
    viewer = ratings.viewer_for_user(request.user)
    wanted = request.POST.get("on")
    if wanted in ("0", "1"):
        now_set = marks.mark_set(viewer=viewer, movie=movie, kind=kind, on=wanted == "1")
    else:
        now_set = marks.mark_toggle(viewer=viewer, movie=movie, kind=kind)
    messages.success(request, (on if now_set else off) % {"title": movie.display_title})
    return _back(request, movie)


@_member_post
def movie_watchlist(request, movie_id: int):
    return _toggle(request, movie_id, MovieMark.WATCHLIST, _("%(title)s is on your watchlist."),
                   _("%(title)s is off your watchlist."))


@_member_post
def movie_hide(request, movie_id: int):
    return _toggle(request, movie_id, MovieMark.HIDDEN,
                   _("%(title)s is hidden: it will not be recommended to you again."),
                   _("%(title)s is no longer hidden."))


@login_required
def watchlist(request):
    return render(request, "re_sys/watchlist.html", pages.watchlist_page(own=ratings.viewer_for_user(request.user)))


@_member_post
def recommender_choose(request):
    form = RecommenderForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the listed recommenders."))
        return redirect("re_sys:for_you")
    viewer = ratings.viewer_for_user(request.user)
    viewer.recommender = form.cleaned_data["recommender"]
    viewer.save(update_fields=["recommender"])
    messages.success(request, _("Your list is now ordered by: %(choice)s.")
                     % {"choice": _(dict(Viewer.RECOMMENDERS)[viewer.recommender])})
    return redirect("re_sys:for_you")


def profile(request, user_id: int):
    # A private profile answers exactly as a missing one: asking tells nothing.
    try:
        viewer = access.viewer_visible(request.user, user_id)
    except access.NotVisible:
        raise Http404(_("There is no such profile.")) from None
    # Reasons say "you" to the viewer they were made for (or to a demo visitor browsing as them).
    shown = viewer_shown(request)
    context = pages.profile_page(viewer=viewer, user=request.user, page=request.GET.get("page"),
                                 of_another=shown is None or shown.pk != viewer.pk)
    return render(request, "re_sys/profile.html", {**context, "token_form": TokenForm() if context["own"] else None})


@_member_post
def token_create(request):
    """A new API token, shown once in the message; only its hash is kept."""
    form = TokenForm(request.POST, request=request)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("re_sys:my_profile")
    _token, secret = tokens.token_create(user=request.user, name=form.cleaned_data["name"])
    messages.success(request, _("Your new API token is %(token)s — copy it now: it is not shown again. "
                                "Send it as 'Authorization: Bearer <token>'.") % {"token": secret})
    return redirect("re_sys:my_profile")


@_member_post
def token_revoke(request, token_id: int):
    if not tokens.token_revoke(user=request.user, token_id=token_id):
        raise Http404(_("There is no such token."))
    messages.success(request, _("The token was revoked; scripts using it are refused from now on."))
    return redirect("re_sys:my_profile")


@login_required
def my_profile(request):
    return redirect(ratings.viewer_for_user(request.user))


@login_required
def profile_edit(request):
    viewer = ratings.viewer_for_user(request.user)
    form = DemographicsForm(request.POST or None, instance=viewer)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("Your details were saved."))
            return redirect(viewer)
        return render(request, "re_sys/profile_edit.html", {"form": form}, status=400)
    return render(request, "re_sys/profile_edit.html", {"form": form})


@login_required
def onboarding(request):
    """Rate a few well-known movies, then land on recommendations. "Suggest more <genre>" (a submit
    button, or ?more= in the address) shows more of one group and keeps the stars given so far."""
    more = request.POST.get("more") or request.GET.get("more")
    data = request.POST if request.method == "POST" else None
    given = [int(name[6:]) for name, value in (data or {}).items()
             if _MOVIE_FIELD.fullmatch(name) and value and 0 < int(name[6:]) < 2 ** 31]
    own = selectors.viewer_of(request.user)
    groups = selectors.onboarding_groups(more=more, keep=given)
    initial = {f"movie_{m}": stars for m, stars in ratings.ratings_of(
        own, [m.pk for _name, movies in groups for m in movies]).items()} if own is not None else {}
    form = OnboardingForm(data, groups=groups, initial=initial, asking_more="more" in (data or {}))
    if data is not None:
        if not form.is_valid():
            return render(request, "re_sys/onboarding.html", {"form": form}, status=400)
        if form.asking_more:
            return render(request, "re_sys/onboarding.html", {"form": form})
        # The member's earlier stars come pre-checked: only new or changed ones are written and counted.
        chosen = {m: stars for m, stars in form.chosen_ratings().items() if initial.get(f"movie_{m}") != stars}
        ratings.ratings_set_many(viewer=ratings.viewer_for_user(request.user), stars_by_movie=chosen)
        messages.success(request, _("Thanks! %(n)d ratings saved; here is what we recommend.")
                         % {"n": len(chosen)})
        return redirect("re_sys:for_you")
    return render(request, "re_sys/onboarding.html", {"form": form})


@require_POST
def browse_as(request):
    """Demo mode: show the site as a MovieLens user sees it (`stop` goes back to oneself)."""
    if not settings.RE_SYS_DEMO:
        raise Http404("Demo mode is off.")
    if "stop" in request.POST:
        request.session.pop("demo_viewer", None)
        return _back(request, "re_sys:home")
    form = BrowseAsForm(request.POST)
    viewer = selectors.dataset_viewer(form.cleaned_data["viewer"]) if form.is_valid() else None
    if viewer is None:
        messages.error(request, _("There is no MovieLens user with that number."))
        return _back(request, "re_sys:home")
    request.session["demo_viewer"] = viewer.pk
    # Back to the page the visitor was on, now seen as that viewer; their profile without one.
    return _back(request, viewer) if request.POST.get("next") else redirect(viewer)
