from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast






T = TypeVar("T", bound="MomentOut")



@_attrs_define
class MomentOut:
    """ A dated step of an order's life (names: at most 100 per step; the counts are whole).

        Attributes:
            added (list[str]):
            added_count (int):
            at (str):
            expires_at (None | str):
            kind (str):
            reason (None | str):
            removed (list[str]):
            removed_count (int):
     """

    added: list[str]
    added_count: int
    at: str
    expires_at: None | str
    kind: str
    reason: None | str
    removed: list[str]
    removed_count: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        added = self.added



        added_count = self.added_count

        at = self.at

        expires_at: None | str
        expires_at = self.expires_at

        kind = self.kind

        reason: None | str
        reason = self.reason

        removed = self.removed



        removed_count = self.removed_count


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "added": added,
            "added_count": added_count,
            "at": at,
            "expires_at": expires_at,
            "kind": kind,
            "reason": reason,
            "removed": removed,
            "removed_count": removed_count,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        added = cast(list[str], d.pop("added"))


        added_count = d.pop("added_count")

        at = d.pop("at")

        def _parse_expires_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        expires_at = _parse_expires_at(d.pop("expires_at"))


        kind = d.pop("kind")

        def _parse_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        reason = _parse_reason(d.pop("reason"))


        removed = cast(list[str], d.pop("removed"))


        removed_count = d.pop("removed_count")

        moment_out = cls(
            added=added,
            added_count=added_count,
            at=at,
            expires_at=expires_at,
            kind=kind,
            reason=reason,
            removed=removed,
            removed_count=removed_count,
        )


        moment_out.additional_properties = d
        return moment_out

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
