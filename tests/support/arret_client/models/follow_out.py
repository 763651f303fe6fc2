from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.attachment_out import AttachmentOut





T = TypeVar("T", bound="FollowOut")



@_attrs_define
class FollowOut:
    """ 
        Attributes:
            attachments (list[AttachmentOut]):
            decided_at (None | str):
            decision (None | str):
            due_at (str):
            id (int):
            name (str):
            received_at (str):
            state (str):
     """

    attachments: list[AttachmentOut]
    decided_at: None | str
    decision: None | str
    due_at: str
    id: int
    name: str
    received_at: str
    state: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.attachment_out import AttachmentOut # noqa: PLC0415
        attachments = []
        for attachments_item_data in self.attachments:
            attachments_item = attachments_item_data.to_dict()
            attachments.append(attachments_item)



        decided_at: None | str
        decided_at = self.decided_at

        decision: None | str
        decision = self.decision

        due_at = self.due_at

        id = self.id

        name = self.name

        received_at = self.received_at

        state = self.state


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "attachments": attachments,
            "decided_at": decided_at,
            "decision": decision,
            "due_at": due_at,
            "id": id,
            "name": name,
            "received_at": received_at,
            "state": state,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.attachment_out import AttachmentOut # noqa: PLC0415
        d = dict(src_dict)
        attachments = []
        _attachments = d.pop("attachments")
        for attachments_item_data in (_attachments):
            attachments_item = AttachmentOut.from_dict(attachments_item_data)



            attachments.append(attachments_item)


        def _parse_decided_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        decided_at = _parse_decided_at(d.pop("decided_at"))


        def _parse_decision(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        decision = _parse_decision(d.pop("decision"))


        due_at = d.pop("due_at")

        id = d.pop("id")

        name = d.pop("name")

        received_at = d.pop("received_at")

        state = d.pop("state")

        follow_out = cls(
            attachments=attachments,
            decided_at=decided_at,
            decision=decision,
            due_at=due_at,
            id=id,
            name=name,
            received_at=received_at,
            state=state,
        )


        follow_out.additional_properties = d
        return follow_out

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
