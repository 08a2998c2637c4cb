"""Names and words for demo data: people, businesses, streets, creditors, insurers, and the
short notes coordinators really write. Pure data, no logic beyond splitting strings."""

from __future__ import annotations

from typing import NamedTuple


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# First names from many backgrounds, as a US patient or customer list shows them.
FEMALE_FIRST: tuple[str, ...] = _words(
    """
    Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy
    Betty Sandra Margaret Ashley Kimberly Emily Donna Michelle Carol Amanda Melissa Deborah
    Stephanie Rebecca Laura Sharon Cynthia Kathleen Amy Angela Shirley Anna Brenda Pamela
    Nicole Emma Samantha Katherine Christine Debra Rachel Carolyn Janet Catherine Maria
    Heather Diane Julie Joyce Victoria Kelly Christina Joan Evelyn Lauren Judith Olivia
    Martha Cheryl Megan Andrea Hannah Jacqueline Ann Gloria Teresa Kathryn Sara Janice
    Jean Alice Madison Doris Abigail Julia Judy Grace Denise Amber Marilyn Beverly Danielle
    Theresa Sophia Marie Diana Brittany Natalie Isabella Charlotte Rose Alexis Kayla
    Guadalupe Lucia Carmen Rosa Ana Veronica Yolanda Alejandra Adriana Marisol Esperanza
    Leticia Graciela Xiomara Beatriz Fernanda Valeria Camila Daniela Ximena Paola Yesenia
    Keisha Tamika Latoya Ebony Aaliyah Imani Jasmine Shanice Tiana Precious Monique Shaniqua
    Mei Li Ying Xiu Hui Jing Wei Min Yuki Haruka Aiko Sakura Ji-woo Seo-yeon Min-ji Hye-jin
    Thu Linh Mai Huong Lan Ngoc Priya Ananya Divya Lakshmi Sunita Kavya Aisha Fatima Zainab
    Amina Leila Yasmin Nadia Noor Sofia Olga Natalia Irina Svetlana Katarzyna Agnieszka Ewa
    Siobhan Aoife Niamh Bridget Ingrid Astrid Freya Chiamaka Ngozi Adaeze Abena Ama Wanjiru
    Malia Leilani Kalani Noelani Ayasha Winona Tallulah
    """
)

MALE_FIRST: tuple[str, ...] = _words(
    """
    James Robert John Michael David William Richard Joseph Thomas Christopher Charles Daniel
    Matthew Anthony Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy
    Ronald Edward Jason Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin
    Scott Brandon Benjamin Samuel Gregory Alexander Frank Patrick Raymond Jack Dennis Jerry
    Tyler Aaron Henry Adam Douglas Nathan Peter Zachary Kyle Walter Harold Jeremy Ethan Carl
    Keith Roger Gerald Christian Terry Sean Arthur Austin Noah Lawrence Jesse Joe Bryan Billy
    Jordan Albert Dylan Bruce Willie Gabriel Alan Juan Logan Wayne Ralph Roy Eugene Randy
    Vincent Russell Louis Philip Bobby Johnny Bradley Jose Luis Carlos Miguel Jorge Pedro
    Alejandro Ricardo Fernando Javier Francisco Rafael Eduardo Manuel Hector Ramon Alberto
    Jesus Sergio Arturo Santiago Mateo Diego Joaquin Emilio Marcus Darnell DeShawn Jamal
    Tyrone Terrell Andre Malik Darius Reginald Cedric Lamar Jermaine Trevon Wei Jian Hao Ming
    Jun Lei Chen Hiroshi Takeshi Kenji Daisuke Min-jun Seo-jun Ji-ho Dong-hyun Minh Tuan Duc
    Huy Quang Raj Arjun Vikram Sanjay Rahul Anil Suresh Amit Omar Ahmed Mohammed Ali Hassan
    Yusuf Ibrahim Karim Tariq Dmitri Sergei Alexei Ivan Piotr Tomasz Krzysztof Lukasz Liam
    Declan Cormac Seamus Lars Anders Erik Nils Chinedu Emeka Obinna Kwame Kofi Kwabena Tendai
    Kekoa Makoa Kai Nakoa Chayton Dakota Hosteen
    """
)

LAST: tuple[str, ...] = _words(
    """
    Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez
    Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White
    Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres
    Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts
    Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales
    Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos
    Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes
    Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry
    Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons
    Romero Jordan Patterson Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West
    Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro
    Marshall Owens Harrison Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry
    Chen Freeman Webb Tucker Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez
    Silva Shaw Snyder Mason Dixon Munoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd
    Rose Stone Salazar Fox Warren Mills Meyer Rice Schmidt Garza Daniels Ferguson Nichols
    Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley Spencer Hawkins Arnold Pierce
    Vazquez Hansen Peters Santos Hart Bradley Knight Elliott Cunningham Duncan Armstrong
    Hudson Carroll Lane Riley Andrews Alvarado Ray Delgado Berry Perkins Hoffman Johnston
    Matthews Pena Richards Contreras Willis Carpenter Lawrence Sandoval Wang Li Zhang Liu
    Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo Lin He Gao Luo Zheng Liang Tanaka Suzuki
    Takahashi Watanabe Yamamoto Nakamura Kobayashi Sato Park Choi Jung Kang Cho Yoon Jang
    Lim Pham Hoang Phan Vu Vo Dang Bui Do Ngo Duong Ly Shah Mehta Singh Kumar Sharma Gupta
    Reddy Iyer Rao Desai Joshi Khan Ahmed Hussain Rahman Malik Haddad Nasser Khoury Mansour
    Kowalski Nowak Wisniewski Wojcik Kaminski Ivanov Petrov Volkov Sokolov Popov O'Brien
    O'Connor O'Neill Murphy Gallagher Byrne Quinn Larsen Nielsen Johansson Lindqvist Okafor
    Okeke Adeyemi Mensah Owusu Boateng Mwangi Kamau Otieno Kahale Kealoha Akana Nakoa
    Begaye Yazzie Tsosie Benally Whitehorse Redcloud Dubois Lefebvre Moreau Fontaine
    Rossi Russo Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti
    Schneider Fischer Weber Becker Schulz Hoffmann Koch Richter Klein Wolf Schroeder
    Abernathy Whitfield Pennington Blackwood Hargrove Calloway Winslow Thornton Prescott
    """
)

# Small businesses owe money too: "<Last> Plumbing LLC", "Oak Street Dental PC".
BUSINESS_TRADES: tuple[str, ...] = (
    "Plumbing",
    "Electric",
    "Roofing",
    "Landscaping",
    "Auto Repair",
    "Bakery",
    "Catering",
    "Dental",
    "Chiropractic",
    "Family Pharmacy",
    "Hardware",
    "Flooring",
    "Painting",
    "HVAC",
    "Cleaning Services",
    "Construction",
    "Trucking",
    "Barbershop",
    "Salon",
    "Tailoring",
    "Daycare",
    "Pet Grooming",
    "Florist",
    "Print Shop",
    "Coffee House",
    "Taqueria",
    "Pizzeria",
    "Deli",
    "Auto Body",
    "Tire & Lube",
    "Fitness",
    "Martial Arts",
    "Insurance Agency",
    "Realty",
    "Accounting",
    "Law Office",
    "Veterinary Clinic",
    "Optical",
    "Music Studio",
    "Laundromat",
)
BUSINESS_SUFFIXES: tuple[str, ...] = ("LLC", "LLC", "LLC", "Inc", "Inc", "Co", "PC", "LLP", "")
BUSINESS_ADJECTIVES: tuple[str, ...] = _words(
    """
    Sunrise Golden Blue Summit Pioneer Liberty Evergreen Heritage Cornerstone Keystone
    Riverside Lakeview Highland Prairie Coastal Northside Southside Eastside Westside Metro
    Premier Reliable Precision Royal Silver Bright Family Hometown Patriot Mountain Valley
    """
)

STREETS: tuple[str, ...] = (
    "Main",
    "Oak",
    "Maple",
    "Cedar",
    "Pine",
    "Elm",
    "Washington",
    "Lake",
    "Hill",
    "Park",
    "Walnut",
    "Chestnut",
    "Spruce",
    "Willow",
    "Sunset",
    "Ridge",
    "Church",
    "Highland",
    "Meadow",
    "Forest",
    "River",
    "Jefferson",
    "Lincoln",
    "Madison",
    "Franklin",
    "Jackson",
    "Adams",
    "Monroe",
    "Center",
    "Mill",
    "Spring",
    "Valley",
    "Broad",
    "Market",
    "Union",
    "Prospect",
    "Grove",
    "Cherry",
    "Dogwood",
    "Magnolia",
    "Hickory",
    "Birch",
    "Aspen",
    "Sycamore",
    "Poplar",
    "Laurel",
    "Orchard",
    "Garden",
    "Bay",
    "Harbor",
    "Mesa",
    "Canyon",
    "Desert",
    "Palm",
    "Vista",
    "Alameda",
    "El Camino",
    "Rio Grande",
    "Mission",
    "Sierra",
    "Kalakaua",
    "Kapiolani",
    "Northern Lights",
    "Martin Luther King Jr",
    "Cesar Chavez",
    "First",
    "Second",
    "Third",
    "Fourth",
    "Fifth",
    "Sixth",
    "Seventh",
    "Eighth",
    "Ninth",
    "Tenth",
    "12th",
    "14th",
    "18th",
    "21st",
    "42nd",
)
STREET_TYPES: tuple[str, ...] = (
    "St",
    "St",
    "St",
    "Ave",
    "Ave",
    "Ave",
    "Rd",
    "Rd",
    "Dr",
    "Dr",
    "Ln",
    "Blvd",
    "Ct",
    "Way",
    "Pl",
    "Ter",
    "Cir",
    "Pkwy",
)
UNITS: tuple[str, ...] = (
    "Apt 1",
    "Apt 2B",
    "Apt 3C",
    "Apt 4",
    "Unit 12",
    "Apt 5F",
    "#204",
    "Ste 100",
)

EMAIL_DOMAINS: tuple[str, ...] = ("example.com", "example.net", "example.org")


class Creditor(NamedTuple):
    name: str
    medical: bool
    weight: int  # share of the portfolio
    businesses: bool  # also bills businesses
    charge_memos: tuple[str, ...]
    low_cents: int  # typical bill range (log-uniform between low and high)
    high_cents: int


CREDITORS: tuple[Creditor, ...] = (
    Creditor(
        "Lakeside Family Medicine",
        True,
        22,
        False,
        (
            "Office visit, established patient (99213)",
            "Office visit, established patient (99214)",
            "New patient visit (99203)",
            "Annual physical (99396)",
            "Lab panel (80053)",
            "Flu vaccine and administration",
            "Telehealth visit (99213)",
        ),
        9_000,
        90_000,
    ),
    Creditor(
        "Summit Orthopedics",
        True,
        14,
        False,
        (
            "MRI lumbar spine (72148)",
            "Knee arthroscopy (29881)",
            "Physical therapy, 6 sessions",
            "X-ray, wrist 3 views (73110)",
            "Cortisone injection (20610)",
            "Fracture care, forearm (25600)",
        ),
        30_000,
        2_000_000,
    ),
    Creditor(
        "Valley Dental Group",
        True,
        10,
        False,
        (
            "Crown, porcelain (D2740)",
            "Root canal, molar (D3330)",
            "Periodic exam and cleaning (D0120, D1110)",
            "Extraction, surgical (D7210)",
            "Fillings, 2 surfaces (D2392)",
        ),
        8_000,
        250_000,
    ),
    Creditor(
        "St. Brigid Regional Hospital",
        True,
        10,
        False,
        (
            "Emergency department visit (99284)",
            "Observation stay, 1 night",
            "CT abdomen with contrast (74160)",
            "Outpatient surgery, facility fee",
            "Ambulance transport (A0427)",
        ),
        50_000,
        2_500_000,
    ),
    Creditor(
        "Metro Utilities",
        False,
        18,
        True,
        (
            "Electric service",
            "Water and sewer service",
            "Gas service",
            "Final bill, service closed",
            "Reconnection fee",
        ),
        4_000,
        120_000,
    ),
    Creditor(
        "Northwind Furniture Credit",
        False,
        12,
        True,
        (
            "Sectional sofa, financed purchase",
            "Bedroom set, financed purchase",
            "Dining table and chairs, financed purchase",
            "Mattress, financed purchase",
            "Late fee",
        ),
        40_000,
        900_000,
    ),
    Creditor(
        "Harbor Property Management",
        False,
        8,
        True,
        (
            "Unpaid rent",
            "Move-out cleaning and repairs",
            "Lease break fee",
            "Late rent fee",
        ),
        30_000,
        600_000,
    ),
    Creditor(
        "Clearline Communications",
        False,
        6,
        True,
        (
            "Internet and TV service",
            "Unreturned equipment fee",
            "Wireless service, final bill",
            "Early termination fee",
        ),
        5_000,
        80_000,
    ),
)


class Payer(NamedTuple):
    name: str
    weight: int
    timely_filing_days: int
    phone: str  # provider services line: fictional toll-free 555-01XX numbers


PAYERS: tuple[Payer, ...] = (
    Payer("Blue Cross Blue Shield", 28, 180, "+18005550110"),
    Payer("UnitedHealthcare", 22, 90, "+18885550121"),
    Payer("Aetna", 15, 90, "+18005550132"),
    Payer("Cigna", 10, 90, "+18775550143"),
    Payer("Medicare", 15, 365, "+18005550154"),
    Payer("Medicaid", 6, 365, "+18665550165"),
    Payer("Humana", 4, 180, "+18005550176"),
)

# Claim adjustment reason codes seen on denials (group code - reason).
DENIAL_CODES: tuple[str, ...] = (
    "CO-16",  # claim lacks information needed for adjudication
    "CO-16",
    "CO-50",  # not medically necessary
    "CO-97",  # bundled into another service
    "CO-97",
    "CO-18",  # duplicate claim
    "CO-22",  # coordination of benefits
    "CO-29",  # timely filing limit expired
    "CO-197",  # precertification/authorization absent
    "PR-1",  # deductible
    "PR-1",
    "PR-2",  # coinsurance
    "PR-204",  # not covered under the patient's plan
)

COORDINATORS: tuple[str, ...] = (
    "mgarcia",
    "jchen",
    "tbrooks",
    "akowalski",
    "dpatel",
    "lnguyen",
    "rwashington",
    "sobrien",
)

# What coordinators write after a call, by outcome. "{p}" is the debtor's pronoun
# (she/he/they), "{P}" capitalised, "{day}" a payday phrase.
NOTES: dict[str, tuple[str, ...]] = {
    "no_answer": (
        "No answer, no VM set up",
        "Rang out",
        "NA",
        "No answer, tried mobile",
        "Rang 10x, no VM",
    ),
    "voicemail": (
        "Left VM",
        "LVM w/ callback number",
        "Left message to return call re: balance",
        "VM full, could not leave message",
        "Left generic VM, no account details",
        "LVM, 2nd attempt this month",
    ),
    "busy": ("Busy signal", "Busy x2"),
    "not_in_service": (
        "Number disconnected",
        "Not in service recording",
        "Recording: number no longer in service",
    ),
    "wrong_number": (
        "Wrong number, person has never heard of debtor",
        "Wrong number - belongs to a business now",
        "Man answered, says this is not their number anymore",
    ),
    "third_party": (
        "Spoke w/ spouse, will pass on message. No details given",
        "Roommate answered, left name and number only",
        "Daughter answered, asked for best time to call",
        "Receptionist took message",
    ),
    "conversation": (
        "{P} says the bill should have gone to insurance, sent EOB request",
        "{P} was driving, asked us to call back next week",
        "Explained balance and aging. {P} will review statement",
        "{P} lost job last month, will call when working again",
        "Verified address, {p} had not received statements",
        "{P} asked for an itemized bill, mailed today",
        "Talked about payment plan options, {p} will think about it",
    ),
    "promise": (
        "{P} says {p} gets paid on {day}, will pay then",
        "Promised to pay by {day} online",
        "PTP {day}, will use debit card",
        "{P} will mail a check by {day}",
        "{P} can do a partial payment {day}, rest next month",
    ),
    "arrangement": (
        "Set up monthly plan, first payment {day}",
        "Agreed to plan, autopay on {day}",
        "{P} asked for smaller payments, set up biweekly plan",
    ),
    "paid": (
        "Took payment over the phone",
        "Paid by card, confirmation given",
        "{P} paid in full, thanked {p}",
        "Payment taken, receipt emailed",
    ),
    "refused": (
        "{P} refuses to pay, says service was bad",
        "Refused, hung up",
        "{P} says {p} will not pay until insurance is sorted",
        "Refused to discuss, asked not to be bothered",
    ),
    "dispute": (
        "{P} disputes the charge, says it was paid in cash",
        "Disputes amount, claims double billing",
        "{P} says this is not {p} account, identity theft",
        "Disputing the late fees, sent validation notice",
    ),
    "callback_requested": (
        "Said {p} gets paid on {day}, will call back",
        "{P} is at work, call back after 5",
        "Asked us to call back tomorrow morning",
        "{P} needs to check with spouse, call back {day}",
        "At the doctor, asked for a call back later",
    ),
}

PAYDAYS: tuple[str, ...] = (
    "the 15th",
    "the 1st",
    "Friday",
    "the 30th",
    "next Friday",
    "the 3rd",
    "payday",
)

# Notes not tied to a call (mail, email, account work).
GENERAL_NOTES: tuple[str, ...] = (
    "Statement returned by post office, address needs checking",
    "Received email asking for itemized statement, sent",
    "Skip trace requested",
    "Insurance info updated per patient portal",
    "Sent final notice letter",
    "Debtor emailed to say they are looking for work",
    "Address updated from returned mail",
)

PAYMENT_MEMOS: tuple[str, ...] = (
    "Payment - card",
    "Payment - card",
    "Payment - ACH",
    "Payment - check",
    "Payment - online portal",
    "Payment - cash at front desk",
)
