"""manage.py recommend: top-k movies for one viewer, or for every viewer into a CSV file."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from re_sys.management.output import csv_write, recommendations_print
from re_sys.services.batch import recommendations_all
from re_sys.services.recommending import viewer_recommendations
from re_sys.services.selectors import viewer_get


class Command(BaseCommand):
    help = ("Recommend movies to one viewer (--user), or to every viewer in the database "
            "(--all --output FILE: rows of user_id, rank, movie_id, score, reason).")

    def add_arguments(self, parser):
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--user", type=int, help="MovieLens user id.")
        who.add_argument("--all", action="store_true")
        parser.add_argument("--k", type=int, default=10)
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--output", type=Path, help="CSV file for --all.")

    def handle(self, *args, user, all, k, output, **options):
        if not 1 <= k <= 1000:
            raise CommandError("--k must be between 1 and 1000.")
        if all:
            if output is None:
                raise CommandError("--all needs --output FILE.")
            rows = ((u, rank, m, f"{score:.4f}", reason) for u, rank, m, score, reason in recommendations_all(k=k))
            count = csv_write(output, ["user_id", "rank", "movie_id", "score", "reason"], rows)
            self.stdout.write(f"Wrote {count:,} rows to {output}.")
            return
        viewer = viewer_get(user)
        if viewer is None:
            raise CommandError(f"There is no viewer {user} in the database.")
        recommendations_print(self, viewer_recommendations(viewer=viewer, k=k), options["json"])
