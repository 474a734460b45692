"""The command line: ``main`` parses the options and starts the app; one module per command group
(trust, reports, records) registers its sub-commands. May import services, reports, db and the ui.
"""
