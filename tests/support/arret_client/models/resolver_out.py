from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.given_up_out import GivenUpOut
  from ..models.notify_out import NotifyOut





T = TypeVar("T", bound="ResolverOut")



@_attrs_define
class ResolverOut:
    """ A resolver as the feed sees it: the serial it holds and how that is known, how far
    behind it is, the NOTIFY being re-sent to it or given up.

        Attributes:
            address (str):
            evidence (None | str):
            given_up (GivenUpOut | None):
            lag (int | None):
            notify (None | NotifyOut):
            seen_at (None | str):
            serial (int | None):
     """

    address: str
    evidence: None | str
    given_up: GivenUpOut | None
    lag: int | None
    notify: None | NotifyOut
    seen_at: None | str
    serial: int | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.given_up_out import GivenUpOut # noqa: PLC0415
        from ..models.notify_out import NotifyOut # noqa: PLC0415
        address = self.address

        evidence: None | str
        evidence = self.evidence

        given_up: dict[str, Any] | None
        if isinstance(self.given_up, GivenUpOut):
            given_up = self.given_up.to_dict()
        else:
            given_up = self.given_up

        lag: int | None
        lag = self.lag

        notify: dict[str, Any] | None
        if isinstance(self.notify, NotifyOut):
            notify = self.notify.to_dict()
        else:
            notify = self.notify

        seen_at: None | str
        seen_at = self.seen_at

        serial: int | None
        serial = self.serial


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "address": address,
            "evidence": evidence,
            "given_up": given_up,
            "lag": lag,
            "notify": notify,
            "seen_at": seen_at,
            "serial": serial,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.given_up_out import GivenUpOut # noqa: PLC0415
        from ..models.notify_out import NotifyOut # noqa: PLC0415
        d = dict(src_dict)
        address = d.pop("address")

        def _parse_evidence(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        evidence = _parse_evidence(d.pop("evidence"))


        def _parse_given_up(data: object) -> GivenUpOut | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                given_up_type_0 = GivenUpOut.from_dict(data)



                return given_up_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(GivenUpOut | None, data)

        given_up = _parse_given_up(d.pop("given_up"))


        def _parse_lag(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        lag = _parse_lag(d.pop("lag"))


        def _parse_notify(data: object) -> None | NotifyOut:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                notify_type_0 = NotifyOut.from_dict(data)



                return notify_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | NotifyOut, data)

        notify = _parse_notify(d.pop("notify"))


        def _parse_seen_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        seen_at = _parse_seen_at(d.pop("seen_at"))


        def _parse_serial(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        serial = _parse_serial(d.pop("serial"))


        resolver_out = cls(
            address=address,
            evidence=evidence,
            given_up=given_up,
            lag=lag,
            notify=notify,
            seen_at=seen_at,
            serial=serial,
        )


        resolver_out.additional_properties = d
        return resolver_out

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
