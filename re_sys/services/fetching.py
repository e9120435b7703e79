"""Fetching a MovieLens release into the data folder, with the offline fallback for ML-100K."""
from __future__ import annotations

from pathlib import Path

from django.conf import settings

from ..recommend.data.download import DownloadError, Progress, fetch_ml100k_mirror, fetch_release

__all__ = ["DownloadError", "dataset_fetch"]


def dataset_fetch(*, name: str, dest: Path | None = None, from_zip: Path | None = None,
                  offline_fallback: bool = True, progress: Progress | None = None,
                  log=print) -> Path:
    """Download `name` from GroupLens; for ML-100K fall back to the PyPI mirror when unreachable."""
    dest = Path(dest or settings.DATA_DIR)
    try:
        return fetch_release(name, dest, base_url=settings.MOVIELENS_BASE_URL,
                             from_zip=from_zip, progress=progress)
    except DownloadError as exc:
        unreachable = str(exc).startswith("cannot reach") or "did not answer" in str(exc)
        if name != "ml-100k" or from_zip is not None or not offline_fallback or not unreachable:
            raise
        log(f"{exc} Using the offline ML-100K mirror (the recbole 1.2.1 wheel on PyPI).")
        return fetch_ml100k_mirror(dest)
