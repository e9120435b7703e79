"""Search text: case- and accent-insensitive matching that every database can do.

SQLite has no `unaccent`, so each movie stores its titles once normalised
(`Movie.search_text`) and queries are normalised the same way.
"""
import unicodedata


def search_normalise(text: str) -> str:
    """'Cité des Enfants' -> 'cite des enfants'; Chinese is kept as it is."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def search_terms(query: str, limit: int = 8) -> list[str]:
    """The words of a query, normalised; at most `limit` of them (a query is not a document)."""
    return search_normalise(query[:200]).split()[:limit]
