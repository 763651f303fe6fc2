"""Arrêt: legal DNS blocking orders carried exactly from authority to resolver."""

__version__ = "0.2.0"
