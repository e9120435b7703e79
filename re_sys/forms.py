"""Forms of the site: search, rating, sign-up."""
from django import forms
from django.contrib.auth.forms import UserCreationForm

from .models import HALF_STARS, Genre


class SearchForm(forms.Form):
    q = forms.CharField(label="Title", max_length=200, required=False)
    genre = forms.ModelChoiceField(Genre.objects.all(), required=False, to_field_name="name",
                                   empty_label="Any genre")
    year = forms.IntegerField(min_value=1870, max_value=2100, required=False)


class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(choices=[(str(s), f"{s:g}") for s in HALF_STARS],
                                   coerce=float, label="Your rating")


class SignUpForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = ("username",)
