//! `delete [-v version] path` (`DeleteCommand`).

use super::{fail, int_option, parse, path_ok, retain_compatibility, usage};
use crate::cli_options::Opt;
use crate::task::{one_request, Io, Started};
use znode::Request;

const OPTS: &[Opt] = &[Opt::arg('v', "version")];

pub(super) fn run(tokens: &[String], io: &mut Io) -> Started {
    let mut tokens = tokens.to_vec();
    let parsed = parse(OPTS, &tokens, io)?;
    if parsed.args.len() < 2 {
        return usage("delete", None, io);
    }
    // zkCli warns about `delete path version` but never uses the version.
    let warning = "'delete path [version]' has been deprecated. Please use 'delete [-v version] path' instead.";
    let parsed = retain_compatibility(&mut tokens, parsed, OPTS, warning, false, io)?;
    let path = parsed.arg(1)?.to_string();
    let version = int_option(&parsed, 'v', -1, io)?;
    if !path_ok(&path, io) {
        return None;
    }
    one_request(io, Request::Delete { path: path.clone(), version }, move |res, io| {
        if let Err(code) = res {
            fail(code, &path, io);
        }
    })
}

#[cfg(test)]
mod tests {
    use crate::commands::test_support::Harness;
    use znode::{Code, Request, Response};

    #[test]
    fn versions() {
        let cases: &[(&str, i32, &[&str])] = &[
            ("delete /a", -1, &[]),
            ("delete -v 2 /a", 2, &[]),
            (
                "delete /a 2",
                -1,
                &["'delete path [version]' has been deprecated. Please use 'delete [-v version] path' instead."],
            ),
        ];
        for (line, version, err) in cases {
            let mut h = Harness::run(line);
            assert_eq!(
                h.take_requests(),
                vec![(1, Request::Delete { path: "/a".into(), version: *version })],
                "{line}"
            );
            assert_eq!(h.err(), *err, "{line}");
            h.answer(1, Ok(Response::Empty));
            assert!(h.done() && h.out().is_empty());
        }
    }

    #[test]
    fn errors() {
        let cases: &[(Code, &str)] = &[
            (Code::NotEmpty, "Node not empty: /a"),
            (Code::BadVersion, "version No is not valid : /a"),
            (Code::NoNode, "Node does not exist: /a"),
            (Code::BadArguments, "Arguments are not valid : /a"),
        ];
        for (code, want) in cases {
            let mut h = Harness::run("delete /a");
            h.answer(1, Err(*code));
            assert_eq!(h.err(), vec![*want]);
        }
        assert_eq!(Harness::run("delete").err(), vec!["delete [-v version] path"]);
        assert_eq!(Harness::run("delete /").reaction.calls.len(), 1);
    }
}
