//! Stateless tools (scoring, billing evaluation) and the audit check.

use crate::DbArgs;
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use stepwise_domain::calendar::YearMonth;
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
    /// Review a month that is over for every patient of the practice and lock it (as the
    /// system, audited); prints the totals. See docs/billing.md, "Month close".
    Close {
        /// The month, YYYY-MM.
        #[arg(long)]
        month: String,
        /// The practice's name or id (needed when the server holds several).
        #[arg(long)]
        practice: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Print the claim lines of a locked month as CSV or JSON.
    Export {
        /// The month, YYYY-MM.
        #[arg(long)]
        month: String,
        #[arg(long, value_parser = ["csv", "json"], default_value = "csv")]
        format: String,
        #[arg(long)]
        practice: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
}

fn month_arg(raw: &str) -> Result<YearMonth> {
    raw.parse()
        .map_err(|m: String| anyhow::anyhow!("--month: {m}"))
}

pub async fn billing(cmd: BillingCommand) -> Result<ExitCode> {
    match cmd {
        BillingCommand::Close {
            month,
            practice,
            db,
        } => {
            let month = month_arg(&month)?;
            let store = db.open().await?;
            let p = crate::admin::pick_practice(&store, practice.as_deref()).await?;
            let ctx = crate::admin::cli_ctx(&p);
            let result = async {
                let review = store.billing_month(&ctx, month).await?;
                if review.lock.is_some() {
                    anyhow::bail!("{month} is already locked; change it with an adjustment");
                }
                store
                    .lock_billing_month(&ctx, month, &review.review_hash)
                    .await?;
                Ok(review)
            }
            .await;
            store.close().await;
            let review = result?;
            let lines: usize = review.patients.iter().map(|r| r.lines.len()).sum();
            let held = review
                .patients
                .iter()
                .filter(|r| !r.holds.is_empty())
                .count();
            println!(
                "{month} locked: {} patients with activity, {lines} claim lines, {held} held; expected ${}.{:02} ({}).",
                review.patients.len(),
                review.revenue.expected_cents / 100,
                review.revenue.expected_cents % 100,
                review.revenue.fee_schedule
            );
            Ok(ExitCode::SUCCESS)
        }
        BillingCommand::Export {
            month,
            format,
            practice,
            db,
        } => {
            let month = month_arg(&month)?;
            let store = db.open().await?;
            let p = crate::admin::pick_practice(&store, practice.as_deref()).await?;
            let result = store
                .billing_export(&crate::admin::cli_ctx(&p), month)
                .await;
            store.close().await;
            let lines = result?;
            if format == "csv" {
                print!(
                    "{}",
                    stepwise_domain::billing::close::export_csv(&lines)
                        .map_err(anyhow::Error::msg)?
                );
            } else {
                println!(
                    "{}",
                    serde_json::to_string_pretty(
                        &serde_json::json!({"month": month, "lines": lines})
                    )?
                );
            }
            Ok(ExitCode::SUCCESS)
        }
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
