"""Downloading, verifying and extracting releases; the offline mirror's conversion."""
import hashlib

import pytest

from re_sys.recommend.data import download
from re_sys.recommend.data.download import (
    DownloadError, convert_atomic_to_ml100k, fetch_ml100k_mirror, fetch_release,
)
from re_sys.recommend.data.movielens import read_dataset
from tests import datasets
from tests.httpserver import Route


@pytest.fixture
def ml100k_zip(tmp_path, monkeypatch):
    """A small zip laid out like GroupLens's ml-100k.zip, with its md5 recorded as official."""
    archive = datasets.zip_folder(datasets.write_ml100k(tmp_path / "src"), tmp_path / "z.zip",
                                  "ml-100k")
    body = archive.read_bytes()
    release = download.Release("ml-100k", "ml-100k.zip", hashlib.md5(body).hexdigest(), "ml-100k")
    monkeypatch.setitem(download.DATASETS, "ml-100k", release)
    return body


def test_good_zip_is_downloaded_verified_and_extracted(tmp_path, http_server, ml100k_zip):
    http_server.routes["/ml-100k.zip"] = Route(ml100k_zip)
    seen = []
    folder = fetch_release("ml-100k", tmp_path / "data", base_url=http_server.url,
                           progress=lambda done, total: seen.append((done, total)))
    assert folder == tmp_path / "data" / "ml-100k"
    assert read_dataset(folder).n_ratings == 6
    assert seen[-1] == (len(ml100k_zip), len(ml100k_zip))
    assert not list((tmp_path / "data").glob("*.part"))
    assert not list((tmp_path / "data").glob(".ml-100k.extract-*"))


def test_wrong_checksum_is_refused_and_nothing_extracted(tmp_path, http_server, ml100k_zip):
    http_server.routes["/ml-100k.zip"] = Route(ml100k_zip[:-1] + b"X")
    with pytest.raises(DownloadError, match="expected .*Nothing was extracted"):
        fetch_release("ml-100k", tmp_path / "data", base_url=http_server.url)
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == []


def test_truncated_transfer_leaves_no_file(tmp_path, http_server, ml100k_zip):
    http_server.routes["/ml-100k.zip"] = Route(ml100k_zip, truncate_to=len(ml100k_zip) // 2)
    with pytest.raises(DownloadError, match="cut off"):
        fetch_release("ml-100k", tmp_path / "data", base_url=http_server.url)
    assert list((tmp_path / "data").iterdir()) == []


def test_http_404_is_reported(tmp_path, http_server, ml100k_zip):
    with pytest.raises(DownloadError, match="HTTP 404"):
        fetch_release("ml-100k", tmp_path / "data", base_url=http_server.url)


def test_read_timeout_is_reported(tmp_path, http_server, ml100k_zip):
    http_server.routes["/ml-100k.zip"] = Route(ml100k_zip, delay=1.0)
    with pytest.raises(DownloadError, match="timed out|did not answer"):
        fetch_release("ml-100k", tmp_path / "data", base_url=http_server.url, timeout=(1, 0.2))
    assert list((tmp_path / "data").iterdir()) == []


def test_unreachable_host_says_so(tmp_path):
    # Port 9 on loopback: nothing listens there, the connection is refused at once.
    with pytest.raises(DownloadError, match="cannot reach 127.0.0.1:9"):
        fetch_release("ml-100k", tmp_path / "data", base_url="http://127.0.0.1:9",
                      timeout=(1, 1))


def test_release_without_recorded_md5_uses_the_published_one(tmp_path, http_server):
    archive = datasets.zip_folder(datasets.write_latest(tmp_path / "src"), tmp_path / "z.zip",
                                  "ml-latest-small")
    body = archive.read_bytes()
    http_server.routes["/ml-latest-small.zip"] = Route(body)
    http_server.routes["/ml-latest-small.zip.md5"] = Route(
        f"MD5 (ml-latest-small.zip) = {hashlib.md5(body).hexdigest()}\n".encode())
    folder = fetch_release("ml-latest-small", tmp_path / "data", base_url=http_server.url)
    assert read_dataset(folder).format == "ml-latest"
    http_server.routes["/ml-latest-small.zip.md5"] = Route(b"0" * 32 + b"  ml-latest-small.zip\n")
    with pytest.raises(DownloadError, match="md5"):
        fetch_release("ml-latest-small", tmp_path / "again", base_url=http_server.url)


def test_from_zip_skips_the_network(tmp_path, ml100k_zip):
    archive = tmp_path / "local.zip"
    archive.write_bytes(ml100k_zip)
    folder = fetch_release("ml-100k", tmp_path / "data", base_url="http://127.0.0.1:9",
                           from_zip=archive)
    assert read_dataset(folder).n_ratings == 6
    assert archive.exists()


def test_zip_with_unsafe_paths_is_refused(tmp_path, monkeypatch):
    import zipfile
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("ml-100k/../../escape.txt", "x")
    monkeypatch.setitem(download.DATASETS, "ml-100k",
                        download.Release("ml-100k", "ml-100k.zip", None, "ml-100k"))
    with pytest.raises(DownloadError, match="unsafe path"):
        fetch_release("ml-100k", tmp_path / "data", base_url="", from_zip=archive)
    assert not (tmp_path / "escape.txt").exists()


def test_atomic_files_convert_to_the_standard_layout(tmp_path):
    out = convert_atomic_to_ml100k(datasets.write_atomic(tmp_path / "atomic"), tmp_path / "out")
    assert sorted(p.name for p in out.iterdir()) == [
        "u.data", "u.genre", "u.item", "u.occupation", "u.user"]
    first_item = (out / "u.item").read_text(encoding="latin-1").splitlines()[0].split("|")
    assert first_item[:3] == ["1", "Toy Story (1995)", "01-Jan-1995"]
    assert len(first_item) == 24
    data = read_dataset(out)
    assert {m.id: m.title for m in data.movies}[2] == "Café au lait"
    assert data.format == "ml-100k" and data.n_ratings == 6


def test_mirror_wheel_is_checked_then_converted(tmp_path):
    wheel = datasets.fake_mirror_wheel(tmp_path / "recbole.whl",
                                       datasets.write_atomic(tmp_path / "atomic"))
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    folder = fetch_ml100k_mirror(tmp_path / "data", wheel=wheel, sha256=digest)
    assert folder == tmp_path / "data" / "ml-100k"
    assert read_dataset(folder).n_ratings == 6
    with pytest.raises(DownloadError, match="sha256"):
        fetch_ml100k_mirror(tmp_path / "other", wheel=wheel)  # the real recbole hash differs
    assert not (tmp_path / "other" / "ml-100k").exists()
