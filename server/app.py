"""create_app: the one place adapters are wired together."""
from __future__ import annotations

import logging

from typing import Any

from litestar import Litestar, MediaType, Request, get
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import SerializationException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.pydantic import PydanticPlugin

from server.api.accounts import AccountController, AuthController, CustomerController
from server.api.catalog import DriverController, MerchantController
from server.api.jobs import JobController
from server.api.menu_scrape import MenuChangeController, MenuScrapeController
from server.api.dispatch import DispatchController, DriverSelfController
from server.api.instagram import InstagramPostController, InstagramProfileController
from server.api.orders import OrderController, QueueController, QuoteController
from server.api.sync import SyncController
from server.realtime.live import Publisher, live, make_channels
from server.scraper.jobs import register_scrape_jobs
from server.auth import provide_actor
from server.api.channel_accounts import ChannelAccountController
from server.api.conversations import ConversationController
from server.channels.webhooks import WebhookController
from server.channels.worker import register_channel_jobs
from server.db.migrate import upgrade
from server.dispatch.planner import Dispatcher
from server.errors import EXCEPTION_HANDLERS
from server.ratelimit.counters import Counters, make_counters
from server.ratelimit.limits import RateLimitMiddleware, RequestLimits
from server.services import Services
from server.settings import Settings

MAX_BODY_BYTES = 1_000_000


class JsonRequest(Request):  # type: ignore[type-arg]
    """A request whose malformed JSON bodies are all a 400.

    Litestar answers msgspec's DecodeError with a 400, but invalid UTF-8 (UnicodeDecodeError) and very deep
    nesting (RecursionError) escape msgspec as other exceptions and would be a 500.
    """

    async def json(self) -> Any:
        try:
            return await super().json()
        except (UnicodeDecodeError, RecursionError) as exc:
            reason = "is not UTF-8" if isinstance(exc, UnicodeDecodeError) else "is nested too deeply"
            raise SerializationException(f"JSON is malformed: the body {reason}") from None


@get("/health", media_type=MediaType.JSON, include_in_schema=True, tags=["ops"])
async def health() -> dict[str, str]:
    """Liveness: the process answers. Open to everyone (load balancers have no token)."""
    return {"status": "ok"}


def _constant(value: object) -> Provide:
    """A dependency that is always `value`, one of the adapters create_app builds once."""
    return Provide(lambda: value, use_cache=True, sync_to_thread=False)


def create_app(settings: Settings | None = None, *, services: Services | None = None,
               migrate: bool = True, rate_counters: Counters | None = None) -> Litestar:
    """The Mealkitz app: `services` (built from `settings` unless given) wired to every controller,
    the live-event channels, the job kinds, the dispatcher and the rate limits (counted in `rate_counters`,
    by default Redis when REDIS_URL is set, else memory); `migrate` brings the database up to date first."""
    settings = settings or Settings.from_env()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if migrate:
        upgrade(settings.database_url)
    services = services or Services(settings)
    channels = make_channels(settings)
    publisher = Publisher(channels)
    services.publishers.append(publisher)
    register_scrape_jobs(services)
    register_channel_jobs(services)
    dispatcher = Dispatcher(services)
    dispatcher.attach()
    rate_limits = RequestLimits(settings.rate_limits, rate_counters or make_counters(settings.redis_url),
                                services.sessions)

    return Litestar(
        route_handlers=[health, AuthController, AccountController, CustomerController, MerchantController,
                        DriverController, QuoteController, OrderController, QueueController, SyncController, live,
                        DispatchController, DriverSelfController,
                        MenuScrapeController, MenuChangeController, JobController, WebhookController,
                        ConversationController, InstagramPostController, InstagramProfileController,
                        ChannelAccountController],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        plugins=[PydanticPlugin(prefer_alias=True), channels],
        # Handlers name what they need (`services: NamedDependency[Services]`, `actor: NamedDependency[Actor]`);
        # guards and the OrderIntake middleware run before dependency injection and read the app state.
        dependencies={"services": _constant(services), "dispatcher": _constant(dispatcher),
                      "rate_limits": _constant(rate_limits), "actor": Provide(provide_actor, sync_to_thread=False)},
        state=State({"services": services, "dispatcher": dispatcher, "rate_limits": rate_limits}),
        middleware=[RateLimitMiddleware],
        on_startup=[lambda: services.start(), publisher.bind, rate_limits.bind,
                    *([dispatcher.start] if settings.dispatch_enabled else [])],
        on_shutdown=[dispatcher.stop, lambda: services.stop(), rate_limits.close],
        request_max_body_size=MAX_BODY_BYTES,
        request_class=JsonRequest,
        openapi_config=OpenAPIConfig(
            title="Mealkitz API", version="0.1.0", path="/schema",
            use_handler_docstrings=True,  # each handler's docstring is its operation's description
            components=Components(security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer")}),
            security=[{"bearer": []}],
        ),
        debug=False,
    )
