"""The first pages and the admin, through Django's test client."""
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from re_sys.models import DatasetImport, Genre, Movie, Rating, Tag, Viewer
from tests import datasets

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(tmp_path):
    call_command("import_movielens", str(datasets.write_latest(tmp_path / "ds")), verbosity=0)


def test_home_lists_movies_most_rated_first(client, imported):
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    listing = page[page.index('id="all-movies"'):]
    assert listing.index("Toy Story") < listing.index("Café au lait")
    assert "3 ratings" in listing


def test_home_paginates_and_tolerates_junk_page_numbers(client, imported, settings):
    Movie.objects.bulk_create([Movie(id=100 + i, title=f"Filler {i}") for i in range(50 - Movie.objects.count())])
    first = client.get("/").content.decode()
    assert "Page 1 of 3" in first  # 24 to a page on the home page: 50 movies fill three
    assert client.get("/?page=2").status_code == 200
    assert client.get("/?page=999999").status_code == 200
    assert client.get("/?page=abc").status_code == 200


def test_home_query_count_does_not_grow_with_movies(client, imported, django_assert_num_queries):
    # hot sample (ids, movies, genres), the page (count, movies, genres), genre links, dataset,
    # whether any Chinese titles exist (the search label)
    with django_assert_num_queries(9):
        client.get("/")
    comedy = Genre.objects.get(name="Comedy")
    Movie.objects.bulk_create([Movie(id=100 + i, title=f"Filler {i}", rating_count=5, rating_mean=4)
                               for i in range(30)])
    for movie in Movie.objects.filter(pk__gte=100):
        movie.genres.add(comedy)
    with django_assert_num_queries(9):
        client.get("/")


def test_empty_database_explains_what_to_do(client):
    assert "import_movielens" in client.get("/").content.decode()


def test_movie_genre_and_profile_pages(client, imported):
    assert "Toy Story" in client.get("/movies/1/").content.decode()
    assert client.get("/movies/999/").status_code == 404
    assert "Comedy movies" in client.get("/genres/Comedy/").content.decode()
    assert client.get("/genres/Nope/").status_code == 404
    assert "Viewer 1" in client.get("/users/1/").content.decode()
    assert client.get("/users/999/").status_code == 404


def test_titles_are_escaped(client, imported):
    Movie.objects.filter(pk=1).update(title="<script>alert(1)</script>")
    page = client.get("/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.fixture
def admin_client_with_data(client, imported):
    user = get_user_model().objects.create_superuser("admin", "a@example.com", "pw-Admin-123")
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", [Movie, Viewer, Rating, Genre, Tag, DatasetImport])
def test_admin_pages_answer_for_a_superuser(admin_client_with_data, model):
    meta = model._meta
    changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
    assert admin_client_with_data.get(changelist).status_code == 200
    assert admin_client_with_data.get(changelist + "?q=Toy").status_code == 200
    obj = model.objects.first()
    change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    assert admin_client_with_data.get(change).status_code == 200


def test_admin_filters_and_paginated_rating_inline(admin_client_with_data):
    client = admin_client_with_data
    assert client.get(reverse("admin:re_sys_movie_changelist") + "?genre=Comedy").status_code == 200
    assert client.get(reverse("admin:re_sys_viewer_changelist") + "?gender__exact=M").status_code == 200
    assert client.get(reverse("admin:re_sys_rating_changelist") + "?stars__exact=4.5").status_code == 200
    viewer = Viewer.objects.get(pk=1)
    movies = [Movie(id=200 + i, title=f"M{i}") for i in range(25)]
    Movie.objects.bulk_create(movies)
    Rating.objects.bulk_create([Rating(viewer=viewer, movie=m, stars=3, timestamp=1) for m in movies])
    page = client.get(reverse("admin:re_sys_viewer_change", args=[1])).content.decode()
    assert "page 1 of 2" in page
    page2 = client.get(reverse("admin:re_sys_viewer_change", args=[1]) + "?rating_page=2")
    assert page2.status_code == 200 and "page 2 of 2" in page2.content.decode()


def test_admin_is_for_staff_only(client, imported):
    response = client.get(reverse("admin:re_sys_movie_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.parametrize("folder, shown", [("ml-100k", "MovieLens 100K"), ("ml-1m", "MovieLens 1M"),
                                           ("my-own-ratings", "my-own-ratings")])
def test_the_home_page_names_the_dataset_as_people_do(client, folder, shown):
    DatasetImport.objects.create(name=folder, format="ml-100k", source="/x", fingerprint="0" * 64,
                                 movies=1682, viewers=943, ratings=100000)
    page = client.get("/").content.decode()
    assert f"{shown}: 1,682 movies, 943 viewers, 100,000 ratings." in page
    assert folder == shown or f"{folder}:" not in page
