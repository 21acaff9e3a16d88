//! Built-in HTTPS: `stepwise serve --tls-cert --tls-key` with a self-signed certificate for
//! 127.0.0.1/localhost, reached by a rustls client that trusts only that certificate. The
//! answers carry HSTS and a `__Host-`/`Secure` session cookie; plain HTTP to the port gets no
//! page; a wrong, missing or lone certificate or key stops the server before it listens. On
//! SQLite, and on PostgreSQL when `STEPWISE_TEST_PG_URL` is set.

// Test code: a panic with its location is the failure report (`allow-unwrap-in-tests` covers
// only `#[test]` functions, not helpers).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, ProtocolVersion, RootCertStore, StreamOwned};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PASSWORD: &str = "a long enough test passphrase";
const EMAIL: &str = "cm@tls.test";

/// A certificate for localhost and 127.0.0.1 and its key, as PEM files in `dir`:
/// (certificate path, key path, certificate DER).
fn self_signed(dir: &Path, name: &str) -> (PathBuf, PathBuf, CertificateDer<'static>) {
    let made =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .unwrap();
    let cert = dir.join(format!("{name}-cert.pem"));
    let key = dir.join(format!("{name}-key.pem"));
    std::fs::write(&cert, made.cert.pem()).unwrap();
    std::fs::write(&key, made.signing_key.serialize_pem()).unwrap();
    (cert, key, made.cert.der().clone())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn stepwise() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stepwise"));
    for var in [
        "STEPWISE_DATABASE_URL",
        "STEPWISE_TLS_CERT",
        "STEPWISE_TLS_KEY",
        "STEPWISE_SECURE_COOKIES",
        "STEPWISE_LISTEN",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// Run to the end with `stdin`, within two minutes.
fn run(mut cmd: Command, stdin: &str) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).unwrap();
    drop(input);
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!("still running after two minutes: {out:?}");
        }
        pause();
    }
    child.wait_with_output().unwrap()
}

// A plain test thread waiting for a child process or a port: no runtime to block.
#[allow(clippy::disallowed_methods)]
fn pause() {
    std::thread::sleep(Duration::from_millis(100));
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A TLS client that trusts only `cert`, offering the given protocol versions.
fn client(
    cert: &CertificateDer<'static>,
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> Arc<ClientConfig> {
    let mut roots = RootCertStore::empty();
    roots.add(cert.clone()).unwrap();
    let mut config =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_protocol_versions(versions)
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Arc::new(config)
}

struct Reply {
    status: u16,
    head: String,
    version: Option<ProtocolVersion>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

/// One HTTPS/1.1 exchange with 127.0.0.1:`port`, the server named `host` (SNI and
/// certificate check).
fn https(
    config: &Arc<ClientConfig>,
    host: &str,
    port: u16,
    method: &str,
    path: &str,
    form: Option<&str>,
) -> std::io::Result<Reply> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let tcp = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    tcp.set_read_timeout(Some(Duration::from_secs(30)))?;
    let name = ServerName::try_from(host.to_owned()).unwrap();
    let conn = ClientConnection::new(config.clone(), name).map_err(std::io::Error::other)?;
    let mut tls = StreamOwned::new(conn, tcp);
    let body = form.unwrap_or("");
    let content = if form.is_some() {
        format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            body.len()
        )
    } else {
        String::new()
    };
    write!(
        tls,
        "{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\n{content}Connection: close\r\n\r\n{body}"
    )?;
    tls.flush()?;
    let mut out = Vec::new();
    match tls.read_to_end(&mut out) {
        Ok(_) => {}
        // The server may close without close_notify once the response is complete.
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && !out.is_empty() => {}
        Err(e) => return Err(e),
    }
    let out = String::from_utf8_lossy(&out).into_owned();
    let head = out.split_once("\r\n\r\n").map_or(out.as_str(), |(h, _)| h);
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    Ok(Reply {
        status,
        head: head.to_owned(),
        version: tls.conn.protocol_version(),
    })
}

/// A practice with one care manager, made with the CLI; `db` selects the database.
fn practice_with_user(db: &[String]) {
    let mut cmd = stepwise();
    cmd.args(["practice", "create", "--name", "TLS Clinic"])
        .args(db);
    let out = run(cmd, "");
    assert!(out.status.success(), "{out:?}");
    let mut cmd = stepwise();
    cmd.args([
        "user",
        "add",
        "--email",
        EMAIL,
        "--name",
        "Casey Manager",
        "--role",
        "care_manager",
        "--password-stdin",
    ])
    .args(db);
    let out = run(cmd, &format!("{PASSWORD}\n"));
    assert!(out.status.success(), "{out:?}");
}

/// `stepwise serve` over TLS on a free port, once it answers over HTTPS.
fn serve_tls(db: &[String], cert: &Path, key: &Path, trusted: &Arc<ClientConfig>) -> (Server, u16) {
    let port = free_port();
    let mut cmd = stepwise();
    cmd.args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--tls-cert")
        .arg(cert)
        .arg("--tls-key")
        .arg(key)
        .args(db)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut server = Server(cmd.spawn().unwrap());
    let started = Instant::now();
    while https(trusted, "localhost", port, "GET", "/api/v1/health", None).is_err() {
        assert!(
            server.0.try_wait().unwrap().is_none(),
            "the server stopped before answering"
        );
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the server did not answer over HTTPS"
        );
        pause();
    }
    (server, port)
}

fn https_round_trip(db: &[String]) {
    let certs = tempfile::tempdir().unwrap();
    let (cert, key, der) = self_signed(certs.path(), "server");
    practice_with_user(db);
    let trusted = client(&der, rustls::DEFAULT_VERSIONS);
    let (_server, port) = serve_tls(db, &cert, &key, &trusted);

    // The health check and the sign-in page over HTTPS, by name and by address, with HSTS.
    for host in ["localhost", "127.0.0.1"] {
        for path in ["/api/v1/health", "/sign-in"] {
            let reply = https(&trusted, host, port, "GET", path, None).unwrap();
            assert_eq!(reply.status, 200, "{host}{path}: {}", reply.head);
            assert_eq!(
                reply.header("strict-transport-security"),
                Some("max-age=31536000"),
                "{host}{path}: {}",
                reply.head
            );
            assert_eq!(reply.version, Some(ProtocolVersion::TLSv1_3));
        }
    }
    // TLS 1.2 is still accepted (rustls's safe defaults: 1.2 and 1.3, nothing older).
    let tls12 = client(&der, &[&rustls::version::TLS12]);
    let reply = https(&tls12, "localhost", port, "GET", "/api/v1/health", None).unwrap();
    assert_eq!(reply.status, 200);
    assert_eq!(reply.version, Some(ProtocolVersion::TLSv1_2));

    // Signing in over HTTPS: the session cookie is `__Host-` and `Secure` without
    // `--secure-cookies`, because Stepwise serves TLS itself.
    let form = format!(
        "email={}&password={}",
        EMAIL.replace('@', "%40"),
        PASSWORD.replace(' ', "+")
    );
    let reply = https(&trusted, "localhost", port, "POST", "/sign-in", Some(&form)).unwrap();
    assert_eq!(reply.status, 303, "{}", reply.head);
    let cookie = reply.header("set-cookie").unwrap_or_default();
    assert!(
        cookie.starts_with("__Host-stepwise_session=")
            && cookie.contains("; Secure")
            && cookie.contains("; HttpOnly"),
        "{cookie}"
    );
    assert_eq!(
        reply.header("strict-transport-security"),
        Some("max-age=31536000")
    );

    // A client that does not trust the certificate (another self-signed one) gets no page.
    let (_, _, other) = self_signed(certs.path(), "stranger");
    let untrusting = client(&other, rustls::DEFAULT_VERSIONS);
    assert!(
        https(
            &untrusting,
            "localhost",
            port,
            "GET",
            "/api/v1/health",
            None
        )
        .is_err()
    );
    // Nor does one that asks for a name the certificate does not carry.
    assert!(
        https(
            &trusted,
            "stepwise.example",
            port,
            "GET",
            "/api/v1/health",
            None
        )
        .is_err()
    );

    // Plain HTTP to the TLS port gets no page: at most a TLS alert, then the connection ends.
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut plain = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).unwrap();
    plain
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        plain,
        "GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = Vec::new();
    let _ = plain.read_to_end(&mut out);
    assert!(
        !String::from_utf8_lossy(&out).contains("HTTP/"),
        "plain HTTP got an HTTP answer: {out:?}"
    );
    if let Some(first) = out.first() {
        assert_eq!(
            *first, 0x15,
            "anything sent back is a TLS alert record: {out:?}"
        );
    }
}

#[test]
fn https_on_sqlite() {
    let data = tempfile::tempdir().unwrap();
    https_round_trip(&["--data-dir".to_owned(), data.path().display().to_string()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_on_postgres() {
    let Ok(admin) = std::env::var("STEPWISE_TEST_PG_URL") else {
        assert!(
            std::env::var_os("STEPWISE_TEST_REQUIRE_PG").is_none(),
            "PostgreSQL required but not configured"
        );
        eprintln!("STEPWISE_TEST_PG_URL not set: skipping HTTPS on PostgreSQL");
        return;
    };
    use sqlx::Connection;
    let name = format!("stepwise_tls_{}", uuid::Uuid::now_v7().simple());
    let mut c = sqlx::PgConnection::connect(&admin).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut c)
        .await
        .unwrap();
    let base = admin.rsplit_once('/').map(|(b, _)| b.to_owned()).unwrap();
    let db = vec!["--database-url".to_owned(), format!("{base}/{name}")];
    let outcome = tokio::task::spawn_blocking(move || https_round_trip(&db)).await;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&mut c)
    .await
    .unwrap();
    outcome.unwrap();
}

/// `stepwise serve` (or `demo`) with these arguments must fail before listening: non-zero
/// exit, stderr containing each of `expect`, no database created, nothing on the port.
fn refuses(command: &str, args: &[&std::ffi::OsStr], env: &[(&str, &Path)], expect: &[&str]) {
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().join("data");
    let port = free_port();
    let mut cmd = stepwise();
    cmd.args([command, "--listen", &format!("127.0.0.1:{port}")])
        .args(args)
        .arg("--data-dir")
        .arg(&data_dir);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = run(cmd, "");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "{command} {args:?} {env:?} started: {out:?}"
    );
    for e in expect {
        assert!(stderr.contains(e), "{command} {args:?} {env:?}: {stderr}");
    }
    assert!(
        !data_dir.exists(),
        "the database was opened before the TLS check"
    );
    assert!(
        TcpStream::connect_timeout(
            &SocketAddr::from(([127, 0, 0, 1], port)),
            Duration::from_millis(500)
        )
        .is_err(),
        "something listens on the port"
    );
}

#[test]
fn a_bad_certificate_or_key_stops_the_server_before_it_listens() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, _) = self_signed(dir.path(), "server");
    let (_, other_key, _) = self_signed(dir.path(), "other");
    let missing = dir.path().join("missing.pem");
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "not a certificate\n").unwrap();
    let bad_pem = dir.path().join("bad.pem");
    std::fs::write(
        &bad_pem,
        "-----BEGIN CERTIFICATE-----\nthis is not base64!\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let not_x509 = dir.path().join("not-x509.pem");
    std::fs::write(
        &not_x509,
        "-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let s = |p: &Path| p.as_os_str().to_owned();
    let tls = |c: &Path, k: &Path| {
        vec![
            s(Path::new("--tls-cert")),
            s(c),
            s(Path::new("--tls-key")),
            s(k),
        ]
    };
    let cases: Vec<(Vec<std::ffi::OsString>, Vec<String>)> = vec![
        // The key of another certificate.
        (
            tls(&cert, &other_key),
            vec![format!(
                "the TLS key file {} does not belong to the certificate in {}",
                other_key.display(),
                cert.display()
            )],
        ),
        // A file that is not there.
        (
            tls(&missing, &key),
            vec![
                format!("cannot read the TLS certificate file {}", missing.display()),
                "No such file".to_owned(),
            ],
        ),
        (
            tls(&cert, &missing),
            vec![format!(
                "cannot read the TLS key file {}",
                missing.display()
            )],
        ),
        // Not PEM, broken PEM, PEM that is no certificate.
        (
            tls(&garbage, &key),
            vec![format!(
                "the TLS certificate file {} holds no certificate",
                garbage.display()
            )],
        ),
        (
            tls(&bad_pem, &key),
            vec![format!(
                "the TLS certificate file {} is not valid PEM",
                bad_pem.display()
            )],
        ),
        (
            tls(&not_x509, &key),
            vec![format!(
                "the TLS certificate file {} does not hold a valid X.509 certificate",
                not_x509.display()
            )],
        ),
        // Certificate and key swapped: the key file holds no key.
        (
            tls(&key, &cert),
            vec![format!(
                "the TLS certificate file {} holds no certificate",
                key.display()
            )],
        ),
        // One flag alone.
        (
            vec![s(Path::new("--tls-cert")), s(&cert)],
            vec!["--tls-key".to_owned()],
        ),
        (
            vec![s(Path::new("--tls-key")), s(&key)],
            vec!["--tls-cert".to_owned()],
        ),
    ];
    for (args, expect) in &cases {
        let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
        let expect: Vec<&str> = expect.iter().map(String::as_str).collect();
        refuses("serve", &args, &[], &expect);
    }
    // The environment variables, one alone, and the demo too.
    refuses(
        "serve",
        &[],
        &[("STEPWISE_TLS_CERT", &cert)],
        &["--tls-key"],
    );
    refuses("serve", &[], &[("STEPWISE_TLS_KEY", &key)], &["--tls-cert"]);
    refuses(
        "serve",
        &[],
        &[
            ("STEPWISE_TLS_CERT", &cert),
            ("STEPWISE_TLS_KEY", &other_key),
        ],
        &["does not belong to the certificate"],
    );
    let args = tls(&cert, &other_key);
    let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    refuses("demo", &args, &[], &["does not belong to the certificate"]);
}
