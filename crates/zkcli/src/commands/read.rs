//! The reading commands: `get`, `stat`, `sync`, `getEphemerals`,
//! `getAllChildrenNumber`.

use super::{fail, parse, path_ok, retain_compatibility, usage};
use crate::cli_options::Opt;
use crate::errors::keeper_error;
use crate::format;
use crate::java::list_to_string;
use crate::stat_printer::stat_lines;
use crate::task::{one_request, Io, Started};
use znode::{Request, Response};

pub(crate) const GET_OPTS: &[Opt] = &[
    Opt::flag('s', "Print znode stats additionally"),
    Opt::flag('w', "Watch for changes on the znode"),
    Opt::flag('b', "Output data in base64 format"),
    Opt::flag('x', "Output data in hexdump format"),
];

const STAT_OPTS: &[Opt] = &[Opt::flag('w', "watch")];

/// `get [-s] [-w] [-b] [-x] path`.
pub(super) fn get(mut tokens: Vec<String>, io: &mut Io) -> Started {
    let parsed = parse(GET_OPTS, &tokens, io)?;
    if parsed.args.len() < 2 {
        return usage("get", Some(GET_OPTS), io);
    }
    let warning = "'get path [watch]' has been deprecated. Please use 'get [-s] [-w] path' instead.";
    let parsed = retain_compatibility(&mut tokens, parsed, GET_OPTS, warning, true, io)?;
    let path = parsed.arg(1)?.to_string();
    if !path_ok(&path, io) {
        return None;
    }
    let (with_stat, hex, b64) = (parsed.has('s'), parsed.has('x'), parsed.has('b'));
    let req = Request::GetData { path: path.clone(), watch: parsed.has('w') };
    one_request(io, req, move |res, io| match res {
        Ok(Response::Data { data, stat }) => {
            let data = data.unwrap_or_else(|| b"null".to_vec());
            let text = if hex {
                format::hex_dump(&data)
            } else if b64 {
                format::base64(&data)
            } else {
                format::plain(&data)
            };
            io.out(text);
            if with_stat {
                io.out_lines(stat_lines(&stat));
            }
        }
        Ok(_) => {}
        Err(code) => fail(code, &path, io),
    })
}

/// `stat [-w] path`: `exists`, so a missing node still gets a watch.
pub(super) fn stat(mut tokens: Vec<String>, io: &mut Io) -> Started {
    let parsed = parse(STAT_OPTS, &tokens, io)?;
    if parsed.args.len() < 2 {
        return usage("stat", None, io);
    }
    let warning = "'stat path [watch]' has been deprecated. Please use 'stat [-w] path' instead.";
    let parsed = retain_compatibility(&mut tokens, parsed, STAT_OPTS, warning, true, io)?;
    let path = parsed.arg(1)?.to_string();
    if !path_ok(&path, io) {
        return None;
    }
    let req = Request::Exists { path: path.clone(), watch: parsed.has('w') };
    one_request(io, req, move |res, io| match res {
        Ok(Response::Stat(s)) => io.out_lines(stat_lines(&s)),
        Ok(_) => {}
        Err(code) => fail(code, &path, io),
    })
}

/// `sync path`: the answer's code, not an exception.
pub(super) fn sync(tokens: &[String], io: &mut Io) -> Started {
    let parsed = parse(&[], tokens, io)?;
    let Some(path) = parsed.arg(1).map(str::to_string) else {
        return usage("sync", None, io);
    };
    if !path_ok(&path, io) {
        return None;
    }
    one_request(io, Request::Sync { path }, |res, io| match res {
        Ok(_) => io.out("Sync is OK"),
        Err(code) => io.out(format!("Sync has failed. rc={}", code.value())),
    })
}

/// `getEphemerals [path]`: this session's ephemerals under a prefix.
pub(super) fn ephemerals(tokens: &[String], io: &mut Io) -> Started {
    let parsed = parse(&[], tokens, io)?;
    let prefix = parsed.arg(1).unwrap_or("/").to_string();
    if !path_ok(&prefix, io) {
        return None;
    }
    one_request(io, Request::GetEphemerals { prefix }, |res, io| match res {
        Ok(Response::Paths(paths)) => io.out(list_to_string(&paths)),
        Ok(_) => {}
        // The client throws this one without a path.
        Err(code) => io.err(keeper_error(code, None)),
    })
}

/// `getAllChildrenNumber path`.
pub(super) fn all_children_number(tokens: &[String], io: &mut Io) -> Started {
    let parsed = parse(&[], tokens, io)?;
    let Some(path) = parsed.arg(1).map(str::to_string) else {
        return usage("getAllChildrenNumber", None, io);
    };
    if !path_ok(&path, io) {
        return None;
    }
    one_request(io, Request::GetAllChildrenNumber { path: path.clone() }, move |res, io| match res {
        Ok(Response::Count(n)) => io.out(n.to_string()),
        Ok(_) => {}
        Err(code) => fail(code, &path, io),
    })
}

#[cfg(test)]
mod tests {
    use crate::commands::test_support::Harness;
    use znode::{Code, Request, Response, Stat};

    fn data(d: Option<&[u8]>) -> Result<Response, Code> {
        Ok(Response::Data { data: d.map(<[u8]>::to_vec), stat: Stat { data_length: 5, ..Stat::default() } })
    }

    #[test]
    fn get_prints_data_null_and_formats() {
        type Case<'a> = (&'a str, Option<&'a [u8]>, &'a [&'a str]);
        let cases: &[Case] = &[
            ("get /a", Some(b"hello"), &["hello"]),
            ("get /a", None, &["null"]),
            ("get /a", Some(b""), &[""]),
            ("get /a", Some(b"two\nlines"), &["two", "lines"]),
            ("get -b /a", Some(b"hello"), &["aGVsbG8="]),
            ("get -b /a", None, &["bnVsbA=="]),
            ("get -x /a", Some(b""), &[""]),
            (
                "get -b -x /a",
                Some(b"hi"),
                &[
                    "         +-------------------------------------------------+",
                    "         |  0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f |",
                    "+--------+-------------------------------------------------+----------------+",
                    "|00000000| 68 69                                           |hi              |",
                    "+--------+-------------------------------------------------+----------------+",
                ],
            ),
        ];
        for (line, d, want) in cases {
            let mut h = Harness::run(line);
            h.answer(1, data(*d));
            assert_eq!(h.out(), *want, "{line}");
        }
    }

    #[test]
    fn get_with_stat_and_watch() {
        let mut h = Harness::run("get -s -w /a");
        assert_eq!(h.take_requests()[0].1, Request::GetData { path: "/a".into(), watch: true });
        h.answer(1, data(Some(b"v")));
        let out = h.out();
        assert_eq!(out.len(), 12);
        assert_eq!(out[0], "v");
        assert_eq!(out[10], "dataLength = 5");
    }

    #[test]
    fn get_usage_lists_its_options() {
        let h = Harness::run("get");
        assert_eq!(
            h.err(),
            vec![
                "get [-s] [-w] [-b] [-x] path",
                " -b   Output data in base64 format",
                " -s   Print znode stats additionally",
                " -w   Watch for changes on the znode",
                " -x   Output data in hexdump format",
                "",
            ]
        );
    }

    #[test]
    fn get_deprecated_form_and_errors() {
        let mut h = Harness::run("get /a watch");
        assert_eq!(h.err(), vec!["'get path [watch]' has been deprecated. Please use 'get [-s] [-w] path' instead."]);
        assert_eq!(h.take_requests()[0].1, Request::GetData { path: "/a".into(), watch: true });
        h.answer(1, Err(Code::NoAuth));
        assert_eq!(h.err()[1], "Insufficient permission : /a");
    }

    #[test]
    fn stat_prints_the_block_or_no_node() {
        let mut h = Harness::run("stat /a");
        assert_eq!(h.take_requests()[0].1, Request::Exists { path: "/a".into(), watch: false });
        h.answer(1, Ok(Response::Stat(Stat::default())));
        assert_eq!(h.out().len(), 11);
        let mut h = Harness::run("stat -w /gone");
        assert_eq!(h.take_requests()[0].1, Request::Exists { path: "/gone".into(), watch: true });
        h.answer(1, Err(Code::NoNode));
        assert_eq!(h.err(), vec!["Node does not exist: /gone"]);
        let h = Harness::run("stat /a watch");
        assert_eq!(h.err(), vec!["'stat path [watch]' has been deprecated. Please use 'stat [-w] path' instead."]);
        assert_eq!(Harness::run("stat").err(), vec!["stat [-w] path"]);
    }

    #[test]
    fn sync_reports_the_code() {
        let mut h = Harness::run("sync /a");
        h.answer(1, Ok(Response::Path("/a".into())));
        assert_eq!(h.out(), vec!["Sync is OK"]);
        let mut h = Harness::run("sync /a");
        h.answer(1, Err(Code::ConnectionLoss));
        assert_eq!(h.out(), vec!["Sync has failed. rc=-4"]);
        assert_eq!(Harness::run("sync").err(), vec!["sync path"]);
        assert_eq!(Harness::run("sync x").err(), vec!["Path must start with / character"]);
    }

    #[test]
    fn ephemerals_default_to_root() {
        let mut h = Harness::run("getEphemerals");
        assert_eq!(h.take_requests()[0].1, Request::GetEphemerals { prefix: "/".into() });
        h.answer(1, Ok(Response::Paths(vec!["/e1".into(), "/a/e2".into()])));
        assert_eq!(h.out(), vec!["[/e1, /a/e2]"]);
        let mut h = Harness::run("getEphemerals /a");
        assert_eq!(h.take_requests()[0].1, Request::GetEphemerals { prefix: "/a".into() });
        h.answer(1, Err(Code::ConnectionLoss));
        assert_eq!(h.err(), vec!["KeeperErrorCode = ConnectionLoss"]);
    }

    #[test]
    fn all_children_number() {
        let mut h = Harness::run("getAllChildrenNumber /");
        h.answer(1, Ok(Response::Count(7)));
        assert_eq!(h.out(), vec!["7"]);
        assert_eq!(Harness::run("getAllChildrenNumber").err(), vec!["getAllChildrenNumber path"]);
    }
}
