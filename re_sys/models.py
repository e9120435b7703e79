"""What people rated: movies, genres, viewers, ratings, tags, and which dataset is loaded."""
from datetime import datetime, timezone

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_noop

from .recommend.data.movielens import AGE_GROUPS
from .recommend.data.titles import display_title
from .search import search_normalise

HALF_STARS = [x / 2 for x in range(1, 11)]


def movie_search_text(title: str, title_zh: str = "") -> str:
    return search_normalise(f"{title} {title_zh}")[:610]


class Genre(models.Model):
    name = models.CharField(max_length=40, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("re_sys:genre", args=[self.name])


class Movie(models.Model):
    # The MovieLens movie id is the primary key: URLs, CSV files and the model
    # all speak in those ids, so no second id is needed.
    id = models.PositiveIntegerField(primary_key=True, verbose_name="MovieLens id")
    title = models.CharField(max_length=300, db_index=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True, db_index=True)
    genres = models.ManyToManyField(Genre, related_name="movies", blank=True)
    imdb_id = models.CharField("IMDb id", max_length=20, blank=True)
    tmdb_id = models.PositiveIntegerField("TMDb id", null=True, blank=True)
    # Filled by `fetch_posters` (see DoubanLookup), never on a page's request path.
    title_zh = models.CharField("Chinese title", max_length=300, blank=True)
    poster = models.CharField(max_length=300, blank=True,
                              help_text="Path under MEDIA_ROOT of the cached poster.")
    # Denormalised for listing and sorting without aggregating a million rows
    # per page view; refreshed by the importer and by every rating write.
    rating_count = models.PositiveIntegerField(default=0, db_index=True)
    rating_mean = models.FloatField(null=True, blank=True)
    # Both titles, lower-cased and without accents, for search (see re_sys/search.py).
    search_text = models.CharField(max_length=610, blank=True, editable=False)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.display_title} ({self.year})" if self.year else self.display_title

    @property
    def display_title(self) -> str:
        """'The Usual Suspects' for the stored 'Usual Suspects, The' (the form that sorts well)."""
        return display_title(self.title)

    def save(self, *args, **kwargs):
        self.search_text = movie_search_text(self.title, self.title_zh)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        from .links import movie_link

        return movie_link("re_sys:movie", self.id)


class Viewer(models.Model):
    """A MovieLens user, or a person who signed up on the site (then `user` is set)."""

    # Labels are marked for the catalogue and translated where shown (vocabulary.word,
    # the forms): lazy labels in choices would only move into migrations.
    GENDERS = [("M", gettext_noop("Male")), ("F", gettext_noop("Female")), ("", gettext_noop("Unknown"))]
    # Which recommender orders the viewer's "for you" list (MovieLens.org lets
    # its members pick too); every choice still excludes rated and hidden movies.
    BLEND, TEXT_CNN, ITEM_TO_ITEM, ALS, POPULAR = "blend", "text-cnn", "item-to-item", "als", "popular"
    # What people read in the menu: what each choice does, not the algorithm's name.
    RECOMMENDERS = [(BLEND, gettext_noop("Everything together (recommended)")),
                    (TEXT_CNN, gettext_noop("Titles and genres like the ones you rate highly")),
                    (ITEM_TO_ITEM, gettext_noop("Movies rated alongside your favourites")),
                    (ALS, gettext_noop("What viewers with tastes like yours enjoyed")),
                    (POPULAR, gettext_noop("Popular with everyone"))]

    id = models.PositiveIntegerField(primary_key=True, verbose_name="MovieLens user id")
    gender = models.CharField(max_length=1, choices=GENDERS, blank=True)
    age_group = models.PositiveSmallIntegerField(choices=sorted(AGE_GROUPS.items()),
                                                 null=True, blank=True)
    occupation = models.CharField(max_length=40, blank=True)
    zip_code = models.CharField(max_length=20, blank=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="viewer")
    recommender = models.CharField(max_length=20, choices=RECOMMENDERS, default=BLEND)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"Viewer {self.id}" + (f" ({self.user})" if self.user_id else "")

    def get_absolute_url(self):
        return reverse("re_sys:profile", args=[self.id])


class Rating(models.Model):
    viewer = models.ForeignKey(Viewer, on_delete=models.CASCADE, related_name="ratings")
    movie = models.ForeignKey(Movie, on_delete=models.CASCADE, related_name="ratings")
    stars = models.FloatField(choices=[(s, f"{s:g}") for s in HALF_STARS])
    timestamp = models.PositiveIntegerField(help_text="Seconds since 1970, as MovieLens stores it.")

    class Meta:
        ordering = ["-timestamp"]
        constraints = [
            models.UniqueConstraint(fields=["viewer", "movie"], name="one_rating_per_viewer_movie"),
            models.CheckConstraint(condition=models.Q(stars__in=HALF_STARS),
                                   name="stars_in_half_steps"),
        ]
        indexes = [models.Index(fields=["movie", "stars"])]

    def __str__(self):
        return f"{self.viewer_id} → {self.movie_id}: {self.stars:g}★"

    @property
    def rated_at(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp, tz=timezone.utc)


class MovieMark(models.Model):
    """A viewer's own list entry: saved for later, or never to be recommended again."""

    WATCHLIST, HIDDEN = "watchlist", "hidden"
    KINDS = [(WATCHLIST, "Watchlist"), (HIDDEN, "Hidden")]

    viewer = models.ForeignKey(Viewer, on_delete=models.CASCADE, related_name="marks")
    movie = models.ForeignKey(Movie, on_delete=models.CASCADE, related_name="marks")
    kind = models.CharField(max_length=10, choices=KINDS)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "movie"]
        constraints = [models.UniqueConstraint(fields=["viewer", "movie", "kind"],
                                               name="one_mark_per_viewer_movie_kind")]

    def __str__(self):
        return f"{self.viewer_id} {self.kind} {self.movie_id}"


class Tag(models.Model):
    viewer = models.ForeignKey(Viewer, on_delete=models.CASCADE, related_name="tags")
    movie = models.ForeignKey(Movie, on_delete=models.CASCADE, related_name="tags")
    tag = models.CharField(max_length=255)
    timestamp = models.PositiveIntegerField()

    class Meta:
        ordering = ["movie", "tag"]

    def __str__(self):
        return self.tag


class DoubanLookup(models.Model):
    """What the Douban scraper learnt about one movie, and how its last attempt went.

    A row exists once a movie has been tried (or queued by hand); `fetch_posters`
    takes movies without one first, then `pending` ones, and with
    `--retry-failed` the errors.
    """

    PENDING, FOUND, NOT_FOUND, ERROR = "pending", "found", "not_found", "error"
    STATUSES = [(PENDING, "Pending"), (FOUND, "Found"), (NOT_FOUND, "Not found"), (ERROR, "Error")]

    movie = models.OneToOneField(Movie, on_delete=models.CASCADE, primary_key=True,
                                 related_name="douban")
    status = models.CharField(max_length=10, choices=STATUSES, default=PENDING, db_index=True)
    douban_id = models.CharField(
        "Douban id", max_length=20, blank=True,
        help_text="Set by hand to fix a wrong or missing match; the next fetch uses it.")
    douban_rating = models.FloatField(null=True, blank=True)
    poster_url = models.URLField(max_length=500, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["movie"]
        verbose_name = "Douban lookup"

    def __str__(self):
        return f"{self.movie}: {self.get_status_display()}"

    @property
    def douban_url(self) -> str:
        return f"https://movie.douban.com/subject/{self.douban_id}/" if self.douban_id else ""


class DatasetImport(models.Model):
    """Which dataset the database holds: one per database keeps ids meaningful."""

    name = models.CharField(max_length=100, help_text="The dataset folder's name.")
    format = models.CharField(max_length=20)
    source = models.CharField(max_length=500)
    fingerprint = models.CharField(max_length=64, help_text="sha256 of the files read.")
    movies = models.PositiveIntegerField()
    viewers = models.PositiveIntegerField()
    ratings = models.PositiveIntegerField()
    tags = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField(auto_now_add=True)

    @property
    def title(self) -> str:
        """The dataset as people name it ("MovieLens 100K"), not its folder ("ml-100k")."""
        from .recommend.data.download import release_title

        return release_title(self.name)

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self):
        return f"{self.name} ({self.format}), {self.ratings:,} ratings"


class AccountName(models.Model):
    """An account's username in canonical form (NFKC, case-folded), unique across accounts.

    Sign-up refuses a name whose canonical form is taken, sign-in finds the
    account by it, and the sign-in lock counts by it: `ａdmin`, `Admin` and
    `admin` are one account at every door (re_sys/services/signin.py).
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True,
                                related_name="account_name")
    key = models.CharField(max_length=300, unique=True)

    def __str__(self):
        return self.key


class SignInCounter(models.Model):
    """Sign-in attempts counted for one canonical username or one client address.

    Kept in the database, not the cache, so that every worker process sees
    one count and a row lock makes each attempt's reservation atomic.
    """

    key = models.CharField(max_length=100, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    window_start = models.FloatField(help_text="Seconds since 1970 when the window began.")

    def __str__(self):
        return f"{self.key}: {self.count}"


class ApiToken(models.Model):
    """A member's key for scripts (`Authorization: Bearer …`); only its SHA-256 is stored.

    The token is shown once, when made; `prefix` (its first characters) lets
    the member tell their tokens apart afterwards. Deleting the row revokes it.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=60)
    prefix = models.CharField(max_length=12, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"
