//! A node's disk, owned by the world: writes are durable only once a sync
//! that covers them completes.

/// One node's disk.
#[derive(Clone, Debug)]
pub struct Disk<W> {
    /// What survives a crash.
    pub synced: Vec<W>,
    /// Written but not yet synced.
    pub pending: Vec<W>,
    /// How many pending writes the sync in flight will cover, per token.
    in_flight: Vec<(u64, usize)>,
}

impl<W: Clone> Default for Disk<W> {
    fn default() -> Self {
        Disk { synced: Vec::new(), pending: Vec::new(), in_flight: Vec::new() }
    }
}

impl<W: Clone> Disk<W> {
    pub fn write(&mut self, w: W) {
        self.pending.push(w);
    }

    /// A sync starts: it covers everything written so far.
    pub fn begin_sync(&mut self, token: u64) {
        self.in_flight.push((token, self.pending.len()));
    }

    /// A sync completes: what it covered becomes durable.
    pub fn finish_sync(&mut self, token: u64) {
        let Some(i) = self.in_flight.iter().position(|(t, _)| *t == token) else {
            return;
        };
        let (_, covered) = self.in_flight.remove(i);
        let n = covered.min(self.pending.len());
        self.synced.extend(self.pending.drain(..n));
        for (_, c) in self.in_flight.iter_mut() {
            *c = c.saturating_sub(n);
        }
    }

    /// The process died: unsynced writes survive only if the fault says so.
    pub fn crash(&mut self, lose_unsynced: bool) {
        if !lose_unsynced {
            self.synced.append(&mut self.pending);
        }
        self.pending.clear();
        self.in_flight.clear();
    }

    /// What a restarted node reads back.
    pub fn image(&self) -> Vec<W> {
        self.synced.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_synced_writes_survive_a_lossy_crash() {
        let mut d = Disk::default();
        d.write(1);
        d.begin_sync(7);
        d.write(2);
        d.finish_sync(7);
        d.write(3);
        d.crash(true);
        assert_eq!(d.image(), vec![1]);
    }

    #[test]
    fn a_gentle_crash_keeps_what_the_kernel_had() {
        let mut d = Disk::default();
        d.write(1);
        d.crash(false);
        assert_eq!(d.image(), vec![1]);
    }
}
