from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.notice_order_out import NoticeOrderOut





T = TypeVar("T", bound="NoticeOut")



@_attrs_define
class NoticeOut:
    """ 
        Attributes:
            allowed_by (None | str):
            blocked (bool):
            name (str):
            orders (list[NoticeOrderOut]):
     """

    allowed_by: None | str
    blocked: bool
    name: str
    orders: list[NoticeOrderOut]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.notice_order_out import NoticeOrderOut # noqa: PLC0415
        allowed_by: None | str
        allowed_by = self.allowed_by

        blocked = self.blocked

        name = self.name

        orders = []
        for orders_item_data in self.orders:
            orders_item = orders_item_data.to_dict()
            orders.append(orders_item)




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "allowed_by": allowed_by,
            "blocked": blocked,
            "name": name,
            "orders": orders,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.notice_order_out import NoticeOrderOut # noqa: PLC0415
        d = dict(src_dict)
        def _parse_allowed_by(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        allowed_by = _parse_allowed_by(d.pop("allowed_by"))


        blocked = d.pop("blocked")

        name = d.pop("name")

        orders = []
        _orders = d.pop("orders")
        for orders_item_data in (_orders):
            orders_item = NoticeOrderOut.from_dict(orders_item_data)



            orders.append(orders_item)


        notice_out = cls(
            allowed_by=allowed_by,
            blocked=blocked,
            name=name,
            orders=orders,
        )


        notice_out.additional_properties = d
        return notice_out

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
