"""Forms of the site: search, rating, sign-up, the viewer's own controls, onboarding."""
from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm, AdminPasswordChangeForm
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, UserCreationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_lazy as _

from . import vocabulary
from .models import HALF_STARS, AccountName, Genre, Viewer
from .recommend.data.movielens import ML1M_OCCUPATIONS
from .services import selectors
from .services.selectors import SORTS
from .services.signin import canonical_username

STAR_CHOICES = [(str(s), f"{s:g}") for s in HALF_STARS]


class GenreChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return vocabulary.word(obj.name)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Title"), max_length=200, required=False)
    genre = GenreChoiceField(Genre.objects.all(), required=False, to_field_name="name",
                             empty_label=_("Any genre"), label=_("Genre"))
    year = forms.IntegerField(min_value=1870, max_value=2100, required=False, label=_("Year"))


class SortForm(forms.Form):
    # data-auto-submit: site.js applies the choice at once; without scripts the form's button does.
    sort = forms.ChoiceField(choices=[(k, label) for k, (label, _o) in SORTS.items()], required=False,
                             label=_("Sort by"), widget=forms.Select(attrs={"data-auto-submit": ""}))

    # Within one year "newest" and "oldest" change nothing: a year's page does not offer them.
    BY_YEAR = ("newest", "oldest")

    def __init__(self, *args, one_year: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if one_year:
            self.fields["sort"].widget.choices = [(k, label) for k, label in self.fields["sort"].choices
                                                  if k not in self.BY_YEAR]


class RatingForm(forms.Form):
    # The empty first choice: an unrated movie's box shows no stars, never a rating nobody gave.
    stars = forms.TypedChoiceField(choices=[("", "–"), *STAR_CHOICES], coerce=float, label=_("Your rating"))


class SignUpForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = ("username",)

    def clean_username(self):
        username = super().clean_username()
        # Look-alikes (`Ａnn`, `ANN`) are the same account at sign-in, so they are taken here too.
        if username and AccountName.objects.filter(key=canonical_username(username)).exists():
            raise ValidationError(_("A user with that username already exists."), code="unique")
        return username


class _Throttled:
    """Says "too many failed sign-ins" where the backend refused to check the password."""

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            locked = _locked_message(self.request)
            if locked is not None:
                raise locked from None
            raise


class SignInForm(_Throttled, AuthenticationForm):
    pass


class AdminSignInForm(_Throttled, AdminAuthenticationForm):
    pass


def password_confirmed(request, user, password: str) -> bool:
    """Whether `password` is `user`'s, checked by the sign-in backend: every guess counts toward its lock."""
    return authenticate(request, username=user.get_username(), password=password) == user


def _locked_message(request):
    wait = getattr(request, "signin_wait", 0)
    return ValidationError(_("Too many failed sign-ins. Try again in %(minutes)d minute(s)."), code="throttled",
                           params={"minutes": max(1, round(wait / 60))}) if wait else None


class _OldPasswordLocked:
    """Changing a password checks the old one through the backend, so it is no unlimited oracle."""

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        old = self.cleaned_data["old_password"]
        if not password_confirmed(self.request, self.user, old):
            raise _locked_message(self.request) or ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect")
        return old


class PasswordChangeLockedForm(_OldPasswordLocked, PasswordChangeForm):
    pass


class AdminPasswordChangeLockedForm(_OldPasswordLocked, AdminPasswordChangeForm):
    pass


class TokenForm(forms.Form):
    """A token is as strong as the password: making one asks for it (a left-open session is not enough)."""

    name = forms.CharField(label=_("Token name"), max_length=60, initial="My script")
    password = forms.CharField(label=_("Your password"), strip=False, widget=forms.PasswordInput)

    def __init__(self, *args, request=None, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not password_confirmed(self.request, self.request.user, password):
            raise _locked_message(self.request) or ValidationError(_("That is not your password."), code="invalid")
        return password


class RecommenderForm(forms.Form):
    recommender = forms.ChoiceField(choices=Viewer.RECOMMENDERS, label=_("Order my list with"),
                                    widget=forms.Select(attrs={"data-auto-submit": ""}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recommender"].choices = [(key, gettext(label)) for key, label in Viewer.RECOMMENDERS]


class DemographicsForm(forms.ModelForm):
    """What the demographic channel and the user tower use; every field optional."""

    occupation = forms.ChoiceField(choices=[("", "—")] + [(o, o) for o in ML1M_OCCUPATIONS],
                                   required=False, label=_("Occupation"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The occupations the imported dataset uses (ML-100K's differ from ML-1M's), ML-1M's when it has none.
        known = selectors.dataset_occupations() or ML1M_OCCUPATIONS
        self.fields["occupation"].choices = [("", "—")] + [(o, o) for o in known]
        # The stored values stay the datasets' words; only what the visitor reads is translated.
        for name in ("gender", "age_group", "occupation"):
            field = self.fields[name]
            field.choices = [(key, vocabulary.word(label) if key not in ("", None) else label)
                             for key, label in field.choices]

    class Meta:
        model = Viewer
        fields = ("gender", "age_group", "occupation", "zip_code")
        labels = {"gender": _("Gender"), "age_group": _("Age"), "zip_code": _("ZIP code")}


class BrowseAsForm(forms.Form):
    viewer = forms.IntegerField(min_value=1, max_value=10**9, label=_("MovieLens user #"))


class OnboardingForm(forms.Form):
    """Stars for any of a few groups of well-known movies; the rest stay "not seen".

    Only what the visitor rated is saved: a group suggests films to rate and
    never rates them, so nothing the person did not say lands in their
    history or in the training data. At least `MINIMUM` ratings are needed
    for a useful start.
    """

    MINIMUM = 5

    def __init__(self, *args, groups, asking_more: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = groups
        # Asking for more suggestions keeps the stars given so far, and is no attempt to finish.
        self.asking_more = asking_more
        for _name, movies in groups:
            for movie in movies:
                self.fields[f"movie_{movie.pk}"] = forms.TypedChoiceField(
                    choices=[("", _("Not seen"))] + STAR_CHOICES, coerce=float, empty_value=None,
                    required=False, label=str(movie))

    def rows(self):
        """(group name, [(movie, its field name, the stars given so far or None)]) for the template."""
        return [(name, [(m, f"movie_{m.pk}", self._given(m)) for m in movies]) for name, movies in self.groups]

    def _given(self, movie):
        # On a re-shown form (too few rated, or a bad value) the stars already chosen stay chosen.
        if not self.is_bound:
            return self.initial.get(f"movie_{movie.pk}")     # the member's own stars, when they rated it
        return self.cleaned_data.get(f"movie_{movie.pk}") if hasattr(self, "cleaned_data") else None

    def chosen_ratings(self) -> dict[int, float]:
        return {movie.pk: self.cleaned_data[f"movie_{movie.pk}"] for _name, movies in self.groups
                for movie in movies if self.cleaned_data.get(f"movie_{movie.pk}") is not None}

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not self.asking_more and len(self.chosen_ratings()) < self.MINIMUM:
            raise forms.ValidationError(
                _("Rate at least %(n)d movies you have seen, so recommendations have "
                  "something to go on.") % {"n": self.MINIMUM})
        return cleaned
