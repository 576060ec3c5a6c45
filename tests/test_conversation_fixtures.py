"""Every conversation fixture: valid captures are clean, invalid ones fail exactly as expected."""

from __future__ import annotations

import pytest
from support.conversations import (
    CONVERSATIONS,
    ConversationFixture,
    canonical_findings,
    conversation_fixtures,
)
from support.fixtures import EXPECT_SUFFIX

from lambda_agent_api.protocol.rules import RULES


@pytest.mark.parametrize("fixture", conversation_fixtures(valid=True), ids=lambda f: f.id)
def test_valid_capture_has_no_finding(fixture: ConversationFixture) -> None:
    result = fixture.check()
    assert canonical_findings(result) == []
    assert result.summary.frames > 0


@pytest.mark.parametrize("fixture", conversation_fixtures(valid=False), ids=lambda f: f.id)
def test_invalid_capture_has_an_expectation(fixture: ConversationFixture) -> None:
    assert fixture.expect_path.exists(), f"{fixture.path.name} needs {fixture.expect_path.name}"


@pytest.mark.parametrize("fixture", conversation_fixtures(valid=False), ids=lambda f: f.id)
def test_invalid_capture_has_exactly_the_expected_findings(fixture: ConversationFixture) -> None:
    expected = fixture.expected()
    assert expected, "an expectation names at least one finding"
    assert canonical_findings(fixture.check()) == expected


def test_every_expectation_belongs_to_a_capture() -> None:
    for path in (CONVERSATIONS / "invalid").glob(f"*{EXPECT_SUFFIX}"):
        stem = path.name.removesuffix(EXPECT_SUFFIX)
        assert any(path.with_name(stem + s).exists() for s in (".jsonl", ".har")), path.name
    assert not list((CONVERSATIONS / "valid").glob(f"*{EXPECT_SUFFIX}"))


def test_every_rule_has_an_invalid_fixture() -> None:
    fixtures = conversation_fixtures(valid=False)
    covered = {finding["rule"] for fixture in fixtures for finding in fixture.expected()}
    assert covered == set(RULES)
