//! `stepwise instruments …`: the practice's licensed instrument wording.
//!
//! `stepwise instruments load-wording FILE [--practice NAME|ID]` checks FILE against the
//! instrument's definition (the format of docs/instruments.md, "Licensed item wording") and
//! stores it for the practice, replacing (and keeping) a wording loaded before. Every problem
//! is printed with its field (`items[3].options`), a syntax error with its line and column, and
//! nothing is stored (exit code 2). The load is audited as administration with the source
//! `cli`.

use crate::DbArgs;
use crate::admin::{cli_ctx, pick_practice};
use anyhow::{Context, Result};
use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;
use stepwise_domain::instruments::wording::parse_wording;

#[derive(Subcommand)]
pub enum InstrumentsCommand {
    /// Load the practice's licensed wording of an instrument (EPDS, C-SSRS, DAST-10, MDQ, …)
    /// from a UTF-8 JSON file in the format of docs/instruments.md.
    LoadWording {
        /// The wording file.
        file: PathBuf,
        /// The practice, by name or id (needed when the server holds several).
        #[arg(long)]
        practice: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
}

/// Run an `instruments` command.
pub async fn instruments(cmd: InstrumentsCommand) -> Result<ExitCode> {
    match cmd {
        InstrumentsCommand::LoadWording { file, practice, db } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            // Checked before the database is opened: a wrong file changes nothing.
            let wording = match parse_wording(&text) {
                Ok(w) => w,
                Err(e) => {
                    eprintln!("error: {} is not a valid wording file:", file.display());
                    for problem in &e.errors {
                        eprintln!("  {}: {}", problem.field, problem.message);
                    }
                    return Ok(ExitCode::from(2));
                }
            };
            let store = db.open().await?;
            let practice = pick_practice(&store, practice.as_deref()).await?;
            let loaded = store
                .load_instrument_wording(&cli_ctx(&practice), &wording)
                .await;
            store.close().await;
            let loaded = loaded?;
            println!(
                "Loaded the {} wording for {} (licence holder: {}; version {}).",
                wording.instrument.name(),
                practice.name,
                loaded.licence_holder,
                loaded.version
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
