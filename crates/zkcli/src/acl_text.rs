//! ACLs as zkCli reads and prints them: `AclParser` for
//! `scheme:id:perms[,...]`, and `getAcl`'s two lines per entry (the jute
//! `Id.toString()` then `: perms`).

use crate::java::split_commas;
use znode::acl::{perms, perms_to_letters};
use znode::{Acl, Id};

/// The parsed list and the complaints `AclParser` printed on the way
/// (stderr), in order. Malformed entries are skipped, unknown letters
/// ignored, as zkCli does.
pub(crate) fn parse_acl(text: &str) -> (Vec<Acl>, Vec<String>) {
    let mut acl = Vec::new();
    let mut complaints = Vec::new();
    for entry in split_commas(text) {
        // The id is everything between the first and the last colon, so
        // `digest:user:hash:cdrwa` keeps `user:hash` whole.
        let (Some(first), Some(last)) = (entry.find(':'), entry.rfind(':')) else {
            complaints.push(format!("{entry} does not have the form scheme:id:perm"));
            continue;
        };
        if first == last {
            complaints.push(format!("{entry} does not have the form scheme:id:perm"));
            continue;
        }
        let perms = perms_from_letters(&entry[last + 1..], &mut complaints);
        acl.push(Acl { perms, id: Id::new(&entry[..first], &entry[first + 1..last]) });
    }
    (acl, complaints)
}

fn perms_from_letters(letters: &str, complaints: &mut Vec<String>) -> i32 {
    let mut p = 0;
    for c in letters.chars() {
        match c {
            'r' => p |= perms::READ,
            'w' => p |= perms::WRITE,
            'c' => p |= perms::CREATE,
            'd' => p |= perms::DELETE,
            'a' => p |= perms::ADMIN,
            other => complaints.push(format!("Unknown perm type: {other}")),
        }
    }
    p
}

/// jute's `ToStringOutputArchive` string escaping (`'` then the text with
/// `\0 \n \r , } %` percent-encoded).
fn jute_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 1);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\0' => out.push_str("%00"),
            '\n' => out.push_str("%0A"),
            '\r' => out.push_str("%0D"),
            ',' => out.push_str("%2C"),
            '}' => out.push_str("%7D"),
            '%' => out.push_str("%25"),
            c => out.push(c),
        }
    }
    out
}

/// What `getAcl` prints for one entry: `'world,'anyone` and `: cdrwa`
/// (`Id.toString()` ends in a newline, so the entry takes two lines).
pub fn acl_entry_lines(a: &Acl) -> [String; 2] {
    [format!("{},{}", jute_string(&a.id.scheme), jute_string(&a.id.id)), format!(": {}", perms_to_letters(a.perms))]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acl(perms: i32, scheme: &str, id: &str) -> Acl {
        Acl::new(perms, scheme, id)
    }

    #[test]
    fn parses_as_acl_parser() {
        type Case<'a> = (&'a str, Vec<Acl>, &'a [&'a str]);
        let cases: Vec<Case> = vec![
            ("world:anyone:cdrwa", vec![acl(31, "world", "anyone")], &[]),
            ("world:anyone:r", vec![acl(1, "world", "anyone")], &[]),
            ("digest:bob:hash=:cdr", vec![acl(13, "digest", "bob:hash=")], &[]),
            ("ip:10.0.0.1:rw,world:anyone:c", vec![acl(3, "ip", "10.0.0.1"), acl(4, "world", "anyone")], &[]),
            ("auth::cdrwa", vec![acl(31, "auth", "")], &[]),
            ("world:anyone:", vec![acl(0, "world", "anyone")], &[]),
            ("world:anyone:rxq", vec![acl(1, "world", "anyone")], &["Unknown perm type: x", "Unknown perm type: q"]),
            ("nocolon", vec![], &["nocolon does not have the form scheme:id:perm"]),
            ("one:colon", vec![], &["one:colon does not have the form scheme:id:perm"]),
            ("", vec![], &[" does not have the form scheme:id:perm"]),
            ("bad,world:anyone:r,,", vec![acl(1, "world", "anyone")], &["bad does not have the form scheme:id:perm"]),
        ];
        for (text, want, complaints) in cases {
            let (got, said) = parse_acl(text);
            assert_eq!(got, want, "{text:?}");
            assert_eq!(said, complaints.iter().map(|s| s.to_string()).collect::<Vec<_>>(), "{text:?}");
        }
    }

    #[test]
    fn entries_print_as_jute_records() {
        assert_eq!(acl_entry_lines(&acl(31, "world", "anyone")), ["'world,'anyone".to_string(), ": cdrwa".into()]);
        assert_eq!(acl_entry_lines(&acl(1, "digest", "bob:x")), ["'digest,'bob:x".to_string(), ": r".into()]);
        assert_eq!(acl_entry_lines(&acl(0, "x", "a,b%}")), ["'x,'a%2Cb%25%7D".to_string(), ": ".into()]);
    }
}
