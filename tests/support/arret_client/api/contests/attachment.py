from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_out import ErrorOut
from ...types import File, FileTypes
from io import BytesIO
from typing import cast



def _get_kwargs(
    contest_id: int,
    attachment_id: int,

) -> dict[str, Any]:
    

    

    

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/contests/{contest_id}/attachments/{attachment_id}".format(contest_id=quote(str(contest_id), safe=""),attachment_id=quote(str(attachment_id), safe=""),),
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorOut | File | None:
    if response.status_code == 200:
        response_200 = File(
             payload = BytesIO(response.content)
        )



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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorOut | File]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    contest_id: int,
    attachment_id: int,
    *,
    client: AuthenticatedClient,

) -> Response[ErrorOut | File]:
    """ A contest's attachment (as a download, never a page)

    Args:
        contest_id (int): A positive id.
        attachment_id (int): A positive id.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | File]
     """


    kwargs = _get_kwargs(
        contest_id=contest_id,
attachment_id=attachment_id,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    contest_id: int,
    attachment_id: int,
    *,
    client: AuthenticatedClient,

) -> ErrorOut | File | None:
    """ A contest's attachment (as a download, never a page)

    Args:
        contest_id (int): A positive id.
        attachment_id (int): A positive id.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | File
     """


    return sync_detailed(
        contest_id=contest_id,
attachment_id=attachment_id,
client=client,

    ).parsed

async def asyncio_detailed(
    contest_id: int,
    attachment_id: int,
    *,
    client: AuthenticatedClient,

) -> Response[ErrorOut | File]:
    """ A contest's attachment (as a download, never a page)

    Args:
        contest_id (int): A positive id.
        attachment_id (int): A positive id.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | File]
     """


    kwargs = _get_kwargs(
        contest_id=contest_id,
attachment_id=attachment_id,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    contest_id: int,
    attachment_id: int,
    *,
    client: AuthenticatedClient,

) -> ErrorOut | File | None:
    """ A contest's attachment (as a download, never a page)

    Args:
        contest_id (int): A positive id.
        attachment_id (int): A positive id.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | File
     """


    return (await asyncio_detailed(
        contest_id=contest_id,
attachment_id=attachment_id,
client=client,

    )).parsed
