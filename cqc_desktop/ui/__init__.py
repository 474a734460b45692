"""PySide6 front end: main window, one module per tab, table models and dialogs."""
