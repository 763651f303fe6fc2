from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.attachment_out import AttachmentOut
  from ..models.evidence_out import EvidenceOut
  from ..models.order_ref_out import OrderRefOut





T = TypeVar("T", bound="DecidedOut")



@_attrs_define
class DecidedOut:
    """ 
        Attributes:
            age_hours (float):
            attachments (list[AttachmentOut]):
            bystander (bool):
            changes (list[str]):
            contact (None | str):
            decided_at (None | str):
            decided_by (None | str):
            decision (None | str):
            due_at (str):
            evidence (list[EvidenceOut]):
            hours_left (float):
            id (int):
            name (str):
            orders (list[OrderRefOut]):
            overdue (bool):
            reason (str):
            received_at (str):
            standing (str):
            state (str):
     """

    age_hours: float
    attachments: list[AttachmentOut]
    bystander: bool
    changes: list[str]
    contact: None | str
    decided_at: None | str
    decided_by: None | str
    decision: None | str
    due_at: str
    evidence: list[EvidenceOut]
    hours_left: float
    id: int
    name: str
    orders: list[OrderRefOut]
    overdue: bool
    reason: str
    received_at: str
    standing: str
    state: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.attachment_out import AttachmentOut # noqa: PLC0415
        from ..models.evidence_out import EvidenceOut # noqa: PLC0415
        from ..models.order_ref_out import OrderRefOut # noqa: PLC0415
        age_hours = self.age_hours

        attachments = []
        for attachments_item_data in self.attachments:
            attachments_item = attachments_item_data.to_dict()
            attachments.append(attachments_item)



        bystander = self.bystander

        changes = self.changes



        contact: None | str
        contact = self.contact

        decided_at: None | str
        decided_at = self.decided_at

        decided_by: None | str
        decided_by = self.decided_by

        decision: None | str
        decision = self.decision

        due_at = self.due_at

        evidence = []
        for evidence_item_data in self.evidence:
            evidence_item = evidence_item_data.to_dict()
            evidence.append(evidence_item)



        hours_left = self.hours_left

        id = self.id

        name = self.name

        orders = []
        for orders_item_data in self.orders:
            orders_item = orders_item_data.to_dict()
            orders.append(orders_item)



        overdue = self.overdue

        reason = self.reason

        received_at = self.received_at

        standing = self.standing

        state = self.state


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "age_hours": age_hours,
            "attachments": attachments,
            "bystander": bystander,
            "changes": changes,
            "contact": contact,
            "decided_at": decided_at,
            "decided_by": decided_by,
            "decision": decision,
            "due_at": due_at,
            "evidence": evidence,
            "hours_left": hours_left,
            "id": id,
            "name": name,
            "orders": orders,
            "overdue": overdue,
            "reason": reason,
            "received_at": received_at,
            "standing": standing,
            "state": state,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.attachment_out import AttachmentOut # noqa: PLC0415
        from ..models.evidence_out import EvidenceOut # noqa: PLC0415
        from ..models.order_ref_out import OrderRefOut # noqa: PLC0415
        d = dict(src_dict)
        age_hours = d.pop("age_hours")

        attachments = []
        _attachments = d.pop("attachments")
        for attachments_item_data in (_attachments):
            attachments_item = AttachmentOut.from_dict(attachments_item_data)



            attachments.append(attachments_item)


        bystander = d.pop("bystander")

        changes = cast(list[str], d.pop("changes"))


        def _parse_contact(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        contact = _parse_contact(d.pop("contact"))


        def _parse_decided_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        decided_at = _parse_decided_at(d.pop("decided_at"))


        def _parse_decided_by(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        decided_by = _parse_decided_by(d.pop("decided_by"))


        def _parse_decision(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        decision = _parse_decision(d.pop("decision"))


        due_at = d.pop("due_at")

        evidence = []
        _evidence = d.pop("evidence")
        for evidence_item_data in (_evidence):
            evidence_item = EvidenceOut.from_dict(evidence_item_data)



            evidence.append(evidence_item)


        hours_left = d.pop("hours_left")

        id = d.pop("id")

        name = d.pop("name")

        orders = []
        _orders = d.pop("orders")
        for orders_item_data in (_orders):
            orders_item = OrderRefOut.from_dict(orders_item_data)



            orders.append(orders_item)


        overdue = d.pop("overdue")

        reason = d.pop("reason")

        received_at = d.pop("received_at")

        standing = d.pop("standing")

        state = d.pop("state")

        decided_out = cls(
            age_hours=age_hours,
            attachments=attachments,
            bystander=bystander,
            changes=changes,
            contact=contact,
            decided_at=decided_at,
            decided_by=decided_by,
            decision=decision,
            due_at=due_at,
            evidence=evidence,
            hours_left=hours_left,
            id=id,
            name=name,
            orders=orders,
            overdue=overdue,
            reason=reason,
            received_at=received_at,
            standing=standing,
            state=state,
        )


        decided_out.additional_properties = d
        return decided_out

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
