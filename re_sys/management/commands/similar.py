"""manage.py similar: movies whose learned features are closest to one movie's."""
from django.core.management.base import BaseCommand, CommandError

from re_sys.management.output import recommendations_print
from re_sys.services.recommending import UnknownId, model_error, movie_similar
from re_sys.services.selectors import movie_of


class Command(BaseCommand):
    help = "List the movies most similar to one movie (cosine of the model's movie features)."

    def add_arguments(self, parser):
        parser.add_argument("--movie", type=int, required=True, help="MovieLens movie id.")
        parser.add_argument("--k", type=int, default=10)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, movie, k, **options):
        if not 1 <= k <= 1000:
            raise CommandError("--k must be between 1 and 1000.")
        if movie_of(movie) is None:
            raise CommandError(f"There is no movie {movie} in the database.")
        error = model_error()
        if error:
            raise CommandError(error)
        try:
            answer = movie_similar(movie_id=movie, k=k)
        except UnknownId as exc:
            raise CommandError(f"{exc.args[0]}; train again to include it.") from exc
        recommendations_print(self, answer, options["json"])
