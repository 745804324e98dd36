"""Which network addresses a fetch may reach.

Page and image urls come from strangers' pages, so a crawl or an image ingest must never be
steered into the machine it runs on or its private network: loopback, private ranges, link-local
(the cloud metadata service at 169.254.169.254), multicast, reserved and unspecified addresses.
The check is on resolved addresses, so every spelling of a host (`localhost`, `2130706433`,
`0x7f000001`, `[::1]`, `::ffff:127.0.0.1`, a DNS name pointing inward) ends in the same verdict.
Callers connect only to the addresses that were checked, so a name cannot resolve differently
between the check and the connection.

The demo and the tests serve from loopback; a source opts in with `allow_private_addresses`.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_SHARED = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class BlockedAddress(ValueError):
    """A host that resolves to an address the policy refuses; the message says which and why."""


def address_problem(address: IPAddress) -> str | None:
    """What kind of address `address` is when it may not be fetched from ("a loopback
    address"), or None when it is a public unicast address.

    IPv6 forms that carry an IPv4 address (mapped, 6to4, Teredo, NAT64) are judged by it.
    """
    if isinstance(address, ipaddress.IPv6Address):
        embedded = [address.ipv4_mapped, address.sixtofour]
        if address.teredo:
            embedded.extend(address.teredo)
        if address in _NAT64:
            embedded.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        for inner in embedded:
            if inner is not None and (problem := address_problem(inner)):
                return f"{problem} ({inner}) in IPv6 form"
    for kind, test in (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("shared (carrier-grade NAT)", address in _SHARED),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("not globally routable", not address.is_global),
    ):
        if test:
            return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} address"
    return None


def resolve(host: str, port: int | None = None) -> list[IPAddress]:
    """Every address `host` resolves to (IP literals in any spelling included), in order.

    Raises OSError (socket.gaierror) when the name does not resolve.
    """
    host = host.strip("[]")
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: dict[IPAddress, None] = {}
    for _family, _type, _proto, _name, sockaddr in infos:
        seen[ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])] = None
    return list(seen)


class AddressPolicy:
    """The addresses one source may fetch from: public ones, plus what it opts into.

    `allow_private` is the source setting `allow_private_addresses`: False (the default) allows
    public addresses only; True allows every address; a list of addresses or networks
    ("127.0.0.1", "10.20.0.0/16") allows just those beside the public ones.
    """

    def __init__(self, allow_private: bool | Iterable[str] = False) -> None:
        self.allow_all = allow_private is True
        self.allowed: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
        if not isinstance(allow_private, bool):
            self.allowed = tuple(parse_networks(allow_private))

    def problem(self, address: IPAddress) -> str | None:
        """What kind of refused address `address` is, or None when this policy allows it."""
        if self.allow_all or any(address in network for network in self.allowed):
            return None
        return address_problem(address)

    def check(self, host: str, addresses: Iterable[IPAddress]) -> None:
        """Raise BlockedAddress if any of `host`'s addresses is refused.

        One refused address refuses the host: a name answering with a public and a private
        address could otherwise be steered inward by the resolver's order.
        """
        for address in addresses:
            problem = self.problem(address)
            if problem:
                if host.strip("[]") == str(address):
                    raise BlockedAddress(f"{address} is {problem}")
                raise BlockedAddress(f"{host} resolves to {address}, {problem}")

    def literal_problem(self, host: str) -> str | None:
        """The refusal of a host written as an IP address in standard notation, None for an
        allowed address or a name (which needs resolving to judge)."""
        try:
            address = ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
        except ValueError:
            return None
        try:
            self.check(host.strip("[]"), [address])
        except BlockedAddress as exc:
            return str(exc)
        return None

    def resolve(self, host: str, port: int | None = None) -> list[IPAddress]:
        """Resolve `host` and return its addresses if the policy allows every one of them.

        Raises BlockedAddress, or OSError when the name does not resolve.
        """
        addresses = resolve(host, port)
        self.check(host, addresses)
        return addresses


def parse_networks(
    values: Iterable[str],
) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Addresses or CIDR networks; a ValueError names the first that is neither."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(str(value).strip(), strict=False))
        except ValueError:
            raise ValueError(f"not an IP address or network: {value!r}") from None
    return networks
