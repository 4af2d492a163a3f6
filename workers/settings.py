"""Settings from the environment (PEERCOACH_*), the same for the worker and every door."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from activities.notifications import SmtpSettings
from store.database import database_url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PEERCOACH_", env_file=".env", extra="ignore")

    temporal_address: str = "localhost:7233"
    namespace: str = "default"
    task_queue: str = "peercoach"
    tls: bool = False
    tls_client_cert: Path | None = None
    tls_client_key: Path | None = None
    api_key: SecretStr | None = None

    data_dir: Path = Path(".peercoach")
    # The program's database (store/): a SQLite file in the data directory unless set, e.g.
    # postgresql://peercoach:secret@db.example.org/peercoach in production.
    database_url: SecretStr | None = None

    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = 10  # connecting, and each SMTP command
    # What a district's mail says it is from, and where replies go (docs/mail.md).
    mail_from: str = "peercoach@localhost"
    mail_from_name: str = "Peer Coaching Program"
    mail_reply_to: str | None = None
    # The daily digests (docs/mail.md): each day at this hour in this IANA zone (the program's), the
    # worker's schedule sends every person one message with the notices held for it.
    digest_hour: int = Field(default=7, ge=0, le=23)
    digest_timezone: str = "America/Los_Angeles"

    @field_validator("digest_timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ValueError, ZoneInfoNotFoundError):
            raise ValueError(f"PEERCOACH_DIGEST_TIMEZONE {name!r} is not an IANA time zone (for example America/Los_Angeles)") from None
        return name

    # The web app (`peercoach web`): where its links point, and who may sign in
    # before any cohort names them (the program office, to launch the first cohort).
    web_host: str = "127.0.0.1"
    web_port: int = 8000
    web_base_url: str | None = None  # default http://{web_host}:{web_port}
    web_secret: SecretStr | None = None  # signs cookies and links; default: made once, kept in the data directory
    coordinators: str = ""  # comma-separated emails
    # Sign-in with the district's accounts (OpenID Connect, web/oidc.py; docs/deploy.md): the provider's
    # issuer URL (https://accounts.google.com, https://login.microsoftonline.com/TENANT/v2.0) and this
    # app's client there. Unset, sign-in is by emailed link only; set, the link stays for everyone else.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_provider_name: str | None = None  # "Sign in with …"; default from the issuer (Google, Microsoft)

    @property
    def program_office(self) -> list[str]:
        return [e.strip().lower() for e in self.coordinators.split(",") if e.strip()]

    # Payload encryption (workers/codec.py). Keys by id as JSON, each base64 of 32 bytes:
    # '{"2026-01": "...", "2026-09": "..."}'. The last listed encrypts unless codec_key_id names
    # another, and every listed key still decrypts (rotation). With none set, one key is made
    # once and kept in the data directory, so the local stack needs no configuration.
    codec_keys: SecretStr | None = None
    codec_key_id: str | None = None
    # The codec server (peercoach codec-server): its bearer token, and the web UIs it answers.
    codec_token: SecretStr | None = None
    codec_ui_origins: list[str] = ["http://localhost:8233", "http://127.0.0.1:8233"]
    # The worker refuses payloads that arrived unencrypted (a client without the key): an Update
    # is rejected, a signal dropped, a start failed, a query failed (workers/codec.py). Off only
    # while some client must still send unencrypted payloads.
    refuse_plaintext: bool = True

    log_format: str = "json"  # json | console
    log_level: str = "INFO"
    # Open workflows a worker keeps in memory (about 65 KB each); past it, each workflow task replays a history.
    # A state-sized cohort (1,000 coaches, 2,000 partnerships) has over 3,000 open workflows.
    workflow_cache: int = 1000
    # Workflow tasks taken at a time. Workflow code runs on one Python core, and a task expires 10 s
    # after it is taken: the SDK's default of 100 lets tasks wait in the worker past that under load,
    # and an Update whose task expired is refused ("Workflow Task in failed state").
    workflow_tasks_at_once: int = 8

    @property
    def database(self) -> str:
        """The SQLAlchemy URL every process opens (store/database.py)."""
        return database_url(self.database_url.get_secret_value() if self.database_url else None, self.data_dir)

    @property
    def web_url(self) -> str:
        return (self.web_base_url or f"http://{self.web_host}:{self.web_port}").rstrip("/")

    @model_validator(mode="after")
    def _oidc_whole(self) -> Settings:
        given = {"PEERCOACH_OIDC_ISSUER": self.oidc_issuer, "PEERCOACH_OIDC_CLIENT_ID": self.oidc_client_id}
        given["PEERCOACH_OIDC_CLIENT_SECRET"] = self.oidc_client_secret.get_secret_value() if self.oidc_client_secret else None
        if any(given.values()) and not all(given.values()):
            missing = ", ".join(name for name, value in given.items() if not value)
            raise ValueError(f"sign-in with the district's accounts needs all three of {', '.join(given)}; set {missing} too")
        return self

    @property
    def codec_keys_path(self) -> Path:
        return self.data_dir / "codec-keys.json"

    @property
    def smtp(self) -> SmtpSettings | None:
        if not self.smtp_host:
            return None
        return SmtpSettings(
            host=self.smtp_host,
            port=self.smtp_port,
            username=self.smtp_username,
            password=self.smtp_password,
            starttls=self.smtp_starttls,
            sender=self.mail_from,
            sender_name=self.mail_from_name,
            reply_to=self.mail_reply_to,
            timeout_seconds=self.smtp_timeout_seconds,
        )
