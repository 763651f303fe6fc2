from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.digest_salt_out import DigestSaltOut
from ...models.error_out import ErrorOut
from typing import cast



def _get_kwargs(
    name: str,

) -> dict[str, Any]:
    

    

    

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/operators/{name}/feed/digest-salt".format(name=quote(str(name), safe=""),),
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> DigestSaltOut | ErrorOut | None:
    if response.status_code == 200:
        response_200 = DigestSaltOut.from_dict(response.json())



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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[DigestSaltOut | ErrorOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    name: str,
    *,
    client: AuthenticatedClient,

) -> Response[DigestSaltOut | ErrorOut]:
    """ The secret of the feed's policy digests (to check a zone against the log)

     `key`: the operator's digest key (hex, 512 octets little-endian), used from serial `keyed_since` on;
    `salt`: the salt of the serials logged before it (null when there are none).

    Args:
        name (str): An operator's name (a lowercase DNS label).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DigestSaltOut | ErrorOut]
     """


    kwargs = _get_kwargs(
        name=name,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    name: str,
    *,
    client: AuthenticatedClient,

) -> DigestSaltOut | ErrorOut | None:
    """ The secret of the feed's policy digests (to check a zone against the log)

     `key`: the operator's digest key (hex, 512 octets little-endian), used from serial `keyed_since` on;
    `salt`: the salt of the serials logged before it (null when there are none).

    Args:
        name (str): An operator's name (a lowercase DNS label).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DigestSaltOut | ErrorOut
     """


    return sync_detailed(
        name=name,
client=client,

    ).parsed

async def asyncio_detailed(
    name: str,
    *,
    client: AuthenticatedClient,

) -> Response[DigestSaltOut | ErrorOut]:
    """ The secret of the feed's policy digests (to check a zone against the log)

     `key`: the operator's digest key (hex, 512 octets little-endian), used from serial `keyed_since` on;
    `salt`: the salt of the serials logged before it (null when there are none).

    Args:
        name (str): An operator's name (a lowercase DNS label).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DigestSaltOut | ErrorOut]
     """


    kwargs = _get_kwargs(
        name=name,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    name: str,
    *,
    client: AuthenticatedClient,

) -> DigestSaltOut | ErrorOut | None:
    """ The secret of the feed's policy digests (to check a zone against the log)

     `key`: the operator's digest key (hex, 512 octets little-endian), used from serial `keyed_since` on;
    `salt`: the salt of the serials logged before it (null when there are none).

    Args:
        name (str): An operator's name (a lowercase DNS label).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DigestSaltOut | ErrorOut
     """


    return (await asyncio_detailed(
        name=name,
client=client,

    )).parsed
