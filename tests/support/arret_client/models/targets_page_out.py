from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.target_out import TargetOut





T = TypeVar("T", bound="TargetsPageOut")



@_attrs_define
class TargetsPageOut:
    """ 
        Attributes:
            id (int):
            targets (list[TargetOut]):
            targets_next (None | str):
            targets_total (int):
     """

    id: int
    targets: list[TargetOut]
    targets_next: None | str
    targets_total: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.target_out import TargetOut # noqa: PLC0415
        id = self.id

        targets = []
        for targets_item_data in self.targets:
            targets_item = targets_item_data.to_dict()
            targets.append(targets_item)



        targets_next: None | str
        targets_next = self.targets_next

        targets_total = self.targets_total


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "id": id,
            "targets": targets,
            "targets_next": targets_next,
            "targets_total": targets_total,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.target_out import TargetOut # noqa: PLC0415
        d = dict(src_dict)
        id = d.pop("id")

        targets = []
        _targets = d.pop("targets")
        for targets_item_data in (_targets):
            targets_item = TargetOut.from_dict(targets_item_data)



            targets.append(targets_item)


        def _parse_targets_next(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        targets_next = _parse_targets_next(d.pop("targets_next"))


        targets_total = d.pop("targets_total")

        targets_page_out = cls(
            id=id,
            targets=targets,
            targets_next=targets_next,
            targets_total=targets_total,
        )


        targets_page_out.additional_properties = d
        return targets_page_out

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
