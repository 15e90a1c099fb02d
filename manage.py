#!/usr/bin/env python
"""Django's command-line utility for the Living Lab Portal."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    from django.core.management import execute_from_command_line

    from portal.preflight import check_command

    # A database or Redis that cannot be used stops the command here, with one line that says
    # which and what to do, instead of a pool's traceback after its timeout.
    check_command(sys.argv)
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
