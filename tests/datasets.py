"""Tiny dataset folders in every supported MovieLens layout, written by the tests.

Each holds the same four movies and three viewers, including the awkward cases:
a latin-1 title (Café), titles with commas, quotes and parentheses, a movie with
no genre, and (where the format allows) half stars.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

MOVIES = [
    (1, "Toy Story (1995)", ["Animation", "Children's", "Comedy"]),
    (2, "Café au lait (1993)", ["Comedy"]),
    (3, 'City of Lost Children, The (Cité des enfants perdus, La) (1995)', ["Adventure", "Sci-Fi"]),
    (4, 'Dr. Strangelove or: How I Learned to Stop Worrying and Love the "Bomb" (1963)', []),
]
USERS = [(1, "F", 1, 10, "48067"), (2, "M", 56, 16, "70072"), (3, "M", 25, 15, "55117")]
RATINGS = [(1, 1, 5, 978300760), (1, 2, 3, 978302109), (2, 1, 4, 978301968),
           (2, 3, 2, 978300275), (3, 4, 5, 978824291), (3, 1, 1, 978302268)]
HALF_RATINGS = [(1, 1, 4.5, 978300760), (1, 2, 3.0, 978302109), (2, 1, 0.5, 978301968),
                (2, 3, 2.5, 978300275), (3, 4, 5.0, 978824291), (3, 1, 1.0, 978302268)]
ML100K_GENRES = ["unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime",
                 "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery",
                 "Romance", "Sci-Fi", "Thriller", "War", "Western"]
RAW_AGES = {1: 16, 2: 60, 3: 30}  # ML-100K stores ages; these map to groups 1, 56, 25


def write_ml1m(folder: Path, ratings=RATINGS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "movies.dat").write_bytes("".join(
        f"{m}::{t}::{'|'.join(g) if g else '(no genres listed)'}\n" for m, t, g in MOVIES
    ).encode("latin-1"))
    (folder / "users.dat").write_bytes("".join(
        f"{u}::{g}::{a}::{o}::{z}\n" for u, g, a, o, z in USERS).encode("latin-1"))
    (folder / "ratings.dat").write_bytes("".join(
        f"{u}::{m}::{r}::{t}\n" for u, m, r, t in ratings).encode("latin-1"))
    return folder


def write_ml100k(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for m, title, genres in MOVIES:
        flags = "|".join("1" if g in genres else "0" for g in ML100K_GENRES)
        if not genres:
            flags = "1" + flags[1:]  # ML-100K marks genre-less movies "unknown"
        lines.append(f"{m}|{title}|01-Jan-1995||http://us.imdb.com/x|{flags}\n")
    (folder / "u.item").write_bytes("".join(lines).encode("latin-1"))
    (folder / "u.user").write_bytes("".join(
        f"{u}|{RAW_AGES[u]}|{g}|{'student' if o == 10 else 'technician'}|{z}\n"
        for u, g, a, o, z in USERS).encode("latin-1"))
    (folder / "u.data").write_text("".join(f"{u}\t{m}\t{r}\t{t}\n" for u, m, r, t in RATINGS))
    (folder / "u.genre").write_text("".join(f"{g}|{i}\n" for i, g in enumerate(ML100K_GENRES)))
    return folder


def _csv_quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"') else text


def write_latest(folder: Path, with_tags: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "movies.csv").write_text("movieId,title,genres\n" + "".join(
        f"{m},{_csv_quote(t)},{'|'.join(g) if g else '(no genres listed)'}\n"
        for m, t, g in MOVIES), encoding="utf-8")
    (folder / "ratings.csv").write_text("userId,movieId,rating,timestamp\n" + "".join(
        f"{u},{m},{r},{t}\n" for u, m, r, t in HALF_RATINGS), encoding="utf-8")
    (folder / "links.csv").write_text("movieId,imdbId,tmdbId\n1,0114709,862\n2,0106473,\n"
                                      "3,0112682,902\n4,0057012,935\n", encoding="utf-8")
    if with_tags:
        (folder / "tags.csv").write_text(
            "userId,movieId,tag,timestamp\n1,1,pixar,1139045764\n2,4,\"dark, comedy\",1139045765\n",
            encoding="utf-8")
    return folder


def write_atomic(folder: Path) -> Path:
    """The offline mirror's layout: RecBole atomic files, titles without years."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ml-100k.inter").write_text(
        "user_id:token\titem_id:token\trating:float\ttimestamp:float\n"
        + "".join(f"{u}\t{m}\t{r}\t{t}\n" for u, m, r, t in RATINGS), encoding="utf-8")
    items = []
    for m, title, genres in MOVIES:
        name, year = title.rsplit(" (", 1)
        items.append(f"{m}\t{name}\t{year.rstrip(')')}\t{' '.join(genres) or 'unknown'}\n")
    (folder / "ml-100k.item").write_text(
        "item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq\n"
        + "".join(items), encoding="utf-8")
    (folder / "ml-100k.user").write_text(
        "user_id:token\tage:token\tgender:token\toccupation:token\tzip_code:token\n"
        + "".join(f"{u}\t{RAW_AGES[u]}\t{g}\tstudent\t{z}\n" for u, g, a, o, z in USERS),
        encoding="utf-8")
    return folder


def zip_folder(folder: Path, archive: Path, inner: str) -> Path:
    """Zip `folder`'s files under `inner/`, as GroupLens packages its releases."""
    with zipfile.ZipFile(archive, "w") as zf:
        for file in sorted(folder.iterdir()):
            zf.write(file, f"{inner}/{file.name}")
    return archive


def fake_mirror_wheel(path: Path, atomic_folder: Path) -> Path:
    """A wheel-shaped zip carrying atomic files where recbole keeps them."""
    with zipfile.ZipFile(path, "w") as zf:
        for file in sorted(atomic_folder.iterdir()):
            zf.write(file, f"recbole/dataset_example/ml-100k/{file.name}")
        zf.writestr("recbole/__init__.py", "")
    return path
