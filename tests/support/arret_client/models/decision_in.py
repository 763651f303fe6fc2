from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.outcome import Outcome






T = TypeVar("T", bound="DecisionIn")



@_attrs_define
class DecisionIn:
    """ 
        Attributes:
            outcome (Outcome):
            reason (str):
     """

    outcome: Outcome
    reason: str





    def to_dict(self) -> dict[str, Any]:
        outcome = self.outcome.value

        reason = self.reason


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "outcome": outcome,
            "reason": reason,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        outcome = Outcome(d.pop("outcome"))




        reason = d.pop("reason")

        decision_in = cls(
            outcome=outcome,
            reason=reason,
        )

        return decision_in

