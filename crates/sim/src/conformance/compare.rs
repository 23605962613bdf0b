//! Comparing a replay with a recording: zxid normalization, and the two
//! places where Java's hash order is compared as a multiset.

use serde_json::Value;

/// Visit every Stat object (one with a `czxid` key) in a result value.
fn stats_mut(v: &mut Value, f: &mut dyn FnMut(&mut serde_json::Map<String, Value>)) {
    match v {
        Value::Object(m) => {
            if m.contains_key("czxid") {
                f(m);
            }
            for (_, child) in m.iter_mut() {
                stats_mut(child, f);
            }
        }
        Value::Array(a) => {
            for child in a {
                stats_mut(child, f);
            }
        }
        _ => {}
    }
}

const ZXID_KEYS: [&str; 3] = ["czxid", "mzxid", "pzxid"];

/// Replace every czxid/mzxid/pzxid by its rank among the distinct values
/// found in all results (FORMAT.md).
pub fn normalize_zxids(results: &mut [Value]) {
    let mut values: Vec<u64> = Vec::new();
    for r in results.iter_mut() {
        stats_mut(r, &mut |m| {
            for k in ZXID_KEYS {
                if let Some(z) = m.get(k).and_then(Value::as_u64) {
                    values.push(z);
                }
            }
        });
    }
    values.sort_unstable();
    values.dedup();
    for r in results.iter_mut() {
        stats_mut(r, &mut |m| {
            for k in ZXID_KEYS {
                if let Some(z) = m.get(k).and_then(Value::as_u64) {
                    let rank = values.binary_search(&z).unwrap_or(0);
                    m.insert(k.to_string(), Value::from(rank));
                }
            }
        });
    }
}

/// Sort every `acl` list so ACLs compare as multisets.
pub fn sort_acls(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, child) in m.iter_mut() {
                if k == "acl" {
                    if let Value::Array(a) = child {
                        a.sort_by_key(|e| e.to_string());
                    }
                }
                sort_acls(child);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(sort_acls),
        _ => {}
    }
}

/// Sort a list of events (for the multiset rule of close steps).
pub fn sorted(events: &[Value]) -> Vec<Value> {
    let mut v = events.to_vec();
    v.sort_by_key(|e| e.to_string());
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ranks_are_shared_across_results() {
        let mut r = vec![
            json!({"ok": {"czxid": 40, "mzxid": 40, "pzxid": 44}}),
            json!({"ok": [{"czxid": 44, "mzxid": 50, "pzxid": 44}]}),
        ];
        normalize_zxids(&mut r);
        assert_eq!(r[0], json!({"ok": {"czxid": 0, "mzxid": 0, "pzxid": 1}}));
        assert_eq!(r[1], json!({"ok": [{"czxid": 1, "mzxid": 2, "pzxid": 1}]}));
    }

    #[test]
    fn acl_order_does_not_matter() {
        let mut a = json!({"ok": {"acl": [{"id": "b"}, {"id": "a"}]}});
        let mut b = json!({"ok": {"acl": [{"id": "a"}, {"id": "b"}]}});
        sort_acls(&mut a);
        sort_acls(&mut b);
        assert_eq!(a, b);
    }
}
