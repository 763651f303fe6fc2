from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast






T = TypeVar("T", bound="DigestSaltOut")



@_attrs_define
class DigestSaltOut:
    """ 
        Attributes:
            key (None | str):
            keyed_since (int | None):
            operator (str):
            salt (None | str):
     """

    key: None | str
    keyed_since: int | None
    operator: str
    salt: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        key: None | str
        key = self.key

        keyed_since: int | None
        keyed_since = self.keyed_since

        operator = self.operator

        salt: None | str
        salt = self.salt


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "key": key,
            "keyed_since": keyed_since,
            "operator": operator,
            "salt": salt,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        def _parse_key(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        key = _parse_key(d.pop("key"))


        def _parse_keyed_since(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        keyed_since = _parse_keyed_since(d.pop("keyed_since"))


        operator = d.pop("operator")

        def _parse_salt(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        salt = _parse_salt(d.pop("salt"))


        digest_salt_out = cls(
            key=key,
            keyed_since=keyed_since,
            operator=operator,
            salt=salt,
        )


        digest_salt_out.additional_properties = d
        return digest_salt_out

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
