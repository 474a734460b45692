"""Back up now, Restore, and the offer to restore when the database file is damaged."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ... import APP_NAME
from ...config import DataLocation
from ...db import Database, DatabaseProblem
from ...services.errors import NotAllowed, ServiceError
from ...services.trust.backups import BackupProblem, create_backup, read_manifest, summarise_counts
from ...services.trust.permissions import Permission
from ...services.trust.restore import RestoreReport, latest_good_backup, restore
from ..context import AppContext
from ..widgets.forms import ask, inform, warn

BACKUP_FILTER = "CQC Desktop backup (*.zip);;SQLite database copy (*.sqlite3 *.db);;All files (*)"


@contextmanager
def busy() -> Iterator[None]:
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()


def _choose_save(parent: QWidget | None, suggested: Path) -> Path | None:
    path, _ = QFileDialog.getSaveFileName(parent, "Back up now", str(suggested), BACKUP_FILTER)
    return Path(path) if path else None


def _choose_open(parent: QWidget | None, folder: Path) -> Path | None:
    path, _ = QFileDialog.getOpenFileName(parent, "Restore a backup", str(folder), BACKUP_FILTER)
    return Path(path) if path else None


def back_up_now(
    parent: QWidget | None,
    ctx: AppContext,
    choose: Callable[[QWidget | None, Path], Path | None] | None = None,
) -> Path | None:
    """File ▸ Back up now…: one file with the database and every attached file."""
    if not ctx.can(Permission.BACKUP):
        warn(parent, "Back up now", "Your role does not allow you to make backups. Ask a manager.")
        return None
    location = ctx.db.location
    if location.sqlite_path is None:
        warn(parent, "Back up now", "This database is on a server; its own backups apply.")
        return None
    location.backups_dir.mkdir(parents=True, exist_ok=True)
    name = f"{location.sqlite_path.stem} backup {datetime.now():%Y-%m-%d %H%M}.zip"
    target = (choose or _choose_save)(parent, location.backups_dir / name)
    if target is None:
        return None
    if target.suffix.lower() != ".zip":
        target = target.with_name(target.name + ".zip")
    try:
        with busy():
            result = create_backup(location, target, actor=ctx.actor)
    except ServiceError as exc:
        warn(parent, "Back up now", str(exc))
        return None
    message = result.describe() + (
        "\n\nKeep a copy away from this PC (for example on an encrypted USB stick kept safely)."
    )
    inform(parent, "Backup made", message)
    return result.path


def describe_backup(path: Path) -> str:
    """What a backup holds, for the confirmation question."""
    try:
        manifest = read_manifest(path)
    except BackupProblem:
        made = datetime.fromtimestamp(path.stat().st_mtime)
        return f"{path.name}, saved {made:%d/%m/%Y at %H:%M}."
    try:
        made_text = datetime.fromisoformat(str(manifest.get("made_at"))).strftime(
            "%d/%m/%Y at %H:%M"
        )
    except ValueError:
        made_text = "at an unknown time"
    counts = manifest.get("counts") or {}
    return f"The backup made {made_text}, holding {summarise_counts(counts)}."


def restore_from_file(
    parent: QWidget | None,
    ctx: AppContext,
    choose: Callable[[QWidget | None, Path], Path | None] | None = None,
) -> RestoreReport | None:
    """File ▸ Restore…: check the backup, keep the current database, replace it, sign in again."""
    if not ctx.can(Permission.MANAGE):
        warn(parent, "Restore", "Only an administrator can restore a backup.")
        return None
    location = ctx.db.location
    if location.sqlite_path is None:
        warn(parent, "Restore", "This database is on a server; restore it with the server's tools.")
        return None
    source = (choose or _choose_open)(parent, location.backups_dir)
    if source is None:
        return None
    question = (
        f"{describe_backup(source)}\n\nRestore it? Everything saved since then will be replaced "
        "by what is in the backup. The database as it is now is kept as a backup first, so this "
        "can be undone. Anyone else using this database must close CQC Desktop first."
    )
    if not ask(parent, "Restore a backup", question):
        return None
    lock, ctx.db.lock = ctx.db.lock, None  # keep this copy's claim on the file throughout
    ctx.db.engine.dispose()
    try:
        with busy():
            report = restore(location, source, actor=ctx.actor)
            db = Database(location)
    except (ServiceError, DatabaseProblem) as exc:
        ctx.db.lock = lock
        warn(parent, "Restore", f"{exc}\n\nNothing has been changed.")
        return None
    db.lock = lock
    inform(parent, "Backup restored", report.describe() + "\n\nPlease sign in again.")
    ctx.replace_database(db, demo=ctx.demo)
    return report


class RestoreOfferDialog(QDialog):
    """Shown at start when the database file is damaged: restore the latest good backup?"""

    RESTORE_LATEST, CHOOSE, CLOSE = 1, 2, 0

    def __init__(self, location: DataLocation, latest: Path | None, problem: str) -> None:
        super().__init__()
        self.setWindowTitle(f"{APP_NAME}: the database is damaged")
        self.choice = self.CLOSE
        if latest is not None:
            offer = f"{describe_backup(latest)}\nIt passed every check. Restore it?"
        else:
            offer = f"No good backup was found in {location.backups_dir}. Choose a backup file?"
        text = QLabel(
            f"CQC Desktop cannot open {location.sqlite_path}.\n{problem}\n\n{offer}\n\n"
            "The damaged file will be kept, in case it can be repaired."
        )
        text.setWordWrap(True)
        self.restore_button = QPushButton("&Restore this backup")
        self.restore_button.setVisible(latest is not None)
        self.choose_button = QPushButton("&Choose a backup file…")
        self.close_button = QPushButton("Close")
        self.restore_button.clicked.connect(lambda: self._done(self.RESTORE_LATEST))
        self.choose_button.clicked.connect(lambda: self._done(self.CHOOSE))
        self.close_button.clicked.connect(lambda: self._done(self.CLOSE))
        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addStretch(1)
        buttons.addWidget(self.choose_button)
        buttons.addWidget(self.restore_button)
        (self.restore_button if latest is not None else self.choose_button).setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addLayout(buttons)
        self.setMinimumWidth(560)

    def _done(self, choice: int) -> None:
        self.choice = choice
        self.accept() if choice else self.reject()


def ask_backup_sign_in(parent: QWidget | None) -> tuple[str, str] | None:
    """Username and password of an administrator in the backup (None if cancelled)."""
    from PySide6.QtWidgets import QInputDialog, QLineEdit

    title = "Restore: sign in as an administrator of the backup"
    username, ok = QInputDialog.getText(
        parent,
        title,
        "Restoring is an administrator's job. The damaged database cannot be checked, so sign\n"
        "in as an administrator of the backup being restored.\n\nUsername:",
    )
    if not ok or not username.strip():
        return None
    password, ok = QInputDialog.getText(
        parent, title, f"Password for {username.strip()}:", QLineEdit.EchoMode.Password
    )
    return (username.strip(), password) if ok else None


def offer_restore(location: DataLocation, problem: str) -> Database | None:
    """The damaged-database path at start: find the latest good backup, offer it, restore it."""
    with busy():
        latest = latest_good_backup(location)
    dialog = RestoreOfferDialog(location, latest.path if latest else None, problem)
    dialog.exec()
    if dialog.choice == RestoreOfferDialog.RESTORE_LATEST and latest is not None:
        source: Path | None = latest.path
    elif dialog.choice == RestoreOfferDialog.CHOOSE:
        source = _choose_open(None, location.backups_dir)
    else:
        source = None
    if source is None:
        return None
    sign_in: tuple[str, str] | None = None
    while True:
        try:
            with busy():
                report = restore(location, source, actor=None, backup_sign_in=sign_in)
                db = Database(location)
            break
        except NotAllowed as exc:
            # The damaged database cannot be signed in to: an administrator of the backup must.
            if sign_in is not None:
                warn(None, "Restore", str(exc))
            sign_in = ask_backup_sign_in(None)
            if sign_in is None:
                return None
        except (ServiceError, DatabaseProblem) as exc:
            warn(None, "Restore", str(exc))
            return None
    inform(None, "Backup restored", report.describe())
    return db
