//! `StatPrinter`: the eleven-line Stat block of `ls -s`, `get -s`, `stat`...

use crate::date::java_date;
use znode::Stat;

/// The block's lines, in zkCli's order. Zxids and the owner print as
/// `Long.toHexString` (two's complement, lowercase, no padding).
pub fn stat_lines(s: &Stat) -> Vec<String> {
    vec![
        format!("cZxid = 0x{:x}", s.czxid),
        format!("ctime = {}", java_date(s.ctime)),
        format!("mZxid = 0x{:x}", s.mzxid),
        format!("mtime = {}", java_date(s.mtime)),
        format!("pZxid = 0x{:x}", s.pzxid),
        format!("cversion = {}", s.cversion),
        format!("dataVersion = {}", s.version),
        format!("aclVersion = {}", s.aversion),
        format!("ephemeralOwner = 0x{:x}", s.ephemeral_owner),
        format!("dataLength = {}", s.data_length),
        format!("numChildren = {}", s.num_children),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_is_stat_printers() {
        let s = Stat {
            czxid: 0x1_0000_0002,
            mzxid: 0x1_0000_0003,
            ctime: 1_551_957_547_000,
            mtime: 1_551_957_548_000,
            version: 1,
            cversion: -1,
            aversion: 0,
            ephemeral_owner: 0x1000_0a3b_c2f0_0000,
            data_length: 5,
            num_children: 0,
            pzxid: 0x1_0000_0002,
        };
        assert_eq!(
            stat_lines(&s),
            vec![
                "cZxid = 0x100000002",
                "ctime = Thu Mar 07 11:19:07 UTC 2019",
                "mZxid = 0x100000003",
                "mtime = Thu Mar 07 11:19:08 UTC 2019",
                "pZxid = 0x100000002",
                "cversion = -1",
                "dataVersion = 1",
                "aclVersion = 0",
                "ephemeralOwner = 0x10000a3bc2f00000",
                "dataLength = 5",
                "numChildren = 0",
            ]
        );
    }

    #[test]
    fn zero_stat_prints_zeros_and_the_epoch() {
        let lines = stat_lines(&Stat::default());
        assert_eq!(lines.len(), 11);
        assert_eq!(lines[0], "cZxid = 0x0");
        assert_eq!(lines[1], "ctime = Thu Jan 01 00:00:00 UTC 1970");
        assert_eq!(lines[8], "ephemeralOwner = 0x0");
    }

    #[test]
    fn negative_owner_prints_as_java_long_hex() {
        let s = Stat { ephemeral_owner: u64::MAX, ..Stat::default() };
        assert_eq!(stat_lines(&s)[8], "ephemeralOwner = 0xffffffffffffffff");
    }
}
