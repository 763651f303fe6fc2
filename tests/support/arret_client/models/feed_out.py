from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.feed_out_transfers import FeedOutTransfers
  from ..models.last_transfer_out import LastTransferOut
  from ..models.resolver_out import ResolverOut





T = TypeVar("T", bound="FeedOut")



@_attrs_define
class FeedOut:
    """ An operator's feed; the transfers and resolvers when the feed runs in this process.

        Attributes:
            last_transfer (LastTransferOut | None):
            names (int):
            published_at (None | str):
            records (int):
            resolvers (list[ResolverOut]):
            serial (int | None):
            transfers (FeedOutTransfers):
            versions (int):
            zone (str):
     """

    last_transfer: LastTransferOut | None
    names: int
    published_at: None | str
    records: int
    resolvers: list[ResolverOut]
    serial: int | None
    transfers: FeedOutTransfers
    versions: int
    zone: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.feed_out_transfers import FeedOutTransfers # noqa: PLC0415
        from ..models.last_transfer_out import LastTransferOut # noqa: PLC0415
        from ..models.resolver_out import ResolverOut # noqa: PLC0415
        last_transfer: dict[str, Any] | None
        if isinstance(self.last_transfer, LastTransferOut):
            last_transfer = self.last_transfer.to_dict()
        else:
            last_transfer = self.last_transfer

        names = self.names

        published_at: None | str
        published_at = self.published_at

        records = self.records

        resolvers = []
        for resolvers_item_data in self.resolvers:
            resolvers_item = resolvers_item_data.to_dict()
            resolvers.append(resolvers_item)



        serial: int | None
        serial = self.serial

        transfers = self.transfers.to_dict()

        versions = self.versions

        zone = self.zone


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "last_transfer": last_transfer,
            "names": names,
            "published_at": published_at,
            "records": records,
            "resolvers": resolvers,
            "serial": serial,
            "transfers": transfers,
            "versions": versions,
            "zone": zone,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.feed_out_transfers import FeedOutTransfers # noqa: PLC0415
        from ..models.last_transfer_out import LastTransferOut # noqa: PLC0415
        from ..models.resolver_out import ResolverOut # noqa: PLC0415
        d = dict(src_dict)
        def _parse_last_transfer(data: object) -> LastTransferOut | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                last_transfer_type_0 = LastTransferOut.from_dict(data)



                return last_transfer_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LastTransferOut | None, data)

        last_transfer = _parse_last_transfer(d.pop("last_transfer"))


        names = d.pop("names")

        def _parse_published_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        published_at = _parse_published_at(d.pop("published_at"))


        records = d.pop("records")

        resolvers = []
        _resolvers = d.pop("resolvers")
        for resolvers_item_data in (_resolvers):
            resolvers_item = ResolverOut.from_dict(resolvers_item_data)



            resolvers.append(resolvers_item)


        def _parse_serial(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        serial = _parse_serial(d.pop("serial"))


        transfers = FeedOutTransfers.from_dict(d.pop("transfers"))




        versions = d.pop("versions")

        zone = d.pop("zone")

        feed_out = cls(
            last_transfer=last_transfer,
            names=names,
            published_at=published_at,
            records=records,
            resolvers=resolvers,
            serial=serial,
            transfers=transfers,
            versions=versions,
            zone=zone,
        )


        feed_out.additional_properties = d
        return feed_out

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
