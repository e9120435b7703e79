"""manage.py evaluate: every method side by side on the same splits, as a Markdown table."""
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from re_sys.recommend.evaluation.comparison import METHODS, bar_chart, compare, markdown_table, methods_for, replace_section
from re_sys.recommend.evaluation.protocols import PROTOCOLS
from re_sys.recommend.data.movielens import DatasetFormatError, UnknownFormatError

DOCS_SECTION = "evaluate"


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

    def handle(self, *args, algo, protocol, k, seed, dataset, output, docs, search, verbosity, **options):
        if not 1 <= k <= 100:
            raise CommandError("--k must be between 1 and 100.")
        protocols = protocol or list(PROTOCOLS)
        names = None if algo == "all" else [algo]
        if names and not any(methods_for(p, names) for p in protocols):
            known = sorted({n for p in protocols for n in METHODS[p]})
            raise CommandError(f"Unknown method {algo!r} for {', '.join(protocols)}; choose from "
                               f"{', '.join(known)} or all.")
        ratings, movies, users, source = self._data(dataset)
        log = (lambda line: self.stdout.write(line)) if verbosity >= 1 else None
        try:
            results = compare(ratings, movies, users, protocols=protocols, names=names, k=k, seed=seed,
                              search=search, log=log)
        except ImportError as exc:
            if (exc.name or "").split(".")[0] in ("pyspark", "py4j"):
                raise CommandError("spark-als needs PySpark: pip install -r requirements-spark.txt "
                                   "(and Java 17: apt-get install openjdk-17-jre-headless).") from exc
            raise CommandError(f"{exc}. Install the project's requirements (pip install -r requirements.txt).") \
                from exc
        except Exception as exc:  # Spark reports a missing Java its own ways
            if type(exc).__module__.split(".")[0] not in ("pyspark", "py4j"):
                raise
            raise CommandError(f"Spark could not run: {exc}") from exc
        table = markdown_table(results, k)
        command = ["python manage.py evaluate", *([f"--dataset {dataset}"] if dataset else []),
                   *([f"--algo {algo}"] if names else []), *(f"--protocol {p}" for p in protocol or []),
                   f"--k {k}", f"--seed {seed}", *(["--search"] if search else [])]
        heading = f"{source}: {len(ratings):,} ratings, seed {seed}, k = {k}; command: `{' '.join(command)}`\n\n"
        self.stdout.write("\n" + heading + table)
        if output:
            output.write_text(heading + table, encoding="utf-8")
        if docs:
            root = Path(settings.BASE_DIR)
            bar_chart(results, root / "docs" / "img" / "evaluation.png", k)
            benchmarks = root / "docs" / "benchmarks.md"
            text = benchmarks.read_text(encoding="utf-8") if benchmarks.exists() else "# Benchmarks\n"
            body = heading + table + "\n![NDCG, HR and RMSE per method](img/evaluation.png)\n"
            benchmarks.write_text(replace_section(text, DOCS_SECTION, body), encoding="utf-8")
            self.stdout.write(f"Wrote {benchmarks} and docs/img/evaluation.png.")

    def _data(self, dataset: Path | None):
        if dataset is not None:
            from re_sys.recommend.data.dataset import frames_from_movielens
            from re_sys.recommend.data.movielens import read_dataset

            try:
                ratings, movies, users = frames_from_movielens(read_dataset(dataset))
            except (DatasetFormatError, UnknownFormatError, OSError) as exc:
                raise CommandError(str(exc)) from exc
            source = dataset.name
        else:
            from re_sys.services.training import dataset_frames

            ratings, movies, users = dataset_frames()
            source = "the database"
        if ratings.empty:
            raise CommandError("No ratings to evaluate on: run import_movielens first, or pass --dataset.")
        return ratings, movies, users, source
