from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast






T = TypeVar("T", bound="ProblemOut")



@_attrs_define
class ProblemOut:
    """ 
        Attributes:
            code (str): Stable (scripts test it): `invalid_order`, `not_found`…
            message (str): For people.
            reasons (list[str]): Every problem found, not the first.
            status (int): The HTTP status, again.
     """

    code: str
    message: str
    reasons: list[str]
    status: int





    def to_dict(self) -> dict[str, Any]:
        code = self.code

        message = self.message

        reasons = self.reasons



        status = self.status


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "code": code,
            "message": message,
            "reasons": reasons,
            "status": status,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = d.pop("code")

        message = d.pop("message")

        reasons = cast(list[str], d.pop("reasons"))


        status = d.pop("status")

        problem_out = cls(
            code=code,
            message=message,
            reasons=reasons,
            status=status,
        )

        return problem_out

