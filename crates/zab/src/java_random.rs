//! `java.util.Random`, for the one value ZooKeeper derives from it that a
//! client sees: a session's password (`ZooKeeperServer.generatePasswd`).

const MULTIPLIER: u64 = 0x5_DEEC_E66D;
const MASK: u64 = (1 << 48) - 1;
/// `ZooKeeperServer.superSecret`.
const SUPER_SECRET: u64 = 0xB341_5C00;

struct JavaRandom {
    seed: u64,
}

impl JavaRandom {
    fn new(seed: u64) -> Self {
        JavaRandom { seed: (seed ^ MULTIPLIER) & MASK }
    }

    fn next_int(&mut self) -> i32 {
        self.seed = (self.seed.wrapping_mul(MULTIPLIER).wrapping_add(0xB)) & MASK;
        (self.seed >> 16) as u32 as i32
    }

    fn next_bytes(&mut self, out: &mut [u8]) {
        for chunk in out.chunks_mut(4) {
            let mut rnd = self.next_int();
            for b in chunk {
                *b = rnd as u8;
                rnd >>= 8;
            }
        }
    }
}

/// The 16-byte password of a session: `new Random(id ^ superSecret).nextBytes`.
pub fn session_passwd(session_id: u64) -> [u8; 16] {
    let mut p = [0u8; 16];
    JavaRandom::new(session_id ^ SUPER_SECRET).next_bytes(&mut p);
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_java_random() {
        // new java.util.Random(42).nextInt() == -1170105035
        assert_eq!(JavaRandom::new(42).next_int(), -1_170_105_035);
        let mut r = JavaRandom::new(0);
        // new Random(0): nextInt() = -1155484576, then -723955400
        assert_eq!(r.next_int(), -1_155_484_576);
        assert_eq!(r.next_int(), -723_955_400);
    }

    #[test]
    fn passwords_differ_per_session() {
        assert_ne!(session_passwd(1), session_passwd(2));
        assert_eq!(session_passwd(7), session_passwd(7));
    }
}
