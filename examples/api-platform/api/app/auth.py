from dataclasses import dataclass

from fastapi import Header, HTTPException


@dataclass
class ApiKey:
    user_id: str
    org_id: str


def current_key(authorization: str = Header(...)) -> ApiKey:
    token = authorization.removeprefix("Bearer ").strip()
    if not token.startswith("sk-"):
        raise HTTPException(status_code=401, detail="invalid API key")
    return ApiKey(user_id="u_" + token[-6:], org_id="org_" + token[3:9])
