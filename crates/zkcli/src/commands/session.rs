//! Commands about the session itself: `addauth`, `close`, `whoami`,
//! `version`.

use super::{parse, usage};
use crate::task::{await_tag, one_request, Io, Started};
use zab::ClientCall;
use znode::{Request, Response};

/// What `version` reports: ZooScope's zkCli, compatible with 3.8.6.
pub const VERSION: &str = "3.8.6-zooscope";

/// `addauth scheme [auth]`: handed to the client, no answer awaited.
pub(super) fn addauth(tokens: &[String], io: &mut Io) -> Started {
    let parsed = parse(&[], tokens, io)?;
    let Some(scheme) = parsed.arg(1) else {
        return usage("addauth", None, io);
    };
    let auth = parsed.arg(2).map(|a| a.as_bytes().to_vec()).unwrap_or_default();
    io.call(ClientCall::AddAuth { scheme: scheme.to_string(), auth });
    None
}

pub(super) fn close(io: &mut Io) -> Started {
    let tag = io.close();
    await_tag(tag, |_, _| {})
}

/// `whoami`: the client ignores the reply's error, so a failure prints
/// only the heading.
pub(super) fn whoami(io: &mut Io) -> Started {
    one_request(io, Request::WhoAmI, |res, io| {
        io.out("Auth scheme: User");
        if let Ok(Response::WhoAmI(infos)) = res {
            io.out_lines(infos.into_iter().map(|i| format!("{}: {}", i.auth_scheme, i.user)));
        }
    })
}

pub(super) fn version(tokens: &[String], io: &mut Io) -> Started {
    let parsed = parse(&[], tokens, io)?;
    if parsed.args.len() > 1 {
        return usage("version", None, io);
    }
    io.out(format!("ZooKeeper CLI version: {VERSION}"));
    None
}

#[cfg(test)]
mod tests {
    use crate::commands::test_support::Harness;
    use zab::ClientCall;
    use znode::{ClientInfo, Code, Request, Response};

    #[test]
    fn addauth_hands_over_the_credentials() {
        let h = Harness::run("addauth digest bob:secret");
        assert!(h.done());
        assert_eq!(
            format!("{:?}", h.reaction.calls),
            format!("{:?}", vec![ClientCall::AddAuth { scheme: "digest".into(), auth: b"bob:secret".to_vec() }])
        );
        assert_eq!(Harness::run("addauth").err(), vec!["addauth scheme auth"]);
    }

    #[test]
    fn whoami_lists_ids() {
        let mut h = Harness::run("whoami");
        assert_eq!(h.take_requests(), vec![(1, Request::WhoAmI)]);
        let infos = vec![
            ClientInfo { auth_scheme: "ip".into(), user: "127.0.0.1".into() },
            ClientInfo { auth_scheme: "digest".into(), user: "bob".into() },
        ];
        h.answer(1, Ok(Response::WhoAmI(infos)));
        assert_eq!(h.out(), vec!["Auth scheme: User", "ip: 127.0.0.1", "digest: bob"]);
        let mut h = Harness::run("whoami");
        h.answer(1, Err(Code::ConnectionLoss));
        assert_eq!(h.out(), vec!["Auth scheme: User"]);
        assert!(h.err().is_empty());
    }

    #[test]
    fn version_and_close() {
        assert_eq!(Harness::run("version").out(), vec!["ZooKeeper CLI version: 3.8.6-zooscope"]);
        assert_eq!(Harness::run("version x").err(), vec!["version "]);
        let mut h = Harness::run("close whatever");
        assert_eq!(format!("{:?}", h.reaction.calls), format!("{:?}", vec![ClientCall::Close { tag: 1 }]));
        h.answer(1, Ok(Response::Empty));
        assert!(h.done() && h.out().is_empty());
    }
}
