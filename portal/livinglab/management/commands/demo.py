"""`manage.py demo`: migrate, seed the demo data, print a manager login and serve the portal."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from portal.livinglab import demo
from sensors import simulator as simulate


class Command(BaseCommand):
    help = "Set up the demo data (idempotently) and serve the portal on http://127.0.0.1:8000."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addrport", default="127.0.0.1:8000", help="Where to serve.")
        parser.add_argument(
            "--no-serve", action="store_true", help="Only set up the data; do not start a server."
        )
        parser.add_argument(
            "--simulated-devices",
            type=int,
            default=100,
            help="How many devices the sensor simulator drives while serving (0 for none).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("Migrating the database…")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Seeding districts, pilots, devices and a week of readings…")
        result = demo.seed()
        password = secrets.token_urlsafe(12)
        manager = demo.manager_login(password=password)
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.districts} districts, {result.pilots} pilots, {result.devices} devices, "
                f"{result.readings_added} new readings, {result.reports} reports."
            )
        )
        self.stdout.write(
            "Pilot manager login for /admin/: "
            + self.style.WARNING(f"username {manager.username}  password {password}")
        )
        if options["no_serve"]:
            return
        url = f"http://{options['addrport']}"
        simulation = None
        if options["simulated_devices"] > 0:
            # The live page moves from the first minute: simulated devices post readings over
            # HTTP with their own tokens, like real ones.
            simulation = simulate.run_in_background(
                base_url=url, devices=options["simulated_devices"]
            )
            self.stdout.write(f"Simulating {options['simulated_devices']} devices.")
        self.stdout.write(f"Serving on {url}/ (Ctrl+C to stop)")
        # The login above must be readable now, also when the output goes to a file or a pipe.
        self.stdout.flush()
        try:
            call_command("runserver", options["addrport"], use_reloader=False)
        finally:
            # Ctrl+C ends the server; the devices stop with it instead of posting into the void.
            if simulation is not None:
                simulation.stop()
