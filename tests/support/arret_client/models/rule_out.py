from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.action import Action
from ..models.scope import Scope
from typing import cast






T = TypeVar("T", bound="RuleOut")



@_attrs_define
class RuleOut:
    """ 
        Attributes:
            action (Action):
            name (str):
            orders (list[int]):
            scope (Scope):
     """

    action: Action
    name: str
    orders: list[int]
    scope: Scope
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        action = self.action.value

        name = self.name

        orders = self.orders



        scope = self.scope.value


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "action": action,
            "name": name,
            "orders": orders,
            "scope": scope,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        action = Action(d.pop("action"))




        name = d.pop("name")

        orders = cast(list[int], d.pop("orders"))


        scope = Scope(d.pop("scope"))




        rule_out = cls(
            action=action,
            name=name,
            orders=orders,
            scope=scope,
        )


        rule_out.additional_properties = d
        return rule_out

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
