"""The deployment guide names every setting and every command an operator has."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click
import pytest

from folio.cli.main import main
from folio.config import Settings

DEPLOY = Path(__file__).parent.parent / "docs" / "deploy.md"


def _commands(group: click.Group, prefix: str = "folio") -> list[str]:
    found = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += _commands(command, f"{prefix} {name}")
        else:
            found.append(f"{prefix} {name}")
    return found


@pytest.mark.parametrize(
    "name", [f"FOLIO_{field.name.upper()}" for field in dataclasses.fields(Settings)]
)
def test_deploy_guide_documents_every_setting(name: str) -> None:
    assert f"`{name}`" in DEPLOY.read_text()


@pytest.mark.parametrize("flag", ["--no-migrate", "--data-dir", "--public-url"])
def test_deploy_guide_documents_the_serve_flags_it_relies_on(flag: str) -> None:
    assert f"`{flag}`" in DEPLOY.read_text()


def test_deploy_guide_names_the_commands_of_operators() -> None:
    text = DEPLOY.read_text()

    for command in _commands(main):
        if command.startswith(("folio db", "folio copy-to", "folio serve")):
            assert f"`{command}" in text, command
