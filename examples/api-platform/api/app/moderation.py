"""Abuse and safety screening of API request content."""
from dataclasses import dataclass

from openai import OpenAI

client = OpenAI()  # reads OPENAI_API_KEY


@dataclass
class Verdict:
    flagged: bool
    categories: list[str]


def screen_request(request_content: str) -> Verdict:
    result = client.moderations.create(model="omni-moderation-latest", input=request_content)
    first = result.results[0]
    flagged = [name for name, hit in first.categories.model_dump().items() if hit]
    return Verdict(flagged=first.flagged, categories=flagged)
