"""Posters on pages (cached or generated) and the "looks like" row from CNN features.

The CNN runs with randomly initialised weights saved to a local file: the
test covers the pipeline (weights loading, images in, index out, served
without TensorFlow), not the quality of ImageNet features.
"""
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from re_sys.models import Genre, Movie
from re_sys.posters import genre_colour
from re_sys.recommend.serving.channels.posters import PosterIndex, save_poster_features
from tests.douban_site import poster_png

pytestmark = pytest.mark.django_db


def _movies_with_posters(media: Path):
    (media / "posters").mkdir(parents=True)
    # 1 and 2 share a poster; 3 is noise; 4 has a broken file; 5 has none.
    (media / "posters" / "1.png").write_bytes(poster_png((220, 30, 30), (120, 180)))
    (media / "posters" / "2.png").write_bytes(poster_png((220, 30, 30), (120, 180)))
    from PIL import Image
    noise = np.random.default_rng(0).integers(0, 255, (180, 120, 3), dtype=np.uint8)
    Image.fromarray(noise).save(media / "posters" / "3.png")
    (media / "posters" / "4.png").write_bytes(b"not an image")
    Movie.objects.bulk_create([Movie(id=i, title=f"Film {i}", poster=f"posters/{i}.png" if i < 5 else "")
                               for i in range(1, 6)])


@pytest.fixture(scope="module")
def random_weights(tmp_path_factory):
    from re_sys.recommend.enrich.poster_features import ARCHITECTURES, build_extractor

    path = tmp_path_factory.mktemp("weights") / "mobilenet.weights.h5"
    build_extractor(ARCHITECTURES["mobilenet_v3_small"], None).save_weights(path)
    return path


@pytest.mark.slow
def test_poster_features_feed_the_looks_like_row(settings, client, random_weights):
    _movies_with_posters(Path(settings.MEDIA_ROOT))
    out = StringIO()
    call_command("poster_features", "--weights", str(random_weights), stdout=out, stderr=StringIO())
    assert "3 posters encoded" in out.getvalue()

    index = PosterIndex.load(settings.RE_SYS_MODEL_DIR)
    assert index.movie_ids.tolist() == [1, 2, 3]
    assert index.features.shape[0] == 3
    np.testing.assert_allclose(np.linalg.norm(index.features, axis=1), 1, rtol=1e-5)
    first = index.similar(1, 2)[0]
    assert (first.movie_id, first.channel) == (2, "poster")

    page = client.get("/movies/1/").content.decode()
    assert "Looks like" in page and "Its poster looks like Film 1" in page
    assert "Looks like" not in client.get("/movies/5/").content.decode()


def test_without_weights_the_command_says_what_to_provide():
    with pytest.raises(CommandError, match="weights_mobilenet_v3_small_224_1.0_float_no_top_v2.h5"):
        call_command("poster_features")
    with pytest.raises(CommandError, match="no such weights file"):
        call_command("poster_features", "--weights", "/nonexistent/w.h5")


@pytest.mark.slow
def test_weights_of_another_architecture_are_a_clear_error(settings, random_weights):
    _movies_with_posters(Path(settings.MEDIA_ROOT))
    with pytest.raises(CommandError, match="does not hold vgg16 weights"):
        call_command("poster_features", "--arch", "vgg16", "--weights", str(random_weights),
                     stdout=StringIO(), stderr=StringIO())


def test_the_looks_like_row_reloads_when_the_index_is_rewritten(settings, client):
    Movie.objects.bulk_create([Movie(id=i, title=f"Film {i}") for i in (1, 2, 3)])
    save_poster_features(settings.RE_SYS_MODEL_DIR, [1, 2], np.array([[1.0, 0], [1, 0.1]]), "x")
    assert "Its poster looks like Film 1" in client.get("/movies/1/").content.decode()
    save_poster_features(settings.RE_SYS_MODEL_DIR, [1, 3], np.array([[1.0, 0], [1, 0.1]]), "x")
    page = client.get("/movies/1/").content.decode()
    assert 'href="/movies/3/"' in page and 'href="/movies/2/"' not in page


def test_a_cached_poster_is_shown_and_a_generated_one_stands_in(settings, client):
    media = Path(settings.MEDIA_ROOT)
    (media / "posters").mkdir(parents=True)
    (media / "posters" / "1.png").write_bytes(poster_png())
    drama = Genre.objects.create(name="Drama")
    Movie.objects.create(id=1, title="Has Poster", poster="posters/1.png")
    Movie.objects.create(id=2, title="Gone File", poster="posters/2.png")
    Movie.objects.create(id=3, title="<script>alert(1)</script> & Co", year=1995).genres.add(drama)

    assert 'src="/media/posters/1.png"' in client.get("/movies/1/").content.decode()
    assert 'src="/movies/2/poster.svg"' in client.get("/movies/2/").content.decode()
    assert client.get("/media/posters/1.png").status_code == 200

    svg = client.get("/movies/3/poster.svg")
    assert svg["Content-Type"] == "image/svg+xml" and "max-age=86400" in svg["Cache-Control"]
    body = svg.content.decode()
    assert "<script>" not in body and "&lt;script&gt;" in body
    # Drama's colour (shaded by the title), year and genre
    assert genre_colour(["Drama"], "<script>alert(1)</script> & Co") in body and "1995 · Drama" in body
    assert client.get("/movies/999/poster.svg").status_code == 404
