"""What all forms share: how they start and finish, and which messages interrupt them. Pure data.

scripts/gen_form_rules.py writes the Rasa rules from these; the form actions use DIGRESSION_INTENTS
to leave a slot empty when a message is a question rather than an answer.
"""
from __future__ import annotations

QUESTION_INTENTS = (
    "ask_materials", "ask_processing_time", "ask_fees", "ask_validity", "ask_deadlines", "ask_eligibility",
    "ask_where", "ask_service_overview", "ask_joint_application", "ask_apostille", "ask_health_check",
    "ask_accommodation_registration", "ask_hotline",
)
# intent -> the action that answers it in the middle of a form, which then resumes
DIGRESSIONS = {
    **{intent: "action_answer_question" for intent in QUESTION_INTENTS},
    "ask_date_estimate": "action_estimate_date",
    "help": "utter_help",
    "bot_challenge": "utter_iamabot",
    "chinese_message": "action_reply_chinese",
    "out_of_scope": "utter_out_of_scope",
}
# intent -> the action that leaves the form for it (the form is deactivated first, as for "stop")
ESCALATIONS = {"request_human": "action_start_handoff"}
# The form that collects a question for staff outside hours: asking for a person inside it is
# answered with this reminder instead of a second handoff, and it has no digressions (the
# question for staff may look like any question the bot answers; the form takes it as text).
HANDOFF_FORM = "handoff_form"
HANDOFF_FORM_REMINDER = "utter_handoff_form_hint"
DIGRESSION_INTENTS = frozenset(DIGRESSIONS) | frozenset(ESCALATIONS) | {"stop", "goodbye"}

# form -> (intents that start it, action run when it is complete)
FORMS = {
    "checklist_form": (("request_checklist",), "action_show_checklist"),
    "case_status_form": (("ask_case_status",), "action_finish_case_status"),
    "hr_cases_form": (("hr_list_cases",), "action_finish_hr_cases"),
    "booking_form": (("book_appointment",), "action_book_appointment"),
    "booking_change_form": (("cancel_appointment", "reschedule_appointment"), "action_change_booking"),
    # started by a rule after action_start_handoff chose the after-hours path (data/rules/handoff.yml)
    HANDOFF_FORM: ((), "action_submit_handoff"),
}
