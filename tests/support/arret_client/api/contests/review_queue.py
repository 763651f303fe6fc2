from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_out import ErrorOut
from ...models.review_out import ReviewOut
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    all_: bool | Unset = False,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    params["all"] = all_


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/contests",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorOut | list[ReviewOut] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in (_response_200):
            response_200_item = ReviewOut.from_dict(response_200_item_data)



            response_200.append(response_200_item)

        return response_200

    if response.status_code == 401:
        response_401 = ErrorOut.from_dict(response.json())



        return response_401

    if response.status_code == 403:
        response_403 = ErrorOut.from_dict(response.json())



        return response_403

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorOut | list[ReviewOut]]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    all_: bool | Unset = False,

) -> Response[ErrorOut | list[ReviewOut]]:
    """ The contests to review

     Pending contests, soonest due first, each with the orders that block its name,
    its age against its deadline and what probing saw of the name lately; `?all=true`:
    every contest, newest first.

    Args:
        all_ (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | list[ReviewOut]]
     """


    kwargs = _get_kwargs(
        all_=all_,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    all_: bool | Unset = False,

) -> ErrorOut | list[ReviewOut] | None:
    """ The contests to review

     Pending contests, soonest due first, each with the orders that block its name,
    its age against its deadline and what probing saw of the name lately; `?all=true`:
    every contest, newest first.

    Args:
        all_ (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | list[ReviewOut]
     """


    return sync_detailed(
        client=client,
all_=all_,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    all_: bool | Unset = False,

) -> Response[ErrorOut | list[ReviewOut]]:
    """ The contests to review

     Pending contests, soonest due first, each with the orders that block its name,
    its age against its deadline and what probing saw of the name lately; `?all=true`:
    every contest, newest first.

    Args:
        all_ (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | list[ReviewOut]]
     """


    kwargs = _get_kwargs(
        all_=all_,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    all_: bool | Unset = False,

) -> ErrorOut | list[ReviewOut] | None:
    """ The contests to review

     Pending contests, soonest due first, each with the orders that block its name,
    its age against its deadline and what probing saw of the name lately; `?all=true`:
    every contest, newest first.

    Args:
        all_ (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | list[ReviewOut]
     """


    return (await asyncio_detailed(
        client=client,
all_=all_,

    )).parsed
