//! `CliWrapperException`: the one line zkCli prints for a
//! `KeeperException`. `path` is the path the exception carries (the one
//! the user typed); Java prints `null` where an exception has none.

use znode::Code;

pub(crate) fn keeper_error(code: Code, path: Option<&str>) -> String {
    let p = path.unwrap_or("null");
    match code {
        Code::NoNode => format!("Node does not exist: {p}"),
        Code::NoChildrenForEphemerals => format!("Ephemerals cannot have children: {p}"),
        Code::NodeExists => format!("Node already exists: {p}"),
        Code::NotEmpty => format!("Node not empty: {p}"),
        Code::NotReadOnly => format!("Not a read-only call: {p}"),
        Code::InvalidAcl => format!("Acl is not valid : {p}"),
        Code::NoAuth => format!("Insufficient permission : {p}"),
        Code::BadArguments => format!("Arguments are not valid : {p}"),
        Code::BadVersion => format!("version No is not valid : {p}"),
        Code::ReconfigInProgress => {
            "Another reconfiguration is in progress -- concurrent reconfigs not supported (yet)".to_string()
        }
        Code::NewConfigNoQuorum => "No quorum of new config is connected and up-to-date with the leader of last \
                                    commmitted config - try invoking reconfiguration after new servers are \
                                    connected and synced"
            .to_string(),
        Code::QuotaExceeded => format!("Quota has exceeded : {p}"),
        other => keeper_message(other, path),
    }
}

/// `KeeperException.getMessage()`: no ` for ...` when the path is null or
/// empty.
pub(crate) fn keeper_message(code: Code, path: Option<&str>) -> String {
    code.keeper_message(path.filter(|p| !p.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mapping_has_zkclis_text() {
        let a = Some("/a");
        let cases: &[(Code, Option<&str>, &str)] = &[
            (Code::NoNode, a, "Node does not exist: /a"),
            (Code::NoNode, None, "Node does not exist: null"),
            (Code::NoChildrenForEphemerals, a, "Ephemerals cannot have children: /a"),
            (Code::NodeExists, a, "Node already exists: /a"),
            (Code::NotEmpty, a, "Node not empty: /a"),
            (Code::NotReadOnly, a, "Not a read-only call: /a"),
            (Code::InvalidAcl, a, "Acl is not valid : /a"),
            (Code::InvalidAcl, None, "Acl is not valid : null"),
            (Code::NoAuth, a, "Insufficient permission : /a"),
            (Code::BadArguments, a, "Arguments are not valid : /a"),
            (Code::BadVersion, a, "version No is not valid : /a"),
            (
                Code::ReconfigInProgress,
                a,
                "Another reconfiguration is in progress -- concurrent reconfigs not supported (yet)",
            ),
            (
                Code::NewConfigNoQuorum,
                a,
                "No quorum of new config is connected and up-to-date with the leader of last commmitted config - \
                 try invoking reconfiguration after new servers are connected and synced",
            ),
            (Code::QuotaExceeded, a, "Quota has exceeded : /a"),
            (Code::ConnectionLoss, a, "KeeperErrorCode = ConnectionLoss for /a"),
            (Code::ConnectionLoss, None, "KeeperErrorCode = ConnectionLoss"),
            (Code::SessionExpired, a, "KeeperErrorCode = Session expired for /a"),
            (Code::Unimplemented, Some("/ttl"), "KeeperErrorCode = Unimplemented for /ttl"),
            (Code::NoWatcher, a, "KeeperErrorCode = No such watcher for /a"),
            (Code::AuthFailed, a, "KeeperErrorCode = AuthFailed for /a"),
            (Code::SessionMoved, a, "KeeperErrorCode = Session moved for /a"),
            (Code::OperationTimeout, a, "KeeperErrorCode = OperationTimeout for /a"),
            (Code::EphemeralOnLocalSession, a, "KeeperErrorCode = Ephemeral node on local session for /a"),
            (Code::RequestTimeout, a, "KeeperErrorCode = Unknown error REQUESTTIMEOUT for /a"),
            (Code::SystemError, Some(""), "KeeperErrorCode = SystemError"),
        ];
        for (code, path, want) in cases {
            assert_eq!(keeper_error(*code, *path), *want, "{code:?}");
        }
    }
}
