"""domain.compliance: the API, the policy, the helpers, and property tests (hypothesis)."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from collections_tui.domain.compliance import (
    NOT_CONNECTED,
    OUTCOMES,
    OVERRIDABLE,
    REASONS,
    RIGHT_PARTY,
    AccountFacts,
    Attempt,
    AvoidWindow,
    Consent,
    PhoneFacts,
    Policy,
    blocked_until,
    counted_attempts,
    debtor_zones,
    verdict,
    zone_set_callable,
)
from collections_tui.domain.flags import Flag
from collections_tui.domain.zones import DEFAULT_ZONES, zone_set

E = "America/New_York"
P = "America/Los_Angeles"
NY = PhoneFacts("+12125550100", True, "ok", (E,))
LA = PhoneFacts("+13105550100", True, "ok", (P,))
TOLL = PhoneFacts("+18005550100", True, "ok", ())


def et(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=ZoneInfo(E)).astimezone(UTC)


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


# ----------------------------------------------------------------- the contract's codes


def test_outcome_codes_are_design_4_in_order() -> None:
    assert OUTCOMES == (
        "no_answer",
        "voicemail",
        "busy",
        "not_in_service",
        "wrong_number",
        "third_party",
        "conversation",
        "promise",
        "arrangement",
        "paid",
        "refused",
        "dispute",
        "callback_requested",
    )
    assert {
        "conversation",
        "promise",
        "arrangement",
        "paid",
        "refused",
        "dispute",
        "callback_requested",
    } == RIGHT_PARTY
    assert {"busy", "not_in_service"} == NOT_CONNECTED
    assert set(OUTCOMES) >= RIGHT_PARTY and set(OUTCOMES) >= NOT_CONNECTED


def test_reason_codes_in_severity_order() -> None:
    assert REASONS == (
        "cease",
        "bankruptcy",
        "attorney",
        "deceased",
        "dispute",
        "claim_pending",
        "no_dialable_phone",
        "leased",
        "recent_conversation",
        "frequency_cap",
        "state_cap",
        "inconvenient_time",
        "outside_hours",
    )
    assert "ok" not in REASONS
    assert set(REASONS) - OVERRIDABLE == {"cease", "attorney", "bankruptcy"}


def test_overridable_property() -> None:
    now = et(2026, 1, 14, 12)
    assert not verdict(
        AccountFacts(state="NY", phones=(NY,), flags=int(Flag.CEASE)), now
    ).overridable
    dispute = verdict(AccountFacts(state="NY", phones=(NY,), flags=int(Flag.DISPUTE)), now)
    assert dispute.overridable
    ok = verdict(AccountFacts(state="NY", phones=(NY,)), now)
    assert ok.callable and not ok.overridable


# ----------------------------------------------------------------- policy


def test_policy_defaults() -> None:
    p = Policy()
    assert (p.earliest, p.latest) == (time(8), time(21))
    assert (p.cap_attempts, p.cap_days, p.conversation_wait_days, p.consent_days) == (7, 7, 7, 7)
    assert p.default_zones == DEFAULT_ZONES
    assert dict(p.state_caps) == {"MA": 2}
    assert p.office_zone == E
    hash(p)  # usable as a key


@pytest.mark.parametrize(
    "kwargs",
    [
        {"earliest": time(21), "latest": time(8)},
        {"cap_attempts": 0},
        {"cap_days": 0},
        {"consent_days": 0},
        {"default_zones": ()},
        {"state_caps": {"MA": 0}},
        {"default_zones": ("Mars/Olympus",)},
        {"office_zone": "Nowhere/Town"},
    ],
)
def test_policy_rejects_nonsense(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Policy(**kwargs)  # type: ignore[arg-type]


def test_policy_state_caps_are_normalised_and_read_only() -> None:
    p = Policy(state_caps={" ma ": 3})
    assert dict(p.state_caps) == {"MA": 3}
    with pytest.raises(TypeError):
        p.state_caps["NY"] = 1  # type: ignore[index]


def test_policy_from_config() -> None:
    p = Policy.from_config(
        {
            "earliest": "09:00",
            "latest": "20:00",
            "cap_attempts": 5,
            "state_caps": {"MA": 2, "WA": 3},
            "default_zones": ["America/Chicago"],
            "office_zone": "America/Chicago",
        }
    )
    assert (p.earliest, p.latest, p.cap_attempts) == (time(9), time(20), 5)
    assert dict(p.state_caps) == {"MA": 2, "WA": 3}
    assert p.default_zones == ("America/Chicago",)
    assert Policy.from_config({}) == Policy()


@pytest.mark.parametrize(
    "data",
    [
        {"earliest": "8 am"},
        {"cap_days": "7"},
        {"cap_days": True},
        {"colour": "red"},
        {"default_zones": "America/Chicago"},
        {"default_zones": ["Mars/Olympus"]},
        {"office_zone": "Nowhere/Town"},
        {"state_caps": {"MA": "two"}},
    ],
)
def test_policy_from_config_errors(data: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Policy.from_config(data)


def test_policy_changes_the_hours() -> None:
    f = AccountFacts(state="NY", phones=(NY,))
    now = et(2026, 1, 14, 8, 30)
    v = verdict(f, now, Policy(earliest=time(9), latest=time(20)))
    assert v.reason == "outside_hours" and v.next_callable_at == et(2026, 1, 14, 9)
    assert verdict(f, et(2026, 1, 14, 20), Policy(latest=time(20))).reason == "outside_hours"


# ----------------------------------------------------------------- zones


def test_debtor_zones_equal_the_zone_set_of_dialable_phones() -> None:
    phones = (NY, LA, TOLL, PhoneFacts("+13035550100", True, "bad", ("America/Denver",)))
    f = AccountFacts(state="TX", phones=phones)
    expected = zone_set("TX", "US", [NY.zones, LA.zones, TOLL.zones], DEFAULT_ZONES)
    assert debtor_zones(f) == expected
    assert "America/Denver" in expected  # from Texas, not from the bad phone
    assert debtor_zones(AccountFacts(state="NY", phones=(LA,))) == (P, E)  # sorted by name


def test_debtor_zones_fall_back_to_the_policy_defaults() -> None:
    f = AccountFacts(
        state=None, phones=(TOLL, PhoneFacts("+15005550100", True, "ok", ("Etc/Unknown",)))
    )
    assert debtor_zones(f) == tuple(sorted(DEFAULT_ZONES))
    assert debtor_zones(f, Policy(default_zones=("America/Chicago",))) == ("America/Chicago",)
    assert debtor_zones(AccountFacts(state="ZZ")) == tuple(sorted(DEFAULT_ZONES))


def test_unknown_zone_names_are_ignored_consistently() -> None:
    weird = PhoneFacts("+12125550100", True, "ok", ("Nowhere/Town", E))
    f = AccountFacts(state=None, phones=(weird,))
    v = verdict(f, et(2026, 1, 14, 12))
    assert v.callable and [lt.zone for lt in v.local_times] == [E]
    assert zone_set_callable(("Nowhere/Town", E), et(2026, 1, 14, 12))


@pytest.mark.parametrize(
    ("zones", "when", "inside"),
    [
        ((E,), et(2026, 1, 14, 8), True),
        ((E,), et(2026, 1, 14, 7, 59), False),
        ((E, P), et(2026, 1, 14, 10, 59), False),
        ((E, P), et(2026, 1, 14, 11), True),
        ((E, P), et(2026, 1, 14, 20, 59), True),
        ((E, P), et(2026, 1, 14, 21), False),
        ((), et(2026, 1, 14, 10, 59), False),  # no zone → the default mainland zones
        ((), et(2026, 1, 14, 11), True),
    ],
)
def test_zone_set_callable(zones: tuple[str, ...], when: datetime, inside: bool) -> None:
    assert zone_set_callable(zones, when) is inside


# ----------------------------------------------------------------- instants


def test_now_must_be_aware() -> None:
    with pytest.raises(ValueError):
        verdict(AccountFacts(state="NY", phones=(NY,)), datetime(2026, 1, 14, 12))
    with pytest.raises(ValueError):
        zone_set_callable((E,), datetime(2026, 1, 14, 12))


def test_any_aware_now_is_accepted_and_answers_in_utc() -> None:
    f = AccountFacts(state="NY", phones=(NY,))
    plus2 = datetime(2026, 1, 14, 14, 0, tzinfo=timezone(timedelta(hours=2)))  # 07:00 EST
    v = verdict(f, plus2)
    assert v.reason == "outside_hours"
    assert v.next_callable_at == et(2026, 1, 14, 8)
    assert v.next_callable_at is not None and v.next_callable_at.tzinfo is UTC


def test_local_times_are_the_debtors_clocks() -> None:
    f = AccountFacts(state="CA", phones=(NY,))
    v = verdict(f, utc(2026, 1, 14, 17, 30))
    assert [(lt.zone, lt.local.strftime("%H:%M")) for lt in v.local_times] == [
        (P, "09:30"),
        (E, "12:30"),
    ]


def test_messages_in_words() -> None:
    f = AccountFacts(state="CA", phones=(NY,))
    v = verdict(f, et(2026, 1, 14, 10, 30))
    assert v.message == (
        "Outside calling hours: 07:30 in Los Angeles — callable from 08:00 PST, 11:00 EST"
    )
    ok = verdict(f, et(2026, 1, 14, 12))
    assert ok.message == "Callable now: 12:00 in New York, 09:00 in Los Angeles"
    night = verdict(f, et(2026, 1, 14, 22))
    assert night.message.endswith("callable from Thu 15 Jan 08:00 PST, Thu 15 Jan 11:00 EST")


def test_fall_back_repeated_hour_in_an_avoid_window() -> None:
    """01:15 EST on 2024-11-03 is the second pass of 01:xx; the window ends at the
    second 01:30, not the first (which is already past)."""
    policy = Policy(earliest=time(0), latest=time(23, 59))
    f = AccountFacts(
        state="NY",
        phones=(NY,),
        avoid=(AvoidWindow(frozenset({6}), None, time(1, 30)),),
    )
    now = utc(2024, 11, 3, 6, 15)  # 01:15 EST
    v = verdict(f, now, policy)
    assert v.reason == "inconvenient_time"
    assert v.next_callable_at == utc(2024, 11, 3, 6, 30)


def test_calling_hours_starting_inside_a_dst_gap() -> None:
    """With hours from 02:30, the spring-forward day opens at the switch (03:00 EDT)."""
    policy = Policy(earliest=time(2, 30))
    f = AccountFacts(state="NY", phones=(NY,))
    v = verdict(f, utc(2024, 3, 10, 6), policy)  # 01:00 EST
    assert v.next_callable_at == utc(2024, 3, 10, 7)  # 03:00 EDT
    first = verdict(f, utc(2024, 11, 3, 5), Policy(earliest=time(1, 30)))  # 01:00 EDT
    assert first.next_callable_at == utc(2024, 11, 3, 5, 30)  # the first 01:30


def test_day_that_starts_at_one_am() -> None:
    """Havana springs forward at midnight: 10 March 2024 starts at 01:00 CDT."""
    havana = PhoneFacts("+5372345678", True, "ok", ("America/Havana",))
    conv = Attempt(utc(2024, 3, 3, 15), "conversation", havana.e164)
    f = AccountFacts(state=None, country="CU", phones=(havana,), attempts=(conv,))
    assert blocked_until(f, utc(2024, 3, 5, 15)) == utc(2024, 3, 10, 5)


# ----------------------------------------------------------------- counting


def test_counted_attempts() -> None:
    other = PhoneFacts("+12125550150", True, "ok", (E,))
    attempts = (
        Attempt(et(2026, 1, 12, 9), "no_answer", NY.e164),
        Attempt(et(2026, 1, 12, 10), "busy", NY.e164),
        Attempt(et(2026, 1, 12, 11), "not_in_service", NY.e164),
        Attempt(et(2026, 1, 12, 12), "voicemail", other.e164),  # later found wrong
        Attempt(et(2026, 1, 12, 13), "wrong_number", other.e164),
        Attempt(et(2026, 1, 12, 14), "promise", NY.e164, inbound=True),
        Attempt(et(2026, 1, 13, 9), "no_answer", NY.e164),  # under consent
        Attempt(et(2026, 1, 13, 10), "conversation", NY.e164),  # under consent, ends it
        Attempt(et(2026, 1, 13, 11), "no_answer", NY.e164),
    )
    f = AccountFacts(
        state="NY",
        phones=(NY, other),
        attempts=attempts,
        consents=(Consent(et(2026, 1, 12, 15)),),
    )
    start, end = et(2026, 1, 12), et(2026, 1, 14)
    assert counted_attempts(f, start, end) == 2
    assert counted_attempts(f, start, end, for_state_cap=True) == 4
    assert counted_attempts(f, et(2026, 1, 13), end) == 1


def test_attempt_in_the_consent_call_itself_is_not_under_consent() -> None:
    """The call in which consent is given was placed before it was given."""
    conv = Attempt(et(2026, 1, 12, 10), "callback_requested", NY.e164)
    f = AccountFacts(state="NY", phones=(NY,), attempts=(conv,), consents=(Consent(conv.at),))
    assert counted_attempts(f, et(2026, 1, 12), et(2026, 1, 13)) == 1


def test_consent_before_it_is_given_does_not_apply() -> None:
    """Consent received at 15:00 does not cover a call that morning."""
    morning = [Attempt(et(2026, 1, 14, 8, i), "no_answer", NY.e164) for i in range(7)]
    f = AccountFacts(
        state="NY",
        phones=(NY,),
        attempts=tuple(morning),
        consents=(Consent(et(2026, 1, 14, 15)),),
    )
    assert counted_attempts(f, et(2026, 1, 14), et(2026, 1, 15)) == 7
    v = verdict(f, et(2026, 1, 14, 12))
    assert v.reason == "frequency_cap"
    assert v.next_callable_at == et(2026, 1, 14, 15)  # the consent lifts the cap then
    assert verdict(f, et(2026, 1, 14, 15)).under_consent


# ----------------------------------------------------------------- blocked_until


def test_blocked_until_none_without_history_blocks() -> None:
    f = AccountFacts(state="NY", phones=(NY,), flags=int(Flag.CEASE))
    assert blocked_until(f, et(2026, 1, 14, 3)) is None  # flags and hours are not history


def test_blocked_until_is_the_end_of_the_history_block() -> None:
    conv = Attempt(et(2026, 1, 13, 10), "conversation", NY.e164)
    f = AccountFacts(state="NY", phones=(NY,), attempts=(conv,))
    assert blocked_until(f, et(2026, 1, 14, 12)) == et(2026, 1, 20)  # local midnight
    v = verdict(f, et(2026, 1, 14, 12))
    assert v.next_callable_at == et(2026, 1, 20, 8)


def test_blocked_until_counts_a_future_consent() -> None:
    """A callback consent lifts the wait on its day: blocked_until may not be later."""
    conv = Attempt(et(2026, 1, 16, 11), "callback_requested", NY.e164)
    f = AccountFacts(
        state="NY",
        phones=(NY,),
        attempts=(conv,),
        consents=(Consent(conv.at, callback_at=et(2026, 1, 19, 14)),),
    )
    assert blocked_until(f, et(2026, 1, 17, 12)) == et(2026, 1, 19)
    assert verdict(f, et(2026, 1, 17, 12)).next_callable_at == et(2026, 1, 19, 8)


def test_blocked_until_includes_state_caps() -> None:
    calls = tuple(Attempt(et(2026, 1, 12, 10 + i), "no_answer", NY.e164) for i in range(2))
    f = AccountFacts(state="MA", phones=(NY,), attempts=calls)
    assert blocked_until(f, et(2026, 1, 13, 12)) == et(2026, 1, 19)
    assert blocked_until(replace(f, state="NY"), et(2026, 1, 13, 12)) is None


# ----------------------------------------------------------------- properties

ZONE_PHONES = [
    NY,
    LA,
    TOLL,
    PhoneFacts("+13125550100", True, "ok", ("America/Chicago",)),
    PhoneFacts("+13035550100", True, "ok", ("America/Denver",)),
    PhoneFacts("+16025550100", True, "ok", ("America/Phoenix",)),
    PhoneFacts("+18085550100", True, "ok", ("Pacific/Honolulu",)),
    PhoneFacts("+19075550100", True, "ok", ("America/Anchorage",)),
    PhoneFacts("+447700900100", True, "ok", ("Europe/London",)),
    PhoneFacts("+12125550111", True, "bad", (E,)),
    PhoneFacts("+12125550112", True, "dnc", (E,)),
    PhoneFacts("+12125550113", True, "ok", (E,), inconvenient=True),
    PhoneFacts("+1212555", False, "ok", ()),
]
STATES = [None, "NY", "CA", "MA", "AK", "HI", "AZ", "IN", "TN", "FL", "ID", "TX", "ZZ"]
START = datetime(2024, 1, 1, tzinfo=UTC)
END = datetime(2026, 12, 31, tzinfo=UTC)

nows = st.one_of(
    st.datetimes(
        min_value=START.replace(tzinfo=None),
        max_value=END.replace(tzinfo=None),
        timezones=st.just(UTC),
    ),
    # around the US and EU DST switches
    st.sampled_from(
        [utc(2024, 3, 10), utc(2024, 3, 31), utc(2024, 11, 3), utc(2024, 10, 27), utc(2025, 3, 9)]
    ).flatmap(
        lambda d: st.integers(-3 * 24 * 60, 3 * 24 * 60).map(lambda m: d + timedelta(minutes=m))
    ),
)


def random_account(rnd: random.Random, now: datetime) -> AccountFacts:
    """A random account around ``now``: built from a seed (cheap, so hypothesis can try
    many), with history in the last 12 days, consents, avoid windows, flags and leases."""

    def near(lo_min: int, hi_min: int) -> datetime:
        return now + timedelta(minutes=rnd.randint(lo_min, hi_min))

    phones = tuple(rnd.sample(ZONE_PHONES, rnd.randint(0, 3)))
    e164s = [p.e164 for p in phones] + [None]
    attempts = tuple(
        Attempt(
            near(-12 * 24 * 60, 60),
            rnd.choice(OUTCOMES),
            rnd.choice(e164s),
            rnd.random() < 0.2,
        )
        for _ in range(rnd.randint(0, 12))
    )
    consents = []
    for _ in range(rnd.choice((0, 0, 1, 2))):
        given = near(-10 * 24 * 60, 60)
        consents.append(
            Consent(
                given,
                given + timedelta(minutes=rnd.randint(1, 9000)) if rnd.random() < 0.3 else None,
                given + timedelta(minutes=rnd.randint(0, 9000)) if rnd.random() < 0.2 else None,
                given + timedelta(minutes=rnd.randint(0, 9000)) if rnd.random() < 0.4 else None,
            )
        )

    def hour() -> time | None:
        return None if rnd.random() < 0.3 else time(rnd.randint(0, 23), rnd.choice((0, 30)))

    avoid = tuple(
        AvoidWindow(frozenset(rnd.sample(range(7), rnd.randint(1, 3))), hour(), hour())
        for _ in range(rnd.choice((0, 0, 1, 2)))
    )
    flags = rnd.choice(
        [0] * 6 + [int(Flag.CEASE), int(Flag.DISPUTE), int(Flag.DISPUTE | Flag.ATTORNEY)]
    )
    lease = rnd.choice([None, None, "alice", "bob"])
    return AccountFacts(
        flags=flags,
        state=rnd.choice(STATES),
        phones=phones,
        attempts=attempts,
        consents=tuple(consents),
        avoid=avoid,
        claim_pending=rnd.random() < 0.1,
        lease_holder=lease,
        lease_expires_at=near(-60, 600) if rnd.random() < 0.8 else None,
    )


cases = st.tuples(nows, st.integers(0, 2**63)).map(
    lambda ns: (ns[0], random_account(random.Random(ns[1]), ns[0]))
)
PROPS = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(cases)
def test_property_verdict_is_consistent(case: tuple[datetime, AccountFacts]) -> None:
    now, facts = case
    v = verdict(facts, now, coordinator="alice")
    zones = debtor_zones(facts)
    assert [lt.zone for lt in v.local_times] == list(zones)
    assert v.callable == (v.reason == "ok") == (v.reasons == ())
    if v.callable:
        assert v.next_callable_at == now
        for lt in v.local_times:  # inside [08:00, 21:00) in every zone
            assert time(8) <= lt.local.time() < time(21)
        assert zone_set_callable(zones, now)  # the SQL pre-filter lets it through
        assert blocked_until(facts, now) is None
    else:
        assert v.reasons[0] == v.reason and set(v.reasons) <= set(REASONS)
        assert list(v.reasons) == sorted(v.reasons, key=REASONS.index)
        assert not v.under_consent
    assert zone_set_callable(zones, now) == ("outside_hours" not in v.reasons)


@PROPS
@given(cases)
def test_property_next_callable_at_is_exact(case: tuple[datetime, AccountFacts]) -> None:
    now, facts = case
    v = verdict(facts, now, coordinator="alice")
    nxt = v.next_callable_at
    timeless = {
        "cease",
        "bankruptcy",
        "attorney",
        "deceased",
        "dispute",
        "claim_pending",
        "no_dialable_phone",
    }
    if set(v.reasons) & timeless:
        assert nxt is None
    if nxt is None:
        return
    assert nxt >= now
    there = verdict(facts, nxt, coordinator="alice")
    assert there.callable, there.message  # no block at all remains, time-based or other
    if nxt > now:
        assert not v.callable
        just_before = verdict(facts, nxt - timedelta(microseconds=1), coordinator="alice")
        assert not just_before.callable
        # halfway there is still blocked (the first callable instant is nxt)
        mid = now + (nxt - now) / 2
        assert not verdict(facts, mid, coordinator="alice").callable


@PROPS
@given(cases, st.integers(0, 8 * 24 * 60))
def test_property_blocked_until_never_hides_a_callable_account(
    case: tuple[datetime, AccountFacts], minutes_ago: int
) -> None:
    """The cached column, computed earlier with the same facts, never says "blocked" at an
    instant the verdict allows; and it is never after the first callable instant."""
    now, facts = case
    earlier = now - timedelta(minutes=minutes_ago)
    cached = blocked_until(facts, earlier)
    v = verdict(facts, now, coordinator="alice")
    if v.callable:
        assert cached is None or cached <= now
    bu = blocked_until(facts, now)
    if bu is not None:
        assert bu > now
        assert {"recent_conversation", "frequency_cap", "state_cap"} & set(v.reasons)
        if v.next_callable_at is not None:
            assert bu <= v.next_callable_at
    elif not v.callable:
        assert not {"recent_conversation", "frequency_cap", "state_cap"} & set(v.reasons)


@PROPS
@given(cases, st.randoms(use_true_random=False))
def test_property_order_of_facts_does_not_matter(
    case: tuple[datetime, AccountFacts], rnd: random.Random
) -> None:
    now, facts = case
    shuffled = replace(
        facts,
        phones=tuple(rnd.sample(facts.phones, len(facts.phones))),
        attempts=tuple(rnd.sample(facts.attempts, len(facts.attempts))),
        consents=tuple(rnd.sample(facts.consents, len(facts.consents))),
        avoid=tuple(rnd.sample(facts.avoid, len(facts.avoid))),
    )
    assert verdict(facts, now) == verdict(shuffled, now)
    assert blocked_until(facts, now) == blocked_until(shuffled, now)


@PROPS
@given(
    cases,
    st.sampled_from([Flag.CEASE, Flag.BANKRUPTCY, Flag.ATTORNEY, Flag.DECEASED, Flag.DISPUTE]),
)
def test_property_flags_always_block_and_the_most_serious_wins(
    case: tuple[datetime, AccountFacts], flag: Flag
) -> None:
    now, facts = case
    flagged = replace(facts, flags=facts.flags | int(flag))
    v = verdict(flagged, now)
    assert not v.callable and v.next_callable_at is None
    present = [code for code in REASONS[:5] if flagged.flags & int(Flag[code.upper()])]
    assert v.reason == present[0]


@PROPS
@given(cases, st.integers(-6 * 24 * 60, 0))
def test_property_one_more_call_never_unblocks(
    case: tuple[datetime, AccountFacts], minutes: int
) -> None:
    now, facts = case
    before = verdict(facts, now)
    assume(not before.callable)
    more = replace(
        facts, attempts=(*facts.attempts, Attempt(now + timedelta(minutes=minutes), "no_answer"))
    )
    assert not verdict(more, now).callable
