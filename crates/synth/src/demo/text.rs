//! The words of the demo: contact notes, care-plan goals, relapse-prevention plans, case-review
//! notes and recommendations. Fictitious, free of identifying detail, and plausible for a
//! Collaborative Care caseload.

pub(super) const FOLLOW_UP_NOTES: &[&str] = &[
    "Reviewed PHQ-9; sleep a little better. Continue the behavioral activation schedule.",
    "Taking medication daily, mild nausea in the first week, now settled.",
    "Walked three times this week. Set a goal of one call to a friend.",
    "Mood low after a conflict at work; problem-solving on the next step.",
    "Reports more energy in the mornings. Reviewed the activity log together.",
    "Missed two doses; set a phone reminder. No side effects reported.",
    "Discussed worry about finances; referred to the community resource list.",
    "Returned to church choir this week. Plan unchanged.",
];

pub(super) const BRIEF_INTERVENTION_NOTES: &[&str] = &[
    "Behavioral activation: scheduled two valued activities for the week.",
    "Problem-solving treatment session 3: chose to call the landlord about repairs.",
    "Motivational interviewing about alcohol use; agreed to track drinks for a week.",
    "Sleep hygiene: fixed wake time, no screens after 10 pm.",
];

pub(super) const COORDINATION_NOTES: &[&str] = &[
    "Spoke with the PCP about the dose change recommended at case review.",
    "Called the pharmacy about a prior authorization for the new prescription.",
    "Coordinated a joint visit with the PCP next week.",
    "Sent the updated care plan to the PCP.",
];

pub(super) const OUTREACH_NOTES: &[&str] = &[
    "Left a voicemail to reschedule.",
    "No answer; sent a portal message.",
    "Reached the patient; rescheduled for later this week.",
];

pub(super) const GOALS: &[&str] = &[
    "Sleep through the night most nights; walk 20 minutes three times a week.",
    "Return to work full time; see friends once a week.",
    "Enjoy time with the grandchildren again; cook dinner at home.",
    "Feel less on edge at work; finish the semester.",
    "Get out of bed before 9 on weekdays; take medication every day.",
];

pub(super) const RELAPSE_PREVENTION_PLANS: &[&str] = &[
    "Keep the morning walk and the Sunday call with my sister. Warning signs: sleeping past 10, skipping meals, not answering the phone. If two last a week, call the care manager. Continue the antidepressant for at least six more months.",
    "Keep the weekly activity plan. Warning signs: staying home from work, irritability, drinking more. If they appear, call the clinic and repeat the PHQ-9.",
    "Continue medication as prescribed and the breathing exercises. Warning signs: worrying most of the day again, poor sleep for a week. Call the care manager if they return.",
];

pub(super) const SAFETY_RISK_NOTE: &str = "Disclosed a recent job loss and a firearm at home; reviewed the safety plan, family to store it elsewhere.";

pub(super) const REVIEW_NOTES: &str = "Weekly caseload review with the care managers.";

pub(super) const RECOMMEND_SAFETY: &[&str] = &[
    "Complete a written safety plan at the next contact and confirm access to lethal means is restricted.",
    "Administer the C-SSRS screener at the next contact.",
    "Increase contact to weekly until item 9 is 0 on two PHQ-9s.",
];

pub(super) const RECOMMEND_NEW: &[&str] = &[
    "Start sertraline 25 mg daily for 7 days, then 50 mg daily.",
    "Start escitalopram 5 mg daily, increase to 10 mg after one week.",
    "Begin behavioral activation: schedule two pleasant activities per week.",
    "Offer problem-solving treatment, 6 weekly sessions.",
    "Check TSH, B12 and CBC if not done in the last year.",
];

pub(super) const RECOMMEND_NOT_IMPROVING: &[&str] = &[
    "Increase sertraline from 50 mg to 100 mg daily.",
    "Switch from citalopram to bupropion XL 150 mg daily.",
    "Add bupropion XL 150 mg to the current SSRI.",
    "Refer for CBT with a community therapist.",
    "Screen for bipolar disorder with the MDQ before further titration.",
    "Check adherence; consider mirtazapine 15 mg at night for sleep.",
];

pub(super) const RECOMMEND_DISCUSSION: &[&str] = &[
    "If nausea persists, take the medication with food or switch to escitalopram.",
    "Coordinate with the PCP about the chronic pain regimen before changing the antidepressant.",
    "Offer a joint visit with the PCP to review the plan.",
];

pub(super) const RECOMMEND_ROUTINE: &[&str] =
    &["Continue the current plan; repeat the PHQ-9 in 4 weeks."];

pub(super) const DECLINE_REASONS: &[&str] = &[
    "Patient prefers to stay on the current dose for now.",
    "Deferred: waiting for lab results.",
    "Patient declined a referral to therapy; prefers care in the practice.",
];
