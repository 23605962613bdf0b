//! How a command talks to the host: it writes lines and makes client
//! calls through [`Io`], and when it has to wait for answers it becomes a
//! [`Task`] that the shell feeds with the results of its tags.

use crate::{Line, Reaction};
use zab::ClientCall;
use znode::{Code, Request, Response};

/// A command's view of the reaction being built, and the shell's tag
/// counter.
pub(crate) struct Io<'a> {
    pub reaction: &'a mut Reaction,
    pub next_tag: &'a mut u64,
}

impl Io<'_> {
    /// Print `text` on stdout; embedded line breaks make several lines,
    /// as `println` of a multi-line string does.
    pub(crate) fn out(&mut self, text: impl AsRef<str>) {
        for l in text.as_ref().split('\n') {
            self.reaction.lines.push(Line::Out(l.to_string()));
        }
    }

    pub(crate) fn err(&mut self, text: impl AsRef<str>) {
        for l in text.as_ref().split('\n') {
            self.reaction.lines.push(Line::Err(l.to_string()));
        }
    }

    pub(crate) fn out_lines(&mut self, lines: impl IntoIterator<Item = String>) {
        self.reaction.lines.extend(lines.into_iter().map(Line::Out));
    }

    pub(crate) fn err_lines(&mut self, lines: impl IntoIterator<Item = String>) {
        self.reaction.lines.extend(lines.into_iter().map(Line::Err));
    }

    fn tag(&mut self) -> u64 {
        let t = *self.next_tag;
        *self.next_tag = t.wrapping_add(1);
        t
    }

    /// Send `req`; its answer comes back with the returned tag.
    pub(crate) fn request(&mut self, req: Request) -> u64 {
        let tag = self.tag();
        self.reaction.calls.push(ClientCall::Request { tag, req });
        tag
    }

    pub(crate) fn remove_watches(&mut self, path: String, kind: znode::WatcherType, local: bool) -> u64 {
        let tag = self.tag();
        self.reaction.calls.push(ClientCall::RemoveWatches { tag, path, kind, local });
        tag
    }

    pub(crate) fn close(&mut self) -> u64 {
        let tag = self.tag();
        self.reaction.calls.push(ClientCall::Close { tag });
        tag
    }

    /// A call with no answer (`addauth`).
    pub(crate) fn call(&mut self, c: ClientCall) {
        self.reaction.calls.push(c);
    }
}

/// Whether a task is finished.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flow {
    Waiting,
    Done,
}

/// A command waiting for client answers. It receives every result of the
/// shell's client and must ignore tags it does not own.
pub(crate) trait Task {
    fn on_result(&mut self, tag: u64, result: Result<Response, Code>, io: &mut Io) -> Flow;
}

/// What a command left running after its line was read: nothing, or a
/// task to feed.
pub(crate) type Started = Option<Box<dyn Task>>;

/// A command that makes one call and finishes with its answer.
struct OneCall<F> {
    tag: u64,
    finish: Option<F>,
}

impl<F> Task for OneCall<F>
where
    F: FnOnce(Result<Response, Code>, &mut Io),
{
    fn on_result(&mut self, tag: u64, result: Result<Response, Code>, io: &mut Io) -> Flow {
        if tag != self.tag {
            return Flow::Waiting;
        }
        if let Some(f) = self.finish.take() {
            f(result, io);
        }
        Flow::Done
    }
}

/// Wait for the answer to `tag`, then run `finish`.
pub(crate) fn await_tag<F>(tag: u64, finish: F) -> Started
where
    F: FnOnce(Result<Response, Code>, &mut Io) + 'static,
{
    Some(Box::new(OneCall { tag, finish: Some(finish) }))
}

/// Send `req` and run `finish` on its answer.
pub(crate) fn one_request<F>(io: &mut Io, req: Request, finish: F) -> Started
where
    F: FnOnce(Result<Response, Code>, &mut Io) + 'static,
{
    let tag = io.request(req);
    await_tag(tag, finish)
}
