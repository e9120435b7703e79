"""Faults answered cleanly: a database that refuses writes or stays locked, a run file damaged
while served, a training killed outright, a model missing. Never a 500, never a late write."""
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from re_sys.models import Movie, Rating, Viewer
from re_sys.recommend.serving import runs
from re_sys.recommend.serving.runs import MANIFEST, Run, RunError, manifest_write
from re_sys.recommend.serving.runs import switch_current
from re_sys.services import recommending
from tests.recommend.fake_run import two_kinds_run, with_item_channel
from tests.sqlite_site import sqlite_site_env

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-battery-9"


# ------------------------------------------------------------------ a read-only database


def _read_only(on: bool) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA query_only = {'ON' if on else 'OFF'}")
        else:  # PostgreSQL: every later transaction of this session
            cursor.execute(f"SET default_transaction_read_only = {'on' if on else 'off'}")


@pytest.fixture
def read_only_site(transactional_db):
    Movie.objects.create(id=1, title="Heat", year=1995)
    user = get_user_model().objects.create_user("ann", password=PASSWORD)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    client.get("/")  # the session and its CSRF cookie exist before the database turns read-only
    _read_only(True)
    yield client
    _read_only(False)


def test_a_read_only_database_answers_503_in_the_apis_shape(read_only_site):
    response = read_only_site.post("/api/ratings", json.dumps({"movie_id": 1, "stars": 4}),
                                   content_type="application/json",
                                   HTTP_X_CSRFTOKEN=read_only_site.cookies["csrftoken"].value)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "database_unavailable"
    _read_only(False)
    assert not Rating.objects.exists()


@pytest.mark.parametrize("url, data", [
    ("/movies/1/rate/", {"stars": "4"}),
    ("/accounts/login/", {"username": "ann", "password": PASSWORD}),
    ("/accounts/signup/", {"username": "bea", "password1": PASSWORD, "password2": PASSWORD}),
])
def test_a_read_only_database_gives_the_sites_503_page(read_only_site, url, data):
    anonymous = Client(raise_request_exception=False)
    client = anonymous if "accounts" in url else read_only_site
    response = client.post(url, data)
    assert response.status_code == 503, response.content[:300]
    body = response.content.decode()
    assert "Back in a moment" in body and "Traceback" not in body and "/work" not in body
    assert response["Retry-After"]


# ------------------------------------------------------------------ a locked SQLite file


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="SQLite's lock")
def test_a_rating_that_meets_a_lock_held_too_long_fails_in_time_and_never_lands_later(tmp_path):
    """The lock is held past the write deadline: the client hears 503 well inside gunicorn's 30 s,
    and when the lock is released nothing of that rating appears."""
    env = sqlite_site_env(tmp_path)
    db_file = tmp_path / "site.sqlite3"
    setup = ("import django; django.setup()\n"
             "from django.contrib.auth import get_user_model\n"
             "from re_sys.models import Movie\n"
             "from re_sys.services.ratings import viewer_for_user\n"
             "Movie.objects.create(id=1, title='Heat')\n"
             "viewer_for_user(get_user_model().objects.create_user('ann', password='x'))\n")
    subprocess.run([sys.executable, "-c", setup], env=env, check=True, cwd=ROOT, timeout=60)
    script = ("import json, time, django; django.setup()\n"
              "from django.conf import settings; settings.ALLOWED_HOSTS = ['testserver']\n"
              "from django.contrib.auth import get_user_model\n"
              "from django.test import Client\n"
              "client = Client(raise_request_exception=False)\n"
              "client.force_login(get_user_model().objects.get(username='ann'))\n"
              "print('ready', flush=True); input()\n"
              "started = time.monotonic()\n"
              "answer = client.post('/api/ratings', json.dumps({'movie_id': 1, 'stars': 4.5}),"
              " content_type='application/json')\n"
              "print(answer.status_code, round(time.monotonic() - started, 1), answer.json()['error']['code'])\n")
    process = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, text=True, env=env,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout.readline().strip() == "ready"
    locker = sqlite3.connect(db_file, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")  # held for longer than any write may wait
    try:
        out, err = process.communicate("\n", timeout=60)
    finally:
        locker.execute("COMMIT")
        locker.close()
    status, seconds, code = out.split()
    assert (status, code) == ("503", "database_unavailable"), err[-1500:]
    assert float(seconds) < 20  # gunicorn gives a request 30 s
    time.sleep(1)
    with sqlite3.connect(db_file) as con:
        assert con.execute("SELECT COUNT(*) FROM re_sys_rating").fetchone() == (0,)


# ------------------------------------------------------------------ served runs


@pytest.fixture
def run_with_channel(tmp_path):
    run = two_kinds_run(tmp_path / "model" / "runs" / "r")
    with_item_channel(run, np.eye(10) * 0.5 + 0.05, np.arange(10, dtype=np.float32))
    manifest_write(run)
    return run


def test_a_run_file_truncated_while_served_keeps_the_answers(run_with_channel):
    """The arrays are read into memory: truncating the file under a worker cannot SIGBUS it."""
    loaded = Run.load(run_with_channel)
    os.truncate(run_with_channel / "item_weights.npy", 100)
    assert float(np.asarray(loaded.item_weights).sum()) == pytest.approx(10 * 0.55 + 90 * 0.05)


@pytest.mark.parametrize("damage, words", [
    (lambda f: os.truncate(f, f.stat().st_size - 8), "bytes, the run wrote"),
    (lambda f: f.write_bytes(f.read_bytes()[:-4] + b"\x00\x00\x80\x7f"), "checksum changed"),
    (lambda f: f.unlink(), "is missing"),
])
def test_a_damaged_run_file_is_reported_at_load(run_with_channel, damage, words):
    damage(run_with_channel / "item_weights.npy")
    with pytest.raises(RunError, match=words):
        Run.load(run_with_channel)


def test_a_run_written_before_manifests_still_loads(run_with_channel):
    (run_with_channel / MANIFEST).unlink()
    assert Run.load(run_with_channel).item_weights.shape == (10, 10)


def test_the_writer_publishes_a_manifest_of_every_file(tmp_path):
    with runs.new_run_folder(tmp_path / "runs") as (scratch, run_id):
        np.save(scratch / "user_ids.npy", np.arange(3))
        (scratch / "config.json").write_text("{}")
    files = json.loads((tmp_path / "runs" / run_id / MANIFEST).read_text())["files"]
    assert sorted(files) == ["config.json", "user_ids.npy"]  # and no owner file left behind
    assert files["config.json"]["size"] == 2


def test_stale_partial_folders_of_dead_trainings_are_removed(tmp_path):
    runs_dir = tmp_path / "runs"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    for name, owner in ((".dead.partial", f"{os.uname().nodename} {dead.pid}"),
                        (".live.partial", f"{os.uname().nodename} {os.getpid()}"),
                        (".elsewhere.partial", f"another-host {os.getpid()}")):
        (runs_dir / name).mkdir(parents=True)
        (runs_dir / name / runs.PARTIAL_OWNER).write_text(owner)
    old = runs_dir / ".ownerless.partial"
    old.mkdir()
    os.utime(old, (time.time() - 2 * runs.PARTIAL_MAX_AGE_S,) * 2)
    (runs_dir / ".fresh-ownerless.partial").mkdir()
    with runs.new_run_folder(runs_dir) as (_scratch, run_id):
        pass
    assert sorted(p.name for p in runs_dir.iterdir()) == sorted(
        [".elsewhere.partial", ".fresh-ownerless.partial", ".live.partial", run_id])


# ------------------------------------------------------------------ no model


@pytest.fixture
def broken_model(settings, db):
    recommending._store.cache_clear()
    Movie.objects.create(id=1, title="Heat")
    Viewer.objects.create(id=1)
    run = two_kinds_run(settings.RE_SYS_MODEL_DIR / "runs" / "r")
    (run / "movie_features.npy").unlink()
    switch_current(settings.RE_SYS_MODEL_DIR, run)
    yield str(settings.RE_SYS_MODEL_DIR)
    recommending._store.cache_clear()


def test_no_model_says_what_happened_in_words_and_the_path_only_to_staff(broken_model, client):
    for url in ("/api/movies/1/similar", "/api/movies/1/prediction?user=1"):
        body = client.get(url).json()["error"]
        assert body["code"] == "no_model" and broken_model not in body["message"]
        assert "movie_features" not in body["message"] and "No trained model" in body["message"]
    staff = Client()
    staff.force_login(get_user_model().objects.create_user("root", password=PASSWORD, is_staff=True))
    assert "movie_features.npy is missing" in staff.get("/api/movies/1/similar").json()["error"]["message"]
