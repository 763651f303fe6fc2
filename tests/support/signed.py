"""Engines as `arret` opens them: with the session's log signing key attached (tests/
conftest.py creates it and names it in ARRET_LOG_KEY), so the tests' writes are logged."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine

from arret.store import db
from arret.store.log import attach
from arret.tlog.signing import KeyFile


def open_engine(url: str) -> Engine:
    return attach(db.open_engine(url), KeyFile(Path(os.environ["ARRET_LOG_KEY"])))
