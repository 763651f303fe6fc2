from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_out import ErrorOut
from ...models.targets_page_out import TargetsPageOut
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    order_id: int,
    *,
    after: int | Unset = 0,
    limit: int | Unset = 1000,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    params["after"] = after

    params["limit"] = limit


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/orders/{order_id}/targets".format(order_id=quote(str(order_id), safe=""),),
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorOut | TargetsPageOut | None:
    if response.status_code == 200:
        response_200 = TargetsPageOut.from_dict(response.json())



        return response_200

    if response.status_code == 401:
        response_401 = ErrorOut.from_dict(response.json())



        return response_401

    if response.status_code == 403:
        response_403 = ErrorOut.from_dict(response.json())



        return response_403

    if response.status_code == 404:
        response_404 = ErrorOut.from_dict(response.json())



        return response_404

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorOut | TargetsPageOut]:
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
    after: int | Unset = 0,
    limit: int | Unset = 1000,

) -> Response[ErrorOut | TargetsPageOut]:
    """ An order's targets, a page at a time

    Args:
        order_id (int): A positive id.
        after (int | Unset): Continue after this position (from `targets_next`). Default: 0.
        limit (int | Unset): Targets per page. Default: 1000.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | TargetsPageOut]
     """


    kwargs = _get_kwargs(
        order_id=order_id,
after=after,
limit=limit,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    order_id: int,
    *,
    client: AuthenticatedClient,
    after: int | Unset = 0,
    limit: int | Unset = 1000,

) -> ErrorOut | TargetsPageOut | None:
    """ An order's targets, a page at a time

    Args:
        order_id (int): A positive id.
        after (int | Unset): Continue after this position (from `targets_next`). Default: 0.
        limit (int | Unset): Targets per page. Default: 1000.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | TargetsPageOut
     """


    return sync_detailed(
        order_id=order_id,
client=client,
after=after,
limit=limit,

    ).parsed

async def asyncio_detailed(
    order_id: int,
    *,
    client: AuthenticatedClient,
    after: int | Unset = 0,
    limit: int | Unset = 1000,

) -> Response[ErrorOut | TargetsPageOut]:
    """ An order's targets, a page at a time

    Args:
        order_id (int): A positive id.
        after (int | Unset): Continue after this position (from `targets_next`). Default: 0.
        limit (int | Unset): Targets per page. Default: 1000.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | TargetsPageOut]
     """


    kwargs = _get_kwargs(
        order_id=order_id,
after=after,
limit=limit,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    order_id: int,
    *,
    client: AuthenticatedClient,
    after: int | Unset = 0,
    limit: int | Unset = 1000,

) -> ErrorOut | TargetsPageOut | None:
    """ An order's targets, a page at a time

    Args:
        order_id (int): A positive id.
        after (int | Unset): Continue after this position (from `targets_next`). Default: 0.
        limit (int | Unset): Targets per page. Default: 1000.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | TargetsPageOut
     """


    return (await asyncio_detailed(
        order_id=order_id,
client=client,
after=after,
limit=limit,

    )).parsed
