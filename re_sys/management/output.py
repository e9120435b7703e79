"""What the commands print and write alike: recommendation lists, and CSV files written whole."""
from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Iterable, Sequence

from ..services.recommending import movie_titles


def recommendations_print(command, answer, as_json: bool) -> None:
    """One line per recommendation, or a JSON list of them with their titles."""
    titles = movie_titles([r.movie_id for r in answer])
    if as_json:
        command.stdout.write(json.dumps([{**r._asdict(), "title": titles.get(r.movie_id, "")}
                                         for r in answer], ensure_ascii=False))
        return
    for rank, r in enumerate(answer, start=1):
        command.stdout.write(f"{rank:>3}. {r.movie_id:>6}  {r.score:7.3f}  {titles.get(r.movie_id, '')}"
                             f"  — {r.reason}")


def csv_write(path: Path, header: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Write through a temporary file, so a failed run never leaves half a CSV; return the row count."""
    tmp = path.with_name(path.name + ".part")
    count = 0
    try:
        with tmp.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            for row in rows:
                writer.writerow(row)
                count += 1
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(path)
    return count
