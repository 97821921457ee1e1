"""Per-user file settings: GET /files/settings, Trash auto-cleanup, the toggles."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from folio.api.context import base_url, caller, space
from folio.api.requests import json_body, optional_bool
from folio.api.responses import success
from folio.api.wire import Json, autocleanup_dto
from folio.domain.cleanup import CleanupGap
from folio.domain.kinds import FileKind, extensions_of
from folio.domain.listing import SortBy
from folio.errors import ValidationFailed

__all__ = ["routes"]

#: How many chunks DocSpace's clients send at once.
MAX_UPLOAD_THREADS = 15

_KIND_LISTS = {
    "extsArchive": FileKind.ARCHIVE,
    "extsVideo": FileKind.VIDEO,
    "extsAudio": FileKind.AUDIO,
    "extsImage": FileKind.IMAGE,
    "extsSpreadsheet": FileKind.SPREADSHEET,
    "extsPresentation": FileKind.PRESENTATION,
    "extsDocument": FileKind.DOCUMENT,
    "extsDiagram": FileKind.DIAGRAM,
}


async def files_settings(request: Request) -> Response:
    """FilesSettingsDto: the caller's settings and what the server can do."""
    who = await caller(request)
    app_space = space(request)
    toggles = await app_space.preferences.toggles(who)
    cleanup = await app_space.preferences.autocleanup(who)
    base = base_url(request)
    sort_by = SortBy.from_wire(who.user.sort_by or "") or SortBy.DATE_AND_TIME
    ascending = who.user.sort_order == 0
    dto: Json = {name: list(extensions_of(kind)) for name, kind in _KIND_LISTS.items()}
    dto.update(
        {
            "extsImagePreviewed": list(extensions_of(FileKind.IMAGE)),
            "extsMediaPreviewed": [],
            "extsWebPreviewed": [],
            "extsWebEdited": [],
            "extsWebEncrypt": [],
            "extsWebReviewed": [],
            "extsWebCustomFilterEditing": [],
            "extsWebRestrictedEditing": [],
            "extsWebCommented": [],
            "extsWebTemplate": [],
            "extsMustConvert": [],
            "extsConvertible": {},
            "extsUploadable": [],
            "internalFormats": {
                "Document": ".docx",
                "Spreadsheet": ".xlsx",
                "Presentation": ".pptx",
                "Pdf": ".pdf",
            },
            "masterFormExtension": ".docxf",
            "paramVersion": "version",
            "paramOutType": "outputtype",
            "fileDownloadUrlString": (
                f"{base}/filehandler.ashx?action=download&fileid={{0}}"
            ),
            "fileWebViewerUrlString": f"{base}/doceditor?fileid={{0}}&action=view",
            "fileWebEditorUrlString": f"{base}/doceditor?fileid={{0}}",
            "confirmDelete": True,
            "enableThirdParty": False,
            "externalShare": False,
            "externalShareSocialMedia": False,
            "storeOriginalFiles": toggles["storeOriginalFiles"],
            "keepNewFileName": toggles["keepNewFileName"],
            "displayFileExtension": toggles["displayFileExtension"],
            "convertNotify": True,
            "hideConfirmCancelOperation": False,
            "hideConfirmConvertSave": False,
            "hideConfirmConvertOpen": False,
            "hideConfirmRoomLifetime": False,
            "defaultOrder": {"is_asc": ascending, "property": int(sort_by)},
            "forcesave": toggles["forcesave"],
            "storeForcesave": toggles["storeForcesave"],
            "recentSection": toggles["recentSection"],
            "favoritesSection": True,
            "templatesSection": False,
            "downloadTarGz": False,
            "automaticallyCleanUp": autocleanup_dto(cleanup),
            "canSearchByContent": False,
            "defaultSharingAccessRights": [],
            "maxUploadThreadCount": MAX_UPLOAD_THREADS,
            "chunkUploadSize": app_space.settings.chunk_size,
            "openEditorInSameTab": toggles["openEditorInSameTab"],
        }
    )
    return success(request, dto)


async def get_autocleanup(request: Request) -> Response:
    who = await caller(request)
    cleanup = await space(request).preferences.autocleanup(who)
    return success(request, autocleanup_dto(cleanup))


async def set_autocleanup(request: Request) -> Response:
    """Store {set, gap}; with no body DocSpace stores "off" and answers it."""
    who = await caller(request)
    body = await json_body(request, required=False)
    raw_gap = body.get("gap")
    gap = None
    if raw_gap is not None:
        text = str(raw_gap).strip()
        if isinstance(raw_gap, bool) or not (
            text.isdigit() and int(text) in CleanupGap._value2member_map_
        ):
            names = {m.name.replace("_", "").lower(): m for m in CleanupGap}
            if text.lower() not in names:
                raise ValidationFailed(
                    {"gap": [f"The value '{raw_gap}' is not valid."]}
                )
            gap = names[text.lower()]
        else:
            gap = CleanupGap(int(text))
    cleanup = await space(request).preferences.set_autocleanup(
        who, optional_bool(body, "set"), gap
    )
    return success(request, autocleanup_dto(cleanup))


def _toggle(
    name: str, *, flips: bool = False
) -> Callable[[Request], Awaitable[Response]]:
    """An endpoint that sets one toggle from {set} (or flips it, with no value)."""

    async def endpoint(request: Request) -> Response:
        who = await caller(request)
        body = await json_body(request, required=False)
        if "set" in body and body.get("set") is not None:
            value: bool | None = optional_bool(body, "set")
        else:
            value = None if flips else False
        stored = await space(request).preferences.set_toggle(who, name, value)
        return success(request, stored)

    return endpoint


routes = [
    Route("/api/2.0/files/settings", files_settings, methods=["GET"]),
    Route("/api/2.0/files/settings/autocleanup", get_autocleanup, methods=["GET"]),
    Route("/api/2.0/files/settings/autocleanup", set_autocleanup, methods=["PUT"]),
    Route(
        "/api/2.0/files/storeoriginal",
        _toggle("storeOriginalFiles"),
        methods=["PUT"],
    ),
    Route("/api/2.0/files/displayrecent", _toggle("recentSection"), methods=["PUT"]),
    Route(
        "/api/2.0/files/displayfileextension",
        _toggle("displayFileExtension"),
        methods=["PUT"],
    ),
    Route(
        "/api/2.0/files/keepnewfilename", _toggle("keepNewFileName"), methods=["PUT"]
    ),
    Route(
        "/api/2.0/files/settings/openeditorinsametab",
        _toggle("openEditorInSameTab"),
        methods=["PUT"],
    ),
    Route(
        "/api/2.0/files/forcesave", _toggle("forcesave", flips=True), methods=["PUT"]
    ),
    Route(
        "/api/2.0/files/storeforcesave",
        _toggle("storeForcesave", flips=True),
        methods=["PUT"],
    ),
]
