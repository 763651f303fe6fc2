from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.consistency_out import ConsistencyOut
from ...models.error_out import ErrorOut
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    first: int,
    second: int | None | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    params["first"] = first

    json_second: int | None | Unset
    if isinstance(second, Unset):
        json_second = UNSET
    else:
        json_second = second
    params["second"] = json_second


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/log/proof/consistency",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ConsistencyOut | ErrorOut | None:
    if response.status_code == 200:
        response_200 = ConsistencyOut.from_dict(response.json())



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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ConsistencyOut | ErrorOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    first: int,
    second: int | None | Unset = UNSET,

) -> Response[ConsistencyOut | ErrorOut]:
    """ That the tree of `first` leaves is a prefix of `second`

    Args:
        first (int):
        second (int | None | Unset): A tree size (default: newest)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ConsistencyOut | ErrorOut]
     """


    kwargs = _get_kwargs(
        first=first,
second=second,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient | Client,
    first: int,
    second: int | None | Unset = UNSET,

) -> ConsistencyOut | ErrorOut | None:
    """ That the tree of `first` leaves is a prefix of `second`

    Args:
        first (int):
        second (int | None | Unset): A tree size (default: newest)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ConsistencyOut | ErrorOut
     """


    return sync_detailed(
        client=client,
first=first,
second=second,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    first: int,
    second: int | None | Unset = UNSET,

) -> Response[ConsistencyOut | ErrorOut]:
    """ That the tree of `first` leaves is a prefix of `second`

    Args:
        first (int):
        second (int | None | Unset): A tree size (default: newest)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ConsistencyOut | ErrorOut]
     """


    kwargs = _get_kwargs(
        first=first,
second=second,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    first: int,
    second: int | None | Unset = UNSET,

) -> ConsistencyOut | ErrorOut | None:
    """ That the tree of `first` leaves is a prefix of `second`

    Args:
        first (int):
        second (int | None | Unset): A tree size (default: newest)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ConsistencyOut | ErrorOut
     """


    return (await asyncio_detailed(
        client=client,
first=first,
second=second,

    )).parsed
