"""`manage.py device_token <device-id>`: issue a new token for a device and print it.

Only the token is printed, on a line of its own, so provisioning scripts can capture it. It is
not stored and cannot be shown again; earlier tokens of the device stay valid until revoked.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sensors.models import Device
from sensors.services.credentials import device_credential_issue


class Command(BaseCommand):
    help = "Issue a new token for a device and print it (it is shown only this once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("device_id", type=int, help="The id of the device.")

    def handle(self, *args: Any, **options: Any) -> None:
        device = Device.objects.filter(pk=options["device_id"]).first()
        if device is None:
            raise CommandError(f"There is no device with id {options['device_id']}.")
        if device.status == Device.Status.RETIRED:
            raise CommandError(f"Device {device.pk} ({device.name}) is retired.")
        _credential, token = device_credential_issue(device=device)
        self.stdout.write(token)
