from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast






T = TypeVar("T", bound="OperatorOut")



@_attrs_define
class OperatorOut:
    """ 
        Attributes:
            added_at (str):
            allow_from (list[str]):
            name (str):
            notify (list[str]):
            probe (list[str]):
     """

    added_at: str
    allow_from: list[str]
    name: str
    notify: list[str]
    probe: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        added_at = self.added_at

        allow_from = self.allow_from



        name = self.name

        notify = self.notify



        probe = self.probe




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "added_at": added_at,
            "allow_from": allow_from,
            "name": name,
            "notify": notify,
            "probe": probe,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        added_at = d.pop("added_at")

        allow_from = cast(list[str], d.pop("allow_from"))


        name = d.pop("name")

        notify = cast(list[str], d.pop("notify"))


        probe = cast(list[str], d.pop("probe"))


        operator_out = cls(
            added_at=added_at,
            allow_from=allow_from,
            name=name,
            notify=notify,
            probe=probe,
        )


        operator_out.additional_properties = d
        return operator_out

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
