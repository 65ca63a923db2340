"""`create_app`: the FastAPI application over one store, assembled from one router per page family."""

from __future__ import annotations

import threading
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from lamsach.backends.store import SqlAlchemyStore
from lamsach.web import api, api_v1, audit, auth, changes, dashboard, errors, links, records, review, upload
from lamsach.web.access import router as access_router
from lamsach.web.archive import router as archive_router
from lamsach.web.archive_jobs import ArchiveReader
from lamsach.web.caches import AppCaches
from lamsach.web.config import WebConfig
from lamsach.web.jobs import JobManager
from lamsach.web.key_databases import router as key_databases_router


def create_app(config: WebConfig | None = None, store: SqlAlchemyStore | None = None) -> FastAPI:
    config = config or WebConfig()
    store = store or SqlAlchemyStore.open(config.settings.store_url)
    jobs = JobManager(config, store)
    reader = ArchiveReader(config.settings, store)
    caches = AppCaches()

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        jobs.start()  # also runs what was left queued when the server last stopped
        reader.start()  # and the readings of scans uploaded before it stopped
        threading.Thread(target=dashboard.warm_up, args=(store, config.work_dir, caches), daemon=True).start()
        threading.Thread(target=api_v1.warm_up, args=(_app,), daemon=True).start()
        yield
        jobs.shutdown()
        reader.shutdown()

    app = FastAPI(title="lamsach", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json",
                  lifespan=lifespan)
    app.state.store, app.state.config, app.state.jobs = store, config, jobs
    app.state.archive_reader = reader  # OCR of uploaded scans, queued like the passes
    app.state.caches = caches  # a run's query results and campaign progress, of this app's store only
    errors.install(app)
    app.mount("/static", StaticFiles(directory=str(resources.files("lamsach.web").joinpath("static"))),
              name="static")
    for module in (auth, dashboard, review, links, records, changes, upload, audit, api, api_v1):
        app.include_router(module.router)
    app.include_router(key_databases_router)
    app.include_router(access_router)
    app.include_router(archive_router)

    @app.get("/", include_in_schema=False)
    def home():
        return RedirectResponse("/dashboard", status_code=303)

    app.add_middleware(SecurityHeaders)
    return app


class SecurityHeaders:
    """Headers every answer carries (a plain ASGI middleware: no cost per request to speak of)."""

    HEADERS = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
               (b"referrer-policy", b"same-origin")]

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        static = scope["path"].startswith("/static/")
        versioned = static and b"v=" in scope.get("query_string", b"")

        async def with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", [])) + self.HEADERS
                if versioned:  # the URL changes with the content (`rendering.static_url`)
                    headers.append((b"cache-control", b"public, max-age=31536000, immutable"))
                elif static:
                    headers.append((b"cache-control", b"no-cache"))
                else:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def app_from_environment() -> FastAPI:
    """The app `lamsach serve` starts in each of its processes: settings from LAMSACH_* variables."""
    import os

    from lamsach.web.masking import mask_server_logs

    mask_server_logs()  # no citizen ID in clear in the server's log
    return create_app(WebConfig(secure_cookies=bool(os.environ.get("LAMSACH_WEB_SECURE_COOKIES"))))
