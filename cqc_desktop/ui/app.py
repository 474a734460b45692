"""Starting the desktop app: open the database (offering to restore a damaged one), claim it for
this copy of the app, sign in, then the main window, the idle lock and the daily backup.

``--demo`` and ``--screenshot`` sign in automatically as the demo's manager (see README "Demo
sign-in"), so screenshots and tests need no typing. ``--screenshot`` on a database without the demo
users signs in as a read-only viewer. A new database opens on the set-up wizard.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import APP_NAME

if TYPE_CHECKING:
    # Imported where used: ``cli.main`` turns the garbage collector off before the database
    # layer (SQLAlchemy, every model) is imported, and that only helps if importing this module
    # does not pull it in first.
    from ..config import DataLocation
    from ..db import Database
    from ..services.trust.permissions import Actor


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower().replace("&", "")).strip("-")


def launch(
    location: DataLocation,
    *,
    demo: bool = False,
    screenshot_dir: Path | None = None,
    today: date | None = None,
    size: str = "1366x768",
) -> int:
    if screenshot_dir is not None:
        # Must be set before the QApplication exists.
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("CQC Desktop")
    from .crash_dialog import reporting, show_start_up_failure

    if screenshot_dir is not None:  # errors reach the command line, as one line
        return _launch(app, location, demo, screenshot_dir, today, size)
    # Interactively, an unexpected error is logged and explained in a dialog; the app carries on.
    # One that stops the app starting is explained the same way: started from the Start menu,
    # there is no console to read a message in.
    with reporting():
        try:
            return _launch(app, location, demo, screenshot_dir, today, size)
        except Exception:
            show_start_up_failure()
            return 1


def _launch(
    app: Any,
    location: DataLocation,
    demo: bool,
    screenshot_dir: Path | None,
    today: date | None,
    size: str,
) -> int:
    interactive = screenshot_dir is None
    db = open_database(location, interactive=interactive)
    if db is None:
        return 1
    if interactive and not claim(db):
        db.dispose()
        return 1
    if demo:
        _prepare_demo(db, today or date.today())
    with _Warmup():
        actor = _automatic_actor(db) if (demo or not interactive) else None
        if actor is None and interactive:
            from .trust.login_dialog import sign_in

            actor = sign_in(None, db)
    if actor is None and interactive:
        db.dispose()
        return 0
    db.note_signed_in(actor.username if actor else "")

    from .context import AppContext
    from .main_window import MainWindow

    ctx = AppContext(db, demo=demo, today=(lambda: today) if today else date.today, actor=actor)
    window = MainWindow(ctx)
    if screenshot_dir is not None:
        code = _screenshots(app, window, screenshot_dir, size)
        ctx.db.dispose()
        return code
    return _run(app, window, ctx)


class _Warmup:
    """Imports the main window's modules in a background thread while the password is checked.

    The check (scrypt, deliberately slow) runs inside OpenSSL without holding Python's lock, so
    those imports, which would otherwise wait for it, happen alongside it; interactively they
    happen while the password is typed. Only imports: nothing reads the database or makes a
    widget in the thread, and what signing in needs is imported before the thread starts, so the
    two threads never import the same module at once. The main thread waits for the thread
    before it builds the window.
    """

    MODULES = (
        "cqc_desktop.ui.context",
        "cqc_desktop.ui.trust.lock",
        "cqc_desktop.ui.main_window",
        "cqc_desktop.ui.trust.menu",
        "cqc_desktop.ui.dashboard.tab",
    )

    def __enter__(self) -> _Warmup:
        import threading

        from ..services.trust import users  # noqa: F401 (signing in needs it: imported here first)
        from .trust import login_dialog  # noqa: F401

        self.thread = threading.Thread(target=self._run, name="cqc-warm-up", daemon=True)
        self.thread.start()
        return self

    def _run(self) -> None:
        import importlib

        for name in self.MODULES:
            try:
                importlib.import_module(name)
            except Exception:  # the main thread imports it again, and reports any problem
                return

    def __exit__(self, *_exc: object) -> None:
        self.thread.join()


def open_database(location: DataLocation, *, interactive: bool) -> Database | None:
    """Open (and upgrade) the database; a damaged file leads to the offer to restore."""
    from PySide6.QtWidgets import QMessageBox

    from ..db import Database, DatabaseDamaged, DatabaseProblem

    try:
        return Database(location)
    except DatabaseDamaged as exc:
        if not interactive:
            raise
        from .trust.backup_dialogs import offer_restore

        return offer_restore(location, str(exc))
    except DatabaseProblem as exc:
        if not interactive:
            raise
        QMessageBox.critical(None, APP_NAME, str(exc))
        return None


def claim(db: Database, parent: Any = None) -> bool:
    """One copy of the app per database: say who has it open, and let the user wait for them."""
    from PySide6.QtWidgets import QMessageBox

    from ..db import DatabaseInUse

    while True:
        try:
            db.acquire_instance_lock()
            return True
        except DatabaseInUse as exc:
            box = QMessageBox(parent)
            box.setIcon(QMessageBox.Icon.Warning)
            box.setWindowTitle(f"{APP_NAME}: database in use")
            box.setText(str(exc))
            box.setInformativeText(
                "When they have closed it, choose Try again. (If that computer was switched off "
                "without closing CQC Desktop, the database is freed automatically.)"
            )
            retry = box.addButton("&Try again", QMessageBox.ButtonRole.AcceptRole)
            box.addButton(QMessageBox.StandardButton.Close)
            box.setDefaultButton(retry)
            box.exec()
            if box.clickedButton() is not retry:
                return False


def _prepare_demo(db: Database, today: date) -> None:
    from ..services.trust import users

    if db.is_empty():
        from ..services.demo.loader import seed_demo

        with db.unit_of_work() as session:
            seed_demo(session, today, db.location.attachments_dir)
    with db.unit_of_work() as session:
        # A demo made before sign-in existed (or by an older loader) still gets its four users.
        if not users.has_users(session):
            users.create_demo_users(session)


def _automatic_actor(db: Database) -> Actor | None:
    """The demo manager for --demo/--screenshot; otherwise, for screenshots, a read-only viewer
    (also on a database nobody has set up yet: no window runs "as system" with full rights)."""
    from ..models.enums import Role
    from ..services.trust.permissions import Actor
    from .trust.login_dialog import demo_manager

    actor = demo_manager(db)
    if actor is not None:
        return actor
    return Actor(user_id=None, username="screenshot", role=Role.VIEWER, display_name="Screenshot")


def _run(app: Any, window: Any, ctx: Any) -> int:
    from .trust.lock import IdleLock

    ctx.sig_database_opened.connect(lambda: after_database_opened(window, ctx))
    starter = _Start(window, ctx)
    idle: list[IdleLock] = []

    def once_painted() -> None:
        settle_memory()
        # The idle lock watches every event in the app; started now, it does not slow the
        # events that draw the window for the first time.
        lock = IdleLock(ctx, app)
        window.trust.idle_lock = lock
        idle.append(lock)
        starter.run()

    watcher = after_first_paint(window, once_painted)
    window.show()
    code = int(app.exec())
    del watcher
    for lock in idle:
        lock.stop()
    starter.wait()
    ctx.db.dispose()
    return code


FIRST_PAINT_FALLBACK_MS = 3_000


def after_first_paint(window: Any, then: Callable[[], None]) -> Any:
    """Call ``then`` once, as soon as ``window`` has been painted for the first time (or after
    three seconds if it never is, e.g. started minimised). Returns the watcher; keep it alive.

    Work that is not needed for the first picture (the idle lock, the daily backup, warnings
    about where the database is kept) waits for this, so the window appears as early as it can.
    Qt shows a window before the screen has drawn it, so waiting for the show is not enough.
    """
    from PySide6.QtCore import QEvent, QObject, QTimer

    class Watcher(QObject):
        done = False

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                window.removeEventFilter(self)
                # After the whole paint pass (the window first, then its children).
                QTimer.singleShot(0, self.fire)
            return False

        def fire(self) -> None:
            if not self.done:
                self.done = True
                then()

    watcher = Watcher(window)
    window.installEventFilter(watcher)
    QTimer.singleShot(FIRST_PAINT_FALLBACK_MS, watcher.fire)
    return watcher


def settle_memory() -> None:
    """Turn the garbage collector back on after start-up (``cli.main`` turned it off).

    ``gc.freeze`` first sets aside everything made so far (modules, SQLAlchemy's tables, the
    window), which lives until the app closes, so later collections never rescan it.
    """
    import gc

    if not gc.isenabled():
        gc.freeze()
        gc.enable()


class _Start:
    """Things that happen just after the window appears: environment warnings and the daily
    backup (in a background thread, so a large database never delays the window)."""

    def __init__(self, window: Any, ctx: Any) -> None:
        self.window = window
        self.ctx = ctx
        self.worker: Any = None

    def run(self) -> None:
        from .widgets.forms import warn

        for message in self.ctx.db.warnings:
            warn(self.window, f"{APP_NAME}: check where the database is kept", message)
        self.worker = daily_backup_worker(self.ctx.db, self.window)
        if self.worker is not None:
            self.worker.start()

    def wait(self) -> None:
        if self.worker is not None:
            self.worker.wait()


def daily_backup_worker(db: Database, window: Any) -> Any:
    """A QThread making today's automatic backup; reports in the status bar, or warns."""
    from PySide6.QtCore import QThread, Signal

    from ..services.trust.backups import daily_backup_due
    from .widgets.forms import warn

    if db.location.sqlite_path is None or not daily_backup_due(db.location, date.today()):
        return None

    class Worker(QThread):
        sig_done = Signal(str, bool)
        """(message, ok) when the backup has been made or has failed."""

        def run(self) -> None:
            from ..services.errors import ServiceError

            try:
                result = db.daily_backup()
            except (ServiceError, OSError) as exc:
                self.sig_done.emit(str(exc), False)
                return
            text = f"Today's automatic backup is saved ({result.path.name})." if result else ""
            self.sig_done.emit(text, True)

    def done(message: str, ok: bool) -> None:
        if ok:
            if message:
                window.statusBar().showMessage(message, 15_000)
        else:
            warn(
                window,
                f"{APP_NAME}: backup",
                f"Today's automatic backup could not be made. {message}\n\nYour data is safe; "
                "make a backup as soon as you can (File ▸ Back up now…).",
            )

    worker = Worker(window)
    worker.sig_done.connect(done)
    return worker


def after_database_opened(window: Any, ctx: Any) -> None:
    """A different database was opened from the File menu: claim it and sign in to it."""
    if not ctx.needs_sign_in:
        return
    from .trust.login_dialog import sign_in
    from .widgets.forms import warn

    if not claim(ctx.db, window):
        window.close()
        return
    actor = sign_in(window, ctx.db)
    if actor is None:
        warn(
            window,
            APP_NAME,
            f"Nobody has signed in to {ctx.db.location.display}, so CQC Desktop will close.",
        )
        window.close()
        return
    ctx.set_actor(actor)


def _screenshots(app: object, window: object, folder: Path, size: str) -> int:
    from PySide6.QtWidgets import QApplication

    from ..db import DatabaseProblem
    from .main_window import MainWindow

    assert isinstance(window, MainWindow)
    try:
        width, height = (int(v) for v in size.lower().split("x"))
    except ValueError:
        raise DatabaseProblem(f"--size must look like 1366x768, not {size}") from None
    folder.mkdir(parents=True, exist_ok=True)
    window.resize(width, height)
    window.show()
    for index, title in enumerate(window.tab_titles()):
        window.tabs.setCurrentIndex(index)
        QApplication.processEvents()
        window.grab().save(str(folder / f"{_slug(title)}.png"))
    window.close()
    return 0
