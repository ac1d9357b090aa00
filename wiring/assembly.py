"""The bot's own parts: the action registry (every intent and the action that answers it),
the loaded knowledge base and texts, and the engine built from them."""

from __future__ import annotations

from datetime import date, timedelta

from actions.bot_challenge import BotChallenge
from actions.callback import CallbackForm
from actions.canned import CannedReply
from actions.complaint import ComplaintForm
from actions.csat import CsatSurvey
from actions.handoff import HumanHandoff
from actions.kb_answer import KbAnswer
from actions.outage_status import OutageStatus
from actions.ticket_status import TicketStatus
from actions.waiting import WaitingRoom
from actions.warranty import WarrantyForm
from bot import routing
from bot.calendar import BusinessCalendar
from bot.catalogue import Catalogue
from bot.clock import Clock
from bot.config import Settings
from bot.engine import Engine, Parser
from bot.events import Events
from bot.intake import Intake
from bot.knowledge import KnowledgeBase
from bot.oncall import OnCallPager
from bot.policy import DialoguePolicy
from bot.storage.database import Database
from bot.tickets import TicketDesk
from bot.turn import Action, Lifecycle, Services
from nlu.clauses import ClauseReader
from nlu.language import LanguageIdentifier

KB_INTENTS = (
    "support_hours", "contact_channels", "support_eligibility", "reseller_support",
    "mail_setup", "response_times", "service_contract", "support_costs", "software_updates",
    "training",
)


def action_registry(settings: Settings | None = None) -> dict[str, Action]:
    """Every intent and the action that answers it (routing of handoffs per `settings`)."""
    registry: dict[str, Action] = {name: KbAnswer(name) for name in KB_INTENTS}
    registry.update({
        "greet": CannedReply("greet"),
        "goodbye": CannedReply("goodbye"),
        "thank": CannedReply("thank"),
        "out_of_scope": CannedReply("out_of_scope"),
        "affirm": CannedReply("affirm", "affirm_no_context"),
        "deny": CannedReply("deny", "deny_no_context"),
        "bot_challenge": BotChallenge(),
        "request_callback": CallbackForm(),
        "warranty_claim": WarrantyForm(),
        "complaint": ComplaintForm(),
        "ticket_status": TicketStatus(),
        "human_handoff": HumanHandoff(settings),
        "outage_status": OutageStatus(),
    })
    return registry


def build_services(settings: Settings) -> Services:
    """Load and validate the catalogue and knowledge base; build the calendar and desk."""
    values = settings.company.placeholders()
    values["kb_url"] = values["kb_url"] or f"{settings.public_base_url.rstrip('/')}/kb"
    calendar = BusinessCalendar(
        country=settings.holiday_country,
        extra_closures=[date.fromisoformat(day) for day in settings.extra_closures],
    )
    return Services(
        catalogue=Catalogue.load(values),
        knowledge=KnowledgeBase.load(values),
        calendar=calendar,
        desk=TicketDesk(calendar, team_of=lambda kind: routing.team_for_kind(kind, settings)),
        company=settings.company,
        confidence_threshold=settings.nlu_confidence_threshold,
        lifecycle=Lifecycle(idle_window=timedelta(hours=settings.conversation_idle_hours),
                            csat_expiry=timedelta(days=settings.csat_expiry_days),
                            attachment_limits=settings.attachment_limits),
    )


def build_engine(settings: Settings, database: Database, nlu: Parser, clock: Clock,
                 services: Services | None = None,
                 languages: LanguageIdentifier | None = None,
                 oncall: OnCallPager | None = None) -> Engine:
    """Wire the engine from its concrete parts."""
    return Engine(
        database=database, nlu=ClauseReader(nlu, settings.nlu_confidence_threshold),
        languages=languages or LanguageIdentifier(),
        policy=DialoguePolicy(action_registry(settings), survey=CsatSurvey()),
        waiting=WaitingRoom(),
        services=services or build_services(settings),
        clock=clock, default_language=settings.default_language, oncall=oncall,
    )


def build_intake(settings: Settings, engine: Engine, events: Events) -> Intake:
    """The one path of an inbound message (store, then answer) around `engine`."""
    return Intake(engine.database, engine.clock, engine, events,
                  idle_window=timedelta(hours=settings.conversation_idle_hours),
                  concurrency=settings.answer_concurrency,
                  ack_target_s=settings.ack_target_ms / 1000)
