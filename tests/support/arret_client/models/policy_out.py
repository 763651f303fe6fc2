from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.rule_out import RuleOut





T = TypeVar("T", bound="PolicyOut")



@_attrs_define
class PolicyOut:
    """ What an operator must block at an instant (`?format=json`, as `arret policy --json`).

        Attributes:
            at (str):
            operator (str):
            passthru (list[str]):
            rules (list[RuleOut]):
     """

    at: str
    operator: str
    passthru: list[str]
    rules: list[RuleOut]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.rule_out import RuleOut # noqa: PLC0415
        at = self.at

        operator = self.operator

        passthru = self.passthru



        rules = []
        for rules_item_data in self.rules:
            rules_item = rules_item_data.to_dict()
            rules.append(rules_item)




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "at": at,
            "operator": operator,
            "passthru": passthru,
            "rules": rules,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.rule_out import RuleOut # noqa: PLC0415
        d = dict(src_dict)
        at = d.pop("at")

        operator = d.pop("operator")

        passthru = cast(list[str], d.pop("passthru"))


        rules = []
        _rules = d.pop("rules")
        for rules_item_data in (_rules):
            rules_item = RuleOut.from_dict(rules_item_data)



            rules.append(rules_item)


        policy_out = cls(
            at=at,
            operator=operator,
            passthru=passthru,
            rules=rules,
        )


        policy_out.additional_properties = d
        return policy_out

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
