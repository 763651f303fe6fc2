"""The registry's tables.

`events` is the history, never updated nor deleted: every other table is a projection
of it, written in the same transaction, kept so that the questions asked all the time
(what does operator O block at T?) are answered by indexed SQL rather than by replaying
history. `tests/integration/test_store.py` checks that the projection equals the fold
of the events.

Instants are stored in UTC. SQLite has no time zone type: SQLAlchemy stores a fixed-width
`YYYY-MM-DD HH:MM:SS.ffffff` text there, which compares in time order, so the same SQL
filters work on SQLite and on PostgreSQL's `timestamptz`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    TypeDecorator,
)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime in Python, whatever the database keeps."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given to the store; instants are UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

events = Table(
    "events",
    metadata,
    # The sequence number: the order in which events were recorded.
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(40), nullable=False),
    Column("order_id", Integer, nullable=True, index=True),
    # When the event takes effect in the registry's history.
    Column("at", UTCDateTime, nullable=False),
    # When it was written (the clock of the process that wrote it).
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("payload", JSON, nullable=False),
)

operators = Table(
    "operators",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(63), nullable=False, unique=True),
    Column("added_at", UTCDateTime, nullable=False),
    Column("notify", JSON, nullable=False),
    Column("probe", JSON, nullable=False),
    Column("allow_from", JSON, nullable=False, server_default="[]"),
)

#: TSIG keys. The secret must be kept in clear: HMAC verification needs it (RFC 8945).
operator_keys = Table(
    "operator_keys",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("operator_id", Integer, ForeignKey("operators.id"), nullable=False, index=True),
    Column("name", String(255), nullable=False, unique=True),
    Column("algorithm", String(32), nullable=False),
    Column("secret", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("retired_at", UTCDateTime, nullable=True),
)

orders = Table(
    "orders",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("reference", String(200), nullable=False),
    Column("authority", String(200), nullable=False),
    Column("requester", String(200), nullable=False),
    Column("legal_basis", Text, nullable=False),
    Column("decided_on", Date, nullable=False),
    Column("effective_at", UTCDateTime, nullable=False, index=True),
    Column("expires_at", UTCDateTime, nullable=False, index=True),
    Column("lifted_at", UTCDateTime, nullable=True, index=True),
    Column("lift_reason", Text, nullable=False),
    Column("all_operators", Boolean, nullable=False),
    Column("action", String(16), nullable=False),
    Column("confidential", Boolean, nullable=False),
    Column("notice", Text, nullable=False),
    Column("registered_at", UTCDateTime, nullable=False),
    Column("last_changed_at", UTCDateTime, nullable=False),
    #: How many of its targets are not removed, kept by the writes that change them (an
    #: amendment answers "N names now" without counting a million rows).
    Column("current_targets", Integer, nullable=False, server_default="0"),
)

order_operators = Table(
    "order_operators",
    metadata,
    Column("order_id", Integer, ForeignKey("orders.id"), primary_key=True),
    Column("operator_id", Integer, ForeignKey("operators.id"), primary_key=True, index=True),
)

targets = Table(
    "targets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # No foreign key: PostgreSQL would check it row by row, half the cost of inserting a
    # million names; only `store.registry` writes targets, for an order of the same
    # transaction (migration 0010b).
    Column("order_id", Integer, nullable=False),
    Column("name", String(253), nullable=False, index=True),
    Column("scope", String(8), nullable=False),
    Column("action", String(16), nullable=True),
    Column("added_at", UTCDateTime, nullable=False),
    Column("removed_at", UTCDateTime, nullable=True),
    Index(None, "order_id", "removed_at"),
    # An order's targets added in a range of instants (migration 0010g).
    Index(None, "order_id", "added_at"),
)
#: Removed targets only (migration 0010f): queries ask for removals in a range of
#: instants, and nearly every target is never removed. Its WHERE clause is a dialect's
#: option, given by `declare_for`.
_removed_targets = Index("ix_targets_removed_at", targets.c.removed_at)

allow_list = Table(
    "allow_list",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(253), nullable=False),
    Column("reason", Text, nullable=False),
    Column("added_at", UTCDateTime, nullable=False, index=True),
    #: A removed entry stays, so that the policy at an earlier instant still sees it.
    Column("removed_at", UTCDateTime, nullable=True, index=True),
)
#: A name is on the list at most once at a time; it may come back after a removal. Its
#: WHERE clause is a dialect's option, given by `declare_for` (migration 0008 creates it).
_current_allow_name = Index("uq_allow_list_current_name", allow_list.c.name, unique=True)


def declare_for(dialect: str) -> None:
    """Give the schema the options of `dialect` ("sqlite", "postgresql"), for an engine
    of that dialect (`arret.store.db.open_engine` calls it).

    Naming a dialect's option loads that dialect: declared with the table, PostgreSQL's
    would cost every command on SQLite 0.05 s at its start, for an index it never creates.
    """
    if dialect in ("sqlite", "postgresql"):
        _current_allow_name.dialect_options[dialect]["where"] = allow_list.c.removed_at.is_(None)
        _removed_targets.dialect_options[dialect]["where"] = targets.c.removed_at.is_not(None)


# --- the feed (one Response Policy Zone per operator) ---------------------------------
#
# What an operator must block is stored once per *policy*, not once per operator: every
# operator addressed by the same orders (the same explicit orders, beside those to all
# operators) blocks exactly the same names, so they share one policy — its entries, its
# journal and the unkeyed sum of its digest. An operator has its own serials (one row per
# serial in `feed_versions`, each pointing at the policy revision it serves), its own key
# for the digest and its own leaves in the log. A national list sent to 300 operators is
# 1M rows, not 300M; an order to a few operators splits them off into a copy of the
# policy (`feed_policies.base_*`), which then follows its own revisions.

#: Content shared by every operator that must block the same names.
feed_policies = Table(
    "feed_policies",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    #: The revision this policy was copied from when some of its operators were split off
    #: (None: it started empty). Revision numbers continue from the base's.
    Column("base_policy", Integer, nullable=True),
    Column("base_rev", BigInteger, nullable=True),
    #: Its current revision: incremented by every publication that changes it.
    Column("rev", BigInteger, nullable=False),
    Column("entries", Integer, nullable=False),
    #: The unkeyed multiset sum of its entries (`arret.tlog.multiset`), hex; None until
    #: first needed after a migration (computed then from the entries).
    Column("sum", Text, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
)

#: Which policy each operator serves now.
feed_members = Table(
    "feed_members",
    metadata,
    Column("operator_id", Integer, ForeignKey("operators.id"), primary_key=True),
    Column("policy_id", Integer, ForeignKey("feed_policies.id"), nullable=False, index=True),
)

#: Every serial published for an operator: never reused, never going back.
feed_versions = Table(
    "feed_versions",
    metadata,
    Column("operator_id", Integer, ForeignKey("operators.id"), primary_key=True),
    Column("serial", BigInteger, primary_key=True, autoincrement=False),
    Column("published_at", UTCDateTime, nullable=False),
    Column("entries", Integer, nullable=False),
    Column("added", Integer, nullable=False),
    Column("removed", Integer, nullable=False),
    #: The journal cannot lead to this serial (the zone's rendering changed, not its
    #: entries): a client below it gets the full zone.
    Column("rewrite", Boolean, nullable=False, server_default="0"),
    #: The policy revision this serial serves.
    Column("policy_id", Integer, nullable=True),
    Column("rev", BigInteger, nullable=True),
)

#: A policy's entries as they stand at its current revision: `(owner, kind)`. No foreign
#: key to its policy: PostgreSQL would check one per row, and a new policy of a million
#: names has two million; only `store.feed` writes them, for a policy it has in hand
#: (migration 0010d). On SQLite, stored in its key's b-tree alone (WITHOUT ROWID).
feed_entries = Table(
    "feed_policy_entries",
    metadata,
    Column("policy_id", Integer, primary_key=True),
    Column("owner", String(255), primary_key=True),
    Column("kind", String(16), nullable=False),
    sqlite_with_rowid=False,
)

#: The journal (RFC 1995): what each revision of a policy removed and added, for IXFR.
feed_changes = Table(
    "feed_policy_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # No foreign key, as for the entries (0010d).
    Column("policy_id", Integer, nullable=False),
    Column("rev", BigInteger, nullable=False),
    Column("added", Boolean, nullable=False),
    Column("owner", String(255), nullable=False),
    Column("kind", String(16), nullable=False),
    Index(None, "policy_id", "rev"),
)

#: Revisions of a policy that took it from no entries to some: nothing removed, every
#: entry at that revision added. Their journal is not stored (it would repeat the entries:
#: two million rows for a million names) but derived from the policy's entries and its
#: later journal (`arret.store.feed.state_at`); the policy's entries are never dropped
#: while it has such a revision (`store.feed.drop_entries` writes the journal first).
feed_snapshots = Table(
    "feed_policy_snapshots",
    metadata,
    Column("policy_id", Integer, primary_key=True),
    Column("rev", BigInteger, primary_key=True),
)

#: How the zones are rendered: the host that `notice` answers point to. Kept so that a
#: change of `arret serve --notice-host` gives the zones that carry it a new serial.
feed_settings = Table(
    "feed_settings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("notice_host", String(255), nullable=False),
    Column("changed_at", UTCDateTime, nullable=False),
)

#: The instant up to which the scheduler has published the changes that time brings.
feed_clock = Table(
    "feed_clock",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("published_until", UTCDateTime, nullable=False),
)

# --- access to the HTTP API and the web UI ----------------------------------------------

#: API tokens. Only a SHA-256 digest of each token is kept: a token is 256 random bits,
#: so a plain hash cannot be reversed or brute-forced, and a stolen database copy gives
#: no usable token. `role` is `authority`, `auditor` or `operator:NAME`.
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("digest", String(64), nullable=False, unique=True),
    #: The first characters of the token, shown in lists so a person can tell tokens apart.
    Column("prefix", String(16), nullable=False),
    Column("role", String(80), nullable=False),
    Column("label", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("expires_at", UTCDateTime, nullable=True),
    Column("revoked_at", UTCDateTime, nullable=True),
)

#: Answers to writes sent with an `Idempotency-Key`: the same key from the same token
#: gets the first answer again instead of a second order.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("token_id", Integer, ForeignKey("api_tokens.id"), primary_key=True),
    Column("key", String(200), primary_key=True),
    #: SHA-256 of method, path and body: the same key with another request is refused.
    Column("request_digest", String(64), nullable=False),
    Column("status", Integer, nullable=False),
    Column("body", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

#: Logins to the web UI. The signed cookie holds only the session's key; the server keeps
#: its digest, the token it was opened with, and its end: logging out (or revoking the
#: token) ends it here, whatever copy of the cookie is still around.
web_sessions = Table(
    "web_sessions",
    metadata,
    #: SHA-256 of the key in the cookie (hex): the database alone opens no session.
    Column("digest", String(64), primary_key=True),
    Column("token_id", Integer, ForeignKey("api_tokens.id"), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
)

# --- compliance probing -------------------------------------------------------------------

#: Every answer a probed resolver gave, with what was expected and the verdict: the
#: evidence behind every compliance figure. Appended, never updated.
probe_results = Table(
    "probe_results",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("operator_id", Integer, ForeignKey("operators.id"), nullable=False),
    Column("resolver", String(64), nullable=False),
    Column("name", String(255), nullable=False),
    Column("target", String(255), nullable=False),
    Column("purpose", String(16), nullable=False),
    Column("orders", JSON, nullable=False),
    Column("since", UTCDateTime, nullable=True),
    Column("expected", String(16), nullable=True),
    Column("verdict", String(16), nullable=False),
    Column("how", String(16), nullable=True),
    Column("at", UTCDateTime, nullable=False),
    Column("latency", Float, nullable=False),
    Column("rcode", String(16), nullable=False),
    Column("answers", JSON, nullable=False),
    Column("ede", JSON, nullable=False),
    Column("reason", Text, nullable=False),
    Index(None, "operator_id", "at"),
    #: What probing saw of one name, newest first (a contest's evidence).
    Index(None, "name", "at"),
)


# --- The transparency log (`arret.store.log`) ---

#: Leaves of the Merkle tree, in log order: canonical JSON (`arret.tlog.leaves`) and its
#: RFC 9162 leaf hash. Appended in the transaction of what they record, never changed.
log_leaves = Table(
    "log_leaves",
    metadata,
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("data", Text, nullable=False),
    Column("hash", String(64), nullable=False),
    #: What the leaf records: an event, or an operator's feed serial — or, without either
    #: and with a serial, a hand-over of the signing key whose new key signs the heads
    #: from size `serial` on (`arret.tlog.keys`; found by the index below).
    Column("event_id", Integer, ForeignKey("events.id"), nullable=True, unique=True),
    Column("operator_id", Integer, ForeignKey("operators.id"), nullable=True),
    Column("serial", BigInteger, nullable=True),
    Index(None, "operator_id", "serial", unique=True),
)

#: A signed tree head after every append: `size` leaves, their root, when, the signature.
log_heads = Table(
    "log_heads",
    metadata,
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("timestamp", UTCDateTime, nullable=False),
    Column("root_hash", String(64), nullable=False),
    Column("signature", String(128), nullable=False),
)

#: The right edge of the tree (roots of its perfect subtrees, left to right), so that an
#: append costs log2(size) hashes. One row, locked by each append: appends are serial.
log_state = Table(
    "log_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("size", BigInteger, nullable=False),
    Column("frontier", JSON, nullable=False),
)

#: The tree as C2SP tlog-tiles (`arret.tlog.tiles`): tile `idx` of `level` holds up to 256
#: hashes of nodes of height 8·level, concatenated (32 octets each). Written in each
#: append's transaction: the partial tile at each level grows until it is full (256
#: hashes), then never changes. Proofs read these, not the leaves.
log_tiles = Table(
    "log_tiles",
    metadata,
    Column("level", SmallInteger, nullable=False, autoincrement=False),
    Column("idx", BigInteger, nullable=False, autoincrement=False),
    Column("hashes", LargeBinary, nullable=False),
    PrimaryKeyConstraint("level", "idx"),
)

#: The salt of each name of a confidential order: its leaves hold SHA-256(salt ‖ name).
#: For auditors only (never in a public answer).
name_salts = Table(
    "name_salts",
    metadata,
    Column("name", String(253), primary_key=True),
    Column("salt", String(32), nullable=False),
)

#: Each operator's secret for its policy digests (`arret.tlog.multiset`): its key (hex),
#: used from serial `keyed_since` on; the salt and state of the salted digest that the
#: serials before it were logged with (databases from before shared policies).
feed_digests = Table(
    "feed_digests",
    metadata,
    Column("operator_id", Integer, ForeignKey("operators.id"), primary_key=True),
    Column("salt", String(32), nullable=False),
    Column("state", Text, nullable=False),
    Column("key", Text, nullable=True),
    Column("keyed_since", BigInteger, nullable=True),
)

# --- Contests (`arret.store.contests`) ---

#: A contest of the block of a name, as the claimant sent it, and its decision. Nothing
#: about the sender's connection is a column: the claimant is known by what they wrote.
contests = Table(
    "contests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(253), nullable=False),
    Column("standing", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("contact", String(254), nullable=True),
    #: SHA-256 (hex) of the follow-up link's secret: the database alone opens no receipt.
    Column("secret_digest", String(64), nullable=False),
    #: The orders that blocked the name when the contest arrived (ids).
    Column("orders", JSON, nullable=False),
    Column("received_at", UTCDateTime, nullable=False, index=True),
    Column("due_at", UTCDateTime, nullable=False),
    #: `pending`, or the outcome (`arret.domain.contests.Outcome`).
    Column("state", String(16), nullable=False, index=True),
    Column("decided_at", UTCDateTime, nullable=True),
    Column("decided_by", String(300), nullable=True),
    #: The decision's reasons, which the claimant reads.
    Column("decision", Text, nullable=True),
    #: When the authority was reminded of the deadline (e-mail), if it was.
    Column("reminded_at", UTCDateTime, nullable=True),
    Index(None, "name", "received_at"),
)

#: The orders that blocked a contest's name when it arrived: what the public counts per
#: order are grouped by.
contest_orders = Table(
    "contest_orders",
    metadata,
    Column("contest_id", Integer, ForeignKey("contests.id"), nullable=False),
    Column("order_id", Integer, nullable=False, index=True),
    PrimaryKeyConstraint("contest_id", "order_id"),
)

#: Files a claimant attached, their type read from their content.
contest_attachments = Table(
    "contest_attachments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("contest_id", Integer, ForeignKey("contests.id"), nullable=False, index=True),
    Column("filename", String(200), nullable=False),
    Column("media_type", String(40), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
)

#: Proof-of-work challenges already answered (SHA-256 of each), until they expire: each
#: buys one contest.
contest_challenges = Table(
    "contest_challenges",
    metadata,
    Column("digest", String(64), primary_key=True),
    Column("expires_at", UTCDateTime, nullable=False, index=True),
)

#: E-mail waiting to be sent, and sent: written in the transaction of what it tells, so a
#: mail server that is down loses nothing.
mail_outbox = Table(
    "mail_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("recipient", String(254), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("body", Text, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime, nullable=False, index=True),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
)

# --- Documents of orders (`arret.store.documents`) ---

#: Each document once, by the SHA-256 of its content (content-addressed: the same file
#: attached twice is kept once). `content` is NULL when the content is kept in a directory
#: instead (`arret --documents DIR`), as a file named by the digest.
documents = Table(
    "documents",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("media_type", String(40), nullable=False),
    Column("content", LargeBinary, nullable=True),
    Column("stored_at", UTCDateTime, nullable=False),
)

#: Which order carries which document, as what: a projection of the `order.document`
#: events (`event_id`), like `orders` of the others.
order_documents = Table(
    "order_documents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", Integer, ForeignKey("events.id"), nullable=False, unique=True),
    Column("order_id", Integer, ForeignKey("orders.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("sha256", String(64), ForeignKey("documents.sha256"), nullable=False),
    Column("target", String(253), nullable=True),
    Column("filename", String(200), nullable=False),
    Column("captured_at", UTCDateTime, nullable=True),
    Column("captured_by", String(300), nullable=True),
    Column("attached_at", UTCDateTime, nullable=False),
)
