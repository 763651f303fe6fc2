from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast






T = TypeVar("T", bound="EvidenceOut")



@_attrs_define
class EvidenceOut:
    """ 
        Attributes:
            at (str):
            expected (None | str):
            rcode (str):
            resolver (str):
            verdict (str):
     """

    at: str
    expected: None | str
    rcode: str
    resolver: str
    verdict: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        at = self.at

        expected: None | str
        expected = self.expected

        rcode = self.rcode

        resolver = self.resolver

        verdict = self.verdict


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "at": at,
            "expected": expected,
            "rcode": rcode,
            "resolver": resolver,
            "verdict": verdict,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        at = d.pop("at")

        def _parse_expected(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        expected = _parse_expected(d.pop("expected"))


        rcode = d.pop("rcode")

        resolver = d.pop("resolver")

        verdict = d.pop("verdict")

        evidence_out = cls(
            at=at,
            expected=expected,
            rcode=rcode,
            resolver=resolver,
            verdict=verdict,
        )


        evidence_out.additional_properties = d
        return evidence_out

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
