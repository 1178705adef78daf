"""The files the public pages share (checklists, the HR page, errors): their styles and the Print button's script."""
from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import Response

router = APIRouter()
STATIC = Path(__file__).resolve().parent / "static" / "pages"
# Starlette adds "; charset=utf-8" to text/ types itself; application/ types name it here.
STATIC_TYPES = {"pages.css": "text/css", "print.js": "application/javascript; charset=utf-8"}


@router.get("/static/{name}", include_in_schema=False)
def page_asset(name: str) -> Response:
    if name not in STATIC_TYPES:  # a fixed list: no path from the request reaches the file system
        return Response("Not found", status_code=404, media_type="text/plain")
    return Response((STATIC / name).read_bytes(), media_type=STATIC_TYPES[name], headers={"Cache-Control": "no-cache"})
