"""Search text: case- and accent-insensitive matching that every database can do.

SQLite has no `unaccent`, so each movie stores its titles once normalised
(`Movie.search_text`) and queries are normalised the same way.
"""
import difflib
import unicodedata


# Phones type ’ for ' and “ ” for " (smart punctuation): to a reader they are the same
# character, so to the search too ("Schindler’s" finds "Schindler's List").
QUOTES = str.maketrans({"‘": "'", "’": "'", "‛": "'", "′": "'", "“": '"', "”": '"', "„": '"', "″": '"'})
# Characters that MovieLens titles store under the QUOTES table's keys (a migration
# re-normalises such titles: re_sys/migrations/0008_search_text_quotes.py).
TYPOGRAPHIC_QUOTES = "‘’‛′“”„″"


def search_normalise(text: str) -> str:
    """'Cité des Enfants' -> 'cite des enfants', ’ -> '; Chinese is kept as it is."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(QUOTES))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def search_terms(query: str, limit: int = 8) -> list[str]:
    """The words of a query, normalised; at most `limit` of them (a query is not a document).

    Double quotes are dropped: "toy story" in quotes means the two words, and
    titles are matched word by word already."""
    return search_normalise(query[:200]).replace('"', " ").split()[:limit]


def has_chinese(text: str) -> bool:
    """Whether `text` holds a CJK ideograph (a Chinese query, whatever else it holds)."""
    return any("\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" for c in text)


SUGGESTION_QUERY = 40


def closest_titles(query: str, titles: dict[int, str], n: int = 5) -> list[int]:
    """The ids of up to `n` titles closest in spelling to the query ("star wras" -> Star Wars)."""
    # A title is short: the query's first 40 characters are enough to tell which it meant, and a
    # long query would make each comparison slow (anyone may send one).
    wanted = search_normalise(query)[:SUGGESTION_QUERY]
    matcher = difflib.SequenceMatcher(None, "", wanted)
    scored = []
    for movie_id, title in titles.items():
        title = search_normalise(title)
        # Compared with the whole title and with its start of the query's length, so a short query
        # still finds the long title it begins; the cheap upper bounds first, as get_close_matches does.
        best = 0.0
        for candidate in (title, title[:len(wanted)]):
            matcher.set_seq1(candidate)
            if matcher.real_quick_ratio() >= 0.6 and matcher.quick_ratio() >= 0.6:
                best = max(best, matcher.ratio())
        if best >= 0.6:
            scored.append((-best, movie_id))
    return [movie_id for _r, movie_id in sorted(scored)[:n]]
