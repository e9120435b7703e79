"""The README's run command serves the site as production does: its own error pages, static files
through WhiteNoise, gunicorn on 127.0.0.1, a secret key made once in the data folder.

`scripts/serve.sh` is the last step of `scripts/run.sh`; here it runs against a migrated SQLite file.
"""
import os
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.sqlite_site import ROOT, sqlite_site_env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


@pytest.fixture
def site(tmp_path):
    port = _free_port()
    env = sqlite_site_env(tmp_path) | {
        "RE_SYS_PYTHON": sys.executable, "RE_SYS_DATA_DIR": str(tmp_path / "data"), "RE_SYS_ADDR": f"127.0.0.1:{port}",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"), "GUNICORN_WORKERS": "1"}
    process = subprocess.Popen(["bash", str(ROOT / "scripts" / "serve.sh")], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                _get(base + "/")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(process.stdout.read().decode()) from None
                time.sleep(0.3)
        yield base, tmp_path
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_the_local_run_shows_the_sites_own_error_pages_never_a_traceback(site):
    base, _data = site
    status, body = _get(base + "/movies/999999/")
    assert status == 404 and "There is no such page." in body
    status, body = _get(base + "/?sort=bogus")
    assert status == 400 and "Unknown sort order" in body
    for page in (_get(base + "/movies/999999/")[1], body):
        assert "Traceback" not in page and "URLconf" not in page and "DEBUG = True" not in page


def test_the_local_run_serves_static_files_itself_and_keeps_its_secret_key(site):
    base, data = site
    home = _get(base + "/")[1]
    stylesheet = home.split('href="/static/', 1)[1].split('"', 1)[0]
    assert stylesheet != "re_sys/css/site.css", "hashed, cache-busted names, as in production"
    status, css = _get(base + "/static/" + stylesheet)
    assert status == 200 and "{" in css
    key = data / "data" / "secret_key"
    assert len(key.read_text().strip()) >= 50
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
