"""Mark the date a change was made on a measure's chart: a step done, or a date with a reason.
The chart works its limits out again from there once the points after it show a lasting shift."""

from __future__ import annotations

from collections.abc import Hashable

from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from ....formatting import uk_date
from ....services.errors import ServiceError, ValidationError
from ....services.plans import measure_data
from ....services.plans.measure_reading import record_change
from ...context import AppContext
from ...widgets.forms import DateEdit, Form, GuardedDialog, combo_of, report_problem

CHOOSE_DATE = -1


class ChangeDialog(GuardedDialog):
    """Pick a done step (its date and description) or choose a date and say what changed."""

    what = "change"

    def __init__(self, ctx: AppContext, measure_id: int, *, parent: QWidget | None = None) -> None:
        super().__init__(parent, "Mark a change")
        self.ctx = ctx
        self.measure_id = measure_id
        with ctx.db.reading() as session:
            measure = measure_data.get_measure(session, measure_id)
            steps = [
                (f"Step done {uk_date(s.done_on)}: {s.description}", s.id)
                for s in measure.action.steps
                if s.done_on is not None
            ]
        self.source = combo_of([("A date I choose", CHOOSE_DATE), *steps])
        self.source.setAccessibleName("What changed")
        self.changed_on = DateEdit(ctx.today())
        self.changed_on.setAccessibleName("Date of the change")
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("What changed, e.g. Protected medicines round started")
        self.reason.setAccessibleName("Reason")
        self.explain = QLabel(
            "The limits are worked out again from this date once the points after it all sit on "
            "one side of the old average (a lasting shift). The change is kept in the audit trail."
        )
        self.explain.setWordWrap(True)
        self.explain.setStyleSheet("color: #555;")
        self.form = Form()
        self.form.add_field("step", "&From:", self.source)
        self.form.add_field("changed_on", "&Date:", self.changed_on)
        self.form.add_field("reason", "&Reason:", self.reason)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.explain)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.source.currentIndexChanged.connect(self._source_chosen)
        self.resize(520, 0)
        self.mark_clean()

    def _source_chosen(self) -> None:
        # A step's own date is used; the reason may add to its description.
        self.changed_on.setEnabled(self.source.currentData() == CHOOSE_DATE)

    def state(self) -> Hashable:
        return (self.source.currentData(), self.changed_on.value(), self.reason.text())

    def save(self) -> bool:
        step = self.source.currentData()
        try:
            with self.ctx.unit_of_work() as session:
                change = record_change(
                    session,
                    self.measure_id,
                    self.changed_on.value(),
                    self.reason.text(),
                    step_id=None if step == CHOOSE_DATE else step,
                    today=self.ctx.today(),
                )
                saved = change.id
        except ValidationError as exc:
            self.show_validation(self.form, exc)
            return False
        except ServiceError as exc:
            report_problem(self, self.windowTitle(), exc)
            return False
        self.ctx.sig_data_changed.emit("measure")
        self.sig_saved.emit(saved)
        return True
