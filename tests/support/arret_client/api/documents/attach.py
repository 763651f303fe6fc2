from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.attach_kind import AttachKind
from ...models.document_out import DocumentOut
from ...models.error_out import ErrorOut
from ...types import File, FileTypes
from ...types import UNSET, Unset
from io import BytesIO
from typing import cast



def _get_kwargs(
    order_id: int,
    *,
    body:    File  |     File  |     File  |     File  | Unset = UNSET,
    kind: AttachKind,
    target: None | str | Unset = UNSET,
    filename: None | str | Unset = UNSET,
    captured_at: None | str | Unset = UNSET,
    captured_by: None | str | Unset = UNSET,
    dry_run: bool | Unset = False,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    params: dict[str, Any] = {}

    json_kind = kind.value
    params["kind"] = json_kind

    json_target: None | str | Unset
    if isinstance(target, Unset):
        json_target = UNSET
    else:
        json_target = target
    params["target"] = json_target

    json_filename: None | str | Unset
    if isinstance(filename, Unset):
        json_filename = UNSET
    else:
        json_filename = filename
    params["filename"] = json_filename

    json_captured_at: None | str | Unset
    if isinstance(captured_at, Unset):
        json_captured_at = UNSET
    else:
        json_captured_at = captured_at
    params["captured_at"] = json_captured_at

    json_captured_by: None | str | Unset
    if isinstance(captured_by, Unset):
        json_captured_by = UNSET
    else:
        json_captured_by = captured_by
    params["captured_by"] = json_captured_by

    params["dry_run"] = dry_run


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/orders/{order_id}/documents".format(order_id=quote(str(order_id), safe=""),),
        "params": params,
    }

    if isinstance(body, File):
        _kwargs["content"] = body.payload
        headers["Content-Type"] = "application/pdf"
    if isinstance(body, File):
        _kwargs["content"] = body.payload
        headers["Content-Type"] = "image/jpeg"
    if isinstance(body, File):
        _kwargs["content"] = body.payload
        headers["Content-Type"] = "image/png"
    if isinstance(body, File):
        _kwargs["content"] = body.payload
        headers["Content-Type"] = "text/plain"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> DocumentOut | ErrorOut | None:
    if response.status_code == 200:
        response_200 = DocumentOut.from_dict(response.json())



        return response_200

    if response.status_code == 201:
        response_201 = DocumentOut.from_dict(response.json())



        return response_201

    if response.status_code == 401:
        response_401 = ErrorOut.from_dict(response.json())



        return response_401

    if response.status_code == 403:
        response_403 = ErrorOut.from_dict(response.json())



        return response_403

    if response.status_code == 404:
        response_404 = ErrorOut.from_dict(response.json())



        return response_404

    if response.status_code == 409:
        response_409 = ErrorOut.from_dict(response.json())



        return response_409

    if response.status_code == 413:
        response_413 = ErrorOut.from_dict(response.json())



        return response_413

    if response.status_code == 422:
        response_422 = ErrorOut.from_dict(response.json())



        return response_422

    if response.status_code == 503:
        response_503 = ErrorOut.from_dict(response.json())



        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[DocumentOut | ErrorOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    order_id: int,
    *,
    client: AuthenticatedClient,
    body:    File  |     File  |     File  |     File  | Unset = UNSET,
    kind: AttachKind,
    target: None | str | Unset = UNSET,
    filename: None | str | Unset = UNSET,
    captured_at: None | str | Unset = UNSET,
    captured_by: None | str | Unset = UNSET,
    dry_run: bool | Unset = False,

) -> Response[DocumentOut | ErrorOut]:
    """ Attach a decision document or evidence to an order

     The body is the document; its `Content-Type` the type it claims to be.

    Args:
        order_id (int): A positive id.
        kind (AttachKind): decision (a PDF) or evidence.
        target (None | str | Unset): For evidence: the target it is about.
        filename (None | str | Unset): The file's name.
        captured_at (None | str | Unset): When the evidence was captured.
        captured_by (None | str | Unset): Who captured the evidence.
        dry_run (bool | Unset): Check the document; store nothing. Default: False.
        body (File):
        body (File):
        body (File):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DocumentOut | ErrorOut]
     """


    kwargs = _get_kwargs(
        order_id=order_id,
body=body,
kind=kind,
target=target,
filename=filename,
captured_at=captured_at,
captured_by=captured_by,
dry_run=dry_run,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    order_id: int,
    *,
    client: AuthenticatedClient,
    body:    File  |     File  |     File  |     File  | Unset = UNSET,
    kind: AttachKind,
    target: None | str | Unset = UNSET,
    filename: None | str | Unset = UNSET,
    captured_at: None | str | Unset = UNSET,
    captured_by: None | str | Unset = UNSET,
    dry_run: bool | Unset = False,

) -> DocumentOut | ErrorOut | None:
    """ Attach a decision document or evidence to an order

     The body is the document; its `Content-Type` the type it claims to be.

    Args:
        order_id (int): A positive id.
        kind (AttachKind): decision (a PDF) or evidence.
        target (None | str | Unset): For evidence: the target it is about.
        filename (None | str | Unset): The file's name.
        captured_at (None | str | Unset): When the evidence was captured.
        captured_by (None | str | Unset): Who captured the evidence.
        dry_run (bool | Unset): Check the document; store nothing. Default: False.
        body (File):
        body (File):
        body (File):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DocumentOut | ErrorOut
     """


    return sync_detailed(
        order_id=order_id,
client=client,
body=body,
kind=kind,
target=target,
filename=filename,
captured_at=captured_at,
captured_by=captured_by,
dry_run=dry_run,

    ).parsed

async def asyncio_detailed(
    order_id: int,
    *,
    client: AuthenticatedClient,
    body:    File  |     File  |     File  |     File  | Unset = UNSET,
    kind: AttachKind,
    target: None | str | Unset = UNSET,
    filename: None | str | Unset = UNSET,
    captured_at: None | str | Unset = UNSET,
    captured_by: None | str | Unset = UNSET,
    dry_run: bool | Unset = False,

) -> Response[DocumentOut | ErrorOut]:
    """ Attach a decision document or evidence to an order

     The body is the document; its `Content-Type` the type it claims to be.

    Args:
        order_id (int): A positive id.
        kind (AttachKind): decision (a PDF) or evidence.
        target (None | str | Unset): For evidence: the target it is about.
        filename (None | str | Unset): The file's name.
        captured_at (None | str | Unset): When the evidence was captured.
        captured_by (None | str | Unset): Who captured the evidence.
        dry_run (bool | Unset): Check the document; store nothing. Default: False.
        body (File):
        body (File):
        body (File):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DocumentOut | ErrorOut]
     """


    kwargs = _get_kwargs(
        order_id=order_id,
body=body,
kind=kind,
target=target,
filename=filename,
captured_at=captured_at,
captured_by=captured_by,
dry_run=dry_run,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    order_id: int,
    *,
    client: AuthenticatedClient,
    body:    File  |     File  |     File  |     File  | Unset = UNSET,
    kind: AttachKind,
    target: None | str | Unset = UNSET,
    filename: None | str | Unset = UNSET,
    captured_at: None | str | Unset = UNSET,
    captured_by: None | str | Unset = UNSET,
    dry_run: bool | Unset = False,

) -> DocumentOut | ErrorOut | None:
    """ Attach a decision document or evidence to an order

     The body is the document; its `Content-Type` the type it claims to be.

    Args:
        order_id (int): A positive id.
        kind (AttachKind): decision (a PDF) or evidence.
        target (None | str | Unset): For evidence: the target it is about.
        filename (None | str | Unset): The file's name.
        captured_at (None | str | Unset): When the evidence was captured.
        captured_by (None | str | Unset): Who captured the evidence.
        dry_run (bool | Unset): Check the document; store nothing. Default: False.
        body (File):
        body (File):
        body (File):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DocumentOut | ErrorOut
     """


    return (await asyncio_detailed(
        order_id=order_id,
client=client,
body=body,
kind=kind,
target=target,
filename=filename,
captured_at=captured_at,
captured_by=captured_by,
dry_run=dry_run,

    )).parsed
