//! TLS for https: the system's trusted roots plus the `--cacert` certificates, with ring
//! as the crypto provider.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use rustls::ClientConfig;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls_platform_verifier::Verifier;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use url::Host;

use crate::error::{Error, Result};
use crate::input;

/// What https connections trust, set up on the first one: loading the system's roots takes
/// milliseconds that a run to a plain-http loopback server never needs.
pub(crate) struct Tls {
    extra_roots: Vec<CertificateDer<'static>>,
    connector: OnceLock<std::result::Result<TlsConnector, String>>,
}

impl Tls {
    /// Trusts the system's roots and the CA certificates in `ca_file`, which is read (and
    /// its errors reported) now, before anything is sent.
    pub(crate) fn new(ca_file: Option<&Path>) -> Result<Self> {
        let extra_roots = match ca_file {
            Some(path) => read_certificates(path)?,
            None => Vec::new(),
        };
        Ok(Tls {
            extra_roots,
            connector: OnceLock::new(),
        })
    }

    /// Runs the TLS handshake with `host` over `stream`, checking its certificate.
    pub(crate) async fn handshake(
        &self,
        host: &Host<String>,
        stream: TcpStream,
    ) -> std::result::Result<TlsStream<TcpStream>, String> {
        let connector = self
            .connector
            .get_or_init(|| {
                self.connector()
                    .map_err(|e| format!("cannot set up TLS: {e}"))
            })
            .as_ref()
            .map_err(Clone::clone)?;
        let name = match host {
            Host::Domain(name) => ServerName::try_from(name.clone()).map_err(|e| e.to_string())?,
            Host::Ipv4(ip) => ServerName::from(std::net::IpAddr::from(*ip)),
            Host::Ipv6(ip) => ServerName::from(std::net::IpAddr::from(*ip)),
        };
        connector
            .connect(name, stream)
            .await
            .map_err(|e| format!("TLS handshake failed: {e}"))
    }

    fn connector(&self) -> std::result::Result<TlsConnector, rustls::Error> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = Verifier::new_with_extra_roots(self.extra_roots.clone(), provider.clone())?;
        let mut config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .dangerous()
            // The platform verifier is the safe one: the system's roots, checked by WebPKI.
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(TlsConnector::from(Arc::new(config)))
    }
}

/// The CA certificates in a PEM file, for `--cacert`: each one checked now, so that a bad
/// file is invalid input naming it rather than a failure at the first handshake.
fn read_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>> {
    let name = input::source_name(path);
    let pem = input::read_bounded(path).map_err(|e| e.prefixed("CA certificate file "))?;
    let certificates = CertificateDer::pem_slice_iter(&pem)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| {
            Error::invalid(format!(
                "CA certificate file {name}: not PEM certificates ({e})"
            ))
        })?;
    if certificates.is_empty() {
        return Err(Error::invalid(format!(
            "CA certificate file {name}: holds no PEM certificate"
        )));
    }
    let mut check = rustls::RootCertStore::empty();
    for certificate in &certificates {
        check.add(certificate.clone()).map_err(|e| {
            Error::invalid(format!(
                "CA certificate file {name}: not a usable CA certificate ({e})"
            ))
        })?;
    }
    Ok(certificates)
}
