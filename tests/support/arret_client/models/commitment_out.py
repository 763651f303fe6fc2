from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast






T = TypeVar("T", bound="CommitmentOut")



@_attrs_define
class CommitmentOut:
    """ 
        Attributes:
            commitment (str):
            leaves (list[int]):
            name (str):
            salt (str):
     """

    commitment: str
    leaves: list[int]
    name: str
    salt: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        commitment = self.commitment

        leaves = self.leaves



        name = self.name

        salt = self.salt


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "commitment": commitment,
            "leaves": leaves,
            "name": name,
            "salt": salt,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        commitment = d.pop("commitment")

        leaves = cast(list[int], d.pop("leaves"))


        name = d.pop("name")

        salt = d.pop("salt")

        commitment_out = cls(
            commitment=commitment,
            leaves=leaves,
            name=name,
            salt=salt,
        )


        commitment_out.additional_properties = d
        return commitment_out

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
