"""HEAD answered wherever GET is (RFC 9110 §9.3.2: "the server SHOULD send the same header
fields in response to HEAD as it would have sent if the request method had been GET";
§9.1: general-purpose servers MUST support it).

The routes declare GET only (the OpenAPI document lists each operation once); this pure
ASGI middleware, outermost, hands a HEAD request on as the same GET and sends its answer's
status and headers — `Content-Length` included, the length GET would send — without its
body. A path without GET answers HEAD as it answers GET: 405 with `Allow`.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)
