"""`undersign assembly new NAME --text SLUG …`, `codes SLUG N --out FILE.csv [--cards FILE.pdf]`,
`open SLUG`, `close SLUG`, `results SLUG [--format json|csv]`."""

import os
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rich.progress import track

from undersign.assemblies import services
from undersign.assemblies.models import Assembly
from undersign.assemblies.services import AssemblyError
from undersign.statements.models import Statement

# From this many codes on, the console shows a progress bar while it writes them.
PROGRESS_FROM = 200


def _write_private(path: Path, data: bytes) -> None:
    """Write a new file only its owner may read (codes are keys to the ballot); never over
    an existing one."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise CommandError(f"{path} exists already; it is not overwritten.") from None
    except OSError as error:
        raise CommandError(f"cannot write {path}: {error.strerror}") from None
    with os.fdopen(fd, "wb") as out:
        out.write(data)


class Command(BaseCommand):
    help = "Run an assembly from the console: set it up, make access codes, close voting."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        new = sub.add_parser("new", help="Set up an assembly of competing texts; prints its slug.")
        new.add_argument("name")
        new.add_argument(
            "--text",
            action="append",
            required=True,
            metavar="SLUG",
            help="a statement on the ballot (repeat for each); all of one team",
        )
        new.add_argument("--slug", default="", help="its address /a/SLUG/ (else from the name)")
        new.add_argument("--place", default="")
        new.add_argument("--languages", default="", help="e.g. ru,uk,de (cards print in the first)")
        new.add_argument("--named", action="store_true", help="named positions instead of secret")
        new.add_argument("--as", dest="user", default="", help="the organiser (for the audit log)")
        codes = sub.add_parser("codes", help="Make N access codes: a CSV and optionally cards.")
        codes.add_argument("slug")
        codes.add_argument("count", type=int)
        codes.add_argument("--out", type=Path, required=True, help="the CSV of codes (mode 0600)")
        codes.add_argument("--cards", type=Path, help="the cards to print, PDF (mode 0600)")
        codes.add_argument("--as", dest="user", default="")
        opening = sub.add_parser("open", help="Open voting.")
        opening.add_argument("slug")
        opening.add_argument("--as", dest="user", default="")
        close = sub.add_parser("close", help="Close voting for good.")
        close.add_argument("slug")
        close.add_argument("--as", dest="user", default="")
        results = sub.add_parser("results", help="The results, as JSON or CSV.")
        results.add_argument("slug")
        results.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args, **options):
        action = options["action"]
        try:
            getattr(self, f"_{action}")(options)
        except AssemblyError as error:
            raise CommandError(error.message) from None

    def _actor(self, options):
        if not options.get("user"):
            return None
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user {options['user']!r}.")
        return user

    def _assembly(self, slug: str) -> Assembly:
        assembly = Assembly.objects.filter(slug=slug).first()
        if assembly is None:
            raise CommandError(f"No assembly {slug!r}.")
        return assembly

    def _new(self, options):
        slugs = list(dict.fromkeys(options["text"]))
        statements = {s.slug: s for s in Statement.objects.filter(slug__in=slugs)}
        missing = [slug for slug in slugs if slug not in statements]
        if missing:
            raise CommandError(f"No statement {missing[0]!r}.")
        teams = {statements[slug].team_id for slug in slugs}
        if None in teams:
            raise CommandError("Every text must belong to a team; give the statement one first.")
        if len(teams) != 1:
            raise CommandError("The texts belong to different teams; an assembly has one team.")
        languages = [code.strip() for code in options["languages"].split(",") if code.strip()]
        assembly = services.create_assembly(
            name=options["name"],
            team=statements[slugs[0]].team,  # type: ignore[arg-type]
            slug=options["slug"],
            place=options["place"],
            languages=languages,
            secret=not options["named"],
            statements=[statements[slug] for slug in slugs],
            actor=self._actor(options),
        )
        self.stdout.write(assembly.slug)

    def _codes(self, options):
        from undersign.assemblies.cards import CardsUnavailable, cards_pdf, codes_csv
        from undersign.room.door import sign_in_address

        assembly = self._assembly(options["slug"])
        out: Path = options["out"]
        cards: Path | None = options["cards"]
        for path in [out, cards]:
            if path is not None and path.exists():
                raise CommandError(f"{path} exists already; it is not overwritten.")
        made = services.generate_codes(assembly, options["count"], actor=self._actor(options))
        large = len(made) >= PROGRESS_FROM

        def address(code: str) -> str:
            return sign_in_address(assembly, code)

        rows = track(made, description="Codes", transient=True) if large else made
        _write_private(out, codes_csv(list(rows), address=address).encode("utf-8"))
        if cards is not None:
            try:
                pdf = cards_pdf(
                    assembly,
                    made,
                    address=address,
                    door=sign_in_address(assembly),
                    progress=(
                        (lambda chunks, total: track(chunks, total=total, description="Cards"))
                        if large
                        else None
                    ),
                )
            except CardsUnavailable as error:
                raise CommandError(f"{error} The codes are in {out}.") from None
            _write_private(cards, pdf)
        written = f"{out}" + (f" and {cards}" if cards else "")
        self.stdout.write(
            f"{len(made)} codes (cards {made[0].number}–{made[-1].number}) written to {written}."
        )

    def _open(self, options):
        assembly = self._assembly(options["slug"])
        services.open_voting(assembly, actor=self._actor(options))
        self.stdout.write(f"Voting in {assembly.slug} is open.")

    def _close(self, options):
        assembly = self._assembly(options["slug"])
        services.close_voting(assembly, actor=self._actor(options))
        self.stdout.write(f"Voting in {assembly.slug} is closed.")

    def _results(self, options):
        import json

        from undersign.assemblies.results import assembly_results, results_csv

        assembly = self._assembly(options["slug"])
        if options["format"] == "csv":
            for line in results_csv(assembly):
                self.stdout.write(line, ending="")
        else:
            self.stdout.write(json.dumps(assembly_results(assembly), ensure_ascii=False, indent=2))
