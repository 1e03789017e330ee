"""The one typed settings source: read from the environment (prefix TONGKET_ or plain names
where a convention exists, such as DATABASE_URL), validated at start-up.

A bad value stops the process with a message that names the setting, so a misconfigured
deployment fails at boot rather than at the first request that touches it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DEV_SECRET = "dev-only-insecure-key-do-not-use-in-production"


class TongketSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TONGKET_", extra="ignore", case_sensitive=False)

    debug: bool = Field(
        default=False, description="Debug mode; only for development (make demo/serve set it)."
    )
    secret_key: str = Field(
        default="",
        description="Django SECRET_KEY; required (≥ 50 varied characters) outside debug.",
    )
    database_url: str = Field(
        default="",
        validation_alias="DATABASE_URL",
        description="sqlite:///path or postgres://user@host:port/db; default is a SQLite file.",
    )
    data_dir: Path = Field(
        default=BASE_DIR / "var", description="Where the SQLite file and exports live."
    )
    allowed_hosts: list[str] = Field(default=["localhost", "127.0.0.1", "[::1]", "testserver"])
    language: Literal["vi", "en"] = "vi"
    time_zone: str = "Asia/Ho_Chi_Minh"
    packs_dir: Path = Field(default=BASE_DIR / "packs" / "vn")
    email_backend: str = "django.core.mail.backends.console.EmailBackend"
    default_from_email: str = "tongket@localhost"
    max_upload_mb: int = Field(default=20, ge=1, le=500)
    max_zip_members: int = Field(default=500, ge=1, le=100_000)
    max_unzipped_mb: int = Field(default=200, ge=1, le=5_000)
    # report builds: this many at once per process, at most report_queue_max more waiting
    report_workers: int = Field(default=2, ge=1, le=16)
    report_queue_max: int = Field(default=10, ge=0, le=1_000)
    api_docs_public: bool = Field(
        default=False,
        description="Serve /api/docs and /api/openapi.json to anyone; off: signed-in users only.",
    )

    # ---- security and operations (issue 16: items 3, 4, 7, 8) ----------------------------
    # Behind an HTTPS proxy (nginx) that sets X-Forwarded-Proto; only turn on when the proxy
    # overwrites that header, otherwise a client could claim HTTPS.
    proxy_ssl_header: bool = False
    ssl_redirect: bool = True  # outside debug: http:// is redirected to https://
    hsts_seconds: int = Field(default=31_536_000, ge=0)  # outside debug; 0 turns HSTS off
    hsts_include_subdomains: bool = True
    hsts_preload: bool = True
    csrf_trusted_origins: list[str] = Field(default=[])  # e.g. ["https://tongket.example.vn"]
    admins: list[str] = Field(default=[])  # e-mail addresses that receive server-error mail
    server_email: str = "tongket@localhost"
    email_host: str = "localhost"  # SMTP relay (with the smtp EMAIL_BACKEND)
    email_port: int = Field(default=25, ge=1, le=65535)
    email_host_user: str = ""
    email_host_password: str = ""
    email_use_tls: bool = False
    log_level: str = "INFO"
    log_json: bool = True  # one JSON object per line (for journald / a log shipper)
    sqlite_busy_timeout: float = Field(default=5.0, gt=0, le=60)  # seconds to wait for a lock
    login_failure_limit: int = Field(default=5, ge=1, le=100)  # per user, and per address
    login_cooloff_minutes: int = Field(default=15, ge=1, le=24 * 60)

    @field_validator("csrf_trusted_origins")
    @classmethod
    def _origins_have_scheme(cls, value: list[str]) -> list[str]:
        for origin in value:
            if not origin.startswith(("https://", "http://")):
                raise ValueError(f"{origin!r} must start with https://")
        return value

    @model_validator(mode="after")
    def _safe_outside_debug(self) -> TongketSettings:
        """Production refuses to start with a guessable secret or an open host list."""
        if self.debug:
            return self
        key = self.secret_key
        if not key or key == DEV_SECRET or key.startswith("django-insecure-"):
            raise ValueError("TONGKET_SECRET_KEY is required when TONGKET_DEBUG is off")
        if len(key) < 50 or len(set(key)) < 5:
            raise ValueError(
                "TONGKET_SECRET_KEY must be at least 50 characters with at least 5 different"
                " ones (e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))')"
            )
        if "*" in self.allowed_hosts or not self.allowed_hosts:
            raise ValueError(
                "TONGKET_ALLOWED_HOSTS must name the site's host(s) when debug is off, not '*'"
            )
        return self

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        import zoneinfo

        try:
            zoneinfo.ZoneInfo(value)
        except Exception as exc:  # zoneinfo raises several types
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if value and value.split(":", 1)[0] not in {
            "sqlite",
            "postgres",
            "postgresql",
            "pgsql",
            "postgis",
        }:
            raise ValueError("must start with sqlite:// or postgres://")
        return value

    @property
    def effective_secret(self) -> str:
        return self.secret_key or DEV_SECRET


class SettingsError(SystemExit):
    """Raised at start-up; SystemExit so manage.py prints it instead of a traceback."""


def load_settings() -> TongketSettings:
    try:
        return TongketSettings()
    except ValidationError as exc:
        lines = ["Tongket: cấu hình không hợp lệ / invalid configuration:"]
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"]) or "settings"
            name = loc if loc.isupper() or loc == "settings" else f"TONGKET_{loc.upper()}"
            lines.append(f"  - {name}: {err['msg']}")
        print("\n".join(lines), file=sys.stderr)
        raise SettingsError(2) from None
