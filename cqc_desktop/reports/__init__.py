"""PDF documents (forms, QA report, packs) built with ReportLab from plain service data."""
