//! `ZKUtil.visitSubTreeDFS`, as `ls -R` and `setAcl -R` use it: read the
//! root (with a watch if asked), visit it, then for each node list its
//! children (sorted), visit all of them, and descend into each in turn. A
//! node that disappears before it is listed is skipped; any other error
//! ends the walk.

use super::{fail, path_ok};
use crate::task::{Flow, Io, Started, Task};
use std::collections::VecDeque;
use znode::{Code, Request, Response};

/// What the walk does at each node, in visit order.
pub(super) trait Visitor {
    /// Visit `path`; a request sent here is answered (to
    /// [`Visitor::on_answer`]) before the walk goes on, as Java's
    /// synchronous callback is.
    fn visit(&mut self, path: &str, io: &mut Io) -> Option<u64>;

    fn on_answer(&mut self, _result: Result<Response, Code>, _io: &mut Io) {}

    /// The walk ended (completely or not).
    fn finish(&mut self, _io: &mut Io) {}
}

enum Waiting {
    Root(u64),
    Children(u64, String),
    Visit(u64),
}

struct Walk<V> {
    root: String,
    watch: bool,
    visitor: V,
    waiting: Waiting,
    /// Nodes listed but not yet visited.
    to_visit: VecDeque<String>,
    /// Nodes still to be listed, one frame per level (last = next).
    to_list: Vec<Vec<String>>,
}

pub(super) fn walk<V: Visitor + 'static>(root: &str, watch: bool, visitor: V, io: &mut Io) -> Started {
    if !path_ok(root, io) {
        return None;
    }
    let tag = io.request(Request::GetData { path: root.to_string(), watch });
    Some(Box::new(Walk {
        root: root.to_string(),
        watch,
        visitor,
        waiting: Waiting::Root(tag),
        to_visit: VecDeque::new(),
        to_list: Vec::new(),
    }))
}

fn child_path(parent: &str, child: &str) -> String {
    if parent == "/" {
        format!("/{child}")
    } else {
        format!("{parent}/{child}")
    }
}

impl<V: Visitor> Walk<V> {
    fn advance(&mut self, io: &mut Io) -> Flow {
        while let Some(p) = self.to_visit.pop_front() {
            if let Some(tag) = self.visitor.visit(&p, io) {
                self.waiting = Waiting::Visit(tag);
                return Flow::Waiting;
            }
        }
        while let Some(frame) = self.to_list.last_mut() {
            if let Some(p) = frame.pop() {
                let tag = io.request(Request::GetChildren { path: p.clone(), watch: self.watch, with_stat: true });
                self.waiting = Waiting::Children(tag, p);
                return Flow::Waiting;
            }
            self.to_list.pop();
        }
        self.visitor.finish(io);
        Flow::Done
    }

    fn abort(&mut self, code: Code, path: &str, io: &mut Io) -> Flow {
        self.visitor.finish(io);
        fail(code, path, io);
        Flow::Done
    }

    fn listed(&mut self, parent: &str, mut children: Vec<String>, io: &mut Io) -> Flow {
        children.sort();
        let paths: Vec<String> = children.iter().map(|c| child_path(parent, c)).collect();
        self.to_visit.extend(paths.iter().cloned());
        self.to_list.push(paths.into_iter().rev().collect());
        self.advance(io)
    }
}

impl<V: Visitor> Task for Walk<V> {
    fn on_result(&mut self, tag: u64, result: Result<Response, Code>, io: &mut Io) -> Flow {
        match &self.waiting {
            Waiting::Root(t) if *t == tag => match result {
                Ok(_) => {
                    self.to_visit.push_back(self.root.clone());
                    self.to_list.push(vec![self.root.clone()]);
                    self.advance(io)
                }
                Err(code) => {
                    let root = self.root.clone();
                    self.abort(code, &root, io)
                }
            },
            Waiting::Children(t, parent) if *t == tag => {
                let parent = parent.clone();
                match result {
                    Ok(Response::Children { children, .. }) => self.listed(&parent, children, io),
                    Ok(_) | Err(Code::NoNode) => self.advance(io),
                    Err(code) => self.abort(code, &parent, io),
                }
            }
            Waiting::Visit(t) if *t == tag => {
                self.visitor.on_answer(result, io);
                self.advance(io)
            }
            _ => Flow::Waiting,
        }
    }
}
