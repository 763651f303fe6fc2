from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast






T = TypeVar("T", bound="InclusionOut")



@_attrs_define
class InclusionOut:
    """ 
        Attributes:
            audit_path (list[str]):
            index (int):
            leaf_hash (str):
            size (int):
     """

    audit_path: list[str]
    index: int
    leaf_hash: str
    size: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        audit_path = self.audit_path



        index = self.index

        leaf_hash = self.leaf_hash

        size = self.size


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "audit_path": audit_path,
            "index": index,
            "leaf_hash": leaf_hash,
            "size": size,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        audit_path = cast(list[str], d.pop("audit_path"))


        index = d.pop("index")

        leaf_hash = d.pop("leaf_hash")

        size = d.pop("size")

        inclusion_out = cls(
            audit_path=audit_path,
            index=index,
            leaf_hash=leaf_hash,
            size=size,
        )


        inclusion_out.additional_properties = d
        return inclusion_out

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
