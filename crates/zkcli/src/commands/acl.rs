//! `getAcl [-s] path` and `setAcl [-s] [-v version] [-R] path acl`.

use super::subtree::{self, Visitor};
use super::{fail, int_option, parse, path_ok, usage};
use crate::acl_text::{acl_entry_lines, parse_acl};
use crate::cli_options::Opt;
use crate::errors::{keeper_error, keeper_message};
use crate::stat_printer::stat_lines;
use crate::task::{one_request, Io, Started};
use znode::{Acl, Code, Request, Response};

const GET_OPTS: &[Opt] = &[Opt::flag('s', "stats")];
const SET_OPTS: &[Opt] = &[Opt::flag('s', "stats"), Opt::arg('v', "version"), Opt::flag('R', "recursive")];

pub(super) fn get(tokens: &[String], io: &mut Io) -> Started {
    let parsed = parse(GET_OPTS, tokens, io)?;
    let Some(path) = parsed.arg(1).map(str::to_string) else {
        return usage("getAcl", None, io);
    };
    if !path_ok(&path, io) {
        return None;
    }
    let with_stat = parsed.has('s');
    one_request(io, Request::GetAcl { path: path.clone() }, move |res, io| match res {
        Ok(Response::Acl { acl, stat }) => {
            for a in &acl {
                io.out_lines(acl_entry_lines(a));
            }
            if with_stat {
                io.out_lines(stat_lines(&stat));
            }
        }
        Ok(_) => {}
        Err(code) => fail(code, &path, io),
    })
}

pub(super) fn set(tokens: &[String], io: &mut Io) -> Started {
    let parsed = parse(SET_OPTS, tokens, io)?;
    let (Some(path), Some(text)) = (parsed.arg(1), parsed.arg(2)) else {
        return usage("setAcl", None, io);
    };
    let path = path.to_string();
    let (acl, complaints) = parse_acl(text);
    io.err_lines(complaints);
    let version = int_option(&parsed, 'v', -1, io)?;
    if parsed.has('R') {
        let visitor = SetEach { acl, version, current: String::new(), printed: String::new() };
        return subtree::walk(&path, false, visitor, io);
    }
    if !path_ok(&path, io) {
        return None;
    }
    if acl.is_empty() {
        io.err(keeper_error(Code::InvalidAcl, None));
        return None;
    }
    let with_stat = parsed.has('s');
    one_request(io, Request::SetAcl { path: path.clone(), acl, version }, move |res, io| match res {
        Ok(Response::Stat(s)) if with_stat => io.out_lines(stat_lines(&s)),
        Ok(_) => {}
        Err(code) => fail(code, &path, io),
    })
}

/// `setAcl -R`: set the ACL on every node as the walk reaches it. zkCli
/// `print`s each failure's message with no line break, so they run
/// together; they come out here as that one line when the walk ends.
struct SetEach {
    acl: Vec<Acl>,
    version: i32,
    current: String,
    printed: String,
}

impl Visitor for SetEach {
    fn visit(&mut self, path: &str, io: &mut Io) -> Option<u64> {
        if self.acl.is_empty() {
            self.printed.push_str(&keeper_message(Code::InvalidAcl, None));
            return None;
        }
        self.current = path.to_string();
        Some(io.request(Request::SetAcl { path: path.to_string(), acl: self.acl.clone(), version: self.version }))
    }

    fn on_answer(&mut self, result: Result<Response, Code>, _io: &mut Io) {
        if let Err(code) = result {
            self.printed.push_str(&keeper_message(code, Some(&self.current)));
        }
    }

    fn finish(&mut self, io: &mut Io) {
        if !self.printed.is_empty() {
            io.out(std::mem::take(&mut self.printed));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::commands::test_support::Harness;
    use znode::{Acl, Code, Request, Response, Stat};

    #[test]
    fn get_acl_prints_two_lines_per_entry() {
        let mut h = Harness::run("getAcl /a");
        assert_eq!(h.take_requests()[0].1, Request::GetAcl { path: "/a".into() });
        let acl = vec![Acl::new(31, "world", "anyone"), Acl::new(1, "digest", "bob:x")];
        h.answer(1, Ok(Response::Acl { acl, stat: Stat::default() }));
        assert_eq!(h.out(), vec!["'world,'anyone", ": cdrwa", "'digest,'bob:x", ": r"]);
        let mut h = Harness::run("getAcl -s /a");
        h.answer(1, Ok(Response::Acl { acl: Acl::open(), stat: Stat { aversion: 2, ..Stat::default() } }));
        assert_eq!(h.out().len(), 13);
        assert_eq!(h.out()[9], "aclVersion = 2");
        let mut h = Harness::run("getAcl /a");
        h.answer(1, Err(Code::NoAuth));
        assert_eq!(h.err(), vec!["Insufficient permission : /a"]);
        assert_eq!(Harness::run("getAcl").err(), vec!["getAcl [-s] path"]);
    }

    #[test]
    fn set_acl_sends_the_parsed_list() {
        let mut h = Harness::run("setAcl -v 1 /a world:anyone:r,digest:bob:h=:cdrwa");
        let want = vec![Acl::new(1, "world", "anyone"), Acl::new(31, "digest", "bob:h=")];
        assert_eq!(h.take_requests(), vec![(1, Request::SetAcl { path: "/a".into(), acl: want, version: 1 })]);
        h.answer(1, Err(Code::BadVersion));
        assert_eq!(h.err(), vec!["version No is not valid : /a"]);
        let mut h = Harness::run("setAcl -s /a world:anyone:cdrwa");
        h.answer(1, Ok(Response::Stat(Stat::default())));
        assert_eq!(h.out().len(), 11);
    }

    #[test]
    fn set_acl_refusals() {
        let cases: &[(&str, &[&str])] = &[
            ("setAcl /a", &["setAcl [-s] [-v version] [-R] path acl"]),
            ("setAcl /a junk", &["junk does not have the form scheme:id:perm", "Acl is not valid : null"]),
            ("setAcl -v x /a world:anyone:r", &["java.lang.NumberFormatException: For input string: \"x\""]),
            ("setAcl a world:anyone:r", &["Path must start with / character"]),
        ];
        for (line, err) in cases {
            let h = Harness::run(line);
            assert!(h.done() && h.reaction.calls.is_empty(), "{line}");
            assert_eq!(h.err(), *err, "{line}");
        }
    }

    #[test]
    fn recursive_set_walks_and_collects_failures() {
        let mut h = Harness::run("setAcl -R /a world:anyone:r");
        let acl = Acl::read_only();
        assert_eq!(h.take_requests()[0].1, Request::GetData { path: "/a".into(), watch: false });
        h.answer(1, Ok(Response::Data { data: None, stat: Stat::default() }));
        assert_eq!(h.take_requests()[0].1, Request::SetAcl { path: "/a".into(), acl: acl.clone(), version: -1 });
        h.answer(2, Ok(Response::Stat(Stat::default())));
        assert_eq!(h.take_requests()[0].1, Request::GetChildren { path: "/a".into(), watch: false, with_stat: true });
        h.answer(3, Ok(Response::Children { children: vec!["c".into(), "b".into()], stat: None }));
        assert_eq!(h.take_requests()[0].1, Request::SetAcl { path: "/a/b".into(), acl: acl.clone(), version: -1 });
        h.answer(4, Err(Code::NoAuth));
        assert_eq!(h.take_requests()[0].1, Request::SetAcl { path: "/a/c".into(), acl: acl.clone(), version: -1 });
        h.answer(5, Err(Code::NoAuth));
        // Listing /a/b needs READ, which the new ACL still grants here.
        h.answer(6, Ok(Response::Children { children: vec![], stat: None }));
        h.answer(7, Err(Code::NoAuth));
        assert!(h.done());
        assert_eq!(h.out(), vec!["KeeperErrorCode = NoAuth for /a/bKeeperErrorCode = NoAuth for /a/c"]);
        assert_eq!(h.err(), vec!["Insufficient permission : /a/c"]);
    }
}
