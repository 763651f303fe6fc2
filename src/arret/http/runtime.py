"""What every HTTP handler shares: settings, database, clock, and the feed server of `arret
serve` (in its main process, asked through `arret.feed.state.FeedState`)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from arret.domain.contests import Limits as ContestLimits
from arret.domain.documents import MAX_SIZE as MAX_DOCUMENT
from arret.domain.instants import Clock
from arret.domain.lifecycle import CONFIRM_ABOVE
from arret.errors import ArretError
from arret.feed.state import FeedState
from arret.services.documents import Storage

#: Secrets that people paste from examples; a session key must be random.
_PLACEHOLDERS = {"changeme", "change-me", "secret", "arret", "password", "xxx"}


class InvalidSettings(ArretError):
    """HTTP settings that are refused at start."""


@dataclass(frozen=True)
class HttpSettings:
    #: Signs the web UI's session cookie (HMAC, itsdangerous). At least 32 characters;
    #: `arret serve` makes a random one per start unless given one (sessions then end
    #: at each restart, which is the safe default).
    session_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    #: The host that `notice` answers point to, without the trailing dot.
    notice_host: str = "notice.arret.localhost"
    #: Registrations that would block more names than this, and amendments that would
    #: remove more, are shown as a plan and applied only when confirmed.
    confirm_above: int = CONFIRM_ABOVE
    #: Where `arret serve` answers DNS, written into the resolver snippets.
    dns_endpoint: str = "127.0.0.1:5353"
    #: The UI's address as people reach it (links in resolver snippets).
    public_url: str = "http://127.0.0.1:8080"
    #: Host names that are this server's own; any other name in `Host` is a blocked name
    #: whose visitors a resolver sent here: it gets the notice page.
    own_hosts: frozenset[str] = frozenset({"localhost"})
    #: Mark cookies Secure (set it when a TLS proxy is in front; implied by an https
    #: `public_url`).
    secure_cookies: bool = False
    #: The largest request body of a caller that may write (an authority): a registration
    #: of a million names is about 40 MB of JSON.
    max_body: int = 64 * 2**20
    #: The largest request body of anyone else (a login form, a small public request).
    anonymous_body: int = 64 * 2**10
    #: How long a web UI login lasts; logging out, or revoking its token, ends it sooner.
    session_lifetime: timedelta = timedelta(hours=8)
    #: What a contest may carry, how many are taken, and when each is due.
    contests: ContestLimits = field(default_factory=ContestLimits)
    #: The largest body of a contest sent by anyone (its attachments, base64 in JSON).
    contest_body: int = 8 * 2**20
    #: Where a new contest, and one nearing its deadline, is announced by e-mail.
    contest_mail: str | None = None

    @property
    def challenge_key(self) -> bytes:
        """The key that signs proof-of-work challenges, derived from the session secret
        (an instance with another secret refuses this one's challenges: ask again)."""
        return hashlib.sha256(b"arret contest challenge\n" + self.session_secret.encode()).digest()

    #: Where orders' documents are kept (None: in the database), and the largest one.
    documents_dir: Path | None = None
    max_document: int = MAX_DOCUMENT

    @property
    def documents(self) -> Storage:
        return Storage(self.documents_dir, self.max_document)

    def __post_init__(self) -> None:
        if self.session_secret.lower() in _PLACEHOLDERS or len(self.session_secret) < 32:
            raise InvalidSettings(
                "the session secret must be at least 32 random characters, not a placeholder "
                "(leave it unset to get a random one at each start)"
            )
        if self.confirm_above < 1:
            raise InvalidSettings("confirm_above must be at least 1")
        if self.max_body < 1 or self.anonymous_body < 1:
            raise InvalidSettings("the request body limits must be at least 1 byte")
        if self.session_lifetime <= timedelta(0):
            raise InvalidSettings("a session must last a positive time")


@dataclass
class Runtime:
    engine: Engine
    clock: Clock
    settings: HttpSettings
    #: The feed server (None: the application runs without one, as in some tests).
    feed: FeedState | None = None
    #: The Prometheus registry (`arret.api.public` fills it).
    metrics: Any = None

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """One transaction: everything a request writes lands, or nothing does. Once it
        is committed, the feed server publishes it without waiting for its next look at
        the database."""
        with self.engine.begin() as conn:
            yield conn
        if self.feed is not None:
            self.feed.wake()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def rehearse(self) -> Iterator[Connection]:
        """A transaction that is always rolled back: a dry run of a write, checked by the
        very code that would write it."""
        with self.engine.connect() as conn:
            transaction = conn.begin()
            try:
                yield conn
            finally:
                transaction.rollback()
