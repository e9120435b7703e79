"""Template helpers for movie cards: the poster to show, stars as text."""
from django import template
from django.utils.translation import gettext, ngettext

from .. import vocabulary
from ..models import HALF_STARS
from ..posters import poster_url as _poster_url
from ..recommend.serving.reasons import OF_ANOTHER_VIEWER, stars_text
from ..recommend.serving.reasons import Reason
from ..recommend.data.titles import display_title as _display_title

register = template.Library()


@register.filter
def poster_url(movie) -> str:
    return _poster_url(movie)


@register.filter
def share_class(percent) -> str:
    """`share-45` for 44.7: a bar's length as a class (the CSP forbids style attributes)."""
    try:
        step = int(round(float(percent) / 5)) * 5
    except (TypeError, ValueError):
        step = 0
    return f"share-{min(100, max(0, step))}"


@register.filter
def display_title(title) -> str:
    """A stored MovieLens title (a string, as `.values()` rows hold it) as people write it."""
    return _display_title(str(title or ""))


@register.filter
def reason(value, of_another=False) -> str:
    """A recommendation's reason in the active language (the engine's English where it is plain text).

    `of_another`: the page shows another viewer's recommendations, so "Because
    you rated" becomes "Because they rated".
    """
    if not isinstance(value, Reason):
        return value
    if of_another:
        value = value.reworded(OF_ANOTHER_VIEWER)
    try:
        return value.translated(gettext)
    except (KeyError, IndexError, ValueError):
        # A translation naming a field the sentence lacks: the English, never a broken page.
        return str(value)


@register.filter
def word(value) -> str:
    """A genre, occupation, gender or age group as the active language says it."""
    return vocabulary.word(value)


@register.filter
def channel(value) -> str:
    """The channel that found a recommendation, in words."""
    return vocabulary.channel(str(value))


@register.filter
def stars(value) -> str:
    try:
        return stars_text(round(float(value) * 2) / 2)
    except (TypeError, ValueError):
        return ""


# Cards appear dozens of times per page: these two replace {% blocktranslate %}
# and |intcomma there (same catalogue entries), at a fraction of the render cost.
@register.filter
def ratings_text(count) -> str:
    count = int(count or 0)
    return ngettext("%(n)s rating", "%(n)s ratings", count) % {"n": f"{count:,}"}


@register.filter
def predicted_text(stars, of_another=False) -> str:
    text = gettext("For them: %(stars)s★") if of_another else gettext("For you: %(stars)s★")
    return text % {"stars": f"{float(stars):.1f}"}


@register.inclusion_tag("re_sys/_stars_input.html")
def stars_input(movie, name="stars", current=None, not_seen=False):
    """Ten half-star radios for one movie (none checked when unrated): the form fields of
    every star widget, the card's own form and onboarding's one form alike.

    `not_seen` adds a first, empty choice (checked until a star is), so one
    form of many films can leave any of them unrated, with or without scripts.
    """
    current = None if current in (None, "") else float(current)
    return {"movie": movie, "name": name, "title": movie.display_title, "not_seen": not_seen,
            "current_checked": current is not None,
            # The plural form follows the shown number; gettext wants a whole number to choose it.
            "choices": [(str(s), f"{s:g}", 1 if s == 1 else 2, s == current) for s in HALF_STARS]}
