"""Admin for every model: list columns, search, filters, ratings inline with pagination."""
from django.contrib import admin
from django.core.paginator import Paginator

from django.utils.html import format_html

from .forms import AdminSignInForm
from .models import ApiToken, DatasetImport, DoubanLookup, Genre, Movie, Rating, Tag, Viewer
from .services import tokens

# The admin's sign-in says "too many failed sign-ins" like the site's (the lock is the backend's).
admin.site.login_form = AdminSignInForm


class _PaginatedInline(admin.TabularInline):
    """Inline showing one page of a long related list (a movie can have 3,000 ratings)."""

    per_page = 20
    template = "admin/re_sys/paginated_tabular.html"
    extra = 0
    show_change_link = True
    can_delete = False

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        per_page, param = self.per_page, f"{self.model._meta.model_name}_page"

        class PaginatedFormSet(formset):
            def get_queryset(self):
                queryset = super().get_queryset()
                page = Paginator(queryset, per_page).get_page(request.GET.get(param))
                self.page = page
                return queryset.filter(pk__in=[r.pk for r in page.object_list])

        return PaginatedFormSet

    def has_add_permission(self, request, obj=None):
        return False


class RatingInline(_PaginatedInline):
    model = Rating
    fields = ("viewer", "movie", "stars", "timestamp")
    readonly_fields = ("viewer", "movie", "stars", "timestamp")


class TagInline(_PaginatedInline):
    model = Tag
    fields = ("viewer", "movie", "tag")
    readonly_fields = ("viewer", "movie", "tag")


class GenreFilter(admin.SimpleListFilter):
    """Genre filter listing names, without one JOIN per row of the changelist."""

    title = "genre"
    parameter_name = "genre"

    def lookups(self, request, model_admin):
        return [(g.name, g.name) for g in Genre.objects.all()]

    def queryset(self, request, queryset):
        return queryset.filter(genres__name=self.value()) if self.value() else queryset


class DoubanLookupInline(admin.StackedInline):
    model = DoubanLookup
    fields = ("status", "douban_id", "douban_rating", "poster_url", "attempts", "last_error",
              "fetched_at")
    readonly_fields = ("douban_rating", "poster_url", "attempts", "last_error", "fetched_at")
    can_delete = False
    extra = 0


def _queue_again(lookup: DoubanLookup) -> None:
    lookup.status = DoubanLookup.PENDING
    lookup.attempts = 0


@admin.register(Genre)
class GenreAdmin(admin.ModelAdmin):
    list_display = ("name",)
    search_fields = ("name",)


@admin.register(Movie)
class MovieAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "year", "genre_list", "rating_count", "rating_mean",
                    "title_zh")
    list_filter = (GenreFilter, "year")
    search_fields = ("title", "title_zh", "=id")
    readonly_fields = ("id", "imdb_id", "tmdb_id", "rating_count", "rating_mean")
    filter_horizontal = ("genres",)
    inlines = [DoubanLookupInline, RatingInline, TagInline]
    list_per_page = 50

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("genres")

    @admin.display(description="Genres")
    def genre_list(self, obj):
        return ", ".join(g.name for g in obj.genres.all())

    def get_readonly_fields(self, request, obj=None):
        # The MovieLens id is editable only when a movie is added by hand.
        return self.readonly_fields if obj else self.readonly_fields[1:]

    def save_formset(self, request, form, formset, change):
        if formset.model is DoubanLookup:
            for inline_form in formset.forms:
                if "douban_id" in inline_form.changed_data:
                    _queue_again(inline_form.instance)
        super().save_formset(request, form, formset, change)


@admin.register(DoubanLookup)
class DoubanLookupAdmin(admin.ModelAdmin):
    """The poster cache: fix a wrong or missing match by setting the Douban id by hand;
    the movie is then queued and the next `manage.py fetch_posters` fetches that subject."""

    list_display = ("movie", "status", "douban_link", "douban_rating", "attempts", "fetched_at")
    list_filter = ("status",)
    search_fields = ("movie__title", "movie__title_zh", "=movie__id", "=douban_id")
    raw_id_fields = ("movie",)
    list_select_related = ("movie",)
    readonly_fields = ("douban_rating", "poster_url", "attempts", "last_error", "fetched_at")
    actions = ["queue_again"]

    @admin.display(description="Douban")
    def douban_link(self, obj):
        if not obj.douban_id:
            return "—"
        return format_html('<a href="{}" rel="noreferrer">{}</a>', obj.douban_url, obj.douban_id)

    @admin.action(description="Fetch again with the next fetch_posters")
    def queue_again(self, request, queryset):
        count = queryset.update(status=DoubanLookup.PENDING, attempts=0)
        self.message_user(request, f"{count} movies queued; run `manage.py fetch_posters`.")

    def save_model(self, request, obj, form, change):
        if "douban_id" in form.changed_data:
            _queue_again(obj)
        super().save_model(request, obj, form, change)


@admin.register(Viewer)
class ViewerAdmin(admin.ModelAdmin):
    list_display = ("id", "gender", "age_group", "occupation", "zip_code", "user")
    list_filter = ("gender", "age_group", "occupation")
    search_fields = ("=id", "zip_code", "user__username")
    raw_id_fields = ("user",)
    inlines = [RatingInline]

    def get_readonly_fields(self, request, obj=None):
        return ("id",) if obj else ()


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ("viewer", "movie", "stars", "rated_at")
    list_filter = ("stars",)
    search_fields = ("movie__title", "=viewer__id", "=movie__id")
    raw_id_fields = ("viewer", "movie")
    list_select_related = ("movie",)
    show_full_result_count = False  # COUNT(*) over a million rows on every page is wasted


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("tag", "movie", "viewer")
    search_fields = ("tag", "movie__title")
    raw_id_fields = ("viewer", "movie")
    list_select_related = ("movie",)


@admin.register(DatasetImport)
class DatasetImportAdmin(admin.ModelAdmin):
    list_display = ("name", "format", "movies", "viewers", "ratings", "tags", "imported_at")
    readonly_fields = [f.name for f in DatasetImport._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made here for a member (shown once, in the message) and revoked by deleting them."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at")
    search_fields = ("name", "user__username", "prefix")
    fields = ("user", "name", "prefix", "created_at", "last_used_at")
    readonly_fields = ("prefix", "created_at", "last_used_at")
    raw_id_fields = ("user",)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            return
        secret = tokens.token_issue(obj)
        self.message_user(request, f"Token for {obj.user}: {secret} — copy it now; it is not shown again.")
