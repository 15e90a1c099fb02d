"""Alerts: rules on the newest readings (from `sensors.bands`), and devices gone silent.

An alert opens when the newest reading of its metric is at or above the lowest value of its
band, and closes when a newer reading is below it. A device not heard from for
`SENSORS_SILENT_AFTER` seconds gets a "device silent" alert, closed when it speaks again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.arrays import array_literal
from sensors.bands import ALERT_RULES, AlertRule, alert_text
from sensors.live.messages import alert_payload
from sensors.live.push import push_on_commit
from sensors.models import Alert, Device, Metric, Reading

NEWEST_VALUES_SQL = """
SELECT s.device_id, s.metric_id,
       (SELECT r.value FROM sensors_reading r
         WHERE r.device_id = s.device_id AND r.metric_id = s.metric_id
         ORDER BY r.time DESC LIMIT 1)
FROM unnest(%s::bigint[], %s::bigint[]) AS s(device_id, metric_id)
"""


def _newest_values(pairs: list[tuple[int, int]]) -> dict[tuple[int, int], float]:
    """The newest stored value of each (device, metric)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                NEWEST_VALUES_SQL,
                [
                    array_literal(device_id for device_id, _m in pairs),
                    array_literal(metric_id for _d, metric_id in pairs),
                ],
            )
            return {
                (device_id, metric_id): value
                for device_id, metric_id, value in cursor.fetchall()
                if value is not None
            }
    newest = {}
    for device_id, metric_id in pairs:
        value = (
            Reading.objects.filter(device_id=device_id, metric_id=metric_id)
            .order_by("-time")
            .values_list("value", flat=True)
            .first()
        )
        if value is not None:
            newest[(device_id, metric_id)] = value
    return newest


def alerts_evaluate(
    *, metrics: dict[int, Metric], touched: Iterable[tuple[int, int]], now: dt.datetime
) -> list[Alert]:
    """Open and close the reading-based alerts of the (device, metric) pairs a batch touched.

    Each rule looks at the newest stored reading of its metric, so a late batch of old readings
    does not reopen an alert that newer readings closed. Returns the alerts that changed.
    """
    rules_of: dict[int, list[AlertRule]] = {}
    for metric_id, metric in metrics.items():
        rules = [rule for rule in ALERT_RULES if rule.metric == metric.code]
        if rules:
            rules_of[metric_id] = rules
    pairs = sorted(pair for pair in set(touched) if pair[1] in rules_of)
    if not pairs:
        return []
    newest = _newest_values(pairs)
    # Only the keys: on a dust day most devices have alerts open, and few of them close.
    open_alerts = {
        (device_id, rule): pk
        for pk, device_id, rule in Alert.objects.filter(
            device_id__in_array={device_id for device_id, _metric_id in pairs},
            rule__in=[rule.rule for rule in ALERT_RULES],
            closed_at__isnull=True,
        ).values_list("pk", "device_id", "rule")
    }
    # Written in one statement each, whatever the number: on a day when dust crosses a band
    # across the city, a group of a thousand messages opens and closes hundreds of alerts.
    opened: list[Alert] = []
    closing: list[int] = []
    for device_id, metric_id in pairs:
        value = newest.get((device_id, metric_id))
        if value is None:
            continue
        for rule in rules_of[metric_id]:
            alert = open_alerts.get((device_id, rule.rule))
            if value >= rule.threshold and alert is None:
                metric = metrics[metric_id]
                opened.append(
                    Alert(
                        device_id=device_id,
                        metric=metric,
                        rule=rule.rule,
                        level=rule.level,
                        value=value,
                        message=alert_text(rule, value=value, unit=metric.unit),
                        opened_at=now,
                    )
                )
            elif value < rule.threshold and alert is not None:
                closing.append(alert)
    closed: list[Alert] = []
    if closing:
        Alert.objects.filter(pk__in=closing).update(closed_at=now)
        closed = list(Alert.objects.filter(pk__in=closing).select_related("metric"))
    if opened:
        # The primary keys come back on PostgreSQL and SQLite alike; the live feeds need them.
        opened = Alert.objects.bulk_create(opened)
    return opened + closed


def silent_alerts_close(*, device_ids: Iterable[int], now: dt.datetime) -> list[Alert]:
    """Close the "device silent" alerts of devices just heard from; returns those closed."""
    alerts = list(
        Alert.objects.filter(
            device_id__in_array=list(device_ids),
            rule=Alert.Rule.DEVICE_SILENT,
            closed_at__isnull=True,
        )
    )
    if alerts:
        Alert.objects.filter(pk__in=[alert.pk for alert in alerts]).update(closed_at=now)
        for alert in alerts:
            alert.closed_at = now
    return alerts


@transaction.atomic
def devices_check_silent(*, now: dt.datetime | None = None) -> list[Alert]:
    """Open "device silent" alerts for active devices not heard from lately; close stale ones.

    Devices never heard from are not silent: they have not been switched on yet. Every open
    alert of a device no longer active (in maintenance, retired) closes too.
    """
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.SENSORS_SILENT_AFTER)
    changed: list[Alert] = []
    already = Alert.objects.filter(rule=Alert.Rule.DEVICE_SILENT, closed_at__isnull=True)
    silent = (
        Device.objects.filter(status=Device.Status.ACTIVE, last_seen_at__lt=cutoff)
        .exclude(pk__in=already.values("device_id"))
        .select_for_update(skip_locked=True)
    )
    for device in silent:
        assert device.last_seen_at is not None  # noqa: S101 - filtered above.
        minutes = int((now - device.last_seen_at).total_seconds() // 60)
        alert = Alert.objects.create(
            device=device,
            rule=Alert.Rule.DEVICE_SILENT,
            level=Alert.Level.WARNING,
            message=_("No readings for %(minutes)d minutes.") % {"minutes": minutes},
            opened_at=now,
        )
        alert.device = device
        changed.append(alert)
    recovered = already.filter(device__last_seen_at__gte=cutoff)
    # A device taken out of service measures nothing more, so nothing would ever close its
    # alerts: they close with the service.
    out_of_service = Alert.objects.filter(closed_at__isnull=True).exclude(
        device__status=Device.Status.ACTIVE
    )
    for alert in (recovered | out_of_service).select_related("device", "metric"):
        alert.closed_at = now
        alert.save(update_fields=["closed_at"])
        changed.append(alert)
    push_on_commit(alerts=[alert_payload(alert) for alert in changed])
    return changed
