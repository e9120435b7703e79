"""manage.py poster_features: CNN features of the cached posters, for the "looks like" row."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from re_sys.recommend.enrich.poster_features import ARCHITECTURES, PosterFeatureError
from re_sys.services.posters import poster_features_compute

_WEIGHTS_BASE = "https://storage.googleapis.com/tensorflow/keras-applications"
_WEIGHTS_FOLDER = {"mobilenet_v3_small": "mobilenet_v3", "mobilenet_v3_large": "mobilenet_v3",
                   "vgg16": "vgg16"}


class Command(BaseCommand):
    help = ("Encode every cached poster with an ImageNet CNN (without its top) loaded from a "
            "local weights file, and save the features as model/poster_features.npz. "
            "Nothing is downloaded: fetch the weights once yourself.")

    def add_arguments(self, parser):
        parser.add_argument("--weights", type=Path, metavar="PATH",
                            help="The architecture's no-top Keras weights (.h5).")
        parser.add_argument("--arch", choices=sorted(ARCHITECTURES), default="mobilenet_v3_small")
        parser.add_argument("--batch-size", type=int, default=16)

    def handle(self, *args, weights, arch, batch_size, verbosity, **options):
        architecture = ARCHITECTURES[arch]
        if weights is None:
            raise CommandError(
                f"--weights is required: download {architecture.weights_file} (for example from "
                f"{_WEIGHTS_BASE}/{_WEIGHTS_FOLDER[arch]}/{architecture.weights_file}) and pass "
                f"--weights PATH. Nothing is downloaded at run time.")
        if not weights.is_file():
            raise CommandError(f"{weights}: no such weights file.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        bar = None
        if verbosity >= 1:
            from tqdm import tqdm
            bar = tqdm(unit="poster", desc="posters", file=self.stderr._out)
        try:
            count, target = poster_features_compute(arch, weights, batch_size=batch_size,
                                                    progress=bar.update if bar is not None else None)
        except PosterFeatureError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            if bar is not None:
                bar.close()
        if count == 0:
            self.stdout.write("No cached posters yet: run `manage.py fetch_posters` first. "
                              f"{target} now holds no features.")
            return
        self.stdout.write(self.style.SUCCESS(f"{count} posters encoded with {arch} into {target}"))
