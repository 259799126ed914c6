"""The daily digest for owners and contacts viewers who asked for it: per statement, the new
confirmed signatures, the new volunteers by city, the names moderators hid and the exports
made (who, when). Counts, never names or addresses.

Each housekeeping round claims the digests that are due (a conditional UPDATE of
`last_sent_at`, so two workers cannot both) and queues one job per person.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone
from django_tasks import task

from undersign.mailings.emails import digest_mail
from undersign.mailings.models import DigestChoice
from undersign.organisers.models import AuditEntry
from undersign.signatures.models import Signature
from undersign.statements.access import statements_for
from undersign.statements.models import Statement
from undersign.statements.texts import title_in

logger = logging.getLogger(__name__)

DAY = timedelta(days=1)
# A round every few minutes: a digest is due a little before the full day, so it does not
# slip later by a round each day.
EARLY = timedelta(minutes=30)
EXPORTS = ("contacts.export", "signatures.export")


@dataclass
class StatementDigest:
    title: str
    signatures: int = 0
    volunteers: list[tuple[str, int]] = field(default_factory=list)  # (city, count)
    hidden: int = 0
    exports: list[tuple[str, datetime, str, int]] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.signatures or self.volunteers or self.hidden or self.exports)


def digest_statements(user) -> list[Statement]:
    """The statements a person gets the digest of: those they own or see the contacts of."""
    owned = statements_for(user, "manage")
    viewed = statements_for(user, "contacts")
    return list(
        Statement.objects.filter(Q(pk__in=owned) | Q(pk__in=viewed))
        .select_related("current_revision")
        .order_by("pk")
    )


def digest_of(
    statement: Statement, since: datetime, until: datetime, language: str = ""
) -> StatementDigest:
    window = {"confirmed_at__gte": since, "confirmed_at__lt": until}
    counted = Signature.objects.filter(
        statement=statement, status=Signature.Status.CONFIRMED, **window
    )
    volunteers = (
        counted.filter(volunteer=True)
        .order_by()
        .values("city_key")
        .annotate(n=Count("id"), city=Min("city"))
        .order_by("-n", "city_key")
    )
    entries = AuditEntry.objects.filter(
        object_type=Statement._meta.label_lower,
        object_id=str(statement.pk),
        created_at__gte=since,
        created_at__lt=until,
    )
    exports = [
        (
            str((e.data or {}).get("who") or (e.actor.get_username() if e.actor else "")),
            e.created_at,
            e.action,
            int((e.data or {}).get("rows") or 0),
        )
        for e in entries.filter(action__in=EXPORTS).select_related("actor").order_by("created_at")
    ]
    return StatementDigest(
        title=str(title_in(statement, language or statement.language)),
        signatures=counted.count(),
        volunteers=[(v["city"] or "—", int(v["n"])) for v in volunteers],
        hidden=entries.filter(action="signature.hide").count(),
        exports=exports,
    )


def claim_due_digests(now: datetime | None = None) -> int:
    """Queue the digests that are due; returns how many."""
    now = now or timezone.now()
    due = DigestChoice.objects.filter(daily=True).filter(
        Q(last_sent_at__isnull=True) | Q(last_sent_at__lte=now - DAY + EARLY)
    )
    queued = 0
    for choice in due.only("pk", "user_id", "last_sent_at"):
        since = choice.last_sent_at or now - DAY
        with transaction.atomic():
            claimed = DigestChoice.objects.filter(
                pk=choice.pk, last_sent_at=choice.last_sent_at
            ).update(last_sent_at=now)
            if claimed:
                send_digest.enqueue(choice.user_id, since.isoformat(), now.isoformat())
                queued += 1
    return queued


@task()
def send_digest(user_id: int, since: str, until: str) -> str:
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return "skipped"
    start, end = datetime.fromisoformat(since), datetime.fromisoformat(until)
    choice = DigestChoice.objects.filter(user_id=user_id).first()
    language = (choice.language if choice else "") or settings.LANGUAGE_CODE
    parts = [digest_of(s, start, end, language) for s in digest_statements(user)]
    parts = [p for p in parts if not p.is_empty]
    if not parts:
        return "nothing"  # a day without news sends no mail
    context = {"parts": parts, "since": start, "until": end, "site": settings.SITE_URL}
    digest_mail(to=user.email, language=language, context=context).send()
    logger.info("digest sent to organiser %s", user_id)
    return "sent"
