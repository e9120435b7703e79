"""Concurrent password guesses: how many does each sign-in lock let through to a password check?

    python -m bench.bench_signin_race [--guesses 40]

Both locks allow 5 failures per account. N threads send a wrong password for
one account at the same moment (a barrier), each on its own connection to a
real SQLite file, and the script counts the calls to `check_password`:

- this project's backend (`re_sys/auth_backends.py`): each attempt is reserved
  in a locked row before its password is checked;
- django-axes 8.3.1 (`pip install -r requirements-bench.txt`), as its docs set
  it up: `AxesStandaloneBackend` before `ModelBackend`, `AXES_FAILURE_LIMIT = 5`.

Why the project does not use django-axes: its count is read before and
written after the password check, so guesses that arrive together are all
checked (docs/security.md).
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import ROOT

RACE = r"""
import sys, threading, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth import authenticate, get_user_model
from django.db import connection
from django.test import RequestFactory
User = get_user_model()
User.objects.create_user("ann", password="correct-horse-battery-9")
checked, lock = [0], threading.Lock()
real = User.check_password
def counting(self, raw):
    with lock:
        checked[0] += 1
    return real(self, raw)
User.check_password = counting
n = int(sys.argv[1])
start = threading.Barrier(n)
def guess(i):
    request = RequestFactory().post("/login/", REMOTE_ADDR="203.0.113.9")
    start.wait()
    try:
        authenticate(request, username="ann", password=f"wrong-{i}")
    finally:
        connection.close()
threads = [threading.Thread(target=guess, args=(i,)) for i in range(n)]
for t in threads: t.start()
for t in threads: t.join()
print(checked[0])
"""

AXES_SETTINGS = """
SECRET_KEY = "bench-" * 10
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "axes"]
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
DATABASES = {{"default": {{"ENGINE": "django.db.backends.sqlite3", "NAME": "{db}",
                         "OPTIONS": {{"timeout": 20, "transaction_mode": "IMMEDIATE"}}}}}}
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = ["username"]
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
LOGGING = {{"version": 1, "loggers": {{"axes": {{"level": "ERROR"}}}}}}
"""


def _checked(env: dict, guesses: int) -> int:
    done = subprocess.run([sys.executable, "-c", RACE, str(guesses)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)
    if done.returncode:
        raise SystemExit(done.stderr[-2000:])
    return int(done.stdout.split()[-1])


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--guesses", type=int, default=40)
    args = parser.parse_args()
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        ours = base | {"DJANGO_SETTINGS_MODULE": "dl_re_web.settings", "DATABASE_URL": f"sqlite:///{tmp}/ours.sqlite3",
                       "RE_SYS_MODEL_DIR": f"{tmp}/model"}
        rows.append(("this project (re_sys/auth_backends.py)", _checked(ours, args.guesses)))
        try:
            import axes  # noqa: F401
        except ImportError:
            rows.append(("django-axes", "not installed: pip install -r requirements-bench.txt"))
        else:
            (Path(tmp) / "axes_bench_settings.py").write_text(AXES_SETTINGS.format(db=f"{tmp}/axes.sqlite3"))
            path = os.pathsep.join(p for p in (tmp, str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
            theirs = base | {"DJANGO_SETTINGS_MODULE": "axes_bench_settings", "PYTHONPATH": path}
            rows.append(("django-axes 8.3.1 (AxesStandaloneBackend)", _checked(theirs, args.guesses)))
    print(f"\n{args.guesses} wrong passwords at once for one account, a limit of 5 failures\n")
    print("| lock | passwords checked |\n|---|---|")
    for name, checked in rows:
        print(f"| {name} | {checked} |")


if __name__ == "__main__":
    main()
