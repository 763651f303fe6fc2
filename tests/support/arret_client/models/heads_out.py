from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.tree_head_out import TreeHeadOut





T = TypeVar("T", bound="HeadsOut")



@_attrs_define
class HeadsOut:
    """ 
        Attributes:
            end (int):
            heads (list[TreeHeadOut]):
            start (int):
     """

    end: int
    heads: list[TreeHeadOut]
    start: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.tree_head_out import TreeHeadOut # noqa: PLC0415
        end = self.end

        heads = []
        for heads_item_data in self.heads:
            heads_item = heads_item_data.to_dict()
            heads.append(heads_item)



        start = self.start


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "end": end,
            "heads": heads,
            "start": start,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.tree_head_out import TreeHeadOut # noqa: PLC0415
        d = dict(src_dict)
        end = d.pop("end")

        heads = []
        _heads = d.pop("heads")
        for heads_item_data in (_heads):
            heads_item = TreeHeadOut.from_dict(heads_item_data)



            heads.append(heads_item)


        start = d.pop("start")

        heads_out = cls(
            end=end,
            heads=heads,
            start=start,
        )


        heads_out.additional_properties = d
        return heads_out

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
