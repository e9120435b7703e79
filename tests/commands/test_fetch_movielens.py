"""manage.py fetch_movielens: the command line around the downloader."""
import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from re_sys.recommend.data import download
from re_sys.services import fetching
from tests import datasets
from tests.httpserver import Route


def test_fetches_into_dest(tmp_path, http_server, settings, monkeypatch):
    body = datasets.zip_folder(datasets.write_ml1m(tmp_path / "src"), tmp_path / "z.zip",
                               "ml-1m").read_bytes()
    monkeypatch.setitem(download.DATASETS, "ml-1m", download.Release(
        "ml-1m", "ml-1m.zip", hashlib.md5(body).hexdigest(), "ml-1m"))
    http_server.routes["/ml-1m.zip"] = Route(body)
    settings.MOVIELENS_BASE_URL = http_server.url + "/"
    out = StringIO()
    call_command("fetch_movielens", "ml-1m", "--dest", str(tmp_path / "d"), stdout=out,
                 stderr=StringIO())
    assert (tmp_path / "d" / "ml-1m" / "ratings.dat").is_file()
    assert "ml-1m is ready" in out.getvalue()


def test_unreachable_host_is_one_clear_error(tmp_path, settings):
    settings.MOVIELENS_BASE_URL = "http://127.0.0.1:9/"
    with pytest.raises(CommandError) as err:
        call_command("fetch_movielens", "ml-1m", "--dest", str(tmp_path), stderr=StringIO())
    assert "cannot reach 127.0.0.1:9" in str(err.value)
    assert "--from-zip PATH" in str(err.value)


def test_ml100k_falls_back_to_the_mirror_when_grouplens_is_unreachable(tmp_path, settings,
                                                                      monkeypatch):
    settings.MOVIELENS_BASE_URL = "http://127.0.0.1:9/"
    calls = []
    monkeypatch.setattr(fetching, "fetch_ml100k_mirror",
                        lambda dest: calls.append(dest) or dest / "ml-100k")
    err = StringIO()
    call_command("fetch_movielens", "ml-100k", "--dest", str(tmp_path), stdout=StringIO(),
                 stderr=err)
    assert calls == [tmp_path]
    assert "offline ML-100K mirror" in err.getvalue()
    with pytest.raises(CommandError):
        call_command("fetch_movielens", "ml-100k", "--dest", str(tmp_path), "--no-fallback",
                     stderr=StringIO())


def test_a_damaged_download_does_not_fall_back(tmp_path, http_server, settings, monkeypatch):
    """Only an unreachable host falls back: a wrong checksum must be seen by the user."""
    http_server.routes["/ml-100k.zip"] = Route(b"not a zip")
    settings.MOVIELENS_BASE_URL = http_server.url
    monkeypatch.setattr(fetching, "fetch_ml100k_mirror", lambda dest: pytest.fail("fell back"))
    with pytest.raises(CommandError, match="md5"):
        call_command("fetch_movielens", "ml-100k", "--dest", str(tmp_path), stderr=StringIO())


def test_unknown_dataset_name_is_rejected():
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("fetch_movielens", "ml-2m")
