"""create_app: the one place adapters are wired together."""
from __future__ import annotations

import logging

from litestar import Litestar, MediaType, get
from litestar.datastructures import State
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.pydantic import PydanticPlugin

from server.api.accounts import AccountController, AuthController, CustomerController
from server.api.catalog import DriverController, MerchantController
from server.api.orders import OrderController, QueueController, QuoteController
from server.db.migrate import upgrade
from server.errors import EXCEPTION_HANDLERS
from server.services import Services
from server.settings import Settings

MAX_BODY_BYTES = 1_000_000


@get("/health", media_type=MediaType.JSON, include_in_schema=True, tags=["ops"])
async def health() -> dict[str, str]:
    """Liveness: the process answers. Open to everyone (load balancers have no token)."""
    return {"status": "ok"}


def create_app(settings: Settings | None = None, *, services: Services | None = None,
               migrate: bool = True) -> Litestar:
    settings = settings or Settings.from_env()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if migrate:
        upgrade(settings.database_url)
    services = services or Services(settings)

    return Litestar(
        route_handlers=[health, AuthController, AccountController, CustomerController, MerchantController,
                        DriverController, QuoteController, OrderController, QueueController],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        plugins=[PydanticPlugin(prefer_alias=True)],
        state=State({"services": services}),
        on_startup=[lambda: services.start()],
        on_shutdown=[lambda: services.stop()],
        request_max_body_size=MAX_BODY_BYTES,
        openapi_config=OpenAPIConfig(
            title="Mealkitz API", version="0.1.0", path="/schema",
            components=Components(security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer")}),
            security=[{"bearer": []}],
        ),
        debug=False,
    )
