"""The recommender core: plain Python and numpy, no Django, no settings.

Django code calls into this package, never the reverse, so it can be
imported, tested and benchmarked on its own.
"""
