"""`evaluate`'s work: read the ratings, compare every method, and render (or file) the table."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from ..recommend.data.movielens import DatasetFormatError, UnknownFormatError
from ..recommend.evaluation.comparison import METHODS, bar_chart, compare, markdown_table, methods_for, \
    replace_section

__all__ = ["DOCS_SECTION", "EVALUATION_FILE", "EvaluationError", "Evaluation", "evaluation_docs_write",
           "evaluation_run", "evaluation_save_to_run", "served_run_folder"]

DOCS_SECTION = "evaluate"


class EvaluationError(RuntimeError):
    """The evaluation cannot run as asked; the message says why."""


@dataclass
class Evaluation:
    results: list
    k: int
    heading: str
    table: str


def evaluation_run(*, algo: str, protocols: list[str], chosen: list[str] | None, k: int, seed: int,
                   dataset: Path | None, search: bool, log=None) -> Evaluation:
    """Fit and score `algo` (or every method) on each protocol; the table with the command that made it."""
    names = None if algo == "all" else [algo]
    if names and not any(methods_for(p, names) for p in protocols):
        known = sorted({n for p in protocols for n in METHODS[p]})
        raise EvaluationError(f"Unknown method {algo!r} for {', '.join(protocols)}; choose from "
                              f"{', '.join(known)} or all.")
    ratings, movies, users, source = _data(dataset)
    try:
        results = compare(ratings, movies, users, protocols=protocols, names=names, k=k, seed=seed,
                          search=search, log=log)
    except ImportError as exc:
        if (exc.name or "").split(".")[0] in ("pyspark", "py4j"):
            raise EvaluationError("spark-als needs PySpark: pip install -r requirements-spark.txt "
                                  "(and Java 17: apt-get install openjdk-17-jre-headless).") from exc
        raise EvaluationError(f"{exc}. Install the project's requirements (pip install -r requirements.txt).") \
            from exc
    except Exception as exc:  # Spark reports a missing Java its own ways
        if type(exc).__module__.split(".")[0] not in ("pyspark", "py4j"):
            raise
        raise EvaluationError(f"Spark could not run: {exc}") from exc
    command = ["python manage.py evaluate", *([f"--dataset {dataset}"] if dataset else []),
               *([f"--algo {algo}"] if names else []), *(f"--protocol {p}" for p in chosen or []),
               f"--k {k}", f"--seed {seed}", *(["--search"] if search else [])]
    heading = f"{source}: {len(ratings):,} ratings, seed {seed}, k = {k}; command: `{' '.join(command)}`\n\n"
    return Evaluation(results, k, heading, markdown_table(results, k))


EVALUATION_FILE = "evaluation.json"


def served_run_folder() -> Path:
    """The served run's folder, or EvaluationError saying there is none (checked before evaluating)."""
    try:
        return (Path(settings.RE_SYS_MODEL_DIR) / "current").resolve(strict=True)
    except OSError:
        raise EvaluationError("No run is being served, so there is none to save the figures to: "
                              "run python manage.py train first.") from None


def evaluation_save_to_run(evaluation: Evaluation, folder: Path | None = None) -> Path:
    """The figures beside the served run (its evaluation.json), for the model page to show.

    `folder`: the run that was served when the evaluation began (resolved before
    the minutes of fitting, so a switch meanwhile cannot misplace the figures).
    Written whole to a temporary file and renamed, so the page never reads
    half a file; the run's manifest lists only what training wrote, so the
    run stays valid with or without it.
    """
    folder = folder or served_run_folder()
    body = {"heading": evaluation.heading.strip(), "k": evaluation.k,
            "results": [{"protocol": r.protocol, "method": r.name, "description": r.description,
                         "metrics": {key: float(value) for key, value in r.metrics.items()}}
                        for r in evaluation.results]}
    target = folder / EVALUATION_FILE
    partial = folder / f".{EVALUATION_FILE}.partial"
    partial.write_text(json.dumps(body, indent=1), encoding="utf-8")
    os.replace(partial, target)
    return target


def evaluation_docs_write(evaluation: Evaluation) -> Path:
    """The table into docs/benchmarks.md (between its evaluate markers), the chart beside it."""
    root = Path(settings.BASE_DIR)
    bar_chart(evaluation.results, root / "docs" / "img" / "evaluation.png", evaluation.k)
    benchmarks = root / "docs" / "benchmarks.md"
    text = benchmarks.read_text(encoding="utf-8") if benchmarks.exists() else "# Benchmarks\n"
    body = evaluation.heading + evaluation.table + "\n![NDCG, HR and RMSE per method](img/evaluation.png)\n"
    benchmarks.write_text(replace_section(text, DOCS_SECTION, body), encoding="utf-8")
    return benchmarks


def _data(dataset: Path | None):
    if dataset is not None:
        from ..recommend.data.dataset import frames_from_movielens
        from ..recommend.data.movielens import read_dataset

        try:
            ratings, movies, users = frames_from_movielens(read_dataset(dataset))
        except (DatasetFormatError, UnknownFormatError, OSError) as exc:
            raise EvaluationError(str(exc)) from exc
        source = dataset.name
    else:
        from .training import dataset_frames

        ratings, movies, users = dataset_frames()
        source = "the database"
    if ratings.empty:
        raise EvaluationError("No ratings to evaluate on: run import_movielens first, or pass --dataset.")
    return ratings, movies, users, source
