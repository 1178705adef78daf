"""Checklist pages: the printable page and PDF of one checklist, HR batches, and creation by HR tools."""
from __future__ import annotations

from typing import List, Literal, Optional

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Extra, conlist, constr

from bot.db.uow import UnitOfWork
from bot.domain.checklist import LABEL_MAX, Checklist, Profile, check_profile, resolve_country_value
from bot.domain.wording import format_date
from bot.kb.base import KnowledgeBase
from bot.services import clock
from bot.services.checklists import (
    MAX_BATCH, checklist_link, get_checklist, get_checklists, save_checklist,
)
from bot.web.checklists_pdf import checklists_pdf
from bot.web.hardening.json_body import StrictJsonRoute

# JSON bodies are read strictly: not UTF-8, invalid Unicode, too deep or not an object is a 400
router = APIRouter(route_class=StrictJsonRoute)
# A comma-separated list of up to MAX_BATCH ids of 16 characters: anything longer is refused unread.
BATCH_QUERY_MAX = MAX_BATCH * 17 + 16


class ProfileIn(BaseModel):
    """The JSON body of POST /checklists. null (or leaving a field out) means "not sure"."""

    services: conlist(constr(strip_whitespace=True, min_length=1, max_length=64), min_items=1, max_items=10)
    location: Optional[Literal["outside_china", "inside_china"]] = None
    category: Optional[Literal["A", "B", "C"]] = None
    degree_country: Optional[constr(strip_whitespace=True, max_length=80)] = None
    record_country: Optional[constr(strip_whitespace=True, max_length=80)] = None
    family: Optional[conlist(Literal["spouse", "child"], max_items=2)] = None
    employer_change: Optional[bool] = None
    first_application: Optional[bool] = None
    label: Optional[constr(strip_whitespace=True, max_length=LABEL_MAX)] = None

    class Config:
        extra = Extra.forbid


def knowledge_base(request: Request) -> KnowledgeBase:
    return request.app.state.knowledge.get().kb


def unit_of_work(request: Request) -> UnitOfWork:
    return request.app.state.uow_factory()


@router.post("/checklists", status_code=201)
def create_checklist(body: ProfileIn, request: Request, kb: KnowledgeBase = Depends(knowledge_base),
                     uow: UnitOfWork = Depends(unit_of_work)) -> dict:
    """Save a profile (for HR tools); the same profile always gives the same id and links."""
    fields = body.dict()
    for name in ("degree_country", "record_country"):
        fields[name] = resolve_country_value(kb, fields[name])
    fields["family"] = None if fields["family"] is None else set(fields["family"])
    profile = check_profile(kb, Profile(**fields))
    new_id = save_checklist(uow, profile)
    url = checklist_link(request.app.state.settings, new_id)
    return {"id": new_id, "url": url, "pdf_url": url + ".pdf"}


# Batch routes come first: "/checklists/{id}" would otherwise take "batch" for an id.
@router.get("/checklists/batch", response_class=HTMLResponse)
def batch_page(request: Request, ids: str = Query(..., max_length=BATCH_QUERY_MAX),
               kb: KnowledgeBase = Depends(knowledge_base), uow: UnitOfWork = Depends(unit_of_work)):
    wanted = _split(ids)
    found = get_checklists(uow, kb, wanted, _today(request))
    return _page(request, "checklists_batch.html", found, pdf_url="batch.pdf?ids=" + ",".join(wanted),
                 title=f"Document checklists for {len(found)} employee{'s' if len(found) != 1 else ''}")


@router.get("/checklists/batch.pdf")
def batch_pdf(request: Request, ids: str = Query(..., max_length=BATCH_QUERY_MAX),
              kb: KnowledgeBase = Depends(knowledge_base), uow: UnitOfWork = Depends(unit_of_work)):
    found = get_checklists(uow, kb, _split(ids), _today(request))
    return _pdf(checklists_pdf(found, "Document checklists"), f"checklists-{len(found)}-employees.pdf")


@router.get("/checklists/{checklist_id}.pdf")
def checklist_pdf(request: Request, checklist_id: str, kb: KnowledgeBase = Depends(knowledge_base),
                  uow: UnitOfWork = Depends(unit_of_work)):
    found = get_checklist(uow, kb, checklist_id, _today(request))
    return _pdf(checklists_pdf([found], found.title), f"checklist-{checklist_id}.pdf")


@router.get("/checklists/{checklist_id}", response_class=HTMLResponse)
def checklist_page(request: Request, checklist_id: str, kb: KnowledgeBase = Depends(knowledge_base),
                   uow: UnitOfWork = Depends(unit_of_work)):
    found = get_checklist(uow, kb, checklist_id, _today(request))
    return _page(request, "checklist.html", [found], pdf_url=f"{checklist_id}.pdf", title=found.title)


def _today(request: Request):
    return clock.today(request.app.state.settings)


def _split(ids: str) -> List[str]:
    return list(dict.fromkeys(part.strip() for part in ids.split(",") if part.strip()))


def _page(request: Request, template: str, found: List[Checklist], pdf_url: str, title: str) -> HTMLResponse:
    html = request.app.state.templates.get_template(template).render(
        checklists=found, title=title, pdf_url=pdf_url, format_date=format_date)
    return HTMLResponse(html)


def _pdf(content: bytes, filename: str) -> Response:
    return Response(content, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})
