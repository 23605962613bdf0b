//! `create [-s] [-e] [-c] [-t ttl] path [data] [acl]` (`CreateCommand`).

use super::{fail, parse, usage};
use crate::acl_text::parse_acl;
use crate::cli_options::Opt;
use crate::errors::keeper_message;
use crate::java::parse_long;
use crate::task::{one_request, Io, Started};
use znode::mode::MAX_TTL;
use znode::{Acl, Code, CreateMode, CreateOp, Request, Response};

const OPTS: &[Opt] =
    &[Opt::flag('e', "ephemeral"), Opt::flag('s', "sequential"), Opt::flag('c', "container"), Opt::arg('t', "ttl")];

/// The mode and TTL the flags ask for, or the complaint zkCli prints.
fn mode_of(e: bool, s: bool, c: bool, ttl: Option<&str>) -> Result<(CreateMode, Option<i64>), String> {
    if c && (e || s) {
        return Err("-c cannot be combined with -s or -e. Containers cannot be ephemeral or sequential.".into());
    }
    let ttl = match ttl {
        None => None,
        Some(t) => Some(parse_long(t).ok_or("-t argument must be a long value")?),
    };
    if ttl.is_some() && e {
        return Err("TTLs cannot be used with Ephemeral znodes".into());
    }
    if ttl.is_some() && c {
        return Err("TTLs cannot be used with Container znodes".into());
    }
    let mode = match (e, s, c, ttl.is_some()) {
        (true, true, _, _) => CreateMode::EphemeralSequential,
        (true, false, _, _) => CreateMode::Ephemeral,
        (false, true, _, true) => CreateMode::PersistentSequentialWithTtl,
        (false, true, _, false) => CreateMode::PersistentSequential,
        (false, false, true, _) => CreateMode::Container,
        (false, false, false, true) => CreateMode::PersistentWithTtl,
        (false, false, false, false) => CreateMode::Persistent,
    };
    if let Some(t) = ttl {
        if !(1..=MAX_TTL).contains(&t) {
            return Err(format!("ttl must be positive and cannot be larger than: {MAX_TTL}"));
        }
    }
    Ok((mode, ttl))
}

pub(super) fn run(tokens: &[String], io: &mut Io) -> Started {
    let parsed = parse(OPTS, tokens, io)?;
    let Some(path) = parsed.arg(1).map(str::to_string) else {
        return usage("create", None, io);
    };
    let (mode, ttl) = match mode_of(parsed.has('e'), parsed.has('s'), parsed.has('c'), parsed.value('t')) {
        Ok(m) => m,
        Err(e) => {
            io.err(e);
            return None;
        }
    };
    let data = parsed.arg(2).map(|d| d.as_bytes().to_vec());
    let acl = match parsed.arg(3) {
        None => Acl::open(),
        Some(text) => {
            let (acl, complaints) = parse_acl(text);
            io.err_lines(complaints);
            acl
        }
    };
    if let Err(e) = znode::path::validate_path_for(&path, mode.is_sequential()) {
        io.err(e.0);
        return None;
    }
    if acl.is_empty() {
        // `ZooKeeper.validateACL` throws an InvalidACLException with no path.
        io.err(keeper_message(Code::InvalidAcl, None));
        io.err(crate::errors::keeper_error(Code::InvalidAcl, None));
        return None;
    }
    let op = CreateOp::for_mode(mode, ttl, false);
    let req = Request::Create { path: path.clone(), data, acl, mode, op };
    one_request(io, req, move |res, io| match res {
        Ok(Response::Create { path: created, .. }) => io.err(format!("Created {created}")),
        Ok(_) => {}
        Err(code) => {
            match code {
                Code::EphemeralOnLocalSession => io.err("Unable to create ephemeral node on a local session"),
                Code::InvalidAcl => io.err(keeper_message(code, Some(&path))),
                _ => {}
            }
            fail(code, &path, io)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::test_support::Harness;

    #[test]
    fn flags_choose_mode_and_opcode() {
        let cases: &[(&str, CreateMode, CreateOp)] = &[
            ("create /a", CreateMode::Persistent, CreateOp::Create),
            ("create -e /a", CreateMode::Ephemeral, CreateOp::Create),
            ("create -s /a", CreateMode::PersistentSequential, CreateOp::Create),
            ("create -e -s /a", CreateMode::EphemeralSequential, CreateOp::Create),
            ("create -es /a", CreateMode::EphemeralSequential, CreateOp::Create),
            ("create -c /a", CreateMode::Container, CreateOp::Container),
            ("create -t 5000 /a", CreateMode::PersistentWithTtl, CreateOp::Ttl(5000)),
            ("create -s -t 10 /a", CreateMode::PersistentSequentialWithTtl, CreateOp::Ttl(10)),
        ];
        for (line, mode, op) in cases {
            let mut h = Harness::run(line);
            let reqs = h.take_requests();
            let want = Request::Create { path: "/a".into(), data: None, acl: Acl::open(), mode: *mode, op: *op };
            assert_eq!(reqs, vec![(1, want)], "{line}");
        }
    }

    #[test]
    fn data_and_acl_words() {
        let mut h = Harness::run("create /a \"hello world\" digest:bob:h4sh=:cdrwa,world:anyone:r");
        let (_, req) = h.take_requests().remove(0);
        let Request::Create { data, acl, .. } = req else { panic!("not a create") };
        assert_eq!(data, Some(b"hello world".to_vec()));
        assert_eq!(acl, vec![Acl::new(31, "digest", "bob:h4sh="), Acl::new(1, "world", "anyone")]);
    }

    #[test]
    fn refusals_before_any_call() {
        let cases: &[(&str, &[&str])] = &[
            ("create", &["create [-s] [-e] [-c] [-t ttl] path [data] [acl]"]),
            (
                "create -c -s /a",
                &["-c cannot be combined with -s or -e. Containers cannot be ephemeral or sequential."],
            ),
            (
                "create -c -e /a",
                &["-c cannot be combined with -s or -e. Containers cannot be ephemeral or sequential."],
            ),
            ("create -t x /a", &["-t argument must be a long value"]),
            ("create -e -t 10 /a", &["TTLs cannot be used with Ephemeral znodes"]),
            ("create -c -t 10 /a", &["TTLs cannot be used with Container znodes"]),
            ("create -t 0 /a", &["ttl must be positive and cannot be larger than: 1099511627775"]),
            ("create -t 1099511627776 /a", &["ttl must be positive and cannot be larger than: 1099511627775"]),
            ("create -t /a", &["create [-s] [-e] [-c] [-t ttl] path [data] [acl]"]),
            ("create /a/", &["Path must not end with / character"]),
            ("create a", &["Path must start with / character"]),
            (
                "create /a x bogus",
                &[
                    "bogus does not have the form scheme:id:perm",
                    "KeeperErrorCode = InvalidACL",
                    "Acl is not valid : null",
                ],
            ),
            (
                "create /a//b x bogus",
                &[
                    "bogus does not have the form scheme:id:perm",
                    "Invalid path string \"/a//b\" caused by empty node name specified @3",
                ],
            ),
            ("create -x /a", &["org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -x"]),
        ];
        for (line, err) in cases {
            let h = Harness::run(line);
            assert!(h.done(), "{line}");
            assert!(h.reaction.calls.is_empty(), "{line}");
            assert_eq!(h.err(), *err, "{line}");
        }
    }

    #[test]
    fn sequential_prefix_may_end_with_slash() {
        let mut h = Harness::run("create -s /a/");
        assert_eq!(h.take_requests().len(), 1);
    }

    #[test]
    fn answers() {
        let mut h = Harness::run("create -s /a/n-");
        h.answer(1, Ok(Response::Create { path: "/a/n-0000000003".into(), stat: None }));
        assert_eq!(h.err(), vec!["Created /a/n-0000000003"]);
        assert!(h.out().is_empty());
        let cases: &[(Code, &[&str])] = &[
            (Code::NodeExists, &["Node already exists: /a"]),
            (Code::NoNode, &["Node does not exist: /a"]),
            (Code::NoChildrenForEphemerals, &["Ephemerals cannot have children: /a"]),
            (Code::InvalidAcl, &["KeeperErrorCode = InvalidACL for /a", "Acl is not valid : /a"]),
            (Code::Unimplemented, &["KeeperErrorCode = Unimplemented for /a"]),
            (
                Code::EphemeralOnLocalSession,
                &[
                    "Unable to create ephemeral node on a local session",
                    "KeeperErrorCode = Ephemeral node on local session for /a",
                ],
            ),
            (Code::ConnectionLoss, &["KeeperErrorCode = ConnectionLoss for /a"]),
        ];
        for (code, err) in cases {
            let mut h = Harness::run("create /a");
            h.answer(1, Err(*code));
            assert_eq!(h.err(), *err, "{code:?}");
        }
    }
}
