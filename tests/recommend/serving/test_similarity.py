"""'Similar movies' blends content with who rates what: sequels found, unrated films still placed."""
import numpy as np

from re_sys.recommend.serving.engine import Engine
from re_sys.recommend.serving.runs import Run
from re_sys.recommend.serving.similarity import Similarity
from tests.recommend.fake_run import two_kinds_run, with_item_channel


def _engine(tmp_path):
    # two_kinds_run: odd ids one kind of content, even ids the other. Film 1's viewers go on to film 2
    # (the other kind by content: a sequel whose words and genres differ); film 10 has no ratings.
    weights = np.zeros((10, 10), np.float32)
    weights[0, 1] = 1.0
    weights[2, 4] = weights[4, 2] = 0.2
    popularity = np.r_[np.full(9, 50.0), 0.0]
    return Engine(Run.load(with_item_channel(two_kinds_run(tmp_path / "run", n_movies=10), weights, popularity)))


def test_the_collaborative_part_finds_the_sequel_content_alone_misses(tmp_path):
    engine = _engine(tmp_path)
    assert engine.similar(1, k=1)[0].movie_id == 2
    content_only = Engine(engine.run, similarity=Similarity(collaborative_weight=0.0))
    assert 2 not in [r.movie_id for r in content_only.similar(1, k=4)]
    # Read both ways: the sequel's page leads back to the first film.
    assert engine.similar(2, k=1)[0].movie_id == 1


def test_a_film_nobody_rated_is_placed_by_its_content(tmp_path):
    engine = _engine(tmp_path)
    content_only = Engine(engine.run, similarity=Similarity(collaborative_weight=0.0))
    assert [r.movie_id for r in engine.similar(10, k=4)] == [r.movie_id for r in content_only.similar(10, k=4)]
    assert all(r.movie_id % 2 == 0 for r in engine.similar(10, k=4))      # its own kind
