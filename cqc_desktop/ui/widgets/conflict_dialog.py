"""Someone on another PC saved the record this form is saving: say who and when, and let the user
see their change, reload it and put their own typing back on top, or go back to the form.

Nothing typed is lost whichever is chosen: the form stays open, and Save is only pressed again by
the user.
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...services.errors import ConflictError


class ConflictChoice(Enum):
    REAPPLY = "reload and re-apply mine"
    CANCEL = "back to my form"


class ConflictDialog(QDialog):
    """The three choices: Show their change (a table of the fields either side changed), Reload
    and re-apply mine, Cancel. ``differences`` is (field, their value, yours), as shown."""

    def __init__(
        self,
        parent: QWidget | None,
        error: ConflictError,
        differences: list[tuple[str, str, str]],
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Changed on another PC")
        self.choice = ConflictChoice.CANCEL
        self.message = QLabel(str(error))
        self.message.setWordWrap(True)
        self.table = QTableWidget(len(differences), 3)
        self.table.setAccessibleName("Their change and yours")
        self.table.setHorizontalHeaderLabels(
            ["Field", "Their version (saved)", "Yours (not saved)"]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)
        for row, cells in enumerate(differences):
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeRowsToContents()
        self.table.hide()

        self.buttons = QDialogButtonBox()
        self.show_button = QPushButton("&Show their change")
        self.reapply_button = QPushButton("&Reload and re-apply mine")
        self.cancel_button = QPushButton("Cancel")
        self.buttons.addButton(self.show_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.reapply_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.show_button.clicked.connect(self.show_their_change)
        self.reapply_button.clicked.connect(self._reapply)
        self.cancel_button.clicked.connect(self.reject)
        self.reapply_button.setDefault(True)

        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.buttons)
        self.resize(720, 220)

    def show_their_change(self) -> None:
        self.table.show()
        self.show_button.setEnabled(False)
        self.resize(self.width(), min(460, 200 + 40 * self.table.rowCount()))

    def _reapply(self) -> None:
        self.choice = ConflictChoice.REAPPLY
        self.accept()


def ask_about_conflict(
    parent: QWidget | None, error: ConflictError, differences: list[tuple[str, str, str]]
) -> ConflictChoice:
    dialog = ConflictDialog(parent, error, differences)
    dialog.exec()
    return dialog.choice
