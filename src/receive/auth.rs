//! Who may call: the `Authorization` header must be the app's Divar identification key
//! (the raw panel value, events.md section 2), compared in constant time; and, when asked,
//! the caller must be one of the addresses Divar documents sending from.

use std::net::{IpAddr, Ipv4Addr};

use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

use crate::secret::SecretString;

/// Divar's documented source addresses: three hosts and one /27 (events.md section 1).
const DIVAR_HOSTS: [Ipv4Addr; 3] = [
    Ipv4Addr::new(78, 111, 6, 41),
    Ipv4Addr::new(78, 111, 6, 42),
    Ipv4Addr::new(78, 111, 6, 43),
];
const DIVAR_NETWORK: (Ipv4Addr, u32) = (Ipv4Addr::new(31, 214, 250, 128), 27);

/// The identification key requests must carry.
#[derive(Debug, Clone)]
pub struct IdentificationKey(SecretString);

impl IdentificationKey {
    pub fn new(key: SecretString) -> Self {
        IdentificationKey(key)
    }

    pub fn secret(&self) -> &SecretString {
        &self.0
    }

    /// Whether `given` (the header's bytes) is the key. Both are hashed first, so that the
    /// comparison takes the same time whatever the lengths and wherever they differ.
    pub fn matches(&self, given: &[u8]) -> bool {
        let expected = Sha256::digest(self.0.expose().as_bytes());
        let given = Sha256::digest(given);
        expected.as_slice().ct_eq(given.as_slice()).into()
    }
}

/// Whether `address` is one Divar documents sending from.
pub fn is_divar_address(address: IpAddr) -> bool {
    let address = match address {
        IpAddr::V4(v4) => v4,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4,
            None => return false,
        },
    };
    let (network, bits) = DIVAR_NETWORK;
    let mask = u32::MAX << (32 - bits);
    DIVAR_HOSTS.contains(&address) || (u32::from(address) & mask) == u32::from(network)
}

/// The address a request came from: the peer itself, or, when the peer is a tunnel on
/// this machine, the last address of its `X-Forwarded-For`, given as the header's lines in
/// the order received. Several lines are one list (RFC 9110 section 5.3), and a tunnel
/// adds the caller it saw at the end of it, as a last entry or a last line of its own;
/// whatever comes before is what the caller claimed. `None` when the last entry is not an
/// address.
pub fn source_address<'a>(
    peer: IpAddr,
    forwarded_for: impl IntoIterator<Item = &'a [u8]>,
) -> Option<IpAddr> {
    // A dual-stack socket sees 127.0.0.1 as ::ffff:127.0.0.1: the same caller.
    let peer = peer.to_canonical();
    if !peer.is_loopback() {
        return Some(peer);
    }
    let last_line = std::str::from_utf8(forwarded_for.into_iter().last()?).ok()?;
    last_line.rsplit(',').next()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_key_itself_matches() {
        let key = IdentificationKey::new(SecretString::new("panel-key-7"));
        assert!(key.matches(b"panel-key-7"));
        assert!(!key.matches(b"panel-key-8"));
        assert!(!key.matches(b"panel-key-7 "));
        assert!(!key.matches(b"Bearer panel-key-7"));
        assert!(!key.matches(b""));
    }

    #[test]
    fn divar_addresses_are_the_documented_ones() {
        for yes in [
            "78.111.6.41",
            "78.111.6.43",
            "31.214.250.128",
            "31.214.250.159",
            "::ffff:78.111.6.42",
        ] {
            assert!(is_divar_address(yes.parse().unwrap()), "{yes}");
        }
        for no in [
            "78.111.6.44",
            "31.214.250.160",
            "31.214.250.127",
            "127.0.0.1",
            "::1",
        ] {
            assert!(!is_divar_address(no.parse().unwrap()), "{no}");
        }
    }

    #[test]
    fn a_tunnel_on_this_machine_names_the_caller_last() {
        let local: IpAddr = "127.0.0.1".parse().unwrap();
        let far: IpAddr = "203.0.113.9".parse().unwrap();
        let lines = |lines: &[&'static str]| -> Vec<&'static [u8]> {
            lines.iter().map(|line| line.as_bytes()).collect()
        };
        assert_eq!(source_address(far, lines(&["78.111.6.41"])), Some(far));
        assert_eq!(
            source_address(local, lines(&["78.111.6.41, 203.0.113.9"])),
            Some(far)
        );
        assert_eq!(
            source_address(local, lines(&["78.111.6.41", "10.0.0.1, 203.0.113.9"])),
            Some(far)
        );
        assert_eq!(
            source_address(local, lines(&["78.111.6.41", "203.0.113.9,"])),
            None
        );
        assert_eq!(source_address(local, lines(&["nonsense"])), None);
        assert_eq!(source_address(local, lines(&[])), None);
        // 127.0.0.1 on a dual-stack socket, and ::1: the tunnel's line is read alike.
        let divar: IpAddr = "78.111.6.41".parse().unwrap();
        for tunnel in ["::ffff:127.0.0.1", "::1"] {
            let tunnel: IpAddr = tunnel.parse().unwrap();
            assert_eq!(source_address(tunnel, lines(&["78.111.6.41"])), Some(divar));
        }
        // A far caller on a dual-stack socket is named as the IPv4 address it is.
        let mapped: IpAddr = "::ffff:203.0.113.9".parse().unwrap();
        assert_eq!(source_address(mapped, lines(&["78.111.6.41"])), Some(far));
    }
}
