"""The plain data (dataclasses) each printed document shows, read with SQL and worked out by the
same services as the screens. May import every capability above it; never ReportLab or Qt.
"""
