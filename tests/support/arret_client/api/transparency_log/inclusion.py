from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_out import ErrorOut
from ...models.inclusion_out import InclusionOut
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    index: int,
    size: int | None | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    params["index"] = index

    json_size: int | None | Unset
    if isinstance(size, Unset):
        json_size = UNSET
    else:
        json_size = size
    params["size"] = json_size


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/log/proof/inclusion",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorOut | InclusionOut | None:
    if response.status_code == 200:
        response_200 = InclusionOut.from_dict(response.json())



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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorOut | InclusionOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    index: int,
    size: int | None | Unset = UNSET,

) -> Response[ErrorOut | InclusionOut]:
    """ The audit path of a leaf in a tree size

    Args:
        index (int):
        size (int | None | Unset): A tree size (default: newest)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | InclusionOut]
     """


    kwargs = _get_kwargs(
        index=index,
size=size,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient | Client,
    index: int,
    size: int | None | Unset = UNSET,

) -> ErrorOut | InclusionOut | None:
    """ The audit path of a leaf in a tree size

    Args:
        index (int):
        size (int | None | Unset): A tree size (default: newest)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | InclusionOut
     """


    return sync_detailed(
        client=client,
index=index,
size=size,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    index: int,
    size: int | None | Unset = UNSET,

) -> Response[ErrorOut | InclusionOut]:
    """ The audit path of a leaf in a tree size

    Args:
        index (int):
        size (int | None | Unset): A tree size (default: newest)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | InclusionOut]
     """


    kwargs = _get_kwargs(
        index=index,
size=size,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    index: int,
    size: int | None | Unset = UNSET,

) -> ErrorOut | InclusionOut | None:
    """ The audit path of a leaf in a tree size

    Args:
        index (int):
        size (int | None | Unset): A tree size (default: newest)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | InclusionOut
     """


    return (await asyncio_detailed(
        client=client,
index=index,
size=size,

    )).parsed
