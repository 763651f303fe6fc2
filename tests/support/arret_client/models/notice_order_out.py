from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.action import Action
from ..models.scope import Scope






T = TypeVar("T", bound="NoticeOrderOut")



@_attrs_define
class NoticeOrderOut:
    """ 
        Attributes:
            action (Action):
            authority (str):
            decided_on (str):
            effective_at (str):
            ends_at (str):
            id (int):
            legal_basis (str):
            notice (str):
            reference (str):
            scope (Scope):
            target (str):
     """

    action: Action
    authority: str
    decided_on: str
    effective_at: str
    ends_at: str
    id: int
    legal_basis: str
    notice: str
    reference: str
    scope: Scope
    target: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        action = self.action.value

        authority = self.authority

        decided_on = self.decided_on

        effective_at = self.effective_at

        ends_at = self.ends_at

        id = self.id

        legal_basis = self.legal_basis

        notice = self.notice

        reference = self.reference

        scope = self.scope.value

        target = self.target


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "action": action,
            "authority": authority,
            "decided_on": decided_on,
            "effective_at": effective_at,
            "ends_at": ends_at,
            "id": id,
            "legal_basis": legal_basis,
            "notice": notice,
            "reference": reference,
            "scope": scope,
            "target": target,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        action = Action(d.pop("action"))




        authority = d.pop("authority")

        decided_on = d.pop("decided_on")

        effective_at = d.pop("effective_at")

        ends_at = d.pop("ends_at")

        id = d.pop("id")

        legal_basis = d.pop("legal_basis")

        notice = d.pop("notice")

        reference = d.pop("reference")

        scope = Scope(d.pop("scope"))




        target = d.pop("target")

        notice_order_out = cls(
            action=action,
            authority=authority,
            decided_on=decided_on,
            effective_at=effective_at,
            ends_at=ends_at,
            id=id,
            legal_basis=legal_basis,
            notice=notice,
            reference=reference,
            scope=scope,
            target=target,
        )


        notice_order_out.additional_properties = d
        return notice_order_out

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
