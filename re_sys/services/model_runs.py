"""The trained runs on disk, for the model page: what each was, and switching back to one.

Reads the JSON files each run writes (config, metrics, history); never loads
the arrays or TensorFlow.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from django.conf import settings

from ..recommend.serving.runs import RUN_FORMAT, Run, RunError, switch_current

__all__ = ["RunInfo", "UnknownRun", "loss_chart", "run_infos", "run_switch"]

RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,100}$")


# The figures the model page charts, higher is better for each; evaluate's table has the rest.
RANKING_FIGURES = (("ndcg", "NDCG"), ("liked_ndcg", "liked-NDCG"), ("hit_rate", "HR"))


class UnknownRun(LookupError):
    """No complete run by that id."""


@dataclass
class RunInfo:
    run_id: str
    path: Path
    config: dict = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)
    history: dict = field(default_factory=dict)
    evaluation: dict | None = None
    current: bool = False
    servable: bool = True

    @property
    def trained_at(self) -> str:
        return self.config.get("trained_at", "")

    @property
    def trained(self) -> datetime | None:
        """When it was trained, for the page to show in the visitor's language (None if unknown)."""
        try:
            moment = datetime.fromisoformat(self.trained_at) if self.trained_at else None
        except (TypeError, ValueError):
            return None
        return moment.replace(tzinfo=timezone.utc) if moment and moment.tzinfo is None else moment

    @property
    def n_ratings(self):
        return self.config.get("n_ratings")

    @property
    def ranking(self) -> list[dict]:
        """The ranking quality `evaluate --save-to-run` kept beside this run, per protocol, as bar charts:
        [{"protocol", "charts": [{"figure", "bars": [{"label", "value", "width"}]}]}]; [] without it."""
        results = (self.evaluation or {}).get("results")
        if not isinstance(results, list):
            return []
        k = (self.evaluation or {}).get("k", 10)
        protocols: dict[str, list[dict]] = {}
        for result in results:
            if isinstance(result, dict) and isinstance(result.get("metrics"), dict) \
                    and f"ndcg@{k}" in result["metrics"]:
                protocols.setdefault(str(result.get("protocol", "")), []).append(result)
        shown = []
        for protocol, rows in protocols.items():
            charts = []
            for key, label in RANKING_FIGURES:
                values = [(str(r.get("method", "")), float(r["metrics"][f"{key}@{k}"])) for r in rows
                          if f"{key}@{k}" in r["metrics"]]
                most = max((v for _m, v in values), default=0.0) or 1.0
                charts.append({"figure": f"{label}@{k}", "bars": [
                    {"label": method, "value": round(value, 3), "width": 100 * value / most}
                    for method, value in values]})
            shown.append({"protocol": protocol, "charts": charts})
        return shown

    @property
    def evaluation_table(self) -> dict:
        """An older run's flat evaluation.json (name -> value), shown as it is."""
        return {} if not self.evaluation or "results" in self.evaluation else self.evaluation

    def curve(self, key: str) -> list[float]:
        return [float(v) for v in self.history.get(key, [])]


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _model_dir() -> Path:
    return Path(settings.RE_SYS_MODEL_DIR)


def run_infos() -> list[RunInfo]:
    """Every complete run, newest first; the served one flagged `current`."""
    model_dir = _model_dir()
    try:
        current = (model_dir / "current").resolve(strict=True)
    except OSError:
        current = None
    infos = []
    runs_dir = model_dir / "runs"
    folders = sorted((p for p in runs_dir.iterdir() if p.is_dir() and not p.name.startswith(".")),
                     reverse=True) if runs_dir.is_dir() else []
    for folder in folders:
        config = _read_json(folder / "config.json")
        infos.append(RunInfo(
            run_id=folder.name, path=folder, config=config,
            metrics=_read_json(folder / "metrics.json"), history=_read_json(folder / "history.json"),
            evaluation=_read_json(folder / "evaluation.json") or None,
            current=folder.resolve() == current,
            servable=config.get("format") == RUN_FORMAT))
    return sorted(infos, key=lambda i: (i.trained_at, i.run_id), reverse=True)


def run_switch(run_id: str) -> RunInfo:
    """Serve an earlier run: checked to load, then `current` is switched atomically."""
    if not RUN_ID.match(run_id or ""):
        raise UnknownRun(f"{run_id!r} is not a run id.")
    folder = _model_dir() / "runs" / run_id
    if not folder.is_dir():
        raise UnknownRun(f"There is no run {run_id}.")
    try:
        Run.load(folder)
    except RunError as exc:
        raise UnknownRun(str(exc)) from None
    switch_current(_model_dir(), folder)
    return next(i for i in run_infos() if i.run_id == run_id)


def loss_chart(train: list[float], valid: list[float], width: int = 320, height: int = 160) -> dict:
    """The loss curves as SVG polylines in a `width`×`height` plot, with the axes' ticks:
    RMSE at the bottom, middle and top, and the first, middle and last epoch."""
    both = train + valid
    lo, hi = (min(both), max(both)) if both else (0.0, 1.0)
    span = (hi - lo) or 1.0
    epochs = max(len(train), len(valid))
    step = width / max(epochs - 1, 1)

    def points(values: list[float]) -> str:
        return " ".join(f"{i * step:.1f},{height - (v - lo) / span * height:.1f}" for i, v in enumerate(values))

    marks = sorted({1, (epochs + 1) // 2, epochs}) if epochs else []
    return {"train": points(train), "valid": points(valid), "lo": lo, "hi": hi, "epochs": epochs,
            "width": width, "height": height,
            "y_ticks": [{"y": round(height - f * height, 1), "label": f"{lo + f * span:.3f}"} for f in (0, .5, 1)],
            "x_ticks": [{"x": round((e - 1) * step, 1), "label": e} for e in marks]}
