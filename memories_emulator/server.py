"""Run the emulator app under uvicorn, in a background thread or in the foreground.

Example:
    >>> import httpx
    >>> with Emulator() as emu:
    ...     response = httpx.post(
    ...         f"{emu.base_url}/vu/chat/completions",
    ...         headers={"Authorization": "any-key"},
    ...         json={
    ...             "model": "gemini:gemini-2.5-flash",
    ...             "messages": [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}],
    ...         },
    ...     )
    >>> response.status_code, len(emu.requests)
    (200, 1)
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from memories_emulator.app import EmulatorApp, create_app
from memories_emulator.faults import parse_fault
from memories_emulator.script import Reply, Rule, Script
from memories_emulator.state import DEFAULT_MAX_RECORDED, EmulatorState, RecordedRequest

__all__ = ["Emulator"]

_START_TIMEOUT = 5.0
_STOP_TIMEOUT = 5.0


def _counting_protocol(state: EmulatorState) -> type[asyncio.Protocol]:
    """Return uvicorn's h11 protocol, counting each TCP connection it serves.

    h11 is chosen explicitly (not "auto") so the emulator behaves the same whether or not
    httptools is installed.
    """

    class CountingH11Protocol(H11Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            state.note_connection()
            super().connection_made(transport)  # type: ignore[arg-type]

    return CountingH11Protocol


class _EmulatorServer(uvicorn.Server):
    """Uvicorn's server, telling the app when shutdown starts.

    Delayed (slow) answers then end at once and close their connections, so shutdown neither
    waits for them nor cancels them (which uvicorn would log as errors). This covers ``stop()``
    and Ctrl-C alike.
    """

    def __init__(self, config: uvicorn.Config, state: EmulatorState) -> None:
        super().__init__(config)
        self._state = state

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self._state.stopping = True
        await super().shutdown(sockets)


class Emulator:
    """A local memories.ai API server for offline use and tests.

    It runs uvicorn in a daemon thread. ``port=0`` picks a free port; :attr:`base_url` tells
    which. Clients use ``base_url`` as their API base (``/serve/api/v2`` may be appended).

    Args:
        port: TCP port; 0 picks a free one.
        host: Interface to bind.
        api_key: If set, only this key is accepted (others get 401); else any non-empty key.
        fault: A fault spec applied to every chat request (e.g. ``"503;times=2"``).
        latency: Seconds to wait before answering every chat request.
        max_recorded: How many requests :attr:`requests` keeps, the newest (default 1,000).

    Raises:
        FaultSpecError: If ``fault`` cannot be parsed (a ``ValueError``).

    Example:
        >>> with Emulator(api_key="sk-test") as emu:
        ...     emu.base_url.startswith("http://127.0.0.1:")
        True
    """

    def __init__(
        self,
        port: int = 0,
        host: str = "127.0.0.1",
        api_key: str | None = None,
        fault: str | None = None,
        latency: float = 0.0,
        max_recorded: int = DEFAULT_MAX_RECORDED,
    ) -> None:
        self._app = create_app(
            api_key=api_key, fault=fault, latency=latency, max_recorded=max_recorded
        )
        self._host = host
        self._requested_port = port
        self._port: int | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._error: BaseException | None = None

    # ------------------------------------------------------------------ properties

    @property
    def app(self) -> EmulatorApp:
        """The ASGI app being served."""
        return self._app

    @property
    def host(self) -> str:
        """The interface the server binds."""
        return self._host

    @property
    def port(self) -> int:
        """The bound port (known once started).

        Raises:
            RuntimeError: If the emulator is not running.
        """
        if self._port is None:
            raise RuntimeError("the emulator is not running; call start() or use 'with'")
        return self._port

    @property
    def base_url(self) -> str:
        """``http://<host>:<port>``, the base URL to give a client.

        Example:
            >>> with Emulator() as emu:
            ...     emu.base_url == f"http://127.0.0.1:{emu.port}"
            True
        """
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self.port}"

    @property
    def running(self) -> bool:
        """True between :meth:`start` and :meth:`stop`."""
        return self._thread is not None and self._thread.is_alive()

    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of every chat request received since start or :meth:`reset`, oldest first.

        Example:
            >>> with Emulator() as emu:
            ...     emu.requests
            []
        """
        return self._app.emulator_state.requests

    @property
    def connections_opened(self) -> int:
        """TCP connections accepted since start or :meth:`reset` (shows connection reuse)."""
        return self._app.emulator_state.connections_opened

    @property
    def fault(self) -> str | None:
        """The fault spec applied to every chat request; assign a spec or ``None`` to change it.

        Example:
            >>> emu = Emulator()
            >>> emu.fault = "503;times=1"
            >>> emu.fault
            '503;times=1'
        """
        spec = self._app.emulator_state.fault
        return spec.text if spec is not None else None

    @fault.setter
    def fault(self, spec: str | None) -> None:
        self._app.emulator_state.fault = parse_fault(spec) if spec else None

    @property
    def latency(self) -> float:
        """Seconds of delay before every chat answer; assignable."""
        return self._app.emulator_state.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError(f"latency must be >= 0, got {seconds}")
        self._app.emulator_state.latency = seconds

    @property
    def script(self) -> Script:
        """The scripted replies (:mod:`~memories_emulator.script`); see :meth:`queue`."""
        return self._app.emulator_state.script

    def queue(self, *replies: Reply) -> Emulator:
        """Answer the next requests with ``replies``, in order; then answer as usual again.

        Rules made with :meth:`when` are tried first.

        Example:
            >>> from memories_emulator import Reply
            >>> with Emulator() as emu:
            ...     _ = emu.queue(Reply(text="The dog enters at 0:42."), Reply(status=429))
            ...     emu.script.pending
            2
        """
        self.script.queue(*replies)
        return self

    def when(
        self,
        *,
        model: str | None = None,
        prompt: str | re.Pattern[str] | None = None,
        media_url: str | None = None,
    ) -> Rule:
        """A rule for the requests that match; give it replies with ``.reply()`` or ``.always()``.

        ``model`` occurs in the model id, ``prompt`` in the last user message (a string,
        case-insensitive, or a compiled regular expression), ``media_url`` in a media URL.

        Example:
            >>> from memories_emulator import Reply
            >>> with Emulator() as emu:
            ...     emu.when(model="nova", prompt="weather").reply(
            ...         Reply(tool_calls=[{"name": "get_weather", "args": {"city": "Oslo"}}]))
            Rule(model='nova', prompt='weather'; left=1)
        """
        return self.script.when(model=model, prompt=prompt, media_url=media_url)

    def set_video_duration(self, url: str, seconds: float) -> None:
        """Declare the length of the video at ``url``: its generated scenes stay inside it.

        Example:
            >>> Emulator().set_video_duration("https://example.com/talk.mp4", 600)
        """
        self.script.set_video_duration(url, seconds)

    def load_script(self, source: Mapping[str, Any] | str | Path) -> None:
        """Add the replies, rules and video lengths of a JSON script (a mapping or a file path).

        Example:
            >>> emu = Emulator()
            >>> emu.load_script({"queue": [{"text": "hi"}]})
            >>> emu.script.pending
            1
        """
        self.script.load(source)

    def reset(self) -> None:
        """Back to a clean emulator: records, counts, scripted replies and uploads all cleared.

        Recorded requests, ``times=N`` fault counts, the connection count, queued replies,
        rules, declared video lengths and uploaded assets are forgotten; ``fault`` and
        ``latency`` return to the values given to the constructor.

        Example:
            >>> with Emulator() as emu:
            ...     emu.reset()
        """
        self._app.emulator_state.reset()
        self._app.upload_store.clear()

    # ------------------------------------------------------------------ lifecycle

    def _bind(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets whose proto
        # says TCP, and without it every keep-alive response waits ~40 ms for a delayed ACK.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self._host, self._requested_port))
            # Listening before uvicorn starts means early clients queue instead of being refused.
            sock.listen(128)
        except OSError:
            sock.close()
            raise
        self._port = sock.getsockname()[1]
        return sock

    def _make_server(self, sock: socket.socket, *, log_config: Any) -> uvicorn.Server:
        config = uvicorn.Config(
            self._app,
            host=self._host,
            port=sock.getsockname()[1],
            loop="asyncio",
            http=_counting_protocol(self._app.emulator_state),
            ws="none",
            lifespan="off",
            log_level="warning",
            log_config=log_config,
            access_log=False,
            proxy_headers=False,
            timeout_graceful_shutdown=1,
        )
        return _EmulatorServer(config, self._app.emulator_state)

    def _run(self, server: uvicorn.Server, sock: socket.socket) -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:  # reported by start()
            self._error = exc

    def start(self) -> Emulator:
        """Start serving in a daemon thread; return once connections are accepted (<= ~5 s).

        Returns:
            ``self``, so ``emu = Emulator().start()`` works.

        Raises:
            RuntimeError: If the server did not come up in time.
            OSError: If the port cannot be bound.

        Example:
            >>> emu = Emulator().start()
            >>> emu.running
            True
            >>> emu.stop()
        """
        if self.running:
            return self
        self._error = None
        self._app.emulator_state.stopping = False
        sock = self._bind()
        # log_config=None: do not reconfigure the host application's logging.
        server = self._make_server(sock, log_config=None)
        thread = threading.Thread(
            target=self._run,
            args=(server, sock),
            name=f"memories-emulator-{self._port}",
            daemon=True,
        )
        self._server, self._thread, self._socket = server, thread, sock
        thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the emulator did not start: {self._error!r}")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        """Stop the server and wait for its thread (about 0.2 s); safe to call twice.

        Example:
            >>> emu = Emulator().start()
            >>> emu.stop()
            >>> emu.running
            False
        """
        server, thread, sock = self._server, self._thread, self._socket
        self._server = self._thread = self._socket = None
        if server is not None:
            server.should_exit = True
        if thread is not None:
            thread.join(_STOP_TIMEOUT)
            if thread.is_alive() and server is not None:
                server.force_exit = True
                thread.join(_STOP_TIMEOUT)
        if sock is not None:
            sock.close()
        self._port = None

    def environment_lines(self) -> str:
        """The shell lines that point every client in a new shell at this emulator.

        A loopback base URL needs no key, so ``MEMORIES_API_KEY`` is named only when one is
        needed: the emulator was started with ``api_key=`` (its value is not printed), or it
        binds an interface that is not loopback.

        Example:
            >>> with Emulator() as emu:
            ...     print(emu.environment_lines())  # doctest: +ELLIPSIS
            # paste into your shell (a loopback base URL needs no API key):
            export MEMORIES_BASE_URL=http://127.0.0.1:...
        """
        lines = [f"export MEMORIES_BASE_URL={self.base_url}"]
        if self._app.emulator_state.api_key is not None:
            header = "# paste into your shell, with the key given to --api-key:"
            lines.append("export MEMORIES_API_KEY=...")
        elif not _is_loopback(self._host):
            # Clients send no placeholder key to another machine; this server takes any key.
            header = "# paste into your shell (this emulator accepts any non-empty key):"
            lines.append("export MEMORIES_API_KEY=any")
        else:
            header = "# paste into your shell (a loopback base URL needs no API key):"
        return "\n".join([header, *lines])

    def serve_forever(self, *, announce: bool = True) -> None:
        """Serve in the current thread until interrupted (Ctrl-C); used by the CLI.

        Args:
            announce: Print ``memories.ai emulator listening on <base_url>`` once bound.

        Example:
            >>> Emulator(port=8765).serve_forever()  # doctest: +SKIP
            memories.ai emulator listening on http://127.0.0.1:8765
        """
        sock = self._bind()
        server = self._make_server(sock, log_config=uvicorn.config.LOGGING_CONFIG)
        if announce:
            print(f"memories.ai emulator listening on {self.base_url}", flush=True)
            print(self.environment_lines(), flush=True)
        try:
            server.run(sockets=[sock])
        finally:
            sock.close()
            self._port = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.base_url if self._port is not None else "stopped"
        return f"Emulator({where})"


def _is_loopback(host: str) -> bool:
    # The client's own rule (a loopback base URL needs no key), restated: the emulator does not
    # import the client it judges.
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
