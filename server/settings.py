"""Settings: the one place that reads the environment."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(value: str | None) -> tuple[str, ...]:
    """A comma-separated value as a tuple, blanks dropped."""
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


META_GRAPH_URL = "https://graph.facebook.com"
# Where Meta serves chat media (Instagram attachment URLs); a host must equal one of these or end in ".<one>".
META_MEDIA_HOSTS = ("fbcdn.net", "cdninstagram.com", "fbsbx.com")
# The demo city's streets ship with the product (ODbL, see assets/osm/README.md).
DEMO_STREETS = Path(__file__).resolve().parents[1] / "assets" / "osm" / "krems_drive.osm.bz2"


@dataclass(frozen=True)
class Rate:
    """At most `limit` events per `seconds` (a fixed window); written "LIMIT/SECONDS" in the environment."""

    limit: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> "Rate":
        limit, _, seconds = text.partition("/")
        rate = cls(int(limit), int(seconds or "60"))
        if rate.limit < 1 or rate.seconds < 1:
            raise ValueError(f"a rate is LIMIT/SECONDS with both at least 1, not {text!r}")
        return rate


@dataclass(frozen=True)
class RateLimits:
    """Request limits (server/ratelimit). Every request counts against its client address and, when it carries
    a cached session, against that account; sign-in and webhook paths have their own, stricter client limit.
    A sign-in attempt also counts against the account it names (email, or the kitchen for a PIN): from one
    client (`sign_in_per_client_account`) and from all clients (`sign_in_per_account`); a successful one is
    given back, so these two count failures."""

    per_client: Rate = Rate(1200, 60)
    per_account: Rate = Rate(600, 60)
    sign_in_per_client: Rate = Rate(60, 60)
    sign_in_per_client_account: Rate = Rate(5, 900)
    sign_in_per_account: Rate = Rate(30, 900)
    webhooks_per_client: Rate = Rate(600, 60)

    @classmethod
    def from_env(cls, env: dict[str, str]) -> "RateLimits":
        """MEALKITZ_RATE_LIMIT_<NAME> = "LIMIT/SECONDS" for each field; unset ones keep the defaults."""
        defaults = cls()
        values = {name: Rate.parse(env[key]) if env.get(key) else getattr(defaults, name)
                  for name in cls.__dataclass_fields__ for key in [f"MEALKITZ_RATE_LIMIT_{name.upper()}"]}
        return cls(**values)


@dataclass(frozen=True)
class ChannelCredentials:
    """The default business's account on one chat channel (others are rows of channel_accounts).

    `account_id` is the WhatsApp phone number id or the Instagram account id; for Instagram it may be
    empty, meaning whichever account the webhook names.
    """

    app_secret: str
    verify_token: str
    access_token: str
    account_id: str = ""

    @classmethod
    def from_env(cls, env: dict[str, str], prefix: str, account_key: str) -> "ChannelCredentials | None":
        secret = env.get(f"{prefix}_APP_SECRET")
        if not secret:
            return None
        return cls(app_secret=secret, verify_token=env.get(f"{prefix}_VERIFY_TOKEN", ""),
                   access_token=env.get(f"{prefix}_ACCESS_TOKEN", ""), account_id=env.get(account_key, ""))


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    host: str = "127.0.0.1"
    port: int = 8000
    redis_url: str | None = None
    session_days: int = 30
    pin_session_hours: int = 12  # a staff PIN session on a shared tablet: one shift, not a month
    rate_limits: RateLimits = RateLimits()
    write_batch_max: int = 256
    # SQLite durability (PRAGMA synchronous): FULL survives power loss; NORMAL only a process crash.
    sqlite_synchronous: str = "FULL"
    log_level: str = "INFO"
    scraper_allow_private_networks: bool = False
    job_workers: int = 2
    road_graph: Path | None = None  # OSM XML file for road travel times; None: geodesic estimates
    dispatch_enabled: bool = True
    dispatch_time_limit_s: float = 1.5
    dispatch_debounce_s: float = 0.5
    dispatch_refresh_s: float = 60.0  # re-plan this often while orders are open (drift, late drivers)
    whatsapp: ChannelCredentials | None = None
    instagram: ChannelCredentials | None = None
    graph_api_base_url: str = META_GRAPH_URL
    channel_merchants: tuple[str, ...] = ()  # the default business's kitchens; empty: every merchant
    streets: Path | None = None  # OSM XML whose named streets locate typed addresses in chats
    whisper_models: tuple[str, ...] = ()  # voice notes: packaged Whisper names or model directories
    media_hosts: tuple[str, ...] = META_MEDIA_HOSTS  # the only hosts chat media is fetched from
    media_allow_private_networks: bool = False  # the local Graph emulator in tests; never in production
    # Fernet keys (urlsafe base64, 32 bytes) for channel secrets at rest: the first encrypts, all decrypt.
    # Empty: a key generated once in data_dir/secret.key (development only; a warning says so).
    secret_keys: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        """Read MEALKITZ_* and the standard DATABASE_URL / REDIS_URL variables."""
        env = dict(os.environ if env is None else env)
        data_dir = Path(env.get("MEALKITZ_DATA_DIR") or Path.cwd() / "data").resolve()
        database_url = env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'mealkitz.sqlite3'}"
        return cls(
            data_dir=data_dir,
            database_url=normalise_database_url(database_url),
            host=env.get("MEALKITZ_HOST", "127.0.0.1"),
            port=int(env.get("MEALKITZ_PORT", "8000")),
            redis_url=env.get("REDIS_URL") or None,
            session_days=int(env.get("MEALKITZ_SESSION_DAYS", "30")),
            pin_session_hours=int(env.get("MEALKITZ_PIN_SESSION_HOURS", "12")),
            rate_limits=RateLimits.from_env(env),
            write_batch_max=int(env.get("MEALKITZ_WRITE_BATCH_MAX", "256")),
            sqlite_synchronous=env.get("MEALKITZ_SQLITE_SYNCHRONOUS", "FULL").upper(),
            log_level=env.get("MEALKITZ_LOG_LEVEL", "INFO"),
            scraper_allow_private_networks=_bool(env.get("SCRAPER_ALLOW_PRIVATE_NETWORKS")),
            job_workers=int(env.get("MEALKITZ_JOB_WORKERS", "2")),
            road_graph=Path(env["MEALKITZ_ROAD_GRAPH"]) if env.get("MEALKITZ_ROAD_GRAPH") else None,
            dispatch_enabled=_bool(env.get("MEALKITZ_DISPATCH"), default=True),
            dispatch_time_limit_s=float(env.get("MEALKITZ_DISPATCH_TIME_LIMIT", "1.5")),
            dispatch_debounce_s=float(env.get("MEALKITZ_DISPATCH_DEBOUNCE", "0.5")),
            dispatch_refresh_s=float(env.get("MEALKITZ_DISPATCH_REFRESH", "60")),
            whatsapp=ChannelCredentials.from_env(env, "WHATSAPP", "WHATSAPP_PHONE_NUMBER_ID"),
            instagram=ChannelCredentials.from_env(env, "INSTAGRAM", "INSTAGRAM_ACCOUNT_ID"),
            graph_api_base_url=(env.get("GRAPH_API_BASE_URL") or META_GRAPH_URL).rstrip("/"),
            streets=Path(env.get("MEALKITZ_STREETS") or env.get("MEALKITZ_ROAD_GRAPH") or DEMO_STREETS),
            whisper_models=tuple(m.strip() for m in env.get("MEALKITZ_WHISPER_MODELS", "").split(",") if m.strip()),
            channel_merchants=tuple(m.strip() for m in env.get("MEALKITZ_CHANNEL_MERCHANTS", "").split(",")
                                    if m.strip()),
            media_hosts=_list(env.get("MEALKITZ_MEDIA_HOSTS")) or META_MEDIA_HOSTS,
            media_allow_private_networks=_bool(env.get("MEALKITZ_MEDIA_ALLOW_PRIVATE_NETWORKS")),
            secret_keys=_list(env.get("MEALKITZ_SECRET_KEYS")),
        )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def normalise_database_url(url: str) -> str:
    """Accept postgres:// and postgresql:// as given by hosting providers; use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
