"""One root for every error Arrêt reports to a user.

Each error carries *every* reason it has (all the bad targets, not the first), and
`diagnostics()` renders them for a human. The CLI translates these into a message and a
non-zero exit status in exactly one place (`arret.cli.main`); the HTTP API turns them
into its one JSON error shape in `arret.http.errors`; the DNS side answers rcodes.
"""

from __future__ import annotations

from collections.abc import Sequence


class ArretError(Exception):
    """Root of every error meant for a user. `reasons` lists each problem found."""

    #: Process exit status the CLI uses for this class of error.
    exit_code = 1

    def __init__(self, summary: str, reasons: Sequence[str] = ()) -> None:
        super().__init__(summary)
        self.summary = summary
        self.reasons: tuple[str, ...] = tuple(reasons)

    def diagnostics(self) -> str:
        if not self.reasons:
            return self.summary
        return "\n".join([self.summary, *(f"  - {r}" for r in self.reasons)])


class InvalidName(ArretError):
    """A name that cannot be a target (or allow-list entry); `name` is the input as typed."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name!r}: {reason}", [])
        self.name = name
        self.reason = reason


class InvalidTargets(ArretError):
    """One or more targets of a command are bad; nothing was registered."""

    def __init__(self, problems: Sequence[InvalidName]) -> None:
        n = len(problems)
        super().__init__(
            f"{n} bad target{'s' if n != 1 else ''}; nothing was registered",
            [p.summary for p in problems],
        )
        self.problems = tuple(problems)


class InvalidOrder(ArretError):
    """An order (or an amendment, or a lift) that the law of the registry refuses."""

    def __init__(self, reasons: Sequence[str], summary: str = "order refused") -> None:
        super().__init__(f"{summary}; nothing was registered", reasons)
        #: What was refused ("order refused", "amendment of order 3 refused"…).
        self.refused = summary


class InvalidText(ArretError):
    """Free text that cannot be stored: a control character, a bidirectional override,
    or too long (`arret.domain.text`)."""


class InvalidTime(ArretError):
    """A date, instant or duration that cannot be read."""


class InvalidOperator(ArretError):
    """An operator definition that is refused."""


class InvalidConfig(ArretError):
    """A resolver configuration that cannot be written as asked (kind, directory)."""


class AlreadyExists(ArretError):
    """An operator or allow-list entry that is already there."""


class NotFound(ArretError):
    """An order, operator or other record that does not exist."""

    exit_code = 3


class DatabaseNotReady(ArretError):
    """The database is missing its schema or needs a migration."""

    exit_code = 4


class InvalidRole(ArretError):
    """A role that is not `authority`, `auditor` or `operator:NAME`."""


class NotAuthenticated(ArretError):
    """No token, or a token that is unknown, expired or revoked (HTTP 401)."""


class Forbidden(ArretError):
    """A valid token whose role does not allow the request (HTTP 403)."""


class Conflict(ArretError):
    """A request that contradicts an earlier one, such as an `Idempotency-Key` reused
    for a different request (HTTP 409)."""


class ConfirmationRequired(ArretError):
    """A change of more names than the confirmation threshold, not confirmed (`--yes`,
    `?confirm=true`, the web UI's confirm step); nothing was changed (HTTP 422)."""

    exit_code = 10


class LogKeyError(ArretError):
    """The log's signing key is missing, readable by others, not Ed25519, or not the key
    that signed this log."""

    exit_code = 4


class LogInconsistent(ArretError):
    """`arret log verify` found the log, a tree head or a feed not as they were signed."""

    exit_code = 5


class InvalidRange(ArretError):
    """A leaf index, a range of leaves or a tree size that the log does not have (HTTP 400)."""


class DatabaseUnavailable(ArretError):
    """The database cannot be used right now: its write lock is held by another writer for
    longer than this process waits, its disk is full, or the connection to it is lost.
    Nothing was changed; the same command or request can be tried again (HTTP 503 with
    `Retry-After`). The subclasses say which, each with its own CLI exit status."""

    exit_code = 7
    #: Seconds an HTTP client should wait before trying again.
    retry_after = 5


class DatabaseBusy(DatabaseUnavailable):
    """Another writer held the database's write lock for longer than this process waits
    (`--lock-wait`)."""

    exit_code = 7


class DatabaseFull(DatabaseUnavailable):
    """The disk (or the database's quota) is full."""

    exit_code = 8
    retry_after = 60


class DatabaseUnreachable(DatabaseUnavailable):
    """The connection to the database failed or was lost."""

    exit_code = 9


class InvalidContest(ArretError):
    """A contest that cannot be received or decided as sent: every reason, nothing stored
    (HTTP 422)."""


class TooManyContests(ArretError):
    """More contests than the server takes in its window, for one name or in all; nothing
    was stored (HTTP 429 with `Retry-After`)."""

    def __init__(self, summary: str, retry_after: int) -> None:
        super().__init__(summary, [f"try again in {retry_after} s"])
        self.retry_after = retry_after


class InvalidDocument(ArretError):
    """A document that cannot be attached: too large, of a type not kept, claiming to be
    what it is not, or attached to a target its order does not name; nothing was stored."""

    def __init__(self, reasons: Sequence[str], summary: str = "document refused") -> None:
        super().__init__(f"{summary}; nothing was stored", reasons)


class DocumentTooLarge(InvalidDocument):
    """A document over the size limit."""


class DocumentDamaged(ArretError):
    """A document's stored content is missing or no longer hashes to its digest: it is not
    served (`arret log verify` names it)."""

    exit_code = 5
