//! What https trusts: the system's root store, loaded at the first TLS handshake (a run
//! that sends plain http to a loopback server never reads it), plus the `--cacert` CAs.
//! ring is the crypto provider.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};
use rustls_platform_verifier::Verifier;

use crate::error::{Error, Result};
use crate::input;

/// The TLS configuration every https connection uses: HTTP/2 or HTTP/1.1, certificates
/// checked by the platform verifier against the system's roots and `extra_roots`.
pub(crate) fn config(extra_roots: Vec<CertificateDer<'static>>) -> Result<ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = LazyVerifier {
        extra_roots,
        provider: Arc::clone(&provider),
        verifier: OnceLock::new(),
    };
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Unavailable(format!("cannot set up TLS: {e}")))?
        .dangerous()
        // The platform verifier is the safe one: the system's roots, checked by WebPKI.
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// The platform verifier, made when a handshake first needs it: making it reads every
/// certificate of the system's store, which takes milliseconds.
#[derive(Debug)]
struct LazyVerifier {
    extra_roots: Vec<CertificateDer<'static>>,
    provider: Arc<CryptoProvider>,
    verifier: OnceLock<std::result::Result<Verifier, rustls::Error>>,
}

impl LazyVerifier {
    fn verifier(&self) -> std::result::Result<&Verifier, rustls::Error> {
        self.verifier
            .get_or_init(|| {
                Verifier::new_with_extra_roots(
                    self.extra_roots.iter().cloned(),
                    Arc::clone(&self.provider),
                )
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

impl ServerCertVerifier for LazyVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        self.verifier()?.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        )
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.verifier()?.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.verifier()?.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// The CA certificates in a PEM file, for `--cacert`: each one checked now, so that a bad
/// file is invalid input naming it rather than a failure at the first handshake.
pub(crate) fn read_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>> {
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
