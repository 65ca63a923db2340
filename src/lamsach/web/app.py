"""`create_app`: the FastAPI application over one store, assembled from one router per page family."""

from __future__ import annotations

from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from lamsach.backends.store import SqlAlchemyStore
from lamsach.web import api, audit, auth, dashboard, errors, records, review, upload
from lamsach.web.config import WebConfig
from lamsach.web.jobs import JobManager


def create_app(config: WebConfig | None = None, store: SqlAlchemyStore | None = None) -> FastAPI:
    config = config or WebConfig()
    store = store or SqlAlchemyStore.open(config.settings.store_url)
    jobs = JobManager(config)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        jobs.shutdown()

    app = FastAPI(title="lamsach", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json",
                  lifespan=lifespan)
    app.state.store, app.state.config, app.state.jobs = store, config, jobs
    errors.install(app)
    app.mount("/static", StaticFiles(directory=str(resources.files("lamsach.web").joinpath("static"))),
              name="static")
    for module in (auth, dashboard, review, records, upload, audit, api):
        app.include_router(module.router)

    @app.get("/", include_in_schema=False)
    def home():
        return RedirectResponse("/dashboard", status_code=303)

    @app.middleware("http")
    async def security_headers(request, call_next):
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    return app
