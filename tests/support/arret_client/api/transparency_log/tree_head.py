from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_out import ErrorOut
from ...models.tree_head_out import TreeHeadOut
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    size: int | None | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_size: int | None | Unset
    if isinstance(size, Unset):
        json_size = UNSET
    else:
        json_size = size
    params["size"] = json_size


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/log/head",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorOut | TreeHeadOut | None:
    if response.status_code == 200:
        response_200 = TreeHeadOut.from_dict(response.json())



        return response_200

    if response.status_code == 400:
        response_400 = ErrorOut.from_dict(response.json())



        return response_400

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorOut | TreeHeadOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    size: int | None | Unset = UNSET,

) -> Response[ErrorOut | TreeHeadOut]:
    """ The newest signed tree head, or the one of a given size

    Args:
        size (int | None | Unset): A tree size (default: newest)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | TreeHeadOut]
     """


    kwargs = _get_kwargs(
        size=size,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient | Client,
    size: int | None | Unset = UNSET,

) -> ErrorOut | TreeHeadOut | None:
    """ The newest signed tree head, or the one of a given size

    Args:
        size (int | None | Unset): A tree size (default: newest)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | TreeHeadOut
     """


    return sync_detailed(
        client=client,
size=size,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    size: int | None | Unset = UNSET,

) -> Response[ErrorOut | TreeHeadOut]:
    """ The newest signed tree head, or the one of a given size

    Args:
        size (int | None | Unset): A tree size (default: newest)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | TreeHeadOut]
     """


    kwargs = _get_kwargs(
        size=size,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    size: int | None | Unset = UNSET,

) -> ErrorOut | TreeHeadOut | None:
    """ The newest signed tree head, or the one of a given size

    Args:
        size (int | None | Unset): A tree size (default: newest)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | TreeHeadOut
     """


    return (await asyncio_detailed(
        client=client,
size=size,

    )).parsed
