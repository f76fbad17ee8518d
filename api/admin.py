"""Django admin for personnel, embeddings, pending photos and the login log."""

from django.contrib import admin, messages
from django.utils.html import format_html

from api import services
from api.models import FaceEmbedding, LoginLog, PendingEnrolment, Person


def _thumbnail(field_file, size: int = 64):
    if not field_file:
        return "—"
    return format_html('<img src="{}" style="height:{}px;border-radius:4px">', field_file.url, size)


admin.site.site_header = "Chilonzor PI — boshqaruv"
admin.site.site_title = "Chilonzor PI"
admin.site.index_title = "Boshqaruv"


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = (
        "thumbnail",
        "full_name",
        "passport",
        "position",
        "department",
        "is_active",
        "embeddings_count",
    )
    list_filter = ("is_active", "department", "position")
    search_fields = ("full_name", "passport_series", "passport_number")
    readonly_fields = ("user", "created_at", "updated_at", "thumbnail")
    actions = ["reembed_selected"]

    @admin.display(description="rasm")
    def thumbnail(self, person: Person):
        return _thumbnail(person.photo)

    @admin.display(description="vektorlar")
    def embeddings_count(self, person: Person) -> int:
        return person.embeddings.count()

    def save_model(self, request, obj: Person, form, change) -> None:
        super().save_model(request, obj, form, change)
        if "photo" in form.changed_data and obj.photo:
            obj.photo.open("rb")
            try:
                outcome = services.enrol_photo(person=obj, photo_bytes=obj.photo.read())
            finally:
                obj.photo.close()
            level = messages.SUCCESS if outcome.enrolled else messages.WARNING
            self.message_user(request, f"Yuz vektori: {outcome.reason}", level)

    def delete_model(self, request, obj: Person) -> None:
        services.delete_person(person=obj)

    def delete_queryset(self, request, queryset) -> None:
        for person in queryset:
            services.delete_person(person=person)

    @admin.action(description="Tanlanganlarning yuz vektorlarini qayta hisoblash")
    def reembed_selected(self, request, queryset) -> None:
        from api.reembed import reembed

        report = reembed(persons=queryset)
        self.message_user(request, f"Qayta hisoblandi: {report.done}, xato: {report.failed}")


@admin.register(FaceEmbedding)
class FaceEmbeddingAdmin(ReadOnlyAdmin):
    list_display = ("id", "person", "model_name", "det_score", "quality", "created_at")
    list_filter = ("model_name",)
    search_fields = ("person__full_name", "person__passport_number")
    exclude = ("embedding",)


@admin.register(LoginLog)
class LoginLogAdmin(ReadOnlyAdmin):
    list_display = (
        "login_time",
        "person",
        "method",
        "success",
        "reason",
        "confidence",
        "similarity",
        "ip_address",
        "snapshot_thumbnail",
    )
    list_filter = ("method", "success", "reason", "login_time")
    search_fields = ("person__full_name", "person__passport_number", "ip_address")
    date_hierarchy = "login_time"

    @admin.display(description="surat")
    def snapshot_thumbnail(self, log: LoginLog):
        return _thumbnail(log.snapshot, 48)


@admin.register(PendingEnrolment)
class PendingEnrolmentAdmin(admin.ModelAdmin):
    list_display = ("photo_thumbnail", "person", "det_score", "status", "created_at")
    list_filter = ("status",)
    readonly_fields = ("person", "photo", "det_score", "status", "login", "decided_at")
    actions = ["approve", "reject"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description="rasm")
    def photo_thumbnail(self, pending: PendingEnrolment):
        return _thumbnail(pending.photo)

    @admin.action(description="Tasdiqlash va yuz vektoriga qo'shish")
    def approve(self, request, queryset) -> None:
        for pending in queryset.filter(status=PendingEnrolment.Status.PENDING):
            services.approve_pending(pending=pending)

    @admin.action(description="Rad etish")
    def reject(self, request, queryset) -> None:
        for pending in queryset.filter(status=PendingEnrolment.Status.PENDING):
            services.reject_pending(pending=pending)
