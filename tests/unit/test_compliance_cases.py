"""A table of named compliance cases: every reason code of DESIGN §4 and the edges.

Each case states the facts, the instant, the expected most serious reason and, where it
matters, the exact ``next_callable_at`` and the full list of reasons. Every case is also
checked against the invariants: a callable verdict's next instant is now; a blocked one's
is later, and the verdict there is callable; ``blocked_until`` is never later than that.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
from types import EllipsisType
from zoneinfo import ZoneInfo

import pytest

from collections_tui.domain.compliance import (
    REASONS,
    AccountFacts,
    Attempt,
    AvoidWindow,
    Consent,
    PhoneFacts,
    Policy,
    blocked_until,
    verdict,
)
from collections_tui.domain.flags import Flag

E = "America/New_York"
C = "America/Chicago"
M = "America/Denver"
P = "America/Los_Angeles"
AZ = "America/Phoenix"
HI = "Pacific/Honolulu"
ANC = "America/Anchorage"
ADAK = "America/Adak"
IND = "America/Indiana/Indianapolis"
BOISE = "America/Boise"
LON = "Europe/London"
GUAM = "Pacific/Guam"

NY = PhoneFacts("+12125550100", True, "ok", (E,))
NY2 = PhoneFacts("+17185550100", True, "ok", (E,))
LA = PhoneFacts("+13105550100", True, "ok", (P,))
DEN = PhoneFacts("+13035550100", True, "ok", (M,))
PHX = PhoneFacts("+16025550100", True, "ok", (AZ,))
HNL = PhoneFacts("+18085550100", True, "ok", (HI,))
GU = PhoneFacts("+16715550100", True, "ok", (GUAM,))
UK = PhoneFacts("+447700900100", True, "ok", (LON,))
TOLL = PhoneFacts("+18005550100", True, "ok", ())
UNKNOWN = PhoneFacts("+15005550100", True, "ok", ("Etc/Unknown",))
BAD = PhoneFacts("+12125550111", True, "bad", (E,))
DNC = PhoneFacts("+12125550112", True, "dnc", (E,))
INVALID = PhoneFacts("+1212555", False, "ok", ())
NY_INCONVENIENT = PhoneFacts("+12125550113", True, "ok", (E,), inconvenient=True)
BAD_LA = PhoneFacts("+13105550111", True, "bad", (P,))

WEEKDAYS = frozenset(range(5))
WEEKEND = frozenset({5, 6})
MA_POLICY = Policy()
UNSET: EllipsisType = ...


def at(zone: str, y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    """Wall-clock time in ``zone`` → aware UTC instant."""
    return datetime(y, mo, d, h, mi, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def et(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return at(E, y, mo, d, h, mi)


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


def calls(
    whens: list[datetime], outcome: str = "no_answer", phone: str | None = NY.e164
) -> tuple[Attempt, ...]:
    return tuple(Attempt(w, outcome, phone) for w in whens)


def daily(first: datetime, n: int, outcome: str = "no_answer") -> tuple[Attempt, ...]:
    return calls([first + timedelta(days=i) for i in range(n)], outcome)


def facts(**kw: object) -> AccountFacts:
    base: dict[str, object] = {"state": "NY", "phones": (NY,)}
    base.update(kw)
    return AccountFacts(**base)  # type: ignore[arg-type]


# Weeks used below (Eastern winter time, UTC-5): Monday 2026-01-12 .. Sunday 2026-01-18.
MON = (2026, 1, 12)
TUE = (2026, 1, 13)
WED = (2026, 1, 14)
THU = (2026, 1, 15)
FRI = (2026, 1, 16)
SAT = (2026, 1, 17)
SUN = (2026, 1, 18)
MON2 = (2026, 1, 19)
TUE2 = (2026, 1, 20)
MIDDAY = et(*WED, 12)

ALL_FLAGS = int(Flag.CEASE | Flag.ATTORNEY | Flag.BANKRUPTCY | Flag.DECEASED | Flag.DISPUTE)


@dataclass(frozen=True)
class Case:
    name: str
    facts: AccountFacts
    now: datetime
    reason: str
    next_at: datetime | EllipsisType | None = UNSET
    reasons: tuple[str, ...] | None = None
    phone: str | None = None
    coordinator: str | None = None
    policy: Policy = field(default_factory=Policy)
    message: str | None = None
    under_consent: bool | None = None


CASES: list[Case] = [
    # ------------------------------------------------------------------ flags
    Case("cease", facts(flags=int(Flag.CEASE)), MIDDAY, "cease", None, ("cease",)),
    Case("attorney", facts(flags=int(Flag.ATTORNEY)), MIDDAY, "attorney", None),
    Case("bankruptcy", facts(flags=int(Flag.BANKRUPTCY)), MIDDAY, "bankruptcy", None),
    Case("deceased", facts(flags=int(Flag.DECEASED)), MIDDAY, "deceased", None),
    Case("dispute", facts(flags=int(Flag.DISPUTE)), MIDDAY, "dispute", None),
    Case(
        "all_flags_cease_wins_and_every_reason_is_listed",
        facts(
            flags=ALL_FLAGS,
            phones=(BAD,),
            claim_pending=True,
            lease_holder="bob",
            lease_expires_at=et(*WED, 23),
        ),
        et(*WED, 6),
        "cease",
        None,
        (
            "cease",
            "bankruptcy",
            "attorney",
            "deceased",
            "dispute",
            "claim_pending",
            "no_dialable_phone",
            "leased",
            "outside_hours",
        ),
    ),
    Case(
        "bankruptcy_beats_attorney",
        facts(flags=int(Flag.ATTORNEY | Flag.BANKRUPTCY)),
        MIDDAY,
        "bankruptcy",
        None,
        ("bankruptcy", "attorney"),
    ),
    Case(
        "attorney_beats_deceased_and_dispute",
        facts(flags=int(Flag.DISPUTE | Flag.DECEASED | Flag.ATTORNEY)),
        MIDDAY,
        "attorney",
        None,
        ("attorney", "deceased", "dispute"),
    ),
    Case(
        "deceased_beats_dispute",
        facts(flags=int(Flag.DISPUTE | Flag.DECEASED)),
        MIDDAY,
        "deceased",
        None,
        ("deceased", "dispute"),
    ),
    Case(
        "dispute_beats_claim_and_hours",
        facts(flags=int(Flag.DISPUTE), claim_pending=True),
        et(*WED, 22),
        "dispute",
        None,
        ("dispute", "claim_pending", "outside_hours"),
    ),
    Case(
        "flag_beats_recent_conversation",
        facts(flags=int(Flag.CEASE), attempts=calls([et(*TUE, 10)], "refused")),
        MIDDAY,
        "cease",
        None,
        ("cease", "recent_conversation"),
    ),
    # ------------------------------------------------------------------ claim
    Case("claim_pending", facts(claim_pending=True), MIDDAY, "claim_pending", None),
    Case(
        "claim_beats_no_phone",
        facts(claim_pending=True, phones=()),
        MIDDAY,
        "claim_pending",
        None,
        ("claim_pending", "no_dialable_phone"),
    ),
    # ------------------------------------------------------------------ phones
    Case("no_phones", facts(phones=()), MIDDAY, "no_dialable_phone", None),
    Case("only_bad", facts(phones=(BAD,)), MIDDAY, "no_dialable_phone", None),
    Case("only_dnc", facts(phones=(DNC,)), MIDDAY, "no_dialable_phone", None),
    Case("only_invalid", facts(phones=(INVALID,)), MIDDAY, "no_dialable_phone", None),
    Case(
        "phone_not_on_account",
        facts(),
        MIDDAY,
        "no_dialable_phone",
        None,
        phone="+19175550100",
        message="not a phone of this account",
    ),
    Case(
        "phone_asked_is_bad_though_another_is_good",
        facts(phones=(NY, BAD)),
        MIDDAY,
        "no_dialable_phone",
        None,
        phone=BAD.e164,
        message="marked bad",
    ),
    Case("phone_asked_is_good", facts(phones=(NY, BAD)), MIDDAY, "ok", phone=NY.e164),
    Case(
        "no_phone_beats_lease",
        facts(phones=(DNC,), lease_holder="bob", lease_expires_at=et(*WED, 13)),
        MIDDAY,
        "no_dialable_phone",
        None,
        ("no_dialable_phone", "leased"),
    ),
    # ------------------------------------------------------------------ leases
    Case(
        "leased_by_another",
        facts(lease_holder="bob", lease_expires_at=et(*WED, 12, 15)),
        MIDDAY,
        "leased",
        et(*WED, 12, 15),
        message="Open by bob until 12:15 EST",
        coordinator="alice",
    ),
    Case(
        "lease_of_the_same_coordinator",
        facts(lease_holder="alice", lease_expires_at=et(*WED, 12, 15)),
        MIDDAY,
        "ok",
        coordinator="alice",
    ),
    Case(
        "lease_expired",
        facts(lease_holder="bob", lease_expires_at=et(*WED, 11, 59)),
        MIDDAY,
        "ok",
        coordinator="alice",
    ),
    Case(
        "lease_without_expiry",
        facts(lease_holder="bob", lease_expires_at=None),
        MIDDAY,
        "leased",
        None,
        coordinator="alice",
    ),
    Case(
        "lease_ending_after_hours_waits_for_the_morning",
        facts(lease_holder="bob", lease_expires_at=et(*WED, 21, 30)),
        et(*WED, 20, 50),
        "leased",
        et(*THU, 8),
        ("leased",),
    ),
    Case(
        "leased_beats_recent_conversation",
        facts(
            lease_holder="bob",
            lease_expires_at=et(*WED, 12, 15),
            attempts=calls([et(*TUE, 10)], "promise"),
        ),
        MIDDAY,
        "leased",
        et(*TUE2, 8),
        ("leased", "recent_conversation"),
    ),
    # ------------------------------------------------------------------ calling hours
    Case("new_york_0759", facts(), et(*WED, 7, 59), "outside_hours", et(*WED, 8)),
    Case("new_york_0800", facts(), et(*WED, 8), "ok"),
    Case("new_york_2059", facts(), et(*WED, 20, 59), "ok"),
    Case("new_york_2100", facts(), et(*WED, 21), "outside_hours", et(*THU, 8)),
    Case(
        "honolulu_0700_message",
        facts(state="HI", phones=(HNL,)),
        at(HI, *WED, 7),
        "outside_hours",
        at(HI, *WED, 8),
        message="Outside calling hours: 07:00 in Honolulu — callable from 08:00 HST, 13:00 EST",
    ),
    Case(
        "alaska_adak_opens_an_hour_after_anchorage",
        facts(state="AK", phones=()),
        at(ANC, *WED, 8, 30),
        "no_dialable_phone",
        None,
        ("no_dialable_phone", "outside_hours"),
    ),
    Case(
        "alaska_morning_waits_for_adak",
        facts(state="AK", phones=(TOLL,)),
        at(ANC, *WED, 8, 30),
        "outside_hours",
        at(ADAK, *WED, 8),
        message="07:30 in Adak",
    ),
    Case(
        "alaska_evening_closes_with_anchorage",
        facts(state="AK", phones=(TOLL,)),
        at(ANC, *WED, 21),
        "outside_hours",
        at(ADAK, *THU, 8),
    ),
    Case("alaska_2059_anchorage", facts(state="AK", phones=(TOLL,)), at(ANC, *WED, 20, 59), "ok"),
    Case(
        "arizona_summer_three_hours_behind_new_york",
        facts(state="AZ", phones=(PHX, NY)),
        et(2026, 7, 15, 10, 30),
        "outside_hours",
        et(2026, 7, 15, 11),
    ),
    Case(
        "arizona_winter_two_hours_behind_new_york",
        facts(state="AZ", phones=(PHX, NY)),
        et(2026, 1, 14, 10, 30),
        "ok",
    ),
    Case(
        "indiana_split_state_waits_for_central",
        facts(state="IN", phones=(TOLL,)),
        at(IND, *WED, 8, 30),
        "outside_hours",
        at(IND, *WED, 9),
    ),
    Case(
        "tennessee_evening_closes_with_eastern",
        facts(state="TN", phones=(TOLL,)),
        at(C, *WED, 20, 30),
        "outside_hours",
        at(C, *THU, 8),
    ),
    Case(
        "florida_panhandle_morning_waits_for_central",
        facts(state="FL", phones=(TOLL,)),
        et(*WED, 8, 30),
        "outside_hours",
        et(*WED, 9),
    ),
    Case("florida_2059_eastern", facts(state="FL", phones=(TOLL,)), et(*WED, 20, 59), "ok"),
    Case("idaho_2030_mountain", facts(state="ID", phones=(TOLL,)), at(BOISE, *WED, 20, 30), "ok"),
    Case(
        "idaho_2100_mountain",
        facts(state="ID", phones=(TOLL,)),
        at(BOISE, *WED, 21),
        "outside_hours",
        at(P, *THU, 8),
    ),
    Case(
        "phone_zone_disagrees_with_address",
        facts(state="CA", phones=(NY,)),
        et(*WED, 10, 30),
        "outside_hours",
        et(*WED, 11),
        message="07:30 in Los Angeles",
    ),
    Case("ny_phone_ca_address_2059_eastern", facts(state="CA"), et(*WED, 20, 59), "ok"),
    Case(
        "toll_free_only_uses_default_zones",
        facts(state=None, phones=(TOLL,)),
        et(*WED, 10, 30),
        "outside_hours",
        et(*WED, 11),
    ),
    Case(
        "toll_free_with_address_uses_the_address",
        facts(state="NY", phones=(TOLL,)),
        et(*WED, 8, 30),
        "ok",
    ),
    Case(
        "unknown_phone_zone_is_ignored",
        facts(state="CO", phones=(UNKNOWN,)),
        at(M, *WED, 8, 30),
        "ok",
    ),
    Case(
        "a_bad_phone_does_not_add_its_zone",
        facts(state="NY", phones=(NY, BAD_LA)),
        et(*WED, 8, 30),
        "ok",
    ),
    Case(
        "hawaii_and_guam_share_a_short_window",
        facts(state="HI", phones=(HNL, GU)),
        utc(2026, 1, 14, 20),  # 10:00 in Honolulu, 06:00 next day in Guam
        "outside_hours",
        utc(2026, 1, 14, 22),
    ),
    # ------------------------------------------------------------------ DST
    Case(
        "uk_mobile_between_the_us_and_uk_switches",  # EDT vs GMT: 4 hours apart
        facts(state="NY", phones=(NY, UK)),
        et(2024, 3, 15, 16, 30),
        "ok",
    ),
    Case(
        "uk_mobile_before_the_us_switch",  # EST vs GMT: 5 hours apart
        facts(state="NY", phones=(NY, UK)),
        et(2024, 3, 8, 16, 30),
        "outside_hours",
        et(2024, 3, 9, 8),
        message="21:30 in London",
    ),
    Case(
        "uk_mobile_after_the_uk_switch",  # EDT vs BST: 5 hours apart again
        facts(state="NY", phones=(NY, UK)),
        et(2024, 4, 2, 16, 30),
        "outside_hours",
        et(2024, 4, 3, 8),
    ),
    Case(
        "spring_forward_night_new_york_and_los_angeles",  # NY switches 3 h before LA
        facts(state="CA", phones=(NY,)),
        utc(2024, 3, 10, 8),  # 04:00 EDT, 00:00 PST
        "outside_hours",
        utc(2024, 3, 10, 15),  # 08:00 PDT = 11:00 EDT
    ),
    Case(
        "fall_back_night_new_york_and_los_angeles",
        facts(state="CA", phones=(NY,)),
        utc(2024, 11, 3, 7),  # 02:00 EST (after NY's switch), 00:00 PDT
        "outside_hours",
        utc(2024, 11, 3, 16),  # 08:00 PST = 11:00 EST
    ),
    Case(
        "arizona_and_new_york_on_the_spring_switch_day",
        facts(state="AZ", phones=(NY,)),
        utc(2024, 3, 10, 12),  # 08:00 EDT, 05:00 MST
        "outside_hours",
        utc(2024, 3, 10, 15),  # 08:00 MST = 11:00 EDT (10:00 EST the day before)
    ),
    Case(
        "arizona_and_new_york_the_day_before_the_switch",
        facts(state="AZ", phones=(NY,)),
        utc(2024, 3, 9, 12),
        "outside_hours",
        utc(2024, 3, 9, 15),  # 08:00 MST = 10:00 EST
    ),
    Case(
        "conversation_wait_across_spring_forward",
        facts(attempts=calls([et(2024, 3, 9, 10)], "conversation")),
        et(2024, 3, 12, 10),
        "recent_conversation",
        et(2024, 3, 16, 8),  # 12:00 UTC (EDT), not 13:00
    ),
    Case(
        "conversation_wait_across_fall_back",
        facts(attempts=calls([et(2024, 11, 2, 10)], "conversation")),
        et(2024, 11, 5, 10),
        "recent_conversation",
        et(2024, 11, 9, 8),  # 13:00 UTC (EST)
    ),
    # ------------------------------------------------------------------ inconvenient times
    Case(
        "avoid_weekday_afternoons_inside",
        facts(avoid=(AvoidWindow(WEEKDAYS, time(15), time(17)),)),
        et(*WED, 15, 30),
        "inconvenient_time",
        et(*WED, 17),
        message="Wed 15:30 in New York",
    ),
    Case(
        "avoid_window_end_is_exclusive",
        facts(avoid=(AvoidWindow(WEEKDAYS, time(15), time(17)),)),
        et(*WED, 17),
        "ok",
    ),
    Case(
        "avoid_whole_weekend",
        facts(avoid=(AvoidWindow(WEEKEND),)),
        et(*SAT, 11),
        "inconvenient_time",
        et(*MON2, 8),
    ),
    Case(
        "avoid_overnight_window_wraps_into_the_next_day",
        facts(avoid=(AvoidWindow(frozenset({0}), time(20), time(9)),)),  # Mon 20:00-Tue 09:00
        et(*TUE, 8, 30),
        "inconvenient_time",
        et(*TUE, 9),
    ),
    Case(
        "avoid_applies_in_each_zone",
        facts(state="CA", phones=(NY,), avoid=(AvoidWindow(WEEKDAYS, time(12), time(13)),)),
        et(*WED, 15, 30),  # 12:30 in Los Angeles
        "inconvenient_time",
        et(*WED, 16),
    ),
    Case(
        "adjacent_avoid_windows_chain",
        facts(
            avoid=(
                AvoidWindow(WEEKDAYS, time(15), time(17)),
                AvoidWindow(frozenset({2}), time(17), time(19)),
            )
        ),
        et(*WED, 15, 30),
        "inconvenient_time",
        et(*WED, 19),
    ),
    Case(
        "inconvenient_and_outside_hours",
        facts(avoid=(AvoidWindow(frozenset({2, 3}), None, time(9)),)),  # Wed, Thu until 9
        et(*WED, 7),
        "inconvenient_time",
        et(*WED, 9),
        ("inconvenient_time", "outside_hours"),
    ),
    Case(
        "inconvenient_phone_only",
        facts(phones=(NY_INCONVENIENT,)),
        MIDDAY,
        "inconvenient_time",
        None,
        message="inconvenient",
    ),
    Case(
        "inconvenient_phone_asked_while_another_is_fine",
        facts(phones=(NY, NY_INCONVENIENT)),
        MIDDAY,
        "inconvenient_time",
        None,
        phone=NY_INCONVENIENT.e164,
    ),
    # ------------------------------------------------------------------ frequency cap
    Case(
        "seven_attempts_block_the_eighth",
        facts(attempts=daily(et(*MON, 10), 7)),
        et(*SUN, 15),
        "frequency_cap",
        et(*MON2, 8),
    ),
    Case(
        "six_attempts_allow_a_seventh", facts(attempts=daily(et(*MON, 10), 6)), et(*SUN, 15), "ok"
    ),
    Case(
        "window_last_day_still_blocked",
        facts(attempts=calls([et(*MON, 10 + i) for i in range(7)])),
        et(*SUN, 20, 59),
        "frequency_cap",
        et(*MON2, 8),
    ),
    Case(
        "window_first_day_after_is_free",
        facts(attempts=calls([et(*MON, 10 + i) for i in range(7)])),
        et(*MON2, 8),
        "ok",
    ),
    Case(
        "window_counts_calendar_days_not_hours",  # 7 days later, < 7 x 24 h after the calls
        facts(attempts=calls([et(*MON, 20, i) for i in range(7)])),
        et(*MON2, 8),
        "ok",
    ),
    Case(
        "busy_not_counted",
        facts(attempts=calls([et(*WED, 9 + i) for i in range(3)], "busy") + daily(et(*MON, 10), 6)),
        et(*SUN, 12),
        "ok",
    ),
    Case(
        "not_in_service_not_counted",
        facts(
            phones=(NY, NY2),
            attempts=calls([et(*TUE, 9)], "not_in_service", NY2.e164) + daily(et(*MON, 10), 6),
        ),
        et(*SUN, 12),
        "ok",
    ),
    Case(
        "voicemail_and_third_party_count",
        facts(
            attempts=daily(et(*MON, 10), 3, "voicemail")
            + daily(et(*THU, 10), 3, "third_party")
            + calls([et(*SUN, 9)])
        ),
        et(*SUN, 12),
        "frequency_cap",
        et(*MON2, 8),
    ),
    Case(
        "wrong_number_calls_not_counted",
        facts(
            phones=(NY, NY2),
            attempts=calls([et(*MON, 9 + i) for i in range(6)], phone=NY2.e164)
            + calls([et(*TUE, 9)], "wrong_number", NY2.e164)
            + calls([et(*TUE, 10)]),
        ),
        et(*TUE, 12),
        "ok",
    ),
    Case(
        "calls_after_a_wrong_number_finding_count_again",
        facts(
            phones=(NY, NY2),
            attempts=calls([et(*MON, 9)], "wrong_number", NY2.e164)
            + calls([et(*MON, 10 + i) for i in range(7)], phone=NY2.e164),
        ),
        et(*TUE, 12),
        "frequency_cap",
        et(*MON2, 8),
    ),
    Case(
        "inbound_contacts_never_count",
        facts(
            attempts=tuple(
                Attempt(et(*MON, 9 + i), "voicemail", NY.e164, inbound=True) for i in range(9)
            )
        ),
        et(*TUE, 12),
        "ok",
    ),
    Case(
        "eighth_attempt_same_day",
        facts(attempts=calls([et(*WED, 8, 5 * i) for i in range(7)])),
        et(*WED, 9),
        "frequency_cap",
        et(2026, 1, 21, 8),
    ),
    # ------------------------------------------------------------------ conversations
    Case(
        "conversation_tuesday_blocks_until_next_tuesday",
        facts(attempts=calls([et(*TUE, 10)], "conversation")),
        et(*MON2, 20, 59),
        "recent_conversation",
        et(*TUE2, 8),
        message="Spoke with the debtor on Tue 13 Jan",
    ),
    Case(
        "conversation_tuesday_callable_next_tuesday",
        facts(attempts=calls([et(*TUE, 10)], "conversation")),
        et(*TUE2, 8),
        "ok",
    ),
    Case(
        "conversation_same_day",
        facts(attempts=calls([et(*WED, 9)], "paid")),
        et(*WED, 9, 5),
        "recent_conversation",
        et(2026, 1, 21, 8),
    ),
    Case(
        "inbound_conversation_starts_the_wait",
        facts(attempts=(Attempt(et(*MON, 22, 30), "promise", NY.e164, inbound=True),)),
        MIDDAY,
        "recent_conversation",
        et(*MON2, 8),
    ),
    Case(
        "third_party_is_not_a_conversation",
        facts(attempts=calls([et(*TUE, 10)], "third_party")),
        MIDDAY,
        "ok",
    ),
    Case(
        "conversation_after_midnight_in_one_zone_only",  # Tue 01:00 ET = Mon 22:00 PT
        facts(
            state="CA",
            phones=(NY,),
            attempts=(Attempt(et(*TUE, 1), "conversation", NY.e164, inbound=True),),
        ),
        et(*MON2, 12),  # Monday in both zones: still within New York's 7 days
        "recent_conversation",
        et(*TUE2, 11),  # Tuesday in both, and 08:00 in Los Angeles
    ),
    Case(
        "recent_conversation_beats_frequency_cap",
        facts(attempts=calls([et(*WED, 8, i) for i in range(6)]) + calls([et(*WED, 9)], "refused")),
        et(*WED, 10),
        "recent_conversation",
        et(2026, 1, 21, 8),
        ("recent_conversation", "frequency_cap"),
    ),
    # ------------------------------------------------------------------ consent
    Case(
        "consent_lifts_the_cap",
        facts(
            attempts=calls([et(*WED, 8, i) for i in range(7)]),
            consents=(Consent(et(*WED, 10)),),
        ),
        et(*WED, 11),
        "ok",
        under_consent=True,
    ),
    Case(
        "consent_lifts_the_conversation_wait",
        facts(
            attempts=calls([et(*TUE, 10)], "conversation"),
            consents=(Consent(et(*TUE, 10)),),
        ),
        MIDDAY,
        "ok",
        under_consent=True,
    ),
    Case(
        "consent_does_not_lift_hours",
        facts(
            attempts=calls([et(*TUE, 10)], "conversation"),
            consents=(Consent(et(*TUE, 10)),),
        ),
        et(*WED, 7),
        "outside_hours",
        et(*WED, 8),
        ("outside_hours",),
    ),
    Case(
        "consent_does_not_lift_inconvenient_times",
        facts(
            attempts=calls([et(*TUE, 10)], "conversation"),
            consents=(Consent(et(*TUE, 10)),),
            avoid=(AvoidWindow(frozenset({2})),),
        ),
        MIDDAY,
        "inconvenient_time",
        et(*THU, 8),
    ),
    Case(
        "consent_until_ends_it_early",
        facts(
            attempts=calls([et(*WED, 8, i) for i in range(7)]),
            consents=(Consent(et(*WED, 10), until=et(*THU, 12)),),
        ),
        et(*THU, 12),
        "frequency_cap",
        et(2026, 1, 21, 8),
    ),
    Case(
        "consent_revoked",
        facts(
            attempts=calls([et(*WED, 8, i) for i in range(7)]),
            consents=(Consent(et(*WED, 10), revoked_at=et(*WED, 14)),),
        ),
        et(*WED, 15),
        "frequency_cap",
    ),
    Case(
        "consent_ended_by_the_next_conversation",
        facts(
            attempts=calls([et(*MON, 10)], "conversation") + calls([et(*WED, 10)], "conversation"),
            consents=(Consent(et(*MON, 10)),),
        ),
        et(*THU, 10),
        "recent_conversation",
        et(2026, 1, 21, 8),
    ),
    Case(
        "consent_window_is_local_days_from_the_day_given",
        facts(
            attempts=calls([et(*MON, 15)], "conversation"),
            consents=(Consent(et(*MON, 15)),),
        ),
        et(*THU, 8),  # Monday + 3 local days: the 3-day consent is over
        "recent_conversation",
        et(*MON2, 8),
        policy=Policy(consent_days=3),
    ),
    Case(
        "consent_last_local_day",
        facts(
            attempts=calls([et(*MON, 15)], "conversation"),
            consents=(Consent(et(*MON, 15)),),
        ),
        et(*WED, 20, 59),
        "ok",
        policy=Policy(consent_days=3),
        under_consent=True,
    ),
    Case(
        "callback_day_inside_hours",
        facts(
            attempts=calls([et(*FRI, 11)], "callback_requested"),
            consents=(Consent(et(*FRI, 11), callback_at=et(*MON2, 14)),),
        ),
        et(*MON2, 9),
        "ok",
        under_consent=True,
    ),
    Case(
        "callback_the_day_before",
        facts(
            attempts=calls([et(*FRI, 11)], "callback_requested"),
            consents=(Consent(et(*FRI, 11), callback_at=et(*MON2, 14)),),
        ),
        et(*SUN, 12),
        "recent_conversation",
        et(*MON2, 8),
    ),
    Case(
        "callback_asked_for_outside_hours",
        facts(
            attempts=calls([et(*FRI, 11)], "callback_requested"),
            consents=(Consent(et(*FRI, 11), callback_at=et(*MON2, 22)),),
        ),
        et(*MON2, 22),
        "outside_hours",
        et(2026, 1, 23, 8),  # the callback day is over: the wait runs to Friday + 7
        ("outside_hours",),
    ),
    Case(
        "callback_day_ended_by_its_own_conversation",
        facts(
            attempts=calls([et(*FRI, 11)], "callback_requested")
            + calls([et(*MON2, 10)], "promise"),
            consents=(Consent(et(*FRI, 11), callback_at=et(*MON2, 10)),),
        ),
        et(*MON2, 11),
        "recent_conversation",
        et(2026, 1, 26, 8),
    ),
    # ------------------------------------------------------------------ state caps
    Case(
        "massachusetts_two_attempts_block_a_third",
        facts(state="MA", attempts=calls([et(*MON, 10), et(*WED, 10)])),
        et(*THU, 10),
        "state_cap",
        et(*MON2, 8),
        message="MA limit",
    ),
    Case(
        "massachusetts_one_attempt_allows_a_second",
        facts(state="MA", attempts=calls([et(*MON, 10)])),
        et(*THU, 10),
        "ok",
    ),
    Case(
        "massachusetts_busy_not_counted",
        facts(
            state="MA", attempts=calls([et(*MON, 10), et(*TUE, 10)], "busy") + calls([et(*WED, 9)])
        ),
        et(*THU, 10),
        "ok",
    ),
    Case(
        "new_york_two_attempts_fine",
        facts(state="NY", attempts=calls([et(*MON, 10), et(*WED, 10)])),
        et(*THU, 10),
        "ok",
    ),
    Case(
        "massachusetts_consent_does_not_lift_the_state_cap",
        facts(
            state="MA",
            attempts=calls([et(*MON, 10), et(*WED, 10)]),
            consents=(Consent(et(*WED, 11)),),
        ),
        et(*THU, 10),
        "state_cap",
        et(*MON2, 8),
    ),
    Case(
        "massachusetts_frequency_cap_is_more_serious",
        facts(state="MA", attempts=calls([et(*WED, 8, i) for i in range(7)])),
        et(*WED, 10),
        "frequency_cap",
        et(2026, 1, 21, 8),
        ("frequency_cap", "state_cap"),
    ),
    Case(
        "configured_state_cap",
        facts(state="WA", phones=(LA,), attempts=calls([at(P, *MON, 10)] * 3, phone=LA.e164)),
        at(P, *TUE, 10),
        "state_cap",
        at(P, *MON2, 8),
        policy=Policy(state_caps={"MA": 2, "WA": 3}),
    ),
    Case(
        "state_cap_not_applied_abroad",
        AccountFacts(state="MA", country="GB", phones=(UK,), attempts=calls([utc(*MON, 10)] * 3)),
        utc(*TUE, 10),
        "ok",
    ),
]


def test_the_table_is_large_and_covers_every_reason() -> None:
    assert len(CASES) >= 60
    assert len({c.name for c in CASES}) == len(CASES)
    covered = {c.reason for c in CASES}
    assert covered >= set(REASONS) | {"ok"}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Case) -> None:
    v = verdict(case.facts, case.now, case.policy, phone=case.phone, coordinator=case.coordinator)
    assert v.reason == case.reason, v.message
    assert v.callable == (case.reason == "ok")
    if case.next_at is not UNSET:
        assert v.next_callable_at == case.next_at, v.message
    if case.reasons is not None:
        assert v.reasons == case.reasons
    if case.message is not None:
        assert case.message in v.message
    if case.under_consent is not None:
        assert v.under_consent is case.under_consent
    # invariants
    assert v.message
    assert [lt.zone for lt in v.local_times] == sorted(lt.zone for lt in v.local_times)
    if v.callable:
        assert v.next_callable_at == case.now
        assert v.reasons == ()
    else:
        assert v.reasons and v.reasons[0] == v.reason
        assert list(v.reasons) == sorted(v.reasons, key=REASONS.index)
        nxt = v.next_callable_at
        if nxt is not None:
            assert nxt > case.now
            again = verdict(
                case.facts, nxt, case.policy, phone=case.phone, coordinator=case.coordinator
            )
            assert again.callable, again.message
            before = verdict(
                case.facts,
                nxt - timedelta(microseconds=1),
                case.policy,
                phone=case.phone,
                coordinator=case.coordinator,
            )
            assert not before.callable or nxt == case.now
        bu = blocked_until(case.facts, case.now, case.policy)
        if bu is not None and nxt is not None:
            assert bu <= nxt


def test_reason_is_stable_over_the_day_for_flags() -> None:
    """The most serious reason does not change with the hour or the other facts."""
    f = facts(flags=ALL_FLAGS, attempts=daily(et(*MON, 10), 7))
    for h in range(24):
        v = verdict(f, et(*SUN, h))
        assert v.reason == "cease"
    f2 = replace(f, flags=int(Flag.DISPUTE | Flag.ATTORNEY))
    assert {verdict(f2, et(*SUN, h)).reason for h in range(24)} == {"attorney"}
