from unittest import mock

from app import moderation


def test_flagged_requests_are_blocked():
    with mock.patch("app.moderation.client") as client:
        client.moderations.create.return_value.results = [mock.Mock(flagged=True)]
        assert moderation.screen_request("bad").flagged
