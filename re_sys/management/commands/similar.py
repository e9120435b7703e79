"""manage.py similar: movies whose learned features are closest to one movie's."""
import json as jsonlib

from django.core.management.base import BaseCommand, CommandError

from re_sys.models import Movie
from re_sys.services.recommending import UnknownId, model_error, movie_similar


class Command(BaseCommand):
    help = "List the movies most similar to one movie (cosine of the model's movie features)."

    def add_arguments(self, parser):
        parser.add_argument("--movie", type=int, required=True, help="MovieLens movie id.")
        parser.add_argument("--k", type=int, default=10)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, movie, k, **options):
        if not 1 <= k <= 1000:
            raise CommandError("--k must be between 1 and 1000.")
        if not Movie.objects.filter(pk=movie).exists():
            raise CommandError(f"There is no movie {movie} in the database.")
        error = model_error()
        if error:
            raise CommandError(error)
        try:
            answer = movie_similar(movie_id=movie, k=k)
        except UnknownId as exc:
            raise CommandError(f"{exc.args[0]}; train again to include it.") from exc
        print_recommendations(self, answer, options["json"])


def print_recommendations(command, answer, as_json):
    """One line per recommendation, or a JSON list (shared with `recommend`)."""
    titles = dict(Movie.objects.filter(pk__in=[r.movie_id for r in answer]).values_list("id", "title"))
    if as_json:
        command.stdout.write(jsonlib.dumps([{**r._asdict(), "title": titles.get(r.movie_id, "")}
                                         for r in answer], ensure_ascii=False))
        return
    for rank, r in enumerate(answer, start=1):
        command.stdout.write(f"{rank:>3}. {r.movie_id:>6}  {r.score:7.3f}  {titles.get(r.movie_id, '')}"
                             f"  — {r.reason}")
