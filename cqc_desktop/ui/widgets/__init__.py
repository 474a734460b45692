"""Shared widgets: form rows and dialogs, table models, paged lists, charts, the PDF preview,
lazy tabs and draft keeping. May import services and models, never a capability package of ui/.
"""
