"""manage.py evaluate: every method side by side on the same splits, as a Markdown table."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from re_sys.recommend.evaluation.comparison import METHODS
from re_sys.recommend.evaluation.protocols import PROTOCOLS
from re_sys.services.evaluating import EvaluationError, evaluation_docs_write, evaluation_run, \
    evaluation_save_to_run, served_run_folder


class Command(BaseCommand):
    help = ("Fit every method (or --algo NAME) on each protocol's training split and score it on the "
            "held-out part: Precision, Recall, NDCG, MAP and HR@k for rankers (all unseen movies "
            "ranked), RMSE and MAE for rating models, with fit and answer times. Reads the database's "
            "ratings, or a MovieLens folder with --dataset.")

    def add_arguments(self, parser):
        names = sorted({n for methods in METHODS.values() for n in methods})
        parser.add_argument("--algo", default="all",
                            help=f"One of: {', '.join(names)}; or all (default: every one but spark-als, "
                                 f"which needs pip install -r requirements-spark.txt and Java 17).")
        parser.add_argument("--protocol", action="append", choices=PROTOCOLS,
                            help="Repeat for several; default: all four.")
        parser.add_argument("--k", type=int, default=10)
        parser.add_argument("--seed", type=int, default=0, help="The same seed gives the same splits and figures.")
        parser.add_argument("--dataset", type=Path, help="A MovieLens folder instead of the database.")
        parser.add_argument("--output", type=Path, help="Also write the Markdown table to this file.")
        parser.add_argument("--search", action="store_true",
                            help="Tune svd, rsvd and nn first: 3-fold cross-validation over embedding size "
                                 "and L2 on the training split (slow: minutes per model).")
        parser.add_argument("--docs", action="store_true",
                            help="Write the table into docs/benchmarks.md (between its evaluate markers) "
                                 "and the chart to docs/img/evaluation.png.")
        parser.add_argument("--save-to-run", action="store_true",
                            help="Also keep the figures beside the served run, for the /model/ page.")

    def handle(self, *args, algo, protocol, k, seed, dataset, output, docs, search, save_to_run, verbosity,
               **options):
        if not 1 <= k <= 100:
            raise CommandError("--k must be between 1 and 100.")
        log = (lambda line: self.stdout.write(line)) if verbosity >= 1 else None
        try:
            run_folder = served_run_folder() if save_to_run else None   # before minutes of fitting
            evaluation = evaluation_run(algo=algo, protocols=protocol or list(PROTOCOLS), chosen=protocol, k=k,
                                        seed=seed, dataset=dataset, search=search, log=log)
        except EvaluationError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("\n" + evaluation.heading + evaluation.table)
        if output:
            output.write_text(evaluation.heading + evaluation.table, encoding="utf-8")
        if docs:
            self.stdout.write(f"Wrote {evaluation_docs_write(evaluation)} and docs/img/evaluation.png.")
        if save_to_run:
            try:
                self.stdout.write(f"Wrote {evaluation_save_to_run(evaluation, run_folder)}.")
            except EvaluationError as exc:
                raise CommandError(str(exc)) from exc
