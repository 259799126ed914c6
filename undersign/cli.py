"""The `undersign` console command: every Django management command plus ours."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "undersign.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["undersign", *sys.argv[1:]])


if __name__ == "__main__":
    main()
