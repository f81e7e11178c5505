"""Command line: ``python -m memories_emulator --port 8765``.

Example:
    $ python -m memories_emulator --port 8765 --script replies.json
    memories.ai emulator listening on http://127.0.0.1:8765
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from memories_emulator import EmulatorExtraMissingError
from memories_emulator.faults import FAULT_KINDS, FaultSpecError
from memories_emulator.script import ScriptError

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m memories_emulator",
        description="Serve a local emulator of the memories.ai v2 chat-completions API.",
    )
    parser.add_argument("--port", type=int, default=8765, help="TCP port (0 = any free port)")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind")
    parser.add_argument(
        "--api-key", default=None, help="accept only this key (default: any non-empty key)"
    )
    parser.add_argument(
        "--fault",
        default=None,
        help=f"fault applied to every chat request: {', '.join(FAULT_KINDS)}; add ';times=N'",
    )
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds to wait before every answer"
    )
    parser.add_argument(
        "--script",
        default=None,
        metavar="PATH",
        help="a JSON file of scripted replies, rules and video lengths (docs/EMULATOR.md)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the emulator in the foreground until Ctrl-C.

    Args:
        argv: Arguments without the program name; defaults to ``sys.argv[1:]``.

    Returns:
        The process exit status.

    Example:
        >>> main(["--port", "8765"])  # doctest: +SKIP
        memories.ai emulator listening on http://127.0.0.1:8765
    """
    args = _parser().parse_args(argv)
    try:
        from memories_emulator import Emulator
    except EmulatorExtraMissingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        emulator = Emulator(
            port=args.port,
            host=args.host,
            api_key=args.api_key,
            fault=args.fault,
            latency=args.latency,
        )
        if args.script is not None:
            emulator.load_script(args.script)
    except (FaultSpecError, ScriptError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        emulator.serve_forever()
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
