"""The intent and entity taxonomy: a contract with the evaluation (see shared/intents.md)."""

from typing import Final

INTENTS: Final = (
    "greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "support_hours",
    "contact_channels", "support_eligibility", "reseller_support", "mail_setup",
    "warranty_claim", "request_callback", "human_handoff", "response_times",
    "service_contract", "support_costs", "complaint", "outage_status", "ticket_status",
    "software_updates", "training", "out_of_scope",
)

ENTITIES: Final = ("phone_number", "email", "ticket_id", "serial_number", "product", "country")

LANGUAGES: Final = ("nl", "de", "en")
