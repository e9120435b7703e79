"""Admin for every model: list columns, search, filters, ratings inline with pagination."""
from django.contrib import admin
from django.core.paginator import Paginator

from .models import DatasetImport, Genre, Movie, Rating, Tag, Viewer


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
    inlines = [RatingInline, TagInline]
    list_per_page = 50

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("genres")

    @admin.display(description="Genres")
    def genre_list(self, obj):
        return ", ".join(g.name for g in obj.genres.all())

    def get_readonly_fields(self, request, obj=None):
        # The MovieLens id is editable only when a movie is added by hand.
        return self.readonly_fields if obj else self.readonly_fields[1:]


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
