"""A migrated SQLite file for tests that need real processes or threads on one database.

The test database is in memory and private to the test's own connection;
these tests run a child Python against a file instead, as gunicorn's workers
share one.
"""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def sqlite_site_env(folder: Path) -> dict:
    """The environment of a child process using `folder/site.sqlite3`, migrated; the file is env's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env |= {"DATABASE_URL": f"sqlite:///{folder / 'site.sqlite3'}", "RE_SYS_MODEL_DIR": str(folder / "model"),
            "DJANGO_SETTINGS_MODULE": "dl_re_web.settings"}
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v", "0"], env=env, check=True,
                   cwd=ROOT, timeout=120)
    return env
