"""Refuse requests a remote site should not be able to make us send.

A sitemap, feed, robots.txt or redirect names the next URL, so a hostile or broken
site can point the crawler at ``file:///etc/passwd``, ``file:///dev/zero``, the
cloud metadata service (169.254.169.254) or a service on the crawler's own
network. `AddressGuardMiddleware` refuses, before anything is sent:

* every scheme but http and https (stats ``downloader/refused/scheme``);
* every host that is, or resolves to, an address that is not globally routable:
  private, loopback, link-local, multicast, reserved, shared or unspecified
  (``downloader/refused/private_address``), unless CRAWL_ALLOW_PRIVATE_ADDRESSES.

Hosts in CRAWL_REROUTED_HOSTS are let through: the fixture hosts of the
local-sites mode, which its download handler sends to a loopback server (the
local-sites add-on fills the list).
Behind an HTTP(S) proxy (environment variables) names are not resolved here.

The address is checked here and the connection resolves the name again, so a DNS
server that answers differently the second time (rebinding) is not stopped here.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from urllib.parse import urlsplit
from urllib.request import getproxies

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from twisted.internet.error import DNSLookupError

logger = logging.getLogger(__name__)

ALLOWED_SCHEMES = frozenset({"http", "https"})
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def address_refusal(address: IPAddress) -> str | None:
    """Why a crawl may not connect to ``address`` ('loopback', 'private', ...), else None."""
    if isinstance(address, ipaddress.IPv6Address):
        # ::ffff:127.0.0.1 and 64:ff9b::7f00:1 reach the IPv4 address inside.
        inner = address.ipv4_mapped or address.sixtofour
        if inner is not None:
            return address_refusal(inner)
    for kind in ("loopback", "link_local", "multicast", "unspecified", "reserved", "private"):
        if getattr(address, f"is_{kind}"):
            return kind
    if not address.is_global:  # 100.64.0.0/10 (carrier NAT) and other special ranges
        return "not_global"
    return None


class AddressGuardMiddleware:
    """Downloader middleware: refuses non-http(s) URLs and non-public addresses."""

    def __init__(
        self,
        crawler: Crawler,
        allow_private: bool,
        exempt_hosts: frozenset[str],
        proxied: bool = False,
    ):
        self.crawler = crawler
        self.allow_private = allow_private
        self.exempt_hosts = exempt_hosts
        # Behind an HTTP(S) proxy the proxy resolves names (this machine may have no
        # DNS at all): only address literals and localhost are judged here.
        self.proxied = proxied
        # host -> refusal reason ('' = fine), for the crawl's lifetime.
        self._verdicts: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AddressGuardMiddleware:
        settings = crawler.settings
        proxied = settings.getbool("HTTPPROXY_ENABLED") and bool(
            {"http", "https"} & set(getproxies())
        )
        return cls(
            crawler,
            settings.getbool("CRAWL_ALLOW_PRIVATE_ADDRESSES"),
            frozenset(settings.getlist("CRAWL_REROUTED_HOSTS")),
            proxied,
        )

    async def process_request(self, request: Request) -> None:
        parts = urlsplit(request.url)
        scheme = parts.scheme.lower()
        if scheme not in ALLOWED_SCHEMES:
            self.refuse(request, "scheme", f"scheme {scheme or '(none)'} is not http(s)")
        host = (parts.hostname or "").rstrip(".")
        if not host:
            self.refuse(request, "no_host", "no host")
        if self.allow_private or host in self.exempt_hosts:
            return
        verdict = self._verdicts.get(host)
        if verdict is None:
            verdict = await self.judge(host, parts.port or (443 if scheme == "https" else 80))
            self._verdicts[host] = verdict
        if verdict:
            self.refuse(request, "private_address", f"{host} is {verdict}")

    async def judge(self, host: str, port: int) -> str:
        """'' when every address of ``host`` is public, else what the first bad one is."""
        try:
            addresses = [ipaddress.ip_address(host)]
        except ValueError:
            if host == "localhost" or host.endswith(".localhost"):
                return "loopback (localhost)"
            if self.proxied:
                return ""
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(
                    host, port, type=socket.SOCK_STREAM
                )
            except (OSError, UnicodeError) as exc:
                # As the download handler would fail: retried, then the errback.
                raise DNSLookupError(f"{host}: {exc}") from exc
            addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
        for address in addresses:
            reason = address_refusal(address)
            if reason:
                return f"{reason} ({address})"
        return ""

    def refuse(self, request: Request, reason: str, detail: str) -> None:
        self.crawler.stats.inc_value(f"downloader/refused/{reason}")
        logger.warning("refused %.200s: %s", request.url, detail)
        raise IgnoreRequest(f"refused: {detail}")
