"""manage.py predict: the model's rating for every user_id,movie_id pair of a CSV file."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from re_sys.services.batch import PairsFileError, pairs_predict


class Command(BaseCommand):
    help = ("Read pairs.csv (header user_id,movie_id) and write it back with a prediction "
            "column. Unknown viewers or movies get the movie's or the global mean.")

    def add_arguments(self, parser):
        parser.add_argument("--input", type=Path, required=True)
        parser.add_argument("--output", type=Path, required=True)

    def handle(self, *args, input, output, **options):
        try:
            summary = pairs_predict(source=input, dest=output)
        except PairsFileError as exc:
            raise CommandError(str(exc)) from exc
        if summary.fallbacks:
            self.stderr.write(f"warning: {summary.fallbacks:,} of {summary.rows:,} pairs had an "
                              f"unknown viewer or movie and got the mean rating instead.")
        self.stdout.write(f"Wrote {summary.rows:,} predictions to {output}.")
