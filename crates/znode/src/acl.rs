//! ACLs: ids, permission bits, the server's auth providers (world, digest,
//! ip), `fixupACL` and `checkACL` as 3.8 does them.

use crate::Code;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};
use std::fmt;

/// Permission bits (`ZooDefs.Perms`). Stored as Java's `int`: values above
/// 31 are kept as given.
pub mod perms {
    pub const READ: i32 = 1;
    pub const WRITE: i32 = 2;
    pub const CREATE: i32 = 4;
    pub const DELETE: i32 = 8;
    pub const ADMIN: i32 = 16;
    pub const ALL: i32 = 31;
}

/// An identity: `scheme:id`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Id {
    pub scheme: String,
    pub id: String,
}

impl Id {
    pub fn new(scheme: impl Into<String>, id: impl Into<String>) -> Id {
        Id { scheme: scheme.into(), id: id.into() }
    }

    pub fn anyone() -> Id {
        Id::new("world", "anyone")
    }

    /// The identity `addauth digest user:password` gives a session.
    pub fn digest(user_password: &str) -> Id {
        Id::new("digest", generate_digest(user_password))
    }

    /// `Id.hashCode()` of the jute record (used for Java's hash orders).
    pub fn java_hash(&self) -> i32 {
        let mut result: i32 = 17;
        result = result.wrapping_mul(37).wrapping_add(crate::java_hash::string_hash(&self.scheme));
        result.wrapping_mul(37).wrapping_add(crate::java_hash::string_hash(&self.id))
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.scheme, self.id)
    }
}

/// One ACL entry.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Acl {
    pub perms: i32,
    pub id: Id,
}

impl Acl {
    pub fn new(perms: i32, scheme: &str, id: &str) -> Acl {
        Acl { perms, id: Id::new(scheme, id) }
    }

    /// `world:anyone:cdrwa` (`Ids.OPEN_ACL_UNSAFE`).
    pub fn open() -> Vec<Acl> {
        vec![Acl { perms: perms::ALL, id: Id::anyone() }]
    }

    /// `world:anyone:r` (`Ids.READ_ACL_UNSAFE`).
    pub fn read_only() -> Vec<Acl> {
        vec![Acl { perms: perms::READ, id: Id::anyone() }]
    }
}

/// `DigestAuthenticationProvider.generateDigest`: `user:BASE64(SHA1(user:password))`.
pub fn generate_digest(user_password: &str) -> String {
    let user = user_password.split(':').next().unwrap_or("");
    let hash = Sha1::digest(user_password.as_bytes());
    format!("{user}:{}", base64::engine::general_purpose::STANDARD.encode(hash))
}

/// The server's authentication providers: `ip` and `digest` (3.8 registers
/// no others by default; `world` and `auth` are handled before providers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Provider {
    Ip,
    Digest,
}

impl Provider {
    fn for_scheme(scheme: &str) -> Option<Provider> {
        match scheme {
            "ip" => Some(Provider::Ip),
            "digest" => Some(Provider::Digest),
            _ => None,
        }
    }

    fn is_authenticated(self) -> bool {
        self == Provider::Digest
    }

    fn is_valid(self, id: &str) -> bool {
        match self {
            Provider::Digest => java_split(id, ':').len() == 2,
            Provider::Ip => ip_is_valid(id),
        }
    }

    fn matches(self, client_id: &str, acl_id: &str) -> bool {
        match self {
            Provider::Digest => client_id == acl_id,
            Provider::Ip => ip_matches(client_id, acl_id),
        }
    }
}

/// Whether `scheme` names an authentication provider the server knows, so
/// that `addauth scheme ...` can succeed.
pub fn is_known_auth_scheme(scheme: &str) -> bool {
    Provider::for_scheme(scheme).is_some()
}

/// Java's `String.split(regex)` for a one-character literal: trailing empty
/// strings are dropped.
fn java_split(s: &str, sep: char) -> Vec<&str> {
    let mut parts: Vec<&str> = s.split(sep).collect();
    while parts.last() == Some(&"") {
        parts.pop();
    }
    if parts.is_empty() && s.is_empty() {
        parts.push("");
    }
    parts
}

/// Java's `Integer.parseInt`: optional sign, decimal digits, fits an `int`.
fn java_parse_int(s: &str) -> Option<i32> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i32>().ok()
}

fn v4_bytes(addr: &str) -> Option<[u8; 4]> {
    let parts: Vec<&str> = addr.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    let mut out = [0u8; 4];
    for (slot, part) in out.iter_mut().zip(parts) {
        let v = java_parse_int(part)?;
        *slot = u8::try_from(v).ok()?;
    }
    Some(out)
}

fn mask(bytes: &mut [u8; 4], bits: u32) {
    let start = (bits / 8) as usize;
    let mut start_mask: u8 = !(((1u16 << (8 - bits % 8)) - 1) as u8);
    for b in bytes.iter_mut().skip(start) {
        *b &= start_mask;
        start_mask = 0;
    }
}

fn ip_prefix_bits(expr: &str) -> Option<([u8; 4], u32)> {
    let mut parts = expr.splitn(2, '/');
    let addr = v4_bytes(parts.next().unwrap_or(""))?;
    let bits = match parts.next() {
        None => 32,
        Some(b) => {
            let b = java_parse_int(b)?;
            u32::try_from(b).ok().filter(|b| *b <= 32)?
        }
    };
    Some((addr, bits))
}

fn ip_is_valid(id: &str) -> bool {
    ip_prefix_bits(id).is_some()
}

fn ip_matches(client: &str, acl_expr: &str) -> bool {
    let Some((mut acl_addr, bits)) = ip_prefix_bits(acl_expr) else {
        return false;
    };
    let Some(mut remote) = v4_bytes(client) else {
        return false;
    };
    mask(&mut acl_addr, bits);
    mask(&mut remote, bits);
    acl_addr == remote
}

/// `PrepRequestProcessor.fixupACL`: drop exact duplicates, refuse an empty
/// list, expand `auth` to every authenticated id the session holds, and
/// refuse unknown schemes and invalid ids.
pub fn fixup_acl(auth_info: &[Id], acl: &[Acl]) -> Result<Vec<Acl>, Code> {
    let mut unique: Vec<&Acl> = Vec::with_capacity(acl.len());
    for a in acl {
        if !unique.contains(&a) {
            unique.push(a);
        }
    }
    if unique.is_empty() {
        return Err(Code::InvalidAcl);
    }
    let mut out = Vec::with_capacity(unique.len());
    for a in unique {
        if a.id.scheme == "world" && a.id.id == "anyone" {
            out.push(a.clone());
        } else if a.id.scheme == "auth" {
            let mut any = false;
            for cid in auth_info {
                if Provider::for_scheme(&cid.scheme).is_some_and(Provider::is_authenticated) {
                    any = true;
                    out.push(Acl { perms: a.perms, id: cid.clone() });
                }
            }
            if !any {
                return Err(Code::InvalidAcl);
            }
        } else {
            match Provider::for_scheme(&a.id.scheme) {
                Some(p) if p.is_valid(&a.id.id) => out.push(a.clone()),
                _ => return Err(Code::InvalidAcl),
            }
        }
    }
    Ok(out)
}

/// `ZooKeeperServer.checkACL`: may a client holding `ids` do `perm` on a
/// node whose ACL is `acl`?
pub fn check_acl(acl: &[Acl], perm: i32, ids: &[Id]) -> Result<(), Code> {
    if acl.is_empty() || ids.iter().any(|id| id.scheme == "super") {
        return Ok(());
    }
    for a in acl {
        if a.perms & perm == 0 {
            continue;
        }
        if a.id.scheme == "world" && a.id.id == "anyone" {
            return Ok(());
        }
        if let Some(p) = Provider::for_scheme(&a.id.scheme) {
            if ids.iter().any(|cid| cid.scheme == a.id.scheme && p.matches(&cid.id, &a.id.id)) {
                return Ok(());
            }
        }
    }
    Err(Code::NoAuth)
}

/// What `getACL` shows a client without ADMIN: digest ids as `user:x`.
pub fn mask_digests(acl: &[Acl]) -> Vec<Acl> {
    acl.iter()
        .map(|a| {
            if a.id.scheme == "digest" {
                let user = a.id.id.split(':').next().unwrap_or("");
                let masked = if a.id.id.contains(':') { format!("{user}:x") } else { a.id.id.clone() };
                Acl { perms: a.perms, id: Id::new("digest", masked) }
            } else {
                a.clone()
            }
        })
        .collect()
}

/// zkCli's letters for a permission mask, in its order `cdrwa`.
pub fn perms_to_letters(p: i32) -> String {
    let mut s = String::new();
    for (bit, ch) in
        [(perms::CREATE, 'c'), (perms::DELETE, 'd'), (perms::READ, 'r'), (perms::WRITE, 'w'), (perms::ADMIN, 'a')]
    {
        if p & bit != 0 {
            s.push(ch);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_matches_the_traces() {
        // Same value the recorder computes for alice:secret.
        assert_eq!(generate_digest("alice:secret"), "alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=");
    }

    #[test]
    fn digest_ids_need_exactly_two_parts() {
        assert!(Provider::Digest.is_valid("a:b"));
        assert!(Provider::Digest.is_valid(":b"));
        assert!(Provider::Digest.is_valid("a:b:"), "trailing empties are dropped by Java's split");
        assert!(!Provider::Digest.is_valid("nocolon"));
        assert!(!Provider::Digest.is_valid("a:"));
        assert!(!Provider::Digest.is_valid("a:b:c"));
    }

    #[test]
    fn ip_rules() {
        assert!(ip_is_valid("127.0.0.1"));
        assert!(ip_is_valid("10.0.0.0/8"));
        assert!(!ip_is_valid("10.0.0.0/33"));
        assert!(!ip_is_valid("10.0.0"));
        assert!(!ip_is_valid("256.0.0.1"));
        assert!(ip_matches("10.1.2.3", "10.0.0.0/8"));
        assert!(!ip_matches("127.0.0.1", "10.0.0.0/8"));
        assert!(ip_matches("127.0.0.1", "127.0.0.1"));
        assert!(ip_matches("1.2.3.4", "0.0.0.0/0"));
    }

    #[test]
    fn fixup_expands_auth_and_refuses_bad_entries() {
        let ip = Id::new("ip", "127.0.0.1");
        let alice = Id::digest("alice:secret");
        assert_eq!(fixup_acl(std::slice::from_ref(&ip), &[Acl::new(31, "auth", "")]), Err(Code::InvalidAcl));
        assert_eq!(
            fixup_acl(&[ip, alice.clone()], &[Acl::new(31, "auth", "")]),
            Ok(vec![Acl { perms: 31, id: alice }])
        );
        assert_eq!(fixup_acl(&[], &[]), Err(Code::InvalidAcl));
        assert_eq!(fixup_acl(&[], &[Acl::new(31, "world", "someone")]), Err(Code::InvalidAcl));
        assert_eq!(fixup_acl(&[], &[Acl::new(31, "nosuch", "x")]), Err(Code::InvalidAcl));
        let dup = [Acl::new(31, "world", "anyone"), Acl::new(31, "world", "anyone")];
        assert_eq!(fixup_acl(&[], &dup), Ok(Acl::open()));
        assert_eq!(fixup_acl(&[], &[Acl::new(63, "world", "anyone")]).map(|a| a[0].perms), Ok(63));
    }

    #[test]
    fn check_acl_rules() {
        let ip = Id::new("ip", "127.0.0.1");
        assert_eq!(check_acl(&[], perms::READ, &[]), Ok(()));
        assert_eq!(check_acl(&Acl::read_only(), perms::WRITE, std::slice::from_ref(&ip)), Err(Code::NoAuth));
        assert_eq!(check_acl(&Acl::read_only(), perms::READ, std::slice::from_ref(&ip)), Ok(()));
        let ip_acl = [Acl::new(31, "ip", "127.0.0.1")];
        assert_eq!(check_acl(&ip_acl, perms::READ, std::slice::from_ref(&ip)), Ok(()));
        let other = [Acl::new(31, "ip", "10.9.9.9")];
        assert_eq!(check_acl(&other, perms::READ, &[ip]), Err(Code::NoAuth));
        assert_eq!(check_acl(&other, perms::READ, &[Id::new("super", "")]), Ok(()));
    }

    #[test]
    fn letters() {
        assert_eq!(perms_to_letters(31), "cdrwa");
        assert_eq!(perms_to_letters(1), "r");
        assert_eq!(perms_to_letters(31 & !8), "crwa");
    }

    #[test]
    fn masking_hides_digest_hashes() {
        let acl = [Acl::new(16, "digest", "alice:abc="), Acl::new(1, "world", "anyone")];
        let m = mask_digests(&acl);
        assert_eq!(m[0].id.id, "alice:x");
        assert_eq!(m[1], acl[1]);
    }
}
