use super::*;
use crate::instruments::wording::parse_wording;
use serde_json::{Value, json};

/// A well-formed wording file for `id`, with placeholder text.
fn file(id: InstrumentId) -> Value {
    let items: Vec<Value> = id
        .definition()
        .items
        .iter()
        .map(|i| {
            let options: Vec<String> = (1..=i.options.len())
                .map(|o| format!("Option {o} of item {}", i.number))
                .collect();
            json!({ "number": i.number, "text": format!("Text of item {}", i.number), "options": options })
        })
        .collect();
    json!({ "instrument": id.code(), "licence_holder": "Holder", "items": items })
}

fn fields(json: &str) -> Vec<String> {
    parse_wording(json)
        .unwrap_err()
        .errors
        .into_iter()
        .map(|e| e.field)
        .collect()
}

#[test]
fn parses_a_valid_file() {
    let mut f = file(InstrumentId::Epds);
    f["permission"] = json!(" Letter ref. 12 ");
    let w = parse_wording(&f.to_string()).unwrap();
    assert_eq!(w.instrument, InstrumentId::Epds);
    assert_eq!(w.permission.as_deref(), Some("Letter ref. 12"));
    assert_eq!(w.items.len(), 10);
    let item10 = w.item(10).unwrap();
    assert_eq!(item10.text, "Text of item 10");
    assert_eq!(item10.options[3], "Option 4 of item 10");
    assert_eq!(w.item(11), None);
    let w = parse_wording(&file(InstrumentId::Cssrs).to_string()).unwrap();
    assert_eq!(w.items[6].options.len(), 2);
}

#[test]
fn syntax_errors_name_the_line() {
    let e = parse_wording("{\n  \"instrument\": \"epds\",\n  \"items\": [,]\n}").unwrap_err();
    assert_eq!(e.errors[0].field, "wording");
    assert!(e.errors[0].message.starts_with("line 3,"), "{e}");
    let mut f = file(InstrumentId::Epds);
    f["extra"] = json!(1);
    let e = parse_wording(&f.to_string()).unwrap_err();
    assert!(e.errors[0].message.contains("unknown field `extra`"), "{e}");
}

#[test]
fn content_errors_name_every_field() {
    let mut f = file(InstrumentId::Epds);
    f["instrument"] = json!("bdi");
    let e = parse_wording(&f.to_string()).unwrap_err();
    assert_eq!(e.errors[0].field, "instrument");
    assert!(e.errors[0].message.contains("epds"), "{e}");

    let mut f = file(InstrumentId::Epds);
    f["licence_holder"] = json!(" ");
    f["items"][0]["text"] = json!("");
    f["items"][2]["number"] = json!(4);
    f["items"][3]["options"] = json!(["a", "b", "c"]);
    f["items"][4]["options"][1] = json!(" ");
    assert_eq!(
        fields(&f.to_string()),
        [
            "licence_holder",
            "items[0].text",
            "items[2].number",
            "items[3].options",
            "items[4].options[1]"
        ]
    );
    let e = parse_wording(&f.to_string()).unwrap_err();
    assert!(
        e.to_string()
            .contains("EPDS item 4 has 4 answer options; the file gives 3"),
        "{e}"
    );

    let mut f = file(InstrumentId::Mdq);
    f["items"].as_array_mut().unwrap().pop();
    let e = parse_wording(&f.to_string()).unwrap_err();
    assert_eq!(e.errors[0].field, "items");
    assert!(
        e.errors[0]
            .message
            .contains("MDQ has 15 items; the file gives 14"),
        "{e}"
    );
}
