"""The datasets' words as people read them in the active language.

Genre, occupation, gender and age names are stored as the datasets write them
(in English): they are keys as well as words. Pages translate them only when
they show them. `gettext` returns a name that has no catalogue entry as it is,
so a genre from a newer dataset is shown in English rather than not at all.
The lists below exist for `makemessages`, which collects the literals; a test
checks that they cover every name the dataset readers know.
"""
from django.utils.translation import gettext, gettext_noop

GENRES = [
    gettext_noop("unknown"), gettext_noop("Action"), gettext_noop("Adventure"), gettext_noop("Animation"),
    gettext_noop("Children's"), gettext_noop("Children"), gettext_noop("Comedy"), gettext_noop("Crime"),
    gettext_noop("Documentary"), gettext_noop("Drama"), gettext_noop("Fantasy"), gettext_noop("Film-Noir"),
    gettext_noop("Horror"), gettext_noop("IMAX"), gettext_noop("Musical"), gettext_noop("Mystery"),
    gettext_noop("Romance"), gettext_noop("Sci-Fi"), gettext_noop("Thriller"), gettext_noop("War"),
    gettext_noop("Western"),
]

# ML-1M's occupations (the profile form offers these) and ML-100K's (u.occupation).
OCCUPATIONS = [
    gettext_noop("other"), gettext_noop("academic/educator"), gettext_noop("artist"),
    gettext_noop("clerical/admin"), gettext_noop("college/grad student"), gettext_noop("customer service"),
    gettext_noop("doctor/health care"), gettext_noop("executive/managerial"), gettext_noop("farmer"),
    gettext_noop("homemaker"), gettext_noop("K-12 student"), gettext_noop("lawyer"), gettext_noop("programmer"),
    gettext_noop("retired"), gettext_noop("sales/marketing"), gettext_noop("scientist"),
    gettext_noop("self-employed"), gettext_noop("technician/engineer"), gettext_noop("tradesman/craftsman"),
    gettext_noop("unemployed"), gettext_noop("writer"),
    gettext_noop("administrator"), gettext_noop("doctor"), gettext_noop("educator"), gettext_noop("engineer"),
    gettext_noop("entertainment"), gettext_noop("executive"), gettext_noop("healthcare"),
    gettext_noop("librarian"), gettext_noop("marketing"), gettext_noop("none"), gettext_noop("salesman"),
    gettext_noop("student"), gettext_noop("technician"),
]

# The first of AGE_GROUPS, which the recommender core keeps free of Django (the others are numbers).
AGE_WORDS = [gettext_noop("Under 18")]

# The engine's channel ids, as the "for you" list labels each result.
CHANNELS = {
    "item-to-item": gettext_noop("From movies you rated"),
    "als": gettext_noop("Tastes like yours"),
    "text-cnn": gettext_noop("Predicted rating"),
    "demographic": gettext_noop("People like you"),
    "popular": gettext_noop("Popular"),
    "next-up": gettext_noop("Next for you"),
    "similar": gettext_noop("Similar"),
    "also-liked": gettext_noop("Also liked"),
    "poster": gettext_noop("Poster"),
    "new": gettext_noop("New"),
}


def word(name) -> str:
    """A dataset word (genre, occupation, gender, age group) in the active language."""
    return gettext(str(name)) if name else ""


def channel(name: str) -> str:
    return gettext(CHANNELS[name]) if name in CHANNELS else name
