//! Holds, exclusions, settings, RHC/FQHC and APCM edges, and input errors.

use super::examples::{bhi, cocm, doc, expect, lines, only, run};
use crate::billing::json::parse_input;
use crate::billing::{bill_month, evaluate, evaluate_json};
use serde_json::{Value, json};

fn text(m: &Value) -> &str {
    m["explanation"].as_str().unwrap()
}

fn holds(m: &Value) -> Vec<&str> {
    m["holds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["code"].as_str().unwrap())
        .collect()
}

fn january(activities: Vec<Value>) -> Value {
    doc("physician_office", "2026-01-02", activities, &["2026-01"])
}

#[test]
fn no_consent_holds_the_month() {
    let mut input = january(vec![cocm("2026-01-05", 75)]);
    input["consents"] = json!([{"program": "bhi", "date": "2024-06-01", "revoked": null}]);
    let m = only(&input);
    expect_held(&m, &["no_consent"]);
    assert_eq!(m["countable_minutes"], 0);
    assert!(
        text(&m).starts_with("Held: no CoCM consent documented."),
        "{}",
        text(&m)
    );
    assert!(
        text(&m).contains("75 minutes without a CoCM consent"),
        "{}",
        text(&m)
    );
    assert_eq!(
        m["holds"][0]["explanation"].as_str().unwrap(),
        "no CoCM consent documented"
    );
}

fn expect_held(m: &Value, codes: &[&str]) {
    assert_eq!(lines(m), vec![], "{m:#}");
    assert_eq!(holds(m), codes, "{m:#}");
}

#[test]
fn minutes_before_consent_and_after_revocation_do_not_count() {
    let mut input = january(vec![
        cocm("2026-01-05", 20),
        cocm("2026-01-15", 40),
        cocm("2026-01-25", 30),
    ]);
    input["consents"] = json!([{"program": "cocm", "date": "2026-01-10", "revoked": "2026-01-25"}]);
    let m = only(&input);
    expect(&m, &[("99492", 1)]);
    assert_eq!(m["countable_minutes"], 40);
    let t = text(&m);
    assert!(
        t.contains("20 minutes before the CoCM consent of 2026-01-10"),
        "{t}"
    );
    assert!(
        t.contains("30 minutes on or after the CoCM consent's revocation on 2026-01-25"),
        "{t}"
    );
}

#[test]
fn a_consent_dated_after_all_activity_holds_the_month() {
    let mut input = january(vec![cocm("2026-01-05", 40)]);
    input["consents"] = json!([{"program": "cocm", "date": "2026-02-01", "revoked": null}]);
    let m = only(&input);
    expect_held(&m, &["no_consent"]);
    assert!(
        text(&m).contains("the consent is dated 2026-02-01"),
        "{}",
        text(&m)
    );
}

#[test]
fn bhi_consent_does_not_cover_cocm() {
    let mut input = january(vec![cocm("2026-01-05", 40)]);
    input["consents"] = json!([{"program": "bhi", "date": "2025-01-01"}]);
    expect_held(&only(&input), &["no_consent"]);
}

#[test]
fn missing_or_stale_initiating_visit_holds_the_episode() {
    let mut input = doc(
        "physician_office",
        "2025-01-04",
        vec![cocm("2026-01-05", 75), cocm("2026-02-05", 40)],
        &["2026-01", "2026-02"],
    );
    let months = run(&input);
    for m in &months {
        expect_held(m, &["no_initiating_visit"]);
    }
    let t = text(&months[1]);
    assert!(
        t.starts_with(
            "Held: no initiating visit: the billing practitioner has no qualifying visit (AWV, \
             IPPE, TCM or other E/M) from 2025-01-05 to 2026-01-05, the year before this CoCM \
             episode began (the last visit, on 2025-01-04, is more than a year earlier)."
        ),
        "{t}"
    );
    assert!(t.contains("once the holds are resolved, 99493."), "{t}");
    input["initiating_visit"] = json!("2025-01-05");
    expect(&run(&input)[0], &[("99492", 1)]);
    input["initiating_visit"] = Value::Null;
    assert_eq!(holds(&run(&input)[0]), ["no_initiating_visit"]);
    input["initiating_visit"] = json!("2026-01-06");
    assert!(text(&run(&input)[0]).contains("(the visit on 2026-01-06 came after it began)"));
}

#[test]
fn both_holds_are_reported_together() {
    let mut input = january(vec![cocm("2026-01-05", 40)]);
    input["consents"] = json!([]);
    input["initiating_visit"] = Value::Null;
    let m = only(&input);
    expect_held(&m, &["no_consent", "no_initiating_visit"]);
}

#[test]
fn a_new_episode_needs_its_own_initiating_visit() {
    // The visit covers the first episode (January 2025) but not the one that starts in
    // February 2026 after six empty months.
    let input = doc(
        "physician_office",
        "2025-01-02",
        vec![cocm("2025-01-06", 40), cocm("2026-02-03", 40)],
        &["2025-01", "2026-02"],
    );
    let months = run(&input);
    expect(&months[0], &[("99492", 1)]);
    expect_held(&months[1], &["no_initiating_visit"]);
}

#[test]
fn roles_that_do_not_count_and_the_consultant_setting() {
    let mut consultant = cocm("2026-01-06", 20);
    consultant["role"] = json!("psychiatric_consultant");
    let mut staff = cocm("2026-01-07", 10);
    staff["role"] = json!("clinical_staff");
    let mut practitioner = cocm("2026-01-08", 6);
    practitioner["role"] = json!("billing_practitioner");
    let mut input = january(vec![
        cocm("2026-01-05", 30),
        consultant,
        staff,
        practitioner,
    ]);
    let m = only(&input);
    assert_eq!(m["countable_minutes"], 36);
    expect(&m, &[("99492", 1)]);
    let t = text(&m);
    assert!(
        t.contains("20 minutes of psychiatric consultant time (not counted for CoCM)"),
        "{t}"
    );
    assert!(
        t.contains("10 minutes of clinical staff time (not counted for CoCM)"),
        "{t}"
    );
    assert!(
        t.contains("count_psychiatric_consultant_time = false"),
        "{t}"
    );
    input["rules"] = json!({"count_psychiatric_consultant_time": true});
    let m = only(&input);
    assert_eq!(m["countable_minutes"], 56);
    assert!(text(&m).contains("count_psychiatric_consultant_time = true"));
}

#[test]
fn clinical_staff_time_counts_for_general_bhi() {
    let mut cm = bhi("2026-01-05", 10);
    cm["role"] = json!("care_manager");
    let m = only(&january(vec![bhi("2026-01-12", 10), cm]));
    expect(&m, &[("99484", 1)]);
    assert_eq!(m["countable_minutes"], 20);
}

#[test]
fn g2214_floor_setting() {
    let mut input = january(vec![cocm("2026-01-05", 20)]);
    expect(&only(&input), &[("G2214", 1)]);
    input["rules"] = json!({"g2214_floor_minutes": 30});
    let m = only(&input);
    expect(&m, &[]);
    assert!(text(&m).contains("G2214 needs 30"), "{}", text(&m));
    assert!(text(&m).contains("g2214_floor_minutes = 30"));
}

#[test]
fn the_99494_cap_is_a_payer_setting() {
    let mut input = january(vec![cocm("2026-01-05", 180)]);
    let m = only(&input);
    expect(&m, &[("99492", 1), ("99494", 2)]);
    assert!(
        text(&m).contains("The minutes support 4 units of 99494; the cap for this payer is 2."),
        "{}",
        text(&m)
    );
    input["rules"] = json!({"max_99494_units": 4});
    expect(&only(&input), &[("99492", 1), ("99494", 4)]);
    input["rules"] = json!({"max_99494_units": 0});
    expect(&only(&input), &[("99492", 1)]);
}

#[test]
fn the_month_after_a_g2214_first_month_follows_the_initial_month_setting() {
    let mut input = doc(
        "physician_office",
        "2026-01-02",
        vec![
            cocm("2026-01-05", 20),
            cocm("2026-02-05", 50),
            cocm("2026-03-05", 50),
        ],
        &["2026-01", "2026-02", "2026-03"],
    );
    let months = run(&input);
    expect(&months[0], &[("G2214", 1)]);
    expect(&months[1], &[("99493", 1)]);
    assert!(text(&months[1]).contains("initial_month = first_activity_month"));
    assert!(text(&months[1]).contains("The episode's initial month was January 2026"));
    input["rules"] = json!({"initial_month": "until_99492"});
    let months = run(&input);
    expect(&months[1], &[("99492", 1)]);
    assert_eq!(months[1]["month_type"], "initial");
    assert!(text(&months[1]).contains("initial_month = until_99492"));
    expect(&months[2], &[("99493", 1)]);
    assert!(
        !text(&months[2]).contains("initial_month ="),
        "{}",
        text(&months[2])
    );
}

#[test]
fn date_of_service_setting() {
    let mut input = january(vec![
        cocm("2026-01-05", 30),
        cocm("2026-01-12", 10),
        cocm("2026-01-20", 50),
    ]);
    assert!(text(&only(&input)).contains("Date of service: 2026-01-31."));
    input["rules"] = json!({"date_of_service": "threshold_met"});
    // 99492 + one 99494 need 86 minutes, reached on the 20th.
    let m = only(&input);
    expect(&m, &[("99492", 1), ("99494", 1)]);
    assert!(
        text(&m).contains("Date of service: 2026-01-20."),
        "{}",
        text(&m)
    );
    assert!(text(&m).contains("date_of_service = threshold_met"));
}

#[test]
fn general_bhi_floor_setting() {
    let mut input = january(vec![bhi("2026-01-05", 15)]);
    expect(&only(&input), &[]);
    input["rules"] = json!({"floor_99484_minutes": 11});
    expect(&only(&input), &[("99484", 1)]);
}

#[test]
fn g0512_initial_floor_setting() {
    let mut input = doc(
        "fqhc",
        "2025-07-01",
        vec![cocm("2025-07-08", 65)],
        &["2025-07"],
    );
    input["rules"] = json!({"g0512_initial_floor_minutes": 70});
    let m = only(&input);
    expect(&m, &[]);
    assert!(text(&m).contains("G0512 needs 70"), "{}", text(&m));
}

#[test]
fn rhc_cocm_before_2026_has_no_g2214() {
    let m = only(&doc(
        "rhc",
        "2025-05-01",
        vec![cocm("2025-05-08", 30)],
        &["2025-05"],
    ));
    expect(&m, &[]);
    assert!(text(&m).contains("G0512 needs 60"), "{}", text(&m));
}

#[test]
fn rhc_cocm_in_2026_uses_the_cpt_codes() {
    let m = only(&doc(
        "rhc",
        "2026-01-02",
        vec![cocm("2026-01-05", 20)],
        &["2026-01"],
    ));
    expect(&m, &[("G2214", 1)]);
    assert!(text(&m).contains("From January 2026 RHCs and FQHCs bill CoCM"));
}

#[test]
fn g2214_does_not_exist_before_2021() {
    let m = only(&doc(
        "physician_office",
        "2020-03-02",
        vec![cocm("2020-03-05", 30)],
        &["2020-03"],
    ));
    expect(&m, &[]);
    assert!(text(&m).contains("99492 needs 36"), "{}", text(&m));
}

#[test]
fn no_code_before_2018() {
    let m = only(&doc(
        "physician_office",
        "2017-03-02",
        vec![cocm("2017-03-05", 80)],
        &["2017-03"],
    ));
    expect(&m, &[]);
    assert!(
        text(&m).starts_with("Not billable: no CoCM code applies"),
        "{}",
        text(&m)
    );
}

#[test]
fn a_behavioral_health_clinician_bills_g0323_and_not_cocm() {
    let mut own = bhi("2026-01-05", 25);
    own["role"] = json!("billing_practitioner");
    let mut input = january(vec![own, bhi("2026-01-06", 30)]);
    input["billing_practitioner"] = json!("behavioral_health_clinician");
    let m = only(&input);
    expect(&m, &[("G0323", 1)]);
    assert_eq!(m["countable_minutes"], 25);
    input["activities"] = json!([cocm("2026-01-05", 60)]);
    let m = only(&input);
    expect(&m, &[]);
    assert!(
        text(&m).contains("CoCM needs a treating practitioner"),
        "{}",
        text(&m)
    );
}

#[test]
fn apcm_months_subsequent_bhi_declined_and_before_2026() {
    let mut input = doc(
        "physician_office",
        "2026-01-02",
        vec![cocm("2026-01-05", 40), cocm("2026-02-05", 40)],
        &["2026-02"],
    );
    input["apcm_months"] = json!(["2026-02"]);
    expect(&only(&input), &[("G0569", 1)]);
    input["rules"] = json!({"apcm_add_ons": false});
    let m = only(&input);
    expect(&m, &[("99493", 1)]);
    assert!(text(&m).contains("does not bill the APCM add-ons"));
    let mut bhi_input = january(vec![bhi("2026-01-05", 5)]);
    bhi_input["apcm_months"] = json!(["2026-01"]);
    expect(&only(&bhi_input), &[("G0570", 1)]);
    let mut early = doc(
        "physician_office",
        "2025-06-02",
        vec![cocm("2025-06-05", 40)],
        &["2025-06"],
    );
    early["apcm_months"] = json!(["2025-06"]);
    let m = only(&early);
    expect(&m, &[("99492", 1)]);
    assert!(text(&m).contains("add-ons start in January 2026"));
}

#[test]
fn months_without_activity_and_the_default_months() {
    let mut input = doc(
        "physician_office",
        "2026-01-02",
        vec![cocm("2026-03-05", 40), cocm("2026-01-05", 40)],
        &["2025-12", "2026-02", "2026-09", "2026-10"],
    );
    let months = run(&input);
    assert_eq!(months.len(), 4);
    assert_eq!(months[0]["program"], Value::Null);
    assert!(
        text(&months[0]).starts_with("No CoCM or general BHI activity recorded in December 2025")
    );
    assert!(
        text(&months[1]).contains(
            "The CoCM episode that began in January 2026 continues if services resume by July 2026."
        ),
        "{}",
        text(&months[1])
    );
    assert!(text(&months[2]).contains("resume by September 2026"));
    assert!(!text(&months[3]).contains("continues"));
    input.as_object_mut().unwrap().remove("months");
    let months = run(&input);
    let names: Vec<&str> = months
        .iter()
        .map(|m| m["month"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["2026-01", "2026-03"]);
    expect(&months[1], &[("99493", 1)]);
}

#[test]
fn bill_month_agrees_with_evaluate() {
    let input = doc(
        "physician_office",
        "2025-01-02",
        vec![
            cocm("2025-01-06", 40),
            cocm("2025-02-06", 90),
            bhi("2025-05-06", 30),
            cocm("2025-10-06", 50),
        ],
        &[],
    );
    let (history, rules, _) = parse_input(&input.to_string()).unwrap();
    let months: Vec<_> = [
        "2024-12", "2025-01", "2025-02", "2025-04", "2025-05", "2025-10",
    ]
    .iter()
    .map(|s| s.parse().unwrap())
    .collect();
    let all = evaluate(&history, &months, &rules);
    for (m, b) in months.iter().zip(&all) {
        assert_eq!(&bill_month(&history, *m, &rules), b);
    }
}

#[test]
fn dates_at_the_ends_of_the_calendar_do_not_trap_the_engine() {
    let input = doc(
        "physician_office",
        "9999-12-01",
        vec![cocm("9999-12-15", 40), cocm("1900-01-15", 40)],
        &["1900-01", "9999-12"],
    );
    let months = run(&input);
    assert_eq!(months.len(), 2);
    assert_eq!(months[1]["countable_minutes"], 40);
    let mut early = input.clone();
    early["activities"][1]["date"] = json!("1899-12-31");
    assert_eq!(
        error(&early.to_string()),
        "activities[1].date: '1899-12-31' is outside the years 1900 to 9999"
    );
}

fn error(input: &str) -> String {
    evaluate_json(input).unwrap_err().to_string()
}

#[test]
fn input_errors_name_the_field() {
    let good = january(vec![
        cocm("2026-01-05", 40),
        cocm("2026-01-06", 40),
        cocm("2026-01-07", 40),
    ]);
    let mut bad = good.clone();
    bad["activities"][2]["date"] = json!("2026-13-01");
    assert_eq!(
        error(&bad.to_string()),
        "activities[2].date: '2026-13-01' is not a date in the form YYYY-MM-DD"
    );
    let mut bad = good.clone();
    bad["activities"][1]["minuts"] = json!(3);
    let e = error(&bad.to_string());
    assert!(
        e.starts_with("activities[1]") && e.contains("unknown field `minuts`"),
        "{e}"
    );
    let mut bad = good.clone();
    bad["activities"][0]["role"] = json!("nurse");
    let e = error(&bad.to_string());
    assert!(
        e.starts_with("activities[0].role: unknown variant `nurse`"),
        "{e}"
    );
    let mut bad = good.clone();
    bad["activities"][0]["minutes"] = json!(700);
    assert_eq!(
        error(&bad.to_string()),
        "activities[0].minutes: minutes must be between 0 and 600"
    );
    let mut bad = good.clone();
    bad["rules"] = json!({"g2214_floor_minutes": 0});
    let e = error(&bad.to_string());
    assert!(
        e.starts_with("rules.g2214_floor_minutes: must be from 1"),
        "{e}"
    );
    let mut bad = good.clone();
    bad["months"] = json!(["2026-1"]);
    let e = error(&bad.to_string());
    assert!(e.starts_with("months[0]: '2026-1' is not a month"), "{e}");
    let mut bad = good.clone();
    bad["consents"][0]["revoked"] = json!("2015-01-01");
    assert_eq!(
        error(&bad.to_string()),
        "consents[0].revoked: 2015-01-01 is before the consent date 2016-01-04"
    );
    let mut bad = good.clone();
    bad["payer"] = json!("medicare");
    let e = error(&bad.to_string());
    assert!(e.contains("unknown field `payer`"), "{e}");
    let e = error(r#"{"activities": []}"#);
    assert!(e.contains("missing field `setting`"), "{e}");
    assert!(error("{").contains("EOF"));
}
