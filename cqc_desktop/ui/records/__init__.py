"""The Trackers, Incidents, Observations and Logs tabs, their dialogs and the import.
May import services, ui/widgets and ui/trust.
"""
