//! The shell's own behaviour, with client answers made up by hand.

use super::*;
use crate::Line;
use zab::ClientCall;
use znode::{Code, EventType, KeeperState, Request, Response, WatchedEvent};

const UP: ClientState = ClientState::Connected;
const DOWN: ClientState = ClientState::Closed;

fn out(r: &Reaction) -> Vec<String> {
    r.lines.iter().filter_map(|l| if let Line::Out(s) = l { Some(s.clone()) } else { None }).collect()
}

fn err(r: &Reaction) -> Vec<String> {
    r.lines.iter().filter_map(|l| if let Line::Err(s) = l { Some(s.clone()) } else { None }).collect()
}

/// The tag of every call that expects an answer.
fn tags(r: &Reaction) -> Vec<u64> {
    r.calls
        .iter()
        .filter_map(|c| match c {
            ClientCall::Request { tag, .. } | ClientCall::RemoveWatches { tag, .. } | ClientCall::Close { tag } => {
                Some(*tag)
            }
            _ => None,
        })
        .collect()
}

fn requests(r: &Reaction) -> Vec<Request> {
    r.calls
        .iter()
        .filter_map(|c| if let ClientCall::Request { req, .. } = c { Some(req.clone()) } else { None })
        .collect()
}

fn answer(sh: &mut Shell, tag: u64, result: Result<Response, Code>, state: ClientState) -> Reaction {
    sh.on_event(&ClientEvent::Result { tag, result, zxid: 0 }, state)
}

/// Submit `line` and, if it made one call, answer it with `result`.
fn run(sh: &mut Shell, line: &str, result: Result<Response, Code>) -> Reaction {
    let r = sh.submit(line, UP);
    match tags(&r).as_slice() {
        [tag] => {
            let mut more = answer(sh, *tag, result, UP);
            let mut all = r;
            all.lines.append(&mut more.lines);
            all.calls.append(&mut more.calls);
            all.connect = more.connect;
            all.quit = more.quit;
            all
        }
        _ => r,
    }
}

#[test]
fn prompt_counts_executed_lines() {
    let mut sh = Shell::new("127.0.0.1:2181");
    assert_eq!(sh.prompt(UP), "[zk: 127.0.0.1:2181(CONNECTED) 0] ");
    sh.submit("version", UP);
    assert_eq!(sh.prompt(ClientState::Connecting), "[zk: 127.0.0.1:2181(CONNECTING) 1] ");
    sh.submit("", UP);
    assert_eq!(sh.prompt(DOWN), "[zk: 127.0.0.1:2181(CLOSED) 1] ");
    let r = sh.submit("ls /", UP);
    assert!(sh.busy());
    assert_eq!(sh.prompt(UP), "[zk: 127.0.0.1:2181(CONNECTED) 1] ", "counted when it ends");
    answer(&mut sh, tags(&r)[0], Ok(Response::Children { children: vec![], stat: None }), UP);
    assert!(!sh.busy());
    assert_eq!(sh.prompt(UP), "[zk: 127.0.0.1:2181(CONNECTED) 2] ");
    sh.set_connect_string("10.0.0.1:2181");
    assert_eq!(sh.prompt(UP), "[zk: 10.0.0.1:2181(CONNECTED) 2] ");
}

#[test]
fn unknown_commands_print_usage_then_not_found() {
    for (line, cmd) in [("foo /a", "foo"), ("help", "help"), ("   ", " "), ("LS /", "LS")] {
        let mut sh = Shell::new("s");
        let r = sh.submit(line, UP);
        let e = err(&r);
        assert_eq!(e[0], "ZooKeeper -server host:port -client-configuration properties-file cmd args");
        assert_eq!(e.len(), COMMANDS.len() + 2, "{line:?}");
        assert_eq!(e[e.len() - 1], format!("Command not found: Command not found {cmd}"));
        assert!(out(&r).is_empty() && r.calls.is_empty());
        assert_eq!(sh.history(), [line.to_string()]);
    }
}

#[test]
fn out_of_scope_commands_say_so() {
    let mut sh = Shell::new("s");
    for cmd in ["setquota -n 2 /a", "listquota /a", "delquota /a", "reconfig -add x", "config"] {
        let r = sh.submit(cmd, UP);
        assert_eq!(r.lines.len(), 1, "{cmd}");
        assert!(err(&r)[0].starts_with("ZooScope does not support "), "{cmd}");
    }
}

#[test]
fn commands_need_a_live_handle() {
    let mut sh = Shell::new("s");
    for line in ["ls /", "ls", "create /a", "version", "close", "whoami", "addauth digest a:b"] {
        let r = sh.submit(line, DOWN);
        assert_eq!(r.lines, vec![Line::Out("Not connected".into())], "{line}");
        assert!(r.calls.is_empty());
        let r = sh.submit(line, ClientState::AuthFailed);
        assert_eq!(out(&r), vec!["Not connected"]);
    }
    // The shell's own commands run, then get the same notice.
    let r = sh.submit("printwatches", DOWN);
    assert_eq!(out(&r), vec!["printwatches is on", "Not connected"]);
    // A handle that has not connected yet is alive: the call goes out.
    assert_eq!(sh.submit("ls /", ClientState::NotConnected).calls.len(), 1);
}

#[test]
fn history_shows_the_last_eleven_lines() {
    let mut sh = Shell::new("s");
    for i in 0..12 {
        sh.submit(&format!("printwatches on {i}"), UP);
    }
    let r = sh.submit("history", UP);
    let lines = out(&r);
    assert_eq!(lines.len(), 11);
    assert_eq!(lines[0], "2 - printwatches on 2");
    assert_eq!(lines[10], "12 - history");
    let mut fresh = Shell::new("s");
    assert_eq!(out(&fresh.submit("history", UP)), vec!["0 - history"]);
}

#[test]
fn redo_runs_an_earlier_line_in_place() {
    let mut sh = Shell::new("s");
    run(&mut sh, "create /a x", Ok(Response::Create { path: "/a".into(), stat: None }));
    let r = sh.submit("redo 0", UP);
    assert_eq!(requests(&r).len(), 1);
    assert!(matches!(&requests(&r)[0], Request::Create { path, .. } if path == "/a"));
    answer(&mut sh, tags(&r)[0], Err(Code::NodeExists), UP);
    assert_eq!(sh.history(), ["create /a x".to_string(), "create /a x".to_string()]);

    let cases: &[(&str, &str)] = &[
        ("redo 5", "Command index out of range"),
        ("redo -1", "Command index out of range"),
        ("redo x", "java.lang.NumberFormatException: For input string: \"x\""),
    ];
    for (line, want) in cases {
        let r = sh.submit(line, UP);
        assert_eq!(err(&r), vec![*want], "{line}");
    }
    // Line 2 stayed "redo 5": redoing it is refused.
    let r = sh.submit("redo 2", UP);
    assert_eq!(err(&r), vec!["No redoing redos"]);
    // Hex and octal numbers, as Integer.decode reads them.
    let r = sh.submit("redo 0x1", UP);
    assert_eq!(requests(&r).len(), 1);
}

#[test]
fn redo_of_close_reports_the_dead_handle() {
    let mut sh = Shell::new("s");
    run(&mut sh, "close", Ok(Response::Empty));
    let r = run(&mut sh, "redo 0", Ok(Response::Empty));
    assert_eq!(out(&r), vec!["Not connected"]);
    // Redone while closed: the command's own notice, then redo's.
    let r = sh.submit("redo 0", DOWN);
    assert_eq!(out(&r), vec!["Not connected", "Not connected"]);
}

#[test]
fn a_line_without_words_repeats_the_last_command() {
    let mut sh = Shell::new("s");
    sh.submit("printwatches off", UP);
    sh.submit("printwatches on", UP);
    sh.submit("\"", UP);
    assert!(sh.print_watches());
    let mut fresh = Shell::new("s");
    let r = fresh.submit("\"", UP);
    assert_eq!(err(&r).last().map(String::as_str), Some("No command entered"));
}

#[test]
fn watch_events_print_unless_turned_off() {
    let mut sh = Shell::new("s");
    let ev = ClientEvent::Watch(WatchedEvent::node(EventType::NodeDataChanged, "/a"));
    let r = sh.on_event(&ev, UP);
    assert_eq!(out(&r), vec!["", "WATCHER::", "", "WatchedEvent state:SyncConnected type:NodeDataChanged path:/a"]);
    let session = ClientEvent::Watch(WatchedEvent::session(KeeperState::Closed));
    assert_eq!(out(&sh.on_event(&session, DOWN))[3], "WatchedEvent state:Closed type:None path:null");
    sh.submit("printwatches off", UP);
    assert!(sh.on_event(&ev, UP).lines.is_empty());
    assert_eq!(out(&sh.submit("printwatches", UP)), vec!["printwatches is off"]);
    sh.submit("printwatches on", UP);
    assert_eq!(sh.on_event(&ev, UP).lines.len(), 4);
    // Anything but "on" turns them off.
    sh.submit("printwatches ON", UP);
    assert!(!sh.print_watches());
}

#[test]
fn lines_typed_while_busy_wait_their_turn() {
    let mut sh = Shell::new("s");
    let first = sh.submit("get /a", UP);
    let second = sh.submit("get /b", UP);
    assert!(second.calls.is_empty() && second.lines.is_empty());
    let data = Ok(Response::Data { data: Some(b"A".to_vec()), stat: znode::Stat::default() });
    let r = answer(&mut sh, tags(&first)[0], data, UP);
    assert_eq!(out(&r), vec!["A"]);
    assert_eq!(requests(&r), vec![Request::GetData { path: "/b".into(), watch: false }]);
    assert!(sh.busy());
    assert_eq!(sh.history().len(), 2);
}

#[test]
fn tags_are_the_shells_own() {
    let mut sh = Shell::new("s");
    let r = sh.submit("ls /", UP);
    assert!(tags(&r)[0] >= FIRST_TAG);
    // Someone else's answer is not ours.
    let stray = answer(&mut sh, 7, Err(Code::NoNode), UP);
    assert!(stray.lines.is_empty() && sh.busy());
}

#[test]
fn connect_closes_a_live_handle_first() {
    let mut sh = Shell::new("a:2181");
    let r = sh.submit("connect b:2181", UP);
    assert!(matches!(r.calls.as_slice(), [ClientCall::Close { .. }]));
    assert!(r.connect.is_none());
    let queued = sh.submit("ls /", UP);
    assert!(queued.calls.is_empty());
    let r = answer(&mut sh, tags(&r)[0], Ok(Response::Empty), DOWN);
    assert_eq!(r.connect, Some(Some("b:2181".to_string())));
    assert!(r.calls.is_empty(), "queued lines wait for the new session to start");
    assert_eq!(sh.prompt(ClientState::Connecting), "[zk: b:2181(CONNECTING) 1] ");
    let state = ClientEvent::State { state: ClientState::Connecting, server: None };
    let r = sh.on_event(&state, ClientState::Connecting);
    assert_eq!(requests(&r).len(), 1);
}

#[test]
fn connect_on_a_dead_handle_starts_at_once() {
    let mut sh = Shell::new("a:2181");
    let r = sh.submit("connect", DOWN);
    assert!(r.calls.is_empty() && r.lines.is_empty());
    assert_eq!(r.connect, Some(None));
    assert!(!sh.busy());
    assert_eq!(sh.prompt(ClientState::Connecting), "[zk: a:2181(CONNECTING) 1] ");
}

#[test]
fn quit_closes_then_leaves() {
    let mut sh = Shell::new("s");
    let r = sh.submit("quit", UP);
    assert!(!r.quit);
    sh.submit("ls /", UP);
    let r = answer(&mut sh, tags(&r)[0], Ok(Response::Empty), DOWN);
    assert!(r.quit);
    assert!(r.calls.is_empty(), "nothing runs after quit");
    assert!(!sh.busy());
    assert!(sh.submit("ls /", UP).calls.is_empty());
}

#[test]
fn interrupt_abandons_the_running_command() {
    let mut sh = Shell::new("s");
    let r = sh.submit("ls /", UP);
    sh.submit("ls /b", UP);
    sh.interrupt();
    assert!(!sh.busy());
    assert_eq!(sh.prompt(UP), "[zk: s(CONNECTED) 1] ");
    let late = answer(&mut sh, tags(&r)[0], Ok(Response::Children { children: vec![], stat: None }), UP);
    assert!(late.lines.is_empty() && late.calls.is_empty());
    assert_eq!(requests(&sh.submit("ls /c", UP)).len(), 1);
}
