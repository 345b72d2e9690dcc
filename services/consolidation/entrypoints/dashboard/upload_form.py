"""Reading the upload form: a multipart body of at most `MAX_BYTES`, parsed in memory with the
standard library (no temporary files: the spreadsheets carry NIPs), and the checks that the
post came from our own page (the session's form token, as `/keluar` asks, and same-site)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qs

from fastapi import Request

from shared.auth import same_site
from shared.web.session import COOKIE, Sessions

MAX_BYTES = 5 * 1024 * 1024
MAX_MB = MAX_BYTES // (1024 * 1024)
# A body over the limit is still read to its end (and dropped), so the browser gets the page
# saying so rather than a reset connection; past this, the connection is given up.
DRAIN_BYTES = 64 * 1024 * 1024
FILE_FIELD = "berkas"
TOKEN_FIELD = "token"


class TooLarge(Exception):
    """The body is over MAX_BYTES."""


@dataclass
class Form:
    fields: dict[str, str] = field(default_factory=dict)
    files: list[tuple[str, bytes]] = field(default_factory=list)


async def body_within(request: Request, limit: int = MAX_BYTES) -> bytes:
    """The request's body, or TooLarge once it passes `limit` (the rest drained, not kept)."""
    declared = request.headers.get("content-length", "")
    too_large = declared.isdigit() and int(declared) > limit
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        too_large = too_large or size > limit
        if too_large and size > DRAIN_BYTES:
            break
        if not too_large:
            chunks.append(chunk)
    if too_large:
        raise TooLarge
    return b"".join(chunks)


def parse_form(content_type: str, body: bytes) -> Form:
    """Fields and files of a multipart/form-data body (fields only of a urlencoded one); files
    with no name or no content (the browser's empty file input) are left out. Anything else is
    an empty form."""
    form = Form()
    if content_type.lower().startswith("application/x-www-form-urlencoded"):
        with contextlib.suppress(ValueError):  # more fields than any form of ours has
            fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=20)
            form.fields = {name: values[0] for name, values in fields.items()}
        return form
    if not content_type.lower().startswith("multipart/form-data"):
        return form
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not message.is_multipart():
        return form
    for part in message.iter_parts():
        _take_part(form, part)
    return form


def _take_part(form: Form, part: Message) -> None:
    name = part.get_param("name", header="content-disposition")
    if not isinstance(name, str):
        return
    payload = part.get_payload(decode=True)
    content = payload if isinstance(payload, bytes) else b""
    filename = part.get_filename()
    if filename is not None:
        if name == FILE_FIELD and filename and content:
            form.files.append((_file_name(filename), content))
    elif name != FILE_FIELD:  # an empty file input may come without a file name
        form.fields.setdefault(name, content.decode("utf-8", "replace"))


def _file_name(given: str) -> str:
    """The name's last path part (some browsers send the whole path), as valid text (a raw
    UTF-8 header arrives as escaped bytes)."""
    name = given.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return name.replace("\\", "/").rsplit("/", 1)[-1]


def from_our_page(request: Request, form: Form) -> bool:
    """The post carries this session's form token and came from a page of this origin."""
    sessions: Sessions | None = getattr(request.app.state, "sessions", None)
    cookie = request.cookies.get(COOKIE, "")
    if sessions is None or not cookie or not same_site(request):
        return False
    return sessions.form_token_matches(cookie, form.fields.get(TOKEN_FIELD, ""))
