//! Responses coded with LOINC item and answer codes (FHIR QuestionnaireResponse, HL7 feeds).
//! The (instrument, item, answer code) → position table is the definitions themselves: the
//! same LA code can score differently in different instruments (reference §0, §16.1), and
//! GAD-7 item 2 accepts both LA18938-3 and LA6570-1 for its third option (§4).

use super::InstrumentId;
use super::model::{Definition, Item};
use super::scoring::{self, AnswerError, Score, item_name};
use super::settings::ScoringContext;

fn find_item(def: &'static Definition, item_loinc: &str) -> Result<&'static Item, String> {
    let coded: Vec<&Item> = def.items.iter().filter(|i| i.loinc.is_some()).collect();
    if coded.is_empty() {
        return Err(format!(
            "{} has no LOINC item codes (unverified in the reference); give answers by position",
            def.name
        ));
    }
    coded
        .iter()
        .find(|i| i.loinc.is_some_and(|l| l.code == item_loinc))
        .copied()
        .ok_or_else(|| {
            let known: Vec<String> = coded
                .iter()
                .filter_map(|i| {
                    i.loinc
                        .map(|l| format!("{} (item {})", l.code, i.form_number))
                })
                .collect();
            format!(
                "{} has no item with LOINC code {item_loinc}; its item codes are {}",
                def.name,
                known.join(", ")
            )
        })
}

fn find_position(def: &Definition, item: &Item, answer_loinc: &str) -> Result<u8, String> {
    if let Some(p) = item
        .options
        .iter()
        .position(|o| o.loinc.iter().any(|l| l.code == answer_loinc))
    {
        return u8::try_from(p).map_err(|_| "too many answer options".to_owned());
    }
    let allowed: Vec<String> = item
        .options
        .iter()
        .filter(|o| !o.loinc.is_empty())
        .map(|o| {
            let codes: Vec<&str> = o.loinc.iter().map(|l| l.code).collect();
            format!("{} ({})", codes.join(" or "), o.label)
        })
        .collect();
    let uncoded: Vec<String> = item
        .options
        .iter()
        .filter(|o| o.loinc.is_empty())
        .map(|o| format!("\"{}\"", o.label))
        .collect();
    let mut message = format!(
        "{} allows {}; got {answer_loinc}",
        item_name(def, item),
        if allowed.is_empty() {
            "no LOINC answer codes".to_owned()
        } else {
            allowed.join(", ")
        }
    );
    if !uncoded.is_empty() {
        message.push_str(&format!(
            " (no verified code for {}: give that answer by position)",
            uncoded.join(", ")
        ));
    }
    Err(message)
}

/// The answer position (see the answer encoding in `instruments`) of the answer coded
/// `answer_loinc` to the item coded `item_loinc`.
pub fn answer_position(
    instrument: InstrumentId,
    item_loinc: &str,
    answer_loinc: &str,
) -> Result<u8, AnswerError> {
    let def = instrument.definition();
    let item = find_item(def, item_loinc.trim()).map_err(|m| AnswerError::new("item", m))?;
    find_position(def, item, answer_loinc.trim()).map_err(|m| AnswerError::new("answer", m))
}

/// Score a response given as `(item LOINC code, answer LOINC code)` pairs, in any order;
/// items not listed are unanswered. Errors name `answers[i]` (the pair's index).
pub fn score_loinc(
    instrument: InstrumentId,
    answers: &[(&str, &str)],
) -> Result<Score, AnswerError> {
    score_loinc_with(instrument, answers, &ScoringContext::default())
}

pub fn score_loinc_with(
    instrument: InstrumentId,
    answers: &[(&str, &str)],
    ctx: &ScoringContext,
) -> Result<Score, AnswerError> {
    let def = instrument.definition();
    let mut positions: Vec<Option<u8>> = vec![None; def.items.len()];
    // Which pair answered each item, so that errors name the caller's field.
    let mut pair_of_item: Vec<Option<usize>> = vec![None; def.items.len()];
    for (idx, (item_loinc, answer_loinc)) in answers.iter().enumerate() {
        let field = format!("answers[{idx}]");
        let item = find_item(def, item_loinc.trim()).map_err(|m| AnswerError::new(&field, m))?;
        let position = find_position(def, item, answer_loinc.trim())
            .map_err(|m| AnswerError::new(&field, m))?;
        let slot = usize::from(item.number) - 1;
        if positions[slot].is_some() {
            return Err(AnswerError::new(
                field,
                format!("{} is answered more than once", item_name(def, item)),
            ));
        }
        positions[slot] = Some(position);
        pair_of_item[slot] = Some(idx);
    }
    let reading = scoring::read(def, &positions, ctx, &|i| {
        pair_of_item[i].map_or_else(|| "answers".to_owned(), |p| format!("answers[{p}]"))
    })?;
    Ok(scoring::score_reading(&reading, ctx))
}
