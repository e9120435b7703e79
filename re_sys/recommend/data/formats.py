"""What the MovieLens formats share: their code tables, and the errors a reader raises."""
from __future__ import annotations

from pathlib import Path

__all__ = ["AGE_GROUPS", "DatasetFormatError", "ML100K_GENRES", "ML1M_OCCUPATIONS", "UnknownFormatError"]

# ML-1M's seven age groups; ML-100K's raw ages are mapped onto them.
AGE_GROUPS = {
    1: "Under 18",
    18: "18–24",
    25: "25–34",
    35: "35–44",
    45: "45–49",
    50: "50–55",
    56: "56+",
}

# ML-1M stores occupations as codes; we keep the label so that every format
# shares one vocabulary of strings.
ML1M_OCCUPATIONS = [
    "other", "academic/educator", "artist", "clerical/admin", "college/grad student",
    "customer service", "doctor/health care", "executive/managerial", "farmer",
    "homemaker", "K-12 student", "lawyer", "programmer", "retired", "sales/marketing",
    "scientist", "self-employed", "technician/engineer", "tradesman/craftsman",
    "unemployed", "writer",
]

ML100K_GENRES = [
    "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime",
    "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery",
    "Romance", "Sci-Fi", "Thriller", "War", "Western",
]



class DatasetFormatError(ValueError):
    """A line of a dataset file that cannot be read; names file, line and text."""

    def __init__(self, path: Path | str, line_no: int, text: str, reason: str):
        self.path, self.line_no, self.text, self.reason = Path(path), line_no, text, reason
        shown = text if len(text) <= 200 else text[:200] + "…"
        super().__init__(f"{path}:{line_no}: {reason}: {shown!r}")


class UnknownFormatError(ValueError):
    """A folder that matches none of the supported MovieLens layouts."""
