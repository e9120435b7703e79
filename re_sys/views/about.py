"""About the data and the model: the insights page and the model page."""
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..services import insights as insight_service
from ..services import model_runs as run_service


def insights(request):
    return render(request, "re_sys/insights.html", {"data": insight_service.dataset_insights()})


def _polyline(values: list[float], lo: float, hi: float, width: int = 320, height: int = 160) -> str:
    """SVG polyline points for a curve, epochs spread over the width, lo..hi over the height."""
    if not values:
        return ""
    span = (hi - lo) or 1.0
    step = width / max(len(values) - 1, 1)
    return " ".join(f"{i * step:.1f},{height - (v - lo) / span * height:.1f}" for i, v in enumerate(values))


def model_runs(request):
    runs = run_service.run_infos()
    for run in runs:
        train, valid = run.curve("rmse"), run.curve("val_rmse")
        both = train + valid
        lo, hi = (min(both), max(both)) if both else (0.0, 1.0)
        run.chart = {"train": _polyline(train, lo, hi), "valid": _polyline(valid, lo, hi),
                     "lo": lo, "hi": hi, "epochs": max(len(train), len(valid))}
    current = next((r for r in runs if r.current), None)
    return render(request, "re_sys/model.html", {"runs": runs, "current": current})


@staff_member_required
@require_POST
def model_switch(request):
    try:
        run = run_service.run_switch(request.POST.get("run", ""))
    except run_service.UnknownRun as exc:
        messages.error(request, str(exc))
        return render(request, "re_sys/model.html", {"runs": run_service.run_infos()}, status=400)
    messages.success(request, _("Now serving run %(run)s.") % {"run": run.run_id})
    return redirect("re_sys:model")
