//! Practices, users and API tokens from the command line. Every change is audited with the
//! source `cli`.

use crate::DbArgs;
use anyhow::{Context, Result, anyhow, bail};
use clap::Subcommand;
use std::io::BufRead;
use std::process::ExitCode;
use stepwise_domain::ids::TokenId;
use stepwise_domain::role::Role;
use stepwise_store::Store;
use stepwise_store::model::{Ctx, NewUser, Practice};
use stepwise_web::auth::{hash_password, new_secret, new_token, secret_hash};
use stepwise_web::state::{Clock, SystemClock, is_time_zone, local_date};

#[derive(Subcommand)]
pub enum PracticeCommand {
    /// Create a practice.
    Create {
        #[arg(long)]
        name: String,
        /// IANA time zone, e.g. America/New_York: decides the practice's "today".
        #[arg(long, default_value = "America/New_York")]
        time_zone: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List the practices on this server.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Add a user account.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// A role; repeat for several: treating_practitioner, ma_nurse, care_manager,
        /// psychiatrist, front_desk, billing, practice_admin.
        #[arg(long = "role", required = true)]
        roles: Vec<Role>,
        /// The practitioner's 10-digit NPI.
        #[arg(long)]
        npi: Option<String>,
        /// Read the password (at least 12 characters) from the first line of standard input.
        /// Without it, the account can only use API tokens until a password is set.
        #[arg(long)]
        password_stdin: bool,
        /// The practice, by name or id (needed when the server holds several).
        #[arg(long)]
        practice: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List user accounts with their roles.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        #[arg(long)]
        practice: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Reset a locked-out user's credentials, e.g. the practice's only administrator: a new
    /// random password (printed once, unless given on standard input), the second factor and
    /// recovery codes removed (enrolled again at the next sign-in), the lock lifted and every
    /// session ended. Audited. For the operator of the server, who can reach its database.
    ResetCredentials {
        #[arg(long)]
        email: String,
        /// Read the new password from the first line of standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
        #[arg(long)]
        practice: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Disable an account: its sessions and tokens stop working at once.
    Disable {
        #[arg(long)]
        email: String,
        #[arg(long)]
        practice: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a user and print it (shown once; only its hash is stored).
    Create {
        #[arg(long)]
        user: String,
        #[arg(long, default_value = "cli")]
        label: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Revoke an API token by its id.
    Revoke {
        #[arg(long)]
        id: TokenId,
        #[arg(long)]
        practice: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List a practice's API tokens (ids and labels, never the tokens).
    List {
        #[arg(long)]
        practice: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
}

/// The context of a command-line action.
pub fn cli_ctx(practice: &Practice) -> Ctx {
    let now = SystemClock.now();
    Ctx {
        practice: practice.id,
        user: None,
        role: None,
        request_id: format!("cli-{}", uuid::Uuid::now_v7()),
        source: "cli".into(),
        now,
        today: local_date(now, &practice.time_zone),
    }
}

/// The practice a command is about: the only one, or the one named.
pub async fn pick_practice(store: &Store, which: Option<&str>) -> Result<Practice> {
    let all = store.practices().await?;
    match which {
        Some(w) => all
            .into_iter()
            .find(|p| p.name == w || p.id.to_string() == w)
            .ok_or_else(|| {
                anyhow!("no practice named or with id '{w}' (see `stepwise practice list`)")
            }),
        None => match all.len() {
            0 => bail!(
                "there is no practice yet: create one with `stepwise practice create --name …` (or run `stepwise demo`)"
            ),
            1 => Ok(all.into_iter().next().context("one practice")?),
            _ => bail!("this server holds several practices: say which with --practice"),
        },
    }
}

pub async fn practice(cmd: PracticeCommand) -> Result<ExitCode> {
    match cmd {
        PracticeCommand::Create {
            name,
            time_zone,
            db,
        } => {
            if !is_time_zone(&time_zone) {
                bail!("unknown time zone '{time_zone}': use an IANA name such as America/New_York");
            }
            let store = db.open().await?;
            let p = store
                .create_practice(&name, &time_zone, SystemClock.now(), "cli")
                .await?;
            println!("Created practice '{}' ({}).", p.name, p.id);
            store.close().await;
        }
        PracticeCommand::List { db } => {
            let store = db.open().await?;
            for p in store.practices().await? {
                println!("{}  {}  ({})", p.id, p.name, p.time_zone);
            }
            store.close().await;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn read_password(email: &str) -> Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    let pw = line.trim_end_matches(['\r', '\n']).to_owned();
    if let Err(e) = stepwise_domain::auth::password::check(&pw, email) {
        bail!("{e}");
    }
    Ok(pw)
}

pub async fn user(cmd: UserCommand) -> Result<ExitCode> {
    match cmd {
        UserCommand::Add {
            email,
            name,
            roles,
            npi,
            password_stdin,
            practice,
            db,
        } => {
            let password_hash = if password_stdin {
                let pw = read_password(&email)?;
                Some(
                    tokio::task::spawn_blocking(move || hash_password(&pw))
                        .await?
                        .map_err(anyhow::Error::msg)?,
                )
            } else {
                None
            };
            let store = db.open().await?;
            let p = pick_practice(&store, practice.as_deref()).await?;
            let u = store
                .create_user(
                    &cli_ctx(&p),
                    NewUser {
                        email,
                        display_name: name,
                        password_hash,
                        roles,
                        npi,
                    },
                )
                .await?;
            println!(
                "Added {} ({}) with roles {}.",
                u.email,
                u.id,
                roles_text(&u.roles)
            );
            if !password_stdin {
                println!(
                    "No password set: the account can use API tokens (`stepwise token create --user {}`).",
                    u.email
                );
            }
            store.close().await;
        }
        UserCommand::List { json, practice, db } => {
            let store = db.open().await?;
            let p = pick_practice(&store, practice.as_deref()).await?;
            let users = store.users(p.id).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&users)?);
            } else {
                for u in &users {
                    let state = if u.disabled { "disabled" } else { "active" };
                    println!(
                        "{:<40} {:<28} {:<9} {}",
                        u.email,
                        u.display_name,
                        state,
                        roles_text(&u.roles)
                    );
                }
            }
            store.close().await;
        }
        UserCommand::ResetCredentials {
            email,
            password_stdin,
            practice,
            db,
        } => {
            let password = if password_stdin {
                read_password(&email)?
            } else {
                // 256 random bits: no one, the operator included, needs to remember it for
                // longer than the first sign-in.
                new_secret()
            };
            let hash = {
                let pw = password.clone();
                tokio::task::spawn_blocking(move || hash_password(&pw))
                    .await?
                    .map_err(anyhow::Error::msg)?
            };
            let store = db.open().await?;
            let p = pick_practice(&store, practice.as_deref()).await?;
            let u = store
                .user_by_email(p.id, &email)
                .await
                .map_err(|_| anyhow!("no user {email} in {}", p.name))?;
            store
                .reset_credentials(&cli_ctx(&p), u.id, Some(&hash))
                .await?;
            store.close().await;
            eprintln!(
                "Reset {email}: second factor removed, sessions ended, lock lifted. At the next \
                 sign-in they set up a second factor again."
            );
            if u.disabled {
                eprintln!("Note: the account is disabled: it still cannot sign in.");
            }
            if !password_stdin {
                eprintln!("Their new password (shown once; hand it over privately):");
                println!("{password}");
            }
        }
        UserCommand::Disable {
            email,
            practice,
            db,
        } => {
            let store = db.open().await?;
            let p = pick_practice(&store, practice.as_deref()).await?;
            let u = store
                .user_by_email(p.id, &email)
                .await
                .map_err(|_| anyhow!("no user {email} in {}", p.name))?;
            store.disable_user(&cli_ctx(&p), u.id).await?;
            println!("Disabled {email}: its sessions and tokens no longer work.");
            store.close().await;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn roles_text(roles: &[Role]) -> String {
    roles.iter().map(|r| r.code()).collect::<Vec<_>>().join(",")
}

pub async fn token(cmd: TokenCommand) -> Result<ExitCode> {
    match cmd {
        TokenCommand::Create { user, label, db } => {
            let store = db.open().await?;
            let u = store
                .user_for_sign_in(&user)
                .await?
                .ok_or_else(|| anyhow!("no user {user}"))?
                .user;
            let p = store.practice(u.practice).await?;
            let token = new_token();
            let t = store
                .create_token(&cli_ctx(&p), u.id, &secret_hash(&token), &label)
                .await?;
            eprintln!(
                "Token {} for {} (shown once; keep it secret):",
                t.id, u.email
            );
            println!("{token}");
            store.close().await;
        }
        TokenCommand::Revoke { id, practice, db } => {
            let store = db.open().await?;
            let p = pick_practice(&store, practice.as_deref()).await?;
            store
                .revoke_token(&cli_ctx(&p), id)
                .await
                .map_err(|_| anyhow!("no active token {id} in {}", p.name))?;
            println!("Revoked token {id}.");
            store.close().await;
        }
        TokenCommand::List { practice, db } => {
            let store = db.open().await?;
            let p = pick_practice(&store, practice.as_deref()).await?;
            for t in store.tokens(p.id).await? {
                let state = if t.revoked_at.is_some() {
                    "revoked"
                } else {
                    "active"
                };
                println!("{}  {:<8} user {}  {}", t.id, state, t.user, t.label);
            }
            store.close().await;
        }
    }
    Ok(ExitCode::SUCCESS)
}
