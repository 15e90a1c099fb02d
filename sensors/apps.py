from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import pre_delete
from django.utils.translation import gettext_lazy as _


def _device_deletion_lock(sender: type, instance: Any, **kwargs: Any) -> None:
    """A device is deleted holding its ingest lock, so that no group of the ingest stores
    readings of it between Django deleting them and the device (see `sensors.models.Reading`).

    Django sends this for each device in ascending primary key, the order the ingest takes its
    locks in, so a deletion and an ingest never wait for each other in a circle.
    """
    from sensors.services.processing import devices_lock

    devices_lock([instance.pk])


class SensorsConfig(AppConfig):
    name = "sensors"
    verbose_name = _("Sensors")

    def ready(self) -> None:
        from sensors import admin  # noqa: F401
        from sensors.models import Device

        pre_delete.connect(
            _device_deletion_lock, sender=Device, dispatch_uid="sensors.device_deletion_lock"
        )
