from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.counts_out_outcomes import CountsOutOutcomes
  from ..models.counts_out_per_order import CountsOutPerOrder





T = TypeVar("T", bound="CountsOut")



@_attrs_define
class CountsOut:
    """ 
        Attributes:
            median_hours_to_decision (float | None):
            outcomes (CountsOutOutcomes):
            pending (int):
            per_order (CountsOutPerOrder):
            received (int):
     """

    median_hours_to_decision: float | None
    outcomes: CountsOutOutcomes
    pending: int
    per_order: CountsOutPerOrder
    received: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.counts_out_outcomes import CountsOutOutcomes # noqa: PLC0415
        from ..models.counts_out_per_order import CountsOutPerOrder # noqa: PLC0415
        median_hours_to_decision: float | None
        median_hours_to_decision = self.median_hours_to_decision

        outcomes = self.outcomes.to_dict()

        pending = self.pending

        per_order = self.per_order.to_dict()

        received = self.received


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "median_hours_to_decision": median_hours_to_decision,
            "outcomes": outcomes,
            "pending": pending,
            "per_order": per_order,
            "received": received,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.counts_out_outcomes import CountsOutOutcomes # noqa: PLC0415
        from ..models.counts_out_per_order import CountsOutPerOrder # noqa: PLC0415
        d = dict(src_dict)
        def _parse_median_hours_to_decision(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        median_hours_to_decision = _parse_median_hours_to_decision(d.pop("median_hours_to_decision"))


        outcomes = CountsOutOutcomes.from_dict(d.pop("outcomes"))




        pending = d.pop("pending")

        per_order = CountsOutPerOrder.from_dict(d.pop("per_order"))




        received = d.pop("received")

        counts_out = cls(
            median_hours_to_decision=median_hours_to_decision,
            outcomes=outcomes,
            pending=pending,
            per_order=per_order,
            received=received,
        )


        counts_out.additional_properties = d
        return counts_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
