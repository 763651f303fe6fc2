from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.log_key_span_out import LogKeySpanOut





T = TypeVar("T", bound="LogKeyOut")



@_attrs_define
class LogKeyOut:
    """ 
        Attributes:
            algorithm (str):
            history (list[LogKeySpanOut]): Every key the log was signed with, in order; each signs the heads from its
                from_size until the next one's (a hand-over leaf links them).
            key_id (str):
            pem (str):
            public_key (str): The key in force (raw, base64).
     """

    algorithm: str
    history: list[LogKeySpanOut]
    key_id: str
    pem: str
    public_key: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.log_key_span_out import LogKeySpanOut # noqa: PLC0415
        algorithm = self.algorithm

        history = []
        for history_item_data in self.history:
            history_item = history_item_data.to_dict()
            history.append(history_item)



        key_id = self.key_id

        pem = self.pem

        public_key = self.public_key


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "algorithm": algorithm,
            "history": history,
            "key_id": key_id,
            "pem": pem,
            "public_key": public_key,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.log_key_span_out import LogKeySpanOut # noqa: PLC0415
        d = dict(src_dict)
        algorithm = d.pop("algorithm")

        history = []
        _history = d.pop("history")
        for history_item_data in (_history):
            history_item = LogKeySpanOut.from_dict(history_item_data)



            history.append(history_item)


        key_id = d.pop("key_id")

        pem = d.pop("pem")

        public_key = d.pop("public_key")

        log_key_out = cls(
            algorithm=algorithm,
            history=history,
            key_id=key_id,
            pem=pem,
            public_key=public_key,
        )


        log_key_out.additional_properties = d
        return log_key_out

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
