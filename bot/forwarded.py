"""Client addresses behind a reverse proxy: `X-Forwarded-For`, believed only from proxies
the operator trusts (`SUPPORTBOT_TRUSTED_PROXIES`).

When the direct peer is a trusted proxy, the header is read from the right (the entry the
nearest proxy wrote) past every trusted address; the first untrusted one is the client and
becomes `request.remote`, so the per-address limits of the web chat and the console login
count clients, not the proxy. Entries left of it were written by the client and are ignored.
A header from any other peer is ignored: anyone can send one.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

from aiohttp import hdrs, web
from aiohttp.typedefs import Handler, Middleware

log = logging.getLogger(__name__)

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network


class MalformedForwardedFor(ValueError):
    """A trusted proxy sent an `X-Forwarded-For` entry that is not an IP address."""


def _address(text: str) -> IPAddress:
    """The address of a header entry or a peer; an IPv4-mapped IPv6 address as IPv4."""
    address = ip_address(text.strip())
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: IPAddress, trusted: Sequence[IPNetwork]) -> bool:
    return any(address in network for network in trusted)


def client_address(peer: str | None, forwarded_for: Sequence[str],
                   trusted: Sequence[IPNetwork]) -> str | None:
    """The client's address for a request from `peer` with these `X-Forwarded-For` header
    lines, or None to keep the peer (an untrusted peer, or no header).

    Raises:
        MalformedForwardedFor: a trusted proxy's entry is not an IP address.
    """
    if not forwarded_for or not peer:
        return None
    try:
        peer_address = _address(peer)
    except ValueError:  # not an IP peer (a Unix socket): nothing to trust
        return None
    if not _trusted(peer_address, trusted):
        return None
    entries = ",".join(forwarded_for).split(",")  # repeated lines form one list (RFC 9110)
    address = peer_address
    for entry in reversed(entries):
        try:
            address = _address(entry)
        except ValueError:
            raise MalformedForwardedFor(
                f"X-Forwarded-For from a trusted proxy has {entry.strip()!r}, "
                "which is not an IP address") from None
        if not _trusted(address, trusted):
            break
    return str(address)  # the first untrusted entry, or the leftmost if all are trusted


def forwarded_for_middleware(trusted: Sequence[IPNetwork]) -> Middleware:
    """A middleware that sets `request.remote` to the client address behind `trusted`
    proxies; a malformed header from one of them is answered with 400."""
    networks = tuple(trusted)

    @web.middleware
    async def forwarded_for(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            client = client_address(request.remote, request.headers.getall(
                hdrs.X_FORWARDED_FOR, []), networks)
        except MalformedForwardedFor as error:
            log.warning("refused a request from proxy %s: %s", request.remote, error)
            raise web.HTTPBadRequest(text=str(error)) from None
        if client is None:
            return await handler(request)
        return await handler(request.clone(remote=client))

    return forwarded_for
