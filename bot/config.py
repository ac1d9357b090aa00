"""One typed settings object, read once at start-up from the environment and `.env`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, IPvAnyNetwork, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MAP_URL = ("https://www.openstreetmap.org/?mlat={latitude}&mlon={longitude}"
           "#map=17/{latitude}/{longitude}")


def default_cache_dir() -> Path:
    """Return `${XDG_CACHE_HOME:-~/.cache}/supportbot`, where the Rasa venv and models live."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "supportbot"


def default_files_dir() -> Path:
    """Return `${XDG_DATA_HOME:-~/.local/share}/supportbot/files`, where attachments live
    when no bucket is configured."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "supportbot" / "files"


class CompanySettings(BaseSettings):
    """Company-specific values the knowledge base and bot texts are filled with.

    The defaults are fictional demo values (reserved 555-01xx numbers, example.com).
    """

    model_config = SettingsConfigDict(env_prefix="SUPPORTBOT_COMPANY_", env_file=".env",
                                      extra="ignore")

    company_name: str = "Example Systems"
    support_phone: str = "+31 20 555 0100"
    emergency_phone: str = "+31 20 555 0199"
    callback_phone_us: str = "+1 202 555 0143"
    callback_phone_ca: str = "+1 613 555 0171"
    callback_phone_uk: str = "+44 20 7946 0018"
    support_email: str = "support@example.com"
    sales_email: str = "sales@example.com"
    whatsapp_number: str = "+31 20 555 0123"
    telegram_handle: str = "@ExampleSupportBot"
    website_url: str = "https://www.example.com"
    status_url: str = "https://status.example.com"
    blog_url: str = "https://www.example.com/blog"
    kb_url: str = ""  # empty: the app's own /kb pages under public_base_url
    ticket_url: str = "https://support.example.com/tickets"
    partner_portal_url: str = "https://partners.example.com"
    mail_settings_url: str = "https://support.example.com/kb/mail-settings"
    step_tool_url: str = "https://support.example.com/mail-check"
    training_url: str = "https://academy.example.com"
    hourly_rate: str = "EUR 95"

    def placeholders(self) -> dict[str, str]:
        """Return the values by placeholder name, as used in `{name}` in articles."""
        return {name: str(value) for name, value in self.model_dump().items()}


class EmailSettings(BaseSettings):
    """The e-mail channel: the support mailbox read over IMAP, replies sent over SMTP.

    The channel is on when `imap_host` is set. Security is `ssl` (TLS from the first
    byte, ports 993/465), `starttls` (ports 143/587) or `none` (local test servers only).
    """

    model_config = SettingsConfigDict(env_prefix="SUPPORTBOT_EMAIL_", env_file=".env",
                                      extra="ignore")

    imap_host: str | None = None
    imap_port: int = 993
    imap_user: str = ""
    imap_password: SecretStr = SecretStr("")
    imap_security: Literal["ssl", "starttls", "none"] = "ssl"
    mailbox: str = "INBOX"
    poll_interval_s: float = Field(default=60.0, gt=0)  # servers without IDLE
    idle_renew_s: float = Field(default=300.0, gt=0)  # IDLE is renewed (RFC 2177: < 29 min)
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_security: Literal["ssl", "starttls", "none"] = "starttls"
    from_address: str = "support@example.com"
    display_names: dict[str, str] = Field(default_factory=lambda: {
        "en": "Example Systems Support", "nl": "Example Systems Klantenservice",
        "de": "Example Systems Kundendienst"})
    # Bot mails to one address per hour; more are not sent (a loop with another robot).
    max_bot_mails_per_hour: int = Field(default=5, ge=1)
    max_mail_bytes: int = 40 * 1024 * 1024  # larger mails are read without their body
    # The provider whose Authentication-Results header is believed (e.g. mx.google.com);
    # a ticket token alone links a mail to its thread only when that header shows DMARC
    # passed for the From domain. Empty: the topmost such header is believed.
    authserv_id: str | None = None
    # A CA bundle for the IMAP and SMTP servers' certificates (a company CA); empty: the
    # system's trusted CAs.
    tls_ca_file: Path | None = None


class TeamSettings(BaseModel):
    """A team of agents: the intents whose handoffs it takes, and how tickets reach it."""

    intents: list[str] = Field(default_factory=list)
    assignment: Literal["auto", "manual"] = "manual"


def default_teams() -> dict[str, TeamSettings]:
    return {
        "mail": TeamSettings(intents=["mail_setup"]),
        "hardware": TeamSettings(intents=["warranty_claim", "software_updates"]),
        "billing": TeamSettings(intents=["support_costs", "service_contract",
                                         "reseller_support"]),
        "general": TeamSettings(),
    }


class AttachmentLimits(BaseModel):
    """What a channel accepts from customers; anything else is refused with a message."""

    max_bytes: int = 10 * 1024 * 1024
    max_count: int = 5
    types: list[str] = Field(default_factory=lambda: [
        "image/jpeg", "image/png", "image/webp", "image/heic", "application/pdf"])


class Settings(BaseSettings):
    """Runtime configuration of the app and the NLU service."""

    model_config = SettingsConfigDict(env_prefix="SUPPORTBOT_", env_file=".env", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///supportbot.db"
    redis_url: str | None = None  # live events between replicas; unset: one process
    redis_channel_prefix: str = "supportbot:"
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    # App processes of `supportbot run` (0: one per core; more than one needs PostgreSQL
    # and Redis, see cli/workers.py).
    workers: int = Field(default=0, ge=0)
    public_base_url: str = "http://127.0.0.1:8080"
    # Reverse proxies whose X-Forwarded-For is believed (bot/forwarded.py): addresses or
    # networks, comma-separated in the environment. Empty: the direct peer is the client.
    trusted_proxies: Annotated[list[IPvAnyNetwork], NoDecode] = Field(default_factory=list)

    nlu_host: str = "127.0.0.1"
    nlu_port: int = 5005
    nlu_url: str | None = None
    nlu_token: SecretStr = SecretStr("change-me-nlu-token")
    nlu_timeout_s: float = 3.0
    nlu_retries: int = 2
    nlu_start_timeout_s: float = 180.0
    # Sanic workers of an NLU service that `supportbot run` starts (0: as many as app
    # workers; more than one needs Redis, and each loads the model: about 1.1 GB).
    nlu_workers: int = Field(default=0, ge=0)
    nlu_confidence_threshold: float = 0.55
    default_language: str = "en"

    cache_dir: Path = Field(default_factory=default_cache_dir)
    holiday_country: str = "NL"
    extra_closures: list[str] = Field(default_factory=list)
    company: CompanySettings = Field(default_factory=CompanySettings)

    telegram_token: SecretStr | None = None
    telegram_secret: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_polling: bool = False  # getUpdates instead of the webhook (no public URL needed)

    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    whatsapp_from: str = "+31205550123"  # fictional; the WhatsApp sender number on Twilio
    twilio_api_base_url: str = "https://api.twilio.com"
    whatsapp_template_sid: str | None = None  # approved template for a closed 24-hour window
    whatsapp_window_hours: float = 24.0
    # Quick-reply template (buttons with ids =csat:1 ... =csat:5) for the satisfaction survey.
    whatsapp_csat_template_sid: str | None = None

    email: EmailSettings = Field(default_factory=EmailSettings)

    outbox_max_attempts: int = 5
    # How long a platform's send call may take. A send that got no answer in time may still
    # have arrived, so it is not repeated: its outbox row fails and stays visible.
    send_timeout_s: float = Field(default=30.0, gt=0)

    # Web-chat widget: origins allowed besides public_base_url's own ("*" allows any).
    webchat_allowed_origins: list[str] = Field(default_factory=list)
    webchat_max_frame_bytes: int = 8192
    webchat_max_text_chars: int = 2000
    webchat_max_connections_per_ip: int = 20
    webchat_message_rate: str = "8/10 seconds"  # per connection
    webchat_ip_rate: str = "60/minute"  # per client address, all its connections
    webchat_hello_timeout_s: float = 10.0
    webchat_idle_timeout_s: float = 1800.0

    # Agent console access.
    console_session_hours: float = 12.0
    console_login_rate: str = "5/minute"  # failed logins, per username and per client address

    # Handoff lifecycle: routing, capacity, timeouts, survey, retention, attachments.
    teams: dict[str, TeamSettings] = Field(default_factory=default_teams)
    fallback_team: str = "general"
    agent_max_concurrent: int = 3
    away_grace_minutes: float = 5.0
    handoff_timeout_minutes: float | None = None  # None: the first-response due time
    conversation_idle_hours: float = 24.0
    csat_expiry_days: float = 3.0
    retention_days: int | None = None  # None: keep message texts
    oncall_telegram_chat_id: str | None = None
    attachment_limits: dict[str, AttachmentLimits] = Field(default_factory=lambda: {
        "telegram": AttachmentLimits(), "whatsapp": AttachmentLimits(max_bytes=5 * 1024 * 1024),
        "webchat": AttachmentLimits(), "email": AttachmentLimits()})
    # Attachments (bot/files.py): stored by content hash in this folder; customers reach
    # one only through a link signed with the secret (set it, the same on every replica;
    # unset, each process makes its own and its links die with it).
    files_dir: Path = Field(default_factory=default_files_dir)
    # With a bucket, attachments go to S3-compatible storage instead (every replica).
    files_s3_bucket: str | None = None
    files_s3_endpoint_url: str | None = None  # MinIO and others; unset: AWS
    files_s3_region: str | None = None
    files_s3_access_key_id: str | None = None
    files_s3_secret_access_key: SecretStr | None = None
    file_link_secret: SecretStr | None = None
    file_link_hours: float = Field(default=24.0, gt=0)
    file_fetch_timeout_s: float = Field(default=20.0, gt=0)
    map_url: str = MAP_URL  # the agent's map link for a location a customer sent
    scheduler_interval_s: float = 15.0
    recovery_interval_s: float = 60.0  # unanswered messages older than this are answered
    # The most turns answered at once; more wait their turn (stored, already acknowledged),
    # so a burst cannot starve the webhooks of the event loop or flood the NLU service.
    answer_concurrency: int = Field(default=16, ge=1)
    # Fewer while storing inbound messages takes longer than this (bot/slots.py).
    ack_target_ms: float = Field(default=25.0, gt=0)

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_trusted_proxies(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @property
    def resolved_nlu_url(self) -> str:
        """The base URL of the Rasa HTTP API."""
        return self.nlu_url or f"http://{self.nlu_host}:{self.nlu_port}"
