"""Fixtures for the route tests: a therapist's account, and a client signed in to it."""

import pytest

from tests.factories import add_therapist, sign_in


@pytest.fixture
def therapist(app):
    """Kim Lee's account (kim@example.com); the password."""
    return add_therapist(app)


@pytest.fixture
def signed_in(client, therapist):
    assert sign_in(client).status_code == 302
    return client
