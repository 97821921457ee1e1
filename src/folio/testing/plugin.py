"""pytest fixtures for testing an integration against a Folio emulator.

Installed with Folio (entry point `pytest11`), the plugin only declares fixtures
and options: nothing starts until a test asks for one of them.

- `folio_emulator` (session): the running emulator, started once on a free port.
- `folio_portal`: a fresh portal per test, removed afterwards; `.url` and
  `.api_key` are what the code under test needs.
- `folio_client`: an httpx client authenticated as that portal's owner.

`--folio-mode=inprocess|subprocess` (or the ini option `folio_mode`) chooses where
the emulator runs; in-process is the default and the fastest.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    import httpx

    from folio.testing.emulator import Emulator, Portal

__all__ = ["folio_client", "folio_emulator", "folio_portal"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("folio", "Folio emulator")
    group.addoption(
        "--folio-mode",
        choices=("inprocess", "subprocess"),
        default=None,
        help="Run the Folio emulator in this process or as a subprocess.",
    )
    parser.addini(
        "folio_mode", "Where the Folio emulator runs: inprocess or subprocess."
    )


@pytest.fixture(scope="session")
def folio_emulator(pytestconfig: pytest.Config) -> Iterator[Emulator]:
    """A Folio emulator shared by the session's tests."""
    # Imported here so that a test session that uses no fixture loads nothing.
    from folio.testing.emulator import Emulator

    mode = (
        pytestconfig.getoption("folio_mode")
        or pytestconfig.getini("folio_mode")
        or "inprocess"
    )
    emulator = Emulator.start(mode)
    yield emulator
    emulator.stop()


@pytest.fixture
def folio_portal(folio_emulator: Emulator) -> Iterator[Portal]:
    """A fresh portal for one test, with its owner's API key; removed after."""
    portal = folio_emulator.new_portal()
    yield portal
    portal.delete()


@pytest.fixture
def folio_client(folio_portal: Portal) -> Iterator[httpx.Client]:
    """An httpx client for the test's portal, authenticated as its owner."""
    with folio_portal.client() as client:
        yield client
