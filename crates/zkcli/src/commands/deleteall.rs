//! `deleteall path [-b batch size]` (`DeleteAllCommand` over
//! `ZKUtil.deleteRecursive`): list the subtree breadth-first, then delete
//! it leaves-first, in `multi`s of `batch size` deletes with at most ten
//! outstanding; once a batch is known to have failed no new one is sent.
//! With a batch size of zero or less the nodes are deleted one by one and
//! the first error ends the command.

use super::{fail, parse, path_ok, usage};
use crate::cli_options::Opt;
use crate::java::parse_int;
use crate::task::{Flow, Io, Started, Task};
use std::collections::{BTreeSet, VecDeque};
use znode::{Code, MultiOp, OpResult, Request, Response};

const OPTS: &[Opt] = &[Opt::arg('b', "batch size")];
/// `deleteInBatch`'s semaphore: multis in flight at once.
const RATE_LIMIT: usize = 10;
const DEFAULT_BATCH: i32 = 1000;

pub(super) fn run(tokens: &[String], io: &mut Io) -> Started {
    let parsed = parse(OPTS, tokens, io)?;
    let Some(path) = parsed.arg(1).map(str::to_string) else {
        return usage("deleteall", None, io);
    };
    let batch = match parsed.value('b') {
        None => DEFAULT_BATCH,
        Some(v) => match parse_int(v) {
            Some(n) => n,
            None => {
                io.err("-b argument must be an int value");
                return None;
            }
        },
    };
    if !path_ok(&path, io) {
        return None;
    }
    let tag = list(&path, io);
    let phase = Phase::Listing { tag, node: path.clone(), queue: VecDeque::new() };
    Some(Box::new(DeleteAll { batch, tree: vec![path], phase }))
}

fn list(node: &str, io: &mut Io) -> u64 {
    io.request(Request::GetChildren { path: node.to_string(), watch: false, with_stat: false })
}

enum Phase {
    /// `listSubTreeBFS`: waiting for `node`'s children; `queue` holds the
    /// nodes to list after it.
    Listing {
        tag: u64,
        node: String,
        queue: VecDeque<String>,
    },
    Batches(Batches),
    /// Batch size ≤ 0: deleting `tree[index]`.
    OneByOne {
        tag: u64,
        index: usize,
    },
}

struct DeleteAll {
    batch: i32,
    /// The subtree in breadth-first order, root first.
    tree: Vec<String>,
    phase: Phase,
}

/// `listSubTreeBFS`'s child path.
fn child_path(parent: &str, child: &str) -> String {
    if parent == "/" {
        format!("/{child}")
    } else {
        format!("{parent}/{child}")
    }
}

/// The multis in the order they are sent: the tree reversed (deepest
/// first), cut every `batch` deletes.
fn batches_of(tree: &[String], batch: usize) -> Vec<Vec<MultiOp>> {
    let ops: Vec<MultiOp> = tree.iter().rev().map(|p| MultiOp::Delete { path: p.clone(), version: -1 }).collect();
    ops.chunks(batch.max(1)).map(<[MultiOp]>::to_vec).collect()
}

/// The async multi callback's `rc`: the header's error, else the first
/// failed op's.
fn multi_ok(result: &Result<Response, Code>) -> bool {
    match result {
        Ok(Response::Multi(results)) => !results.iter().any(|r| matches!(r, OpResult::Error(c) if *c != Code::Ok)),
        Ok(_) => true,
        Err(_) => false,
    }
}

struct Batches {
    batches: Vec<Vec<MultiOp>>,
    next: usize,
    in_flight: BTreeSet<u64>,
    success: bool,
    /// Java checks for failure once per batch, right after building it
    /// and before waiting for a free slot: whether `next` had its check.
    checked: bool,
    stopped: bool,
}

impl Batches {
    fn pump(&mut self, io: &mut Io) {
        while !self.stopped {
            let Some(ops) = self.batches.get(self.next) else { break };
            if !self.checked {
                if !self.success {
                    self.stopped = true;
                    break;
                }
                self.checked = true;
            }
            if self.in_flight.len() >= RATE_LIMIT {
                break;
            }
            let tag = io.request(Request::Multi(ops.clone()));
            self.in_flight.insert(tag);
            self.next += 1;
            self.checked = false;
        }
    }

    fn finished(&self) -> bool {
        self.in_flight.is_empty() && (self.stopped || self.next >= self.batches.len())
    }

    fn on_result(&mut self, tag: u64, result: &Result<Response, Code>, io: &mut Io) -> Flow {
        if !self.in_flight.remove(&tag) {
            return Flow::Waiting;
        }
        if !multi_ok(result) {
            self.success = false;
        }
        self.pump(io);
        if !self.finished() {
            return Flow::Waiting;
        }
        if !self.success {
            io.err("Failed to delete some node(s) in the subtree!");
        }
        Flow::Done
    }
}

impl DeleteAll {
    fn start_deleting(&mut self, io: &mut Io) -> Flow {
        match usize::try_from(self.batch) {
            Ok(size) if size > 0 => {
                let mut b = Batches {
                    batches: batches_of(&self.tree, size),
                    next: 0,
                    in_flight: BTreeSet::new(),
                    success: true,
                    checked: false,
                    stopped: false,
                };
                b.pump(io);
                self.phase = Phase::Batches(b);
                Flow::Waiting
            }
            _ => self.delete_one(self.tree.len().saturating_sub(1), io),
        }
    }

    fn delete_one(&mut self, index: usize, io: &mut Io) -> Flow {
        let Some(path) = self.tree.get(index) else { return Flow::Done };
        let tag = io.request(Request::Delete { path: path.clone(), version: -1 });
        self.phase = Phase::OneByOne { tag, index };
        Flow::Waiting
    }

    fn listed(&mut self, node: &str, children: Vec<String>, mut queue: VecDeque<String>, io: &mut Io) -> Flow {
        for c in children {
            let p = child_path(node, &c);
            self.tree.push(p.clone());
            queue.push_back(p);
        }
        match queue.pop_front() {
            Some(next) => {
                let tag = list(&next, io);
                self.phase = Phase::Listing { tag, node: next, queue };
                Flow::Waiting
            }
            None => self.start_deleting(io),
        }
    }
}

impl Task for DeleteAll {
    fn on_result(&mut self, tag: u64, result: Result<Response, Code>, io: &mut Io) -> Flow {
        match &mut self.phase {
            Phase::Listing { tag: t, node, queue } if *t == tag => {
                let (node, queue) = (std::mem::take(node), std::mem::take(queue));
                match result {
                    Ok(Response::Children { children, .. }) => self.listed(&node, children, queue, io),
                    Ok(_) => self.listed(&node, Vec::new(), queue, io),
                    Err(code) => {
                        fail(code, &node, io);
                        Flow::Done
                    }
                }
            }
            Phase::Batches(b) => b.on_result(tag, &result, io),
            Phase::OneByOne { tag: t, index } if *t == tag => {
                let index = *index;
                match result {
                    Err(code) => {
                        let path = self.tree.get(index).cloned().unwrap_or_default();
                        fail(code, &path, io);
                        Flow::Done
                    }
                    Ok(_) if index == 0 => Flow::Done,
                    Ok(_) => self.delete_one(index - 1, io),
                }
            }
            _ => Flow::Waiting,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::test_support::Harness;

    fn children(names: &[&str]) -> Result<Response, Code> {
        Ok(Response::Children { children: names.iter().map(|s| s.to_string()).collect(), stat: None })
    }

    fn paths(ops: &[MultiOp]) -> Vec<&str> {
        ops.iter().map(MultiOp::path).collect()
    }

    /// /a has b and c; /a/b has d. Answers the listing, returns the harness.
    fn listed(line: &str) -> Harness {
        let mut h = Harness::run(line);
        let script: &[(&str, &[&str])] = &[("/a", &["b", "c"]), ("/a/b", &["d"]), ("/a/c", &[]), ("/a/b/d", &[])];
        for (path, kids) in script {
            let reqs = h.take_requests();
            assert_eq!(reqs.len(), 1);
            let (tag, req) = &reqs[0];
            assert_eq!(*req, Request::GetChildren { path: path.to_string(), watch: false, with_stat: false });
            h.answer(*tag, children(kids));
        }
        h
    }

    #[test]
    fn batches_are_the_reversed_tree_cut_by_size() {
        let tree: Vec<String> = ["/a", "/a/b", "/a/c", "/a/b/d"].iter().map(|s| s.to_string()).collect();
        let one = batches_of(&tree, 1000);
        assert_eq!(one.len(), 1);
        assert_eq!(paths(&one[0]), vec!["/a/b/d", "/a/c", "/a/b", "/a"]);
        let three = batches_of(&tree, 3);
        assert_eq!(
            three.iter().map(|b| paths(b)).collect::<Vec<_>>(),
            vec![vec!["/a/b/d", "/a/c", "/a/b"], vec!["/a"]]
        );
        assert_eq!(batches_of(&tree, 1).len(), 4);
    }

    #[test]
    fn default_batch_deletes_in_one_multi() {
        let mut h = listed("deleteall /a");
        let reqs = h.take_requests();
        let [(tag, Request::Multi(ops))] = reqs.as_slice() else { panic!("one multi: {reqs:?}") };
        assert_eq!(paths(ops), vec!["/a/b/d", "/a/c", "/a/b", "/a"]);
        h.answer(*tag, Ok(Response::Multi(vec![OpResult::Delete; 4])));
        assert!(h.done());
        assert!(h.err().is_empty() && h.out().is_empty());
    }

    #[test]
    fn failed_batch_reports_and_stops_new_batches() {
        let mut h = listed("deleteall /a -b 1");
        // Four batches of one, all sent at once (under the rate limit).
        let reqs = h.take_requests();
        assert_eq!(reqs.len(), 4);
        h.answer(reqs[0].0, Ok(Response::Multi(vec![OpResult::Delete])));
        h.answer(reqs[1].0, Ok(Response::Multi(vec![OpResult::Error(Code::NoAuth)])));
        h.answer(reqs[2].0, Err(Code::ConnectionLoss));
        assert!(!h.done());
        h.answer(reqs[3].0, Ok(Response::Multi(vec![OpResult::Error(Code::NotEmpty)])));
        assert!(h.done());
        assert_eq!(h.err(), vec!["Failed to delete some node(s) in the subtree!"]);
    }

    #[test]
    fn at_most_ten_multis_in_flight_and_fail_fast() {
        // A flat tree: /r with 24 children, batch size 1 → 25 multis.
        let mut h = Harness::run("deleteall /r -b 1");
        let names: Vec<String> = (0..24).map(|i| format!("n{i:02}")).collect();
        let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
        assert_eq!(h.take_requests().len(), 1);
        h.answer(1, children(&name_refs));
        for _ in 0..24 {
            let reqs = h.take_requests();
            h.answer(reqs[0].0, children(&[]));
        }
        let first = h.take_requests();
        assert_eq!(first.len(), 10);
        // The eleventh batch had its check while all was well: a failure
        // now still lets it go, but not the twelfth.
        h.answer(first[0].0, Ok(Response::Multi(vec![OpResult::Error(Code::NoAuth)])));
        let more = h.take_requests();
        assert_eq!(more.len(), 1);
        for (tag, _) in first.iter().skip(1).chain(more.iter()) {
            h.answer(*tag, Ok(Response::Multi(vec![OpResult::Delete])));
        }
        assert!(h.done());
        assert!(h.take_requests().is_empty());
        assert_eq!(h.err(), vec!["Failed to delete some node(s) in the subtree!"]);
    }

    #[test]
    fn zero_batch_deletes_one_by_one_and_stops_at_first_error() {
        let mut h = listed("deleteall -b 0 /a");
        let order = ["/a/b/d", "/a/c"];
        for p in order {
            let reqs = h.take_requests();
            assert_eq!(reqs[0].1, Request::Delete { path: p.into(), version: -1 });
            h.answer(reqs[0].0, Ok(Response::Empty));
        }
        let reqs = h.take_requests();
        assert_eq!(reqs[0].1, Request::Delete { path: "/a/b".into(), version: -1 });
        h.answer(reqs[0].0, Err(Code::NotEmpty));
        assert!(h.done());
        assert_eq!(h.err(), vec!["Node not empty: /a/b"]);
    }

    #[test]
    fn root_children_join_without_double_slash() {
        let mut h = Harness::run("deleteall /");
        assert_eq!(h.take_requests().len(), 1);
        h.answer(1, children(&["x"]));
        assert_eq!(h.take_requests()[0].1, Request::GetChildren { path: "/x".into(), watch: false, with_stat: false });
    }

    #[test]
    fn refusals_and_listing_errors() {
        assert_eq!(Harness::run("deleteall").err(), vec!["deleteall path [-b batch size]"]);
        assert_eq!(Harness::run("deleteall /a -b x").err(), vec!["-b argument must be an int value"]);
        assert_eq!(Harness::run("deleteall a").err(), vec!["Path must start with / character"]);
        let mut h = Harness::run("deleteall /missing");
        h.answer(1, Err(Code::NoNode));
        assert!(h.done());
        assert_eq!(h.err(), vec!["Node does not exist: /missing"]);
    }
}
