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


def model_runs(request):
    runs = run_service.run_infos()
    for run in runs:
        run.chart = run_service.loss_chart(run.curve("rmse"), run.curve("val_rmse"))
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
