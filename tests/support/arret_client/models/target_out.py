from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.action import Action
from ..models.scope import Scope
from typing import cast






T = TypeVar("T", bound="TargetOut")



@_attrs_define
class TargetOut:
    """ 
        Attributes:
            action (Action):
            added_at (str):
            name (str):
            removed_at (None | str):
            scope (Scope):
     """

    action: Action
    added_at: str
    name: str
    removed_at: None | str
    scope: Scope
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        action = self.action.value

        added_at = self.added_at

        name = self.name

        removed_at: None | str
        removed_at = self.removed_at

        scope = self.scope.value


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "action": action,
            "added_at": added_at,
            "name": name,
            "removed_at": removed_at,
            "scope": scope,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        action = Action(d.pop("action"))




        added_at = d.pop("added_at")

        name = d.pop("name")

        def _parse_removed_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        removed_at = _parse_removed_at(d.pop("removed_at"))


        scope = Scope(d.pop("scope"))




        target_out = cls(
            action=action,
            added_at=added_at,
            name=name,
            removed_at=removed_at,
            scope=scope,
        )


        target_out.additional_properties = d
        return target_out

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
