"""Engines as `arret` opens them: with the log signing key attached, so that writes are
logged. The key is the one named by ARRET_LOG_KEY (tests/conftest.py creates one per
session); a benchmark importing this module without it gets a new key in a temporary
folder, named in ARRET_LOG_KEY for the `arret` processes it starts."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sqlalchemy import Engine

from arret import keyfile
from arret.keyfile import KeyFile
from arret.services.log_writer import attach
from arret.store import db


def ensure_key() -> Path:
    if "ARRET_LOG_KEY" not in os.environ:
        path = Path(tempfile.mkdtemp(prefix="arret-log-key-")) / "log.key"
        keyfile.create(path)
        os.environ["ARRET_LOG_KEY"] = str(path)
    return Path(os.environ["ARRET_LOG_KEY"])


def open_engine(url: str) -> Engine:
    return attach(db.open_engine(url), KeyFile(ensure_key()))
