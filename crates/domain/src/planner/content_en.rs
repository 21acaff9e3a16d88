//! English patient texts. Written for a 6th–8th grade reading level: short sentences, common
//! words, no abbreviations (a period ends a sentence for the reading-level check).

use super::engagement::{ContentKey, ContentText, SectionText, Topic};

const CONSENT: &[SectionText] = &[
    SectionText {
        topic: Topic::WhatItIs,
        heading: "What this service is",
        body: "Our practice offers extra support for people who are dealing with low mood, worry, \
               stress, drinking or other problems that affect how they feel. You keep seeing your \
               own doctor, and a behavioral health care manager works closely with you and your \
               doctor to help you feel better, one step at a time.",
    },
    SectionText {
        topic: Topic::Team,
        heading: "Who is on your team",
        body: "You are the most important member of your care team. Your doctor leads your care and \
               decides on any medicine. Your care manager checks in with you regularly, asks a few \
               short questions to measure how you are feeling, and helps you set goals that matter \
               to you. A psychiatrist, a doctor who specializes in mental health, reviews your \
               progress with the team each week and suggests changes when needed. The psychiatrist \
               usually does not meet with you in person.",
    },
    SectionText {
        topic: Topic::Contact,
        heading: "How we keep in touch",
        body: "Your care manager will contact you by phone, meet with you by video, or see you at \
               the office, whichever works best for you. In the beginning you will usually talk \
               every week or two. Later, as you start to feel better, you will talk less often.",
    },
    SectionText {
        topic: Topic::Cost,
        heading: "What it costs",
        body: "This service is billed once a month, like other medical care. Your insurance may ask \
               you to pay part of the cost, such as a copay, coinsurance or a deductible. If you \
               have Medicare, it usually pays about 80 percent, and you or your other insurance \
               pays the rest. Only one practice can bill for this service each month. Please ask us \
               what your plan covers before you decide.",
    },
    SectionText {
        topic: Topic::ConsultPermission,
        heading: "Your permission to share with the expert",
        body: "To give you the best possible care, your care manager regularly discusses your \
               treatment with the psychiatrist. We ask for your permission to share your health \
               information with this specialist as part of your treatment.",
    },
    SectionText {
        topic: Topic::RightToStop,
        heading: "You can stop at any time",
        body: "You can say no to this service, and you can stop at any time. Simply tell your care \
               manager or your doctor. Stopping will not change any other care you receive at our \
               practice.",
    },
];

const WHY_AND_HOW: &[SectionText] = &[
    SectionText {
        topic: Topic::Why,
        heading: "Why we offer this care",
        body: "Your mind and body are closely connected. Stress, sadness and worry can make health \
               problems like diabetes or back pain harder to manage, and living with a health \
               problem can make you feel down. Depression and anxiety are very common medical \
               conditions. They are not a sign of weakness, and they can be treated successfully.",
    },
    SectionText {
        topic: Topic::HowItWorks,
        heading: "How it works",
        body: "Every few weeks your care manager will ask you to answer a short questionnaire about \
               how you have been feeling. Your answers show the team whether you are getting \
               better. If you are not improving, the team adjusts your treatment plan until you do. \
               Your doctor and the psychiatrist help decide each change.",
    },
    SectionText {
        topic: Topic::WhatHelps,
        heading: "What can help",
        body: "Treatment may include medicine from your doctor and short counseling sessions with \
               your care manager. Small daily steps also make a difference, such as planning \
               activities you enjoy, sleeping well and staying active.",
    },
    SectionText {
        topic: Topic::Family,
        heading: "How family and friends can help",
        body: "Family members and friends can support you by reminding you about appointments, \
               joining a visit if you would like, and noticing changes in how you are doing. You \
               decide what information we share with them.",
    },
    SectionText {
        topic: Topic::StayingWell,
        heading: "When you feel better",
        body: "When you are feeling better, you and your care manager will write a plan to help you \
               stay well. The plan lists the warning signs to watch for and what to do if they \
               return.",
    },
];

const CONFIDENTIALITY: &[SectionText] = &[
    SectionText {
        topic: Topic::WhoSees,
        heading: "Who sees your information",
        body: "The people who treat you share the information they need so they can work together \
               as a team. This includes your doctor, your care manager and the psychiatrist who \
               advises them. The law allows this sharing for your treatment without a separate \
               signed form. Staff who handle billing see only the information they need to send the \
               bill.",
    },
    SectionText {
        topic: Topic::SharingWithFamily,
        heading: "Family and friends",
        body: "We may talk with family members or friends who help with your care, unless you tell \
               us not to. You can tell us exactly who may know about your care.",
    },
    SectionText {
        topic: Topic::PsychotherapyNotes,
        heading: "Therapy notes",
        body: "Some therapists keep private notes about what is discussed in counseling sessions. \
               These notes are stored separately from your main health record, and we do not share \
               them without your written permission.",
    },
    SectionText {
        topic: Topic::SubstanceUseRecords,
        heading: "Alcohol and drug treatment records",
        body: "Records from special programs that treat alcohol or drug use have extra \
               protection under federal law. In most cases we need your written permission to \
               share them. You can sign one form that covers your treatment, payment and our \
               normal business, and you can take it back later. These records cannot be used \
               against you in court unless you agree or a judge orders it.",
    },
    SectionText {
        topic: Topic::PrivacyQuestions,
        heading: "Questions",
        body: "Some state laws give mental health records extra protection, and we follow \
               them. If you have questions about your privacy, ask us for our notice of privacy \
               practices. It explains your rights in more detail.",
    },
];

const CRISIS: &[SectionText] = &[
    SectionText {
        topic: Topic::Lifeline988,
        heading: "Call or text 988",
        body: "If you are thinking about hurting yourself, or you feel that you are in crisis, call \
               or text 988 at any time. This number reaches the Suicide and Crisis Lifeline, which \
               is free, confidential and available day and night, every day of the year.",
    },
    SectionText {
        topic: Topic::Emergency,
        heading: "In an emergency",
        body: "If you or someone else is in danger right now, call 911 or go to the nearest \
               emergency room.",
    },
    SectionText {
        topic: Topic::MoreLines,
        heading: "Veterans and Spanish speakers",
        body: "Veterans and their families can call 988 and then press 1. For help in Spanish, \
               call 988 and then press 2.",
    },
    SectionText {
        topic: Topic::OurOffice,
        heading: "Our office",
        body: "You can also call our office during business hours. Your care manager is not an \
               emergency service, so do not wait for a call back if you need help right away.",
    },
];

pub const ENGLISH: [ContentText; 4] = [
    ContentText {
        key: ContentKey::ConsentConversation,
        language: "en",
        title: "Joining our care team program",
        sections: CONSENT,
        sources: &[
            "Consent elements: bhi-planning.md §7.1; cocm-billing-registry.md §2.5 [S31][S33]",
            "Good practice additions (team, contact, right to stop): bhi-planning.md §7.1 [P]",
        ],
    },
    ContentText {
        key: ContentKey::WhyAndHow,
        language: "en",
        title: "Why we offer care for mood and stress, and how it works",
        sections: WHY_AND_HOW,
        sources: &["AIMS Center, Educate your patients; topics of bhi-planning.md §7.4"],
    },
    ContentText {
        key: ContentKey::Confidentiality,
        language: "en",
        title: "Your privacy: who sees what",
        sections: CONFIDENTIALITY,
        sources: &[
            "HIPAA treatment disclosures and psychotherapy notes: bhi-planning.md §7.2",
            "42 CFR Part 2 and the 2024 final rule: bhi-planning.md §7.3",
        ],
    },
    ContentText {
        key: ContentKey::CrisisResources,
        language: "en",
        title: "If you are in crisis",
        sections: CRISIS,
        sources: &["988 Suicide & Crisis Lifeline, press 1 and press 2: bhi-planning.md §6.1"],
    },
];
