//! The instruments as forms show them, and a practice's licensed wording.

use super::JsonText;
use crate::access::{Authenticated, Can, op};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use stepwise_domain::instruments::InstrumentId;
use stepwise_domain::instruments::catalogue::{InstrumentView, catalogue};
use stepwise_domain::instruments::wording::{Wording, parse_wording};
use stepwise_store::model::InstrumentWording;

/// Every instrument with its items and answer options: the practice's licensed wording where
/// it has loaded one, otherwise the shipped wording (free instruments) or neutral labels.
#[utoipa::path(get, path = "/api/v1/instruments", tag = "instruments",
    responses((status = 200, body = Vec<InstrumentView>)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Authenticated,
) -> ApiResult<Json<Vec<InstrumentView>>> {
    let wordings: Vec<Wording> = state
        .store
        .instrument_wordings(auth.user.practice)
        .await?
        .into_iter()
        .map(|(_, w)| w)
        .collect();
    Ok(Json(catalogue(&wordings)))
}

/// Load the practice's licensed wording of an instrument (practice administrator): the body is
/// the wording file (docs/instruments.md). Every problem is answered with its field
/// (`items[3].options`); a syntax error with its line and column. A new load replaces the
/// previous wording, which is kept.
#[utoipa::path(put, path = "/api/v1/instruments/{code}/wording", tag = "instruments",
    params(("code" = String, Path, description = "the instrument's code, e.g. `epds`")),
    request_body(content = String, content_type = "application/json", description = "the wording file"),
    responses((status = 200, body = InstrumentWording), (status = 422, body = crate::error::Problem)))]
pub async fn load_wording(
    State(state): State<AppState>,
    can: Can<op::Administer>,
    Path(code): Path<String>,
    JsonText(text): JsonText,
) -> ApiResult<Json<InstrumentWording>> {
    let instrument = InstrumentId::parse(code.trim()).map_err(|_| {
        ApiError::invalid(
            "code",
            format!(
                "unknown instrument '{code}'; one of: {}",
                InstrumentId::allowed()
            ),
        )
    })?;
    let wording = parse_wording(&text)?;
    if wording.instrument != instrument {
        return Err(ApiError::invalid(
            "instrument",
            format!(
                "the file is the wording of {}; this address loads {}",
                wording.instrument, instrument
            ),
        ));
    }
    Ok(Json(
        state
            .store
            .load_instrument_wording(&can.ctx, &wording)
            .await?,
    ))
}
