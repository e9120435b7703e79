"""Readers for the MovieLens dataset formats, with strict line-level validation.

Every supported layout is read into one `MovieLensData` so the importer and
the model never care which release a folder came from. Any malformed line
raises `DatasetFormatError` naming the file, the line number and the text,
before anything is written anywhere.
"""
from __future__ import annotations

import csv
import io
import tempfile
from array import array
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .atomic import convert_atomic_to_ml100k
from .titles import YEAR_SUFFIX
from .formats import AGE_GROUPS, ML1M_OCCUPATIONS, ML100K_GENRES, DatasetFormatError, UnknownFormatError

__all__ = [
    "AGE_GROUPS",
    "DatasetFormatError",
    "MovieLensData",
    "MovieRecord",
    "TagRecord",
    "UnknownFormatError",
    "ViewerRecord",
    "age_group_for",
    "detect_format",
    "read_dataset",
    "split_title_year",
]

_HALF_STARS = {x / 2 for x in range(1, 11)}


@dataclass(frozen=True)
class MovieRecord:
    id: int
    title: str
    year: int | None
    genres: tuple[str, ...]
    imdb_id: str = ""
    tmdb_id: int | None = None


@dataclass(frozen=True)
class ViewerRecord:
    id: int
    gender: str = ""  # "M", "F" or "" when the dataset has no demographics
    age_group: int | None = None
    occupation: str = ""
    zip_code: str = ""


@dataclass(frozen=True)
class TagRecord:
    user_id: int
    movie_id: int
    tag: str
    timestamp: int


@dataclass
class MovieLensData:
    """One dataset in memory: movies, viewers, ratings as parallel arrays, tags."""

    format: str
    movies: list[MovieRecord]
    viewers: list[ViewerRecord]
    user_ids: np.ndarray
    movie_ids: np.ndarray
    stars: np.ndarray
    timestamps: np.ndarray
    tags: list[TagRecord] = field(default_factory=list)
    # Where ratings came from, so a later check can still name file and line.
    ratings_path: Path = Path("ratings")
    rating_lines: np.ndarray | None = None
    tags_path: Path = Path("tags")

    @property
    def n_ratings(self) -> int:
        return int(self.stars.shape[0])

    @property
    def genres(self) -> list[str]:
        return sorted({g for m in self.movies for g in m.genres})


def split_title_year(raw: str) -> tuple[str, int | None]:
    """'Toy Story (1995)' -> ('Toy Story', 1995); a title without a year keeps None."""
    match = YEAR_SUFFIX.search(raw)
    if not match:
        return raw.strip(), None
    return raw[: match.start()].strip(), int(match.group(1))


def age_group_for(age: int) -> int:
    """Map a raw age (ML-100K) to ML-1M's age-group code."""
    for bound, group in ((18, 1), (25, 18), (35, 25), (45, 35), (50, 45), (56, 50)):
        if age < bound:
            return group
    return 56


# --------------------------------------------------------------------------- detection

_LAYOUTS = {
    "ml-1m": ("ratings.dat", "movies.dat", "users.dat"),
    "ml-100k": ("u.data", "u.item", "u.user"),
    "ml-latest": ("ratings.csv", "movies.csv"),
    "atomic-100k": ("ml-100k.inter", "ml-100k.item", "ml-100k.user"),
}


def detect_format(folder: Path | str) -> str:
    """Name the layout of a dataset folder, or explain what was expected."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UnknownFormatError(f"{folder} is not a folder.")
    for name, files in _LAYOUTS.items():
        if all((folder / f).is_file() for f in files):
            return name
    expected = "; ".join(f"{name}: {', '.join(files)}" for name, files in _LAYOUTS.items())
    present = ", ".join(sorted(p.name for p in folder.iterdir())[:12]) or "nothing"
    raise UnknownFormatError(
        f"{folder} is not a MovieLens dataset folder I can read. Expected one of — {expected}. "
        f"Found: {present}."
    )


def read_dataset(folder: Path | str) -> MovieLensData:
    """Read and validate a dataset folder of any supported layout."""
    folder = Path(folder)
    fmt = detect_format(folder)
    reader = {
        "ml-1m": _read_ml1m,
        "ml-100k": _read_ml100k,
        "ml-latest": _read_latest,
        "atomic-100k": _read_atomic,
    }[fmt]
    data = reader(folder)
    _check_references(data)
    return data


# --------------------------------------------------------------------------- helpers


def _decode(path: Path, encoding: str) -> str:
    """The whole file as text; undecodable bytes or NUL bytes are reported with their line."""
    raw = path.read_bytes()
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line_no = raw[: exc.start].count(b"\n") + 1
        bad = raw.split(b"\n")[line_no - 1]
        raise DatasetFormatError(path, line_no, bad.decode(encoding, "replace"),
                                 f"not valid {encoding.removesuffix('-sig')} text") from None
    if "\x00" in text:
        line_no = text[: text.index("\x00")].count("\n") + 1
        raise DatasetFormatError(path, line_no, text.split("\n")[line_no - 1].rstrip("\r"),
                                 "binary data (NUL byte)")
    return text


def _lines(path: Path, encoding: str):
    """Yield (line number, text) for every line, decoding strictly; a blank line is an error.

    MovieLens files have no blank lines (the last line ends with one "\n",
    which ends that line and starts none): one that appears is a damaged or
    hand-edited file, said with its file and line like any malformed line,
    instead of a rating silently missing from the import.

    Lines end at "\n" (a "\r" before it is dropped), one at a time: a list of
    25 million line strings would cost gigabytes, and str.splitlines would also
    break at U+0085, which is what latin-1 makes of the byte 0x85.
    """
    text = _decode(path, encoding)
    start, line_no, size = 0, 0, len(text)
    while start < size:
        end = text.find("\n", start)
        end = size if end < 0 else end
        line_no += 1
        line = text[start:end - 1] if end > start and text[end - 1] == "\r" else text[start:end]
        start = end + 1
        if not line.strip():
            raise DatasetFormatError(path, line_no, line, "blank line (every line must hold a record)")
        yield line_no, line


_LARGEST_ID = 2**63 - 1


def _int(value: str, path: Path, line_no: int, line: str, what: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise DatasetFormatError(path, line_no, line, f"{what} is not a whole number") from None
    if number < 0:
        raise DatasetFormatError(path, line_no, line, f"{what} is negative")
    if number > _LARGEST_ID:
        raise DatasetFormatError(path, line_no, line, f"{what} is too large")
    return number


def _stars(value: str, path: Path, line_no: int, line: str) -> float:
    try:
        stars = float(value)
    except ValueError:
        raise DatasetFormatError(path, line_no, line, "rating is not a number") from None
    if stars not in _HALF_STARS:
        raise DatasetFormatError(path, line_no, line,
                                 "rating must be 0.5 to 5.0 in half stars")
    return stars


def _fields(line: str, sep: str, count: int, path: Path, line_no: int) -> list[str]:
    parts = line.split(sep)
    if len(parts) != count:
        raise DatasetFormatError(path, line_no, line,
                                 f"expected {count} fields separated by {sep!r}, found {len(parts)}")
    return parts


def _read_ratings(path: Path, sep: str, encoding: str, header: bool = False) -> dict:
    """Parse a ratings file into arrays, with the file line of each rating.

    Columns grow as typed arrays (8 bytes a value, not a Python object each),
    and repeated (user, movie) pairs are found by one sort at the end rather
    than a dictionary of every pair: 25 million ratings read in 2.6 GB, not 10.
    """
    users, movies, stamps, lines = array("q"), array("q"), array("q"), array("q")
    stars = array("d")
    for line_no, line in _lines(path, encoding):
        if header and line_no == 1:
            continue
        u, m, r, t = _fields(line, sep, 4, path, line_no)
        users.append(_int(u, path, line_no, line, "user id"))
        movies.append(_int(m, path, line_no, line, "movie id"))
        stars.append(_stars(r, path, line_no, line))
        try:
            stamps.append(int(float(t)))
        except ValueError:
            raise DatasetFormatError(path, line_no, line, "timestamp is not a number") from None
        except OverflowError:
            raise DatasetFormatError(path, line_no, line, "timestamp is out of range") from None
        lines.append(line_no)
    user_ids, movie_ids = np.array(users, dtype=np.int64), np.array(movies, dtype=np.int64)
    rating_lines = np.array(lines, dtype=np.int64)
    _no_repeated_pairs(user_ids, movie_ids, rating_lines, path)
    return {
        "user_ids": user_ids,
        "movie_ids": movie_ids,
        "stars": np.array(stars, dtype=np.float32),
        "timestamps": np.array(stamps, dtype=np.int64),
        "ratings_path": path,
        "rating_lines": rating_lines,
    }


def _no_repeated_pairs(user_ids: np.ndarray, movie_ids: np.ndarray, lines: np.ndarray, path: Path) -> None:
    """Raise at the first line (in file order) that repeats an earlier line's user and movie."""
    order = np.lexsort((movie_ids, user_ids))     # stable: equal pairs stay in file order
    pairs = np.stack([user_ids[order], movie_ids[order]])
    repeated = (pairs[:, 1:] == pairs[:, :-1]).all(axis=0)
    if not repeated.any():
        return
    later, earlier = order[1:][repeated], order[:-1][repeated]
    first = int(np.argmin(later))
    index, before = int(later[first]), int(earlier[first])
    raise DatasetFormatError(path, int(lines[index]), _line_text(path, int(lines[index])),
                             f"user {user_ids[index]} rated movie {movie_ids[index]} already on line "
                             f"{lines[before]}")


def _unique_ids(records, path: Path, kind: str):
    seen = set()
    for line_no, record in records:
        if record.id in seen:
            raise DatasetFormatError(path, line_no, str(record.id), f"{kind} id listed twice")
        seen.add(record.id)
        yield record


def _rating_line(data: MovieLensData, index: int) -> int:
    return int(data.rating_lines[index]) if data.rating_lines is not None else index + 1


def _line_text(path: Path, line_no: int) -> str:
    """The file's own text of one line, for an error message (error path only)."""
    try:
        return path.read_bytes().split(b"\n")[line_no - 1].decode("utf-8", "replace").rstrip("\r")
    except (OSError, IndexError):
        return ""


def _check_references(data: MovieLensData) -> None:
    """Ratings and tags must point at movies (and, where listed, users) that exist."""
    movie_ids = np.fromiter((m.id for m in data.movies), dtype=np.int64)
    viewer_ids = np.fromiter((v.id for v in data.viewers), dtype=np.int64)
    for referenced, known, what in ((data.movie_ids, movie_ids, "rating for unknown movie"),
                                    (data.user_ids, viewer_ids, "rating by unknown user")):
        unknown = ~np.isin(referenced, known)
        if unknown.any():
            i = int(np.argmax(unknown))
            line = _rating_line(data, i)
            raise DatasetFormatError(data.ratings_path, line, _line_text(data.ratings_path, line),
                                     f"{what} {referenced[i]}")
    known_movies = set(movie_ids.tolist())
    for n, tag in enumerate(data.tags, start=2):
        if tag.movie_id not in known_movies:
            raise DatasetFormatError(data.tags_path, n, tag.tag,
                                     f"tag for unknown movie {tag.movie_id}")


# --------------------------------------------------------------------------- ML-1M


def _read_ml1m(folder: Path) -> MovieLensData:
    movies_path, users_path = folder / "movies.dat", folder / "users.dat"

    def movies():
        for line_no, line in _lines(movies_path, "latin-1"):
            mid, raw_title, genres = _fields(line, "::", 3, movies_path, line_no)
            title, year = split_title_year(raw_title)
            genre_list = tuple(g for g in genres.split("|") if g and g != "(no genres listed)")
            yield line_no, MovieRecord(_int(mid, movies_path, line_no, line, "movie id"),
                                       title, year, genre_list)

    def users():
        for line_no, line in _lines(users_path, "latin-1"):
            uid, gender, age, occupation, zip_code = _fields(line, "::", 5, users_path, line_no)
            if gender not in ("M", "F"):
                raise DatasetFormatError(users_path, line_no, line, "gender must be M or F")
            age_code = _int(age, users_path, line_no, line, "age group")
            if age_code not in AGE_GROUPS:
                raise DatasetFormatError(users_path, line_no, line,
                                         f"age group must be one of {sorted(AGE_GROUPS)}")
            occ = _int(occupation, users_path, line_no, line, "occupation")
            if occ >= len(ML1M_OCCUPATIONS):
                raise DatasetFormatError(users_path, line_no, line, "occupation code out of range")
            yield line_no, ViewerRecord(_int(uid, users_path, line_no, line, "user id"),
                                        gender, age_code, ML1M_OCCUPATIONS[occ], zip_code.strip())

    ratings = _read_ratings(folder / "ratings.dat", "::", "latin-1")
    return MovieLensData("ml-1m", list(_unique_ids(movies(), movies_path, "movie")),
                         list(_unique_ids(users(), users_path, "user")), **ratings)


# --------------------------------------------------------------------------- ML-100K


def _read_ml100k(folder: Path) -> MovieLensData:
    item_path, user_path = folder / "u.item", folder / "u.user"
    genre_names = ML100K_GENRES
    genre_path = folder / "u.genre"
    if genre_path.is_file():
        genre_names = []
        for line_no, line in _lines(genre_path, "latin-1"):
            name, index = _fields(line, "|", 2, genre_path, line_no)
            if _int(index, genre_path, line_no, line, "genre index") != len(genre_names):
                raise DatasetFormatError(genre_path, line_no, line, "genre indices out of order")
            genre_names.append(name)

    def movies():
        width = 5 + len(genre_names)
        for line_no, line in _lines(item_path, "latin-1"):
            parts = _fields(line, "|", width, item_path, line_no)
            flags = parts[5:]
            if any(f not in ("0", "1") for f in flags):
                raise DatasetFormatError(item_path, line_no, line, "genre flags must be 0 or 1")
            title, year = split_title_year(parts[1])
            if year is None and parts[2][-4:].isdigit():
                year = int(parts[2][-4:])
            genres = tuple(name for name, flag in zip(genre_names, flags)
                           if flag == "1" and name != "unknown")
            imdb = ""
            yield line_no, MovieRecord(_int(parts[0], item_path, line_no, line, "movie id"),
                                       title, year, genres, imdb)

    def users():
        for line_no, line in _lines(user_path, "latin-1"):
            uid, age, gender, occupation, zip_code = _fields(line, "|", 5, user_path, line_no)
            if gender not in ("M", "F"):
                raise DatasetFormatError(user_path, line_no, line, "gender must be M or F")
            yield line_no, ViewerRecord(_int(uid, user_path, line_no, line, "user id"), gender,
                                        age_group_for(_int(age, user_path, line_no, line, "age")),
                                        occupation.strip(), zip_code.strip())

    ratings = _read_ratings(folder / "u.data", "\t", "latin-1")
    return MovieLensData("ml-100k", list(_unique_ids(movies(), item_path, "movie")),
                         list(_unique_ids(users(), user_path, "user")), **ratings)


# --------------------------------------------------------------------------- latest / 25M


def _csv_rows(path: Path, columns: list[str]):
    """Yield (line number, row dict) of a UTF-8 CSV, checking the header and widths."""
    text = "\n".join(line for _, line in _lines_keep_numbers(path))
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or [h.strip() for h in header[: len(columns)]] != columns:
        raise DatasetFormatError(path, 1, ",".join(header or []),
                                 f"header must start with {','.join(columns)}")
    for row in reader:
        line_no = reader.line_num
        if len(row) != len(header):
            raise DatasetFormatError(path, line_no, ",".join(row),
                                     f"expected {len(header)} fields, found {len(row)}")
        yield line_no, dict(zip(header, row))


def _lines_keep_numbers(path: Path):
    """All lines (blank ones too) so csv's line numbers match the file's."""
    yield from enumerate(_decode(path, "utf-8-sig").splitlines(), start=1)


def _read_latest(folder: Path) -> MovieLensData:
    movies_path = folder / "movies.csv"
    links: dict[int, tuple[str, int | None]] = {}
    links_path = folder / "links.csv"
    if links_path.is_file():
        for line_no, row in _csv_rows(links_path, ["movieId", "imdbId", "tmdbId"]):
            text = ",".join(row.values())
            mid = _int(row["movieId"], links_path, line_no, text, "movie id")
            tmdb = row["tmdbId"].strip()
            links[mid] = (row["imdbId"].strip(),
                          _int(tmdb, links_path, line_no, text, "tmdb id") if tmdb else None)

    def movies():
        for line_no, row in _csv_rows(movies_path, ["movieId", "title", "genres"]):
            text = ",".join(row.values())
            mid = _int(row["movieId"], movies_path, line_no, text, "movie id")
            title, year = split_title_year(row["title"])
            genres = tuple(g for g in row["genres"].split("|")
                           if g and g != "(no genres listed)")
            imdb, tmdb = links.get(mid, ("", None))
            yield line_no, MovieRecord(mid, title, year, genres,
                                       f"tt{imdb}" if imdb else "", tmdb)

    ratings_path = folder / "ratings.csv"
    with ratings_path.open(encoding="utf-8-sig", errors="replace") as fh:
        header = fh.readline().strip()
    if header.split(",")[:4] != ["userId", "movieId", "rating", "timestamp"]:
        raise DatasetFormatError(ratings_path, 1, header,
                                 "header must be userId,movieId,rating,timestamp")
    ratings = _read_ratings(ratings_path, ",", "utf-8", header=True)
    viewers = [ViewerRecord(int(u)) for u in np.unique(ratings["user_ids"])]

    tags: list[TagRecord] = []
    tags_path = folder / "tags.csv"
    if tags_path.is_file():
        for line_no, row in _csv_rows(tags_path, ["userId", "movieId", "tag", "timestamp"]):
            text = ",".join(row.values())
            tags.append(TagRecord(_int(row["userId"], tags_path, line_no, text, "user id"),
                                  _int(row["movieId"], tags_path, line_no, text, "movie id"),
                                  row["tag"].strip()[:255],
                                  _int(row["timestamp"], tags_path, line_no, text, "timestamp")))
    known_users = {v.id for v in viewers}
    viewers.extend(ViewerRecord(u) for u in sorted({t.user_id for t in tags} - known_users))
    return MovieLensData("ml-latest", list(_unique_ids(movies(), movies_path, "movie")),
                         viewers, tags=tags, tags_path=tags_path, **ratings)


# --------------------------------------------------------------------------- atomic files


def _read_atomic(folder: Path) -> MovieLensData:
    """The offline ML-100K mirror's tab-separated atomic files (RecBole's layout)."""
    with tempfile.TemporaryDirectory() as tmp:
        convert_atomic_to_ml100k(folder, Path(tmp))
        data = _read_ml100k(Path(tmp))
    data.format = "atomic-100k"
    return data
