"""``python -m memories_client.probes``: see :mod:`memories_client.probes.cli`."""

from __future__ import annotations

import sys

from memories_client.probes.cli import main

sys.exit(main())
