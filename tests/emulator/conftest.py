"""Fixtures: a `folio serve --emulator` subprocess per session, a portal per test."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from folio.testing import Emulator, Portal


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    """A real `folio serve --emulator --ephemeral` process."""
    with Emulator.start("subprocess") as running:
        yield running


@pytest.fixture
def portal(emulator: Emulator) -> Iterator[Portal]:
    """A fresh portal with its owner's key; removed after the test."""
    fresh = emulator.new_portal()
    yield fresh
    if fresh.name in emulator.portal_names():  # unless the test removed it
        fresh.delete()


@pytest.fixture
def owner(portal: Portal) -> Iterator[httpx.Client]:
    """The portal owner's client."""
    with portal.client() as http:
        yield http


@pytest.fixture
def second_portal(emulator: Emulator) -> Iterator[Portal]:
    fresh = emulator.new_portal()
    yield fresh
    fresh.delete()
