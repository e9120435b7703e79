"""Fixtures of the web tests: a small catalogue, and a run served over it."""
import pytest

from re_sys.models import Genre, Movie
from re_sys.recommend.serving.runs import switch_current
from re_sys.services import recommending
from tests.recommend.fake_run import two_kinds_run


@pytest.fixture
def catalogue():
    comedy, drama = Genre.objects.create(name="Comedy"), Genre.objects.create(name="Drama")
    for pk, title, year, genre, title_zh in [
        (1, "Café au lait", 1993, comedy, ""),
        (2, "City of Lost Children, The (Cité des enfants perdus, La)", 1995, drama, ""),
        (3, "Toy Story", 1995, comedy, "玩具总动员"),
        (4, "Toy Soldiers", 1991, drama, ""),
    ]:
        Movie.objects.create(id=pk, title=title, year=year, title_zh=title_zh,
                             rating_count=10 * pk, rating_mean=3.5).genres.add(genre)


@pytest.fixture
def served(settings, catalogue):
    """A run where odd movies are one kind and even the other (see fake_run)."""
    recommending._store.cache_clear()
    Movie.objects.bulk_create([Movie(id=m, title=f"Film {m}", rating_count=1, rating_mean=3)
                               for m in range(5, 11)])
    switch_current(settings.RE_SYS_MODEL_DIR,
                   two_kinds_run(settings.RE_SYS_MODEL_DIR / "runs" / "r1"))
    yield
    recommending._store.cache_clear()


