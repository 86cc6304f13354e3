"""The one HTTP client of a run: pooled, cookie-less, resolving and vetting every address itself."""

from __future__ import annotations

import asyncio
import http.cookiejar
import socket
import ssl
import typing
import urllib.request

import httpcore
import httpx

from briefgen.linkcheck.config import CheckConfig
from briefgen.linkcheck.safety import address_refusal


class NameNotResolved(Exception):
    """The host name has no address (DNS said no, or could not be asked)."""

    def __init__(self, host: str, detail: str) -> None:
        super().__init__(f"host name {host!r} does not resolve ({detail})")
        self.host = host


class AddressRefused(Exception):
    """The host resolves to an address the checker will not connect to."""

    def __init__(self, host: str, reason: str) -> None:
        super().__init__(f"refused to connect to {host!r}: {reason}")
        self.host = host
        self.reason = reason


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolve host names here, refuse private addresses, then connect to the vetted address.

    Connecting to the very address that was vetted closes the DNS-rebinding gap that a check
    before ``httpx`` resolves again would leave. Every redirect hop to a new host opens a new
    connection, so every hop is vetted. TLS still verifies the original host name, because
    httpcore passes it as ``server_hostname``.
    """

    def __init__(
        self,
        *,
        allow_private: bool,
        before_connect: typing.Callable[[], typing.Awaitable[None]] | None = None,
    ) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._allow_private = allow_private
        self._resolved: dict[tuple[str, int], list[str]] = {}
        self._before_connect = before_connect

    async def _resolve(self, host: str, port: int, timeout: float | None) -> list[str]:
        key = (host, port)
        if key in self._resolved:
            return self._resolved[key]
        loop = asyncio.get_running_loop()
        try:
            infos = await asyncio.wait_for(
                loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), timeout
            )
        except (socket.gaierror, UnicodeError) as exc:
            raise NameNotResolved(host, str(exc)) from exc
        except TimeoutError as exc:
            raise NameNotResolved(host, "DNS timed out") from exc
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        self._resolved[key] = addresses
        return addresses

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Open a TCP connection to a vetted address of ``host``."""
        addresses = await self._resolve(host.strip("[]"), port, timeout)
        if not self._allow_private:
            for address in addresses:
                # One bad address is enough to refuse: DNS may hand out either.
                if (reason := address_refusal(address)) is not None:
                    raise AddressRefused(host, reason)
        if self._before_connect is not None:
            await self._before_connect()
        error: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as exc:
                error = exc
        assert error is not None
        raise error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Refuse Unix sockets: a cited URL never needs one."""
        raise AddressRefused(path, "Unix sockets are never used")

    async def sleep(self, seconds: float) -> None:
        """Sleep, as the wrapped backend does."""
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with one connection pool per origin, each on :class:`GuardedBackend`."""

    def __init__(self, config: CheckConfig, ssl_context: ssl.SSLContext) -> None:
        super().__init__(verify=ssl_context, trust_env=False)
        self._pool = PoolPerOrigin(config, ssl_context)  # type: ignore[assignment]


_Origin = tuple[bytes, bytes, int | None]


class PoolPerOrigin:
    """A small httpcore pool for each origin, sized to the host's concurrency.

    One pool for the whole run scans every connection it holds, for every request it places
    (httpcore's ``_assign_requests_to_connections``): with 128 connections over 20 hosts that
    scan was most of the checker's CPU time. A pool per origin scans only that host's few.

    A pool closes its idle connections only when it is used again, so over many hosts the idle
    ones would pile up (300 hosts, 600 file descriptors) until the process ran out of them and
    live URLs failed to connect. So before opening a connection, when ``max_concurrency``
    connections are already open, the pools with no request under way are closed, least
    recently used first.
    """

    def __init__(self, config: CheckConfig, ssl_context: ssl.SSLContext) -> None:
        self._config = config
        self._ssl_context = ssl_context
        self._backend = GuardedBackend(
            allow_private=config.allow_private, before_connect=self._make_room
        )
        self._pools: dict[_Origin, httpcore.AsyncConnectionPool] = {}
        self._in_use: dict[_Origin, int] = {}
        """Requests under way (answer not yet closed) per origin."""
        self._idle: dict[_Origin, None] = {}
        """Origins with no request under way, least recently used first."""

    async def _make_room(self) -> None:
        """Close idle pools, oldest first, until a new connection keeps the total in bounds."""
        open_now = sum(len(pool.connections) for pool in self._pools.values())
        while open_now > self._config.max_concurrency and self._idle:
            origin = next(iter(self._idle))
            del self._idle[origin]
            pool = self._pools.pop(origin, None)
            if pool is not None:
                open_now -= len(pool.connections)
                await pool.aclose()

    def _pool_for(self, url: httpcore.URL) -> httpcore.AsyncConnectionPool:
        key = (url.scheme, url.host, url.port)
        pool = self._pools.get(key)
        if pool is None:
            host = url.host.decode("ascii", "replace").lower()
            concurrency = self._config.for_host(host)[0]
            pool = self._pools[key] = httpcore.AsyncConnectionPool(
                ssl_context=self._ssl_context,
                max_connections=concurrency,
                max_keepalive_connections=concurrency,
                keepalive_expiry=15.0,
                network_backend=self._backend,
            )
        return pool

    async def handle_async_request(self, request: httpcore.Request) -> httpcore.Response:
        """Send ``request`` through its origin's pool."""
        origin = (request.url.scheme, request.url.host, request.url.port)
        pool = self._pool_for(request.url)
        self._idle.pop(origin, None)
        self._in_use[origin] = self._in_use.get(origin, 0) + 1
        try:
            response = await pool.handle_async_request(request)
        except BaseException:
            self._release(origin)
            raise
        stream = typing.cast(typing.AsyncIterable[bytes], response.stream)
        return httpcore.Response(
            status=response.status,
            headers=response.headers,
            content=_ReleasedOnClose(stream, lambda: self._release(origin)),
            extensions=response.extensions,
        )

    def _release(self, origin: _Origin) -> None:
        """A request to ``origin`` is over: once none is left, its pool may be closed."""
        left = self._in_use[origin] = self._in_use[origin] - 1
        if left <= 0:
            del self._in_use[origin]
            self._idle[origin] = None

    async def aclose(self) -> None:
        """Close every pool."""
        pools, self._pools, self._idle = list(self._pools.values()), {}, {}
        for pool in pools:
            await pool.aclose()

    async def __aenter__(self) -> PoolPerOrigin:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class _ReleasedOnClose:
    """An answer's body that tells its pool's keeper, once, when it is closed."""

    def __init__(self, stream: typing.AsyncIterable[bytes], release: typing.Callable[[], None]):
        self._stream = stream
        self._release: typing.Callable[[], None] | None = release

    async def __aiter__(self) -> typing.AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        """Close the body (freeing its connection), then release the request."""
        try:
            close = getattr(self._stream, "aclose", None)
            if close is not None:
                await close()
        finally:
            release, self._release = self._release, None
            if release is not None:
                release()


def make_ssl_context(config: CheckConfig) -> ssl.SSLContext:
    """Build the TLS context: the system's trust store plus ``ca_bundle`` if configured."""
    context = ssl.create_default_context()
    try:
        import certifi

        context.load_verify_locations(certifi.where())
    except ImportError:  # pragma: no cover - certifi comes with httpx
        pass
    if config.ca_bundle is not None:
        context.load_verify_locations(str(config.ca_bundle))
    return context


def make_client(config: CheckConfig) -> httpx.AsyncClient:
    """Create the run's client: no cookies kept, no proxies or netrc from the environment."""
    return httpx.AsyncClient(
        transport=GuardedTransport(config, make_ssl_context(config)),
        headers={"User-Agent": config.user_agent, "Accept": "*/*"},
        timeout=httpx.Timeout(config.timeout, connect=config.connect_timeout),
        follow_redirects=False,
        trust_env=False,
        # httpx copies an ``httpx.Cookies`` into a fresh, ordinary jar, but keeps a
        # ``CookieJar`` as given: so the jar itself must refuse to hold anything.
        cookies=NoCookieJar(),
    )


class NoCookieJar(http.cookiejar.CookieJar):
    """A cookie jar that never stores a cookie, so nothing is ever sent back to any server.

    A cited host's ``Set-Cookie`` would otherwise follow every later request to that host (and
    a tracking cookie would tie the runs of one CI together).
    """

    def set_cookie(self, cookie: http.cookiejar.Cookie) -> None:
        """Drop the cookie."""

    def extract_cookies(self, response: typing.Any, request: urllib.request.Request) -> None:
        """Drop the response's cookies."""

    def add_cookie_header(self, request: urllib.request.Request) -> None:
        """Send no Cookie header."""
