from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="OperatorIn")



@_attrs_define
class OperatorIn:
    """ 
        Attributes:
            name (str):
            allow_from (list[str] | Unset):
            notify (list[str] | Unset):
            probe (list[str] | Unset):
     """

    name: str
    allow_from: list[str] | Unset = UNSET
    notify: list[str] | Unset = UNSET
    probe: list[str] | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        name = self.name

        allow_from: list[str] | Unset = UNSET
        if not isinstance(self.allow_from, Unset):
            allow_from = self.allow_from



        notify: list[str] | Unset = UNSET
        if not isinstance(self.notify, Unset):
            notify = self.notify



        probe: list[str] | Unset = UNSET
        if not isinstance(self.probe, Unset):
            probe = self.probe




        field_dict: dict[str, Any] = {}

        field_dict.update({
            "name": name,
        })
        if allow_from is not UNSET:
            field_dict["allow_from"] = allow_from
        if notify is not UNSET:
            field_dict["notify"] = notify
        if probe is not UNSET:
            field_dict["probe"] = probe

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        allow_from = cast(list[str], d.pop("allow_from", UNSET))


        notify = cast(list[str], d.pop("notify", UNSET))


        probe = cast(list[str], d.pop("probe", UNSET))


        operator_in = cls(
            name=name,
            allow_from=allow_from,
            notify=notify,
            probe=probe,
        )

        return operator_in

