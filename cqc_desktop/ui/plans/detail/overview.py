"""The action detail's Overview tab: the finding, and the action's plan for keeping the change
going, read-only."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QScrollArea, QWidget

from ....models import Action
from ....services.plans.codes import statement_label
from ....services.reference import framework


class OverviewPane(QScrollArea):
    """The finding and the action's plan for keeping the change going, read-only."""

    def __init__(self) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        inner = QWidget()
        self.form = QFormLayout(inner)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.fields: dict[str, QLabel] = {}
        for key, label in (
            ("finding", "Finding:"),
            ("statements", "Quality statements:"),
            ("root_cause", "Root cause:"),
            ("control", "Immediate control:"),
            ("description", "Action detail:"),
            ("warning", "Warning signs:"),
            ("escalation", "Escalation:"),
            ("oversight", "Oversight plan:"),
            ("triggers", "Triggers:"),
        ):
            value = QLabel()
            # Always rich text: the values are escaped, and Qt's guess would show an escaped
            # apostrophe ("&#x27;") literally in text that has no tags of its own.
            value.setTextFormat(Qt.TextFormat.RichText)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setAccessibleName(label.rstrip(":"))
            self.form.addRow(f"<b>{label}</b>", value)
            self.fields[key] = value
        self.setWidget(inner)

    def load(self, action: Action) -> None:
        f = action.finding
        fw = framework()
        reg = (
            f" · breaches Reg {f.breached_regulation} {fw.regulation_name(f.breached_regulation)}"
            if f.breached_regulation
            else ""
        )
        self.fields["finding"].setText(
            f"{escape(f.reference)} {escape(f.title)} — {f.key_question}, {f.risk_area}, "
            f"risk {f.likelihood} × {f.impact} = {f.score} ({f.rag}){escape(reg)}"
        )
        statements = [
            statement_label(code, s.name) if (s := fw.statement(code)) else code
            for code in f.statement_codes
        ]
        values = {
            "statements": "; ".join(statements),  # escaped below
            "root_cause": f.root_cause,
            "control": f.immediate_control,
            "description": action.description,
            "warning": action.early_warning_signs,
            "escalation": action.escalation_route,
            "oversight": action.oversight_plan,
            "triggers": action.triggers,
        }
        for key, text in values.items():
            label = self.fields[key]
            if text.strip():
                label.setText(escape(text).replace("\n", "<br>"))
                style = ""
            else:
                label.setText("Not recorded yet")
                style = "color: #777; font-style: italic;"
            # Setting a style sheet, even the same one, re-polishes the label and lays out the
            # whole detail again (~30 ms a reload): only when it changes.
            if label.styleSheet() != style:
                label.setStyleSheet(style)
