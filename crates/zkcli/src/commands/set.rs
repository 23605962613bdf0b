//! `set [-s] [-v version] [-b] path data` (`SetCommand`).

use super::{fail, int_option, parse, path_ok, usage};
use crate::cli_options::Opt;
use crate::format::decode_base64;
use crate::stat_printer::stat_lines;
use crate::task::{one_request, Io, Started};
use znode::{Request, Response};

pub(crate) const OPTS: &[Opt] = &[
    Opt::flag('s', "Print znode stats additionally"),
    Opt::arg('v', "Set with an expected version"),
    Opt::flag('b', "Supply data in base64 format"),
];

pub(super) fn run(tokens: &[String], io: &mut Io) -> Started {
    let parsed = parse(OPTS, tokens, io)?;
    let (Some(path), Some(text)) = (parsed.arg(1), parsed.arg(2)) else {
        return usage("set", Some(OPTS), io);
    };
    let path = path.to_string();
    let data = if parsed.has('b') {
        match decode_base64(text) {
            Some(d) => d,
            None => {
                // zkCli dies here with Base64's IllegalArgumentException.
                io.err(format!("java.lang.IllegalArgumentException: Illegal base64 data: {text}"));
                return None;
            }
        }
    } else {
        text.as_bytes().to_vec()
    };
    let version = int_option(&parsed, 'v', -1, io)?;
    if !path_ok(&path, io) {
        return None;
    }
    let with_stat = parsed.has('s');
    let req = Request::SetData { path: path.clone(), data: Some(data), version };
    one_request(io, req, move |res, io| match res {
        Ok(Response::Stat(s)) if with_stat => io.out_lines(stat_lines(&s)),
        Ok(_) => {}
        Err(code) => fail(code, &path, io),
    })
}

#[cfg(test)]
mod tests {
    use crate::commands::test_support::Harness;
    use znode::{Code, Request, Response, Stat};

    #[test]
    fn sends_data_and_version() {
        let cases: &[(&str, &[u8], i32)] = &[
            ("set /a hello", b"hello", -1),
            ("set -v 3 /a hello", b"hello", 3),
            ("set /a hello -v 3", b"hello", 3),
            ("set /a \"\"", b"", -1),
            ("set /a 'a b'", b"a b", -1),
            ("set -b /a aGk=", b"hi", -1),
        ];
        for (line, data, version) in cases {
            let mut h = Harness::run(line);
            let want = Request::SetData { path: "/a".into(), data: Some(data.to_vec()), version: *version };
            assert_eq!(h.take_requests(), vec![(1, want)], "{line}");
        }
    }

    #[test]
    fn stat_only_with_s() {
        let mut h = Harness::run("set /a x");
        h.answer(1, Ok(Response::Stat(Stat::default())));
        assert!(h.out().is_empty() && h.done());
        let mut h = Harness::run("set -s /a x");
        h.answer(1, Ok(Response::Stat(Stat { version: 4, ..Stat::default() })));
        assert_eq!(h.out()[6], "dataVersion = 4");
    }

    #[test]
    fn refusals() {
        let usage: &[&str] = &[
            "set path data [-s] [-v version] [-b]",
            " -b         Supply data in base64 format",
            " -s         Print znode stats additionally",
            " -v <arg>   Set with an expected version",
            "",
        ];
        let cases: &[(&str, &[&str])] = &[
            ("set /a", usage),
            ("set", usage),
            ("set -v x /a d", &["java.lang.NumberFormatException: For input string: \"x\""]),
            ("set -v /a d", usage),
            ("set a d", &["Path must start with / character"]),
            ("set -b /a !!", &["java.lang.IllegalArgumentException: Illegal base64 data: !!"]),
        ];
        for (line, err) in cases {
            let h = Harness::run(line);
            assert!(h.done() && h.reaction.calls.is_empty(), "{line}");
            assert_eq!(h.err(), *err, "{line}");
        }
    }

    #[test]
    fn errors() {
        let mut h = Harness::run("set -v 9 /a x");
        h.answer(1, Err(Code::BadVersion));
        assert_eq!(h.err(), vec!["version No is not valid : /a"]);
    }
}
