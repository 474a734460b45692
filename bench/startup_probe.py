"""A child process for ``bench/run.py``: start a window and say when its first frame is painted.

    python bench/startup_probe.py floor [--visit-tabs]
    python bench/startup_probe.py app --db PATH --today YYYY-MM-DD [--demo] [--visit-tabs]
        [--user NAME --password PASSWORD]

``floor`` is the least a PySide6 app can do: a bare QMainWindow with four empty tabs. ``app`` is
``python -m cqc_desktop`` itself (``cli.main``), with three things changed so it can run unattended:

- the sign-in dialog is answered at once with the benchmark administrator's password (checked by
  ``users.authenticate``, as the dialog's OK button would), unless ``--demo`` signs in by itself;
- the daily automatic backup, which starts in a background thread after the window appears, is
  left out, so that repeated runs do not copy the database each time;
- the window closes itself once painted.

Both print ``PAINTED`` the moment the first paint of the main window has finished; the parent
times from starting this process to reading that line. With ``--visit-tabs`` the probe then shows
every tab in turn (and the audit trail window), waits for each to paint, and prints
``RSS <KiB>``: the process's peak resident memory (see ``peak_rss_kib``).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any


def _watch_first_paint(app: Any, window: Any, then: Any) -> Any:
    """Call ``then`` as soon as the paint that first puts ``window`` on screen has finished."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class FirstPaint(QObject):
        done = False

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if not self.done and event.type() == QEvent.Type.Paint:
                self.done = True
                # The window is painted first, then its children in the same pass; a zero
                # timer runs once that whole pass is done.
                QTimer.singleShot(0, then)
            return False

    # On the window only: a filter on the whole application would slow every event down.
    watcher = FirstPaint(app)
    window.installEventFilter(watcher)
    return watcher


def peak_rss_kib() -> int:
    """This process's peak resident memory, in KiB.

    On Linux ``getrusage(RUSAGE_SELF).ru_maxrss`` carries over the peak of the process image
    before ``exec`` — the parent's, when it was started with vfork as ``subprocess`` does — so a
    probe started by a large parent would report the parent's size. ``VmHWM`` belongs to this
    image alone; ``ru_maxrss`` is the fallback elsewhere.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _painted(app: Any, window: Any, visit: bool, extra: Any = None) -> None:
    print("PAINTED", flush=True)
    if visit:
        tabs = window.tabs if hasattr(window, "tabs") else window.centralWidget()
        for index in range(tabs.count()):
            tabs.setCurrentIndex(index)
            app.processEvents()
        if extra is not None:
            extra()
            app.processEvents()
        print(f"RSS {peak_rss_kib()}", flush=True)
    window.close()
    app.quit()


def floor(visit: bool) -> int:
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QTabWidget

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    tabs = QTabWidget()
    for n in range(1, 5):
        tabs.addTab(QLabel(f"Tab {n}"), f"Tab {n}")
    window.setCentralWidget(tabs)
    window.resize(1280, 760)
    keep = _watch_first_paint(app, window, lambda: _painted(app, window, visit))
    window.show()
    code = app.exec()
    del keep
    return int(code)


def run_app(db: str, today: date, demo: bool, visit: bool, user: str, password: str) -> int:
    from cqc_desktop.cli import main as cli
    from cqc_desktop.ui import app as app_module
    from cqc_desktop.ui.trust import login_dialog

    def sign_in(_parent: Any, database: Any, _username: str = "") -> Any:
        from cqc_desktop.services.trust import users

        with database.unit_of_work() as session:
            return users.authenticate(session, user, password)

    real_run = app_module._run

    def run(app: Any, window: Any, ctx: Any) -> int:
        def trail() -> None:
            from cqc_desktop.ui.trust.audit_trail_window import open_audit_trail

            window.bench_trail = open_audit_trail(window, ctx)

        keep = _watch_first_paint(app, window, lambda: _painted(app, window, visit, trail))
        code = real_run(app, window, ctx)
        del keep
        return int(code)

    login_dialog.sign_in = sign_in
    app_module.daily_backup_worker = lambda _db, _window: None
    app_module._run = run
    argv = ["--db", db, "--today", today.isoformat()] + (["--demo"] if demo else [])
    return cli.main(argv)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("floor", "app"))
    parser.add_argument("--db")
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 26))
    parser.add_argument("--demo", action="store_true")
    parser.add_argument("--visit-tabs", action="store_true")
    # Passed in by run.py (from generate.py), so this probe imports nothing the app would not.
    parser.add_argument("--user", default="")
    parser.add_argument("--password", default="")
    args = parser.parse_args()
    if args.what == "floor":
        return floor(args.visit_tabs)
    return run_app(args.db, args.today, args.demo, args.visit_tabs, args.user, args.password)


if __name__ == "__main__":
    sys.exit(main())
