"""Checklists as a printable PDF (reportlab platypus): one section per checklist, a page break between."""
from __future__ import annotations

import re
from io import BytesIO
from typing import List, Sequence
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Flowable, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from bot.domain.checklist import Checklist, ChecklistItem
from bot.domain.wording import format_date

# Helvetica only covers Windows-1252; Chinese names (labels, zh service names) switch to a CID font
# that every PDF viewer provides, so no font file has to ship.
CJK_FONT = "STSong-Light"
AUTHOR = "Beijing E-Town permits assistant"
MARGIN = 16 * mm
_NOT_CP1252 = re.compile(r"[^\x00-\xff\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u20ac]+")


class _CheckBox(Flowable):
    """An empty square to tick on paper."""

    def __init__(self, size: float = 3.8 * mm):
        super().__init__()
        self.width = self.height = size

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def draw(self) -> None:
        self.canv.setLineWidth(0.8)
        self.canv.rect(0, 0, self.width, self.height)


def checklists_pdf(checklists: Sequence[Checklist], title: str) -> bytes:
    """A PDF with every checklist in ``checklists``; each starts on a new page."""
    _register_fonts()
    buffer = BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=title, author=AUTHOR, leftMargin=MARGIN,
                            rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN + 4 * mm)
    styles = _styles()
    story: List[Flowable] = []
    for n, checklist in enumerate(checklists):
        if n:
            story.append(PageBreak())
        story += _section(checklist, styles, doc.width)
    generated = format_date(checklists[0].generated_on) if checklists else ""

    def footer(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(colors.grey)
        canvas.drawString(MARGIN, MARGIN - 2 * mm, f"{AUTHOR} - generated {generated}")
        canvas.drawRightString(A4[0] - MARGIN, MARGIN - 2 * mm, f"Page {document.page}")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _section(c: Checklist, s: dict, width: float) -> List[Flowable]:
    heading = (f"{c.profile.label}: " if c.profile.label else "") + c.title
    out: List[Flowable] = [Paragraph(_m(heading), s["title"])]
    meta = f"Generated {format_date(c.generated_on)}"
    if c.last_reviewed:
        meta += f" - sources last reviewed {format_date(c.last_reviewed)}"
    out.append(Paragraph(_m(meta), s["small"]))
    rows = [[Paragraph(_m(q), s["bold"]), Paragraph(_m(a), s["body"])] for q, a in c.summary]
    summary = Table(rows, colWidths=[55 * mm, width - 55 * mm])
    summary.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f2f5f9")),
                                 ("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                                 ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)]))
    out += [Spacer(1, 3 * mm), summary, Spacer(1, 2 * mm)]
    out += [Paragraph(_m(note), s["note"]) for note in c.notes]
    for group in c.groups:
        out.append(Paragraph(_m(group.title), s["h2"]))
        out += [_item(item, s, width) for item in group.items]
    if not c.items:
        out.append(Paragraph("My sources list no documents for this profile.", s["body"]))
    if c.uncertain:
        out.append(Paragraph("Not confirmed", s["h2"]))
        out += [Paragraph(_m("- " + doubt), s["uncertain"]) for doubt in c.uncertain]
    out.append(Paragraph("Sources", s["h2"]))
    out += [Paragraph(_link(url), s["small"]) for url in c.sources]
    closing = "Rules change: confirm with the hall or the hotline 12367 before you submit."
    if c.last_reviewed:
        closing = f"Last reviewed {format_date(c.last_reviewed)}. " + closing
    out.append(Paragraph(_m(closing), s["small"]))
    return out


def _item(item: ChecklistItem, s: dict, width: float) -> Table:
    body: List[Flowable] = [Paragraph(f"<b>{item.number}. {_m(item.name)}</b>", s["body"])]
    if item.if_applies:
        body.append(Paragraph('<font color="#8a6100"><b>IF IT APPLIES TO YOU</b></font> - only if '
                              + _m(" and ".join(item.conditions)), s["body"]))
    if item.shared:
        body.append(Paragraph(_m("Serves: " + "; ".join(item.service_names)), s["small"]))
    body += [Paragraph(_m(detail), s["bullet"], bulletText="\u2022") for detail in item.details]
    if item.authentication:
        body.append(Paragraph("<b>" + _m(item.authentication.text) + "</b>", s["bullet"], bulletText="\u2022"))
    body += [Paragraph(_m(note), s["small"]) for note in item.notes]
    body += [Paragraph("<b>Not confirmed:</b> " + _m(doubt), s["uncertain"]) for doubt in item.uncertain]
    body.append(Paragraph("Source: " + " ; ".join(_link(url) for url in item.sources), s["small"]))
    row = Table([[_CheckBox(), body]], colWidths=[8 * mm, width - 8 * mm])
    row.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                             ("TOPPADDING", (0, 0), (0, 0), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                             ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.lightgrey)]))
    return row


def _styles() -> dict:
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["BodyText"], fontName="Helvetica", fontSize=9.5, leading=12.5,
                          spaceBefore=0, spaceAfter=1.5)
    return {
        "title": ParagraphStyle("title", parent=base["Title"], fontSize=15, leading=19, alignment=0, spaceAfter=2),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontSize=12, leading=15, spaceBefore=8, spaceAfter=4,
                             keepWithNext=1),
        "body": body,
        "bold": ParagraphStyle("bold", parent=body, fontName="Helvetica-Bold"),
        "bullet": ParagraphStyle("bullet", parent=body, leftIndent=9, bulletIndent=1),
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10, textColor=colors.HexColor("#444444")),
        "note": ParagraphStyle("note", parent=body, backColor=colors.HexColor("#e9f1fc"), borderPadding=3,
                               spaceBefore=3, spaceAfter=5),
        "uncertain": ParagraphStyle("uncertain", parent=body, textColor=colors.HexColor("#9b2214")),
    }


def _m(text: str) -> str:
    """Paragraph markup for plain text: escaped, with non-Latin runs set in the CJK font."""
    return _NOT_CP1252.sub(lambda run: f'<font name="{CJK_FONT}">{run.group(0)}</font>', escape(text))


def _link(url: str) -> str:
    return f'<a href="{escape(url, {chr(34): "&quot;"})}" color="#1d4f91">{escape(url)}</a>'


def _register_fonts() -> None:
    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
