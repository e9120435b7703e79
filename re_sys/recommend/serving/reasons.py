"""Reasons that the site can say in the visitor's language.

The engine has no Django and speaks English. A `Reason` is that English
sentence, a plain `str` to the API, the command line and the tests, which
also keeps the template it was made from and the fields filled into it.
The web layer translates the template (and any field that is itself a
Reason, such as "women aged 25–34", or a Term, such as a genre's name) and
fills in the same fields; titles and stars stay as they are.

`gettext_noop` only marks a literal for Django's `makemessages`, which finds
it by name; here it returns the message unchanged.
"""
from __future__ import annotations

from typing import Callable, Mapping

__all__ = ["BECAUSE_YOU_RATED", "NEW_FOR_YOU", "NEW_LIKE_ONE_YOU_LOVED", "OF_ANOTHER_VIEWER", "PREDICTED_FOR_YOU", "Reason", "TASTES_LIKE_YOURS",
           "Term", "gettext_noop", "predicted_reason", "stars_text"]


def gettext_noop(message: str) -> str:
    return message


class Term(str):
    """A word from the data (a genre, an occupation) that a catalogue may translate as it stands.

    Unlike a Reason it is never read as a template, so a name with braces in it is only text.
    """


class Reason(str):
    template: str
    fields: dict

    def __new__(cls, template: str, **fields) -> "Reason":
        self = super().__new__(cls, template.format(**fields))
        self.template, self.fields = template, fields
        return self

    def __reduce__(self):
        # Cached answers are pickled: rebuild from the template, not from the filled-in sentence.
        return _rebuild, (self.template, self.fields)

    def translated(self, translate: Callable[[str], str]) -> str:
        """The sentence with `translate` applied to its template and to every Reason and Term among its fields."""
        fields = {name: value.translated(translate) if isinstance(value, Reason)
                  else translate(value) if isinstance(value, Term) else value
                  for name, value in self.fields.items()}
        return translate(self.template).format(**fields)

    def reworded(self, templates: Mapping[str, str]) -> "Reason":
        """The same reason from another template where `templates` has one for its own (or a nested one's)."""
        fields = {name: value.reworded(templates) if isinstance(value, Reason) else value
                  for name, value in self.fields.items()}
        return Reason(templates.get(self.template, self.template), **fields)


def _rebuild(template: str, fields: dict) -> Reason:
    return Reason(template, **fields)


# For-you reasons speak to the viewer they were made for...
BECAUSE_YOU_RATED = gettext_noop("Because you rated {title} {stars}")
TASTES_LIKE_YOURS = gettext_noop("Watched by viewers with tastes like yours")
PREDICTED_FOR_YOU = gettext_noop("Predicted {stars} for you")
NEW_FOR_YOU = gettext_noop("New here: its title words and genres suit your ratings")
NEW_LIKE_ONE_YOU_LOVED = gettext_noop("New here, like {title}, which you rated {stars}")
# ...and these say the same of them to somebody else (their profile page, seen by another reader).
OF_ANOTHER_VIEWER = {
    BECAUSE_YOU_RATED: gettext_noop("Because they rated {title} {stars}"),
    TASTES_LIKE_YOURS: gettext_noop("Watched by viewers with tastes like theirs"),
    PREDICTED_FOR_YOU: gettext_noop("Predicted {stars} for them"),
    NEW_FOR_YOU: gettext_noop("New here: its title words and genres suit their ratings"),
    NEW_LIKE_ONE_YOU_LOVED: gettext_noop("New here, like {title}, which they rated {stars}"),
}


def stars_text(stars: float) -> str:
    """4.5 -> '★★★★½'."""
    return "★" * int(stars) + ("½" if stars % 1 else "")


def predicted_reason(score: float) -> Reason:
    """'Predicted ★★★★ for you', the rating rounded to a half star within 0.5-5."""
    stars = round(min(max(float(score), 0.5), 5.0) * 2) / 2
    return Reason(PREDICTED_FOR_YOU, stars=stars_text(stars))
