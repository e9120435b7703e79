"""MovieLens titles as people write them.

MovieLens files the article last, as a library catalogue does: 'Usual
Suspects, The', 'City of Lost Children, The (Cité des enfants perdus, La)'.
That order is kept in the database, where it makes sorting by title ignore
articles; pages, reasons and poster searches show the title article first.
"""
from __future__ import annotations

import re

__all__ = ["YEAR_SUFFIX", "article_first", "display_title", "without_year"]

# The release year MovieLens appends to a title: 'Heat (1995)'. Its one definition.
YEAR_SUFFIX = re.compile(r"\s*\((\d{4})\)\s*$")

# The articles MovieLens moves to the end, in the languages of its titles.
_TRAILING_ARTICLE = re.compile(
    r"(.+), (the|a|an|la|le|les|l'|il|lo|gli|el|los|las|o|os|die|der|das|de|het|det|den)",
    flags=re.IGNORECASE)
# Alternate titles follow the main one in parentheses: '(Cité des enfants perdus, La)', '(a.k.a. Se7en)'.
_ALTERNATE = re.compile(r"\s*\(([^()]+)\)$")
_AKA = re.compile(r"(a\.k\.a\.\s*)(.*)", flags=re.IGNORECASE)


def article_first(title: str) -> str:
    """'Usual Suspects, The' -> 'The Usual Suspects'; any other title as it is (stripped)."""
    title = title.strip()
    match = _TRAILING_ARTICLE.fullmatch(title)
    if not match:
        return title
    name, article = match.groups()
    return f"{article}{'' if article.endswith(chr(39)) else ' '}{name}"


def display_title(title: str) -> str:
    """The main title and each alternate title with its article first, alternates kept in parentheses."""
    alternates = []
    rest = title.strip()
    while (match := _ALTERNATE.search(rest)) and match.start() > 0:
        alternates.insert(0, match.group(1))
        rest = rest[:match.start()]
    shown = []
    for alternate in alternates:
        aka = _AKA.fullmatch(alternate.strip())
        shown.append(f"({aka.group(1)}{article_first(aka.group(2))})" if aka
                     else f"({article_first(alternate)})")
    return " ".join([article_first(rest), *shown])


def without_year(title: str) -> str:
    """'Heat (1995)' -> 'Heat'."""
    return YEAR_SUFFIX.sub("", title)
