from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset






T = TypeVar("T", bound="AttachmentIn")



@_attrs_define
class AttachmentIn:
    """ 
        Attributes:
            content (str):
            filename (str):
            media_type (str | Unset):  Default: ''.
     """

    content: str
    filename: str
    media_type: str | Unset = ''





    def to_dict(self) -> dict[str, Any]:
        content = self.content

        filename = self.filename

        media_type = self.media_type


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "content": content,
            "filename": filename,
        })
        if media_type is not UNSET:
            field_dict["media_type"] = media_type

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        content = d.pop("content")

        filename = d.pop("filename")

        media_type = d.pop("media_type", UNSET)

        attachment_in = cls(
            content=content,
            filename=filename,
            media_type=media_type,
        )

        return attachment_in

