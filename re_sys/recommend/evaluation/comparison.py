"""Every method on every protocol in one run, and the report: a Markdown table and a bar chart."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import pandas as pd

from ..algorithms.base import Interactions
from .new_movies import NEW_MOVIE_METHODS, time_new_movie_model
from .protocols import PROTOCOLS, Result, split_for, time_rating_model, time_ranker
from .rankers import NEW_VIEWER_RANKERS, RANKERS, served_stars
from .rating_models import RATING_MODELS
from .registry import RankerInputs, Registry

__all__ = ["METHODS", "compare", "markdown_table", "methods_for", "replace_section", "bar_chart"]

# Which methods each protocol can score.
METHODS: dict[str, Registry] = {
    "user-split": RANKERS,
    "leave-last-out": RANKERS,
    "new-viewers": NEW_VIEWER_RANKERS,
    "holdout": RATING_MODELS,
    "new-movies": NEW_MOVIE_METHODS,
}


def methods_for(protocol: str, names: Iterable[str] | None) -> list[str]:
    """The methods to run on `protocol`: all but the on-request ones, or those of `names` it can score."""
    available = METHODS[protocol]
    if names is None:
        return [n for n, method in available.items() if not method.on_request]
    return [n for n in names if n in available]


def compare(ratings: pd.DataFrame, movies: pd.DataFrame, users: pd.DataFrame, *,
            protocols: Iterable[str] = PROTOCOLS, names: Iterable[str] | None = None, k: int = 10,
            seed: int = 0, search: bool = False, log: Callable[[str], None] | None = None) -> list[Result]:
    """Fit and score each method on each protocol's split (the same split for every method)."""
    data = Interactions.from_frame(ratings)
    names = list(names) if names is not None else None
    results = []
    for protocol in protocols:
        train, test = split_for(protocol, data, seed)
        inputs = RankerInputs(train, movies, users, seed, search=search, log=log)
        measures = _ranking_measures(protocol, inputs) if protocol not in ("holdout", "new-movies") else {}
        for name in methods_for(protocol, names):
            method = METHODS[protocol][name]
            build = method.build
            if protocol == "new-movies":
                result = time_new_movie_model(protocol, name, method.description, lambda: build(inputs), test, k,
                                              seed)
            elif protocol == "holdout":
                result = time_rating_model(protocol, name, method.description, lambda: build(inputs), test)
            else:
                result = time_ranker(protocol, name, method.description, lambda: build(inputs), test, k,
                                     **measures)
            results.append(result)
            if log:
                figures = ", ".join(f"{key} {value:.4f}" for key, value in result.metrics.items())
                log(f"{protocol:15} {name:12} {figures}  (fit {result.fit_seconds:.1f} s, "
                    f"answer {result.predict_seconds:.1f} s)")
    return results


def _ranking_measures(protocol: str, inputs: RankerInputs) -> dict:
    """What every ranker of a ranking protocol is judged with: the catalogue size, and the served
    rating model's stars (for contradiction@k) where viewers have training ratings to predict from.

    The judge is the run the site would serve from these training ratings, text-CNN included;
    it is fitted here, once, so no ranker's fit time carries it.
    """
    measures = {"n_items": len(np.unique(inputs.train.movie_ids))}
    if protocol != "new-viewers":
        measures["predicted"] = served_stars(inputs)
    return measures


RANKING_COLUMNS = ("precision", "recall", "ndcg", "map", "hit_rate", "liked_ndcg", "liked_precision", "disliked",
                   "contradiction", "coverage")


def _figure(metrics: dict[str, float], key: str) -> str:
    """A table cell: the figure, or a dash where the protocol cannot measure it (no judge for new viewers)."""
    return f"{metrics[key]:.4f}" if key in metrics else "–"


def markdown_table(results: list[Result], k: int) -> str:
    """One table per kind of protocol: ranking metrics, RMSE and MAE, or both for new films."""
    lines = []
    ranking = [r for r in results if r.protocol not in ("holdout", "new-movies")]
    rating = [r for r in results if r.protocol == "holdout"]
    new = [r for r in results if r.protocol == "new-movies"]
    if ranking:
        lines += [f"| protocol | method | P@{k} | R@{k} | NDCG@{k} | MAP@{k} | HR@{k} | liked-NDCG@{k} | "
                  f"liked-P@{k} | disliked@{k} | contradiction@{k} | coverage@{k} | fit | answer all |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in ranking:
            figures = " | ".join(_figure(r.metrics, f"{name}@{k}") for name in RANKING_COLUMNS)
            lines.append(f"| {r.protocol} | {r.name} ({r.description}) | {figures} | "
                         f"{r.fit_seconds:.1f} s | {r.predict_seconds:.1f} s |")
    if rating:
        if lines:
            lines.append("")
        lines += ["| protocol | method | RMSE | MAE | fit | predict |", "|---|---|---|---|---|---|"]
        for r in rating:
            lines.append(f"| {r.protocol} | {r.name} ({r.description}) | {r.metrics['rmse']:.4f} | "
                         f"{r.metrics['mae']:.4f} | {r.fit_seconds:.1f} s | {r.predict_seconds:.2f} s |")
    if new:
        if lines:
            lines.append("")
        lines += [f"| protocol | method | RMSE | MAE | NDCG@{k} | liked-NDCG@{k} | HR@{k} | fit | answer |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for r in new:
            figures = " | ".join(_figure(r.metrics, key) for key in
                                 ("rmse", "mae", f"ndcg@{k}", f"liked_ndcg@{k}", f"hit_rate@{k}"))
            lines.append(f"| {r.protocol} | {r.name} ({r.description}) | {figures} | "
                         f"{r.fit_seconds:.1f} s | {r.predict_seconds:.2f} s |")
    return "\n".join(lines) + "\n"


def replace_section(document: str, name: str, body: str) -> str:
    """`document` with the text between `<!-- name:start -->` and `<!-- name:end -->` replaced.

    The markers are appended when absent, so the rest of a hand-written file is never touched.
    """
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{body.rstrip()}\n{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(document):
        return pattern.sub(lambda _m: block, document, count=1)
    return document.rstrip("\n") + "\n\n" + block + "\n"


def bar_chart(results: list[Result], path: Path, k: int) -> None:
    """One panel per protocol: NDCG@k (HR@k for leave-last-out) or RMSE per method."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    protocols = list(dict.fromkeys(r.protocol for r in results))
    figure, axes = plt.subplots(1, len(protocols), figsize=(4.2 * len(protocols), 3.2), squeeze=False)
    for axis, protocol in zip(axes[0], protocols):
        rows = [r for r in results if r.protocol == protocol]
        metric = {"holdout": "rmse", "leave-last-out": f"hit_rate@{k}"}.get(protocol, f"ndcg@{k}")
        rows = [r for r in rows if metric in r.metrics]      # new films: the global mean ranks nothing
        axis.barh([r.name for r in rows], [r.metrics[metric] for r in rows], color="#3b6ea8")
        axis.invert_yaxis()
        label = "RMSE" if metric == "rmse" else metric.replace("hit_rate", "HR").replace("ndcg", "NDCG")
        axis.set_title(f"{protocol}: {label}")
        for i, r in enumerate(rows):
            axis.text(r.metrics[metric], i, f" {r.metrics[metric]:.3f}", va="center", fontsize=8)
        axis.margins(x=0.25)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=90)
    plt.close(figure)
