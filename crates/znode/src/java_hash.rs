//! Java's hash-table iteration orders, where ZooKeeper lets them decide what
//! a client sees: the order a closing session's ephemerals are deleted in (a
//! cloned `HashSet<String>`) and the order `auth` expands to a session's ids
//! (a `ConcurrentHashMap`-backed set). Only orders are emulated, never
//! membership: callers keep their own sets.

/// `String.hashCode()`: over UTF-16 code units, wrapping.
pub fn string_hash(s: &str) -> i32 {
    s.encode_utf16().fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(i32::from(c)))
}

/// `HashMap.hash`: the high half folded into the low half.
fn spread(h: i32) -> u32 {
    let h = h as u32;
    h ^ (h >> 16)
}

/// `HashMap.tableSizeFor`: the next power of two, at least 1.
fn table_size_for(cap: u32) -> u32 {
    cap.max(1).next_power_of_two().min(1 << 30)
}

/// A `java.util.HashSet<String>` reduced to what decides its iteration
/// order: which keys it holds, in what order they were put, and its table
/// capacity (which only ever grows).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct JavaHashSet {
    /// Present keys in insertion order.
    keys: Vec<String>,
    /// Table length, 0 until the first put (Java allocates lazily).
    capacity: u32,
    /// Capacity the first put allocates (16 for `new HashSet<>()`).
    initial: u32,
}

impl JavaHashSet {
    /// `new HashSet<>()`.
    pub fn new() -> Self {
        JavaHashSet { keys: Vec::new(), capacity: 0, initial: 16 }
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn contains(&self, key: &str) -> bool {
        self.keys.iter().any(|k| k == key)
    }

    /// `add`: a new key goes to the end of its bucket; the table doubles
    /// when the size passes three quarters of the capacity.
    pub fn insert(&mut self, key: String) -> bool {
        if self.contains(&key) {
            return false;
        }
        if self.capacity == 0 {
            self.capacity = self.initial;
        }
        self.keys.push(key);
        if self.keys.len() as u64 * 4 > u64::from(self.capacity) * 3 {
            self.capacity = self.capacity.saturating_mul(2).min(1 << 30);
        }
        true
    }

    pub fn remove(&mut self, key: &str) -> bool {
        match self.keys.iter().position(|k| k == key) {
            Some(i) => {
                self.keys.remove(i);
                true
            }
            None => false,
        }
    }

    /// Keys in Java's iteration order: by bucket, and within a bucket in
    /// insertion order (resizes split buckets without reordering them).
    pub fn iter_order(&self) -> Vec<String> {
        let mask = self.capacity.max(1) - 1;
        let mut v: Vec<(u32, usize, &String)> =
            self.keys.iter().enumerate().map(|(i, k)| (spread(string_hash(k)) & mask, i, k)).collect();
        v.sort();
        v.into_iter().map(|(_, _, k)| k.clone()).collect()
    }

    /// `clone()`: a new table sized for the current size
    /// (`tableSizeFor(size / 0.75 + 1)`), filled in this set's iteration order.
    pub fn java_clone(&self) -> JavaHashSet {
        let n = self.keys.len() as f32;
        let initial = table_size_for((n / 0.75 + 1.0) as u32);
        let mut out = JavaHashSet { keys: Vec::new(), capacity: 0, initial };
        for k in self.iter_order() {
            out.insert(k);
        }
        out
    }
}

/// Iteration order of a small `ConcurrentHashMap`-backed set of ids with the
/// default table of 16 and no resize: by bucket, then insertion order.
/// `hashes` are the elements' `hashCode()` in insertion order; returns the
/// insertion indices in iteration order.
pub fn concurrent_set_order(hashes: &[i32]) -> Vec<usize> {
    let cap = if hashes.len() <= 12 { 16 } else { table_size_for(hashes.len() as u32 * 2) };
    let mut v: Vec<(u32, usize)> =
        hashes.iter().enumerate().map(|(i, h)| (spread(*h) & 0x7fff_ffff & (cap - 1), i)).collect();
    v.sort();
    v.into_iter().map(|(_, i)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_hash_is_javas() {
        assert_eq!(string_hash(""), 0);
        assert_eq!(string_hash("a"), 97);
        // "/svc/zeta".hashCode() computed with Java semantics.
        let expected = "/svc/zeta".encode_utf16().fold(0i64, |h, c| ((h * 31 + c as i64) as i32) as i64) as i32;
        assert_eq!(string_hash("/svc/zeta"), expected);
        assert_eq!(string_hash("Aa"), string_hash("BB"), "the classic collision");
    }

    #[test]
    fn iteration_is_by_bucket_then_insertion() {
        let mut s = JavaHashSet::new();
        // "Aa" and "BB" collide, so they keep insertion order in one bucket.
        s.insert("BB".into());
        s.insert("Aa".into());
        s.insert("a".into());
        let order = s.iter_order();
        let bb = order.iter().position(|k| k == "BB").unwrap();
        let aa = order.iter().position(|k| k == "Aa").unwrap();
        assert!(bb < aa);
        assert_eq!(order.len(), 3);
    }

    #[test]
    fn capacity_doubles_past_three_quarters() {
        let mut s = JavaHashSet::new();
        for i in 0..13 {
            s.insert(format!("/n{i}"));
        }
        assert_eq!(s.capacity, 32);
        assert_eq!(s.java_clone().capacity, 32, "tableSizeFor(13/0.75+1 = 18) = 32");
        let mut small = JavaHashSet::new();
        small.insert("/x".into());
        assert_eq!(small.java_clone().capacity, 2, "tableSizeFor(2) = 2");
    }

    #[test]
    fn removal_keeps_the_rest_in_order() {
        let mut s = JavaHashSet::new();
        for k in ["/a", "/b", "/c"] {
            s.insert(k.into());
        }
        assert!(s.remove("/b"));
        assert!(!s.remove("/b"));
        assert_eq!(s.len(), 2);
        assert!(!s.iter_order().contains(&"/b".to_string()));
    }
}
