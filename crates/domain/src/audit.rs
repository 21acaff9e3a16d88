//! The vocabulary of the audit trail: what was done, to which category of data, with what
//! outcome (reference security-reliability.md §4.7: who, what, when, where, outcome).

use crate::codes::code_enum;

code_enum! {
    pub enum AuditAction ("audit action") {
        SignIn = "session.sign_in",
        SignInFailed = "session.sign_in_failed",
        SignOut = "session.sign_out",
        SignInLockout = "session.lockout",
        Reauthenticate = "session.reauthenticate",
        MfaEnroll = "mfa.enroll",
        RecoveryCodeUse = "mfa.recovery_code_used",
        CredentialReset = "user.credentials_reset",
        UserBreakGlass = "user.break_glass",
        BreakGlassStart = "break_glass.start",
        BreakGlassAccess = "break_glass.access",
        AccessDenied = "access.denied",
        TokenCreate = "token.create",
        TokenRevoke = "token.revoke",
        UserCreate = "user.create",
        UserDisable = "user.disable",
        UserRoles = "user.roles",
        UserCredentials = "user.credentials",
        UserList = "user.list",
        PracticeCreate = "practice.create",
        PracticeSettings = "practice.settings",
        SiteCreate = "site.create",
        PatientCreate = "patient.create",
        BulkImport = "import.bulk",
        PatientRead = "patient.read",
        PatientUpdate = "patient.update",
        PatientSearch = "patient.search",
        EpisodeCreate = "episode.create",
        EpisodeRead = "episode.read",
        EpisodeTransition = "episode.transition",
        EpisodeLapse = "episode.lapse",
        EpisodeFlags = "episode.flags",
        ConsentCreate = "consent.create",
        ConsentRevoke = "consent.revoke",
        CarePlanUpdate = "care_plan.update",
        ContactCreate = "contact.create",
        ContactEnteredInError = "contact.entered_in_error",
        AssessmentCreate = "assessment.create",
        AssessmentEnteredInError = "assessment.entered_in_error",
        AssessmentRead = "assessment.read",
        CaseloadRead = "caseload.read",
        ReviewListRead = "review_list.read",
        CaseReviewCreate = "case_review.create",
        CaseReviewRead = "case_review.read",
        RecommendationDecide = "recommendation.decide",
        RecommendationRead = "recommendation.read",
        AuditVerify = "audit.verify",
        SafetyAlertRaise = "safety_alert.raise",
        SafetyAlertClose = "safety_alert.close",
        SafetyAlertRead = "safety_alert.read",
        TaskCreate = "task.create",
        TaskComplete = "task.complete",
        TaskRead = "task.read",
        InstrumentWordingLoad = "instrument_wording.load",
        InitiatingVisitCreate = "initiating_visit.create",
        EpisodeDiagnoses = "episode.diagnoses",
        BillingSettingsRead = "billing.settings_read",
        BillingSettingsUpdate = "billing.settings_update",
        BillingMonthRead = "billing.month_read",
        BillingMonthLock = "billing.month_lock",
        BillingAdjust = "billing.adjust",
        BillingExport = "billing.export",
        BillingRevenueRead = "billing.revenue_read",
        ResourceCreate = "resource.create",
        ResourceUpdate = "resource.update",
        ResourceImport = "resource.import",
        ReferralCreate = "referral.create",
        ReferralUpdate = "referral.update",
        ReferralConsent = "referral.consent",
        ReferralRead = "referral.read",
        MetricsRead = "metrics.read",
        BaselineCreate = "baseline.create",
        PlanSave = "plan.save",
        FinanceSettingsSave = "finance.settings_save",
        MeasuresSave = "measures.save",
    }
}

code_enum! {
    /// The category of data touched, so that reports can separate clinical from administrative access.
    pub enum AuditCategory ("audit category") {
        Authentication = "authentication",
        Administration = "administration",
        Demographics = "demographics",
        Clinical = "clinical",
        Assessment = "assessment",
        Billing = "billing",
    }
}

code_enum! {
    pub enum AuditOutcome ("audit outcome") {
        Success = "success",
        Denied = "denied",
        Failed = "failed",
    }
}
