"""Every printable document in one place: what to ask for, and how to make it.

The command line and the Reports tab both describe a document as a ``DocumentRequest`` and call
``generate``, so the same request always gives the same PDF whichever way it was asked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from ..config import DataLocation
from ..db import Database
from ..services.errors import ValidationError
from ..services.plans import alerts
from ..services.reporting import (
    commissioner as report_data_commissioner,
)
from ..services.reporting import (
    common as report_data,
)
from ..services.reporting import (
    docs as report_data_docs,
)
from ..services.reporting import (
    forms as report_data_forms,
)
from ..services.reporting import (
    inspection as report_data_inspection,
)
from ..services.reporting import (
    monthly as report_data_monthly,
)
from ..services.reporting.common import Period
from ..services.trust import anchors
from ..services.trust.anchors import Anchor

FORM = "form"
MONTHLY = "monthly"
PROVIDER = "provider"
INSPECTION = "inspection-pack"
COMMISSIONER = "commissioner"
ACTION_PLAN = "action-plan"
MINUTES = "minutes"

TITLES = {
    FORM: "Blank form",
    MONTHLY: "Monthly QA report",
    PROVIDER: "Provider roll-up (all homes)",
    INSPECTION: "Inspection pack",
    COMMISSIONER: "Commissioner contract-monitoring pack",
    ACTION_PLAN: "CQC action plan",
    MINUTES: "Governance minutes",
}


@dataclass(frozen=True)
class DocumentRequest:
    kind: str
    service_id: int | None = None
    form: str | None = None
    period: Period | None = None
    plan_id: int | None = None
    meeting_id: int | None = None


def _need(value: object, field: str, message: str) -> None:
    if value is None:
        raise ValidationError.single(field, message)


def generate(
    session: Session,
    request: DocumentRequest,
    *,
    today: date,
    attachments_dir: Path | None = None,
    now: datetime | None = None,
    location: DataLocation | None = None,
) -> bytes:
    """Read the data for ``request`` and lay the document out; returns the PDF."""
    now = now or datetime.now()
    kind = request.kind
    if kind == FORM:
        from .forms import render_form

        _need(request.form, "form", "Choose which form to print.")
        assert request.form is not None
        spec = report_data_forms.find_form(session, request.form)
        home = (
            report_data.get_home(session, request.service_id).name
            if request.service_id is not None
            else ""
        )
        return render_form(spec, home, now)
    if kind == PROVIDER:
        from .provider import render_provider

        _need(request.period, "month", "Choose the month.")
        assert request.period is not None
        return render_provider(
            report_data_monthly.provider_report(session, request.period, today), now
        )
    if kind == ACTION_PLAN:
        from .action_plan import render_action_plan

        _need(request.plan_id, "plan", "Choose the plan.")
        assert request.plan_id is not None
        return render_action_plan(
            report_data_docs.action_plan(session, request.plan_id, today), now
        )
    if kind == MINUTES:
        from .minutes import render_minutes

        _need(request.meeting_id, "meeting", "Choose the meeting.")
        assert request.meeting_id is not None
        return render_minutes(report_data_docs.minutes(session, request.meeting_id), now)
    _need(request.service_id, "service", "Choose the care home.")
    assert request.service_id is not None
    if kind == MONTHLY:
        from .monthly import render_monthly

        _need(request.period, "month", "Choose the month.")
        assert request.period is not None
        data = report_data_monthly.monthly_report(
            session, request.service_id, request.period, today
        )
        _anchor(location, data.audit_anchor)
        return render_monthly(data, now)
    if kind == INSPECTION:
        from .inspection import render_inspection_pack

        pack = report_data_inspection.inspection_pack(
            session, request.service_id, today, attachments_dir
        )
        _anchor(location, pack.audit_anchor)
        return render_inspection_pack(pack, now)
    if kind == COMMISSIONER:
        from .commissioner import render_commissioner

        _need(request.period, "period", "Choose the dates the pack covers.")
        assert request.period is not None
        data = report_data_commissioner.commissioner_pack(
            session, request.service_id, request.period, today
        )
        _anchor(location, data.audit_anchor)
        return render_commissioner(data, now)
    raise ValidationError.single("kind", f"There is no document called '{kind}'.")


def _anchor(location: DataLocation | None, anchor: Anchor | None) -> None:
    """The anchor printed on this document is kept beside the database too."""
    if location is not None and anchor is not None:
        anchors.append(location, anchor)


def refresh_alerts(db: Database, request: DocumentRequest, today: date) -> int:
    """Check the triggers before a monthly report, exactly as opening the dashboard does.

    The report lists the alerts raised in the month; without this, a database nobody had opened
    the dashboard on for a while would report "no alerts" while triggers had fired. Each alert is
    stored once (the scan is idempotent). Returns how many new alerts were raised; a database
    that cannot be written just now (locked by another PC) still gets its report.
    """
    if request.kind != MONTHLY:
        return 0
    try:
        with db.unit_of_work() as session:
            return alerts.scan(session, today)
    except OperationalError:
        return 0


def suggested_file_name(request: DocumentRequest, label: str = "") -> str:
    """A file name a manager would recognise, e.g. "monthly-qa-report-2026-11.pdf"."""
    parts = [TITLES.get(request.kind, request.kind)]
    if request.form:
        parts = [request.form]
    elif label:
        parts.append(label)
    if request.period is not None:
        parts.append(f"{request.period.start:%Y-%m}")
        if request.kind == COMMISSIONER:
            parts[-1] = f"{request.period.start:%Y-%m-%d}-to-{request.period.end:%Y-%m-%d}"
    if request.plan_id is not None:
        parts.append(f"plan-{request.plan_id}")
    if request.meeting_id is not None:
        parts.append(f"meeting-{request.meeting_id}")
    slug = re.sub(r"[^a-z0-9]+", "-", " ".join(parts).lower()).strip("-")
    return f"{slug or 'document'}.pdf"


def describe(request: DocumentRequest, label: str = "") -> str:
    """How the status line names a document: "Monthly QA report (Willow Court, November 2026)"."""
    details = [label] if label else [request.form] if request.form else []
    if request.period is not None:
        details.append(request.period.label)
    if request.plan_id is not None:
        details.append(f"plan {request.plan_id}")
    if request.meeting_id is not None:
        details.append(f"meeting {request.meeting_id}")
    title = TITLES.get(request.kind, request.kind)
    return f"{title} ({', '.join(details)})" if details else title
