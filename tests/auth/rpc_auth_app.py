"""The tests/auth/rpc_auth.idl service: fixed credentials per scheme, handlers that report what they saw.

tests/auth/test_rpc_auth.py builds the IDL under a package of its own and rewrites the
`rpc_auth_api.rpcauth.` imports below to point at that build.
"""

from __future__ import annotations

from rpc_auth_api.rpcauth.models import FeedReader, Locked, LockedBody, PartnerInfo, Seen, UserClaims
from rpc_auth_api.rpcauth.service import FEED, PARTNER, USER, Vault
from svcgen_runtime.auth import Unauthorized, use_claims
from svcgen_runtime.context import use_context

# "bad" is refused by every verifier, "nil" makes verify_user return None, "crash" crashes verify_feed
USERS = {"user-none": UserClaims(sub="ann"), "user-write": UserClaims(sub="bob", scopes=["vault:write"])}
PARTNERS = {
    "partner-none": PartnerInfo(partner_id="p0"),
    "partner-all": PartnerInfo(partner_id="p1", scopes=["export"]),
}
READERS = {"feed-r1": FeedReader(reader="r1")}


def seen(who: str, value: int = 0) -> Seen:
    """What the handler saw: `who`, and the request header names (AMQP; gRPC calls have no `incoming`)."""
    incoming = use_context().incoming
    return Seen(who=who, value=value, headers=sorted(incoming.headers) if incoming is not None else [])


class Impl(Vault):
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
        if token == "crash":
            raise RuntimeError("the feed verifier crashed")
        return READERS.get(token)

    async def whoami(self) -> Seen:
        return seen(use_claims(USER).sub)

    async def write(self, value: int) -> Seen:
        return seen(use_claims(USER).sub, value)

    async def locked(self) -> Seen:
        use_claims(USER)
        raise Locked(LockedBody(reason="closed"))

    async def ping(self, value: int) -> Seen:
        try:
            who = f"claims of {use_claims(USER).sub}"  # a public rpc must get none
        except LookupError:
            who = "nobody"
        return seen(who, value)

    async def export(self) -> Seen:
        return seen(use_claims(PARTNER).partner_id)

    async def feed(self) -> Seen:
        return seen(use_claims(FEED).reader)

    async def health(self) -> Seen:
        return Seen(who="http")


service = Impl()
