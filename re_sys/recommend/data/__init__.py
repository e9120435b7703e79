"""Data: MovieLens readers and download, the DataSet the models read, titles.

`movielens` reads every supported folder format with line-level errors,
`download` fetches and unpacks GroupLens releases (or the offline mirror),
`dataset` encodes ratings, movies and viewers as the integer arrays the
models take, and `titles` turns stored titles into the ones people write.
"""
from .dataset import DataSet, Split
from .movielens import DatasetFormatError, MovieLensData, detect_format, read_dataset

__all__ = ["DataSet", "DatasetFormatError", "MovieLensData", "Split", "detect_format", "read_dataset"]
