//! `stepwise serve` and `stepwise demo`.

use crate::DbArgs;
use crate::admin::cli_ctx;
use anyhow::{Context, Result};
use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;
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
    /// Mark cookies Secure with the `__Host-` prefix and send Strict-Transport-Security: set
    /// this when users reach Stepwise over HTTPS through a TLS reverse proxy (implied by
    /// `--tls-cert`).
    #[arg(long, env = "STEPWISE_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Serve HTTPS with this PEM certificate chain (server certificate first, then any
    /// intermediates). Needs `--tls-key`.
    #[arg(
        long,
        env = "STEPWISE_TLS_CERT",
        requires = "tls_key",
        value_name = "CERT.pem"
    )]
    tls_cert: Option<PathBuf>,
    /// The PEM private key of the `--tls-cert` certificate (unencrypted PKCS#8, PKCS#1 or
    /// SEC1; keep it readable by the service account only). Needs `--tls-cert`.
    #[arg(
        long,
        env = "STEPWISE_TLS_KEY",
        requires = "tls_cert",
        value_name = "KEY.pem"
    )]
    tls_key: Option<PathBuf>,
    #[command(flatten)]
    db: DbArgs,
}

/// The password of every demo account, printed at start and shown on the demo's sign-in page.
pub const DEMO_PASSWORD: &str = "stepwise-demo-2026";

pub async fn serve(args: ServeArgs) -> Result<ExitCode> {
    crate::init_logging();
    let tls = args.tls()?;
    let store = args.db.open().await?;
    run(args, tls, store, None).await
}

pub async fn demo(args: ServeArgs) -> Result<ExitCode> {
    crate::init_logging();
    let tls = args.tls()?;
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
    run(args, tls, store, Some(notice)).await
}

impl ServeArgs {
    /// The TLS configuration when `--tls-cert` and `--tls-key` are given, read and checked
    /// before anything else starts.
    fn tls(&self) -> Result<Option<rustls::ServerConfig>> {
        match (&self.tls_cert, &self.tls_key) {
            (Some(cert), Some(key)) => Ok(Some(crate::tls::server_config(cert, key)?)),
            (None, None) => Ok(None),
            // clap's `requires` catches this on the command line; the environment too.
            (Some(_), None) => anyhow::bail!("--tls-cert needs --tls-key (STEPWISE_TLS_KEY)"),
            (None, Some(_)) => anyhow::bail!("--tls-key needs --tls-cert (STEPWISE_TLS_CERT)"),
        }
    }
}

async fn run(
    args: ServeArgs,
    tls: Option<rustls::ServerConfig>,
    store: Store,
    demo: Option<DemoNotice>,
) -> Result<ExitCode> {
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let config = WebConfig {
        // Over built-in TLS the cookies are always secure and HSTS is sent.
        secure_cookies: args.secure_cookies || tls.is_some(),
        demo,
        ..WebConfig::default()
    };
    tokio::spawn(scheduled_jobs(store.clone()));
    let state = AppState::new(store, Arc::new(SystemClock), config);
    let scheme = if tls.is_some() { "https" } else { "http" };
    println!(
        "\nStepwise is running at {scheme}://{} (Ctrl-C to stop)",
        listener.local_addr()?
    );
    match tls {
        Some(tls) => crate::tls::serve(listener, tls, state, shutdown_signal()).await?,
        None => stepwise_web::serve(listener, state, shutdown_signal()).await?,
    }
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
