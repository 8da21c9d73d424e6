//! The server's TLS configuration, from the crypto provider (which chooses the algorithms):
//! the server reads the PEM files and serves, the provider configures.

use mingjing_crypto::tls::rustls::ServerConfig;
use mingjing_crypto::tls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// A server configuration for a certificate chain and its key, speaking HTTP/1.1; the error
/// says why the two cannot be used together.
pub fn tls_server_config(
    certs: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<std::sync::Arc<ServerConfig>, String> {
    mingjing_crypto::tls::server_config(certs, key).map_err(|e| e.to_string())
}
