from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.problem_out import ProblemOut





T = TypeVar("T", bound="ErrorOut")



@_attrs_define
class ErrorOut:
    """ The one shape of every error of the API.

        Attributes:
            error (ProblemOut):
     """

    error: ProblemOut





    def to_dict(self) -> dict[str, Any]:
        from ..models.problem_out import ProblemOut # noqa: PLC0415
        error = self.error.to_dict()


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "error": error,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.problem_out import ProblemOut # noqa: PLC0415
        d = dict(src_dict)
        error = ProblemOut.from_dict(d.pop("error"))




        error_out = cls(
            error=error,
        )

        return error_out

