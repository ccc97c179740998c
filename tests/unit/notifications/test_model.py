"""The letter model: the status table walked end to end, the channel policy in Python and as SQL alike."""

from __future__ import annotations

import ast
import inspect
import itertools
import re
import sqlite3
import sys
import uuid
from pathlib import Path

import pytest

from notifications import letter_storage, model
from notifications.letter_storage import channel_case
from notifications.model import (
    FINAL,
    OPEN,
    TRANSITIONS,
    AffectedPerson,
    LetterChannel,
    LetterEvent,
    LetterStatus,
    after_failure,
    choose_channel,
    created_status,
    from_statuses,
    next_status,
    sources,
    target,
)
from notifications.tables import LETTER_STATUSES
from protocol.errors import IllegalTransition

ROOT = Path(__file__).parents[3]


def test_every_status_is_reachable_from_queued():
    reached = {LetterStatus.QUEUED}
    frontier = [LetterStatus.QUEUED]
    while frontier:
        status = frontier.pop()
        for (source, _), to in TRANSITIONS.items():
            if source is status and to not in reached:
                reached.add(to)
                frontier.append(to)
    assert reached == set(LetterStatus)


def test_final_statuses_have_no_way_out_and_every_open_one_reaches_one():
    assert {LetterStatus.DELIVERED, LetterStatus.FAILED} == FINAL
    assert not [key for key in TRANSITIONS if key[0] in FINAL]
    for status in OPEN:
        assert any(source is status for source, _ in TRANSITIONS), status


def test_each_event_has_one_target_and_its_sources_are_the_tables():
    for event in LetterEvent:
        to = target(event)
        assert {TRANSITIONS[(s, event)] for s in sources(event)} == {to}
        assert sources(event) <= from_statuses(to)
    assert from_statuses(LetterStatus.QUEUED) == {LetterStatus.SENDING}
    assert sources(LetterEvent.CLAIM) == {LetterStatus.QUEUED}


def test_a_move_the_table_lacks_is_refused_by_name():
    assert next_status(LetterStatus.SENDING, LetterEvent.RETRY) is LetterStatus.QUEUED
    with pytest.raises(IllegalTransition) as refused:
        next_status(LetterStatus.DELIVERED, LetterEvent.CLAIM)
    assert refused.value.rule == "letter-transition"
    assert refused.value.details == {"state": "delivered", "action": "claim"}


def test_the_stored_strings_are_the_enum_values_so_no_data_migration_is_needed():
    assert LETTER_STATUSES == ("queued", "sending", "sent", "delivered", "failed")
    migration = (ROOT / "migrations" / "versions" / "0002_notifications.py").read_text("utf-8")
    assert "status IN ('queued','sending','sent','delivered','failed')" in migration


def test_every_status_the_storage_writes_is_taken_from_the_table():
    """No letter status is spelled in the repository's SQL or updates: they come from the model."""
    source = inspect.getsource(letter_storage)
    quoted = "|".join(s.value for s in LetterStatus)
    assert not re.findall(rf"'({quoted})'", source)
    assert not re.findall(r'status\s*(==|=)\s*"', source)
    assert created_status(LetterChannel.POST) is LetterStatus.QUEUED
    assert created_status(None) is next_status(LetterStatus.QUEUED, LetterEvent.UNREACHABLE)


FACTS = list(itertools.product([False, True], repeat=3))


@pytest.mark.parametrize(("consent", "has_email", "has_address"), FACTS)
def test_the_sql_case_is_the_same_policy_as_choose_channel(consent, has_email, has_address):
    person = AffectedPerson(uuid.uuid4(), "nl", consent, has_email, has_address)
    database = sqlite3.connect(":memory:")
    database.execute("CREATE TABLE affected_persons (consent_electronic, has_email, has_address)")
    database.execute("INSERT INTO affected_persons VALUES (?, ?, ?)", (consent, has_email, has_address))
    (in_sql,) = database.execute(f"SELECT {channel_case('p')} FROM affected_persons p").fetchone()
    assert in_sql == choose_channel(person)


def test_the_sql_case_follows_a_changed_policy(monkeypatch):
    post_only = (model.ChannelRule(LetterChannel.POST, ("has_address",), max_attempts=3),)
    monkeypatch.setattr(letter_storage, "CHANNEL_POLICY", post_only)
    assert channel_case("p") == """CASE WHEN p."has_address" THEN 'post' END"""


def test_each_channel_has_its_own_cap_and_email_falls_back_to_post():
    email, post = (model.RULES[c].max_attempts for c in (LetterChannel.EMAIL, LetterChannel.POST))
    facts = {"has_address": True}
    assert after_failure("email", email - 1, permanent=False, facts=facts) == (LetterEvent.RETRY, None)
    assert after_failure("email", email, permanent=False, facts=facts) == (LetterEvent.REROUTE, LetterChannel.POST)
    assert after_failure("email", 1, permanent=True, facts=facts) == (LetterEvent.REROUTE, LetterChannel.POST)
    assert after_failure("email", 1, permanent=True, facts={"has_address": False}) == (LetterEvent.FAIL, None)
    # a letter rerouted after its email attempts starts post's count afresh
    assert after_failure("post", 1, permanent=False, facts=facts) == (LetterEvent.RETRY, None)
    assert after_failure("post", post, permanent=False, facts=facts) == (LetterEvent.FAIL, None)
    assert after_failure("post", 1, permanent=True, facts=facts) == (LetterEvent.FAIL, None)


def test_the_model_imports_only_the_standard_library_and_the_protocols_errors():
    tree = ast.parse(inspect.getsource(model))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    outside = {name for name in imported if name.split(".")[0] not in sys.stdlib_module_names}
    assert outside == {"protocol.errors"}
