"""`manage.py demo`: migrate, seed the demo data, print a manager login and serve the portal."""

from __future__ import annotations

import logging
import logging.config
import secrets
import threading
import warnings
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.urls import get_resolver
from django.utils import timezone

from portal.livinglab import demo
from portal.models import User
from portal.services import backup_codes_issue
from portal.spaces import demo as spaces_demo
from sensors import simulator as simulate
from sensors.models import Alert, Reading

# Backup codes printed for each demo login: one per session in the admin.
DEMO_BACKUP_CODES = 5
# Seconds after the server starts when the logins are printed again, and between summary lines.
SUMMARY_FIRST_AFTER = 8.0
SUMMARY_EVERY = 10.0


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
        self._login_lines: list[str] = []
        self._say_login(
            "Pilot manager login for /admin/: "
            + self.style.WARNING(f"username {manager.username}  password {password}")
        )
        self._print_backup_codes(manager)
        reviewer_password = secrets.token_urlsafe(12)
        reviewer = spaces_demo.reviewer_login(password=reviewer_password)
        self._say_login(
            "Space application reviewer login for /admin/: "
            + self.style.WARNING(f"username {reviewer.username}  password {reviewer_password}")
        )
        self._print_backup_codes(reviewer)
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
        serve_like_production(options["addrport"])
        quiet_request_logs()
        calm = threading.Event()
        console = threading.Thread(
            target=self._summarise, args=(calm, url), name="demo-console", daemon=True
        )
        console.start()
        try:
            # Static files through WhiteNoise and the portal's compression, as in production,
            # rather than runserver's own handler, which sends them uncompressed.
            call_command(
                "runserver", options["addrport"], use_reloader=False, use_static_handler=False
            )
        finally:
            calm.set()
            # Ctrl+C ends the server; the devices stop with it instead of posting into the void.
            if simulation is not None:
                simulation.stop()

    def _say_login(self, line: str) -> None:
        """Print a line about logging in, and keep it to print again once the server runs."""
        self._login_lines.append(line)
        self.stdout.write(line)

    def _print_backup_codes(self, user: User) -> None:
        # The admin asks for a one-time code after the password. Each run gives the demo's
        # logins fresh single-use backup codes, so that nobody needs a phone to try the admin;
        # /accounts/two-factor/setup/ then adds an authenticator app.
        codes = backup_codes_issue(user=user, count=DEMO_BACKUP_CODES)
        self._say_login(
            "  one-time codes for its two-factor step (each works once): "
            + self.style.WARNING("  ".join(codes))
        )

    def _summarise(self, stop: threading.Event, url: str) -> None:
        """The logins again once the start-up log has scrolled past, then a line now and then.

        Instead of a line per request (dozens a second with the simulated devices), one line
        every few seconds says how many readings were stored and how many alerts are open.
        """
        try:
            if stop.wait(SUMMARY_FIRST_AFTER):
                return
            self.stdout.write(f"\nThe demo runs at {url}/ — logins (also above):")
            for line in self._login_lines:
                self.stdout.write(line)
            self.stdout.flush()
            stored = newest_reading_id()
            while not stop.wait(SUMMARY_EVERY):
                now_stored = newest_reading_id()
                self.stdout.write(
                    f"{timezone.localtime():%H:%M:%S}  {now_stored - stored:,} readings stored "
                    f"in the last {SUMMARY_EVERY:.0f} s · {open_alert_count()} open alerts"
                )
                self.stdout.flush()
                stored = now_stored
        finally:
            connection.close()


def newest_reading_id() -> int:
    """The id of the newest reading: ids grow by one per stored reading, and counting is slow."""
    return Reading.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def open_alert_count() -> int:
    return Alert.objects.filter(closed_at__isnull=True).count()


def serve_like_production(addrport: str) -> None:
    """Let the demo's server answer as production does: with the site's own error pages.

    Django shows its debug pages, in English and listing every URL, while DEBUG is on; the demo
    serves with it off. Static files still come from the apps' folders through WhiteNoise (and
    are compressed like every answer), and uploaded photos from MEDIA_ROOT, whose route the
    URLconf adds only when it is read with DEBUG on: it is read first.
    """
    get_resolver().url_patterns  # noqa: B018 - reading it builds the routes now.
    settings.DEBUG = False
    settings.WHITENOISE_USE_FINDERS = True
    # Nothing was collected into STATIC_ROOT, nor need be: WhiteNoise's warning that the
    # folder is missing would only worry a newcomer on the demo's console.
    warnings.filterwarnings("ignore", message="No directory at: ", category=UserWarning)
    host = addrport.rsplit(":", 1)[0] if ":" in addrport else "127.0.0.1"
    if host in {"0.0.0.0", "[::]", "::"}:  # noqa: S104 - the demo serves where it was asked to.
        # Served to the whole network: a phone on it reaches the demo by any of the machine's
        # addresses.
        settings.ALLOWED_HOSTS = ["*"]
    elif host.strip("[]") not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, host.strip("[]")]


# Loggers that would print a line per request and per inline task.
QUIET_LOGGERS = ("django.channels.server", "celery.app.trace")


def quiet_request_logs() -> None:
    """A line per request and per inline task would scroll the logins away within seconds.

    Errors and refusals (4xx, 5xx) are still logged. The levels go into the LOGGING setting, not
    only onto the loggers: loading the ASGI application sets Django up again, and logging's
    `dictConfig` then resets every logger below "django" that the setting does not name.
    """
    configured: dict[str, Any] = dict(settings.LOGGING)
    loggers: dict[str, Any] = dict(configured.get("loggers", {}))
    configured["loggers"] = {**loggers, **{name: {"level": "WARNING"} for name in QUIET_LOGGERS}}
    settings.LOGGING = configured
    logging.config.dictConfig(configured)
