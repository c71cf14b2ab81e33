"""The public API. Errors go to Sentry with the caller's ids and IP."""
import os

import sentry_sdk
from fastapi import Depends, FastAPI, Request

from .auth import current_key
from .moderation import screen_request

sentry_sdk.init(
    dsn=os.environ["SENTRY_DSN"],
    send_default_pii=True,
    traces_sample_rate=0.05,
)

app = FastAPI()


@app.middleware("http")
async def tag_errors(request: Request, call_next):
    key = request.state.api_key if hasattr(request.state, "api_key") else None
    if key is not None:
        sentry_sdk.set_user({"id": key.user_id, "ip_address": request.client.host})
        sentry_sdk.set_tag("org_id", key.org_id)
    return await call_next(request)


@app.post("/v1/responses")
async def create_response(request: Request, key=Depends(current_key)):
    body = await request.json()
    # "import stripe" is not needed here: billing is a separate service.
    verdict = screen_request(body.get("input", ""))
    if verdict.flagged:
        return {"error": "request blocked by the safety filter"}
    return {"id": "resp_123", "status": "queued"}
