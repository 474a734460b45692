"""PDF documents (forms, QA report, packs) built with ReportLab from plain service data.

Which recorded fields each document prints, and why some are left out, is in ``FIELDS.md`` beside
this file.
"""
