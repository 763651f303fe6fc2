from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="ProofIn")



@_attrs_define
class ProofIn:
    """ 
        Attributes:
            answer (str): A decimal counter N such that SHA-256('<challenge>:<N>') starts with `bits` zero bits.
            challenge (str): From GET /api/contests/challenge.
     """

    answer: str
    challenge: str





    def to_dict(self) -> dict[str, Any]:
        answer = self.answer

        challenge = self.challenge


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "answer": answer,
            "challenge": challenge,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        answer = d.pop("answer")

        challenge = d.pop("challenge")

        proof_in = cls(
            answer=answer,
            challenge=challenge,
        )

        return proof_in

