//! `addWatch [-m mode] path` and `removewatches path [-c|-d|-a] [-l]`.

use super::{fail, parse, path_ok, usage};
use crate::cli_options::Opt;
use crate::task::{await_tag, one_request, Io, Started};
use znode::{AddWatchMode, Request, WatcherType};

const ADD_OPTS: &[Opt] = &[Opt::arg('m', "")];
const REMOVE_OPTS: &[Opt] = &[
    Opt::flag('c', "child watcher type"),
    Opt::flag('d', "data watcher type"),
    Opt::flag('a', "any watcher type"),
    Opt::flag('l', "remove locally when there is no server connection"),
];

/// `AddWatchMode.valueOf(s.toUpperCase())`.
fn mode_named(s: &str) -> Option<AddWatchMode> {
    match s.to_uppercase().as_str() {
        "PERSISTENT" => Some(AddWatchMode::Persistent),
        "PERSISTENT_RECURSIVE" => Some(AddWatchMode::PersistentRecursive),
        _ => None,
    }
}

pub(super) fn add(tokens: &[String], io: &mut Io) -> Started {
    let parsed = parse(ADD_OPTS, tokens, io)?;
    if parsed.args.len() != 2 {
        return usage("addWatch", None, io);
    }
    let mode = match parsed.value('m') {
        None => AddWatchMode::PersistentRecursive,
        Some(m) => match mode_named(m) {
            Some(mode) => mode,
            None => return usage("addWatch", None, io),
        },
    };
    let path = parsed.arg(1)?.to_string();
    // zkCli does not catch this IllegalArgumentException (it dies); the
    // message is the same as everywhere else.
    if !path_ok(&path, io) {
        return None;
    }
    one_request(io, Request::AddWatch { path: path.clone(), mode }, move |res, io| {
        if let Err(code) = res {
            fail(code, &path, io);
        }
    })
}

pub(super) fn remove(tokens: &[String], io: &mut Io) -> Started {
    let parsed = parse(REMOVE_OPTS, tokens, io)?;
    let Some(path) = parsed.arg(1).map(str::to_string) else {
        return usage("removewatches", None, io);
    };
    let kind = if parsed.has('c') {
        WatcherType::Children
    } else if parsed.has('d') {
        WatcherType::Data
    } else {
        WatcherType::Any
    };
    if !path_ok(&path, io) {
        return None;
    }
    let tag = io.remove_watches(path.clone(), kind, parsed.has('l'));
    await_tag(tag, move |res, io| {
        if let Err(code) = res {
            fail(code, &path, io);
        }
    })
}

#[cfg(test)]
mod tests {
    use crate::commands::test_support::Harness;
    use zab::ClientCall;
    use znode::{AddWatchMode, Code, Request, WatcherType};

    #[test]
    fn add_watch_modes() {
        let cases: &[(&str, AddWatchMode)] = &[
            ("addWatch /a", AddWatchMode::PersistentRecursive),
            ("addWatch -m PERSISTENT /a", AddWatchMode::Persistent),
            ("addWatch -m persistent_recursive /a", AddWatchMode::PersistentRecursive),
        ];
        for (line, mode) in cases {
            let mut h = Harness::run(line);
            assert_eq!(h.take_requests(), vec![(1, Request::AddWatch { path: "/a".into(), mode: *mode })], "{line}");
        }
        let usage = "addWatch [-m mode] path # optional mode is one of [PERSISTENT, PERSISTENT_RECURSIVE] - default \
                     is PERSISTENT_RECURSIVE";
        for line in ["addWatch", "addWatch /a /b", "addWatch -m bogus /a"] {
            assert_eq!(Harness::run(line).err(), vec![usage], "{line}");
        }
        let mut h = Harness::run("addWatch /a");
        h.answer(1, Err(Code::ConnectionLoss));
        assert_eq!(h.err(), vec!["KeeperErrorCode = ConnectionLoss for /a"]);
    }

    #[test]
    fn remove_watches_kinds() {
        let cases: &[(&str, WatcherType, bool)] = &[
            ("removewatches /a", WatcherType::Any, false),
            ("removewatches /a -c", WatcherType::Children, false),
            ("removewatches /a -d -l", WatcherType::Data, true),
            ("removewatches /a -a", WatcherType::Any, false),
            ("removewatches -c -d /a", WatcherType::Children, false),
        ];
        for (line, kind, local) in cases {
            let h = Harness::run(line);
            let want =
                format!("{:?}", ClientCall::RemoveWatches { tag: 1, path: "/a".into(), kind: *kind, local: *local });
            assert_eq!(format!("{:?}", h.reaction.calls), format!("[{want}]"), "{line}");
        }
        let mut h = Harness::run("removewatches /a");
        h.answer(1, Err(Code::NoWatcher));
        assert_eq!(h.err(), vec!["KeeperErrorCode = No such watcher for /a"]);
        assert_eq!(Harness::run("removewatches").err(), vec!["removewatches path [-c|-d|-a] [-l]"]);
    }
}
