"""Contests of a block, as pure rules: who may claim what, what a claim may carry, when it
is due, which decisions close it, and the proof of work that bounds abuse without
knowing who sends.

A contest is anonymous: it names the blocked name, the claimant's standing, a reason, an
optional contact address and optional attachments. Nothing about the sender's
connection is part of it. The claimant gets a receipt (the contest's id and a secret
link); the authority gets a queue with a deadline per contest.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from arret.domain import documents, text


class Standing(StrEnum):
    """Who the claimant is to the blocked name."""

    OWNER = "owner"  # the site's owner
    HOST = "host"  # its host or CDN: other customers may be cut off with it
    USER = "user"  # someone who uses the site
    OTHER = "other"


#: A host's or a CDN's claim is a bystander's: its other customers are cut off by a block
#: meant for one of them (a shared address or platform). It is due sooner.
BYSTANDERS = frozenset({Standing.HOST})


class Outcome(StrEnum):
    UPHELD = "upheld"  # the block stays, with reasons the claimant reads
    REMOVED = "removed"  # the name is taken out of the orders (an amendment)
    ALLOWED = "allowed"  # the name is put on the allow-list (a bystander)
    REFERRED = "referred"  # sent to the court that issued the order


PENDING = "pending"


@dataclass(frozen=True)
class Limits:
    """What one contest may carry, how many arrive, and when each is due."""

    #: Deadline of a bystander's claim (`BYSTANDERS`) and of any other.
    bystander_deadline: timedelta = timedelta(hours=48)
    deadline: timedelta = timedelta(days=15)
    max_attachments: int = 3
    max_attachment: int = 2 * 2**20
    max_attachments_total: int = 5 * 2**20
    #: Contests accepted per name, and in all, in any `window`.
    per_name: int = 20
    overall: int = 500
    window: timedelta = timedelta(hours=1)
    #: Leading zero bits the proof of work needs (each bit doubles the work: 2^bits
    #: SHA-256 on average; at 16, a median 0.5 s for the notice page's script under V8:
    #: `bench/contest_pow.py`).
    pow_bits: int = 16
    #: How long a challenge may be answered after it was issued.
    pow_lifetime: timedelta = timedelta(hours=1)

    def due(self, standing: Standing, received: datetime) -> datetime:
        late = self.bystander_deadline if standing in BYSTANDERS else self.deadline
        return received + late


REASON = text.Field("reason", 4000, multiline=True)
CONTACT = text.Field("contact", 254)
FILENAME = text.Field("file name", 200)
DECISION = text.Field("decision reason", 4000, multiline=True)

#: A deliberately plain address check: one @, no space, a dot in the domain.
_ADDRESS = re.compile(r"^[^@\s<>\"]{1,64}@[^@\s<>\"]+\.[^@\s<>\".]{2,}$")


def address_problem(address: str) -> str | None:
    if not _ADDRESS.match(address):
        return f"contact: {address!r} is not an e-mail address (name@example.org)"
    return None


# --- attachments: what a file is, read from its content ------------------------------------

#: The types a contest's attachment may have. What a file is comes from its content alone,
#: by the same check as an order's documents (`documents.sniff`, `documents.refusal`): a
#: file that starts as markup (after white space and a byte order mark), text holding a
#: control character, or anything else is refused, whatever it is called.
ACCEPTED = (documents.PDF, documents.PNG, documents.JPEG, documents.TEXT)


@dataclass(frozen=True)
class Attachment:
    filename: str
    #: The type the sender declared (may be empty); checked against the content.
    declared: str
    content: bytes


def attachment_problems(files: Sequence[Attachment], limits: Limits) -> list[str]:
    """Every reason the attachments cannot be kept (none: they can)."""
    found: list[str] = []
    if len(files) > limits.max_attachments:
        found.append(f"attachments: {len(files)} files, at most {limits.max_attachments}")
    total = 0
    for number, file in enumerate(files, 1):
        label = f"attachment {number} ({file.filename!r})"
        found += [f"{label}: {p}" for p in text.problems(FILENAME, file.filename)]
        total += len(file.content)
        if not file.content:
            found.append(f"{label}: empty")
            continue
        if len(file.content) > limits.max_attachment:
            found.append(
                f"{label}: {len(file.content):,} bytes, more than {limits.max_attachment:,}"
            )
            continue
        refused = documents.refusal(file.content)
        if refused is not None:
            found.append(f"{label}: its content is {refused}")
            continue
        kind = documents.sniff(file.content)
        if kind not in ACCEPTED:
            found.append(f"{label}: its content is {kind}; it must be {' or '.join(ACCEPTED)}")
            continue
        declared = file.declared.split(";")[0].strip().lower()
        if declared and declared not in ("application/octet-stream", kind):
            found.append(f"{label}: declared {declared}, but its content is {kind}")
    if total > limits.max_attachments_total:
        found.append(
            f"attachments: {total:,} bytes in all, more than {limits.max_attachments_total:,}"
        )
    return found


# --- the claim itself ------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """A contest as sent, before it is checked: the name as typed."""

    name: str
    standing: str
    reason: str
    contact: str = ""
    attachments: tuple[Attachment, ...] = field(default=())


def claim_problems(claim: Claim, limits: Limits) -> list[str]:
    """Every reason in the claim itself (the name is checked against the registry by the
    service): standing, reason, contact, attachments."""
    found: list[str] = []
    if claim.standing not in {s.value for s in Standing}:
        choices = ", ".join(s.value for s in Standing)
        found.append(f"standing: {claim.standing!r} is not one of {choices}")
    if not claim.reason.strip():
        found.append("reason: say why the block is wrong (it is what the authority reads)")
    found += text.problems(REASON, claim.reason)
    if claim.contact:
        found += text.problems(CONTACT, claim.contact) or [
            p for p in [address_problem(claim.contact)] if p
        ]
    found += attachment_problems(claim.attachments, limits)
    return found


def secret_digest(secret: str) -> str:
    """What the registry keeps of a follow-up secret: its SHA-256 (the link is the key)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def secret_matches(secret: str, digest: str) -> bool:
    return hmac.compare_digest(secret_digest(secret), digest)


# --- proof of work ---------------------------------------------------------------------------
#
# A challenge is `v1.<issued unix seconds>.<bits>.<nonce hex>.<mac hex>`, the MAC an
# HMAC-SHA256 by the server's key over the rest: the server keeps nothing until it is
# answered. An answer is a decimal counter such that SHA-256("<challenge>:<counter>")
# starts with `bits` zero bits. The server then keeps the challenge's digest until it
# expires, so each challenge buys one contest.


def _mac(key: bytes, body: str) -> str:
    return hmac.new(key, body.encode("ascii"), hashlib.sha256).hexdigest()


def challenge(key: bytes, issued: datetime, bits: int, nonce: bytes) -> str:
    body = f"v1.{int(issued.timestamp())}.{bits}.{nonce.hex()}"
    return f"{body}.{_mac(key, body)}"


def leading_zero_bits(digest: bytes) -> int:
    count = 0
    for byte in digest:
        if byte == 0:
            count += 8
            continue
        return count + 8 - byte.bit_length()
    return count


def solve(challenge_text: str, bits: int) -> str:
    """The first counter that answers `challenge_text` (what a client does; used by tests
    and by `arret` itself nowhere else)."""
    counter = 0
    prefix = f"{challenge_text}:".encode("ascii")
    while leading_zero_bits(hashlib.sha256(prefix + str(counter).encode()).digest()) < bits:
        counter += 1
    return str(counter)


def proof_problem(
    key: bytes, challenge_text: str, answer: str, now: datetime, limits: Limits
) -> str | None:
    """Why `answer` does not prove the work `challenge_text` asked for (None: it does)."""
    parts = challenge_text.split(".")
    well_formed = len(parts) == 5 and parts[0] == "v1" and parts[1].isdigit() and parts[2].isdigit()
    if not challenge_text.isascii() or not well_formed:
        return "proof of work: not a challenge of this server (ask GET /api/contests/challenge)"
    body = ".".join(parts[:4])
    if not hmac.compare_digest(_mac(key, body), parts[4]):
        return "proof of work: not a challenge of this server (ask GET /api/contests/challenge)"
    issued = datetime.fromtimestamp(int(parts[1]), now.tzinfo)
    if now - issued > limits.pow_lifetime or issued - now > timedelta(minutes=5):
        return "proof of work: the challenge has expired; ask for a new one"
    bits = int(parts[2])
    if bits < limits.pow_bits:
        return "proof of work: the challenge is easier than this server asks"
    if not (answer.isascii() and answer.isdigit()) or len(answer) > 20:
        return "proof of work: the answer must be a decimal counter"
    digest = hashlib.sha256(f"{challenge_text}:{answer}".encode("ascii")).digest()
    if leading_zero_bits(digest) < bits:
        return f"proof of work: SHA-256 of '<challenge>:{answer}' lacks {bits} leading zero bits"
    return None


def challenge_digest(challenge_text: str) -> str:
    return hashlib.sha256(challenge_text.encode("ascii", "replace")).hexdigest()
