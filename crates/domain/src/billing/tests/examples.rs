//! The 28 worked examples of reference §8, through the JSON interface (the contract).
//! Medicare, physician office unless the example says otherwise; every patient has consent
//! and an initiating visit unless the test is about them.

use crate::billing::evaluate_json;
use serde_json::{Value, json};

/// A CoCM activity of the care manager.
pub fn cocm(date: &str, minutes: u32) -> Value {
    json!({"date": date, "minutes": minutes, "role": "care_manager", "program": "cocm", "excluded": null})
}

/// A general BHI activity of clinical staff.
pub fn bhi(date: &str, minutes: u32) -> Value {
    json!({"date": date, "minutes": minutes, "role": "clinical_staff", "program": "bhi", "excluded": null})
}

/// An input document with consent to both programs and an initiating visit on `visit`.
pub fn doc(setting: &str, visit: &str, activities: Vec<Value>, months: &[&str]) -> Value {
    json!({
        "setting": setting,
        "initiating_visit": visit,
        "consents": [
            {"program": "cocm", "date": "2016-01-04", "revoked": null},
            {"program": "bhi", "date": "2016-01-04", "revoked": null}
        ],
        "activities": activities,
        "apcm_months": [],
        "months": months,
    })
}

/// Evaluate through `evaluate_json` and return the output's months.
pub fn run(input: &Value) -> Vec<Value> {
    let out = evaluate_json(&input.to_string()).unwrap();
    let v: Value = serde_json::from_str(&out).unwrap();
    v["months"].as_array().unwrap().clone()
}

/// The single evaluated month.
pub fn only(input: &Value) -> Value {
    let months = run(input);
    assert_eq!(months.len(), 1, "{months:#?}");
    months[0].clone()
}

pub fn lines(month: &Value) -> Vec<(String, u64)> {
    month["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["code"].as_str().unwrap().to_owned(),
                l["units"].as_u64().unwrap(),
            )
        })
        .collect()
}

pub fn expect(month: &Value, expected: &[(&str, u64)]) {
    let want: Vec<(String, u64)> = expected
        .iter()
        .map(|(c, u)| ((*c).to_owned(), *u))
        .collect();
    assert_eq!(lines(month), want, "{month:#}");
    assert_eq!(month["holds"], json!([]), "{month:#}");
}

fn first_month(minutes: u32) -> Value {
    only(&doc(
        "physician_office",
        "2026-01-02",
        vec![cocm("2026-01-05", minutes)],
        &["2026-01"],
    ))
}

/// Month 3 of an episode that began in January (40 minutes in January and February).
fn third_month(minutes: u32) -> Value {
    only(&doc(
        "physician_office",
        "2026-01-02",
        vec![
            cocm("2026-01-05", 40),
            cocm("2026-02-05", 40),
            cocm("2026-03-05", minutes),
        ],
        &["2026-03"],
    ))
}

#[test]
fn example_01_month_1_30_minutes_g2214() {
    let m = first_month(30);
    expect(&m, &[("G2214", 1)]);
    assert_eq!(m["month_type"], "initial");
    assert_eq!(m["program"], "cocm");
    assert_eq!(m["countable_minutes"], 30);
}

#[test]
fn example_02_month_1_36_minutes_99492() {
    expect(&first_month(36), &[("99492", 1)]);
}

#[test]
fn example_03_month_1_75_minutes_99492() {
    let m = first_month(75);
    expect(&m, &[("99492", 1)]);
    let text = m["explanation"].as_str().unwrap();
    assert!(
        text.starts_with(
            "75 countable minutes in the first month of this CoCM episode (January 2026): \
             99492. 11 more minutes would add one 99494."
        ),
        "{text}"
    );
}

#[test]
fn example_04_month_1_85_minutes_99492() {
    expect(&first_month(85), &[("99492", 1)]);
}

#[test]
fn example_05_month_1_86_minutes_one_99494() {
    expect(&first_month(86), &[("99492", 1), ("99494", 1)]);
}

#[test]
fn example_06_month_1_90_minutes_one_99494() {
    expect(&first_month(90), &[("99492", 1), ("99494", 1)]);
}

#[test]
fn example_07_month_1_120_minutes_two_99494() {
    expect(&first_month(120), &[("99492", 1), ("99494", 2)]);
}

#[test]
fn example_08_month_1_15_minutes_nothing() {
    let m = first_month(15);
    expect(&m, &[]);
    let text = m["explanation"].as_str().unwrap();
    assert!(
        text.starts_with(
            "Not billable: 15 countable minutes in the first month of this CoCM episode \
             (January 2026); G2214 needs 16."
        ),
        "{text}"
    );
    assert!(
        text.contains("Settings used: g2214_floor_minutes = 16."),
        "{text}"
    );
}

#[test]
fn example_09_month_3_16_minutes_g2214() {
    let m = third_month(16);
    expect(&m, &[("G2214", 1)]);
    assert_eq!(m["month_type"], "subsequent");
}

#[test]
fn example_10_month_3_30_minutes_g2214() {
    expect(&third_month(30), &[("G2214", 1)]);
}

#[test]
fn example_11_month_3_31_minutes_99493() {
    expect(&third_month(31), &[("99493", 1)]);
}

#[test]
fn example_12_month_3_60_minutes_99493() {
    expect(&third_month(60), &[("99493", 1)]);
}

#[test]
fn example_13_month_3_75_minutes_99493() {
    expect(&third_month(75), &[("99493", 1)]);
}

#[test]
fn example_14_month_3_76_minutes_one_99494() {
    expect(&third_month(76), &[("99493", 1), ("99494", 1)]);
}

#[test]
fn example_15_month_3_106_minutes_two_99494_at_the_cap() {
    let m = third_month(106);
    expect(&m, &[("99493", 1), ("99494", 2)]);
    let text = m["explanation"].as_str().unwrap();
    assert!(text.contains("max_99494_units = 2"), "{text}");
}

fn january_to_march_2025_then(date: &str) -> Value {
    only(&doc(
        "physician_office",
        "2025-01-02",
        vec![
            cocm("2025-01-06", 40),
            cocm("2025-02-06", 40),
            cocm("2025-03-06", 40),
            cocm(date, 50),
        ],
        &[&date[..7]],
    ))
}

#[test]
fn example_16_six_empty_months_start_a_new_episode() {
    let m = january_to_march_2025_then("2025-10-07");
    expect(&m, &[("99492", 1)]);
    assert_eq!(m["month_type"], "initial");
    let text = m["explanation"].as_str().unwrap();
    assert!(
        text.contains("no CoCM services in the 6 months from April 2025 to September 2025"),
        "{text}"
    );
}

#[test]
fn example_17_five_empty_months_keep_the_episode() {
    let m = january_to_march_2025_then("2025-09-08");
    expect(&m, &[("99493", 1)]);
    assert_eq!(m["month_type"], "subsequent");
    let text = m["explanation"].as_str().unwrap();
    assert!(
        text.contains("Same episode: 5 months without CoCM services"),
        "{text}"
    );
}

#[test]
fn example_18_separately_billed_ccm_time_is_not_cocm_time() {
    // CCM (99490) is outside this engine; its 25 minutes are recorded as separately billed.
    let mut ccm = cocm("2026-04-14", 25);
    ccm["excluded"] = json!("separately_billed");
    let m = only(&doc(
        "physician_office",
        "2026-01-02",
        vec![
            cocm("2026-01-05", 40),
            cocm("2026-02-05", 40),
            cocm("2026-03-05", 40),
            cocm("2026-04-07", 45),
            ccm,
        ],
        &["2026-04"],
    ));
    expect(&m, &[("99493", 1)]);
    assert_eq!(m["countable_minutes"], 45);
    let text = m["explanation"].as_str().unwrap();
    assert!(
        text.contains("25 minutes of separately billed services"),
        "{text}"
    );
}

#[test]
fn example_19_cocm_and_general_bhi_in_one_month_bill_cocm_only() {
    let m = only(&doc(
        "physician_office",
        "2026-01-02",
        vec![
            cocm("2026-01-05", 40),
            cocm("2026-02-05", 40),
            bhi("2026-02-12", 20),
        ],
        &["2026-02"],
    ));
    expect(&m, &[("99493", 1)]);
    assert_eq!(m["program"], "cocm");
    assert_eq!(m["countable_minutes"], 40);
    let text = m["explanation"].as_str().unwrap();
    assert!(
        text.contains(
            "20 minutes of general BHI activity are not billed: 99484 cannot be billed in the \
             same month as CoCM"
        ),
        "{text}"
    );
}

#[test]
fn example_20_psychotherapy_minutes_are_excluded() {
    let mut therapy = cocm("2026-02-10", 45);
    therapy["excluded"] = json!("separately_billed");
    let m = only(&doc(
        "physician_office",
        "2026-01-02",
        vec![cocm("2026-01-05", 40), cocm("2026-02-05", 40), therapy],
        &["2026-02"],
    ));
    expect(&m, &[("99493", 1)]);
    assert_eq!(m["countable_minutes"], 40);
}

#[test]
fn example_21_inpatient_time_does_not_count() {
    let mut inpatient = cocm("2026-02-03", 20);
    inpatient["excluded"] = json!("inpatient");
    let m = only(&doc(
        "physician_office",
        "2026-01-02",
        vec![cocm("2026-01-05", 40), inpatient, cocm("2026-02-20", 25)],
        &["2026-02"],
    ));
    expect(&m, &[("G2214", 1)]);
    assert_eq!(m["countable_minutes"], 25);
    let text = m["explanation"].as_str().unwrap();
    assert!(
        text.contains("20 minutes while inpatient or in observation"),
        "{text}"
    );
}

#[test]
fn example_22_fqhc_july_2025_g0512() {
    let m = only(&doc(
        "fqhc",
        "2025-07-01",
        vec![cocm("2025-07-08", 65)],
        &["2025-07"],
    ));
    expect(&m, &[("G0512", 1)]);
    let text = m["explanation"].as_str().unwrap();
    assert!(
        text.contains("G0512 is the RHC/FQHC CoCM code through December 2025"),
        "{text}"
    );
}

#[test]
fn example_23_fqhc_march_2026_subsequent_99493() {
    let m = only(&doc(
        "fqhc",
        "2026-01-02",
        vec![
            cocm("2026-01-05", 65),
            cocm("2026-02-05", 65),
            cocm("2026-03-05", 40),
        ],
        &["2026-03"],
    ));
    expect(&m, &[("99493", 1)]);
}

#[test]
fn example_24_rhc_august_2025_general_bhi_g0511_or_99484() {
    let input = doc(
        "rhc",
        "2025-08-01",
        vec![bhi("2025-08-12", 25)],
        &["2025-08"],
    );
    let m = only(&input);
    expect(&m, &[("G0511", 1)]);
    assert_eq!(m["month_type"], Value::Null);
    let text = m["explanation"].as_str().unwrap();
    assert!(text.contains("rhc_fqhc_g0511_in_2025 = true"), "{text}");
    let mut cpt = input.clone();
    cpt["rules"] = json!({"rhc_fqhc_g0511_in_2025": false});
    expect(&only(&cpt), &[("99484", 1)]);
}

#[test]
fn example_25_rhc_november_2025_general_bhi_99484() {
    let m = only(&doc(
        "rhc",
        "2025-11-01",
        vec![bhi("2025-11-12", 25)],
        &["2025-11"],
    ));
    expect(&m, &[("99484", 1)]);
    let text = m["explanation"].as_str().unwrap();
    assert!(
        text.contains("G0511 is not payable from 1 October 2025"),
        "{text}"
    );
}

#[test]
fn example_26_apcm_by_the_same_practitioner_bills_the_add_on_not_99492() {
    let mut input = doc(
        "physician_office",
        "2026-01-02",
        vec![cocm("2026-01-05", 75)],
        &["2026-01"],
    );
    input["apcm_months"] = json!(["2026-01"]);
    let m = only(&input);
    expect(&m, &[("G0568", 1)]);
    assert_eq!(m["month_type"], "initial");
    let text = m["explanation"].as_str().unwrap();
    assert!(
        text.contains("G0568 is billed instead of 99492 (never both)"),
        "{text}"
    );
    assert!(text.contains("apcm_add_ons = true"), "{text}");
}

#[test]
fn example_27_apcm_by_another_practitioner_bills_standalone_cocm() {
    // APCM billed by Dr A; CoCM directed and billed by Dr B: Dr B's history has no APCM months.
    let m = only(&doc(
        "physician_office",
        "2026-01-02",
        vec![cocm("2026-01-05", 75)],
        &["2026-01"],
    ));
    expect(&m, &[("99492", 1)]);
}

#[test]
fn example_28_general_bhi_19_minutes_nothing() {
    let m = only(&doc(
        "physician_office",
        "2026-01-02",
        vec![bhi("2026-01-12", 19)],
        &["2026-01"],
    ));
    expect(&m, &[]);
    assert_eq!(m["program"], "bhi");
    let text = m["explanation"].as_str().unwrap();
    assert!(
        text.starts_with(
            "Not billable: 19 countable minutes of general BHI in January 2026; 99484 needs 20."
        ),
        "{text}"
    );
}
