"""Arrêt: legal DNS blocking orders carried exactly from authority to resolver."""

__version__ = "0.3.0"
