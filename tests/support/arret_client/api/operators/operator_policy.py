from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_out import ErrorOut
from ...models.format_ import Format
from ...models.policy_out import PolicyOut
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    name: str,
    *,
    format_: Format | Unset = UNSET,
    at: None | str | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_format_: str | Unset = UNSET
    if not isinstance(format_, Unset):
        json_format_ = format_.value

    params["format"] = json_format_

    json_at: None | str | Unset
    if isinstance(at, Unset):
        json_at = UNSET
    else:
        json_at = at
    params["at"] = json_at


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/operators/{name}/policy".format(name=quote(str(name), safe=""),),
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorOut | PolicyOut | None:
    if response.status_code == 200:
        response_200 = PolicyOut.from_dict(response.json())



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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorOut | PolicyOut]:
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
    format_: Format | Unset = UNSET,
    at: None | str | Unset = UNSET,

) -> Response[ErrorOut | PolicyOut]:
    """ The names the operator must block, in any export format

     The media type follows `format`: JSON (`application/json`, the shape of `arret policy --json`), CSV
    (`text/csv`), an RPZ zone file (`text/dns`), and plain text for `list`, `hosts`, `unbound` and
    `dnsmasq`.

    Args:
        name (str): An operator's name (a lowercase DNS label).
        format_ (Format | Unset):
        at (None | str | Unset): Status at this instant (ISO 8601 date or date-time); default now.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | PolicyOut]
     """


    kwargs = _get_kwargs(
        name=name,
format_=format_,
at=at,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    name: str,
    *,
    client: AuthenticatedClient,
    format_: Format | Unset = UNSET,
    at: None | str | Unset = UNSET,

) -> ErrorOut | PolicyOut | None:
    """ The names the operator must block, in any export format

     The media type follows `format`: JSON (`application/json`, the shape of `arret policy --json`), CSV
    (`text/csv`), an RPZ zone file (`text/dns`), and plain text for `list`, `hosts`, `unbound` and
    `dnsmasq`.

    Args:
        name (str): An operator's name (a lowercase DNS label).
        format_ (Format | Unset):
        at (None | str | Unset): Status at this instant (ISO 8601 date or date-time); default now.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | PolicyOut
     """


    return sync_detailed(
        name=name,
client=client,
format_=format_,
at=at,

    ).parsed

async def asyncio_detailed(
    name: str,
    *,
    client: AuthenticatedClient,
    format_: Format | Unset = UNSET,
    at: None | str | Unset = UNSET,

) -> Response[ErrorOut | PolicyOut]:
    """ The names the operator must block, in any export format

     The media type follows `format`: JSON (`application/json`, the shape of `arret policy --json`), CSV
    (`text/csv`), an RPZ zone file (`text/dns`), and plain text for `list`, `hosts`, `unbound` and
    `dnsmasq`.

    Args:
        name (str): An operator's name (a lowercase DNS label).
        format_ (Format | Unset):
        at (None | str | Unset): Status at this instant (ISO 8601 date or date-time); default now.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | PolicyOut]
     """


    kwargs = _get_kwargs(
        name=name,
format_=format_,
at=at,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    name: str,
    *,
    client: AuthenticatedClient,
    format_: Format | Unset = UNSET,
    at: None | str | Unset = UNSET,

) -> ErrorOut | PolicyOut | None:
    """ The names the operator must block, in any export format

     The media type follows `format`: JSON (`application/json`, the shape of `arret policy --json`), CSV
    (`text/csv`), an RPZ zone file (`text/dns`), and plain text for `list`, `hosts`, `unbound` and
    `dnsmasq`.

    Args:
        name (str): An operator's name (a lowercase DNS label).
        format_ (Format | Unset):
        at (None | str | Unset): Status at this instant (ISO 8601 date or date-time); default now.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | PolicyOut
     """


    return (await asyncio_detailed(
        name=name,
client=client,
format_=format_,
at=at,

    )).parsed
