from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.target_in import TargetIn





T = TypeVar("T", bound="AmendIn")



@_attrs_define
class AmendIn:
    """ 
        Attributes:
            add (list[TargetIn] | Unset):
            at (None | str | Unset): When the amendment takes effect; default now.
            expires_at (None | str | Unset):
            remove (list[str] | Unset):
     """

    add: list[TargetIn] | Unset = UNSET
    at: None | str | Unset = UNSET
    expires_at: None | str | Unset = UNSET
    remove: list[str] | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.target_in import TargetIn # noqa: PLC0415
        add: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.add, Unset):
            add = []
            for add_item_data in self.add:
                add_item = add_item_data.to_dict()
                add.append(add_item)



        at: None | str | Unset
        if isinstance(self.at, Unset):
            at = UNSET
        else:
            at = self.at

        expires_at: None | str | Unset
        if isinstance(self.expires_at, Unset):
            expires_at = UNSET
        else:
            expires_at = self.expires_at

        remove: list[str] | Unset = UNSET
        if not isinstance(self.remove, Unset):
            remove = self.remove




        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if add is not UNSET:
            field_dict["add"] = add
        if at is not UNSET:
            field_dict["at"] = at
        if expires_at is not UNSET:
            field_dict["expires_at"] = expires_at
        if remove is not UNSET:
            field_dict["remove"] = remove

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.target_in import TargetIn # noqa: PLC0415
        d = dict(src_dict)
        _add = d.pop("add", UNSET)
        add: list[TargetIn] | Unset = UNSET
        if _add is not UNSET:
            add = []
            for add_item_data in _add:
                add_item = TargetIn.from_dict(add_item_data)



                add.append(add_item)


        def _parse_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        at = _parse_at(d.pop("at", UNSET))


        def _parse_expires_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        expires_at = _parse_expires_at(d.pop("expires_at", UNSET))


        remove = cast(list[str], d.pop("remove", UNSET))


        amend_in = cls(
            add=add,
            at=at,
            expires_at=expires_at,
            remove=remove,
        )

        return amend_in

