"""`manage.py mqtt_ingest`: take readings that devices publish over MQTT (see `sensors.mqtt`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sensors.mqtt import READINGS_TOPICS, MqttIngest


class Command(BaseCommand):
    help = "Subscribe to devices/+/readings on MQTT_URL and ingest what devices publish."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--client-id",
            default="livinglab-mqtt-ingest",
            help="MQTT client id; the broker keeps this id's session, so keep it fixed.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.MQTT_URL:
            raise CommandError("MQTT_URL is not set; it names the broker, e.g. mqtt://127.0.0.1")
        ingest = MqttIngest(url=settings.MQTT_URL, client_id=options["client_id"])
        self.stdout.write(f"Listening on {READINGS_TOPICS} at {settings.MQTT_URL}")
        try:
            ingest.run()
        except KeyboardInterrupt:
            ingest.client.disconnect()
        if ingest.failed.is_set():
            raise CommandError("A message could not be stored; it stays with the broker.")
