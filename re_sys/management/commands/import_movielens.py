"""manage.py import_movielens: load a MovieLens dataset folder into the database."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from re_sys.recommend.data.movielens import DatasetFormatError, UnknownFormatError
from re_sys.services.importing import ImportRefused, dataset_import


class Command(BaseCommand):
    help = ("Import a MovieLens dataset folder (1M, 100K, latest/latest-small/25M, or the "
            "offline ML-100K mirror's atomic files). All or nothing; the same folder twice "
            "changes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The dataset folder, e.g. data/ml-1m")
        parser.add_argument("--replace", action="store_true",
                            help="Delete the dataset already in the database first.")

    def handle(self, *args, path, replace, verbosity, **options):
        log = (lambda message: self.stdout.write(message)) if verbosity >= 1 else None
        try:
            summary = dataset_import(path=path, replace=replace, log=log)
        except (DatasetFormatError, UnknownFormatError, ImportRefused) as exc:
            raise CommandError(f"{exc} The database was not changed.") from exc
        if summary.unchanged:
            self.stdout.write(f"{summary.name} is already imported; nothing changed.")
            return
        self.stdout.write(self.style.SUCCESS(
            f"Imported {summary.name} ({summary.format}): {summary.movies:,} movies, "
            f"{summary.viewers:,} viewers, {summary.ratings:,} ratings, {summary.tags:,} tags."))
