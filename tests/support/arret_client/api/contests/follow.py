from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_out import ErrorOut
from ...models.follow_out import FollowOut
from typing import cast



def _get_kwargs(
    contest_id: int,
    secret: str,

) -> dict[str, Any]:
    

    

    

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/contests/follow/{contest_id}/{secret}".format(contest_id=quote(str(contest_id), safe=""),secret=quote(str(secret), safe=""),),
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorOut | FollowOut | None:
    if response.status_code == 200:
        response_200 = FollowOut.from_dict(response.json())



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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorOut | FollowOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    contest_id: int,
    secret: str,
    *,
    client: AuthenticatedClient | Client,

) -> Response[ErrorOut | FollowOut]:
    """ A contest's state and outcome, for whoever holds its secret

    Args:
        contest_id (int): A positive id.
        secret (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | FollowOut]
     """


    kwargs = _get_kwargs(
        contest_id=contest_id,
secret=secret,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    contest_id: int,
    secret: str,
    *,
    client: AuthenticatedClient | Client,

) -> ErrorOut | FollowOut | None:
    """ A contest's state and outcome, for whoever holds its secret

    Args:
        contest_id (int): A positive id.
        secret (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | FollowOut
     """


    return sync_detailed(
        contest_id=contest_id,
secret=secret,
client=client,

    ).parsed

async def asyncio_detailed(
    contest_id: int,
    secret: str,
    *,
    client: AuthenticatedClient | Client,

) -> Response[ErrorOut | FollowOut]:
    """ A contest's state and outcome, for whoever holds its secret

    Args:
        contest_id (int): A positive id.
        secret (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | FollowOut]
     """


    kwargs = _get_kwargs(
        contest_id=contest_id,
secret=secret,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    contest_id: int,
    secret: str,
    *,
    client: AuthenticatedClient | Client,

) -> ErrorOut | FollowOut | None:
    """ A contest's state and outcome, for whoever holds its secret

    Args:
        contest_id (int): A positive id.
        secret (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | FollowOut
     """


    return (await asyncio_detailed(
        contest_id=contest_id,
secret=secret,
client=client,

    )).parsed
