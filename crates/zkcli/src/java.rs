//! The few Java library behaviours zkCli's output depends on: number
//! parsing, `List.toString()`, `String.split(",")`.

/// `Integer.parseInt` / `Long.parseLong` syntax: an optional sign and
/// ASCII digits.
fn parse_decimal<T: std::str::FromStr>(s: &str) -> Option<T> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Rust accepts a leading '+' too, and rejects out-of-range values.
    s.parse().ok()
}

pub(crate) fn parse_int(s: &str) -> Option<i32> {
    parse_decimal(s)
}

pub(crate) fn parse_long(s: &str) -> Option<i64> {
    parse_decimal(s)
}

/// The text of the `NumberFormatException` `parseInt` throws.
pub(crate) fn number_format_error(s: &str) -> String {
    format!("java.lang.NumberFormatException: For input string: \"{s}\"")
}

/// `Integer.decode`: decimal, `0x`/`0X`/`#` hex, or `0` octal, with an
/// optional sign.
pub(crate) fn decode_int(s: &str) -> Option<i32> {
    let (negative, rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (radix, digits) = if let Some(h) = rest.strip_prefix("0x").or_else(|| rest.strip_prefix("0X")) {
        (16, h)
    } else if let Some(h) = rest.strip_prefix('#') {
        (16, h)
    } else if rest.len() > 1 && rest.starts_with('0') {
        (8, &rest[1..])
    } else {
        (10, rest)
    };
    if digits.is_empty() || digits.starts_with(['+', '-']) {
        return None;
    }
    let magnitude = i64::from_str_radix(digits, radix).ok()?;
    i32::try_from(if negative { -magnitude } else { magnitude }).ok()
}

/// `AbstractCollection.toString()`: `[a, b]`.
pub(crate) fn list_to_string<S: AsRef<str>>(items: &[S]) -> String {
    let inner: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    format!("[{}]", inner.join(", "))
}

/// `String.split(",")`: trailing empty pieces are dropped, but a string
/// without a comma is returned whole (even when empty).
pub(crate) fn split_commas(s: &str) -> Vec<&str> {
    if !s.contains(',') {
        return vec![s];
    }
    let mut parts: Vec<&str> = s.split(',').collect();
    while parts.last() == Some(&"") {
        parts.pop();
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_int_follows_java() {
        let cases: &[(&str, Option<i32>)] = &[
            ("0", Some(0)),
            ("42", Some(42)),
            ("-1", Some(-1)),
            ("+7", Some(7)),
            ("2147483647", Some(i32::MAX)),
            ("2147483648", None),
            ("-2147483648", Some(i32::MIN)),
            ("", None),
            ("-", None),
            ("1.0", None),
            (" 1", None),
            ("0x10", None),
            ("abc", None),
        ];
        for (s, want) in cases {
            assert_eq!(parse_int(s), *want, "{s:?}");
        }
        assert_eq!(parse_long("1099511627775"), Some(1_099_511_627_775));
        assert_eq!(parse_long("9223372036854775808"), None);
    }

    #[test]
    fn decode_follows_java() {
        let cases: &[(&str, Option<i32>)] = &[
            ("3", Some(3)),
            ("0", Some(0)),
            ("010", Some(8)),
            ("0x1f", Some(31)),
            ("#10", Some(16)),
            ("-2", Some(-2)),
            ("+2", Some(2)),
            ("-0x80000000", Some(i32::MIN)),
            ("0x80000000", None),
            ("", None),
            ("0x", None),
            ("--1", None),
            ("09", None),
            ("x", None),
        ];
        for (s, want) in cases {
            assert_eq!(decode_int(s), *want, "{s:?}");
        }
    }

    #[test]
    fn lists_and_splits() {
        assert_eq!(list_to_string::<&str>(&[]), "[]");
        assert_eq!(list_to_string(&["a", "b"]), "[a, b]");
        assert_eq!(split_commas(""), vec![""]);
        assert_eq!(split_commas("a"), vec!["a"]);
        assert_eq!(split_commas("a,,b,,"), vec!["a", "", "b"]);
        assert!(split_commas(",,").is_empty());
    }
}
