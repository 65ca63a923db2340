"""Web: the FastAPI app (one router per page family), page contexts, templates and static files."""

from lamsach.web.app import create_app
from lamsach.web.config import WebConfig

__all__ = ["WebConfig", "create_app"]
