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

    debug: bool = Field(default=True, description="Debug mode; turn off in production.")
    secret_key: str = Field(
        default="", description="Django SECRET_KEY; required when debug is off."
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

    @model_validator(mode="after")
    def _secret_outside_debug(self) -> TongketSettings:
        if not self.debug and (not self.secret_key or self.secret_key == DEV_SECRET):
            raise ValueError("TONGKET_SECRET_KEY is required when TONGKET_DEBUG is off")
        if self.secret_key and len(self.secret_key) < 32 and not self.debug:
            raise ValueError("TONGKET_SECRET_KEY must be at least 32 characters")
        return self

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
