from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.key_out import KeyOut





T = TypeVar("T", bound="OperatorAddedOut")



@_attrs_define
class OperatorAddedOut:
    """ 
        Attributes:
            added_at (str):
            allow_from (list[str]):
            key (KeyOut): A TSIG key, shown once.
            name (str):
            notify (list[str]):
            probe (list[str]):
     """

    added_at: str
    allow_from: list[str]
    key: KeyOut
    name: str
    notify: list[str]
    probe: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.key_out import KeyOut # noqa: PLC0415
        added_at = self.added_at

        allow_from = self.allow_from



        key = self.key.to_dict()

        name = self.name

        notify = self.notify



        probe = self.probe




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "added_at": added_at,
            "allow_from": allow_from,
            "key": key,
            "name": name,
            "notify": notify,
            "probe": probe,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.key_out import KeyOut # noqa: PLC0415
        d = dict(src_dict)
        added_at = d.pop("added_at")

        allow_from = cast(list[str], d.pop("allow_from"))


        key = KeyOut.from_dict(d.pop("key"))




        name = d.pop("name")

        notify = cast(list[str], d.pop("notify"))


        probe = cast(list[str], d.pop("probe"))


        operator_added_out = cls(
            added_at=added_at,
            allow_from=allow_from,
            key=key,
            name=name,
            notify=notify,
            probe=probe,
        )


        operator_added_out.additional_properties = d
        return operator_added_out

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
