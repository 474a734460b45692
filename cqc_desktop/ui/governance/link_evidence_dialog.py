"""Link a record (an approved minute, an audit run) to an action as evidence, in one dialog.

The record supplies the source type, the date and the description; the manager chooses the action,
whether it supports the change, and who tested it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import date

from PySide6.QtWidgets import QComboBox, QLineEdit, QVBoxLayout, QWidget
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Action, Evidence, Finding, Plan
from ...models.enums import ActionStatus, Supports
from ...services.errors import NotAllowed, ServiceError, ValidationError
from ..context import AppContext
from ..widgets.forms import Form, GuardedDialog, OptionalDateEdit, report_problem, select_data
from ..widgets.signed_in import actor_of, fill_people, muted

Link = Callable[[Session, int, str, int | None, date | None, str], Evidence]
"""(session, action id, supports, tested by, tested on, title) → the evidence saved."""


def action_choices(session: Session, service_id: int | None) -> list[tuple[int, str]]:
    """Actions at the home (every home for a provider record), open ones first."""
    stmt = (
        select(Action.id, Action.reference, Action.title, Action.status)
        .join(Finding, Action.finding_id == Finding.id)
        .join(Plan, Finding.plan_id == Plan.id)
        .where(Action.archived.is_(False))
        .order_by(Action.status == ActionStatus.CLOSED.value, Action.reference, Action.id)
    )
    if service_id is not None:
        stmt = stmt.where(Plan.service_id == service_id)
    return [
        (aid, f"{ref} {title}" + (" (closed)" if status == ActionStatus.CLOSED else ""))
        for aid, ref, title, status in session.execute(stmt)
    ]


class LinkEvidenceDialog(GuardedDialog):
    what = "evidence link"

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None,
        *,
        heading: str,
        service_id: int | None,
        default_action: int | None,
        default_title: str,
        link: Link,
    ) -> None:
        super().__init__(parent, "Link as evidence")
        self.ctx = ctx
        self.link = link
        self.evidence_id: int | None = None
        self.action = QComboBox()
        self.title = QLineEdit(default_title)
        self.title.setPlaceholderText("Leave blank for a title made from the record and its date")
        self.supports = QComboBox()
        for value in Supports:
            self.supports.addItem(value.value, value.value)
        self.tested_by = QComboBox()
        self.tested_on = OptionalDateEdit("Tested", ctx.today())
        self.form = Form()
        self.form.add_field("action_id", "&Action:", self.action)
        self.form.add_field("title", "&Title:", self.title)
        self.form.add_field("supports", "&Supports the change?", self.supports)
        self.form.add_field("tested_by", "Tested &by:", self.tested_by)
        self.form.add_field("tested_on", "Tested &on:", self.tested_on)
        with ctx.db.reading() as session:
            for aid, label in action_choices(session, service_id):
                self.action.addItem(label, aid)
            fill_people(self.tested_by, session, service_id, blank="— not tested yet —")
        select_data(self.action, default_action)
        if self.action.currentIndex() < 0 and self.action.count():
            self.action.setCurrentIndex(0)
        self.save_button.setText("&Link")
        layout = QVBoxLayout(self)
        layout.addWidget(muted(heading))
        layout.addLayout(self.form)
        layout.addStretch(1)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.resize(620, 300)
        self.mark_clean()

    def state(self) -> Hashable:
        return (
            self.action.currentData(),
            self.title.text(),
            self.supports.currentData(),
            self.tested_by.currentData(),
            self.tested_on.value(),
        )

    def save(self) -> bool:
        if self.action.currentData() is None:
            self.form.show_errors({"action_id": "Choose the action this is evidence for."})
            return False
        try:
            with self.ctx.db.unit_of_work(actor_of(self.ctx)) as session:
                evidence = self.link(
                    session,
                    int(self.action.currentData()),
                    str(self.supports.currentData()),
                    self.tested_by.currentData(),
                    self.tested_on.value(),
                    self.title.text(),
                )
                self.evidence_id = evidence.id
        except ValidationError as exc:
            self.show_validation(self.form, exc)
            return False
        except NotAllowed as exc:
            self.general_error.set_error(str(exc))
            return False
        except ServiceError as exc:
            report_problem(self, self.windowTitle(), exc)
            return False
        assert self.evidence_id is not None
        self.sig_saved.emit(self.evidence_id)
        return True
