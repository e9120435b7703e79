"""The offline ML-100K mirror's atomic files (RecBole's layout), rewritten as ML-100K's own."""
from __future__ import annotations

from pathlib import Path

from .formats import ML100K_GENRES, DatasetFormatError

__all__ = ["convert_atomic_to_ml100k"]


def convert_atomic_to_ml100k(source: Path, dest: Path) -> Path:
    """Rewrite RecBole's atomic ML-100K files as u.data, u.item, u.user, u.genre, u.occupation."""
    dest.mkdir(parents=True, exist_ok=True)
    inter, item, user = (source / f"ml-100k.{s}" for s in ("inter", "item", "user"))

    def rows(path: Path, width: int):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        if not lines or ":" not in lines[0]:
            raise DatasetFormatError(path, 1, lines[0] if lines else "",
                                     "missing the atomic-file header (name:type columns)")
        for line_no, line in enumerate(lines[1:], start=2):
            if not line.strip():
                continue
            parts = line.split("\t")
            if len(parts) != width:
                raise DatasetFormatError(path, line_no, line,
                                         f"expected {width} tab-separated fields, found {len(parts)}")
            yield line_no, parts

    with (dest / "u.data").open("w", encoding="latin-1", newline="\n") as out:
        for _, (u, m, r, t) in rows(inter, 4):
            out.write(f"{u}\t{m}\t{int(float(r)) if float(r).is_integer() else r}\t{int(float(t))}\n")

    with (dest / "u.item").open("w", encoding="latin-1", newline="\n") as out:
        for line_no, (mid, title, year, classes) in rows(item, 4):
            genres = set(classes.split())
            unknown = set(genres) - set(ML100K_GENRES)
            if unknown:
                raise DatasetFormatError(item, line_no, classes, f"unknown genre {sorted(unknown)[0]}")
            flags = "|".join("1" if g in genres else "0" for g in ML100K_GENRES)
            shown = f"{title} ({year})" if year.strip() else title
            date = f"01-Jan-{year}" if year.strip() else ""
            # movie id | title | release date | video release date | IMDb URL | 19 genre flags
            out.write(f"{mid}|{shown}|{date}|||{flags}\n")

    with (dest / "u.user").open("w", encoding="latin-1", newline="\n") as out:
        occupations = set()
        for _, (uid, age, gender, occupation, zip_code) in rows(user, 5):
            occupations.add(occupation)
            out.write(f"{uid}|{age}|{gender}|{occupation}|{zip_code}\n")

    (dest / "u.genre").write_text(
        "".join(f"{g}|{i}\n" for i, g in enumerate(ML100K_GENRES)), encoding="latin-1")
    (dest / "u.occupation").write_text("".join(f"{o}\n" for o in sorted(occupations)),
                                       encoding="latin-1")
    return dest
