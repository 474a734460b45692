"""The Reports tab: choose a document, make it in the background, preview, print and save.
May import services, reports and ui/widgets.
"""
