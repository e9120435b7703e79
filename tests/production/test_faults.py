"""Faults a running site meets: a damaged model, an interrupted import or training, a full
disk, a locked SQLite file, an unreachable Douban. Each leaves served data as it was."""
import errno
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from re_sys.recommend.data.synthetic import write_ml1m
from re_sys.models import Movie, Rating, Viewer
from re_sys.recommend.textcnn import training
from re_sys.recommend.serving.runs import manifest_write, switch_current
from re_sys.services import ratings as rating_service
from re_sys.services import recommending
from re_sys.services.importing import movie_stats_refresh
from tests.datasets import write_ml100k
from tests.recommend.fake_run import two_kinds_run

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def catalogue(db):
    recommending._store.cache_clear()
    Movie.objects.bulk_create([Movie(id=m, title=f"Film {m}") for m in range(1, 11)])
    Viewer.objects.bulk_create([Viewer(id=v) for v in (1, 2, 3)])
    Rating.objects.bulk_create([Rating(viewer_id=v, movie_id=m, stars=s, timestamp=1) for v, m, s in
                                [(1, 1, 5), (2, 1, 4.5), (2, 3, 5), (3, 1, 4), (3, 5, 4.5)]])
    movie_stats_refresh()
    yield
    recommending._store.cache_clear()


DAMAGES = {
    "a feature file missing": (lambda run: (run / "movie_features.npy").unlink(), "is missing"),
    "a truncated matrix": (lambda run: (run / "user_features.npy").write_bytes(
        (run / "user_features.npy").read_bytes()[:70]), "damaged"),
    # A run another version wrote: whole and stamped, in a format this one does not read.
    "an incompatible format": (lambda run: ((run / "config.json").write_text('{"format": 99}'), manifest_write(run)),
                               "run format 99"),
    "current pointing at nothing": (lambda run: __import__("shutil").rmtree(run), "not a trained run"),
}


@pytest.mark.parametrize("damage", DAMAGES, ids=list(DAMAGES))
def test_a_damaged_model_never_breaks_a_page(damage, catalogue, settings, caplog):
    run = two_kinds_run(settings.RE_SYS_MODEL_DIR / "runs" / "r1")
    switch_current(settings.RE_SYS_MODEL_DIR, run)
    spoil, message = DAMAGES[damage]
    spoil(run)
    caplog.set_level(logging.ERROR, logger="re_sys.recommend.serving.store")

    visitor = Client()
    member = Client()
    member.force_login(get_user_model().objects.create_user("ann", password="pw-long-enough-1"))
    for client in (visitor, member):
        for url in ("/", "/movies/1/", "/for-you/", "/search/?q=Film", "/genres/Drama/"):
            response = client.get(url)
            assert response.status_code in (200, 404), (url, response.status_code)
        page = client.get("/").content.decode()
        assert "Personal recommendations are unavailable right now" in page
        assert str(settings.RE_SYS_MODEL_DIR) not in page  # server paths stay private
    body = visitor.get("/api/users/1/recommendations?k=3").json()
    assert body["fallback"] is True and body["results"]
    assert visitor.get("/api/movies/1/also-liked?k=3").status_code == 200
    assert visitor.get("/api/movies/popular?k=3").status_code == 200
    assert visitor.get("/api/movies/1/similar").status_code == 503

    staff = Client()
    staff.force_login(get_user_model().objects.create_superuser("root", "r@x.org", "pw-long-enough-2"))
    admin_page = staff.get("/admin/").content.decode()
    assert "Not serving a model" in admin_page and message in admin_page
    logged = [r for r in caplog.records if r.name == "re_sys.recommend.serving.store"]
    assert len(logged) == 1 and message in logged[0].getMessage()  # once, not per request


def test_admin_names_the_run_being_served(catalogue, settings, admin_client):
    switch_current(settings.RE_SYS_MODEL_DIR, two_kinds_run(settings.RE_SYS_MODEL_DIR / "runs" / "r7"))
    page = admin_client.get("/admin/").content.decode()
    assert "Serving run <code>r7</code>" in page
    assert "Personal recommendations are unavailable" not in admin_client.get("/").content.decode()


def test_a_full_disk_while_writing_a_run_keeps_the_served_run(tmp_path, monkeypatch):
    model_dir = tmp_path / "model"
    served = two_kinds_run(model_dir / "runs" / "served")
    switch_current(model_dir, served)

    real_save = np.save

    def save_until_the_disk_fills(path, array, *args, **kwargs):
        if "movie_features" in str(path):
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real_save(path, array, *args, **kwargs)

    monkeypatch.setattr(training.np, "save", save_until_the_disk_fills)
    from re_sys.recommend.textcnn.config import TrainConfig
    from re_sys.recommend.data.dataset import DataSet
    from tests.recommend.planted import planted_frames
    from tests.recommend.textcnn.test_training import SMALL
    with pytest.raises(OSError, match="No space left on device"):
        training.train_and_export(DataSet.from_frames(*planted_frames()), model_dir, model_config=SMALL,
                                  train_config=TrainConfig(epochs=1, batch_size=256, refit=False))
    assert os.readlink(model_dir / "current") == os.path.join("runs", "served")
    assert sorted(p.name for p in (model_dir / "runs").iterdir()) == ["served"]  # no half run left


def test_train_command_reports_a_full_disk_clearly(tmp_path, monkeypatch, db):
    from django.core.management import CommandError, call_command

    from re_sys.management.commands import train as train_command

    def full(**kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "model"))

    monkeypatch.setattr(train_command, "model_train", full)
    with pytest.raises(CommandError, match="No space left on device.*still serves"):
        call_command("train", "--epochs", "1")


def test_an_import_killed_half_way_leaves_the_database_as_it_was(tmp_path):
    """A real SIGKILL in the middle of writing ratings, on a real SQLite file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env |= {"DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
            "RE_SYS_MODEL_DIR": str(tmp_path / "model"), "PYTHONUNBUFFERED": "1"}
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run(manage + ["migrate", "-v", "0"], env=env, check=True, cwd=ROOT, timeout=120)
    subprocess.run(manage + ["import_movielens", str(write_ml100k(tmp_path / "small"))],
                   env=env, check=True, cwd=ROOT, timeout=120, capture_output=True)
    before = _counts(tmp_path / "site.sqlite3")

    big = write_ml1m(tmp_path / "big", n_users=2000, n_movies=800, n_ratings=400_000)
    process = subprocess.Popen(manage + ["import_movielens", "--replace", str(big)], env=env, cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for line in process.stdout:  # killed once the first 100,000 ratings are written
            if "100,000 / 400,000 ratings" in line:
                process.send_signal(signal.SIGKILL)
                break
        process.wait(timeout=120)
    finally:
        process.kill()
    assert process.returncode == -signal.SIGKILL
    assert _counts(tmp_path / "site.sqlite3") == before


def _counts(path: Path) -> dict:
    with sqlite3.connect(path) as con:
        return {table: con.execute(f"SELECT COUNT(*), COALESCE(SUM(id), 0) FROM {table}").fetchone()
                for table in ("re_sys_movie", "re_sys_viewer", "re_sys_rating", "re_sys_datasetimport")}


@pytest.mark.django_db(transaction=True)
def test_concurrent_ratings_of_one_movie_leave_one_row():
    """Many threads rate the same movie for the same viewer at once: one row, no error."""
    movie = Movie.objects.create(id=1, title="Heat")
    viewer = Viewer.objects.create(id=1)
    errors, barrier = [], threading.Barrier(8)

    def rate(stars):
        from django.db import connection
        try:
            barrier.wait()
            rating_service.rating_set(viewer=viewer, movie=movie, stars=stars)
        except Exception as exc:  # noqa: BLE001 - the assertion reports it
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=rate, args=(0.5 + i * 0.5,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Rating.objects.filter(viewer=viewer, movie=movie).count() == 1
    movie.refresh_from_db()
    assert movie.rating_count == 1


def test_a_locked_sqlite_file_delays_a_rating_instead_of_losing_it(tmp_path):
    """Another process holds the write lock for a while; the site's rating waits and lands."""
    db_file = tmp_path / "site.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env |= {"DATABASE_URL": f"sqlite:///{db_file}", "RE_SYS_MODEL_DIR": str(tmp_path / "model")}
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run(manage + ["migrate", "-v", "0"], env=env, check=True, cwd=ROOT, timeout=120)
    django_env = env | {"DJANGO_SETTINGS_MODULE": "dl_re_web.settings"}
    subprocess.run([sys.executable, "-c", "import django; django.setup()\n"
                    "from re_sys.models import Movie, Viewer\n"
                    "Movie.objects.create(id=1, title='Heat'); Viewer.objects.create(id=1)"],
                   env=django_env, check=True, cwd=ROOT, timeout=60)
    locker = sqlite3.connect(db_file, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")  # hold the write lock
    script = ("import django; django.setup()\n"
              "from re_sys.models import Movie, Viewer\n"
              "from re_sys.services.ratings import rating_set\n"
              "rating_set(viewer=Viewer.objects.get(id=1), movie=Movie.objects.get(id=1), stars=4.5)\n"
              "print('rated')\n")
    process = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, text=True,
                               env=django_env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(3)  # the writer is now waiting on the lock
    assert process.poll() is None
    locker.execute("COMMIT")
    locker.close()
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    with sqlite3.connect(db_file) as con:
        assert con.execute("SELECT stars FROM re_sys_rating").fetchall() == [(4.5,)]


def test_douban_being_unreachable_touches_no_page(catalogue, settings, client, monkeypatch):
    settings.DOUBAN_BASE_URL = "http://127.0.0.1:9"  # nothing listens there
    import requests

    def no_network(*args, **kwargs):
        raise AssertionError("a page tried to reach Douban")

    monkeypatch.setattr(requests.Session, "request", no_network)
    for url in ("/", "/movies/1/", "/movies/1/poster.svg", "/search/?q=film", "/for-you/"):
        assert client.get(url).status_code == 200, url
