//! `get`'s output formatters: plain UTF-8, `-b` base64, `-x` Netty's
//! `ByteBufUtil.prettyHexDump`.

use base64::Engine;

pub(crate) fn plain(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

pub(crate) fn base64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// `Base64.getDecoder().decode`: padding optional, stray bits tolerated.
pub(crate) fn decode_base64(text: &str) -> Option<Vec<u8>> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    let config = GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true);
    GeneralPurpose::new(&base64::alphabet::STANDARD, config).decode(text).ok()
}

const HEADER: [&str; 3] = [
    "         +-------------------------------------------------+",
    "         |  0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f |",
    "+--------+-------------------------------------------------+----------------+",
];

/// `prettyHexDump`: nothing for no bytes, else a framed table of 16 bytes
/// a row with the printable ASCII beside it.
pub(crate) fn hex_dump(data: &[u8]) -> String {
    if data.is_empty() {
        return String::new();
    }
    let mut lines: Vec<String> = HEADER.iter().map(|s| s.to_string()).collect();
    for (row, chunk) in data.chunks(16).enumerate() {
        let mut line = format!("|{:08x}|", (row as u64 * 16) & 0xffff_ffff);
        for b in chunk {
            line.push_str(&format!(" {b:02x}"));
        }
        line.push_str(&"   ".repeat(16 - chunk.len()));
        line.push_str(" |");
        line.extend(chunk.iter().map(|&b| if (32..127).contains(&b) { b as char } else { '.' }));
        line.push_str(&" ".repeat(16 - chunk.len()));
        line.push('|');
        lines.push(line);
    }
    lines.push(HEADER[2].to_string());
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_dump_is_nettys() {
        assert_eq!(hex_dump(b""), "");
        let want = [
            "         +-------------------------------------------------+",
            "         |  0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f |",
            "+--------+-------------------------------------------------+----------------+",
            "|00000000| 68 65 6c 6c 6f 20 77 6f 72 6c 64 2c 20 7a 6b 0a |hello world, zk.|",
            "|00000010| 00 ff 41                                        |..A             |",
            "+--------+-------------------------------------------------+----------------+",
        ]
        .join("\n");
        assert_eq!(hex_dump(b"hello world, zk\n\x00\xffA"), want);
    }

    #[test]
    fn base64_round_trips_and_tolerates_missing_padding() {
        assert_eq!(base64(b"null"), "bnVsbA==");
        assert_eq!(decode_base64("bnVsbA=="), Some(b"null".to_vec()));
        assert_eq!(decode_base64("bnVsbA"), Some(b"null".to_vec()));
        assert_eq!(decode_base64("b-"), None);
        assert_eq!(decode_base64(""), Some(vec![]));
    }

    #[test]
    fn plain_replaces_bad_utf8() {
        assert_eq!(plain("é".as_bytes()), "é");
        assert_eq!(plain(&[0x61, 0xff]), "a\u{fffd}");
    }
}
