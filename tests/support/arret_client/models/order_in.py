from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.action import Action
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.target_in import TargetIn





T = TypeVar("T", bound="OrderIn")



@_attrs_define
class OrderIn:
    """ 
        Attributes:
            authority (str):
            decided_on (str):
            reference (str):
            targets (list[TargetIn]):
            action (Action | Unset):
            all_operators (bool | Unset):  Default: False.
            confidential (bool | Unset):  Default: False.
            duration (None | str | Unset):
            effective_at (None | str | Unset): Default: now ("without delay").
            expires_at (None | str | Unset):
            legal_basis (str | Unset):  Default: ''.
            notice (str | Unset):  Default: ''.
            operators (list[str] | Unset):
            requester (str | Unset):  Default: ''.
     """

    authority: str
    decided_on: str
    reference: str
    targets: list[TargetIn]
    action: Action | Unset = UNSET
    all_operators: bool | Unset = False
    confidential: bool | Unset = False
    duration: None | str | Unset = UNSET
    effective_at: None | str | Unset = UNSET
    expires_at: None | str | Unset = UNSET
    legal_basis: str | Unset = ''
    notice: str | Unset = ''
    operators: list[str] | Unset = UNSET
    requester: str | Unset = ''





    def to_dict(self) -> dict[str, Any]:
        from ..models.target_in import TargetIn # noqa: PLC0415
        authority = self.authority

        decided_on = self.decided_on

        reference = self.reference

        targets = []
        for targets_item_data in self.targets:
            targets_item = targets_item_data.to_dict()
            targets.append(targets_item)



        action: str | Unset = UNSET
        if not isinstance(self.action, Unset):
            action = self.action.value


        all_operators = self.all_operators

        confidential = self.confidential

        duration: None | str | Unset
        if isinstance(self.duration, Unset):
            duration = UNSET
        else:
            duration = self.duration

        effective_at: None | str | Unset
        if isinstance(self.effective_at, Unset):
            effective_at = UNSET
        else:
            effective_at = self.effective_at

        expires_at: None | str | Unset
        if isinstance(self.expires_at, Unset):
            expires_at = UNSET
        else:
            expires_at = self.expires_at

        legal_basis = self.legal_basis

        notice = self.notice

        operators: list[str] | Unset = UNSET
        if not isinstance(self.operators, Unset):
            operators = self.operators



        requester = self.requester


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "authority": authority,
            "decided_on": decided_on,
            "reference": reference,
            "targets": targets,
        })
        if action is not UNSET:
            field_dict["action"] = action
        if all_operators is not UNSET:
            field_dict["all_operators"] = all_operators
        if confidential is not UNSET:
            field_dict["confidential"] = confidential
        if duration is not UNSET:
            field_dict["duration"] = duration
        if effective_at is not UNSET:
            field_dict["effective_at"] = effective_at
        if expires_at is not UNSET:
            field_dict["expires_at"] = expires_at
        if legal_basis is not UNSET:
            field_dict["legal_basis"] = legal_basis
        if notice is not UNSET:
            field_dict["notice"] = notice
        if operators is not UNSET:
            field_dict["operators"] = operators
        if requester is not UNSET:
            field_dict["requester"] = requester

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.target_in import TargetIn # noqa: PLC0415
        d = dict(src_dict)
        authority = d.pop("authority")

        decided_on = d.pop("decided_on")

        reference = d.pop("reference")

        targets = []
        _targets = d.pop("targets")
        for targets_item_data in (_targets):
            targets_item = TargetIn.from_dict(targets_item_data)



            targets.append(targets_item)


        _action = d.pop("action", UNSET)
        action: Action | Unset
        if isinstance(_action,  Unset):
            action = UNSET
        else:
            action = Action(_action)




        all_operators = d.pop("all_operators", UNSET)

        confidential = d.pop("confidential", UNSET)

        def _parse_duration(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        duration = _parse_duration(d.pop("duration", UNSET))


        def _parse_effective_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        effective_at = _parse_effective_at(d.pop("effective_at", UNSET))


        def _parse_expires_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        expires_at = _parse_expires_at(d.pop("expires_at", UNSET))


        legal_basis = d.pop("legal_basis", UNSET)

        notice = d.pop("notice", UNSET)

        operators = cast(list[str], d.pop("operators", UNSET))


        requester = d.pop("requester", UNSET)

        order_in = cls(
            authority=authority,
            decided_on=decided_on,
            reference=reference,
            targets=targets,
            action=action,
            all_operators=all_operators,
            confidential=confidential,
            duration=duration,
            effective_at=effective_at,
            expires_at=expires_at,
            legal_basis=legal_basis,
            notice=notice,
            operators=operators,
            requester=requester,
        )

        return order_in

