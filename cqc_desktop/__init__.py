"""CQC Desktop: turn inspection findings into owned actions, tested evidence and measured change."""

__version__ = "0.1.0"
APP_NAME = "CQC Desktop"
