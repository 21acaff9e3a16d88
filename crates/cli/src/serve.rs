//! `stepwise serve` and `stepwise demo`.

use crate::DbArgs;
use crate::admin::cli_ctx;
use anyhow::{Context, Result};
use clap::Args;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use stepwise_store::Store;
use stepwise_web::{AppState, DemoNotice, SystemClock, WebConfig};

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "STEPWISE_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Mark cookies Secure with the `__Host-` prefix: set this when users reach Stepwise over
    /// HTTPS (behind a TLS reverse proxy).
    #[arg(long, env = "STEPWISE_SECURE_COOKIES")]
    secure_cookies: bool,
    #[command(flatten)]
    db: DbArgs,
}

/// The password of every demo account, printed at start and shown on the demo's sign-in page.
pub const DEMO_PASSWORD: &str = "stepwise-demo-2026";

pub async fn serve(args: ServeArgs) -> Result<ExitCode> {
    crate::init_logging();
    let store = args.db.open().await?;
    run(args, store, None).await
}

pub async fn demo(args: ServeArgs) -> Result<ExitCode> {
    crate::init_logging();
    let store = args.db.open().await?;
    if store.is_empty().await? {
        println!("Creating the demo practice (synthetic patients) …");
        crate::demo::seed(&store, DEMO_PASSWORD).await?;
    }
    let users = crate::demo::sign_ins(&store).await?;
    println!("\nDemo sign-ins (password for all: {DEMO_PASSWORD}):");
    for (email, role) in &users {
        println!("  {email:<40} {role}");
    }
    let notice = DemoNotice {
        password: DEMO_PASSWORD.to_owned(),
        users,
    };
    run(args, store, Some(notice)).await
}

async fn run(args: ServeArgs, store: Store, demo: Option<DemoNotice>) -> Result<ExitCode> {
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let config = WebConfig {
        secure_cookies: args.secure_cookies,
        demo,
        ..WebConfig::default()
    };
    tokio::spawn(scheduled_jobs(store.clone()));
    let state = AppState::new(store, Arc::new(SystemClock), config);
    println!(
        "\nStepwise is running at http://{} (Ctrl-C to stop)",
        listener.local_addr()?
    );
    stepwise_web::serve(listener, state, shutdown_signal()).await?;
    Ok(ExitCode::SUCCESS)
}

/// Hourly: close episodes that lapsed under the six-month rule; turn referrals quiet for the
/// practice's number of days into follow-up tasks.
async fn scheduled_jobs(store: Store) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        let practices = match store.practices().await {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(error = %e, "scheduled jobs: cannot list practices");
                continue;
            }
        };
        for p in practices {
            match store.close_lapsed_episodes(&cli_ctx(&p)).await {
                Ok(closed) if !closed.is_empty() => {
                    tracing::info!(closed = closed.len(), "closed lapsed episodes")
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "scheduled jobs: closing lapsed episodes failed")
                }
            }
            match store
                .create_referral_follow_ups(&cli_ctx(&p), p.settings.referrals)
                .await
            {
                Ok(made) if !made.is_empty() => {
                    tracing::info!(tasks = made.len(), "referral follow-up tasks")
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "scheduled jobs: referral follow-ups failed")
                }
            }
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    println!("Stopping …");
}
