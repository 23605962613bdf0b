//! Links: a whole scenario in a URL fragment, `#v<N>.<payload>`, where N is
//! the scenario format and the payload is its JSON, deflated and in URL-safe
//! base64 without padding. Decoding takes a whole URL, a fragment with or
//! without `#`, and refuses anything malformed, truncated, oversized or from
//! another version with a clear message — never a panic, and never more
//! than a bounded amount of memory or time.

use crate::zk::scenario::{Scenario, FORMAT};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// The longest payload accepted, in characters (URLs much longer than this
/// do not survive browsers and chat programs anyway).
pub const MAX_PAYLOAD_CHARS: usize = 256 * 1024;
/// The most a payload may inflate to.
pub const MAX_JSON_BYTES: usize = 4 * 1024 * 1024;

/// Why a link cannot be opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkError {
    /// No `#v<N>.` where a link should start.
    NotALink,
    /// Made by a newer ZooScope than this one.
    Newer {
        version: u32,
    },
    /// Made by a version this build no longer reads.
    Older {
        version: u32,
    },
    TooLong {
        chars: usize,
    },
    /// Not URL-safe base64.
    BadEncoding(String),
    /// The compressed data is damaged or cut short.
    BadCompression,
    /// It inflates to more than [`MAX_JSON_BYTES`].
    TooLarge,
    /// The JSON is not a scenario.
    BadScenario(String),
    /// A well-formed scenario this build refuses to run.
    Invalid(String),
}

impl std::fmt::Display for LinkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LinkError::NotALink => write!(f, "not a ZooScope link: expected a fragment like #v{FORMAT}.<payload>"),
            LinkError::Newer { version } => write!(
                f,
                "this link was made by a newer ZooScope (format v{version}); this build opens links up to v{FORMAT}"
            ),
            LinkError::Older { version } => {
                write!(f, "this link's format v{version} is older than any this build opens (v{FORMAT})")
            }
            LinkError::TooLong { chars } => {
                write!(f, "the link's payload is {chars} characters; at most {MAX_PAYLOAD_CHARS} are accepted")
            }
            LinkError::BadEncoding(e) => write!(f, "the link is damaged (not URL-safe base64: {e}); was it cut short?"),
            LinkError::BadCompression => {
                write!(f, "the link is damaged or truncated (its compressed data does not decode)")
            }
            LinkError::TooLarge => write!(f, "the link expands to more than {MAX_JSON_BYTES} bytes; refused"),
            LinkError::BadScenario(e) => write!(f, "the link does not hold a valid scenario: {e}"),
            LinkError::Invalid(e) => write!(f, "the link's scenario cannot run: {e}"),
        }
    }
}

/// The fragment for a scenario: `#v1.<payload>`.
pub fn encode(s: &Scenario) -> String {
    let json = serde_json::to_vec(s).unwrap_or_default();
    let packed = miniz_oxide::deflate::compress_to_vec(&json, 9);
    format!("#v{}.{}", s.format, URL_SAFE_NO_PAD.encode(packed))
}

/// The page URL for a scenario.
pub fn url(base: &str, s: &Scenario) -> String {
    format!("{}{}", base.split('#').next().unwrap_or(base), encode(s))
}

/// Open a link: a whole URL, `#v1.…` or `v1.…`.
pub fn decode(link: &str) -> Result<Scenario, LinkError> {
    let text = link.trim();
    let fragment = match text.find('#') {
        Some(i) => &text[i + 1..],
        None => text,
    };
    let rest = fragment.strip_prefix('v').ok_or(LinkError::NotALink)?;
    let (version, payload) = rest.split_once('.').ok_or(LinkError::NotALink)?;
    if version.is_empty() || version.len() > 9 || !version.bytes().all(|b| b.is_ascii_digit()) {
        return Err(LinkError::NotALink);
    }
    let version: u32 = version.parse().map_err(|_| LinkError::NotALink)?;
    if version > FORMAT {
        return Err(LinkError::Newer { version });
    }
    if version < FORMAT {
        return Err(LinkError::Older { version });
    }
    if payload.len() > MAX_PAYLOAD_CHARS {
        return Err(LinkError::TooLong { chars: payload.len() });
    }
    let packed = URL_SAFE_NO_PAD.decode(payload.as_bytes()).map_err(|e| LinkError::BadEncoding(e.to_string()))?;
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_JSON_BYTES).map_err(|e| {
        if matches!(e.status, miniz_oxide::inflate::TINFLStatus::HasMoreOutput) {
            LinkError::TooLarge
        } else {
            LinkError::BadCompression
        }
    })?;
    let scenario: Scenario = serde_json::from_slice(&json).map_err(|e| LinkError::BadScenario(e.to_string()))?;
    if scenario.format != version {
        return Err(LinkError::BadScenario(format!(
            "the link says v{version} but holds a format {} scenario",
            scenario.format
        )));
    }
    scenario.validate().map_err(LinkError::Invalid)?;
    Ok(scenario)
}

/// Read a scenario from JSON text, validated.
pub fn scenario_from_json(text: &str) -> Result<Scenario, String> {
    let s: Scenario = serde_json::from_str(text).map_err(|e| format!("not a scenario: {e}"))?;
    s.validate()?;
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Scenario {
        let mut s = Scenario::standalone(7, &["a", "b"], 10_000);
        s.clients[0].commands.push(crate::zk::Command { at_ms: 1000, line: "create /app hello".into() });
        s
    }

    #[test]
    fn round_trips_through_url_and_fragment() {
        let s = sample();
        let link = encode(&s);
        assert!(link.starts_with("#v1."));
        assert_eq!(decode(&link), Ok(s.clone()));
        assert_eq!(decode(&link[1..]), Ok(s.clone()));
        assert_eq!(decode(&url("http://localhost:8080/", &s)), Ok(s.clone()));
        assert_eq!(decode(&format!("  {}  ", url("https://x.example/zooscope/#old", &s))), Ok(s));
    }

    #[test]
    fn versions_and_damage_get_clear_errors() {
        let link = encode(&sample());
        assert_eq!(decode("hello"), Err(LinkError::NotALink));
        assert_eq!(decode("#v.abc"), Err(LinkError::NotALink));
        assert_eq!(decode(&link.replacen("#v1.", "#v2.", 1)), Err(LinkError::Newer { version: 2 }));
        assert_eq!(decode(&link.replacen("#v1.", "#v0.", 1)), Err(LinkError::Older { version: 0 }));
        assert!(matches!(decode(&link[..link.len() / 2]), Err(LinkError::BadCompression | LinkError::BadEncoding(_))));
        assert!(matches!(decode("#v1.!!!"), Err(LinkError::BadEncoding(_))));
        let big = format!("#v1.{}", "A".repeat(MAX_PAYLOAD_CHARS + 1));
        assert!(matches!(decode(&big), Err(LinkError::TooLong { .. })));
    }

    #[test]
    fn a_zip_bomb_is_refused() {
        let zeros = vec![b' '; MAX_JSON_BYTES + 10];
        let packed = miniz_oxide::deflate::compress_to_vec(&zeros, 9);
        let link = format!("#v1.{}", URL_SAFE_NO_PAD.encode(packed));
        assert_eq!(decode(&link), Err(LinkError::TooLarge));
    }

    #[test]
    fn a_scenario_that_cannot_run_is_refused() {
        let mut s = sample();
        s.end_ms = 0;
        assert!(matches!(decode(&encode(&s)), Err(LinkError::Invalid(_))));
        let json = br#"{"format":1,"seed":1,"servers":[],"end_ms":5}"#;
        let packed = miniz_oxide::deflate::compress_to_vec(json, 9);
        assert!(matches!(decode(&format!("#v1.{}", URL_SAFE_NO_PAD.encode(packed))), Err(LinkError::Invalid(_))));
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod props {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use proptest::prelude::*;

    proptest! {
        /// Any string at all: an error or a scenario, never a panic.
        #[test]
        fn arbitrary_text_never_panics(s in "\\PC{0,300}") {
            let _ = decode(&s);
            let _ = decode(&format!("#v1.{s}"));
        }

        /// Arbitrary bytes, deflated and encoded as if they were a link.
        #[test]
        fn arbitrary_payloads_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
            let packed = miniz_oxide::deflate::compress_to_vec(&bytes, 1);
            let _ = decode(&format!("#v1.{}", URL_SAFE_NO_PAD.encode(&packed)));
            let _ = decode(&format!("#v1.{}", URL_SAFE_NO_PAD.encode(&bytes)));
        }

        /// A real link cut short anywhere, or with one character changed,
        /// is refused with an error (or, by chance, still decodes); never a
        /// panic.
        #[test]
        fn truncated_or_damaged_links_never_panic(seed in any::<u64>(), cut in 0usize..10_000, at in 0usize..10_000, ch in any::<char>()) {
            let link = encode(&Scenario::ensemble(seed, 3, &["a", "b"], 20_000));
            let cut = cut % (link.len() + 1);
            if link.is_char_boundary(cut) {
                let _ = decode(&link[..cut]);
            }
            let mut chars: Vec<char> = link.chars().collect();
            let i = at % chars.len();
            chars[i] = ch;
            let _ = decode(&chars.into_iter().collect::<String>());
        }

        /// Version numbers of any length, and payloads of any length up to
        /// well past the limit.
        #[test]
        fn huge_versions_and_lengths_get_errors(digits in "[0-9]{1,60}", len in 0usize..(MAX_PAYLOAD_CHARS * 2)) {
            let r = decode(&format!("#v{digits}.abc"));
            prop_assert!(r.is_err());
            let r = decode(&format!("#v1.{}", "Q".repeat(len)));
            prop_assert!(r.is_err());
            if len > MAX_PAYLOAD_CHARS {
                prop_assert!(matches!(r, Err(LinkError::TooLong { .. })), "{r:?}");
            }
        }

        /// Scenarios with random seeds, ends and commands round-trip.
        #[test]
        fn scenarios_round_trip(seed in any::<u64>(), end in 1u64..100_000, lines in prop::collection::vec("[ -~]{0,40}", 0..5)) {
            let mut s = Scenario::standalone(seed, &["a"], end);
            s.clients[0].commands = lines.into_iter().map(|line| crate::zk::Command { at_ms: end / 2, line }).collect();
            prop_assert_eq!(decode(&encode(&s)), Ok(s));
        }
    }
}
