"""Create or edit a plan: which home, where it came from, the report date and rating."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import timedelta

from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from ...formatting import uk_date
from ...models.enums import Origin
from ...services.errors import ServiceError, ValidationError
from ...services.plans import plans
from ...services.plans.codes import CODE_MAX, suggest_code
from ...services.reference import framework
from ...services.setup import people
from .. import ui_state
from ..context import AppContext
from ..widgets.forms import (
    Form,
    GuardedDialog,
    OptionalDateEdit,
    combo_of,
    report_problem,
    select_data,
    text_box,
)


class PlanDialog(GuardedDialog):
    """New plan (``plan_id`` None) or edit an existing one."""

    what = "plan"

    def __init__(
        self,
        ctx: AppContext,
        plan_id: int | None = None,
        *,
        service_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, "Edit plan" if plan_id else "New plan")
        self.ctx = ctx
        self.plan_id = plan_id
        with ctx.db.reading() as session:
            homes = [(s.name, s.id) for s in people.list_services(session)]
            plan = plans.get_plan(session, plan_id) if plan_id else None
            # Read while the session is open: a reading scope expires its objects when it ends.
            loaded = (
                (
                    plan.service_id,
                    plan.title,
                    plan.origin,
                    plan.report_date,
                    plan.rating,
                    plan.summary,
                    plan.code,
                )
                if plan is not None
                else None
            )
            self._taken = plans.taken_codes(session, plan_id)
            code_fixed = plan_id is not None and plans.code_is_fixed(session, plan_id)
        self.service = combo_of(homes, blank="Choose a care home…" if len(homes) != 1 else None)
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText("For example: CQC inspection March 2026")
        self.title_edit.setMaxLength(200)
        self.code_edit = QLineEdit()
        self.code_edit.setMaxLength(CODE_MAX)
        self.code_edit.setMaximumWidth(120)
        self.code_edit.setToolTip(
            "Starts every finding and action reference in this plan (MED-F1, MED-A2), so no two "
            "plans share a reference. It can be changed until the plan has findings."
        )
        self._code_touched = False
        self.code_edit.textEdited.connect(self._code_edited)
        self.code_note = QLabel()
        self.code_note.setStyleSheet("color: #555;")
        self.origin = combo_of([(o.value, o.value) for o in Origin])
        self.report_date = OptionalDateEdit("Report dated", ctx.today())
        self.due_label = QLabel()
        self.due_label.setStyleSheet("color: #555;")
        self.rating = combo_of([(r, r) for r in framework().ratings], blank="(none)")
        self.summary = text_box(4, "What the report or concern said, in brief")

        self.form = Form()
        self.form.add_field("service", "Care &home:", self.service)
        self.form.add_field("title", "&Title:", self.title_edit)
        self.form.add_field("code", "Plan &code:", self.code_edit)
        self.form.addRow("", self.code_note)
        self.form.add_field("origin", "&Raised from:", self.origin)
        self.form.add_field("report_date", "Report &date:", self.report_date)
        self.form.addRow("", self.due_label)
        self.form.add_field("rating", "Ra&ting given:", self.rating)
        self.form.add_field("summary", "&Summary:", self.summary)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.resize(620, 0)

        if loaded is not None:
            home, title, origin, reported, rating, summary, code = loaded
            select_data(self.service, home)
            self.title_edit.setText(title)
            self.code_edit.setText(code)
            self._code_touched = True
            self.title_edit.setCursorPosition(0)
            select_data(self.origin, origin)
            self.report_date.set_value(reported)
            select_data(self.rating, rating or None)
            self.summary.setPlainText(summary)
        else:
            # The home chosen in the list, else the one last chosen anywhere (remembered).
            home_id = service_id if service_id is not None else ui_state.last_home()
            if home_id is not None and self.service.findData(home_id) >= 0:
                select_data(self.service, home_id)
            self.report_date.set_value(ctx.today())
        if code_fixed:
            self.code_edit.setReadOnly(True)
            self.code_note.setText("Fixed: the plan's findings and actions already use it.")
        else:
            self.code_note.setText(
                "References in this plan will read like this: " + self._example()
            )
        self.title_edit.textChanged.connect(self._suggest_code)
        self.report_date.sig_changed.connect(self._show_due)
        self.origin.currentIndexChanged.connect(self._show_due)
        self._show_due()
        self.mark_clean()

    def _example(self) -> str:
        code = self.code_edit.text().strip().upper() or "…"
        return f"{code}-F1, {code}-A1."

    def _code_edited(self, _text: str) -> None:
        self._code_touched = True
        if not self.code_edit.isReadOnly():
            self.code_note.setText(
                "References in this plan will read like this: " + self._example()
            )

    def _suggest_code(self, title: str) -> None:
        if self._code_touched or self.code_edit.isReadOnly():
            return
        self.code_edit.setText(suggest_code(title, self._taken) if title.strip() else "")
        self.code_note.setText("References in this plan will read like this: " + self._example())

    def _show_due(self) -> None:
        reported = self.report_date.value()
        if reported is None:
            self.due_label.setText("")
            return
        due = reported + timedelta(days=framework().action_plan_due_days)
        is_cqc = self.origin.currentData() == Origin.CQC_INSPECTION.value
        self.due_label.setText(
            f"Action plan due to CQC by {uk_date(due)} (28 days after the report)."
            if is_cqc
            else ""
        )

    def state(self) -> Hashable:
        return (
            self.service.currentData(),
            self.title_edit.text(),
            self.code_edit.text(),
            self.origin.currentData(),
            self.report_date.value(),
            self.rating.currentData(),
            self.summary.toPlainText(),
        )

    def data(self) -> plans.PlanInput:
        return plans.PlanInput(
            service_id=self.service.currentData(),
            title=self.title_edit.text(),
            origin=self.origin.currentData() or "",
            report_date=self.report_date.value(),
            rating=self.rating.currentData() or "",
            summary=self.summary.toPlainText(),
            code=self.code_edit.text(),
        )

    def save(self) -> bool:
        data = self.data()
        try:
            with self.ctx.unit_of_work() as session:
                if self.plan_id is None:
                    plan = plans.create_plan(session, data)
                else:
                    plan = plans.update_plan(session, self.plan_id, data)
                saved_id = plan.id
        except ValidationError as exc:
            self.show_validation(self.form, exc)
            return False
        except ServiceError as exc:
            report_problem(self, self.windowTitle(), exc)
            return False
        self.plan_id = saved_id
        ui_state.remember_home(data.service_id)
        self.ctx.sig_data_changed.emit("plan")
        self.sig_saved.emit(saved_id)
        return True
