from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import admin, messages
from django.db.models import Count, ForeignKey, Model, Q, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from pilots.permissions import pilots_managed_by, user_sees_every_pilot
from portal.cache import CachedPagesAdmin, Scope
from portal.translation_admin import TranslatedAdmin
from sensors.models import (
    Alert,
    Device,
    DeviceCredential,
    HourRollup,
    IngestBatch,
    Metric,
    Reading,
    ReadingCorrection,
)
from sensors.services.credentials import device_credential_issue, device_credentials_revoke


@admin.register(Metric)
class MetricAdmin(CachedPagesAdmin[Metric], TranslatedAdmin[Metric]):
    cache_scopes = (Scope.DEVICES,)
    list_display = ["code", "name_ko", "name_en", "unit", "min_value", "max_value"]
    search_fields = ["code", "name_ko", "name_en"]


DeviceOwned = TypeVar("DeviceOwned", bound=Model)


class ManagedDevicesAdmin(admin.ModelAdmin[DeviceOwned]):
    """An admin of devices or of what belongs to them, scoped to the pilots the user manages.

    Staff see every device; a pilot manager sees, and may change, only the devices of the pilots
    they manage, with everything that hangs off them. Objects outside that scope do not exist for
    them: lists leave them out, and their change pages answer as for a missing object.
    """

    # The path from the admin's model to its device, "" when the model is the device.
    device_path = "device"

    def get_queryset(self, request: HttpRequest) -> QuerySet[DeviceOwned]:
        queryset = super().get_queryset(request)
        if user_sees_every_pilot(request.user):
            return queryset
        prefix = f"{self.device_path}__" if self.device_path else ""
        return queryset.filter(**{f"{prefix}pilot__in": pilots_managed_by(request.user)})


class DeviceCredentialInline(admin.TabularInline[DeviceCredential, Device]):
    """Credentials are issued by the device action, which shows the token; here they are read."""

    model = DeviceCredential
    extra = 0
    can_delete = False
    fields = ["prefix", "label", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "label", "created_at", "last_used_at", "revoked_at"]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Device)
class DeviceAdmin(CachedPagesAdmin[Device], ManagedDevicesAdmin[Device], TranslatedAdmin[Device]):
    cache_scopes = (Scope.DEVICES,)
    list_display = [
        "name",
        "kind",
        "district",
        "pilot",
        "visibility",
        "status",
        "last_seen_at",
        "active_credentials",
        "open_alerts",
    ]
    list_filter = ["kind", "status", "visibility", "district"]
    search_fields = [
        "name",
        "display_name_ko",
        "display_name_en",
        "pilot__title_ko",
        "pilot__title_en",
    ]
    list_select_related = ["district", "pilot"]
    autocomplete_fields = ["pilot"]
    readonly_fields = ["last_seen_at"]
    inlines = [DeviceCredentialInline]
    actions = ["issue_token", "revoke_tokens"]
    device_path = ""

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if (
            db_field.name == "pilot"
            and field is not None
            and not user_sees_every_pilot(request.user)
        ):
            # A manager's device belongs to one of their pilots, or they would lose sight of it.
            field.queryset = pilots_managed_by(request.user)
            field.required = True
        return field

    def get_queryset(self, request: HttpRequest) -> QuerySet[Device]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                credential_count=Count(
                    "credentials", filter=Q(credentials__revoked_at__isnull=True), distinct=True
                ),
                open_alert_count=Count(
                    "alerts", filter=Q(alerts__closed_at__isnull=True), distinct=True
                ),
            )
        )

    @admin.display(description=_("active tokens"), ordering="credential_count")
    def active_credentials(self, device: Device) -> int:
        return int(getattr(device, "credential_count", 0))

    @admin.display(description=_("open alerts"), ordering="open_alert_count")
    def open_alerts(self, device: Device) -> int:
        return int(getattr(device, "open_alert_count", 0))

    def has_issue_token_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("sensors.add_devicecredential")

    def has_revoke_tokens_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("sensors.change_devicecredential")

    @admin.action(description=_("Issue a new token (shown only once)"), permissions=["issue_token"])
    def issue_token(self, request: HttpRequest, queryset: QuerySet[Device]) -> None:
        for device in queryset.exclude(status=Device.Status.RETIRED):
            _credential, token = device_credential_issue(device=device)
            self.message_user(
                request,
                format_html(
                    "{}: <code>{}</code> — {}",
                    device.name,
                    token,
                    _("copy it now; it is not stored and cannot be shown again."),
                ),
                messages.WARNING,
            )

    @admin.action(description=_("Revoke all tokens"), permissions=["revoke_tokens"])
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet[Device]) -> None:
        revoked = device_credentials_revoke(
            credentials=DeviceCredential.objects.filter(device__in=queryset)
        )
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", revoked)
            % {"count": revoked},
        )


@admin.register(DeviceCredential)
class DeviceCredentialAdmin(ManagedDevicesAdmin[DeviceCredential]):
    list_display = ["device", "prefix", "label", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "label"]
    search_fields = ["device__name", "prefix"]
    list_select_related = ["device"]
    readonly_fields = ["device", "prefix", "label", "created_at", "last_used_at", "revoked_at"]
    fields = ["device", "prefix", "label", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A token exists only when issued through the device action or `manage.py device_token`.
        return False

    @admin.action(description=_("Revoke"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[DeviceCredential]) -> None:
        revoked = device_credentials_revoke(credentials=queryset)
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", revoked)
            % {"count": revoked},
        )


class AlertStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: object) -> list[tuple[str, str]]:
        return [("open", str(_("Open"))), ("closed", str(_("Closed")))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Alert]) -> QuerySet[Alert]:
        if self.value() == "open":
            return queryset.filter(closed_at__isnull=True)
        if self.value() == "closed":
            return queryset.filter(closed_at__isnull=False)
        return queryset


@admin.register(Alert)
class AlertAdmin(ManagedDevicesAdmin[Alert]):
    """Alerts open and close with the readings; people read them here."""

    list_display = ["device", "rule", "level", "value", "opened_at", "closed_at", "is_open"]
    list_filter = [AlertStateFilter, "rule", "level", "device__district", "device__pilot"]
    search_fields = ["device__name", "message"]
    list_select_related = ["device", "metric"]
    date_hierarchy = "opened_at"
    readonly_fields = [
        "device",
        "metric",
        "rule",
        "level",
        "value",
        "message",
        "opened_at",
        "closed_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(boolean=True, description=_("open"))
    def is_open(self, alert: Alert) -> bool:
        return alert.closed_at is None


@admin.register(IngestBatch)
class IngestBatchAdmin(ManagedDevicesAdmin[IngestBatch]):
    """Accepted batches not yet processed: a growing list means the workers are behind or down."""

    list_display = ["device", "source", "received_at", "count"]
    list_filter = ["source"]
    list_select_related = ["device"]
    fields = ["device", "source", "received_at", "count"]
    readonly_fields = ["device", "source", "received_at", "count"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # A waiting batch holds readings already acknowledged to their device.
        return False


@admin.register(HourRollup)
class HourRollupAdmin(ManagedDevicesAdmin[HourRollup]):
    list_display = ["device", "metric", "bucket", "count", "min", "max", "mean"]
    list_filter = ["metric"]
    search_fields = ["device__name"]
    list_select_related = ["device", "metric"]
    raw_id_fields = ["device"]
    date_hierarchy = "bucket"
    show_full_result_count = False


class ReadingCorrectionInline(admin.TabularInline[ReadingCorrection, Reading]):
    """The values a reading had before its device corrected it; history, never edited."""

    model = ReadingCorrection
    extra = 0
    can_delete = False
    fields = ["corrected_at", "old_value", "new_value", "source"]
    readonly_fields = ["corrected_at", "old_value", "new_value", "source"]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # Whoever may see a reading sees its history: it is part of the reading.
        return request.user.has_perm("sensors.view_reading")


@admin.register(Reading)
class ReadingAdmin(ManagedDevicesAdmin[Reading]):
    list_display = ["device", "metric", "time", "value"]
    list_filter = ["metric"]
    search_fields = ["device__name"]
    list_select_related = ["device", "metric"]
    raw_id_fields = ["device"]
    date_hierarchy = "time"
    # Counting millions of rows for the paginator would make the page unusable.
    show_full_result_count = False
    inlines = [ReadingCorrectionInline]
