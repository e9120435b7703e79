"""Production settings: each unsafe configuration refuses to start, with a message saying what to set."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 20 + "Zq8-vX2_pL9wR4tY6uI0oP3aS5dF7gH1"

PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({name: getattr(s, name, None) for name in (
    "DEBUG", "ALLOWED_HOSTS", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
    "SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER")} | {
    "static": s.STORAGES["staticfiles"]["BACKEND"],
    "formatter": s.LOGGING["handlers"]["console"]["formatter"],
    "middleware": s.MIDDLEWARE}))
"""


def settings_in(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    clean["DJANGO_SETTINGS_MODULE"] = "dl_re_web.settings"
    return subprocess.run([sys.executable, "-c", PRINT_SETTINGS], cwd=ROOT, env=clean | env,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("env, complaint", [
    ({"DJANGO_ENV": "production"}, "DJANGO_SECRET_KEY must be set"),
    ({"DJANGO_ENV": "production", "DJANGO_SECRET_KEY": "short"}, "too weak"),
    ({"DJANGO_ENV": "production", "DJANGO_SECRET_KEY": "dev-only-insecure-key-do-not-use-in-production"},
     "too weak"),
    ({"DJANGO_ENV": "production", "DJANGO_SECRET_KEY": GOOD_KEY}, "DJANGO_ALLOWED_HOSTS must list"),
    ({"DJANGO_ENV": "production", "DJANGO_SECRET_KEY": GOOD_KEY, "DJANGO_ALLOWED_HOSTS": "x.org",
      "DJANGO_DEBUG": "1"}, "DJANGO_DEBUG must be off"),
    ({"DJANGO_ENV": "staging"}, "DJANGO_ENV must be 'development' or 'production'"),
])
def test_unsafe_production_settings_refuse_to_start(env, complaint):
    result = settings_in(env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and complaint in result.stderr


def test_production_defaults_are_the_safe_ones():
    result = settings_in({"DJANGO_ENV": "production", "DJANGO_SECRET_KEY": GOOD_KEY,
                          "DJANGO_ALLOWED_HOSTS": "movies.example.org"})
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["DEBUG"] is False
    assert values["ALLOWED_HOSTS"] == ["movies.example.org"]
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SESSION_COOKIE_HTTPONLY"]
    assert values["SECURE_HSTS_SECONDS"] >= 31536000 and values["SECURE_SSL_REDIRECT"]
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert values["formatter"] == "json"
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in values["middleware"]


def test_plain_http_production_for_loopback_keeps_cookies_usable():
    result = settings_in({"DJANGO_ENV": "production", "DJANGO_SECRET_KEY": GOOD_KEY,
                          "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "DJANGO_HTTPS": "0"})
    values = json.loads(result.stdout)
    assert not values["SESSION_COOKIE_SECURE"] and not values["SECURE_HSTS_SECONDS"]


def test_development_runs_without_any_setting():
    values = json.loads(settings_in({}).stdout)
    assert values["DEBUG"] is True and values["formatter"] == "plain"
    assert "localhost" in values["ALLOWED_HOSTS"]


def test_json_log_lines_carry_the_extra_fields():
    import logging

    from dl_re_web.logging import JsonFormatter

    record = logging.LogRecord("re_sys", logging.WARNING, __file__, 1, "model %s unusable", ("r1",), None)
    record.run = "r1"
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "model r1 unusable" and line["level"] == "WARNING"
    assert line["run"] == "r1" and line["logger"] == "re_sys"
