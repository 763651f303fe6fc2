from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast






T = TypeVar("T", bound="PublicNamesOut")



@_attrs_define
class PublicNamesOut:
    """ 
        Attributes:
            id (int):
            names (int):
            targets (list[str] | None):
            targets_next (None | str):
     """

    id: int
    names: int
    targets: list[str] | None
    targets_next: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        id = self.id

        names = self.names

        targets: list[str] | None
        if isinstance(self.targets, list):
            targets = self.targets


        else:
            targets = self.targets

        targets_next: None | str
        targets_next = self.targets_next


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "id": id,
            "names": names,
            "targets": targets,
            "targets_next": targets_next,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        names = d.pop("names")

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


        public_names_out = cls(
            id=id,
            names=names,
            targets=targets,
            targets_next=targets_next,
        )


        public_names_out.additional_properties = d
        return public_names_out

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
