"""Folio for integrators' tests: a DocSpace stand-in that starts in a second.

`Emulator` runs one (in this process or as a subprocess) and hands out fresh
portals; `folio.testing.plugin` offers the same as pytest fixtures.
"""

from __future__ import annotations

from folio.testing.emulator import Emulator, EmulatorError, Portal, PortalUser

__all__ = ["Emulator", "EmulatorError", "Portal", "PortalUser"]
