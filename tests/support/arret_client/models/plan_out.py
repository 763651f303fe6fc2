from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
from typing import Literal, cast






T = TypeVar("T", bound="PlanOut")



@_attrs_define
class PlanOut:
    """ What the change does (or, with `?dry_run=true`, would do) to the current names.

        Attributes:
            adds (list[str]):
            expires_at (str):
            operators (list[str] | Literal['all']):
            removes (list[str]):
     """

    adds: list[str]
    expires_at: str
    operators: list[str] | Literal['all']
    removes: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        adds = self.adds



        expires_at = self.expires_at

        operators: list[str] | Literal['all']
        if isinstance(self.operators, list):
            operators = self.operators


        else:
            operators = self.operators

        removes = self.removes




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "adds": adds,
            "expires_at": expires_at,
            "operators": operators,
            "removes": removes,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        adds = cast(list[str], d.pop("adds"))


        expires_at = d.pop("expires_at")

        def _parse_operators(data: object) -> list[str] | Literal['all']:
            try:
                if not isinstance(data, list):
                    raise TypeError()
                operators_type_0 = cast(list[str], data)

                return operators_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            operators_type_1 = cast(Literal['all'] , data)
            if operators_type_1 != 'all':
                raise ValueError(f"operators_type_1 must match const 'all', got '{operators_type_1}'")
            return operators_type_1

        operators = _parse_operators(d.pop("operators"))


        removes = cast(list[str], d.pop("removes"))


        plan_out = cls(
            adds=adds,
            expires_at=expires_at,
            operators=operators,
            removes=removes,
        )


        plan_out.additional_properties = d
        return plan_out

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
