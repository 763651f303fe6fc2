from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.leaf_out import LeafOut





T = TypeVar("T", bound="LeavesOut")



@_attrs_define
class LeavesOut:
    """ 
        Attributes:
            end (int):
            leaves (list[LeafOut]):
            start (int):
     """

    end: int
    leaves: list[LeafOut]
    start: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.leaf_out import LeafOut # noqa: PLC0415
        end = self.end

        leaves = []
        for leaves_item_data in self.leaves:
            leaves_item = leaves_item_data.to_dict()
            leaves.append(leaves_item)



        start = self.start


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "end": end,
            "leaves": leaves,
            "start": start,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.leaf_out import LeafOut # noqa: PLC0415
        d = dict(src_dict)
        end = d.pop("end")

        leaves = []
        _leaves = d.pop("leaves")
        for leaves_item_data in (_leaves):
            leaves_item = LeafOut.from_dict(leaves_item_data)



            leaves.append(leaves_item)


        start = d.pop("start")

        leaves_out = cls(
            end=end,
            leaves=leaves,
            start=start,
        )


        leaves_out.additional_properties = d
        return leaves_out

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
