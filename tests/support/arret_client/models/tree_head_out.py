from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="TreeHeadOut")



@_attrs_define
class TreeHeadOut:
    """ 
        Attributes:
            root_hash (str):
            signature (str):
            size (int):
            timestamp (str):
     """

    root_hash: str
    signature: str
    size: int
    timestamp: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        root_hash = self.root_hash

        signature = self.signature

        size = self.size

        timestamp = self.timestamp


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "root_hash": root_hash,
            "signature": signature,
            "size": size,
            "timestamp": timestamp,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        root_hash = d.pop("root_hash")

        signature = d.pop("signature")

        size = d.pop("size")

        timestamp = d.pop("timestamp")

        tree_head_out = cls(
            root_hash=root_hash,
            signature=signature,
            size=size,
            timestamp=timestamp,
        )


        tree_head_out.additional_properties = d
        return tree_head_out

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
