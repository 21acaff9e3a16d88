//! Stateless tools (scoring, billing evaluation) and the audit check.

use crate::DbArgs;
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use stepwise_domain::instruments::ScoringSettings;
use stepwise_domain::instruments::cli::report;

#[derive(Args)]
pub struct ScoreArgs {
    /// INSTRUMENT ANSWER... [--sex female|male] [--json]: answers in item order, each the
    /// position of the chosen option from 0 (yes/no: no = 0, yes = 1), `-` when skipped or
    /// unanswered. See docs/instruments.md.
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        required = true,
        value_name = "ARGS"
    )]
    args: Vec<String>,
}

pub fn score(args: ScoreArgs) -> Result<ExitCode> {
    match report(&args.args, &ScoringSettings::default()) {
        Ok(r) => {
            if args.args.iter().any(|a| a == "--json") {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                println!("{}", r.render_text());
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("error: {}: {}", e.field, e.message);
            Ok(ExitCode::from(2))
        }
    }
}

#[derive(Subcommand)]
pub enum BillingCommand {
    /// Evaluate one patient's history (JSON, from FILE or standard input) and print the
    /// months with their codes, holds and explanations as JSON. See docs/billing.md.
    Evaluate {
        /// The history as JSON; standard input when absent.
        file: Option<PathBuf>,
    },
}

pub fn billing(cmd: BillingCommand) -> Result<ExitCode> {
    match cmd {
        BillingCommand::Evaluate { file } => {
            let input = match file {
                Some(path) => std::fs::read_to_string(&path)
                    .with_context(|| format!("reading {}", path.display()))?,
                None => {
                    let mut s = String::new();
                    std::io::stdin()
                        .read_to_string(&mut s)
                        .context("reading standard input")?;
                    s
                }
            };
            match stepwise_domain::billing::evaluate_json(&input) {
                Ok(out) => {
                    println!("{out}");
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    let at = if e.path.is_empty() {
                        String::new()
                    } else {
                        format!("{}: ", e.path)
                    };
                    eprintln!("error: {at}{}", e.message);
                    Ok(ExitCode::from(2))
                }
            }
        }
    }
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check every practice's hash chain: exits non-zero if any event was edited, deleted,
    /// inserted or reordered.
    Verify {
        #[command(flatten)]
        db: DbArgs,
    },
}

pub async fn audit(cmd: AuditCommand) -> Result<ExitCode> {
    match cmd {
        AuditCommand::Verify { db } => {
            let store = db.open().await?;
            let mut intact = true;
            for practice in store.audit_practices().await? {
                let report = store.verify_audit_chain(practice).await?;
                if report.is_intact() {
                    println!("{practice}: {} events, chain intact", report.events);
                } else {
                    intact = false;
                    println!("{practice}: {} events, CHAIN BROKEN", report.events);
                    for p in &report.problems {
                        println!("  - {p}");
                    }
                }
            }
            store.close().await;
            Ok(if intact {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}
