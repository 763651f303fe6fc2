from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_out import ErrorOut
from ...models.resolver import Resolver
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    name: str,
    *,
    resolver: Resolver,
    server: list[str] | None | Unset = UNSET,
    directory: None | str | Unset = UNSET,
    register_url: str | Unset = 'http://127.0.0.1:8080/register',
    notice_address: list[str] | None | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_resolver = resolver.value
    params["resolver"] = json_resolver

    json_server: list[str] | None | Unset
    if isinstance(server, Unset):
        json_server = UNSET
    elif isinstance(server, list):
        json_server = server


    else:
        json_server = server
    params["server"] = json_server

    json_directory: None | str | Unset
    if isinstance(directory, Unset):
        json_directory = UNSET
    else:
        json_directory = directory
    params["directory"] = json_directory

    params["register_url"] = register_url

    json_notice_address: list[str] | None | Unset
    if isinstance(notice_address, Unset):
        json_notice_address = UNSET
    elif isinstance(notice_address, list):
        json_notice_address = notice_address


    else:
        json_notice_address = notice_address
    params["notice_address"] = json_notice_address


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/operators/{name}/config".format(name=quote(str(name), safe=""),),
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorOut | str | None:
    if response.status_code == 200:
        response_200 = cast(str, response.content)
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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorOut | str]:
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
    resolver: Resolver,
    server: list[str] | None | Unset = UNSET,
    directory: None | str | Unset = UNSET,
    register_url: str | Unset = 'http://127.0.0.1:8080/register',
    notice_address: list[str] | None | Unset = UNSET,

) -> Response[ErrorOut | str]:
    """ A resolver configuration that pulls this operator's feed

     The TSIG secret is shown to the operator itself and to the authority; an auditor gets the
    configuration with the secret redacted.

    Args:
        name (str): An operator's name (a lowercase DNS label).
        resolver (Resolver):
        server (list[str] | None | Unset): Where `arret serve` answers DNS (HOST:PORT); repeated
            once per instance serving the feed, the preferred first. Default 127.0.0.1:53.
        directory (None | str | Unset):
        register_url (str | Unset):  Default: 'http://127.0.0.1:8080/register'.
        notice_address (list[str] | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | str]
     """


    kwargs = _get_kwargs(
        name=name,
resolver=resolver,
server=server,
directory=directory,
register_url=register_url,
notice_address=notice_address,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    name: str,
    *,
    client: AuthenticatedClient,
    resolver: Resolver,
    server: list[str] | None | Unset = UNSET,
    directory: None | str | Unset = UNSET,
    register_url: str | Unset = 'http://127.0.0.1:8080/register',
    notice_address: list[str] | None | Unset = UNSET,

) -> ErrorOut | str | None:
    """ A resolver configuration that pulls this operator's feed

     The TSIG secret is shown to the operator itself and to the authority; an auditor gets the
    configuration with the secret redacted.

    Args:
        name (str): An operator's name (a lowercase DNS label).
        resolver (Resolver):
        server (list[str] | None | Unset): Where `arret serve` answers DNS (HOST:PORT); repeated
            once per instance serving the feed, the preferred first. Default 127.0.0.1:53.
        directory (None | str | Unset):
        register_url (str | Unset):  Default: 'http://127.0.0.1:8080/register'.
        notice_address (list[str] | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | str
     """


    return sync_detailed(
        name=name,
client=client,
resolver=resolver,
server=server,
directory=directory,
register_url=register_url,
notice_address=notice_address,

    ).parsed

async def asyncio_detailed(
    name: str,
    *,
    client: AuthenticatedClient,
    resolver: Resolver,
    server: list[str] | None | Unset = UNSET,
    directory: None | str | Unset = UNSET,
    register_url: str | Unset = 'http://127.0.0.1:8080/register',
    notice_address: list[str] | None | Unset = UNSET,

) -> Response[ErrorOut | str]:
    """ A resolver configuration that pulls this operator's feed

     The TSIG secret is shown to the operator itself and to the authority; an auditor gets the
    configuration with the secret redacted.

    Args:
        name (str): An operator's name (a lowercase DNS label).
        resolver (Resolver):
        server (list[str] | None | Unset): Where `arret serve` answers DNS (HOST:PORT); repeated
            once per instance serving the feed, the preferred first. Default 127.0.0.1:53.
        directory (None | str | Unset):
        register_url (str | Unset):  Default: 'http://127.0.0.1:8080/register'.
        notice_address (list[str] | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | str]
     """


    kwargs = _get_kwargs(
        name=name,
resolver=resolver,
server=server,
directory=directory,
register_url=register_url,
notice_address=notice_address,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    name: str,
    *,
    client: AuthenticatedClient,
    resolver: Resolver,
    server: list[str] | None | Unset = UNSET,
    directory: None | str | Unset = UNSET,
    register_url: str | Unset = 'http://127.0.0.1:8080/register',
    notice_address: list[str] | None | Unset = UNSET,

) -> ErrorOut | str | None:
    """ A resolver configuration that pulls this operator's feed

     The TSIG secret is shown to the operator itself and to the authority; an auditor gets the
    configuration with the secret redacted.

    Args:
        name (str): An operator's name (a lowercase DNS label).
        resolver (Resolver):
        server (list[str] | None | Unset): Where `arret serve` answers DNS (HOST:PORT); repeated
            once per instance serving the feed, the preferred first. Default 127.0.0.1:53.
        directory (None | str | Unset):
        register_url (str | Unset):  Default: 'http://127.0.0.1:8080/register'.
        notice_address (list[str] | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | str
     """


    return (await asyncio_detailed(
        name=name,
client=client,
resolver=resolver,
server=server,
directory=directory,
register_url=register_url,
notice_address=notice_address,

    )).parsed
