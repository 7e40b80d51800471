"""The tests/auth/auth.idl service: fixed credentials per scheme, handlers that echo what they got."""

from __future__ import annotations

from typing import Never

from authdemo_api.authdemo.http import create_app
from authdemo_api.authdemo.models import FeedReader, Health, NewNote, Note, PartnerInfo, UserClaims
from authdemo_api.authdemo.service import FEED, PARTNER, USER, Notes
from svcgen_runtime.auth import Unauthorized, use_claims
from svcgen_runtime.sockets import Connection

ALL_SCOPES = ["notes:write", "notes:admin", "export"]
# per scheme: a credential with no scope, one with every scope; "bad" is refused, "nil" returns None
USERS = {"user-none": UserClaims(sub="ann"), "user-all": UserClaims(sub="bob", scopes=ALL_SCOPES)}
PARTNERS = {
    "partner-none": PartnerInfo(partner_id="p0"),
    "partner-all": PartnerInfo(partner_id="p1", scopes=ALL_SCOPES),
}
READERS = {"feed-none": FeedReader(reader="r0"), "feed-all": FeedReader(reader="r1")}


class Impl(Notes):
    async def verify_user(self, token: str) -> UserClaims | None:
        if token == "nil":
            return None
        if token not in USERS:
            raise Unauthorized("unknown token")
        return USERS[token]

    async def verify_partner(self, token: str) -> PartnerInfo | None:
        if token not in PARTNERS:
            raise Unauthorized("unknown key")
        return PARTNERS[token]

    async def verify_feed(self, token: str) -> FeedReader | None:
        return READERS.get(token)

    async def health(self) -> Health:
        return Health(ok=True)

    async def get_note(self, id: str, trace: str | None) -> Note:
        return Note(id=id, body="b", by=use_claims(USER).sub, trace=trace)

    async def create_note(self, note: NewNote, tenant: str) -> Note:
        return Note(id="n1", body=note.body, by=use_claims(USER).sub, tenant=tenant)

    async def delete_note(self, id: str) -> None:
        use_claims(USER)

    async def export(self) -> Note:
        return Note(id="x", body="export", by=use_claims(PARTNER).partner_id)

    async def feed(self) -> Note:
        return Note(id="f", body="feed", by=use_claims(FEED).reader)

    async def live(self, connection: Connection[Note, Never], room: str) -> None:
        await connection.send(Note(id="hello", body=room))


app = create_app(Impl())
