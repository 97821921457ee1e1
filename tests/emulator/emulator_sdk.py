"""ONLYOFFICE's SDK, pointed at one portal of the emulator."""

from __future__ import annotations

import docspace_api_sdk as sdk

from folio.testing import Portal


def sdk_client(portal: Portal, key: str | None = None) -> sdk.ApiClient:
    """ONLYOFFICE's SDK pointed at a portal: the key, and the Origin naming it."""
    configuration = sdk.Configuration(host=portal.url)
    client = sdk.ApiClient(
        configuration,
        header_name="Authorization",
        header_value=f"Bearer {key or portal.api_key}",
    )
    client.set_default_header("Origin", portal.origin)
    return client
