"""The `undersign` console command: every Django management command plus ours."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "undersign.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:]
    if args and not args[0].startswith("-"):
        # `undersign reconcile-counts` runs the command module reconcile_counts.
        args[0] = args[0].replace("-", "_")
    execute_from_command_line(["undersign", *args])


if __name__ == "__main__":
    main()
