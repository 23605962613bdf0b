//! Create modes and the kinds of ephemeral owner (`CreateMode`, `EphemeralType`).

use crate::stat::SessionId;
use serde::{Deserialize, Serialize};

/// `CreateMode`, with its wire flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum CreateMode {
    Persistent,
    Ephemeral,
    PersistentSequential,
    EphemeralSequential,
    Container,
    PersistentWithTtl,
    PersistentSequentialWithTtl,
}

impl CreateMode {
    pub const ALL: [CreateMode; 7] = [
        CreateMode::Persistent,
        CreateMode::Ephemeral,
        CreateMode::PersistentSequential,
        CreateMode::EphemeralSequential,
        CreateMode::Container,
        CreateMode::PersistentWithTtl,
        CreateMode::PersistentSequentialWithTtl,
    ];

    pub fn flag(self) -> i32 {
        match self {
            CreateMode::Persistent => 0,
            CreateMode::Ephemeral => 1,
            CreateMode::PersistentSequential => 2,
            CreateMode::EphemeralSequential => 3,
            CreateMode::Container => 4,
            CreateMode::PersistentWithTtl => 5,
            CreateMode::PersistentSequentialWithTtl => 6,
        }
    }

    /// `CreateMode.fromFlag`; any other flag is BADARGUMENTS on the server.
    pub fn from_flag(flag: i32) -> Option<CreateMode> {
        CreateMode::ALL.into_iter().find(|m| m.flag() == flag)
    }

    pub fn is_ephemeral(self) -> bool {
        matches!(self, CreateMode::Ephemeral | CreateMode::EphemeralSequential)
    }

    pub fn is_sequential(self) -> bool {
        matches!(
            self,
            CreateMode::PersistentSequential
                | CreateMode::EphemeralSequential
                | CreateMode::PersistentSequentialWithTtl
        )
    }

    pub fn is_container(self) -> bool {
        self == CreateMode::Container
    }

    pub fn is_ttl(self) -> bool {
        matches!(self, CreateMode::PersistentWithTtl | CreateMode::PersistentSequentialWithTtl)
    }

    /// The name the traces use: `persistent_sequential_with_ttl`.
    pub fn snake_name(self) -> &'static str {
        match self {
            CreateMode::Persistent => "persistent",
            CreateMode::Ephemeral => "ephemeral",
            CreateMode::PersistentSequential => "persistent_sequential",
            CreateMode::EphemeralSequential => "ephemeral_sequential",
            CreateMode::Container => "container",
            CreateMode::PersistentWithTtl => "persistent_with_ttl",
            CreateMode::PersistentSequentialWithTtl => "persistent_sequential_with_ttl",
        }
    }

    pub fn from_snake_name(name: &str) -> Option<CreateMode> {
        CreateMode::ALL.into_iter().find(|m| m.snake_name() == name)
    }
}

/// The largest TTL a node may have, in ms (`EphemeralType.TTL.maxValue()`).
pub const MAX_TTL: i64 = (1 << 40) - 1;
/// The ephemeral owner that marks a container (`Long.MIN_VALUE`).
pub const CONTAINER_OWNER: u64 = 0x8000_0000_0000_0000;
const EXTENDED_MASK: u64 = 0xff00_0000_0000_0000;
const RESERVED_BITS_MASK: u64 = 0x00ff_ff00_0000_0000;
const EXTENDED_VALUE_MASK: u64 = !(EXTENDED_MASK | RESERVED_BITS_MASK);

/// `EphemeralType.validateTTL`: a TTL mode needs `1..=MAX_TTL`; any other
/// mode must not carry a TTL (`ttl >= 0`).
pub fn validate_ttl(mode: CreateMode, ttl: i64) -> bool {
    if mode.is_ttl() {
        (1..=MAX_TTL).contains(&ttl)
    } else {
        ttl < 0
    }
}

/// `EphemeralType.TTL.toEphemeralOwner`.
pub fn ttl_owner(ttl: i64) -> u64 {
    EXTENDED_MASK | (ttl as u64 & EXTENDED_VALUE_MASK)
}

/// What a stored `ephemeralOwner` means (`EphemeralType.get`, with extended
/// types enabled).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EphemeralKind {
    /// An ordinary persistent node.
    Void,
    /// An ephemeral node of this session.
    Normal(SessionId),
    Container,
    /// A TTL node; the TTL in ms.
    Ttl(i64),
}

impl EphemeralKind {
    pub fn of(owner: u64) -> EphemeralKind {
        if owner & EXTENDED_MASK == EXTENDED_MASK {
            EphemeralKind::Ttl((owner & EXTENDED_VALUE_MASK) as i64)
        } else if owner == CONTAINER_OWNER {
            EphemeralKind::Container
        } else if owner == 0 {
            EphemeralKind::Void
        } else {
            EphemeralKind::Normal(owner)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_round_trip() {
        for m in CreateMode::ALL {
            assert_eq!(CreateMode::from_flag(m.flag()), Some(m));
            assert_eq!(CreateMode::from_snake_name(m.snake_name()), Some(m));
        }
        assert_eq!(CreateMode::from_flag(7), None);
    }

    #[test]
    fn ttl_rules() {
        assert!(validate_ttl(CreateMode::PersistentWithTtl, 1));
        assert!(validate_ttl(CreateMode::PersistentWithTtl, MAX_TTL));
        assert!(!validate_ttl(CreateMode::PersistentWithTtl, 0));
        assert!(!validate_ttl(CreateMode::PersistentWithTtl, -5));
        assert!(!validate_ttl(CreateMode::PersistentWithTtl, MAX_TTL + 1));
        assert!(validate_ttl(CreateMode::Persistent, -1));
        assert!(!validate_ttl(CreateMode::Persistent, 0));
    }

    #[test]
    fn owners_decode() {
        assert_eq!(EphemeralKind::of(0), EphemeralKind::Void);
        assert_eq!(EphemeralKind::of(CONTAINER_OWNER), EphemeralKind::Container);
        assert_eq!(EphemeralKind::of(ttl_owner(60_000)), EphemeralKind::Ttl(60_000));
        assert_eq!(EphemeralKind::of(0x1234), EphemeralKind::Normal(0x1234));
    }
}
