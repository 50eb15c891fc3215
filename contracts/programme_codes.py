"""The programme records' code lists: one definition, read by the contract (`contracts.programme`)
and by the documents, whose kernels need not import pandera for them."""

ACTIVITY_TYPES = (
    "action learning set",
    "coaching",
    "mentoring",
    "shadowing",
    "secondment",
    "placement",
    "workshop",
    "event",
)
BUDGET_LINES = {
    "action_learning": "Action learning sets",
    "coaching_mentoring": "Coaching and mentoring",
    "shadowing_secondments": "Shadowing, secondments and placements",
    "events": "Workshops and events",
    "evaluation": "Evaluation",
    "programme_management": "Programme management",
}
TIERS = ("1", "2", "3")  # 1 = DCS, 2 = assistant director, 3 = head of service
COMPETENCIES = {
    "political_awareness": "Political awareness",
    "working_with_elected_members": "Working with elected members",
    "risk": "Risk",
    "commissioning": "Commissioning",
    "finance": "Finance",
    "partnership": "Partnership",
    "social_care_and_protection": "Social care and protection",
}
AUDITS = ("before", "after")
CAREER_EVENTS = ("applied", "shortlisted", "appointed", "acting up", "moved authority", "secondment")
LEDGER_ENTRIES = ("received", "spent")
MILESTONE_STATUSES = ("not started", "on track", "complete", "late")
TARGET_DIRECTIONS = ("higher", "lower")
# Aspirant DCS programme (the National College's programme the region promotes): a person's steps
ASPIRANT_STATUSES = ("nominated", "applied", "accepted", "started", "completed", "withdrew")
# How the person came to the programme: the region's promotion route
ASPIRANT_ROUTES = ("dcs nomination", "regional event", "programme activity", "self-referral")
# Leadership diversity (framework: career backgrounds, social and ethnic characteristics), asked
# once at enrolment, voluntarily; published only as regional percentages under disclosure control
CAREER_BACKGROUNDS = (
    "social care",
    "education",
    "health",
    "youth justice",
    "other public service",
    "private or voluntary sector",
    "prefer not to say",
)
GENDERS = ("female", "male", "other", "prefer not to say")
ETHNIC_GROUPS = ("white", "mixed", "asian", "black", "other", "prefer not to say")
FIRST_GENERATION = ("yes", "no", "prefer not to say")  # first in family at university: a social-background proxy
# The lead's direct support to an LA's talent-management culture
LA_SUPPORT_TYPES = ("talent review", "succession plan", "hr network", "development opportunity", "data support")
# Stakeholders in setting targets (framework, "Evaluating the strategy": involve stakeholders)
STAKEHOLDERS = {
    "dcs_group": "Regional DCS group",
    "national_college": "National College",
    "la_hr_leads": "LA HR and workforce leads",
    "participants": "Programme participants",
    "elected_members": "Elected members",
    "partners": "Health and third-sector partners",
}
STAKEHOLDER_PARTS = ("proposed measures", "commented on targets", "agreed targets", "reviews progress")
QUARTERS = ("Q1", "Q2", "Q3", "Q4")
