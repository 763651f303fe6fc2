from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.health_out_status import HealthOutStatus






T = TypeVar("T", bound="HealthOut")



@_attrs_define
class HealthOut:
    """ 
        Attributes:
            database (str):
            feed (str):
            status (HealthOutStatus):
            time (str):
     """

    database: str
    feed: str
    status: HealthOutStatus
    time: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        database = self.database

        feed = self.feed

        status = self.status.value

        time = self.time


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "database": database,
            "feed": feed,
            "status": status,
            "time": time,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        database = d.pop("database")

        feed = d.pop("feed")

        status = HealthOutStatus(d.pop("status"))




        time = d.pop("time")

        health_out = cls(
            database=database,
            feed=feed,
            status=status,
            time=time,
        )


        health_out.additional_properties = d
        return health_out

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
