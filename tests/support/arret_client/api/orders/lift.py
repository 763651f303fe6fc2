from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_out import ErrorOut
from ...models.lift_in import LiftIn
from ...models.lifted_out import LiftedOut
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    order_id: int,
    *,
    body: LiftIn,
    dry_run: bool | Unset = False,
    idempotency_key: None | str | Unset = UNSET,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key



    

    params: dict[str, Any] = {}

    params["dry_run"] = dry_run


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/orders/{order_id}/lift".format(order_id=quote(str(order_id), safe=""),),
        "params": params,
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorOut | LiftedOut | None:
    if response.status_code == 200:
        response_200 = LiftedOut.from_dict(response.json())



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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorOut | LiftedOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    order_id: int,
    *,
    client: AuthenticatedClient,
    body: LiftIn,
    dry_run: bool | Unset = False,
    idempotency_key: None | str | Unset = UNSET,

) -> Response[ErrorOut | LiftedOut]:
    """ Lift an order before its expiry

    Args:
        order_id (int): A positive id.
        dry_run (bool | Unset): Check and plan the change; write nothing. Default: False.
        idempotency_key (None | str | Unset): Send the same key again to get the first answer
            instead of a second change (printable ASCII, at most 200 characters).
        body (LiftIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | LiftedOut]
     """


    kwargs = _get_kwargs(
        order_id=order_id,
body=body,
dry_run=dry_run,
idempotency_key=idempotency_key,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    order_id: int,
    *,
    client: AuthenticatedClient,
    body: LiftIn,
    dry_run: bool | Unset = False,
    idempotency_key: None | str | Unset = UNSET,

) -> ErrorOut | LiftedOut | None:
    """ Lift an order before its expiry

    Args:
        order_id (int): A positive id.
        dry_run (bool | Unset): Check and plan the change; write nothing. Default: False.
        idempotency_key (None | str | Unset): Send the same key again to get the first answer
            instead of a second change (printable ASCII, at most 200 characters).
        body (LiftIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | LiftedOut
     """


    return sync_detailed(
        order_id=order_id,
client=client,
body=body,
dry_run=dry_run,
idempotency_key=idempotency_key,

    ).parsed

async def asyncio_detailed(
    order_id: int,
    *,
    client: AuthenticatedClient,
    body: LiftIn,
    dry_run: bool | Unset = False,
    idempotency_key: None | str | Unset = UNSET,

) -> Response[ErrorOut | LiftedOut]:
    """ Lift an order before its expiry

    Args:
        order_id (int): A positive id.
        dry_run (bool | Unset): Check and plan the change; write nothing. Default: False.
        idempotency_key (None | str | Unset): Send the same key again to get the first answer
            instead of a second change (printable ASCII, at most 200 characters).
        body (LiftIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | LiftedOut]
     """


    kwargs = _get_kwargs(
        order_id=order_id,
body=body,
dry_run=dry_run,
idempotency_key=idempotency_key,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    order_id: int,
    *,
    client: AuthenticatedClient,
    body: LiftIn,
    dry_run: bool | Unset = False,
    idempotency_key: None | str | Unset = UNSET,

) -> ErrorOut | LiftedOut | None:
    """ Lift an order before its expiry

    Args:
        order_id (int): A positive id.
        dry_run (bool | Unset): Check and plan the change; write nothing. Default: False.
        idempotency_key (None | str | Unset): Send the same key again to get the first answer
            instead of a second change (printable ASCII, at most 200 characters).
        body (LiftIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | LiftedOut
     """


    return (await asyncio_detailed(
        order_id=order_id,
client=client,
body=body,
dry_run=dry_run,
idempotency_key=idempotency_key,

    )).parsed
