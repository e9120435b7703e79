"""Enrichment from outside MovieLens: Douban's posters and Chinese titles, poster image features."""
