"""manage.py recommend: top-k movies for one viewer, or for every viewer into a CSV file."""
import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from re_sys.management.commands.similar import print_recommendations
from re_sys.models import Viewer
from re_sys.services.batch import recommendations_all
from re_sys.services.recommending import viewer_recommendations


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
            rows = _write_csv(output, recommendations_all(k=k))
            self.stdout.write(f"Wrote {rows:,} rows to {output}.")
            return
        viewer = Viewer.objects.filter(pk=user).first()
        if viewer is None:
            raise CommandError(f"There is no viewer {user} in the database.")
        print_recommendations(self, viewer_recommendations(viewer=viewer, k=k), options["json"])


def _write_csv(path: Path, rows) -> int:
    """Write through a temporary file so a failed run never leaves half a CSV."""
    tmp = path.with_name(path.name + ".part")
    count = 0
    try:
        with tmp.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["user_id", "rank", "movie_id", "score", "reason"])
            for user_id, rank, movie_id, score, reason in rows:
                writer.writerow([user_id, rank, movie_id, f"{score:.4f}", reason])
                count += 1
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(path)
    return count
