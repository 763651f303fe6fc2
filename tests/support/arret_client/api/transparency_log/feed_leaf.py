from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_out import ErrorOut
from ...models.leaf_out import LeafOut
from typing import cast



def _get_kwargs(
    operator: str,
    serial: int,

) -> dict[str, Any]:
    

    

    

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/log/feeds/{operator}/{serial}".format(operator=quote(str(operator), safe=""),serial=quote(str(serial), safe=""),),
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorOut | LeafOut | None:
    if response.status_code == 200:
        response_200 = LeafOut.from_dict(response.json())



        return response_200

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorOut | LeafOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    operator: str,
    serial: int,
    *,
    client: AuthenticatedClient | Client,

) -> Response[ErrorOut | LeafOut]:
    """ The leaf of an operator's feed serial

    Args:
        operator (str): An operator's name (a lowercase DNS label).
        serial (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | LeafOut]
     """


    kwargs = _get_kwargs(
        operator=operator,
serial=serial,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    operator: str,
    serial: int,
    *,
    client: AuthenticatedClient | Client,

) -> ErrorOut | LeafOut | None:
    """ The leaf of an operator's feed serial

    Args:
        operator (str): An operator's name (a lowercase DNS label).
        serial (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | LeafOut
     """


    return sync_detailed(
        operator=operator,
serial=serial,
client=client,

    ).parsed

async def asyncio_detailed(
    operator: str,
    serial: int,
    *,
    client: AuthenticatedClient | Client,

) -> Response[ErrorOut | LeafOut]:
    """ The leaf of an operator's feed serial

    Args:
        operator (str): An operator's name (a lowercase DNS label).
        serial (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | LeafOut]
     """


    kwargs = _get_kwargs(
        operator=operator,
serial=serial,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    operator: str,
    serial: int,
    *,
    client: AuthenticatedClient | Client,

) -> ErrorOut | LeafOut | None:
    """ The leaf of an operator's feed serial

    Args:
        operator (str): An operator's name (a lowercase DNS label).
        serial (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | LeafOut
     """


    return (await asyncio_detailed(
        operator=operator,
serial=serial,
client=client,

    )).parsed
