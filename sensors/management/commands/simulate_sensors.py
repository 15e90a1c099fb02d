"""`manage.py simulate_sensors`: drive N devices over HTTP or MQTT until stopped."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sensors import simulator


class Command(BaseCommand):
    help = (
        "Send realistic readings from N devices (daily cycles, rush hours, dust events, "
        "drop-outs) to the portal over HTTP or MQTT, until stopped or for --duration seconds."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--devices", type=int, default=100, help="How many devices (100).")
        parser.add_argument(
            "--interval", type=float, default=5.0, help="Seconds between a device's readings (5)."
        )
        parser.add_argument(
            "--rate",
            type=float,
            default=None,
            help="Readings per second across all devices; overrides --interval.",
        )
        parser.add_argument(
            "--duration", type=float, default=None, help="Stop after this many seconds."
        )
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000", help="The portal's base URL for HTTP."
        )
        parser.add_argument(
            "--transport", choices=["http", "mqtt"], default="http", help="How to send (http)."
        )
        parser.add_argument("--mqtt-url", default="", help="Broker URL; defaults to MQTT_URL.")
        parser.add_argument(
            "--dust-event",
            type=float,
            default=0,
            metavar="MINUTES",
            help="Start with a dust event over one to three districts, lasting this many minutes.",
        )
        parser.add_argument("--seed", type=int, default=None, help="Seed for repeatable values.")

    def handle(self, *args: Any, **options: Any) -> None:
        count: int = options["devices"]
        if count < 1:
            raise CommandError("--devices must be at least 1")
        prepared = simulator.simulated_devices_prepare(count=count)
        interval: float = options["interval"]
        if options["rate"]:
            if options["rate"] <= 0:
                raise CommandError("--rate must be positive")
            per_round = sum(len(device.metrics) for device in prepared)
            interval = per_round / options["rate"]
        if interval <= 0:
            raise CommandError("--interval must be positive")
        transport: simulator.Transport
        if options["transport"] == "mqtt":
            url = options["mqtt_url"] or settings.MQTT_URL
            if not url:
                raise CommandError("MQTT needs --mqtt-url or MQTT_URL")
            transport = simulator.MqttTransport(url)
        else:
            transport = simulator.HttpTransport(options["url"])
        sim = simulator.Simulator(
            devices=prepared, transport=transport, interval=interval, seed=options["seed"]
        )
        if options["dust_event"]:
            sim.start_dust_event(minutes=options["dust_event"])
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        self.stdout.write(
            f"Simulating {len(prepared)} devices, one round every {interval:.2f} s "
            f"over {options['transport'].upper()} (Ctrl+C to stop)…"
        )
        try:
            stats = sim.run(stop=stop, duration=options["duration"])
        except KeyboardInterrupt:
            stop.set()
            stats = sim.stats
        self.stdout.write(
            self.style.SUCCESS(
                f"Sent {stats.readings} readings in {stats.batches} batches; "
                f"{stats.failures} failed, {stats.dropouts} drop-outs, "
                f"{stats.dust_events} dust events."
            )
        )
