"""Regulation F's official commentary (12 CFR part 1006, Supplement I) as tests.

Each test encodes one worked example with the commentary's own dates (the weekdays it gives
match 2020) and the outcome it states. The debtor lives in New York and has a New York
number unless the example says otherwise, so "local" is Eastern time.

Source: the plain-text copy of part 1006 in cfpb/reg-text, ``ecfr/1006.txt``.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from collections_tui.domain.compliance import (
    AccountFacts,
    Attempt,
    AvoidWindow,
    Consent,
    PhoneFacts,
    Policy,
    Verdict,
    counted_attempts,
    verdict,
)
from collections_tui.domain.flags import Flag

E = "America/New_York"
P = "America/Los_Angeles"
M = "America/Denver"
MOBILE = PhoneFacts("+12125550101", True, "ok", (E,))
HOME = PhoneFacts("+12125550102", True, "ok", (E,))
WEEKDAYS = frozenset(range(5))
WEEKEND = frozenset({5, 6})


def et(y: int, mo: int, d: int, h: int = 0, mi: int = 0, zone: str = E) -> datetime:
    """A wall-clock time in ``zone`` (Eastern by default) as an aware UTC instant."""
    return datetime(y, mo, d, h, mi, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def call(when: datetime, outcome: str = "no_answer", phone: str | None = MOBILE.e164) -> Attempt:
    return Attempt(when, outcome, phone)


def debtor(**kw: object) -> AccountFacts:
    base: dict[str, object] = {"state": "NY", "phones": (MOBILE,)}
    base.update(kw)
    return AccountFacts(**base)  # type: ignore[arg-type]


def replay_allowed(calls: list[Attempt], facts: AccountFacts) -> list[Verdict]:
    """The verdict just before each call, given the calls placed before it."""
    out = []
    for i, c in enumerate(calls):
        f = AccountFacts(
            flags=facts.flags,
            state=facts.state,
            phones=facts.phones,
            attempts=tuple(calls[:i]),
            consents=facts.consents,
            avoid=facts.avoid,
        )
        out.append(verdict(f, c.at))
    return out


# ----------------------------------------------------------------- § 1006.6(b)(1)


def test_6b1_1_i_creditor_notes_tuesdays_and_thursdays_are_inconvenient() -> None:
    """Comment 6(b)(1)-1.i: notes say the consumer cannot be disturbed on Tuesdays and
    Thursdays through the end of the calendar year → no calls on those days."""
    facts = debtor(avoid=(AvoidWindow(frozenset({1, 3})),))  # Tue, Thu: the whole day
    tue = verdict(facts, et(2020, 11, 10, 10))
    assert tue.reason == "inconvenient_time" and not tue.callable
    assert tue.next_callable_at == et(2020, 11, 11, 8)  # Wednesday, 08:00
    assert verdict(facts, et(2020, 11, 12, 20, 30)).reason == "inconvenient_time"  # Thu
    assert verdict(facts, et(2020, 11, 11, 10)).callable  # Wednesday
    assert verdict(facts, et(2020, 11, 13, 8)).callable  # Friday
    # "through the end of the calendar year": once the note is removed, Tuesdays are open.
    assert verdict(debtor(), et(2021, 1, 5, 10)).callable


def test_6b1_1_ii_weekdays_3_to_5_pm_and_all_weekend() -> None:
    """Comment 6(b)(1)-1.ii: "on weekdays, except from 3:00 p.m. to 5:00 p.m." and no
    convenient time on weekends → 3-5 pm on weekdays and all weekend are inconvenient."""
    facts = debtor(
        avoid=(AvoidWindow(WEEKDAYS, time(15), time(17)), AvoidWindow(WEEKEND)),
    )
    wed_1530 = verdict(facts, et(2020, 9, 9, 15, 30))
    assert wed_1530.reason == "inconvenient_time"
    assert wed_1530.next_callable_at == et(2020, 9, 9, 17)
    assert verdict(facts, et(2020, 9, 9, 14, 59)).callable
    assert verdict(facts, et(2020, 9, 9, 17)).callable
    fri_1600 = verdict(facts, et(2020, 9, 11, 16))
    assert fri_1600.next_callable_at == et(2020, 9, 11, 17)
    sat = verdict(facts, et(2020, 9, 12, 11))
    assert sat.reason == "inconvenient_time"
    assert sat.next_callable_at == et(2020, 9, 14, 8)  # Monday morning
    assert verdict(facts, et(2020, 9, 13, 20)).reason == "inconvenient_time"  # Sunday


def test_6b1_1_iii_home_is_an_inconvenient_place() -> None:
    """Comment 6(b)(1)-1.iii (with 6(b)(1)(ii)-1.i): "don't contact me at home" → calls to
    the home landline are inconvenient; the mobile number is not associated with a place."""
    home = PhoneFacts(HOME.e164, True, "ok", (E,), inconvenient=True)
    facts = debtor(phones=(MOBILE, home))
    now = et(2020, 9, 9, 11)
    to_home = verdict(facts, now, phone=home.e164)
    assert to_home.reason == "inconvenient_time"
    assert to_home.next_callable_at is None  # a place, not a time: no end by the clock
    assert verdict(facts, now, phone=MOBILE.e164).callable
    assert verdict(facts, now).callable  # the account: the mobile can be called
    only_home = verdict(debtor(phones=(home,)), now)
    assert only_home.reason == "inconvenient_time" and only_home.next_callable_at is None


def test_6b1_2_i_ii_consumer_initiated_contact_does_not_lift_the_inconvenience() -> None:
    """Comment 6(b)(1)-2.i/.ii: the consumer contacts the collector at a time (Wednesday
    3:30 pm) or from a place (the home landline) they called inconvenient. The collector
    may respond once, in that contact; afterwards, calls at those times and to that place
    stay prohibited."""
    home = PhoneFacts(HOME.e164, True, "ok", (E,), inconvenient=True)
    inbound = Attempt(et(2020, 9, 9, 15, 30), "conversation", home.e164, inbound=True)
    facts = debtor(
        phones=(MOBILE, home),
        attempts=(inbound,),
        avoid=(AvoidWindow(WEEKDAYS, time(15), time(17)), AvoidWindow(WEEKEND)),
    )
    later_that_day = verdict(facts, et(2020, 9, 9, 15, 45), phone=MOBILE.e164)
    assert "inconvenient_time" in later_that_day.reasons
    assert "inconvenient_time" in verdict(facts, et(2020, 9, 9, 16, 59)).reasons
    assert "inconvenient_time" not in verdict(facts, et(2020, 9, 9, 17)).reasons
    next_week = verdict(facts, et(2020, 9, 16, 15, 30), phone=MOBILE.e164)
    assert next_week.reason == "inconvenient_time"
    to_home = verdict(facts, et(2020, 9, 16, 10), phone=home.e164)
    assert to_home.reason == "inconvenient_time"
    assert verdict(facts, et(2020, 9, 16, 10), phone=MOBILE.e164).callable


def test_6b1_2_iii_iv_fridays_stay_inconvenient_after_the_consumer_reaches_out() -> None:
    """Comment 6(b)(1)-2.iii/.iv: all of Friday is inconvenient; the consumer uses the
    website and emails at 8:30 pm on a Friday. No further calls that Friday, nor on later
    Fridays."""
    facts = debtor(avoid=(AvoidWindow(frozenset({4})),))
    fri_2030 = verdict(facts, et(2020, 9, 11, 20, 30))
    assert fri_2030.reason == "inconvenient_time"
    assert fri_2030.next_callable_at == et(2020, 9, 12, 8)  # Saturday 08:00
    assert verdict(facts, et(2020, 9, 18, 9)).reason == "inconvenient_time"
    assert verdict(facts, et(2020, 9, 17, 20, 59)).callable  # Thursday evening


@pytest.mark.parametrize(
    ("other", "opens"),
    [
        # 6(b)(1)(i)-2.i: Eastern mobile, Pacific address → 11:00-21:00 Eastern
        (AccountFacts(state="CA", phones=(MOBILE,)), 11),
        # 6(b)(1)(i)-2.ii: Eastern mobile, Mountain landline → 10:00-21:00 Eastern
        (
            AccountFacts(state=None, phones=(MOBILE, PhoneFacts("+13035550100", True, "ok", (M,)))),
            10,
        ),
    ],
    ids=["eastern-mobile-pacific-address", "eastern-mobile-mountain-landline"],
)
def test_6b1i_2_conflicting_locations_every_location_must_be_convenient(
    other: AccountFacts, opens: int
) -> None:
    """Comment 6(b)(1)(i)-2.i/.ii: with conflicting location information, call only when
    it is convenient in every location."""
    day = (2020, 10, 14)
    early = verdict(other, et(*day, opens - 1, 59))
    assert early.reason == "outside_hours"
    assert early.next_callable_at == et(*day, opens)
    assert verdict(other, et(*day, opens)).callable
    assert verdict(other, et(*day, 20, 59)).callable
    assert verdict(other, et(*day, 21)).reason == "outside_hours"


def test_6b2_1_represented_consumer_calls_in_but_no_calls_afterwards() -> None:
    """Comment 6(b)(2)-1: a consumer represented by an attorney may call in and get a
    response, but that does not revoke the protection: no further calls to the consumer
    (the attorney flag), whatever consent or history says, and no override."""
    inbound = Attempt(et(2020, 9, 9, 11), "conversation", MOBILE.e164, inbound=True)
    facts = debtor(
        flags=int(Flag.ATTORNEY),
        attempts=(inbound,),
        consents=(Consent(et(2020, 9, 9, 11)),),
    )
    for when in (et(2020, 9, 9, 11, 5), et(2020, 9, 10, 10), et(2020, 10, 1, 10)):
        v = verdict(facts, when)
        assert v.reason == "attorney" and not v.callable
        assert v.next_callable_at is None
        assert not v.overridable


# ----------------------------------------------------------------- § 1006.14(b)(2)(i)


APRIL_2020_7_CALLS = [
    call(et(2020, 4, 1, 10), "voicemail"),  # Wednesday: a limited-content message
    *[call(et(2020, 4, d, 10)) for d in range(2, 8)],  # Thursday 2 .. Tuesday 7, unanswered
]


def test_14b2i_1_i_seven_calls_in_seven_days_then_none_until_the_eighth_day() -> None:
    """Comment 14(b)(2)(i)-1.i: one call with a limited-content message on Wednesday,
    April 1, six more unanswered calls April 2-7 (7 within 7 consecutive days), none
    again until Wednesday, April 8 → presumed to comply."""
    facts = debtor()
    assert all(v.callable for v in replay_allowed(APRIL_2020_7_CALLS, facts))
    after7 = verdict(debtor(attempts=tuple(APRIL_2020_7_CALLS)), et(2020, 4, 7, 14))
    assert after7.reason == "frequency_cap"  # an eighth call on April 7 would exceed
    assert after7.next_callable_at == et(2020, 4, 8, 8)
    assert verdict(debtor(attempts=tuple(APRIL_2020_7_CALLS)), et(2020, 4, 8, 8)).callable


def test_14b2i_1_ii_consumer_initiated_conversation_starts_the_seven_days() -> None:
    """Comment 14(b)(2)(i)-1.ii: on Thursday, August 13, the consumer calls and has a
    conversation; no call to the consumer again before Thursday, August 20 → complies."""
    inbound = Attempt(et(2020, 8, 13, 14), "conversation", MOBILE.e164, inbound=True)
    facts = debtor(attempts=(inbound,))
    for d in range(13, 20):
        v = verdict(facts, et(2020, 8, d, 15))
        assert v.reason == "recent_conversation", d
        assert v.next_callable_at == et(2020, 8, 20, 8)
    assert verdict(facts, et(2020, 8, 19, 20, 59)).reason == "recent_conversation"
    assert verdict(facts, et(2020, 8, 20, 8)).callable
    # the inbound contact is not a call attempt: it never counts toward the cap
    assert counted_attempts(facts, et(2020, 8, 13), et(2020, 8, 20)) == 0


def test_14b2i_3_i_calls_to_a_number_found_to_be_someone_elses_are_not_calls_to_them() -> None:
    """Comment 14(b)(2)(i)-3.i: unanswered calls on Monday and Wednesday to a number; on
    Thursday the collector learns it belongs to someone else → no calls to the consumer
    yet in that seven-day period."""
    wrong = "+12125550199"
    history = [
        call(et(2020, 10, 5, 10), "no_answer", wrong),  # Monday
        call(et(2020, 10, 7, 10), "no_answer", wrong),  # Wednesday
        call(et(2020, 10, 8, 10), "wrong_number", wrong),  # Thursday: not their number
    ]
    facts = debtor(attempts=tuple(history))
    assert counted_attempts(facts, et(2020, 10, 5), et(2020, 10, 12)) == 0
    # so seven calls to the consumer's own number still fit in the same period ...
    own = [call(et(2020, 10, 8, 11 + i)) for i in range(4)]
    own += [call(et(2020, 10, 9, 11 + i)) for i in range(3)]
    with_own = debtor(attempts=tuple(history + own[:6]))
    assert verdict(with_own, et(2020, 10, 9, 16)).callable  # before the 7th
    full = debtor(attempts=tuple(history + own))
    assert verdict(full, et(2020, 10, 9, 18)).reason == "frequency_cap"  # an 8th: no
    # ... whereas before the wrong number was known, the two calls counted.
    unknown = debtor(attempts=tuple(history[:2] + own[:5]))
    assert verdict(unknown, et(2020, 10, 9, 15)).reason == "frequency_cap"


# ----------------------------------------------------------------- § 1006.14(b)(2)(ii)


def test_14b2ii_1_i_eight_calls_in_seven_days_is_a_violation() -> None:
    """Comment 14(b)(2)(ii)-1.i: a call with a limited-content message on Wednesday,
    April 1; two more on each of Thursday 2, Friday 3 and Monday 6; one on Tuesday 7 is
    the eighth within seven days starting April 1 → presumed violation."""
    calls = [call(et(2020, 4, 1, 10), "voicemail")]
    for d in (2, 3, 6):
        calls += [call(et(2020, 4, d, 10)), call(et(2020, 4, d, 15))]
    assert len(calls) == 7
    assert all(v.callable for v in replay_allowed(calls, debtor()))
    eighth = verdict(debtor(attempts=tuple(calls)), et(2020, 4, 7, 10))
    assert eighth.reason == "frequency_cap" and not eighth.callable
    assert eighth.next_callable_at == et(2020, 4, 8, 8)  # April 1 leaves the window
    assert "7 call attempts in 7 days" in eighth.message


def test_14b2ii_1_ii_call_within_seven_days_of_a_conversation_is_a_violation() -> None:
    """Comment 14(b)(2)(ii)-1.ii: unanswered call Tuesday, August 11; call with a
    conversation Friday, August 14 → a call before Friday, August 21 is a violation."""
    facts = debtor(
        attempts=(call(et(2020, 8, 11, 10)), call(et(2020, 8, 14, 10), "conversation")),
    )
    for when in (et(2020, 8, 14, 16), et(2020, 8, 17, 10), et(2020, 8, 20, 20, 59)):
        v = verdict(facts, when)
        assert v.reason == "recent_conversation"
        assert v.next_callable_at == et(2020, 8, 21, 8)
    assert verdict(facts, et(2020, 8, 21, 8)).callable


# ----------------------------------------------------------------- § 1006.14(b)(3)


def test_14b3i_3_i_call_back_on_monday_is_consent_for_monday() -> None:
    """Comment 14(b)(3)(i)-3.i: in a conversation on Friday, April 3 the consumer says
    "call back on Monday" → calls on Monday, April 6 keep the presumption of compliance."""
    conv = call(et(2020, 4, 3, 11), "callback_requested")
    facts = debtor(
        attempts=(conv,),
        consents=(Consent(conv.at, callback_at=et(2020, 4, 6, 10)),),
    )
    sunday = verdict(facts, et(2020, 4, 5, 12))
    assert sunday.reason == "recent_conversation"
    assert sunday.next_callable_at == et(2020, 4, 6, 8)  # the callback's day opens it
    monday = verdict(facts, et(2020, 4, 6, 10))
    assert monday.callable and monday.under_consent
    assert verdict(facts, et(2020, 4, 6, 20, 59)).callable  # the whole local day
    tuesday = verdict(facts, et(2020, 4, 7, 10))
    assert tuesday.reason == "recent_conversation"
    assert tuesday.next_callable_at == et(2020, 4, 10, 8)  # Friday + 7
    # the Monday calls do not count toward the cap
    monday_calls = [call(et(2020, 4, 6, h)) for h in (9, 11, 13, 15, 17, 19, 20)]
    busy_monday = debtor(attempts=(conv, *monday_calls), consents=facts.consents)
    assert counted_attempts(busy_monday, et(2020, 4, 6), et(2020, 4, 7)) == 0
    assert verdict(busy_monday, et(2020, 4, 10, 8)).callable


def test_14b3i_3_ii_consent_ends_with_the_next_conversation() -> None:
    """Comment 14(b)(3)(i)-3.ii: same, but no day is named; on Monday, April 6 the
    collector calls back and has a conversation. A call on Wednesday, April 8 without new
    consent counts, and is presumed a violation."""
    friday = call(et(2020, 4, 3, 11), "conversation")
    consent = Consent(friday.at)
    before_monday = debtor(attempts=(friday,), consents=(consent,))
    monday = verdict(before_monday, et(2020, 4, 6, 10))
    assert monday.callable and monday.under_consent
    monday_conv = call(et(2020, 4, 6, 10), "conversation")
    after = debtor(attempts=(friday, monday_conv), consents=(consent,))
    wednesday = verdict(after, et(2020, 4, 8, 10))
    assert wednesday.reason == "recent_conversation" and not wednesday.under_consent
    assert wednesday.next_callable_at == et(2020, 4, 13, 8)  # Monday + 7
    # the Monday call itself was placed under consent: it does not count
    assert counted_attempts(after, et(2020, 4, 6), et(2020, 4, 7)) == 0


def test_14b3i_3_iii_calls_under_emailed_consent_are_excluded_for_seven_days() -> None:
    """Comment 14(b)(3)(i)-3.iii: three unanswered calls June 1-3; consent by email on
    Thursday, June 4; eight unanswered calls June 8-10 don't count; calls on or after
    Thursday, June 11 count again."""
    early = [call(et(2020, 6, d, 10)) for d in (1, 2, 3)]
    consent = Consent(et(2020, 6, 4, 9, 30))
    later = [call(et(2020, 6, 8, 9 + i)) for i in range(3)]
    later += [call(et(2020, 6, 9, 9 + i)) for i in range(3)]
    later += [call(et(2020, 6, 10, 9 + i)) for i in range(2)]
    assert len(later) == 8
    for i, c in enumerate(later):
        v = verdict(debtor(attempts=tuple(early + later[:i]), consents=(consent,)), c.at)
        assert v.callable and v.under_consent, i
    facts = debtor(attempts=tuple(early + later), consents=(consent,))
    assert counted_attempts(facts, et(2020, 6, 4), et(2020, 6, 11)) == 0
    june11 = verdict(facts, et(2020, 6, 11, 9))
    assert june11.callable and not june11.under_consent  # consent over; 8 calls not counted
    # without the consent the same eight calls would have hit the cap on June 9
    no_consent = debtor(attempts=tuple(early + later[:7]))
    assert verdict(no_consent, et(2020, 6, 10, 9)).reason == "frequency_cap"
    # and calls from June 11 count again: seven of them fill the window
    june11_calls = [call(et(2020, 6, 11, 9 + i)) for i in range(7)]
    full = debtor(attempts=tuple(early + later + june11_calls), consents=(consent,))
    assert verdict(full, et(2020, 6, 11, 17)).reason == "frequency_cap"


@pytest.mark.parametrize(
    ("outcome", "counts"),
    [
        ("busy", False),
        ("not_in_service", False),
        ("no_answer", True),  # rang, nobody answered
        ("voicemail", True),  # reached a recorded message, message left or not
        ("third_party", True),  # answered (by someone else), even if it then drops
        ("conversation", True),
    ],
)
def test_14b3ii_1_unconnected_calls_do_not_count(outcome: str, counts: bool) -> None:
    """Comment 14(b)(3)(ii)-1: a busy signal or a not-in-service indication does not
    connect, so it does not count; a call that rings, reaches voicemail or is answered
    does."""
    other = PhoneFacts("+12125550150", True, "ok", (E,))
    seven = tuple(call(et(2020, 7, 6, 9 + i), outcome, other.e164) for i in range(7))
    facts = debtor(phones=(MOBILE, other), attempts=seven)
    assert counted_attempts(facts, et(2020, 7, 6), et(2020, 7, 7)) == (7 if counts else 0)
    v = verdict(facts, et(2020, 7, 7, 10), phone=MOBILE.e164)
    if outcome == "conversation":
        assert v.reason == "recent_conversation"
    elif counts:
        assert v.reason == "frequency_cap"
    else:
        assert v.callable


def test_policy_changes_apply_to_the_examples() -> None:
    """The limits come from the policy: with a cap of 8 the April 7 call is allowed."""
    calls = [call(et(2020, 4, 1, 10), "voicemail")]
    for d in (2, 3, 6):
        calls += [call(et(2020, 4, d, 10)), call(et(2020, 4, d, 15))]
    v = verdict(debtor(attempts=tuple(calls)), et(2020, 4, 7, 10), Policy(cap_attempts=8))
    assert v.callable
