"""`manage.py mqtt_ingest`: take readings that devices publish over MQTT (see `sensors.mqtt`)."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.collector import collector_tune
from sensors.mqtt import SHARE_GROUP, MqttIngest, shared_topic

MANAGE_PY = Path(__file__).resolve().parents[3] / "manage.py"


class Command(BaseCommand):
    help = (
        "Subscribe to devices/+/readings on MQTT_URL (as a shared subscription) and ingest what "
        "devices publish; --processes N runs N subscribers that share the load."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--client-id",
            default="livinglab-mqtt-ingest",
            help="MQTT client id; the broker keeps this id's session, so keep it fixed. With "
            "--processes N the subscribers are <client-id>-1 to <client-id>-N.",
        )
        parser.add_argument(
            "--group",
            default=SHARE_GROUP,
            help="the shared subscription's group; every subscriber of one group gets a share "
            "of the messages, each message going to one of them",
        )
        parser.add_argument(
            "--processes",
            type=int,
            default=1,
            help="subscriber processes to run, each with its own database connection (about "
            "one per core)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.MQTT_URL:
            raise CommandError("MQTT_URL is not set; it names the broker, e.g. mqtt://127.0.0.1")
        processes: int = options["processes"]
        if processes < 1:
            raise CommandError("--processes must be at least 1.")
        if processes > 1:
            self._supervise(
                client_ids=[f"{options['client_id']}-{n}" for n in range(1, processes + 1)],
                group=options["group"],
            )
            return
        ingest = MqttIngest(
            url=settings.MQTT_URL, client_id=options["client_id"], group=options["group"]
        )
        collector_tune()
        self.stdout.write(f"Listening on {ingest.topic} at {settings.MQTT_URL}")

        def announce() -> None:
            # Messages published before the first subscription of a shared group reach no one.
            if ingest.subscribed.wait():
                self.stdout.write(f"Subscribed as {options['client_id']}")
                self.stdout.flush()

        threading.Thread(target=announce, daemon=True).start()
        try:
            ingest.run()
        except KeyboardInterrupt:
            ingest.stop()
        if ingest.failed.is_set():
            raise CommandError("A message could not be stored; it stays with the broker.")

    def _supervise(self, *, client_ids: list[str], group: str) -> None:
        """Run one subscriber process per client id until one of them stops, then stop them all.

        A subscriber stops on its own only when the database cannot be written; its messages
        stay with the broker. Stopping the others too lets this command's own supervisor restart
        the whole set, as it would restart a single subscriber.
        """
        children = [
            subprocess.Popen(  # noqa: S603 - this interpreter running this project's manage.py.
                [
                    sys.executable,
                    str(MANAGE_PY),
                    "mqtt_ingest",
                    "--client-id",
                    client_id,
                    "--group",
                    group,
                ]
            )
            for client_id in client_ids
        ]
        self.stdout.write(
            f"Listening on {shared_topic(group)} at {settings.MQTT_URL} "
            f"with {len(children)} processes"
        )

        def forward(signum: int, frame: FrameType | None) -> None:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signum)

        signal.signal(signal.SIGTERM, forward)
        signal.signal(signal.SIGINT, forward)
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        forward(signal.SIGTERM, None)
        for child in children:
            child.wait()
        if any(child.returncode not in (0, -signal.SIGTERM, -signal.SIGINT) for child in children):
            raise CommandError(
                "A subscriber stopped with an error; its messages stay with the broker."
            )
