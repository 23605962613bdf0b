//! `KeeperException.Code`: every error code by its ZooKeeper name.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! codes {
    ($( $variant:ident = $value:expr, $name:literal, $text:expr; )*) => {
        /// ZooKeeper's result codes (`KeeperException.Code`, 3.8).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum Code { $( $variant, )* }

        impl Code {
            /// Every code, in declaration order.
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            /// The wire value (`Code.intValue()`).
            pub const fn value(self) -> i32 {
                match self { $( Code::$variant => $value, )* }
            }

            /// The constant's name, as traces and logs spell it: `NONODE`.
            pub const fn name(self) -> &'static str {
                match self { $( Code::$variant => $name, )* }
            }

            /// `KeeperException.getCodeMessage`: the text inside
            /// `KeeperErrorCode = <text>`; `None` where Java has none and
            /// prints `Unknown error <NAME>`.
            pub const fn message(self) -> Option<&'static str> {
                match self { $( Code::$variant => $text, )* }
            }

            pub fn from_value(value: i32) -> Option<Code> {
                match value { $( $value => Some(Code::$variant), )* _ => None }
            }

            pub fn from_name(name: &str) -> Option<Code> {
                match name { $( $name => Some(Code::$variant), )* _ => None }
            }
        }
    };
}

codes! {
    Ok = 0, "OK", Some("ok");
    SystemError = -1, "SYSTEMERROR", Some("SystemError");
    RuntimeInconsistency = -2, "RUNTIMEINCONSISTENCY", Some("RuntimeInconsistency");
    DataInconsistency = -3, "DATAINCONSISTENCY", Some("DataInconsistency");
    ConnectionLoss = -4, "CONNECTIONLOSS", Some("ConnectionLoss");
    MarshallingError = -5, "MARSHALLINGERROR", Some("MarshallingError");
    Unimplemented = -6, "UNIMPLEMENTED", Some("Unimplemented");
    OperationTimeout = -7, "OPERATIONTIMEOUT", Some("OperationTimeout");
    BadArguments = -8, "BADARGUMENTS", Some("BadArguments");
    UnknownSession = -12, "UNKNOWNSESSION", None;
    NewConfigNoQuorum = -13, "NEWCONFIGNOQUORUM", Some("NewConfigNoQuorum");
    ReconfigInProgress = -14, "RECONFIGINPROGRESS", Some("ReconfigInProgress");
    ApiError = -100, "APIERROR", Some("APIError");
    NoNode = -101, "NONODE", Some("NoNode");
    NoAuth = -102, "NOAUTH", Some("NoAuth");
    BadVersion = -103, "BADVERSION", Some("BadVersion");
    NoChildrenForEphemerals = -108, "NOCHILDRENFOREPHEMERALS", Some("NoChildrenForEphemerals");
    NodeExists = -110, "NODEEXISTS", Some("NodeExists");
    NotEmpty = -111, "NOTEMPTY", Some("Directory not empty");
    SessionExpired = -112, "SESSIONEXPIRED", Some("Session expired");
    InvalidCallback = -113, "INVALIDCALLBACK", Some("Invalid callback");
    InvalidAcl = -114, "INVALIDACL", Some("InvalidACL");
    AuthFailed = -115, "AUTHFAILED", Some("AuthFailed");
    SessionMoved = -118, "SESSIONMOVED", Some("Session moved");
    NotReadOnly = -119, "NOTREADONLY", Some("Not a read-only call");
    EphemeralOnLocalSession = -120, "EPHEMERALONLOCALSESSION", Some("Ephemeral node on local session");
    NoWatcher = -121, "NOWATCHER", Some("No such watcher");
    RequestTimeout = -122, "REQUESTTIMEOUT", None;
    ReconfigDisabled = -123, "RECONFIGDISABLED", Some("Reconfig is disabled");
    SessionClosedRequireSaslAuth = -124, "SESSIONCLOSEDREQUIRESASLAUTH", Some("Session closed because client failed to authenticate");
    QuotaExceeded = -125, "QUOTAEXCEEDED", Some("Quota has exceeded");
    ThrottledOp = -127, "THROTTLEDOP", Some("Op throttled due to high load");
}

impl Code {
    pub fn is_ok(self) -> bool {
        self == Code::Ok
    }

    /// `KeeperException.getMessage()` for an exception carrying `path`:
    /// `KeeperErrorCode = NoNode for /a`.
    pub fn keeper_message(self, path: Option<&str>) -> String {
        let text = match self.message() {
            Some(t) => t.to_string(),
            None => format!("Unknown error {}", self.name()),
        };
        match path {
            Some(p) => format!("KeeperErrorCode = {text} for {p}"),
            None => format!("KeeperErrorCode = {text}"),
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_names_round_trip() {
        for &c in Code::ALL {
            assert_eq!(Code::from_value(c.value()), Some(c));
            assert_eq!(Code::from_name(c.name()), Some(c));
        }
        assert_eq!(Code::from_value(-126), None, "there is no -126");
    }

    #[test]
    fn messages_match_keeper_exception() {
        assert_eq!(Code::NoNode.keeper_message(Some("/a")), "KeeperErrorCode = NoNode for /a");
        assert_eq!(Code::UnknownSession.keeper_message(None), "KeeperErrorCode = Unknown error UNKNOWNSESSION");
        assert_eq!(Code::NotEmpty.keeper_message(Some("/x")), "KeeperErrorCode = Directory not empty for /x");
    }
}
