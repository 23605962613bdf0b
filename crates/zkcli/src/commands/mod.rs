//! zkCli's `CliCommand`s: each parses its words as its Java class does,
//! prints the same errors, and makes the same client calls.

mod acl;
mod create;
mod delete;
mod deleteall;
mod ls;
mod read;
pub(crate) mod session;
mod set;
mod subtree;
mod watches;

use crate::cli_options::{self, Opt, Parsed};
use crate::errors::keeper_error;
use crate::task::{Io, Started};
use crate::usage::command_usage;
use znode::Code;

pub use session::VERSION;

/// Run CLI command `name` (`tokens[0]`); `None` for a name that is not a
/// `CliCommand` (the shell's own commands).
pub(crate) fn run(name: &str, tokens: Vec<String>, io: &mut Io) -> Option<Started> {
    Some(match name {
        "ls" => ls::run(tokens, io),
        "create" => create::run(&tokens, io),
        "get" => read::get(tokens, io),
        "stat" => read::stat(tokens, io),
        "set" => set::run(&tokens, io),
        "delete" => delete::run(&tokens, io),
        "deleteall" => deleteall::run(&tokens, io),
        "getAcl" => acl::get(&tokens, io),
        "setAcl" => acl::set(&tokens, io),
        "addWatch" => watches::add(&tokens, io),
        "removewatches" => watches::remove(&tokens, io),
        "addauth" => session::addauth(&tokens, io),
        "close" => session::close(io),
        "whoami" => session::whoami(io),
        "version" => session::version(&tokens, io),
        "sync" => read::sync(&tokens, io),
        "getEphemerals" => read::ephemerals(&tokens, io),
        "getAllChildrenNumber" => read::all_children_number(&tokens, io),
        _ => return None,
    })
}

/// `DefaultParser.parse`, printing the `CliParseException` on failure.
fn parse(spec: &[Opt], tokens: &[String], io: &mut Io) -> Option<Parsed> {
    match cli_options::parse(spec, tokens) {
        Ok(p) => Some(p),
        Err(e) => {
            io.err(e);
            None
        }
    }
}

/// Print the command's usage string (stderr) as its exception does.
fn usage(name: &str, options: Option<&[Opt]>, io: &mut Io) -> Started {
    io.err_lines(command_usage(name, options));
    None
}

/// The client library's `PathUtils.validatePath` before any call: the
/// `IllegalArgumentException` text is what zkCli prints.
fn path_ok(path: &str, io: &mut Io) -> bool {
    match znode::path::validate_path(path) {
        Ok(()) => true,
        Err(e) => {
            io.err(e.0);
            false
        }
    }
}

fn fail(code: Code, path: &str, io: &mut Io) {
    io.err(keeper_error(code, Some(path)));
}

/// The deprecated `cmd path watch` forms: a third word makes zkCli warn,
/// put `-w` in the command's third word (whatever that word was), and
/// parse again; `delete path version` warns and parses the same words.
fn retain_compatibility(
    tokens: &mut [String],
    parsed: Parsed,
    spec: &[Opt],
    warning: &str,
    rewrite_as_watch: bool,
    io: &mut Io,
) -> Option<Parsed> {
    if parsed.args.len() <= 2 {
        return Some(parsed);
    }
    if rewrite_as_watch {
        if let Some(t) = tokens.get_mut(2) {
            *t = "-w".to_string();
        }
    }
    io.err(warning);
    parse(spec, tokens, io)
}

/// `Integer.parseInt` of an option value, where zkCli would die with an
/// uncaught `NumberFormatException`: the exception's text instead.
fn int_option(parsed: &Parsed, name: char, default: i32, io: &mut Io) -> Option<i32> {
    match parsed.value(name) {
        None => Some(default),
        Some(v) => {
            let n = crate::java::parse_int(v);
            if n.is_none() {
                io.err(crate::java::number_format_error(v));
            }
            n
        }
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Drive one command without a client: collect what it prints and
    //! asks, and answer its calls by hand.

    use crate::task::{Flow, Io, Started};
    use crate::{Line, Reaction};
    use zab::ClientCall;
    use znode::{Code, Request, Response};

    pub(crate) struct Harness {
        pub reaction: Reaction,
        pub next_tag: u64,
        pub task: Started,
    }

    impl Harness {
        pub(crate) fn run(line: &str) -> Harness {
            let tokens = crate::tokenize::split_args(line);
            let mut h = Harness { reaction: Reaction::default(), next_tag: 1, task: None };
            let name = tokens.first().cloned().unwrap_or_default();
            let mut io = Io { reaction: &mut h.reaction, next_tag: &mut h.next_tag };
            h.task = super::run(&name, tokens, &mut io).flatten();
            h
        }

        pub(crate) fn done(&self) -> bool {
            self.task.is_none()
        }

        /// Requests asked for since the last call, with their tags.
        pub(crate) fn take_requests(&mut self) -> Vec<(u64, Request)> {
            std::mem::take(&mut self.reaction.calls)
                .into_iter()
                .filter_map(|c| match c {
                    ClientCall::Request { tag, req } => Some((tag, req)),
                    _ => None,
                })
                .collect()
        }

        pub(crate) fn answer(&mut self, tag: u64, result: Result<Response, Code>) {
            let mut io = Io { reaction: &mut self.reaction, next_tag: &mut self.next_tag };
            if let Some(t) = self.task.as_mut() {
                if t.on_result(tag, result, &mut io) == Flow::Done {
                    self.task = None;
                }
            }
        }

        pub(crate) fn out(&self) -> Vec<String> {
            self.reaction
                .lines
                .iter()
                .filter_map(|l| match l {
                    Line::Out(s) => Some(s.clone()),
                    Line::Err(_) => None,
                })
                .collect()
        }

        pub(crate) fn err(&self) -> Vec<String> {
            self.reaction
                .lines
                .iter()
                .filter_map(|l| match l {
                    Line::Err(s) => Some(s.clone()),
                    Line::Out(_) => None,
                })
                .collect()
        }
    }
}
