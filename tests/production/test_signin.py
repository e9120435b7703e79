"""The sign-in lock holds at every door, for every spelling of a name, and under concurrency."""
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from re_sys.models import SignInCounter
from re_sys.services import signin
from tests.sqlite_site import sqlite_site_env

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-battery-9"


@pytest.fixture
def admin_user():
    return get_user_model().objects.create_user("admin", password=PASSWORD, is_staff=True, is_superuser=True)


def _site(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def _admin(client, username, password):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


def test_the_admin_sign_in_is_locked_like_the_sites(client, admin_user):
    for _ in range(signin.USERNAME_LIMIT):
        assert _admin(client, "admin", "wrong").status_code == 200  # the admin shows its form again
    locked = _admin(client, "admin", PASSWORD)
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0
    assert "Too many failed sign-ins" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_both_doors_count_into_one_lock(client, admin_user):
    for door in (_site, _admin, _site, _admin, _site):
        door(client, "admin", "wrong")
    assert _site(client, "admin", PASSWORD).status_code == 429
    assert _admin(client, "admin", PASSWORD).status_code == 429


@pytest.mark.parametrize("spelling", ["ａdmin", "ADMIN", "Ａｄｍｉｎ", " admin"])
def test_a_look_alike_name_is_the_same_account_for_the_lock(client, admin_user, spelling):
    for _ in range(signin.USERNAME_LIMIT):
        _site(client, "admin", "wrong")
    assert _site(client, spelling, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("spelling", ["ａdmin", "ＡＤＭＩＮ", "ADMİN".replace("İ", "I")])
def test_the_lock_holds_for_look_alikes_at_a_door_that_does_not_normalise(admin_user, spelling):
    """`authenticate` called directly (a future door, a script) gets the raw spelling."""
    from django.contrib.auth import authenticate

    for _ in range(signin.USERNAME_LIMIT):
        assert authenticate(username="admin", password="wrong") is None
    assert authenticate(username=spelling, password=PASSWORD) is None
    assert SignInCounter.objects.get(key__startswith="user:").count == signin.USERNAME_LIMIT


@pytest.mark.parametrize("spelling", ["ａdmin", "ADMIN", "Ａｄｍｉｎ"])
def test_a_look_alike_name_signs_in_as_that_account(client, admin_user, spelling):
    assert _site(client, spelling, PASSWORD).status_code == 302
    assert int(client.session["_auth_user_id"]) == admin_user.pk


@pytest.mark.parametrize("spelling", ["Ａnn", "ANN", "ａｎｎ", "Ann"])
def test_sign_up_refuses_a_look_alike_of_an_existing_name(client, spelling):
    get_user_model().objects.create_user("ann", password=PASSWORD)
    response = client.post("/accounts/signup/", {"username": spelling, "password1": PASSWORD,
                                                 "password2": PASSWORD})
    assert response.status_code == 400 and "already exists" in response.content.decode()
    assert get_user_model().objects.count() == 1


def test_every_account_gets_its_canonical_name_however_it_is_made(admin_user):
    assert admin_user.account_name.key == "admin"
    made = get_user_model().objects.create_user("Émile", password=PASSWORD)
    assert made.account_name.key == "émile"
    assert signin.account_find("ÉMILE") == made


def test_a_refused_attempt_is_not_counted_so_waiting_works(client, admin_user):
    for _ in range(signin.USERNAME_LIMIT + 5):
        _site(client, "admin", "wrong")
    row = SignInCounter.objects.get(key__startswith="user:")
    assert row.count == signin.USERNAME_LIMIT


def test_concurrent_guesses_check_at_most_the_limit(tmp_path):
    """40 wrong passwords at once against a real SQLite file: exactly the limit is checked.

    Run in a child process: the test database is in memory, and threads need a
    file every connection shares, as gunicorn's workers do.
    """
    env = sqlite_site_env(tmp_path)
    script = f"""
import threading, django
django.setup()
from django.contrib.auth import authenticate, get_user_model
from django.db import connection
from re_sys.models import SignInCounter
User = get_user_model()
User.objects.create_user("ann", password="{PASSWORD}")
checked, lock = [0], threading.Lock()
real = User.check_password
def counting(self, raw):
    with lock:
        checked[0] += 1
    return real(self, raw)
User.check_password = counting
start = threading.Barrier(40)
def guess(i):
    start.wait()
    try:
        authenticate(username="ann", password=f"wrong-{{i}}")
    finally:
        connection.close()
threads = [threading.Thread(target=guess, args=(i,)) for i in range(40)]
for t in threads: t.start()
for t in threads: t.join()
print(checked[0], SignInCounter.objects.get().count)
"""
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    checked, counted = map(int, done.stdout.split()[-2:])
    assert checked == signin.USERNAME_LIMIT and counted == signin.USERNAME_LIMIT


def test_refused_attempts_write_no_rows_and_ended_windows_are_removed(client, admin_user, monkeypatch):
    clock = [1_000_000.0]
    monkeypatch.setattr(signin.time, "time", lambda: clock[0])
    for i in range(signin.ADDRESS_LIMIT):
        _site(client, f"guess{i}", "wrong")
    rows = SignInCounter.objects.count()
    for i in range(30):  # the address is locked: none of these is counted or stored
        assert _site(client, f"more{i}", "wrong").status_code == 429
    assert SignInCounter.objects.count() == rows
    clock[0] += 2 * signin.WINDOW_S
    assert _site(client, "admin", PASSWORD).status_code == 302
    assert SignInCounter.objects.count() <= 2  # the old windows' rows are gone


@pytest.mark.parametrize("door", ["/accounts/password_change/", "/admin/password_change/"])
def test_guessing_the_old_password_at_a_password_change_is_locked(client, admin_user, door):
    """A session left open is no unlimited oracle for the password."""
    client.force_login(admin_user)
    change = {"new_password1": "brand-new-horse-42", "new_password2": "brand-new-horse-42"}
    for _ in range(signin.USERNAME_LIMIT):
        assert client.post(door, {"old_password": "wrong", **change}).status_code == 200
    locked = client.post(door, {"old_password": PASSWORD, **change})
    assert "Too many failed sign-ins" in locked.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.check_password(PASSWORD)


def test_a_password_change_with_the_right_old_password_works(client, admin_user):
    client.force_login(admin_user)
    done = client.post("/accounts/password_change/", {"old_password": PASSWORD, "new_password1": "brand-new-horse-42",
                                                      "new_password2": "brand-new-horse-42"})
    assert done.status_code == 302
    admin_user.refresh_from_db()
    assert admin_user.check_password("brand-new-horse-42")


def test_making_a_token_asks_for_the_password_under_the_lock(client, admin_user):
    client.force_login(admin_user)
    for _ in range(signin.USERNAME_LIMIT):
        client.post("/profile/tokens/", {"name": "x", "password": "wrong"})
    locked = client.post("/profile/tokens/", {"name": "x", "password": PASSWORD}, follow=True)
    assert "Too many failed sign-ins" in locked.content.decode()
    assert not admin_user.api_tokens.exists()
