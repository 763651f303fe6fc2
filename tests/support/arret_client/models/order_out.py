from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.action import Action
from ..models.status import Status
from typing import cast
from typing import Literal, cast






T = TypeVar("T", bound="OrderOut")



@_attrs_define
class OrderOut:
    """ An order at an instant (`at`): its terms, its status then, its names present then.

        Attributes:
            action (Action):
            at (str):
            authority (str):
            confidential (bool):
            decided_on (str):
            effective_at (str):
            expires_at (str):
            id (int):
            legal_basis (str):
            lift_reason (None | str):
            lifted_at (None | str):
            names (int):
            notice (str):
            operators (list[str] | Literal['all']):
            reference (str):
            registered_at (str):
            requester (str):
            status (Status):
     """

    action: Action
    at: str
    authority: str
    confidential: bool
    decided_on: str
    effective_at: str
    expires_at: str
    id: int
    legal_basis: str
    lift_reason: None | str
    lifted_at: None | str
    names: int
    notice: str
    operators: list[str] | Literal['all']
    reference: str
    registered_at: str
    requester: str
    status: Status
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        action = self.action.value

        at = self.at

        authority = self.authority

        confidential = self.confidential

        decided_on = self.decided_on

        effective_at = self.effective_at

        expires_at = self.expires_at

        id = self.id

        legal_basis = self.legal_basis

        lift_reason: None | str
        lift_reason = self.lift_reason

        lifted_at: None | str
        lifted_at = self.lifted_at

        names = self.names

        notice = self.notice

        operators: list[str] | Literal['all']
        if isinstance(self.operators, list):
            operators = self.operators


        else:
            operators = self.operators

        reference = self.reference

        registered_at = self.registered_at

        requester = self.requester

        status = self.status.value


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "action": action,
            "at": at,
            "authority": authority,
            "confidential": confidential,
            "decided_on": decided_on,
            "effective_at": effective_at,
            "expires_at": expires_at,
            "id": id,
            "legal_basis": legal_basis,
            "lift_reason": lift_reason,
            "lifted_at": lifted_at,
            "names": names,
            "notice": notice,
            "operators": operators,
            "reference": reference,
            "registered_at": registered_at,
            "requester": requester,
            "status": status,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        action = Action(d.pop("action"))




        at = d.pop("at")

        authority = d.pop("authority")

        confidential = d.pop("confidential")

        decided_on = d.pop("decided_on")

        effective_at = d.pop("effective_at")

        expires_at = d.pop("expires_at")

        id = d.pop("id")

        legal_basis = d.pop("legal_basis")

        def _parse_lift_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        lift_reason = _parse_lift_reason(d.pop("lift_reason"))


        def _parse_lifted_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        lifted_at = _parse_lifted_at(d.pop("lifted_at"))


        names = d.pop("names")

        notice = d.pop("notice")

        def _parse_operators(data: object) -> list[str] | Literal['all']:
            try:
                if not isinstance(data, list):
                    raise TypeError()
                operators_type_0 = cast(list[str], data)

                return operators_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            operators_type_1 = cast(Literal['all'] , data)
            if operators_type_1 != 'all':
                raise ValueError(f"operators_type_1 must match const 'all', got '{operators_type_1}'")
            return operators_type_1

        operators = _parse_operators(d.pop("operators"))


        reference = d.pop("reference")

        registered_at = d.pop("registered_at")

        requester = d.pop("requester")

        status = Status(d.pop("status"))




        order_out = cls(
            action=action,
            at=at,
            authority=authority,
            confidential=confidential,
            decided_on=decided_on,
            effective_at=effective_at,
            expires_at=expires_at,
            id=id,
            legal_basis=legal_basis,
            lift_reason=lift_reason,
            lifted_at=lifted_at,
            names=names,
            notice=notice,
            operators=operators,
            reference=reference,
            registered_at=registered_at,
            requester=requester,
            status=status,
        )


        order_out.additional_properties = d
        return order_out

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
