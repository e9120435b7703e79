"""manage.py fetch_posters: Chinese titles and posters from Douban, slowly, resumably."""
from django.core.management.base import BaseCommand, CommandError

from re_sys.services.posters import BatchStopped, douban_client, movies_to_fetch, posters_fetch
from re_sys.services.selectors import movie_of


def _non_negative(value: str) -> float:
    number = float(value)
    if number < 0:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = ("Look movies up on Douban (most rated first) and cache their Chinese title, Douban "
            "rating and poster. Resumable: movies already tried are skipped. At least "
            "DOUBAN_DELAY seconds (3 by default) pass between two requests.")

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, help="At most this many movies.")
        parser.add_argument("--movie", type=int, metavar="ID",
                            help="Only this MovieLens movie, even if it was fetched before.")
        parser.add_argument("--retry-failed", action="store_true",
                            help="Also try movies whose last attempt ended in an error.")
        parser.add_argument("--delay", type=_non_negative, metavar="S",
                            help="Seconds between requests (default: the DOUBAN_DELAY setting).")

    def handle(self, *args, limit, movie, retry_failed, delay, verbosity, **options):
        if limit is not None and limit < 1:
            raise CommandError("--limit must be at least 1.")
        if movie is not None:
            movies = [m for m in [movie_of(movie)] if m is not None]
            if not movies:
                raise CommandError(f"There is no movie with MovieLens id {movie}.")
        else:
            movies = list(movies_to_fetch(limit=limit, retry_failed=retry_failed))
        if not movies:
            self.stdout.write("Nothing to fetch: every movie has been tried "
                              "(use --retry-failed or --movie ID to try again).")
            return

        bar = None
        if verbosity >= 1:
            from tqdm import tqdm
            bar = tqdm(total=len(movies), unit="movie", desc="Douban", file=self.stderr._out)
        try:
            summary = posters_fetch(movies, douban_client(delay),
                                    progress=(lambda m, status: bar.update(1)) if bar else None)
        except BatchStopped as stop:
            self.stdout.write(self._summary(stop.summary))
            raise CommandError(f"Stopped: {stop} Everything fetched so far is saved; run "
                               "fetch_posters again later to resume.") from stop
        finally:
            if bar:
                bar.close()
        self.stdout.write(self.style.SUCCESS(self._summary(summary)))

    @staticmethod
    def _summary(summary) -> str:
        return (f"{summary.found} found, {summary.not_found} not found, "
                f"{summary.errors} errors")
