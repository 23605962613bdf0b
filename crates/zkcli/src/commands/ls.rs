//! `ls [-s] [-w] [-R] path` (`LsCommand`).

use super::subtree::{self, Visitor};
use super::{fail, parse, path_ok, retain_compatibility, usage};
use crate::cli_options::Opt;
use crate::java::list_to_string;
use crate::stat_printer::stat_lines;
use crate::task::{one_request, Io, Started};
use crate::usage::help;
use znode::{Request, Response};

const OPTS: &[Opt] =
    &[Opt::flag('?', "help"), Opt::flag('s', "stat"), Opt::flag('w', "watch"), Opt::flag('R', "recurse")];

pub(super) fn run(mut tokens: Vec<String>, io: &mut Io) -> Started {
    let parsed = parse(OPTS, &tokens, io)?;
    if parsed.has('?') {
        io.out_lines(help("ls [options] path", OPTS));
    }
    let warning = "'ls path [watch]' has been deprecated. Please use 'ls [-w] path' instead.";
    let parsed = retain_compatibility(&mut tokens, parsed, OPTS, warning, true, io)?;
    let Some(path) = parsed.arg(1).map(str::to_string) else {
        return usage("ls", None, io);
    };
    let watch = parsed.has('w');
    if parsed.has('R') {
        return subtree::walk(&path, watch, PrintPaths, io);
    }
    let with_stat = parsed.has('s');
    if !path_ok(&path, io) {
        return None;
    }
    let req = Request::GetChildren { path: path.clone(), watch, with_stat: true };
    one_request(io, req, move |res, io| match res {
        Ok(Response::Children { mut children, stat }) => {
            children.sort();
            io.out(list_to_string(&children));
            if with_stat {
                io.out_lines(stat_lines(&stat.unwrap_or_default()));
            }
        }
        Ok(_) => {}
        Err(code) => fail(code, &path, io),
    })
}

/// `ls -R`: each node's absolute path, in the walk's order.
struct PrintPaths;

impl Visitor for PrintPaths {
    fn visit(&mut self, path: &str, io: &mut Io) -> Option<u64> {
        io.out(path);
        None
    }
}

#[cfg(test)]
mod tests {
    use crate::commands::test_support::Harness;
    use znode::{Code, Request, Response, Stat};

    fn children(names: &[&str]) -> Result<Response, Code> {
        Ok(Response::Children { children: names.iter().map(|s| s.to_string()).collect(), stat: Some(Stat::default()) })
    }

    #[test]
    fn lists_sorted_children() {
        let mut h = Harness::run("ls /a");
        let reqs = h.take_requests();
        assert_eq!(reqs, vec![(1, Request::GetChildren { path: "/a".into(), watch: false, with_stat: true })]);
        h.answer(1, children(&["c", "a", "b"]));
        assert!(h.done());
        assert_eq!(h.out(), vec!["[a, b, c]"]);
    }

    #[test]
    fn stat_and_watch_options() {
        let mut h = Harness::run("ls -s -w /");
        assert_eq!(h.take_requests()[0].1, Request::GetChildren { path: "/".into(), watch: true, with_stat: true });
        h.answer(1, children(&[]));
        assert_eq!(h.out().len(), 12);
        assert_eq!(h.out()[0], "[]");
        assert_eq!(h.out()[1], "cZxid = 0x0");
    }

    #[test]
    fn usage_and_option_errors() {
        let cases: &[(&str, &[&str], &[&str])] = &[
            ("ls", &[], &["ls [-s] [-w] [-R] path"]),
            ("ls -z /", &[], &["org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -z"]),
            ("ls a", &[], &["Path must start with / character"]),
            ("ls /a/", &[], &["Path must not end with / character"]),
            (
                "ls -?",
                &["usage: ls [options] path", " -?   help", " -R   recurse", " -s   stat", " -w   watch"],
                &["ls [-s] [-w] [-R] path"],
            ),
        ];
        for (line, out, err) in cases {
            let h = Harness::run(line);
            assert!(h.done(), "{line}");
            assert!(h.reaction.calls.is_empty(), "{line}");
            assert_eq!(h.out(), *out, "{line}");
            assert_eq!(h.err(), *err, "{line}");
        }
    }

    #[test]
    fn deprecated_watch_word_becomes_w() {
        let mut h = Harness::run("ls /a watch");
        assert_eq!(h.err(), vec!["'ls path [watch]' has been deprecated. Please use 'ls [-w] path' instead."]);
        assert_eq!(h.take_requests()[0].1, Request::GetChildren { path: "/a".into(), watch: true, with_stat: true });
        // The rewrite hits the third word, whatever it is, as in zkCli.
        let h = Harness::run("ls -s /a watch");
        assert_eq!(h.err()[1], "Path must start with / character");
    }

    #[test]
    fn errors_name_the_typed_path() {
        let mut h = Harness::run("ls /nope");
        h.answer(1, Err(Code::NoNode));
        assert_eq!(h.err(), vec!["Node does not exist: /nope"]);
    }

    #[test]
    fn recursive_order_is_zkutil_dfs() {
        // /a has b and c; /a/b has d.
        let mut h = Harness::run("ls -R /a");
        assert_eq!(h.take_requests(), vec![(1, Request::GetData { path: "/a".into(), watch: false })]);
        h.answer(1, Ok(Response::Data { data: None, stat: Stat::default() }));
        assert_eq!(h.take_requests()[0].1, Request::GetChildren { path: "/a".into(), watch: false, with_stat: true });
        h.answer(2, children(&["c", "b"]));
        assert_eq!(h.take_requests()[0].1, Request::GetChildren { path: "/a/b".into(), watch: false, with_stat: true });
        h.answer(3, children(&["d"]));
        assert_eq!(
            h.take_requests()[0].1,
            Request::GetChildren { path: "/a/b/d".into(), watch: false, with_stat: true }
        );
        h.answer(4, children(&[]));
        assert_eq!(h.take_requests()[0].1, Request::GetChildren { path: "/a/c".into(), watch: false, with_stat: true });
        // A node that vanished mid-walk is skipped.
        h.answer(5, Err(Code::NoNode));
        assert!(h.done());
        assert_eq!(h.out(), vec!["/a", "/a/b", "/a/c", "/a/b/d"]);
        assert!(h.err().is_empty());
    }

    #[test]
    fn recursive_from_root_joins_without_double_slash() {
        let mut h = Harness::run("ls -R -w /");
        assert_eq!(h.take_requests()[0].1, Request::GetData { path: "/".into(), watch: true });
        h.answer(1, Ok(Response::Data { data: None, stat: Stat::default() }));
        assert_eq!(h.take_requests()[0].1, Request::GetChildren { path: "/".into(), watch: true, with_stat: true });
        h.answer(2, children(&["zookeeper"]));
        h.answer(3, children(&[]));
        assert!(h.done());
        assert_eq!(h.out(), vec!["/", "/zookeeper"]);
    }

    #[test]
    fn recursive_stops_at_the_first_real_error() {
        let mut h = Harness::run("ls -R /a");
        h.answer(1, Ok(Response::Data { data: None, stat: Stat::default() }));
        h.answer(2, Err(Code::NoAuth));
        assert!(h.done());
        assert_eq!(h.out(), vec!["/a"]);
        assert_eq!(h.err(), vec!["Insufficient permission : /a"]);
        let mut h = Harness::run("ls -R /missing");
        h.answer(1, Err(Code::NoNode));
        assert_eq!(h.err(), vec!["Node does not exist: /missing"]);
    }
}
