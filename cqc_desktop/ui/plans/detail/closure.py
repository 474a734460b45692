"""The closure gate panel: every condition with ✔/✘ and why; Close only when all are met (with a
manager's sign-off and rationale); Close with override (flagged everywhere); Reopen."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from ....formatting import uk_date
from ....models import Action, Person
from ....models.enums import ActionStatus, Decision, Rag
from ....services.errors import ServiceError, ValidationError
from ....services.plans import actions
from ....services.plans.closure import (
    GateFacts,
    GateResult,
    GateSettings,
    evaluate_gate,
    gate_settings,
    gather_facts,
)
from ....services.setup import people
from ...context import AppContext
from ...widgets.forms import ErrorLabel, Form, GuardedDialog, combo_of, report_problem, text_box

MET = "#1e7b34"
UNMET = "#b3261e"


class ReasonDialog(GuardedDialog):
    """Who (a manager) and why: used for Close with override and for Reopen."""

    def __init__(
        self,
        parent: QWidget | None,
        title: str,
        explanation: str,
        managers: list[tuple[str, int]],
        reason_label: str,
        what: str,
    ) -> None:
        super().__init__(parent, title)
        self.what = what
        self.explanation = QLabel(explanation)
        self.explanation.setWordWrap(True)
        self.person = combo_of(managers, blank="Choose the manager…")
        self.reason = text_box(4)
        self.form = Form()
        self.form.add_field("signed_off_by", "&Manager:", self.person, aliases=("by", "reviewer"))
        self.form.add_field("reason", reason_label, self.reason, aliases=("progress",))
        self.save_button.setText(title)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explanation)
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.resize(560, 0)
        self.on_save: object = None
        self.mark_clean()

    def state(self) -> Hashable:
        return (self.person.currentData(), self.reason.toPlainText())

    def save(self) -> bool:
        problems = {}
        if self.person.currentData() is None:
            problems["signed_off_by"] = "Choose the manager who takes responsibility."
        if not self.reason.toPlainText().strip():
            problems["reason"] = "Write the reason: it is kept with the action."
        if problems:
            self.show_validation(self.form, ValidationError(problems))
            return False
        handler = self.on_save
        assert callable(handler)
        try:
            handler(self.person.currentData(), self.reason.toPlainText())
        except ValidationError as exc:
            self.show_validation(self.form, exc)
            return False
        except ServiceError as exc:
            report_problem(self, self.windowTitle(), exc)
            return False
        return True


class ClosureGatePanel(QWidget):
    """Live gate: the manager and rationale are part of it, so ticks update as they are filled."""

    sig_changed = Signal()
    """Emitted after the action was closed or reopened."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.action_id: int | None = None
        self.status = ""
        self.seen_version: int | None = None
        self.archived = False
        self._facts: GateFacts | None = None
        self._settings = GateSettings()
        self._managers: list[tuple[str, int]] = []
        self._manager_names: dict[int, str] = {}
        self.result: GateResult | None = None

        self.state_label = QLabel()
        self.state_label.setWordWrap(True)
        self.state_label.setAccessibleName("Closure state")
        self.conditions_box = QGroupBox("Closure gate")
        # Scrolls rather than squashing the wrapped lines when the panel is short.
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        conditions = QWidget()
        scroll.setWidget(conditions)
        QVBoxLayout(self.conditions_box).addWidget(scroll)
        self.grid = QGridLayout(conditions)
        self.grid.setColumnStretch(2, 1)
        self.grid.setColumnMinimumWidth(1, 230)
        self.grid.setHorizontalSpacing(10)
        self.condition_labels: dict[str, tuple[QLabel, QLabel, QLabel]] = {}

        self.manager = combo_of([], blank="Choose the manager signing off…")
        self.manager.setAccessibleName("Signed off by")
        self.rationale = text_box(3, "Why the change is sustained (what the evidence shows)")
        self.rationale.setAccessibleName("Closure rationale")
        self.form = Form()
        self.form.add_field("sign_off", "Signed off b&y:", self.manager)
        self.form.add_field("rationale", "Rationale:", self.rationale)
        self.close_button = QPushButton("&Close action")
        self.close_button.setToolTip("Enabled when every condition of the gate is met.")
        self.override_button = QPushButton("Close with override…")
        self.override_button.setToolTip(
            "Close without full evidence: a manager records why, and the action is flagged."
        )
        self.reopen_button = QPushButton("Reopen…")
        self.error = ErrorLabel()
        self.ready_label = QLabel()
        self.ready_label.setWordWrap(True)
        self.ready_label.setStyleSheet("color: #555;")
        self.close_button.clicked.connect(self.close_action)
        self.override_button.clicked.connect(self.open_override_dialog)
        self.reopen_button.clicked.connect(self.open_reopen_dialog)
        self.manager.currentIndexChanged.connect(self._re_evaluate)
        self.rationale.textChanged.connect(self._re_evaluate)

        self.sign_off_box = QGroupBox("Sign-off")
        sign_layout = QVBoxLayout(self.sign_off_box)
        sign_layout.addLayout(self.form)
        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.override_button)
        buttons.addStretch(1)
        buttons.addWidget(self.reopen_button)
        sign_layout.addLayout(buttons)
        sign_layout.addWidget(self.error)
        sign_layout.addWidget(self.ready_label)
        sign_layout.addStretch(1)

        columns = QHBoxLayout()
        columns.addWidget(self.conditions_box, 3)
        columns.addWidget(self.sign_off_box, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.state_label)
        layout.addLayout(columns, 1)

    def load(self, session: Session, action: Action) -> None:
        today = self.ctx.today()
        if action.id != self.action_id:
            self.rationale.blockSignals(True)
            self.rationale.clear()
            self.rationale.blockSignals(False)
        self.action_id = action.id
        self.status = action.status
        self.seen_version = action.version  # closing checks that nothing changed since
        self.archived = action.archived
        self._settings = gate_settings(session)
        self._facts = gather_facts(session, action, today)
        staff = people.list_people(session, service_id=action.finding.plan.service_id)
        managers = [p for p in staff if people.is_manager(p)]
        offered = [(f"{p.name} — {p.role}", p.id) for p in managers]
        self._manager_names = {p.id: p.name for p in managers}
        # Refilled only when the managers changed: a refilled combo lays its list out again on
        # the next pass of the event loop (~6 ms a reload), and the same home's managers seldom
        # change between two actions.
        if offered != self._managers or self.manager.count() != len(offered) + 1:
            self._managers = offered
            keep = self.manager.currentData()
            self.manager.blockSignals(True)
            self.manager.clear()
            self.manager.addItem("Choose the manager signing off…", None)
            for text, pid in self._managers:
                self.manager.addItem(text, pid)
            self.manager.setCurrentIndex(max(0, self.manager.findData(keep)))
            self.manager.blockSignals(False)
        self._show_state(action)
        self._re_evaluate()

    @property
    def evidence_count(self) -> int:
        """The action's evidence and linked observations, as last read for the gate."""
        return len(self._facts.evidence) if self._facts is not None else 0

    def _show_state(self, action: Action) -> None:
        closed = action.status == ActionStatus.CLOSED
        if closed and action.closed_with_override:
            who = action.closed_by.name if action.closed_by else "a manager"
            self.state_label.setText(
                f"<span style='color:{UNMET}'><b>Closed without full evidence</b></span> on "
                f"{uk_date(action.closed_on)} by {who}. Reason: {action.override_reason}"
            )
        elif closed:
            who = action.closed_by.name if action.closed_by else "a manager"
            self.state_label.setText(
                f"<span style='color:{MET}'><b>Closed as sustained</b></span> on "
                f"{uk_date(action.closed_on)} by {who}. {action.closure_rationale}"
            )
        else:
            reopened = f" Reopened on {uk_date(action.reopened_on)}." if action.reopened_on else ""
            self.state_label.setText(
                "An action closes only when the evidence shows the change has stuck: every "
                f"condition below must be met.{reopened}"
            )
        self.sign_off_box.setEnabled(not self.archived)
        for widget in (self.manager, self.rationale, self.close_button, self.override_button):
            widget.setVisible(not closed)
        self.reopen_button.setVisible(closed)

    def _re_evaluate(self) -> None:
        if self._facts is None:
            return
        pid = self.manager.currentData()
        facts = replace(
            self._facts,
            signed_off_by=self._manager_names.get(pid) if pid is not None else None,
            signer_is_manager=pid is not None,
            rationale=self.rationale.toPlainText(),
        )
        self.result = evaluate_gate(facts, self._settings)
        self._show_conditions(self.result)
        open_action = self.status != ActionStatus.CLOSED and not self.archived
        self.close_button.setEnabled(open_action and self.result.passed)
        if not open_action:
            hint = ""
        elif self.result.passed:
            hint = "Every condition is met: Close records the sign-off and rationale."
        elif self.result.ready_for_sign_off:
            hint = "The evidence is in: choose the manager signing off and write the rationale."
        else:
            unmet = len([c for c in self.result.unmet if c.key != "sign_off"])
            hint = (
                f"{unmet} condition{'s' if unmet != 1 else ''} still unmet, so Close is not "
                "available. A manager can close with override, and the action is flagged."
            )
        self.ready_label.setText(hint)
        self.ready_label.setVisible(bool(hint))

    def _show_conditions(self, result: GateResult) -> None:
        for i, c in enumerate(result.conditions):
            if c.key not in self.condition_labels:
                mark, label, why = QLabel(), QLabel(), QLabel()
                why.setWordWrap(True)
                label.setWordWrap(True)
                mark.setStyleSheet("font-size: 14pt;")
                self.grid.addWidget(mark, i, 0, Qt.AlignmentFlag.AlignTop)
                self.grid.addWidget(label, i, 1, Qt.AlignmentFlag.AlignTop)
                self.grid.addWidget(why, i, 2, Qt.AlignmentFlag.AlignTop)
                self.condition_labels[c.key] = (mark, label, why)
            mark, label, why = self.condition_labels[c.key]
            colour = MET if c.met else UNMET
            mark.setText(f"<span style='color:{colour}'>{'✔' if c.met else '✘'}</span>")
            mark.setAccessibleName(f"{c.label}: {'met' if c.met else 'not met'}")
            label.setText(f"<b>{c.label}</b>")
            why.setText(c.why)
        self.grid.setRowStretch(len(result.conditions), 1)

    def unmet_labels(self) -> list[str]:
        return [c.label for c in self.result.unmet] if self.result else []

    # --- actions -------------------------------------------------------------------------------
    def close_action(self) -> None:
        """Close through a review (decision Close), so the timeline records the sign-off."""
        if self.action_id is None or self.result is None or not self.result.passed:
            return
        try:
            with self.ctx.unit_of_work() as session:
                actions.record_review(
                    session,
                    self.action_id,
                    review_date=self.ctx.today(),
                    reviewer_id=self.manager.currentData(),
                    progress=self.rationale.toPlainText(),
                    rag=Rag.GREEN.value,
                    decision=Decision.CLOSE.value,
                    notes="Closed through the closure gate.",
                    today=self.ctx.today(),
                    seen_version=self.seen_version,
                )
        except ValidationError as exc:
            rest = self.form.show_errors(exc.errors)
            self.error.set_error(" ".join(rest.values()))
            return
        except ServiceError as exc:
            report_problem(self, "Close action", exc)
            return
        self.rationale.clear()
        self.error.set_error("")
        self.ctx.sig_data_changed.emit("action")
        self.sig_changed.emit()

    def open_override_dialog(self) -> ReasonDialog | None:
        if self.action_id is None:
            return None
        unmet = [c.label for c in self.result.unmet if c.key != "sign_off"] if self.result else []
        dialog = ReasonDialog(
            self,
            "Close with override",
            "This closes the action although the gate is not fully met"
            + (f" (unmet: {', '.join(unmet)})" if unmet else "")
            + ". It will be flagged everywhere as “closed without full evidence”.",
            self._managers,
            "&Why:",
            "override",
        )
        dialog.person.setCurrentIndex(max(0, dialog.person.findData(self.manager.currentData())))
        action_id = self.action_id

        def run(person_id: int, reason: str) -> None:
            with self.ctx.unit_of_work() as session:
                action = actions.get_action(session, action_id)
                signer = session.get(Person, person_id)
                assert signer is not None
                actions.close_with_override(
                    session, action, signed_off_by=signer, reason=reason, today=self.ctx.today()
                )
            self.ctx.sig_data_changed.emit("action")
            self.sig_changed.emit()

        dialog.on_save = run
        dialog.open()
        return dialog

    def open_reopen_dialog(self) -> ReasonDialog | None:
        if self.action_id is None:
            return None
        dialog = ReasonDialog(
            self,
            "Reopen action",
            "Reopen when performance has slipped or new evidence contradicts the closure. "
            "The action goes back on weekly review.",
            self._managers,
            "&Why:",
            "reopening",
        )
        action_id = self.action_id

        def run(person_id: int, reason: str) -> None:
            with self.ctx.unit_of_work() as session:
                action = actions.get_action(session, action_id)
                by = session.get(Person, person_id)
                assert by is not None
                actions.reopen_action(session, action, by=by, reason=reason, today=self.ctx.today())
            self.ctx.sig_data_changed.emit("action")
            self.sig_changed.emit()

        dialog.on_save = run
        dialog.open()
        return dialog
