"""The 400 page, saying what was wrong (Django's own shows no reason)."""
from django.shortcuts import render


def bad_request(request, exception=None):
    reason = str(exception) if exception is not None and exception.args else ""
    return render(request, "400.html", {"reason": reason}, status=400)
