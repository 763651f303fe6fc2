from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_out import ErrorOut
from ...models.order_out import OrderOut
from ...models.status import Status
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    status: None | Status | Unset = UNSET,
    operator: None | str | Unset = UNSET,
    at: None | str | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_status: None | str | Unset
    if isinstance(status, Unset):
        json_status = UNSET
    elif isinstance(status, Status):
        json_status = status.value
    else:
        json_status = status
    params["status"] = json_status

    json_operator: None | str | Unset
    if isinstance(operator, Unset):
        json_operator = UNSET
    else:
        json_operator = operator
    params["operator"] = json_operator

    json_at: None | str | Unset
    if isinstance(at, Unset):
        json_at = UNSET
    else:
        json_at = at
    params["at"] = json_at


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/orders",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorOut | list[OrderOut] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in (_response_200):
            response_200_item = OrderOut.from_dict(response_200_item_data)



            response_200.append(response_200_item)

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorOut | list[OrderOut]]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    status: None | Status | Unset = UNSET,
    operator: None | str | Unset = UNSET,
    at: None | str | Unset = UNSET,

) -> Response[ErrorOut | list[OrderOut]]:
    """ List orders

    Args:
        status (None | Status | Unset):
        operator (None | str | Unset): Only the orders addressed to this operator.
        at (None | str | Unset): Status at this instant (ISO 8601 date or date-time); default now.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | list[OrderOut]]
     """


    kwargs = _get_kwargs(
        status=status,
operator=operator,
at=at,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    status: None | Status | Unset = UNSET,
    operator: None | str | Unset = UNSET,
    at: None | str | Unset = UNSET,

) -> ErrorOut | list[OrderOut] | None:
    """ List orders

    Args:
        status (None | Status | Unset):
        operator (None | str | Unset): Only the orders addressed to this operator.
        at (None | str | Unset): Status at this instant (ISO 8601 date or date-time); default now.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | list[OrderOut]
     """


    return sync_detailed(
        client=client,
status=status,
operator=operator,
at=at,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    status: None | Status | Unset = UNSET,
    operator: None | str | Unset = UNSET,
    at: None | str | Unset = UNSET,

) -> Response[ErrorOut | list[OrderOut]]:
    """ List orders

    Args:
        status (None | Status | Unset):
        operator (None | str | Unset): Only the orders addressed to this operator.
        at (None | str | Unset): Status at this instant (ISO 8601 date or date-time); default now.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | list[OrderOut]]
     """


    kwargs = _get_kwargs(
        status=status,
operator=operator,
at=at,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    status: None | Status | Unset = UNSET,
    operator: None | str | Unset = UNSET,
    at: None | str | Unset = UNSET,

) -> ErrorOut | list[OrderOut] | None:
    """ List orders

    Args:
        status (None | Status | Unset):
        operator (None | str | Unset): Only the orders addressed to this operator.
        at (None | str | Unset): Status at this instant (ISO 8601 date or date-time); default now.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | list[OrderOut]
     """


    return (await asyncio_detailed(
        client=client,
status=status,
operator=operator,
at=at,

    )).parsed
