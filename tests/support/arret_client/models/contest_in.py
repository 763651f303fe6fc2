from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.standing import Standing
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.attachment_in import AttachmentIn
  from ..models.proof_in import ProofIn





T = TypeVar("T", bound="ContestIn")



@_attrs_define
class ContestIn:
    """ 
        Attributes:
            name (str):
            proof (ProofIn):
            reason (str):
            standing (Standing): Who the claimant is to the blocked name.
            attachments (list[AttachmentIn] | Unset):
            contact (str | Unset): An e-mail address, if you want one. Default: ''.
     """

    name: str
    proof: ProofIn
    reason: str
    standing: Standing
    attachments: list[AttachmentIn] | Unset = UNSET
    contact: str | Unset = ''





    def to_dict(self) -> dict[str, Any]:
        from ..models.attachment_in import AttachmentIn # noqa: PLC0415
        from ..models.proof_in import ProofIn # noqa: PLC0415
        name = self.name

        proof = self.proof.to_dict()

        reason = self.reason

        standing = self.standing.value

        attachments: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.attachments, Unset):
            attachments = []
            for attachments_item_data in self.attachments:
                attachments_item = attachments_item_data.to_dict()
                attachments.append(attachments_item)



        contact = self.contact


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "name": name,
            "proof": proof,
            "reason": reason,
            "standing": standing,
        })
        if attachments is not UNSET:
            field_dict["attachments"] = attachments
        if contact is not UNSET:
            field_dict["contact"] = contact

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.attachment_in import AttachmentIn # noqa: PLC0415
        from ..models.proof_in import ProofIn # noqa: PLC0415
        d = dict(src_dict)
        name = d.pop("name")

        proof = ProofIn.from_dict(d.pop("proof"))




        reason = d.pop("reason")

        standing = Standing(d.pop("standing"))




        _attachments = d.pop("attachments", UNSET)
        attachments: list[AttachmentIn] | Unset = UNSET
        if _attachments is not UNSET:
            attachments = []
            for attachments_item_data in _attachments:
                attachments_item = AttachmentIn.from_dict(attachments_item_data)



                attachments.append(attachments_item)


        contact = d.pop("contact", UNSET)

        contest_in = cls(
            name=name,
            proof=proof,
            reason=reason,
            standing=standing,
            attachments=attachments,
            contact=contact,
        )

        return contest_in

