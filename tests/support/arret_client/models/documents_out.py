from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.document_out import DocumentOut





T = TypeVar("T", bound="DocumentsOut")



@_attrs_define
class DocumentsOut:
    """ 
        Attributes:
            documents (list[DocumentOut]):
            id (int):
     """

    documents: list[DocumentOut]
    id: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.document_out import DocumentOut # noqa: PLC0415
        documents = []
        for documents_item_data in self.documents:
            documents_item = documents_item_data.to_dict()
            documents.append(documents_item)



        id = self.id


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "documents": documents,
            "id": id,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.document_out import DocumentOut # noqa: PLC0415
        d = dict(src_dict)
        documents = []
        _documents = d.pop("documents")
        for documents_item_data in (_documents):
            documents_item = DocumentOut.from_dict(documents_item_data)



            documents.append(documents_item)


        id = d.pop("id")

        documents_out = cls(
            documents=documents,
            id=id,
        )


        documents_out.additional_properties = d
        return documents_out

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
