"""Template helpers for movie cards: the poster to show, stars as text, the member's controls."""
from functools import lru_cache

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, ngettext

from .. import vocabulary
from ..links import movie_link
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


def _star_words(value: float) -> str:
    return ngettext("%(stars)s star", "%(stars)s stars", 1 if value == 1 else 2) % {"stars": f"{value:g}"}


@lru_cache(maxsize=8)
def _star_labels(language: str) -> tuple[str, ...]:
    """The ten half-star labels in `language`, HTML with `{name}` and `{checked}` left to fill."""
    return tuple(f'<label class="half {"right" if i % 2 else "left"}" title="{stars:g}★"><input type="radio" '
                 f'name="{{name}}" value="{stars}"{{checked{i}}}><span class="visually-hidden">'
                 f'{escape(_star_words(stars))}</span></label>' for i, stars in enumerate(HALF_STARS))


# The widgets below are built here as strings rather than in templates: a page holds ~40 cards,
# each with ten star choices and two buttons, and rendering them as included templates (then
# with format_html per piece) took half of the member's home page time
# (python -m bench.bench_pages --profile "home (member)"). Every value from data is escaped.

@register.simple_tag
def stars_input(movie, name="stars", current=None, not_seen=False) -> str:
    """Ten half-star radios for one movie (none checked when unrated): the form fields of
    every star widget, the card's own form and onboarding's one form alike.

    `not_seen` adds a first, empty choice (checked until a star is), so one
    form of many films can leave any of them unrated, with or without scripts.
    """
    current = None if current in (None, "") else float(current)
    checked = {f"checked{i}": " checked" if stars == current else "" for i, stars in enumerate(HALF_STARS)}
    name = escape(name)
    labels = "".join(_star_labels(get_language() or "")).replace("{name}", name).format(**checked)
    if not_seen:
        labels = (f'<label class="not-seen"><input type="radio" name="{name}" value=""'
                  f'{" checked" if current is None else ""}><span>{escape(gettext("Not seen"))}</span></label>') + labels
    label = escape(gettext("Your rating of %(title)s") % {"title": movie.display_title})
    return mark_safe(f'<span class="star-choices" role="radiogroup" aria-label="{label}">{labels}</span>')


def _mark_button(movie, kind: str, on: bool, long: bool, token: str, back: str) -> str:
    """Save or Hide: a form that says the state wanted, with both states' words for site.js."""
    title = movie.display_title
    if kind == "watchlist":
        action = movie_link("re_sys:watchlist_toggle", movie.pk)
        words = (gettext("On your watchlist ✓"), gettext("Save to watchlist")) if long else \
            (gettext("Saved ✓"), gettext("Save"))
        aria = (gettext("Take %(title)s off your watchlist") % {"title": title},
                gettext("Save %(title)s to your watchlist") % {"title": title})
    else:
        action = movie_link("re_sys:hide_toggle", movie.pk)
        words = (gettext("Hidden from recommendations (undo)"), gettext("Never recommend this")) if long else \
            (gettext("Hidden · undo"), gettext("Hide"))
        aria = (gettext("Show %(title)s in recommendations again") % {"title": title},
                gettext("Hide %(title)s: never recommend it") % {"title": title})
    words, aria = tuple(map(escape, words)), tuple(map(escape, aria))
    return (f'<form class="mark mark-{kind}" method="post" action="{action}" data-movie="{movie.pk}" '
            f'data-kind="{kind}" data-label-on="{words[0]}" data-label-off="{words[1]}" data-aria-on="{aria[0]}" '
            f'data-aria-off="{aria[1]}"><input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
            f'<input type="hidden" name="next" value="{back}"><input type="hidden" name="on" '
            f'value="{"0" if on else "1"}"><button type="submit" class="mark-button" '
            f'aria-pressed="{"true" if on else "false"}" aria-label="{aria[0] if on else aria[1]}">'
            f'{words[0] if on else words[1]}</button></form>')


@register.simple_tag(takes_context=True)
def card_actions(context, movie, large=False) -> str:
    """The member's controls on any card: stars, Save, Hide. Forms that work without scripts;
    site.js sends them through the API in place. `large`: the movie page's own, with longer words."""
    request = context.get("request")
    token = escape(str(context.get("csrf_token", "")))
    back = escape(request.get_full_path()) if request is not None else ""
    stars = getattr(movie, "my_stars", None)
    clear = escape(gettext("Remove my rating") if large else gettext("Clear"))
    rate = (f'<form class="stars{" stars-large" if large else ""}" method="post" '
            f'action="{movie_link("re_sys:rate", movie.pk)}" data-movie="{movie.pk}" '
            f'data-stars="{"" if stars is None else stars}"><input type="hidden" name="csrfmiddlewaretoken" '
            f'value="{token}"><input type="hidden" name="next" value="{back}">{stars_input(movie, current=stars)}'
            f'<span class="stars-buttons"><button type="submit" class="small rate-submit">{escape(gettext("Rate"))}'
            f'</button><button type="submit" class="small rate-clear" name="delete" value="1">{clear}</button></span>'
            '<span class="stars-status" role="status" aria-live="polite"></span></form>')
    marks = (f'<span class="marks">{_mark_button(movie, "watchlist", getattr(movie, "saved", False), large, token, back)}'
             f'{_mark_button(movie, "hidden", getattr(movie, "is_hidden", False), large, token, back)}</span>')
    return mark_safe(rate + marks)
