from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.decided_out import DecidedOut
from ...models.decision_in import DecisionIn
from ...models.error_out import ErrorOut
from typing import cast



def _get_kwargs(
    contest_id: int,
    *,
    body: DecisionIn,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/contests/{contest_id}/decision".format(contest_id=quote(str(contest_id), safe=""),),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> DecidedOut | ErrorOut | None:
    if response.status_code == 200:
        response_200 = DecidedOut.from_dict(response.json())



        return response_200

    if response.status_code == 400:
        response_400 = ErrorOut.from_dict(response.json())



        return response_400

    if response.status_code == 401:
        response_401 = ErrorOut.from_dict(response.json())



        return response_401

    if response.status_code == 403:
        response_403 = ErrorOut.from_dict(response.json())



        return response_403

    if response.status_code == 404:
        response_404 = ErrorOut.from_dict(response.json())



        return response_404

    if response.status_code == 409:
        response_409 = ErrorOut.from_dict(response.json())



        return response_409

    if response.status_code == 413:
        response_413 = ErrorOut.from_dict(response.json())



        return response_413

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[DecidedOut | ErrorOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    contest_id: int,
    *,
    client: AuthenticatedClient,
    body: DecisionIn,

) -> Response[DecidedOut | ErrorOut]:
    """ Decide a contest: uphold, remove, allow-list, or refer

     `removed` amends every order that names it (a lift if it was its last name);
    `allowed` puts it on the allow-list; both reach the resolvers as any change. The
    reason is what the claimant reads.

    Args:
        contest_id (int): A positive id.
        body (DecisionIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DecidedOut | ErrorOut]
     """


    kwargs = _get_kwargs(
        contest_id=contest_id,
body=body,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    contest_id: int,
    *,
    client: AuthenticatedClient,
    body: DecisionIn,

) -> DecidedOut | ErrorOut | None:
    """ Decide a contest: uphold, remove, allow-list, or refer

     `removed` amends every order that names it (a lift if it was its last name);
    `allowed` puts it on the allow-list; both reach the resolvers as any change. The
    reason is what the claimant reads.

    Args:
        contest_id (int): A positive id.
        body (DecisionIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DecidedOut | ErrorOut
     """


    return sync_detailed(
        contest_id=contest_id,
client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    contest_id: int,
    *,
    client: AuthenticatedClient,
    body: DecisionIn,

) -> Response[DecidedOut | ErrorOut]:
    """ Decide a contest: uphold, remove, allow-list, or refer

     `removed` amends every order that names it (a lift if it was its last name);
    `allowed` puts it on the allow-list; both reach the resolvers as any change. The
    reason is what the claimant reads.

    Args:
        contest_id (int): A positive id.
        body (DecisionIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DecidedOut | ErrorOut]
     """


    kwargs = _get_kwargs(
        contest_id=contest_id,
body=body,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    contest_id: int,
    *,
    client: AuthenticatedClient,
    body: DecisionIn,

) -> DecidedOut | ErrorOut | None:
    """ Decide a contest: uphold, remove, allow-list, or refer

     `removed` amends every order that names it (a lift if it was its last name);
    `allowed` puts it on the allow-list; both reach the resolvers as any change. The
    reason is what the claimant reads.

    Args:
        contest_id (int): A positive id.
        body (DecisionIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DecidedOut | ErrorOut
     """


    return (await asyncio_detailed(
        contest_id=contest_id,
client=client,
body=body,

    )).parsed
