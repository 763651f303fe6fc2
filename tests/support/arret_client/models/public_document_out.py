from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="PublicDocumentOut")



@_attrs_define
class PublicDocumentOut:
    """ A document of an order as anyone may see it: of a confidential order, only its kind
    and digest.

        Attributes:
            kind (str): decision or evidence
            sha256 (str):
            attached_at (None | str | Unset):
            captured_at (None | str | Unset):
            captured_by (None | str | Unset):
            event (int | None | Unset): The event that attached it (its log leaf).
            filename (None | str | Unset):
            media_type (None | str | Unset):
            size (int | None | Unset):
            target (None | str | Unset):
     """

    kind: str
    sha256: str
    attached_at: None | str | Unset = UNSET
    captured_at: None | str | Unset = UNSET
    captured_by: None | str | Unset = UNSET
    event: int | None | Unset = UNSET
    filename: None | str | Unset = UNSET
    media_type: None | str | Unset = UNSET
    size: int | None | Unset = UNSET
    target: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        kind = self.kind

        sha256 = self.sha256

        attached_at: None | str | Unset
        if isinstance(self.attached_at, Unset):
            attached_at = UNSET
        else:
            attached_at = self.attached_at

        captured_at: None | str | Unset
        if isinstance(self.captured_at, Unset):
            captured_at = UNSET
        else:
            captured_at = self.captured_at

        captured_by: None | str | Unset
        if isinstance(self.captured_by, Unset):
            captured_by = UNSET
        else:
            captured_by = self.captured_by

        event: int | None | Unset
        if isinstance(self.event, Unset):
            event = UNSET
        else:
            event = self.event

        filename: None | str | Unset
        if isinstance(self.filename, Unset):
            filename = UNSET
        else:
            filename = self.filename

        media_type: None | str | Unset
        if isinstance(self.media_type, Unset):
            media_type = UNSET
        else:
            media_type = self.media_type

        size: int | None | Unset
        if isinstance(self.size, Unset):
            size = UNSET
        else:
            size = self.size

        target: None | str | Unset
        if isinstance(self.target, Unset):
            target = UNSET
        else:
            target = self.target


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "kind": kind,
            "sha256": sha256,
        })
        if attached_at is not UNSET:
            field_dict["attached_at"] = attached_at
        if captured_at is not UNSET:
            field_dict["captured_at"] = captured_at
        if captured_by is not UNSET:
            field_dict["captured_by"] = captured_by
        if event is not UNSET:
            field_dict["event"] = event
        if filename is not UNSET:
            field_dict["filename"] = filename
        if media_type is not UNSET:
            field_dict["media_type"] = media_type
        if size is not UNSET:
            field_dict["size"] = size
        if target is not UNSET:
            field_dict["target"] = target

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        kind = d.pop("kind")

        sha256 = d.pop("sha256")

        def _parse_attached_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        attached_at = _parse_attached_at(d.pop("attached_at", UNSET))


        def _parse_captured_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        captured_at = _parse_captured_at(d.pop("captured_at", UNSET))


        def _parse_captured_by(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        captured_by = _parse_captured_by(d.pop("captured_by", UNSET))


        def _parse_event(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        event = _parse_event(d.pop("event", UNSET))


        def _parse_filename(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        filename = _parse_filename(d.pop("filename", UNSET))


        def _parse_media_type(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        media_type = _parse_media_type(d.pop("media_type", UNSET))


        def _parse_size(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        size = _parse_size(d.pop("size", UNSET))


        def _parse_target(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        target = _parse_target(d.pop("target", UNSET))


        public_document_out = cls(
            kind=kind,
            sha256=sha256,
            attached_at=attached_at,
            captured_at=captured_at,
            captured_by=captured_by,
            event=event,
            filename=filename,
            media_type=media_type,
            size=size,
            target=target,
        )


        public_document_out.additional_properties = d
        return public_document_out

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
