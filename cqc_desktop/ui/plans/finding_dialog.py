"""Create or edit a finding: what was found, which quality statements and regulation, how risky,
why it happened and what was done straight away."""

from __future__ import annotations

from collections.abc import Hashable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...models.enums import KeyQuestion, RiskArea
from ...services.errors import ServiceError, ValidationError
from ...services.plans import plans
from ...services.plans.scheduling import default_review_frequency, risk_level, risk_rag, risk_score
from ...services.reference import framework
from ..context import AppContext
from ..widgets.forms import (
    Form,
    GuardedDialog,
    combo_of,
    report_problem,
    select_data,
    text_box,
    top_aligned,
)

CODE_ROLE = Qt.ItemDataRole.UserRole + 1
RAG_COLOURS = {"Red": "#b3261e", "Amber": "#9a6700", "Green": "#1e7b34"}


def _score_spin(name: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(1, 5)
    spin.setValue(3)
    spin.setAccessibleName(name)
    spin.setToolTip("1 = rare / negligible … 5 = almost certain / catastrophic")
    return spin


class FindingDialog(GuardedDialog):
    """New finding on a plan (``finding_id`` None) or edit an existing one."""

    what = "finding"

    def __init__(
        self,
        ctx: AppContext,
        plan_id: int,
        finding_id: int | None = None,
        *,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, "Edit finding" if finding_id else "New finding")
        self.ctx = ctx
        self.plan_id = plan_id
        self.finding_id = finding_id
        fw = framework()
        self.reference = QLineEdit()
        self.reference.setPlaceholderText("Left blank: numbered F1, F2, …")
        self.reference.setMaxLength(20)
        self.title_edit = QLineEdit()
        self.title_edit.setMaxLength(200)
        self.title_edit.setPlaceholderText("What was found, in a few words")
        self.title_edit.setMinimumWidth(380)
        self.description = text_box(4, "What the report said, with examples")
        self.key_question = combo_of([(k.value, k.value) for k in KeyQuestion])
        self.statements = QListWidget()
        self.statements.setMinimumHeight(150)
        self.statements.setAccessibleName("Quality statements")
        for s in fw.statements:
            item = QListWidgetItem(f"{s.code}  {s.name}")
            item.setData(CODE_ROLE, s.code)
            item.setData(Qt.ItemDataRole.UserRole + 2, s.key_question)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setToolTip(f"{s.key_question}: {s.name}")
            self.statements.addItem(item)
        self.all_statements = QCheckBox("Show statements from every key question")
        self.regulation = combo_of(
            [(f"Reg {code} {name}", code) for code, name in fw.regulations], blank="(none)"
        )
        self.risk_area = combo_of([(r.value, r.value) for r in RiskArea])
        self.likelihood = _score_spin("Likelihood")
        self.impact = _score_spin("Impact")
        self.score_label = QLabel()
        self.score_label.setWordWrap(True)
        self.score_label.setAccessibleName("Risk score")
        self.root_cause = text_box(3, "Why it happened (the cause, not the symptom)")
        self.immediate_control = text_box(
            3, "What was put in place straight away to keep people safe"
        )

        left = Form()
        left.add_field("reference", "&Reference:", self.reference)
        left.add_field("title", "&Finding:", self.title_edit)
        left.add_field("description", "&Detail:", self.description)
        left.add_field("key_question", "&Key question:", self.key_question)
        statements = QWidget()
        col = QVBoxLayout(statements)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(self.statements)
        col.addWidget(self.all_statements)
        left.add_field("statements", "&Quality statements:", statements)
        self.statements_error = left.error_label("statements")
        right = Form()
        right.add_field("breached_regulation", "Breached re&gulation:", self.regulation)
        right.add_field("risk_area", "Risk &area:", self.risk_area)
        scores = QWidget()
        row = QHBoxLayout(scores)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Likelihood"))
        row.addWidget(self.likelihood)
        row.addSpacing(12)
        row.addWidget(QLabel("× Impact"))
        row.addWidget(self.impact)
        row.addStretch(1)
        right.add_field("likelihood", "R&isk:", scores, aliases=("impact",))
        right.addRow("", self.score_label)
        right.add_field("root_cause", "Root &cause:", self.root_cause)
        right.add_field("immediate_control", "I&mmediate control:", self.immediate_control)
        self.forms = [left, right]

        columns = QHBoxLayout()
        columns.addLayout(top_aligned(left), 1)
        columns.addSpacing(16)
        columns.addLayout(top_aligned(right), 1)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.resize(1000, 0)

        if finding_id is not None:
            self._load(finding_id)
        self.key_question.currentIndexChanged.connect(self._filter_statements)
        self.all_statements.toggled.connect(self._filter_statements)
        self.statements.itemChanged.connect(lambda _i: self._filter_statements())
        for widget in (self.likelihood, self.impact):
            widget.valueChanged.connect(self._show_score)
        self.risk_area.currentIndexChanged.connect(self._show_score)
        self._filter_statements()
        self._show_score()
        self.mark_clean()

    def _load(self, finding_id: int) -> None:
        with self.ctx.db.reading() as session:
            f = plans.get_finding(session, finding_id)
            codes = set(f.statement_codes)
            values = (
                f.reference,
                f.title,
                f.description,
                f.key_question,
                f.breached_regulation,
                f.risk_area,
                f.likelihood,
                f.impact,
                f.root_cause,
                f.immediate_control,
            )
        ref, title, desc, kq, reg, area, likelihood, impact, cause, control = values
        self.reference.setText(ref)
        self.title_edit.setText(title)
        self.title_edit.setCursorPosition(0)
        self.description.setPlainText(desc)
        select_data(self.key_question, kq)
        select_data(self.regulation, reg or None)
        select_data(self.risk_area, area)
        self.likelihood.setValue(likelihood)
        self.impact.setValue(impact)
        self.root_cause.setPlainText(cause)
        self.immediate_control.setPlainText(control)
        for i in range(self.statements.count()):
            item = self.statements.item(i)
            if item.data(CODE_ROLE) in codes:
                item.setCheckState(Qt.CheckState.Checked)

    def _filter_statements(self) -> None:
        kq = self.key_question.currentData()
        show_all = self.all_statements.isChecked()
        for i in range(self.statements.count()):
            item = self.statements.item(i)
            mine = item.data(Qt.ItemDataRole.UserRole + 2) == kq
            checked = item.checkState() == Qt.CheckState.Checked
            item.setHidden(not (show_all or mine or checked))

    def _show_score(self) -> None:
        score = risk_score(self.likelihood.value(), self.impact.value())
        rag = risk_rag(score).value
        level = risk_level(score).value.lower()
        cycle = default_review_frequency(score, self.risk_area.currentData() or "").value.lower()
        self.score_label.setText(
            f"<b style='color:{RAG_COLOURS[rag]}'>Score {score} of 25: {level} risk ({rag})</b>"
            f" — its actions will be reviewed {cycle}."
        )

    def checked_codes(self) -> list[str]:
        return [
            self.statements.item(i).data(CODE_ROLE)
            for i in range(self.statements.count())
            if self.statements.item(i).checkState() == Qt.CheckState.Checked
        ]

    def set_statements(self, codes: list[str]) -> None:
        for i in range(self.statements.count()):
            item = self.statements.item(i)
            checked = item.data(CODE_ROLE) in codes
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def state(self) -> Hashable:
        return (
            self.reference.text(),
            self.title_edit.text(),
            self.description.toPlainText(),
            self.key_question.currentData(),
            tuple(self.checked_codes()),
            self.regulation.currentData(),
            self.risk_area.currentData(),
            self.likelihood.value(),
            self.impact.value(),
            self.root_cause.toPlainText(),
            self.immediate_control.toPlainText(),
        )

    def data(self) -> plans.FindingInput:
        return plans.FindingInput(
            title=self.title_edit.text(),
            key_question=self.key_question.currentData() or "",
            risk_area=self.risk_area.currentData() or "",
            likelihood=self.likelihood.value(),
            impact=self.impact.value(),
            statement_codes=self.checked_codes(),
            breached_regulation=self.regulation.currentData() or "",
            reference=self.reference.text(),
            description=self.description.toPlainText(),
            root_cause=self.root_cause.toPlainText(),
            immediate_control=self.immediate_control.toPlainText(),
        )

    def save(self) -> bool:
        data = self.data()
        try:
            with self.ctx.unit_of_work() as session:
                if self.finding_id is None:
                    finding = plans.create_finding(session, self.plan_id, data)
                else:
                    finding = plans.update_finding(session, self.finding_id, data)
                saved_id = finding.id
        except ValidationError as exc:
            self.show_validation(self.forms, exc)
            return False
        except ServiceError as exc:
            report_problem(self, self.windowTitle(), exc)
            return False
        self.finding_id = saved_id
        self.ctx.sig_data_changed.emit("finding")
        self.sig_saved.emit(saved_id)
        return True
