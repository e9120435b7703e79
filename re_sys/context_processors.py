"""Template context every page shares."""
from django.utils.functional import SimpleLazyObject

from .services import recommending


def served_model(request):
    """Whether personal recommendations are being served, for the banner in base.html.

    The reason (it names files on the server) is for staff only. Lazy, so a
    page that never shows the banner never touches the model store.
    """
    def problem():
        error = recommending.model_error()
        if error is None:
            return ""
        user = getattr(request, "user", None)
        return error if user is not None and user.is_staff else "unavailable"
    def run_id():
        engine = recommending.engine_current()
        return engine.run.run_id if engine is not None else ""
    return {"model_problem": SimpleLazyObject(problem), "served_run": SimpleLazyObject(run_id)}


def demo(request):
    """Demo mode and the MovieLens user being browsed as, for the header."""
    from django.conf import settings

    if not settings.RE_SYS_DEMO:
        return {"demo_mode": False}
    session = getattr(request, "session", None)
    return {"demo_mode": True, "demo_viewer_id": session.get("demo_viewer") if session is not None else None}
