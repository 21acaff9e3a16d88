//! A practice's licensed instrument wording (docs/instruments.md, "Licensed item wording").
//! One wording per instrument; loading another replaces it and keeps the previous one in
//! `record_history`. Loading is audited as administration; the wording is not patient data.

use crate::Store;
use crate::audit::{self, AuditCategory};
use crate::db::args;
use crate::error::{Result, StoreError};
use crate::model::{Ctx, InstrumentWording};
use crate::ops::patients::record_history;
use crate::ops::{code, new_id, to_json};
use stepwise_domain::audit::AuditAction;
use stepwise_domain::ids::{PracticeId, UserId};
use stepwise_domain::instruments::InstrumentId;
use stepwise_domain::instruments::wording::{Wording, parse_wording};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct WordingRow {
    id: Uuid,
    instrument: String,
    licence_holder: String,
    permission: Option<String>,
    wording: String,
    loaded_at: OffsetDateTime,
    loaded_by: Option<Uuid>,
    version: i64,
}

impl WordingRow {
    fn model(&self) -> Result<InstrumentWording> {
        Ok(InstrumentWording {
            instrument: code(InstrumentId::parse(&self.instrument))?,
            licence_holder: self.licence_holder.clone(),
            permission: self.permission.clone(),
            loaded_at: self.loaded_at,
            loaded_by: self.loaded_by.map(UserId::from_uuid),
            version: self.version,
        })
    }

    /// The stored file, checked again against the definition as it is read.
    fn wording(&self) -> Result<Wording> {
        parse_wording(&self.wording).map_err(StoreError::corrupt)
    }
}

macro_rules! wording_columns {
    () => {
        "id, instrument, licence_holder, permission, wording, loaded_at, loaded_by, version"
    };
}

impl Store {
    /// Load (or replace) the practice's wording of one instrument, already checked by
    /// `parse_wording`. The replaced wording is kept in the record history.
    pub async fn load_instrument_wording(
        &self,
        ctx: &Ctx,
        wording: &Wording,
    ) -> Result<InstrumentWording> {
        let instrument = wording.instrument.code();
        // The stored text is the file format itself: `parse_wording` reads it back.
        let text = to_json(wording)?;
        let mut tx = self.begin().await?;
        let before: Option<WordingRow> = tx
            .fetch_optional(
                concat!(
                    "SELECT ",
                    wording_columns!(),
                    " FROM instrument_wordings WHERE practice_id = $1 AND instrument = $2"
                ),
                args![ctx.practice, instrument],
            )
            .await?;
        let version = match &before {
            Some(b) => {
                record_history(
                    &mut tx,
                    ctx,
                    "instrument_wording",
                    b.id,
                    b.version,
                    &b.wording()?,
                )
                .await?;
                tx.execute(
                    "UPDATE instrument_wordings SET licence_holder = $3, permission = $4, wording = $5, loaded_at = $6, \
                     loaded_by = $7, version = version + 1 WHERE id = $1 AND practice_id = $2",
                    args![
                        b.id,
                        ctx.practice,
                        wording.licence_holder.as_str(),
                        wording.permission.clone(),
                        text,
                        ctx.now,
                        ctx.user
                    ],
                )
                .await?;
                b.version + 1
            }
            None => {
                let id: Uuid = new_id();
                tx.execute(
                    "INSERT INTO instrument_wordings (id, practice_id, instrument, licence_holder, permission, wording, \
                     loaded_at, loaded_by, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1)",
                    args![
                        id,
                        ctx.practice,
                        instrument,
                        wording.licence_holder.as_str(),
                        wording.permission.clone(),
                        text,
                        ctx.now,
                        ctx.user
                    ],
                )
                .await?;
                1
            }
        };
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::InstrumentWordingLoad,
                AuditCategory::Administration,
                None,
                format!("{instrument} version {version}"),
            ),
        )
        .await?;
        let row: WordingRow = tx
            .fetch_one(
                concat!(
                    "SELECT ",
                    wording_columns!(),
                    " FROM instrument_wordings WHERE practice_id = $1 AND instrument = $2"
                ),
                args![ctx.practice, instrument],
            )
            .await?;
        tx.commit().await?;
        row.model()
    }

    /// The wordings a practice has loaded, with when and by whom, in the instruments' order.
    pub async fn instrument_wordings(
        &self,
        practice: PracticeId,
    ) -> Result<Vec<(InstrumentWording, Wording)>> {
        let mut c = self.read().await?;
        let rows: Vec<WordingRow> = c
            .conn()
            .fetch_all(
                concat!(
                    "SELECT ",
                    wording_columns!(),
                    " FROM instrument_wordings WHERE practice_id = $1"
                ),
                args![practice],
            )
            .await?;
        let mut all = rows
            .iter()
            .map(|r| Ok((r.model()?, r.wording()?)))
            .collect::<Result<Vec<_>>>()?;
        all.sort_by_key(|(w, _)| w.instrument);
        Ok(all)
    }
}
