"""Fixtures of the web tests: a therapist's account, and a client signed in with it."""

import pytest

from tests.factories import add_therapist
from tests.web.helpers import sign_in


@pytest.fixture
def therapist(app):
    return add_therapist(app)


@pytest.fixture
def signed_in(client, therapist):
    assert sign_in(client).status_code == 302
    return client
