//! Built-in HTTPS for `stepwise serve --tls-cert --tls-key`: rustls with the ring provider
//! only (the one sqlx and everything else here use), TLS 1.2 and 1.3 (rustls's safe
//! defaults), certificate and key read and checked once at start, before listening.

use anyhow::{Context, Result, anyhow, bail};
use axum_server::tls_rustls::RustlsConfig;
use rustls::ServerConfig;
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;
use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use stepwise_web::AppState;

/// The TLS server configuration from a PEM certificate chain (server certificate first, then
/// any intermediates) and its PEM private key (PKCS#8, PKCS#1 or SEC1). Every failure names
/// the file and what is wrong with it.
pub fn server_config(cert_path: &Path, key_path: &Path) -> Result<ServerConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let chain = read_chain(cert_path)?;
    let key = read_key(key_path)?;
    let signing_key = provider
        .key_provider
        .load_private_key(key.clone_key())
        .map_err(|e| {
            anyhow!(
                "the TLS key file {} holds a private key that cannot be used: {e}",
                key_path.display()
            )
        })?;
    match CertifiedKey::new(chain.clone(), signing_key).keys_match() {
        Ok(()) => {}
        Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch)) => bail!(
            "the TLS key file {} does not belong to the certificate in {} (its public key \
             differs from the certificate's)",
            key_path.display(),
            cert_path.display()
        ),
        Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::Unknown)) => bail!(
            "the TLS key file {}: cannot check that the key belongs to the certificate in {}",
            key_path.display(),
            cert_path.display()
        ),
        Err(e) => bail!(
            "the TLS certificate file {} does not hold a valid X.509 certificate: {e}",
            cert_path.display()
        ),
    }
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS 1.2 and 1.3 with the ring provider")?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .with_context(|| {
            format!(
                "the TLS certificate {} and key {}",
                cert_path.display(),
                key_path.display()
            )
        })?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

fn read(path: &Path, what: &str) -> Result<Vec<u8>> {
    std::fs::read(path)
        .with_context(|| format!("cannot read the TLS {what} file {}", path.display()))
}

fn read_chain(path: &Path) -> Result<Vec<CertificateDer<'static>>> {
    let bytes = read(path, "certificate")?;
    let chain = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, pem::Error>>()
        .map_err(|e| {
            anyhow!(
                "the TLS certificate file {} is not valid PEM: {e}",
                path.display()
            )
        })?;
    if chain.is_empty() {
        bail!(
            "the TLS certificate file {} holds no certificate (expected a PEM \
             \"-----BEGIN CERTIFICATE-----\" block)",
            path.display()
        );
    }
    Ok(chain)
}

fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>> {
    let bytes = read(path, "key")?;
    PrivateKeyDer::from_pem_slice(&bytes).map_err(|e| match e {
        pem::Error::NoItemsFound => anyhow!(
            "the TLS key file {} holds no private key (expected a PEM \"-----BEGIN PRIVATE \
             KEY-----\", \"RSA PRIVATE KEY\" or \"EC PRIVATE KEY\" block, not encrypted)",
            path.display()
        ),
        e => anyhow!("the TLS key file {} is not valid PEM: {e}", path.display()),
    })
}

/// Serve HTTPS on `listener` until `shutdown` completes; in-flight requests finish, then the
/// store closes (as [`stepwise_web::serve`] does for plain HTTP).
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: ServerConfig,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let store = state.store.clone();
    let app = stepwise_web::router(state).into_make_service_with_connect_info::<SocketAddr>();
    let handle = axum_server::Handle::new();
    let stopping = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        stopping.graceful_shutdown(None);
    });
    axum_server::from_tcp_rustls(
        listener.into_std()?,
        RustlsConfig::from_config(Arc::new(config)),
    )?
    .handle(handle)
    .serve(app)
    .await?;
    store.close().await;
    Ok(())
}
