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
    """Demo mode, the MovieLens user being browsed as, and whether cards carry the member's controls."""
    from django.conf import settings

    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    if not settings.RE_SYS_DEMO:
        return {"demo_mode": False, "card_controls": signed_in}
    session = getattr(request, "session", None)
    browsing_as = session.get("demo_viewer") if session is not None else None
    # Stars and buttons write to the member's own account: not shown while the page shows someone else.
    return {"demo_mode": True, "demo_viewer_id": browsing_as, "card_controls": signed_in and browsing_as is None}


def dataset(request):
    """The dataset's name for the footer ("MovieLens 100K"); lazy, one query where shown."""
    def title():
        from .services.selectors import dataset_current

        current = dataset_current()
        return current.title if current is not None else ""
    return {"dataset_title": SimpleLazyObject(title)}
