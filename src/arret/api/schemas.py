"""What the API accepts. Instants and dates are strings, read by the same functions as
the CLI (`arret.domain.instants`) so that both refuse the same input with the same words.
Answers are the dicts of `arret.views`, shared with `--json`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from arret.domain import text
from arret.domain.model import Action, Scope


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TargetIn(Strict):
    name: str = Field(examples=["dossiers-labos.example"])
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
    decided_on: str = Field(examples=["2021-03-04"])
    targets: list[TargetIn]
    operators: list[str] = []
    all_operators: bool = False
    effective_at: str | None = Field(None, description='Default: now ("without delay").')
    expires_at: str | None = None
    duration: str | None = Field(None, examples=["18mo"])
    requester: str = Field("", max_length=text.REQUESTER.max_length)
    legal_basis: str = Field("", max_length=text.LEGAL_BASIS.max_length)
    action: Action = Action.NXDOMAIN
    confidential: bool = False
    notice: str = Field("", max_length=text.NOTICE.max_length)


class AmendIn(Strict):
    add: list[TargetIn] = []
    remove: list[str] = []
    expires_at: str | None = None
    at: str | None = Field(None, description="When the amendment takes effect; default now.")


class LiftIn(Strict):
    reason: str = Field(min_length=1, max_length=text.REASON.max_length)
    at: str | None = None


class OperatorIn(Strict):
    name: str = Field(examples=["orange"])
    notify: list[str] = []
    probe: list[str] = []
    allow_from: list[str] = []


class AllowIn(Strict):
    name: str
    reason: str = Field(min_length=1, max_length=text.REASON.max_length)
