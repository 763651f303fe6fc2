from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="DocumentOut")



@_attrs_define
class DocumentOut:
    """ 
        Attributes:
            attached_at (str):
            event (int):
            filename (str):
            kind (str): decision or evidence
            media_type (str):
            sha256 (str):
            size (int):
            captured_at (None | str | Unset):
            captured_by (None | str | Unset):
            dry_run (bool | None | Unset): True in the answer to a dry run.
            target (None | str | Unset):
     """

    attached_at: str
    event: int
    filename: str
    kind: str
    media_type: str
    sha256: str
    size: int
    captured_at: None | str | Unset = UNSET
    captured_by: None | str | Unset = UNSET
    dry_run: bool | None | Unset = UNSET
    target: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        attached_at = self.attached_at

        event = self.event

        filename = self.filename

        kind = self.kind

        media_type = self.media_type

        sha256 = self.sha256

        size = self.size

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

        dry_run: bool | None | Unset
        if isinstance(self.dry_run, Unset):
            dry_run = UNSET
        else:
            dry_run = self.dry_run

        target: None | str | Unset
        if isinstance(self.target, Unset):
            target = UNSET
        else:
            target = self.target


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "attached_at": attached_at,
            "event": event,
            "filename": filename,
            "kind": kind,
            "media_type": media_type,
            "sha256": sha256,
            "size": size,
        })
        if captured_at is not UNSET:
            field_dict["captured_at"] = captured_at
        if captured_by is not UNSET:
            field_dict["captured_by"] = captured_by
        if dry_run is not UNSET:
            field_dict["dry_run"] = dry_run
        if target is not UNSET:
            field_dict["target"] = target

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        attached_at = d.pop("attached_at")

        event = d.pop("event")

        filename = d.pop("filename")

        kind = d.pop("kind")

        media_type = d.pop("media_type")

        sha256 = d.pop("sha256")

        size = d.pop("size")

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


        def _parse_dry_run(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        dry_run = _parse_dry_run(d.pop("dry_run", UNSET))


        def _parse_target(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        target = _parse_target(d.pop("target", UNSET))


        document_out = cls(
            attached_at=attached_at,
            event=event,
            filename=filename,
            kind=kind,
            media_type=media_type,
            sha256=sha256,
            size=size,
            captured_at=captured_at,
            captured_by=captured_by,
            dry_run=dry_run,
            target=target,
        )


        document_out.additional_properties = d
        return document_out

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
