from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_out import ErrorOut
from ...models.order_in import OrderIn
from ...models.registered_out import RegisteredOut
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    body: OrderIn,
    dry_run: bool | Unset = False,
    confirm: bool | Unset = False,
    idempotency_key: None | str | Unset = UNSET,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key



    

    params: dict[str, Any] = {}

    params["dry_run"] = dry_run

    params["confirm"] = confirm


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/orders",
        "params": params,
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorOut | RegisteredOut | None:
    if response.status_code == 200:
        response_200 = RegisteredOut.from_dict(response.json())



        return response_200

    if response.status_code == 201:
        response_201 = RegisteredOut.from_dict(response.json())



        return response_201

    if response.status_code == 400:
        response_400 = ErrorOut.from_dict(response.json())



        return response_400

    if response.status_code == 401:
        response_401 = ErrorOut.from_dict(response.json())



        return response_401

    if response.status_code == 403:
        response_403 = ErrorOut.from_dict(response.json())



        return response_403

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorOut | RegisteredOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: OrderIn,
    dry_run: bool | Unset = False,
    confirm: bool | Unset = False,
    idempotency_key: None | str | Unset = UNSET,

) -> Response[ErrorOut | RegisteredOut]:
    """ Register an order

    Args:
        dry_run (bool | Unset): Check and plan the change; write nothing. Default: False.
        confirm (bool | Unset): Apply a change of more names (added and removed) than the server's
            confirmation threshold (`--confirm-above`, default 100); without it such a change is
            refused with 422 `confirmation_required` (a dry run needs none). Default: False.
        idempotency_key (None | str | Unset): Send the same key again to get the first answer
            instead of a second change (printable ASCII, at most 200 characters).
        body (OrderIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | RegisteredOut]
     """


    kwargs = _get_kwargs(
        body=body,
dry_run=dry_run,
confirm=confirm,
idempotency_key=idempotency_key,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    body: OrderIn,
    dry_run: bool | Unset = False,
    confirm: bool | Unset = False,
    idempotency_key: None | str | Unset = UNSET,

) -> ErrorOut | RegisteredOut | None:
    """ Register an order

    Args:
        dry_run (bool | Unset): Check and plan the change; write nothing. Default: False.
        confirm (bool | Unset): Apply a change of more names (added and removed) than the server's
            confirmation threshold (`--confirm-above`, default 100); without it such a change is
            refused with 422 `confirmation_required` (a dry run needs none). Default: False.
        idempotency_key (None | str | Unset): Send the same key again to get the first answer
            instead of a second change (printable ASCII, at most 200 characters).
        body (OrderIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | RegisteredOut
     """


    return sync_detailed(
        client=client,
body=body,
dry_run=dry_run,
confirm=confirm,
idempotency_key=idempotency_key,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: OrderIn,
    dry_run: bool | Unset = False,
    confirm: bool | Unset = False,
    idempotency_key: None | str | Unset = UNSET,

) -> Response[ErrorOut | RegisteredOut]:
    """ Register an order

    Args:
        dry_run (bool | Unset): Check and plan the change; write nothing. Default: False.
        confirm (bool | Unset): Apply a change of more names (added and removed) than the server's
            confirmation threshold (`--confirm-above`, default 100); without it such a change is
            refused with 422 `confirmation_required` (a dry run needs none). Default: False.
        idempotency_key (None | str | Unset): Send the same key again to get the first answer
            instead of a second change (printable ASCII, at most 200 characters).
        body (OrderIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | RegisteredOut]
     """


    kwargs = _get_kwargs(
        body=body,
dry_run=dry_run,
confirm=confirm,
idempotency_key=idempotency_key,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    body: OrderIn,
    dry_run: bool | Unset = False,
    confirm: bool | Unset = False,
    idempotency_key: None | str | Unset = UNSET,

) -> ErrorOut | RegisteredOut | None:
    """ Register an order

    Args:
        dry_run (bool | Unset): Check and plan the change; write nothing. Default: False.
        confirm (bool | Unset): Apply a change of more names (added and removed) than the server's
            confirmation threshold (`--confirm-above`, default 100); without it such a change is
            refused with 422 `confirmation_required` (a dry run needs none). Default: False.
        idempotency_key (None | str | Unset): Send the same key again to get the first answer
            instead of a second change (printable ASCII, at most 200 characters).
        body (OrderIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | RegisteredOut
     """


    return (await asyncio_detailed(
        client=client,
body=body,
dry_run=dry_run,
confirm=confirm,
idempotency_key=idempotency_key,

    )).parsed
