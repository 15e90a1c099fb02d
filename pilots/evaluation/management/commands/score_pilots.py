"""`manage.py score_pilots [--pilot SLUG]`: score pilots now, as the nightly task does."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from pilots.evaluation import selectors, services
from pilots.models import Pilot


class Command(BaseCommand):
    help = "Score every running and evaluating pilot against its plan (or one pilot)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--pilot", metavar="SLUG", help="score only this pilot")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["pilot"]:
            pilot = Pilot.objects.filter(slug=options["pilot"]).first()
            if pilot is None:
                raise CommandError(f"No pilot with the slug {options['pilot']!r}.")
            try:
                scorecard = services.pilot_score(pilot=pilot)
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from error
            self.stdout.write(f"{pilot.slug}: {scorecard.recommendation}")
            return
        count = services.pilots_score(pilots=selectors.pilots_to_score())
        self.stdout.write(f"Scored {count} pilots.")
