//! A node's own clock: it may run fast or slow (drift, in parts per
//! million), so its timers fire early or late in world time.

use actor::Instant;
use serde::{Deserialize, Serialize};

/// Maps world time to a node's local time and back.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeClock {
    /// World and local time when the current rate took effect.
    world_anchor: u64,
    local_anchor: u64,
    /// Local µs per world second, minus one million: +1000 runs 0.1% fast.
    drift_ppm: i32,
}

fn scale(d: u64, ppm: i32) -> u64 {
    let rate = 1_000_000i128 + i128::from(ppm);
    ((i128::from(d) * rate) / 1_000_000).max(0) as u64
}

fn unscale(d: u64, ppm: i32) -> u64 {
    let rate = (1_000_000i128 + i128::from(ppm)).max(1);
    ((i128::from(d) * 1_000_000 + rate - 1) / rate) as u64
}

impl NodeClock {
    /// The node's local time at world time `t`.
    pub fn local(&self, t: Instant) -> Instant {
        let since = t.0.saturating_sub(self.world_anchor);
        Instant(self.local_anchor + scale(since, self.drift_ppm))
    }

    /// The world time at which the node's clock reads `local` (never
    /// before the anchor).
    pub fn world(&self, local: Instant) -> Instant {
        let since = local.0.saturating_sub(self.local_anchor);
        Instant(self.world_anchor + unscale(since, self.drift_ppm))
    }

    /// From world time `now` on, run at `ppm` drift; local time stays
    /// continuous.
    pub fn set_drift(&mut self, now: Instant, ppm: i32) {
        let local = self.local(now);
        self.world_anchor = now.0;
        self.local_anchor = local.0;
        self.drift_ppm = ppm.clamp(-500_000, 500_000);
    }

    pub fn drift_ppm(&self) -> i32 {
        self.drift_ppm
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fast_clock_fires_timers_early() {
        let mut c = NodeClock::default();
        c.set_drift(Instant(1_000_000), 100_000);
        assert_eq!(c.local(Instant(1_000_000)), Instant(1_000_000));
        assert_eq!(c.local(Instant(2_000_000)), Instant(2_100_000));
        assert_eq!(c.world(Instant(2_100_000)), Instant(2_000_000));
        assert_eq!(c.world(c.local(Instant(3_333_333))), Instant(3_333_333));
    }

    #[test]
    fn changing_the_rate_keeps_time_continuous() {
        let mut c = NodeClock::default();
        c.set_drift(Instant(0), -100_000);
        let before = c.local(Instant(5_000_000));
        c.set_drift(Instant(5_000_000), 0);
        assert_eq!(c.local(Instant(5_000_000)), before);
        assert_eq!(c.local(Instant(6_000_000)).0, before.0 + 1_000_000);
    }
}
