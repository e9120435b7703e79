"""Evaluation: splitting protocols, the rankers and rating models `evaluate` compares, and the tables.

`protocols` splits ratings and scores a method on each protocol,
`rankers` and `rating_models` are the method registries, and `comparison`
runs every method on every protocol and renders the table and chart.
"""
