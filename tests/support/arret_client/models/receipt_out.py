from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast






T = TypeVar("T", bound="ReceiptOut")



@_attrs_define
class ReceiptOut:
    """ 
        Attributes:
            due_at (str):
            follow_up (str):
            id (int):
            name (str):
            orders (list[int]):
            received_at (str):
            secret (str):
     """

    due_at: str
    follow_up: str
    id: int
    name: str
    orders: list[int]
    received_at: str
    secret: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        due_at = self.due_at

        follow_up = self.follow_up

        id = self.id

        name = self.name

        orders = self.orders



        received_at = self.received_at

        secret = self.secret


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "due_at": due_at,
            "follow_up": follow_up,
            "id": id,
            "name": name,
            "orders": orders,
            "received_at": received_at,
            "secret": secret,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        due_at = d.pop("due_at")

        follow_up = d.pop("follow_up")

        id = d.pop("id")

        name = d.pop("name")

        orders = cast(list[int], d.pop("orders"))


        received_at = d.pop("received_at")

        secret = d.pop("secret")

        receipt_out = cls(
            due_at=due_at,
            follow_up=follow_up,
            id=id,
            name=name,
            orders=orders,
            received_at=received_at,
            secret=secret,
        )


        receipt_out.additional_properties = d
        return receipt_out

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
