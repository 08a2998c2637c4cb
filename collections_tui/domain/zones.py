"""Which time zones a debtor may be in (DESIGN §4 "outside_hours").

Address: state → every zone the state spans. Phones: the zones of each dialable geographic
number. When nothing is known, the configured default zones (US: the four mainland zones).
"""

from __future__ import annotations

from collections.abc import Iterable

EASTERN = "America/New_York"
CENTRAL = "America/Chicago"
MOUNTAIN = "America/Denver"
PACIFIC = "America/Los_Angeles"

DEFAULT_ZONES: tuple[str, ...] = (CENTRAL, MOUNTAIN, EASTERN, PACIFIC)

# US states, DC and territories. States split between zones list all of them.
STATE_ZONES: dict[str, tuple[str, ...]] = {
    "AL": (CENTRAL,),
    "AK": ("America/Anchorage", "America/Adak"),
    "AZ": ("America/Phoenix",),
    "AR": (CENTRAL,),
    "CA": (PACIFIC,),
    "CO": (MOUNTAIN,),
    "CT": (EASTERN,),
    "DE": (EASTERN,),
    "DC": (EASTERN,),
    "FL": (EASTERN, CENTRAL),
    "GA": (EASTERN,),
    "HI": ("Pacific/Honolulu",),
    "ID": ("America/Boise", PACIFIC),
    "IL": (CENTRAL,),
    "IN": ("America/Indiana/Indianapolis", CENTRAL),
    "IA": (CENTRAL,),
    "KS": (CENTRAL, MOUNTAIN),
    "KY": ("America/Kentucky/Louisville", CENTRAL),
    "LA": (CENTRAL,),
    "ME": (EASTERN,),
    "MD": (EASTERN,),
    "MA": (EASTERN,),
    "MI": ("America/Detroit", "America/Menominee"),
    "MN": (CENTRAL,),
    "MS": (CENTRAL,),
    "MO": (CENTRAL,),
    "MT": (MOUNTAIN,),
    "NE": (CENTRAL, MOUNTAIN),
    "NV": (PACIFIC,),
    "NH": (EASTERN,),
    "NJ": (EASTERN,),
    "NM": (MOUNTAIN,),
    "NY": (EASTERN,),
    "NC": (EASTERN,),
    "ND": (CENTRAL, MOUNTAIN),
    "OH": (EASTERN,),
    "OK": (CENTRAL,),
    "OR": (PACIFIC, "America/Boise"),
    "PA": (EASTERN,),
    "RI": (EASTERN,),
    "SC": (EASTERN,),
    "SD": (CENTRAL, MOUNTAIN),
    "TN": (CENTRAL, EASTERN),
    "TX": (CENTRAL, MOUNTAIN),
    "UT": (MOUNTAIN,),
    "VT": (EASTERN,),
    "VA": (EASTERN,),
    "WA": (PACIFIC,),
    "WV": (EASTERN,),
    "WI": (CENTRAL,),
    "WY": (MOUNTAIN,),
    "PR": ("America/Puerto_Rico",),
    "VI": ("America/St_Thomas",),
    "GU": ("Pacific/Guam",),
    "MP": ("Pacific/Saipan",),
    "AS": ("Pacific/Pago_Pago",),
}


def address_zones(state: str | None, country: str = "US") -> tuple[str, ...]:
    if not state or country.upper() != "US":
        return ()
    return STATE_ZONES.get(state.strip().upper(), ())


def zone_set(
    state: str | None,
    country: str,
    phone_zones: Iterable[Iterable[str]],
    default: tuple[str, ...] = DEFAULT_ZONES,
) -> tuple[str, ...]:
    """Every zone the debtor may be in, sorted; the defaults when none is known."""
    zones: set[str] = set(address_zones(state, country))
    for pz in phone_zones:
        zones.update(z for z in pz if z and z != "Etc/Unknown")
    return tuple(sorted(zones)) if zones else tuple(sorted(default))


def zone_key(zones: Iterable[str]) -> str:
    return ",".join(sorted(zones))
