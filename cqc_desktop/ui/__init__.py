"""PySide6 front end. The window shell (app, main_window, context, ui_state) sits here; each
capability has a package with the same name as in services/; shared pieces live in widgets/.
"""
