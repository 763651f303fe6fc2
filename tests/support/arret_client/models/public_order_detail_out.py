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

if TYPE_CHECKING:
  from ..models.moment_out import MomentOut
  from ..models.public_document_out import PublicDocumentOut





T = TypeVar("T", bound="PublicOrderDetailOut")



@_attrs_define
class PublicOrderDetailOut:
    """ 
        Attributes:
            action (Action):
            authority (str):
            confidential (bool):
            decided_on (str):
            documents (list[PublicDocumentOut]):
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
            targets (list[str] | None):
            targets_next (None | str):
            timeline (list[MomentOut]):
     """

    action: Action
    authority: str
    confidential: bool
    decided_on: str
    documents: list[PublicDocumentOut]
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
    targets: list[str] | None
    targets_next: None | str
    timeline: list[MomentOut]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.moment_out import MomentOut # noqa: PLC0415
        from ..models.public_document_out import PublicDocumentOut # noqa: PLC0415
        action = self.action.value

        authority = self.authority

        confidential = self.confidential

        decided_on = self.decided_on

        documents = []
        for documents_item_data in self.documents:
            documents_item = documents_item_data.to_dict()
            documents.append(documents_item)



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

        targets: list[str] | None
        if isinstance(self.targets, list):
            targets = self.targets


        else:
            targets = self.targets

        targets_next: None | str
        targets_next = self.targets_next

        timeline = []
        for timeline_item_data in self.timeline:
            timeline_item = timeline_item_data.to_dict()
            timeline.append(timeline_item)




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "action": action,
            "authority": authority,
            "confidential": confidential,
            "decided_on": decided_on,
            "documents": documents,
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
            "targets": targets,
            "targets_next": targets_next,
            "timeline": timeline,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.moment_out import MomentOut # noqa: PLC0415
        from ..models.public_document_out import PublicDocumentOut # noqa: PLC0415
        d = dict(src_dict)
        action = Action(d.pop("action"))




        authority = d.pop("authority")

        confidential = d.pop("confidential")

        decided_on = d.pop("decided_on")

        documents = []
        _documents = d.pop("documents")
        for documents_item_data in (_documents):
            documents_item = PublicDocumentOut.from_dict(documents_item_data)



            documents.append(documents_item)


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




        def _parse_targets(data: object) -> list[str] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                targets_type_0 = cast(list[str], data)

                return targets_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None, data)

        targets = _parse_targets(d.pop("targets"))


        def _parse_targets_next(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        targets_next = _parse_targets_next(d.pop("targets_next"))


        timeline = []
        _timeline = d.pop("timeline")
        for timeline_item_data in (_timeline):
            timeline_item = MomentOut.from_dict(timeline_item_data)



            timeline.append(timeline_item)


        public_order_detail_out = cls(
            action=action,
            authority=authority,
            confidential=confidential,
            decided_on=decided_on,
            documents=documents,
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
            targets=targets,
            targets_next=targets_next,
            timeline=timeline,
        )


        public_order_detail_out.additional_properties = d
        return public_order_detail_out

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
