from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.contest_in import ContestIn
from ...models.error_out import ErrorOut
from ...models.receipt_out import ReceiptOut
from typing import cast



def _get_kwargs(
    *,
    body: ContestIn,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/contests",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorOut | ReceiptOut | None:
    if response.status_code == 201:
        response_201 = ReceiptOut.from_dict(response.json())



        return response_201

    if response.status_code == 400:
        response_400 = ErrorOut.from_dict(response.json())



        return response_400

    if response.status_code == 413:
        response_413 = ErrorOut.from_dict(response.json())



        return response_413

    if response.status_code == 422:
        response_422 = ErrorOut.from_dict(response.json())



        return response_422

    if response.status_code == 429:
        response_429 = ErrorOut.from_dict(response.json())



        return response_429

    if response.status_code == 503:
        response_503 = ErrorOut.from_dict(response.json())



        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorOut | ReceiptOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: ContestIn,

) -> Response[ErrorOut | ReceiptOut]:
    """ Contest the block of a name (no token)

     Received whole or refused with every reason and nothing stored. The answer is the
    receipt: keep `secret` (shown once) — `follow_up` shows the state and the outcome.
    Nothing about the connection is kept.

    Args:
        body (ContestIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | ReceiptOut]
     """


    kwargs = _get_kwargs(
        body=body,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient | Client,
    body: ContestIn,

) -> ErrorOut | ReceiptOut | None:
    """ Contest the block of a name (no token)

     Received whole or refused with every reason and nothing stored. The answer is the
    receipt: keep `secret` (shown once) — `follow_up` shows the state and the outcome.
    Nothing about the connection is kept.

    Args:
        body (ContestIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | ReceiptOut
     """


    return sync_detailed(
        client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: ContestIn,

) -> Response[ErrorOut | ReceiptOut]:
    """ Contest the block of a name (no token)

     Received whole or refused with every reason and nothing stored. The answer is the
    receipt: keep `secret` (shown once) — `follow_up` shows the state and the outcome.
    Nothing about the connection is kept.

    Args:
        body (ContestIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | ReceiptOut]
     """


    kwargs = _get_kwargs(
        body=body,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: ContestIn,

) -> ErrorOut | ReceiptOut | None:
    """ Contest the block of a name (no token)

     Received whole or refused with every reason and nothing stored. The answer is the
    receipt: keep `secret` (shown once) — `follow_up` shows the state and the outcome.
    Nothing about the connection is kept.

    Args:
        body (ContestIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | ReceiptOut
     """


    return (await asyncio_detailed(
        client=client,
body=body,

    )).parsed
