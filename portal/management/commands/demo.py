"""`manage.py demo`: migrate, seed the demo data, print a manager login and serve the portal."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from portal import demo


class Command(BaseCommand):
    help = "Set up the demo data (idempotently) and serve the portal on http://127.0.0.1:8000."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addrport", default="127.0.0.1:8000", help="Where to serve.")
        parser.add_argument(
            "--no-serve", action="store_true", help="Only set up the data; do not start a server."
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
        self.stdout.write(f"Serving on http://{options['addrport']}/ (Ctrl+C to stop)")
        call_command("runserver", options["addrport"], use_reloader=False)
