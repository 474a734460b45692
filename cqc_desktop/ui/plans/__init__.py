"""The Plans tab: the Plan → Finding tree, the action list and the dialogs that create plans,
findings and actions. May import services, ui/widgets and ui/trust.
"""
