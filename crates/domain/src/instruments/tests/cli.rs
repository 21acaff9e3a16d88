use super::*;
use crate::instruments::cli::{ScoreArgs, ScoreReport, parse_args, report};
use crate::patient::Sex;
use serde_json::{Value, json};

fn run(args: &str) -> Result<ScoreReport, AnswerError> {
    let args: Vec<&str> = args.split_whitespace().collect();
    report(&args, &ScoringSettings::default())
}

fn run_json(args: &str) -> Value {
    serde_json::to_value(run(args).unwrap()).unwrap()
}

/// The example of the brief: `stepwise score phq9 1 1 2 0 1 0 1 0 1 --json`.
#[test]
fn phq9_example() {
    let args = parse_args(&[
        "phq9", "1", "1", "2", "0", "1", "0", "1", "0", "1", "--json",
    ])
    .unwrap();
    assert!(args.json);
    let j = run_json("phq9 1 1 2 0 1 0 1 0 1 --json");
    assert_eq!(j["instrument"], "phq9");
    assert_eq!(j["total"], 7);
    assert_eq!(j["complete"], true);
    assert_eq!(j["band"], "Mild");
    assert_eq!(j["positive"], false);
    assert_eq!(j["safety"], "alert");
    assert_eq!(j["alerts"][0]["item"], 9);
    assert_eq!(j["alerts"][0]["answer"], "Several days");
    assert_eq!(j["estimate"], Value::Null);
    assert_eq!(
        j["loinc"]["panel"],
        json!({"code": "44249-1", "evidence": "verified"})
    );
    assert_eq!(j["loinc"]["total"]["code"], "44261-6");
    let item9 = &j["loinc"]["items"][8];
    assert_eq!(item9["code"]["code"], "44260-8");
    assert_eq!(item9["answer"]["code"], "LA6569-3");
    assert_eq!(item9["position"], 1);
    let text = run("phq9 1 1 2 0 1 0 1 0 1").unwrap().render_text();
    assert!(text.contains("Total: 7 of 27 (Mild)"), "{text}");
    assert!(text.contains("SAFETY ALERT: item 9"), "{text}");
    assert!(
        text.contains("LOINC: panel 44249-1, result 44261-6"),
        "{text}"
    );
}

#[test]
fn incomplete_is_said_and_the_estimate_is_apart() {
    let r = run("phq9 1 1 1 1 1 1 1 1 -").unwrap();
    let j = serde_json::to_value(&r).unwrap();
    assert_eq!(
        (j["total"].clone(), j["complete"].clone()),
        (Value::Null, json!(false))
    );
    assert_eq!(
        (j["partial_sum"].clone(), j["estimate"].clone()),
        (json!(8), json!(9))
    );
    assert_eq!(j["safety"], "unknown");
    assert_eq!(j["loinc"]["items"].as_array().unwrap().len(), 8);
    let text = r.render_text();
    assert!(
        text.contains("INCOMPLETE: no official total. Partial sum 8"),
        "{text}"
    );
    assert!(
        text.contains("Estimate (prorated, not official): 9"),
        "{text}"
    );
    assert!(text.contains("SAFETY UNKNOWN"), "{text}");
    assert!(!text.contains("Total:"), "{text}");
}

#[test]
fn sex_and_other_instruments() {
    let args = parse_args(&["AUDIT-C", "2", "1", "0", "--sex", "male"]).unwrap();
    assert_eq!(
        args,
        ScoreArgs {
            instrument: InstrumentId::Auditc,
            answers: vec![Some(2), Some(1), Some(0)],
            sex: Some(Sex::Male),
            json: false,
        }
    );
    assert_eq!(
        run("auditc 2 1 0 --sex=male").unwrap().positive,
        Some(false)
    );
    let r = run("auditc 2 1 0").unwrap();
    assert_eq!((r.positive, r.positive_at), (Some(true), Some(3)));
    assert!(r.render_text().contains("Note: Sex not recorded"));
    let r = run("cssrs 0 0 - - - 1 1").unwrap();
    assert_eq!(r.risk_level, Some(RiskLevel::High));
    assert_eq!(r.max_total, None);
    assert_eq!(r.loinc.result_answer.map(|l| l.code), Some("LA9193-9"));
    let text = r.render_text();
    assert!(text.contains("Risk level: High"), "{text}");
    assert!(text.contains("value LA9193-9 (secondary source)"), "{text}");
    assert!(
        text.contains("Skipped by the form: item(s) 3, 4, 5"),
        "{text}"
    );
    let text = run("epds 0 0 0 0 0 0 0 0 0 0").unwrap().render_text();
    assert!(text.contains("result 99046-5 (unverified)"), "{text}");
    assert!(
        text.contains(
            "SAFETY ALERT: item 10 (EPDS item 10 (self-harm)): 1st option (top) (points: 3)"
        ),
        "{text}"
    );
    let text = run("mdq 1 1 1 1 1 1 1 0 0 0 0 0 0 1 2")
        .unwrap()
        .render_text();
    assert!(text.contains("[met] Part 1"), "{text}");
    assert!(text.contains("Positive screen: yes"), "{text}");
}

#[test]
fn bad_arguments_name_the_argument() {
    let field = |args: &str| run(args).unwrap_err().field;
    assert_eq!(field(""), "instrument");
    assert_eq!(field("bdi 1 2"), "instrument");
    assert_eq!(field("phq9 1 x"), "answers[1]");
    assert_eq!(field("phq9 1 -1"), "answers[1]");
    assert_eq!(field("phq9 1 1"), "answers");
    assert_eq!(field("phq9 0 0 0 0 0 0 0 0 7"), "answers[8]");
    assert_eq!(field("auditc 1 1 1 --sex"), "--sex");
    assert_eq!(field("auditc 1 1 1 --sex f"), "--sex");
    assert_eq!(field("auditc 1 1 1 --sex male --sex female"), "--sex");
    assert_eq!(field("auditc 1 1 1 --verbose"), "arguments");
    let e = run("phq9 0 0 0 0 0 0 0 0 7").unwrap_err();
    assert!(e.message.contains("0 = Not at all"), "{e}");
}
