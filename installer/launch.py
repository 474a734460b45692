"""The bundle's entry point: the same command line as ``python -m cqc_desktop``.

The executable is a console program so that ``cqc-desktop demo``, ``report`` and the rest print
where they were typed. Started from the Start menu or a shortcut, Windows gives it a console
window of its own, which nobody needs behind the app: that window is hidden straight away (a
console shared with a command prompt is left alone).
"""

import sys


def hide_own_console() -> None:
    if sys.platform != "win32":
        return
    import ctypes

    kernel32 = ctypes.windll.kernel32
    processes = (ctypes.c_uint * 2)()
    # 1: this process is the only one attached, so the console was made for it alone.
    if kernel32.GetConsoleProcessList(processes, 2) == 1:
        window = kernel32.GetConsoleWindow()
        if window:
            ctypes.windll.user32.ShowWindow(window, 0)  # SW_HIDE


if __name__ == "__main__":
    hide_own_console()
    from cqc_desktop.cli.main import main

    sys.exit(main())
