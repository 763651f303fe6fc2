"""Contest pages: the notice page's form sent (`POST /contest`: the receipt, or the form
again with every reason), the claimant's follow-up page, and the authority's queue,
review and decision behind a login (auditors read)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from arret.domain.access import Principal
from arret.domain.contests import Attachment, Claim, Outcome
from arret.errors import ArretError, Forbidden, InvalidContest, TooManyContests
from arret.http import errors
from arret.http.deps import Id, Rt
from arret.http.downloads import download
from arret.http.runtime import Runtime
from arret.services import contests
from arret.web import session
from arret.web.pages import notice_page, render_page

router = APIRouter(include_in_schema=False)

#: Form fields a contest has; anything more is refused unread.
_MAX_FIELDS = 12


def follow_url(rt: Runtime, contest_id: int, secret: str) -> str:
    return f"{rt.settings.public_url}/contests/follow/{contest_id}/{secret}"


@router.post("/contest")
async def send(request: Request, rt: Rt) -> Response:
    limits = rt.settings.contests
    form = await request.form(max_files=limits.max_attachments + 1, max_fields=_MAX_FIELDS)
    try:
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        files: list[Attachment] = []
        for item in form.getlist("attachments"):
            if not isinstance(item, UploadFile):
                continue
            content = await item.read(limits.max_attachment + 1)
            if not item.filename and not content:
                continue  # the file input left empty
            files.append(Attachment(item.filename or "", item.content_type or "", content))
    finally:
        await form.close()
    return await run_in_threadpool(_send, request, rt, fields, tuple(files))


def _send(
    request: Request, rt: Runtime, fields: dict[str, str], files: tuple[Attachment, ...]
) -> Response:
    name = fields.get("name", "")
    claim = Claim(name, fields.get("standing", ""), fields.get("reason", ""),
                  fields.get("contact", ""), files)  # fmt: skip
    proof = contests.Proof(fields.get("challenge", ""), fields.get("answer", ""))
    try:
        with rt.begin() as conn:
            receipt = contests.submit(
                conn, claim, proof, rt.settings.challenge_key, rt.clock.now(),
                rt.settings.contests, contests.Mailing(rt.settings.contest_mail,
                                                       rt.settings.public_url),
            )  # fmt: skip
    except (InvalidContest, TooManyContests) as refused:
        typed = {"standing": claim.standing, "reason": claim.reason, "contact": claim.contact}
        page = notice_page(request, rt, name, typed, refused, errors.status_of(refused))
        page.headers.update(errors.headers_of(refused))
        return page
    page = render_page(
        request, rt, "contest_receipt.html", receipt=receipt,
        follow=follow_url(rt, receipt.id, receipt.secret),
    )  # fmt: skip
    page.headers["Cache-Control"] = "no-store"  # it holds the secret link
    return page


@router.get("/contests/follow/{contest_id}/{secret}")
def follow(
    request: Request, rt: Rt, contest_id: Id, secret: Annotated[str, Path(max_length=100)]
) -> Response:
    with rt.read() as conn:
        found = contests.follow(conn, contest_id, secret)
    response = render_page(request, rt, "contest_follow.html", contest=found.contest,
                      attachments=found.attachments)  # fmt: skip
    response.headers["Cache-Control"] = "no-store"
    return response


def _overseer(request: Request, rt: Runtime) -> Principal:
    user = session.require(request, rt)
    if not user.reads_everything:
        raise Forbidden(f"a {user.role} login does not review contests")
    return user


@router.get("/contests")
def queue(request: Request, rt: Rt, all: bool = False) -> Response:
    user = _overseer(request, rt)
    now = rt.clock.now()
    with rt.read() as conn:
        items = contests.queue(conn, now, not all)
        counted = contests.counts(conn)
    return render_page(request, rt, "contests.html", user=user, items=items, all=all,
                  counts=counted)  # fmt: skip


def _review_page(
    request: Request, rt: Runtime, user: Principal, contest_id: int, **extra: Any
) -> Response:
    with rt.read() as conn:
        item = contests.review(conn, contest_id, rt.clock.now())
    context: dict[str, Any] = {"decision_error": None, "typed": {"outcome": "", "reason": ""}}
    return render_page(request, rt, "contest.html", extra.pop("http_status", 200), user=user,
                  item=item, outcomes=[o.value for o in Outcome], **(context | extra))  # fmt: skip


@router.get("/contests/{contest_id}")
def review(request: Request, rt: Rt, contest_id: Id) -> Response:
    user = _overseer(request, rt)
    return _review_page(request, rt, user, contest_id)


@router.post("/contests/{contest_id}/decision")
def decide(
    request: Request,
    rt: Rt,
    contest_id: Id,
    outcome: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=20000)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    user = _overseer(request, rt)
    session.check_csrf(request, csrf)
    if not user.writes:
        raise Forbidden(f"a {user.role} login cannot decide a contest")
    try:
        with rt.begin() as conn:
            done = contests.decide(
                conn, contest_id, outcome, reason, rt.clock.now(), user.actor,
                contests.Mailing(rt.settings.contest_mail, rt.settings.public_url),
            )  # fmt: skip
    except ArretError as refused:
        if not isinstance(refused, InvalidContest) and errors.status_of(refused) != 422:
            raise
        return _review_page(request, rt, user, contest_id, decision_error=refused,
                            typed={"outcome": outcome, "reason": reason},
                            http_status=422)  # fmt: skip
    session.flash(request, "The decision was recorded.")
    del done
    return RedirectResponse(f"/contests/{contest_id}", 303)


@router.get("/contests/{contest_id}/attachments/{attachment_id}")
def attachment(request: Request, rt: Rt, contest_id: Id, attachment_id: Id) -> Response:
    _overseer(request, rt)
    with rt.read() as conn:
        meta, content = contests.attachment(conn, contest_id, attachment_id)
    return download(meta, content)
