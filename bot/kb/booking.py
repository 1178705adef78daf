"""Loads policies_kb/booking.yml, validated all or nothing, and checks it against the knowledge base."""
from __future__ import annotations

from pathlib import Path

from bot.kb.base import KnowledgeBase
from bot.kb.booking_schema import BookingConfig
from bot.kb.errors import PolicyFileInvalid
from bot.kb.loader import parse_model, read_yaml

BOOKING_FILE = "booking.yml"


def load_booking_config(kb_dir: Path, kb: KnowledgeBase) -> BookingConfig:
    """The booking configuration, or PolicyFileInvalid naming file, entry and field.

    Every hall must exist in halls.yml, every service in services/, each bookable service must
    be one the hall handles, and a hall whose hours halls.yml does not publish cannot claim
    ``hours_published: true``.
    """
    config = parse_model(BookingConfig, read_yaml(kb_dir / BOOKING_FILE, BOOKING_FILE), BOOKING_FILE)
    for hall_config in config.halls:
        hall = kb.halls.get(hall_config.id)
        if hall is None:
            raise PolicyFileInvalid(BOOKING_FILE, f"unknown hall id '{hall_config.id}'",
                                    entry=hall_config.id, field="id")
        for service_id in hall_config.services:
            if service_id not in kb.services:
                raise PolicyFileInvalid(BOOKING_FILE, f"unknown service id '{service_id}'",
                                        entry=hall_config.id, field="services")
            if service_id not in hall.services:
                raise PolicyFileInvalid(BOOKING_FILE, f"the hall does not handle '{service_id}' "
                                        "(see its services in halls.yml)", entry=hall_config.id, field="services")
        if hall_config.hours_published and hall.hours is None:
            raise PolicyFileInvalid(BOOKING_FILE, "halls.yml publishes no hours for this hall: "
                                    "set hours_published: false", entry=hall_config.id, field="hours_published")
    return config
