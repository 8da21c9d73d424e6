//! The TLS the server offers: rustls with the ring provider, TLS 1.2 and 1.3 with their safe
//! default suites (AES-GCM, ChaCha20-Poly1305). rustls has no TLCP (GB/T 38636) or SM suites:
//! where the assessment asks for them, a TLCP gateway terminates in front (decision 91).

pub use rustls;
use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::sync::Arc;

/// A server configuration for a certificate chain and its key, speaking HTTP/1.1.
pub fn server_config(
    certs: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<ServerConfig>, rustls::Error> {
    let mut config =
        ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(certs, key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
