"""Error pages: the 400 says what was wrong; a database that cannot answer is a 503, not a 500.

Both speak JSON under /api/ (the API's one error shape) and say what happened
in words, never a path or a traceback; the detail goes to the log for staff.
"""
import sys

from django.db import DataError, InterfaceError, InternalError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader


class BadValue(Exception):
    pass


def bad_request(request, exception=None):
    reason = str(exception) if exception is not None and exception.args else ""
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": "bad_request",
                                       "message": reason or "The request could not be understood."}}, status=400)
    return render(request, "400.html", {"reason": reason}, status=400)


# A database that cannot answer: gone, locked, or refusing writes (PostgreSQL's read-only
# transaction is an InternalError). Other database errors are faults of ours or of the input.
UNAVAILABLE = (OperationalError, InterfaceError, InternalError)


def server_error(request):
    """handler500: Django calls it inside the `except` that caught the fault, so exc_info is it."""
    fault = sys.exc_info()[1]
    if isinstance(fault, DataError):  # a value the database refuses (PostgreSQL: a NUL in text)
        return bad_request(request, exception=BadValue("A value in the request cannot be stored or searched."))
    unavailable = isinstance(fault, UNAVAILABLE)
    status = 503 if unavailable else 500
    if request.path.startswith("/api/"):
        code, message = ("database_unavailable", "The site cannot reach its database just now; nothing "
                         "was changed. Try again in a minute.") if unavailable else \
            ("server_error", "Something went wrong on our side; it was logged.")
        return JsonResponse({"error": {"code": code, "message": message}}, status=status)
    # Rendered without the request: its context (the account, the session) may be what failed.
    page = loader.get_template("503.html" if unavailable else "500.html").render({})
    response = HttpResponse(page, status=status)
    if unavailable:
        response["Retry-After"] = "60"
    return response
