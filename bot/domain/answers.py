"""Answers to permit questions, rendered from knowledge-base models. Pure: no I/O."""
from __future__ import annotations

from typing import List, Optional

from bot.domain.topics import Topic, alternatives
from bot.domain.wording import Answer, AnswerBuilder, Button, caveat
from bot.kb.base import KnowledgeBase
from bot.kb.contacts_schema import Hall
from bot.kb.schema import Material, Service

PROVIDED_BY = {"applicant": "from you", "employer": "from the employer", "third_party": "from a third party"}
FORM = {
    "original": "original",
    "copy": "copy",
    "original_and_copy": "original and a copy",
    "upload": "scanned and uploaded",
    "online": "filled in online",
}
TOPIC_BUTTONS = [
    (Topic.MATERIALS, "Documents", "/ask_materials"),
    (Topic.PROCESSING_TIME, "Processing time", "/ask_processing_time"),
    (Topic.FEES, "Fees", "/ask_fees"),
    (Topic.WHERE, "Where to apply", "/ask_where"),
    (Topic.DEADLINES, "Deadlines", "/ask_deadlines"),
]


def answer(kb: KnowledgeBase, topic: Topic, service_id: Optional[str], assumed: bool = False,
           hall_id: Optional[str] = None) -> Answer:
    """The general answer to ``topic`` for a service (or a hall), ending with its sources."""
    if topic is Topic.HOTLINES:
        return hotlines(kb)
    if topic is Topic.WHERE and hall_id:
        return hall_answer(kb.halls[hall_id])
    if service_id is None:
        return overview_of_services(kb)
    service = kb.service(service_id)
    render = {
        Topic.MATERIALS: _materials,
        Topic.PROCESSING_TIME: _processing_time,
        Topic.FEES: _fees,
        Topic.VALIDITY: _validity,
        Topic.DEADLINES: _deadlines,
        Topic.ELIGIBILITY: _eligibility,
        Topic.WHERE: _where,
        Topic.OVERVIEW: _overview,
    }[topic]
    builder = render(kb, service)
    builder.reviewed(service.last_reviewed).source(service.source_url)
    buttons: List[Button] = []
    if assumed:
        builder.add(
            f"You didn't say which permit, so this is for the {service.names.en}, the most common case. "
            "Tell me if you meant another one:"
        )
        buttons = [Button(kb.service(s).names.en, f'/inform{{"service":"{s}"}}')
                   for s in alternatives(service.id) if s in kb.services][:3]
    else:
        buttons = [Button(title, payload) for t, title, payload in TOPIC_BUTTONS if t is not topic][:3]
    return Answer(builder.text(), buttons, service.id, topic.value)


def _heading(service: Service, what: str) -> str:
    return f"{what} — {service.names.en}" + (f" ({service.names.zh})" if service.names.zh else "") + ":"


def describe_material(material: Material, number: int) -> str:
    """One numbered checklist line with who provides it, its form and its format rules."""
    details = material_details(material)
    text = (f"{number}. {material.name} ({PROVIDED_BY[material.provided_by]}, {FORM[material.form]})"
            + (": " + "; ".join(details) if details else "") + ".")
    if material.note:
        text += " " + material.note.rstrip(".") + "."
    return text + caveat(material.uncertain)


def material_details(material: Material) -> List[str]:
    """When a document applies, then its format rules, validity, authentication and translation."""
    details = [describe_conditions(material)] if describe_conditions(material) else []
    details += list(material.format_rules)
    if material.validity:
        details.append(material.validity)
    if material.needs_authentication:
        details.append("needs an apostille or consular legalisation, depending on the issuing country")
    if material.needs_translation:
        details.append("with a Chinese translation stamped with the employer's seal")
    return [d.rstrip(".") for d in details]


def describe_conditions(material: Material) -> str:
    c = material.conditions
    bits = []
    if c.location:
        bits.append("applicant outside China" if c.location == "outside_china" else "applicant already in China")
    if c.categories:
        bits.append("category " + "/".join(c.categories))
    if c.family:
        bits.append("accompanying " + ("spouse" if c.family == "spouse" else "children"))
    if c.first_application is True:
        bits.append("first application")
    elif c.first_application is False:
        bits.append("renewals only")
    if c.employer_change is True:
        bits.append("change of employer")
    if c.issued:
        bits.append({"abroad": "document issued abroad", "hk_macao_taiwan": "issued in Hong Kong, Macao or Taiwan",
                     "mainland": "issued in mainland China"}[c.issued])
    return ("only if: " + ", ".join(bits)) if bits else ""


def _materials(kb: KnowledgeBase, service: Service) -> AnswerBuilder:
    b = AnswerBuilder(_heading(service, "Documents you need"))
    if not service.materials:
        b.add("My sources list no separate documents for this service; " + service.for_whom)
    for n, material in enumerate(service.materials, 1):
        b.add(describe_material(material, n), material.source)
    if any(m.needs_authentication for m in service.materials):
        b.add("Ask me \"do I need an apostille for documents from <country>?\" to check your country.")
    return b


def _processing_time(kb: KnowledgeBase, service: Service) -> AnswerBuilder:
    b = AnswerBuilder(_heading(service, "Processing time"))
    pt = service.processing_time
    if pt.etown:
        b.fact(pt.etown, "• In Beijing E-Town: ")
    if pt.standard:
        b.fact(pt.standard, "• Standard: ")
    if not (pt.etown or pt.standard):
        b.add("My sources publish no processing time for this service. The hotline 12367 can tell you more.")
    b.add("Working days exclude weekends and China's public holidays; adjusted working days count.")
    return b


def _fees(kb: KnowledgeBase, service: Service) -> AnswerBuilder:
    b = AnswerBuilder(_heading(service, "Fees"))
    for fee in service.fees:
        b.add(f"• {fee.label}: {fee.text}", fee.source, fee.uncertain)
    if not service.fees:
        b.add("My sources confirm no fee for this service. Please confirm with the hall or the hotline 12367.")
    return b


def _validity(kb: KnowledgeBase, service: Service) -> AnswerBuilder:
    b = AnswerBuilder(_heading(service, "Validity"))
    if service.validity:
        b.fact(service.validity)
    else:
        b.add("My sources publish no validity period for this service.")
    return b


def _deadlines(kb: KnowledgeBase, service: Service) -> AnswerBuilder:
    b = AnswerBuilder(_heading(service, "Deadlines"))
    for deadline in service.deadlines:
        b.add("• " + deadline.text, deadline.source, deadline.uncertain)
    if not service.deadlines:
        b.add("My sources set no deadline for this service.")
    return b


def _eligibility(kb: KnowledgeBase, service: Service) -> AnswerBuilder:
    b = AnswerBuilder(_heading(service, "Who can apply"))
    b.add(service.for_whom)
    for fact in service.eligibility:
        b.fact(fact)
    if service.id.startswith("work_permit"):
        cats = kb.files.categories
        b.add("Talent categories for the work permit:")
        for category in cats.categories:
            b.fact(category.summary, f"• Category {category.id} ({category.name}): ")
        for fact in cats.points:
            b.fact(fact)
        b.source(cats.source_url).reviewed(cats.last_reviewed)
    return b


def _where(kb: KnowledgeBase, service: Service) -> AnswerBuilder:
    b = AnswerBuilder(_heading(service, "Where to apply"))
    systems = {s.id: s for s in kb.files.contacts.online_systems}
    for system_id in service.online_systems:
        system = systems[system_id]
        b.add(f"• Online: {system.name}" + (f" — {system.url}" if system.url else "") + f". {system.text}",
              system.source, system.uncertain)
    for hall in kb.halls_for(service.id):
        b.add("• " + hall_line(hall), hall.source, hall.uncertain)
    if service.where_note:
        b.fact(service.where_note)
    if not service.online_systems and not kb.halls_for(service.id):
        b.add("My sources name no hall for this service; the hotline 12367 can direct you.")
    return b


def hall_line(hall: Hall) -> str:
    address = hall.address or "address not published"
    hours = hall.hours or "hours not published"
    joint = {True: "; has a two-permit joint-application window", False: "", None: ""}[hall.joint_window]
    return f"{hall.name} ({hall.district}): {address}; {hours}{joint}"


def hall_answer(hall: Hall) -> Answer:
    b = AnswerBuilder(f"{hall.name}:")
    b.add(f"• District: {hall.district}")
    b.add(f"• Address: {hall.address or 'not published'}")
    b.add(f"• Opening hours: {hall.hours or 'not published'}")
    if hall.phone:
        b.add(f"• Phone: {hall.phone}")
    window = {True: "yes", False: "no", None: "not published"}[hall.joint_window]
    b.add(f"• Two-permit joint-application window: {window}", hall.source, hall.uncertain)
    b.add("Halls are closed on China's statutory public holidays.")
    return Answer(b.reviewed(hall.last_reviewed).text(), [], None, Topic.WHERE.value)


def _overview(kb: KnowledgeBase, service: Service) -> AnswerBuilder:
    b = AnswerBuilder(f"{service.names.en}" + (f" ({service.names.zh})" if service.names.zh else "") + ":")
    b.add(service.summary)
    b.add("For: " + service.for_whom)
    for n, step in enumerate(service.steps, 1):
        b.add(f"{n}. {step}")
    pt = service.processing_time
    for fact, label in ((pt.etown, "Time in E-Town"), (pt.standard, "Time")):
        if fact:
            b.fact(fact, f"• {label}: ")
            break
    if service.fees:
        b.add("• Fees: " + "; ".join(f"{f.label}: {f.text}" for f in service.fees),
              service.fees[0].source, next((f.uncertain for f in service.fees if f.uncertain), None))
    if service.validity:
        b.fact(service.validity, "• Validity: ")
    for note in service.uncertain:
        b.add("Note: " + note)
    return b


def overview_of_services(kb: KnowledgeBase) -> Answer:
    b = AnswerBuilder("I can answer questions about these services in Beijing and Beijing E-Town:")
    for service in kb.services.values():
        b.add(f"• {service.names.en}")
    b.add("Ask about documents, processing time, fees, validity, deadlines, eligibility or where to apply.")
    return Answer(b.text(), [Button("Work permit", '/inform{"service":"work_permit"}'),
                             Button("Residence permit", '/inform{"service":"residence_permit"}'),
                             Button("Joint application", '/inform{"service":"joint_application"}')])


def hotlines(kb: KnowledgeBase) -> Answer:
    contacts = kb.files.contacts
    b = AnswerBuilder("Phone lines and online services:")
    for line in contacts.hotlines:
        langs = f"; {', '.join(line.languages)}" if line.languages else ""
        b.add(f"• {line.name}: {line.number} ({line.hours}{langs}). {line.text}", line.source, line.uncertain)
    for system in contacts.online_systems:
        url = f" — {system.url}" if system.url else ""
        b.add(f"• {system.name}{url}", system.source, system.uncertain)
    return Answer(b.reviewed(contacts.last_reviewed).text(), [], None, Topic.HOTLINES.value)
