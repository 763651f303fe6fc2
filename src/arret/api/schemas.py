"""What the API accepts and what it answers. Instants and dates are strings, read by the
same functions as the CLI (`arret.domain.instants`) so that both refuse the same input
with the same words. Answers are the dicts of `arret.views`, shared with `--json`; the
models below describe them for `/api/docs`."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from arret.domain import names, text
from arret.domain.model import Action, Scope, Status
from arret.http.deps import INSTANT_MAX, INSTANT_PATTERN, OPERATOR_PATTERN

#: Stated in the document, checked by the registry with its own words (not by the schema
#: validation, whose message would be a regular expression).
_INSTANT: JsonDict = {"pattern": INSTANT_PATTERN}
_DAY: JsonDict = {"pattern": r"^\s*[0-9]{4}"}
_OPERATOR: JsonDict = {"pattern": OPERATOR_PATTERN}
#: A duration (`18mo`, `1y6mo`): numbers and units, or empty (not given).
_DURATION: JsonDict = {"pattern": r"^(\s*[0-9]|$)"}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


#: A DNS name as typed (`arret.domain.names.normalize` reads it): its length is stated and
#: checked here; its syntax, with Unicode and the spellings people give instead of a name,
#: is the registry's to judge, with every reason (no pattern could say it).
DnsName = Annotated[str, Field(max_length=names.MAX_INPUT)]


class TargetIn(Strict):
    name: DnsName = Field(examples=["dossiers-labos.example"])
    scope: Scope = Scope.SUBTREE
    #: None: the order's action.
    action: Action | None = None


class OrderIn(Strict):
    reference: str = Field(
        min_length=1, max_length=text.REFERENCE.max_length, examples=["RG 21/51823"]
    )
    authority: str = Field(
        min_length=1,
        max_length=text.AUTHORITY.max_length,
        examples=["Tribunal judiciaire de Paris"],
    )
    decided_on: str = Field(max_length=INSTANT_MAX, examples=["2021-03-04"], json_schema_extra=_DAY)
    targets: list[TargetIn]
    operators: list[Annotated[str, Field(json_schema_extra=_OPERATOR)]] = []
    all_operators: bool = False
    effective_at: str | None = Field(
        None,
        max_length=INSTANT_MAX,
        description='Default: now ("without delay").',
        json_schema_extra=_INSTANT,
    )
    expires_at: str | None = Field(None, max_length=INSTANT_MAX, json_schema_extra=_INSTANT)
    duration: str | None = Field(
        None, max_length=INSTANT_MAX, examples=["18mo"], json_schema_extra=_DURATION
    )
    requester: str = Field("", max_length=text.REQUESTER.max_length)
    legal_basis: str = Field("", max_length=text.LEGAL_BASIS.max_length)
    action: Action = Action.NXDOMAIN
    confidential: bool = False
    notice: str = Field("", max_length=text.NOTICE.max_length)


class AmendIn(Strict):
    add: list[TargetIn] = []
    remove: list[DnsName] = []
    expires_at: str | None = Field(None, max_length=INSTANT_MAX, json_schema_extra=_INSTANT)
    at: str | None = Field(
        None,
        max_length=INSTANT_MAX,
        description="When the amendment takes effect; default now.",
        json_schema_extra=_INSTANT,
    )


class LiftIn(Strict):
    reason: str = Field(min_length=1, max_length=text.REASON.max_length)
    at: str | None = Field(None, max_length=INSTANT_MAX, json_schema_extra=_INSTANT)


class OperatorIn(Strict):
    name: str = Field(examples=["orange"], json_schema_extra=_OPERATOR)
    notify: list[str] = []
    probe: list[str] = []
    allow_from: list[str] = []


class AllowIn(Strict):
    name: DnsName
    reason: str = Field(min_length=1, max_length=text.REASON.max_length)


# --- What the API answers --------------------------------------------------------------
#
# The shapes of the dicts the handlers return (`arret.views`, shared with the CLI's
# `--json`), so that `/api/docs` shows them. An answer is checked against its model as it
# leaves, and passed through as it is: every field is in the dict, in the same order, and
# a field a model does not list (an event's own fields) is kept (`extra="allow"`).
# Instants are ISO 8601 strings in UTC, as everywhere in the API.


class Out(BaseModel):
    model_config = ConfigDict(extra="allow")


class OrderTermsOut(Out):
    id: int
    reference: str
    authority: str
    requester: str
    legal_basis: str
    decided_on: str
    effective_at: str
    expires_at: str
    lifted_at: str | None
    lift_reason: str | None
    status: Status
    operators: list[str] | Literal["all"]
    action: Action
    confidential: bool
    notice: str
    registered_at: str
    #: Names present at `at` (in the public register: its current names).
    names: int


class OrderOut(OrderTermsOut):
    """An order at an instant (`at`): its terms, its status then, its names present then."""

    at: str


class TargetOut(Out):
    name: str
    scope: Scope
    action: Action
    added_at: str
    removed_at: str | None


class EventOut(Out):
    """An event as recorded: its number, when it was recorded, its kind, and the event's
    own fields (those of `order.registered`, `order.amended`, …)."""

    seq: int
    recorded_at: str
    kind: str


class OrderDetailOut(OrderOut):
    targets: list[TargetOut] = Field(description="The first page of its targets.")
    targets_total: int
    targets_next: str | None = Field(description="The next page's URL; null on the last.")
    history: list[EventOut]


class TargetsPageOut(Out):
    id: int
    targets: list[TargetOut]
    targets_total: int
    targets_next: str | None


class PlanOut(Out):
    """What the change does (or, with `?dry_run=true`, would do) to the current names."""

    adds: list[str]
    removes: list[str]
    expires_at: str
    operators: list[str] | Literal["all"]


class RegisteredOut(OrderDetailOut):
    plan: PlanOut
    dry_run: bool = Field(False, description="Present (true) only for a dry run.")


class AmendedOut(OrderOut):
    plan: PlanOut
    amendment: EventOut
    targets_total: int
    targets_url: str
    dry_run: bool = Field(False, description="Present (true) only for a dry run.")


class LiftedOut(OrderOut):
    plan: PlanOut
    lift: EventOut
    targets_total: int
    targets_url: str
    dry_run: bool = Field(False, description="Present (true) only for a dry run.")


class OperatorOut(Out):
    name: str
    added_at: str
    notify: list[str]
    probe: list[str]
    allow_from: list[str]


class KeyOut(Out):
    """A TSIG key, shown once."""

    name: str
    algorithm: str
    secret: str
    created_at: str


class OperatorAddedOut(OperatorOut):
    key: KeyOut


class LastTransferOut(Out):
    kind: str
    at: str
    serial: int


class NotifyOut(Out):
    target: str
    serial: int
    since: str
    sent: int


class GivenUpOut(Out):
    serial: int
    at: str


class ResolverOut(Out):
    """A resolver as the feed sees it: the serial it holds and how that is known, how far
    behind it is, the NOTIFY being re-sent to it or given up."""

    address: str
    serial: int | None
    seen_at: str | None
    evidence: str | None
    lag: int | None
    notify: NotifyOut | None
    given_up: GivenUpOut | None


class FeedOut(Out):
    """An operator's feed; the transfers and resolvers when the feed runs in this process."""

    zone: str
    serial: int | None
    published_at: str | None
    records: int
    names: int
    versions: int
    last_transfer: LastTransferOut | None
    transfers: dict[str, int]
    resolvers: list[ResolverOut]


class OperatorDetailOut(OperatorOut):
    feed: FeedOut


class DigestSaltOut(Out):
    operator: str
    key: str | None
    keyed_since: int | None
    salt: str | None


class EntryOut(Out):
    owner: str
    kind: str


class ChangeOut(Out):
    serial: int
    published_at: str
    removed: list[EntryOut]
    added: list[EntryOut]


class AllowOut(Out):
    name: str
    reason: str
    added_at: str


class MomentOut(Out):
    """A dated step of an order's life (names: at most 100 per step; the counts are whole)."""

    at: str
    kind: str
    added: list[str]
    removed: list[str]
    added_count: int
    removed_count: int
    expires_at: str | None
    reason: str | None


class PublicOrderOut(OrderTermsOut):
    """An order as anyone may read it: no names of a confidential order (`targets` null)."""

    targets: list[str] | None


class PublicDocumentOut(Out):
    """A document of an order as anyone may see it: of a confidential order, only its kind
    and digest."""

    kind: str = Field(description="decision or evidence")
    sha256: str
    media_type: str | None = None
    size: int | None = None
    filename: str | None = None
    target: str | None = None
    captured_at: str | None = None
    captured_by: str | None = None
    attached_at: str | None = None
    event: int | None = Field(None, description="The event that attached it (its log leaf).")


class DocumentOut(PublicDocumentOut):
    media_type: str
    size: int
    filename: str
    attached_at: str
    event: int
    dry_run: bool | None = Field(None, description="True in the answer to a dry run.")


class DocumentsOut(Out):
    id: int
    documents: list[DocumentOut]


class PublicOrderDetailOut(PublicOrderOut):
    targets_next: str | None
    timeline: list[MomentOut]
    documents: list[PublicDocumentOut]


class PublicNamesOut(Out):
    id: int
    names: int
    targets: list[str] | None
    targets_next: str | None


class NoticeOrderOut(Out):
    id: int
    reference: str
    authority: str
    legal_basis: str
    decided_on: str
    effective_at: str
    ends_at: str
    notice: str
    target: str
    scope: Scope
    action: Action


class NoticeOut(Out):
    name: str
    blocked: bool
    allowed_by: str | None
    orders: list[NoticeOrderOut]


class HealthOut(Out):
    status: Literal["ok", "degraded"]
    database: str
    feed: str
    time: str


class LogKeySpanOut(Out):
    from_size: int = Field(description="The first tree head size this key signs.")
    public_key: str
    key_id: str


class LogKeyOut(Out):
    algorithm: str
    public_key: str = Field(description="The key in force (raw, base64).")
    key_id: str
    pem: str
    history: list[LogKeySpanOut] = Field(
        description="Every key the log was signed with, in order; each signs the heads from "
        "its from_size until the next one's (a hand-over leaf links them)."
    )


class TreeHeadOut(Out):
    size: int
    timestamp: str
    root_hash: str
    signature: str


class HeadsOut(Out):
    start: int
    end: int
    heads: list[TreeHeadOut]


class LeafOut(Out):
    index: int
    data: str
    hash: str


class LeavesOut(Out):
    start: int
    end: int
    leaves: list[LeafOut]


class InclusionOut(Out):
    index: int
    size: int
    leaf_hash: str
    audit_path: list[str]


class ConsistencyOut(Out):
    first: int
    second: int
    proof: list[str]


class CommitmentOut(Out):
    name: str
    salt: str
    commitment: str
    leaves: list[int]


class RuleOut(Out):
    name: str
    scope: Scope
    action: Action
    orders: list[int]


class PolicyOut(Out):
    """What an operator must block at an instant (`?format=json`, as `arret policy --json`)."""

    operator: str
    at: str
    rules: list[RuleOut]
    passthru: list[str]
