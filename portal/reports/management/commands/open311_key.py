"""Issue an Open311 key to a partner app and print it, and nothing else."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from portal.reports.services import open311_key_create


class Command(BaseCommand):
    help = "Issue an Open311 API key for a partner app; prints the key only (stored hashed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="The partner app's name")

    def handle(self, *args: Any, **options: Any) -> None:
        _key, raw = open311_key_create(name=options["name"])
        self.stdout.write(raw)
