"""The dashboard tab: what needs attention today, its panels and the alert check.
May import services, widgets and the other ui capabilities (it opens an action's detail).
"""
