"""Titles with typographic quotes are searched with them mapped to ASCII ones (re_sys/search.py,
QUOTES): their stored search text is normalised again, the rest is already right."""
from functools import reduce
from operator import or_

from django.db import migrations
from django.db.models import Q


def renormalise(apps, schema_editor):
    from re_sys.models import movie_search_text
    from re_sys.search import TYPOGRAPHIC_QUOTES

    Movie = apps.get_model("re_sys", "Movie")
    quoted = reduce(or_, (Q(title__contains=c) | Q(title_zh__contains=c) for c in TYPOGRAPHIC_QUOTES))
    for movie in Movie.objects.filter(quoted).only("id", "title", "title_zh"):
        Movie.objects.filter(pk=movie.pk).update(search_text=movie_search_text(movie.title, movie.title_zh))


class Migration(migrations.Migration):

    dependencies = [
        ("re_sys", "0007_viewer_recommender_words"),
    ]

    operations = [
        migrations.RunPython(renormalise, migrations.RunPython.noop),
    ]
