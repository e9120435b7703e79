"""Fetching MovieLens releases: GroupLens zips, checksums, and the offline ML-100K mirror.

Downloads go to a `.part` file renamed only when complete and verified, and
archives are extracted into a scratch folder renamed into place at the end,
so an interrupted fetch never leaves something that looks like a dataset.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import requests

from .atomic import convert_atomic_to_ml100k

__all__ = [
    "DATASETS",
    "MIRROR_SHA256",
    "DownloadError",
    "Release",
    "convert_atomic_to_ml100k",
    "download_file",
    "release_title",
    "extract_zip",
    "fetch_release",
    "fetch_ml100k_mirror",
]

CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 60.0
CHUNK = 1 << 16


class DownloadError(RuntimeError):
    """A fetch that failed; the message says what happened and what to do."""


@dataclass(frozen=True)
class Release:
    name: str
    filename: str
    md5: str | None  # None: verified against GroupLens's published .md5 file instead
    folder: str      # the folder the zip unpacks to
    title: str = ""  # what people call it (GroupLens's own name)


DATASETS = {
    "ml-1m": Release("ml-1m", "ml-1m.zip", "c4d9eecfca2ab87c1945afe126590906", "ml-1m", "MovieLens 1M"),
    "ml-100k": Release("ml-100k", "ml-100k.zip", "0e33842e24a9c977be4e0107933c0723", "ml-100k",
                       "MovieLens 100K"),
    "ml-latest-small": Release("ml-latest-small", "ml-latest-small.zip", None, "ml-latest-small",
                               "MovieLens Latest (small)"),
    "ml-25m": Release("ml-25m", "ml-25m.zip", None, "ml-25m", "MovieLens 25M"),
}


def release_title(folder_name: str) -> str:
    """'ml-100k' -> 'MovieLens 100K'; a folder that is no known release keeps its own name."""
    release = DATASETS.get(folder_name)
    return release.title if release is not None and release.title else folder_name

# The recbole 1.2.1 wheel on PyPI carries ML-100K as atomic files.
MIRROR_PACKAGE = "recbole==1.2.1"
MIRROR_WHEEL = "recbole-1.2.1-py3-none-any.whl"
MIRROR_SHA256 = "9c9948202011f37eb0a7c6768129313f00d6403ad221ec940d5e2d5d5f33a407"
MIRROR_PREFIX = "recbole/dataset_example/ml-100k/"

Progress = Callable[[int, int | None], None]  # (bytes so far, total or None)


# --------------------------------------------------------------------------- HTTP


def download_file(url: str, dest: Path, *, session: requests.Session | None = None,
                  timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT),
                  progress: Progress | None = None) -> Path:
    """Stream `url` to `dest` through `dest.part`; the rename happens only when complete."""
    session = session or requests.Session()
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    try:
        with session.get(url, stream=True, timeout=timeout) as response:
            if response.status_code != 200:
                raise DownloadError(f"{url} answered HTTP {response.status_code}.")
            total = int(response.headers.get("Content-Length") or 0) or None
            done = 0
            with part.open("wb") as fh:
                for chunk in response.iter_content(CHUNK):
                    fh.write(chunk)
                    done += len(chunk)
                    if progress:
                        progress(done, total)
        if total is not None and done != total:
            raise DownloadError(f"download of {url} was cut off: got {done} of {total} bytes.")
    except requests.exceptions.ConnectionError as exc:
        part.unlink(missing_ok=True)
        if "Read timed out" in str(exc):
            raise DownloadError(f"{url} stopped sending data (timed out).") from exc
        if _is_truncation(exc):
            raise DownloadError(f"download of {url} was cut off before the end.") from exc
        raise DownloadError(f"cannot reach {_host(url)}: {exc.__class__.__name__}.") from exc
    except requests.exceptions.ChunkedEncodingError as exc:
        part.unlink(missing_ok=True)
        raise DownloadError(f"download of {url} was cut off before the end.") from exc
    except requests.exceptions.Timeout as exc:
        part.unlink(missing_ok=True)
        raise DownloadError(f"{url} did not answer in time ({exc.__class__.__name__}).") from exc
    except requests.exceptions.RequestException as exc:
        part.unlink(missing_ok=True)
        raise DownloadError(f"download of {url} failed: {exc}") from exc
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    os.replace(part, dest)
    return dest


def _is_truncation(exc: Exception) -> bool:
    text = repr(exc)
    return "IncompleteRead" in text or "ProtocolError" in text or "Connection broken" in text


def _host(url: str) -> str:
    return url.split("/")[2] if "//" in url else url


def file_md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _published_md5(url: str, session: requests.Session, timeout) -> str:
    """GroupLens publishes `<zip>.md5` beside the releases that have no md5 recorded here."""
    try:
        response = session.get(url + ".md5", timeout=timeout)
    except requests.exceptions.RequestException as exc:
        raise DownloadError(f"cannot read the checksum {url}.md5: {exc.__class__.__name__}.") from exc
    if response.status_code != 200:
        raise DownloadError(f"cannot read the checksum {url}.md5 (HTTP {response.status_code}).")
    words = response.text.split()
    # Either "<md5>  file" or "MD5 (file) = <md5>".
    candidates = [w for w in words if len(w) == 32 and all(c in "0123456789abcdef" for c in w.lower())]
    if not candidates:
        raise DownloadError(f"{url}.md5 does not hold an md5 checksum.")
    return candidates[0].lower()


# --------------------------------------------------------------------------- archives


def extract_zip(archive: Path, dest: Path, folder: str) -> Path:
    """Extract `folder/` from `archive` into `dest/folder`, all or nothing."""
    target = dest / folder
    try:
        zf = zipfile.ZipFile(archive)
    except zipfile.BadZipFile as exc:
        raise DownloadError(f"{archive} is not a valid zip file.") from exc
    with zf, tempfile.TemporaryDirectory(dir=dest, prefix=f".{folder}.extract-") as scratch:
        for member in zf.infolist():
            # Refuse entries that would escape the scratch folder (zip slip).
            name = Path(member.filename)
            if name.is_absolute() or ".." in name.parts:
                raise DownloadError(f"{archive} holds an unsafe path: {member.filename}")
        try:
            zf.extractall(scratch)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise DownloadError(f"{archive} could not be extracted: {exc}") from exc
        extracted = Path(scratch) / folder
        if not extracted.is_dir():
            raise DownloadError(f"{archive} has no folder {folder}/ inside.")
        if target.exists():
            shutil.rmtree(target)
        os.replace(extracted, target)
    return target


def fetch_release(name: str, dest: Path, *, base_url: str, from_zip: Path | None = None,
                  session: requests.Session | None = None,
                  timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT),
                  progress: Progress | None = None) -> Path:
    """Download (or take `from_zip`), verify and extract one release; return its folder."""
    release = DATASETS[name]
    dest.mkdir(parents=True, exist_ok=True)
    session = session or requests.Session()
    url = base_url.rstrip("/") + "/" + release.filename
    if from_zip is not None:
        archive = Path(from_zip)
        if not archive.is_file():
            raise DownloadError(f"{archive} does not exist.")
        expected = release.md5
    else:
        archive = download_file(url, dest / release.filename, session=session,
                                timeout=timeout, progress=progress)
        expected = release.md5 or _published_md5(url, session, timeout)
    if expected:
        actual = file_md5(archive)
        if actual != expected:
            if from_zip is None:
                archive.unlink(missing_ok=True)
            raise DownloadError(
                f"{archive.name} has md5 {actual}, expected {expected}: the file is damaged or "
                f"not the official {name} release. Nothing was extracted.")
    return extract_zip(archive, dest, release.folder)


# --------------------------------------------------------------------------- offline mirror


def fetch_mirror_wheel(dest: Path) -> Path:
    """Fetch recbole's wheel from the package index pip is configured for (no install)."""
    dest.mkdir(parents=True, exist_ok=True)
    wheel = dest / MIRROR_WHEEL
    if wheel.is_file():
        return wheel
    result = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--no-cache-dir", "-q",
         "-d", str(dest), MIRROR_PACKAGE],
        capture_output=True, text=True)
    if result.returncode != 0 or not wheel.is_file():
        raise DownloadError(
            f"could not download {MIRROR_PACKAGE} from the package index either: "
            f"{result.stderr.strip().splitlines()[-1] if result.stderr.strip() else 'pip failed'}")
    return wheel


def fetch_ml100k_mirror(dest: Path, *, wheel: Path | None = None,
                        sha256: str = MIRROR_SHA256) -> Path:
    """Build `dest/ml-100k` in the standard layout from the offline mirror."""
    wheel = wheel or fetch_mirror_wheel(dest)
    actual = file_sha256(wheel)
    if actual != sha256:
        raise DownloadError(f"{wheel} has sha256 {actual}, expected {sha256}: refusing to use it.")
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / "ml-100k"
    with tempfile.TemporaryDirectory(dir=dest, prefix=".ml-100k.mirror-") as scratch:
        atomic = Path(scratch) / "atomic"
        atomic.mkdir()
        try:
            with zipfile.ZipFile(wheel) as zf:
                for suffix in ("inter", "item", "user"):
                    member = f"{MIRROR_PREFIX}ml-100k.{suffix}"
                    (atomic / f"ml-100k.{suffix}").write_bytes(zf.read(member))
        except (zipfile.BadZipFile, KeyError) as exc:
            raise DownloadError(f"{wheel} does not carry the ML-100K files: {exc}") from exc
        converted = Path(scratch) / "ml-100k"
        convert_atomic_to_ml100k(atomic, converted)
        if target.exists():
            shutil.rmtree(target)
        os.replace(converted, target)
    return target
