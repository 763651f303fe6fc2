from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.action import Action
from ..models.scope import Scope
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="TargetIn")



@_attrs_define
class TargetIn:
    """ 
        Attributes:
            name (str):
            action (Action | None | Unset):
            scope (Scope | Unset):
     """

    name: str
    action: Action | None | Unset = UNSET
    scope: Scope | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        name = self.name

        action: None | str | Unset
        if isinstance(self.action, Unset):
            action = UNSET
        elif isinstance(self.action, Action):
            action = self.action.value
        else:
            action = self.action

        scope: str | Unset = UNSET
        if not isinstance(self.scope, Unset):
            scope = self.scope.value



        field_dict: dict[str, Any] = {}

        field_dict.update({
            "name": name,
        })
        if action is not UNSET:
            field_dict["action"] = action
        if scope is not UNSET:
            field_dict["scope"] = scope

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        def _parse_action(data: object) -> Action | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                action_type_0 = Action(data)



                return action_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Action | None | Unset, data)

        action = _parse_action(d.pop("action", UNSET))


        _scope = d.pop("scope", UNSET)
        scope: Scope | Unset
        if isinstance(_scope,  Unset):
            scope = UNSET
        else:
            scope = Scope(_scope)




        target_in = cls(
            name=name,
            action=action,
            scope=scope,
        )

        return target_in

