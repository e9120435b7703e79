"""manage.py train: fit the text-CNN on the database's ratings and publish the run."""
from dataclasses import replace

from django.core.management.base import BaseCommand, CommandError

from re_sys.recommend.textcnn.config import TrainConfig
from re_sys.recommend.algorithms.factor_training import FACTOR_ALGORITHMS
from re_sys.services.training import TrainingError, model_train

DEFAULTS = TrainConfig()


class Command(BaseCommand):
    help = ("Train the text-CNN recommender (or, with --algo, another factor model) on every rating "
            "in the database, write model/runs/<id>/ and switch model/current to it once complete.")

    def add_arguments(self, parser):
        parser.add_argument("--algo", default="text-cnn", choices=("text-cnn", *FACTOR_ALGORITHMS, "spark-als"),
                            help="text-cnn (default); rsvd or svd (Keras matrix factorization), fm "
                                 "(factorization machine) or spark-als (ALS on Spark), all served by the "
                                 "same engine.")
        parser.add_argument("--spark-master", default="local[*]",
                            help="For spark-als: a Spark master URL (default local[*], this machine).")
        parser.add_argument("--epochs", type=int, default=DEFAULTS.epochs)
        parser.add_argument("--batch-size", type=int, default=DEFAULTS.batch_size,
                            help="Default: scaled with the data (2,048 for ML-100K, 8,192 for ML-1M).")
        parser.add_argument("--lr", type=float, default=DEFAULTS.lr, help="Adam learning rate.")
        parser.add_argument("--seed", type=int, default=DEFAULTS.seed)
        parser.add_argument("--val-fraction", type=float, default=DEFAULTS.val_fraction)
        parser.add_argument("--patience", type=int, default=DEFAULTS.patience,
                            help="Epochs without a better validation RMSE before stopping.")
        parser.add_argument("--no-refit", dest="refit", action="store_false",
                            help="Serve the early-stopped model instead of refitting it on "
                                 "every rating (about half the time, slightly less accurate).")

    def handle(self, *args, verbosity, **options):
        if options["epochs"] < 1 or (options["batch_size"] or 1) < 1 or options["lr"] <= 0:
            raise CommandError("--epochs and --batch-size must be at least 1, --lr positive.")
        if not 0 < options["val_fraction"] < 1:
            raise CommandError("--val-fraction must be between 0 and 1.")
        config = replace(DEFAULTS, **{k: options[k] for k in
                                      ("epochs", "batch_size", "lr", "seed", "val_fraction",
                                       "patience", "refit")})
        log = (lambda message: self.stdout.write(message)) if verbosity >= 1 else None
        try:
            run, metrics = model_train(algorithm=options["algo"], train_config=config,
                                       spark_master=options["spark_master"], log=log)
        except TrainingError as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:  # a full disk, a read-only model folder: nothing was switched
            raise CommandError(f"Could not write the run: {exc}. model/current still serves "
                               f"the previous run.") from exc
        self.stdout.write(self.style.SUCCESS(
            f"Run {run.name}: validation RMSE {metrics['valid_rmse']:.4f} "
            f"(global mean {metrics['baseline_rmse']:.4f}), MAE {metrics['valid_mae']:.4f}. "
            f"model/current now serves it."))
