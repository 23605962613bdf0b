//! Runs the world in the browser: in real time, on the main thread, with
//! the server in its own Web Worker reached only by postMessage. The world
//! never blocks: when it hands the server an input it stops, and goes on
//! when the worker's answer comes back.

use crate::model::{Command, Model};
use actor::{Duration, Instant, NodeId};
use sim::{Stepped, World};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};
use worker::{decode, encode, FromWorker, NodeSpec, ToWorker};
use zab::{Client, ClientConfig, ServerConfig, Zk};

/// One-way latency of every link on the page (loopback-like).
const LINK_LATENCY: Duration = Duration::from_micros(200);
/// How long a disk sync takes (an SSD's fsync).
const DISK_LATENCY: Duration = Duration::from_millis(1);
/// The script Trunk generates for the worker binary.
const WORKER_SCRIPT: &str = "./server_worker_loader.js";

/// Where the worker is in its start-up.
#[derive(Clone, Debug, PartialEq)]
pub enum WorkerState {
    Starting,
    Running,
    Failed(String),
}

/// The world, the page's model, and the worker that hosts the server.
pub struct Runtime {
    pub world: World<Zk>,
    pub model: Model,
    pub worker_state: WorkerState,
    /// postMessage round trips to the worker so far.
    pub round_trips: u64,
    server: NodeId,
    clients: Vec<NodeId>,
    origin_ms: f64,
    worker: Option<Worker>,
    /// Messages from the worker, not yet handled. Kept apart from the rest
    /// so the worker's callback never needs the runtime itself.
    inbox: Rc<RefCell<Vec<Vec<u8>>>>,
}

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
}

impl Runtime {
    pub fn new() -> Self {
        let server = NodeId(1);
        let clients = vec![NodeId(101), NodeId(102)];
        let mut world = World::with_latency(LINK_LATENCY);
        world.add_remote_node(server, DISK_LATENCY);
        for (i, &c) in clients.iter().enumerate() {
            let cfg = ClientConfig {
                me: c,
                servers: vec![server],
                session_timeout_ms: 30_000,
                can_be_read_only: false,
                addr: "127.0.0.1".into(),
                seed: 0x5eed + i as u64,
            };
            world.add_node(c, Box::new(Client::new(cfg)), Duration::ZERO);
        }
        let model = Model::new(server, &[("a", clients[0]), ("b", clients[1])]);
        Runtime {
            world,
            model,
            worker_state: WorkerState::Starting,
            round_trips: 0,
            server,
            clients,
            origin_ms: now_ms(),
            worker: None,
            inbox: Rc::new(RefCell::new(Vec::new())),
        }
    }

    /// The world's time that corresponds to now.
    fn virtual_now(&self) -> Instant {
        let elapsed = (now_ms() - self.origin_ms).max(0.0);
        Instant((elapsed * 1000.0) as u64)
    }

    /// Start the worker; `redraw` is called whenever the page should redraw.
    pub fn start(rt: &Rc<RefCell<Runtime>>, redraw: Rc<dyn Fn()>) {
        let opts = WorkerOptions::new();
        opts.set_type(WorkerType::Module);
        let worker = match Worker::new_with_options(WORKER_SCRIPT, &opts) {
            Ok(w) => w,
            Err(e) => {
                rt.borrow_mut().worker_state = WorkerState::Failed(format!("cannot start the server worker: {e:?}"));
                redraw();
                return;
            }
        };
        let inbox = Rc::clone(&rt.borrow().inbox);
        let rt2 = Rc::clone(rt);
        let redraw2 = Rc::clone(&redraw);
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            inbox.borrow_mut().push(js_sys::Uint8Array::new(&e.data()).to_vec());
            // If the runtime is busy, the next pump drains the inbox.
            if let Ok(mut r) = rt2.try_borrow_mut() {
                r.pump();
            }
            redraw2();
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        let rt3 = Rc::clone(rt);
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_e: web_sys::Event| {
            if let Ok(mut r) = rt3.try_borrow_mut() {
                r.worker_state = WorkerState::Failed("the server worker failed to load or crashed".into());
            }
            redraw();
        });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
        rt.borrow_mut().worker = Some(worker);
    }

    fn post(&mut self, msg: &ToWorker) {
        if let Some(w) = &self.worker {
            let array = js_sys::Uint8Array::from(encode(msg).as_slice());
            if w.post_message(&array).is_err() {
                self.worker_state = WorkerState::Failed("postMessage to the server worker failed".into());
            }
        }
    }

    fn on_worker_message(&mut self, bytes: &[u8]) {
        match decode::<FromWorker>(bytes) {
            Ok(FromWorker::Ready) => {
                // The live page stamps transactions with today's date; the
                // world's clock starts at zero when the page opened.
                let wall_clock_base_ms = (js_sys::Date::now() - (now_ms() - self.origin_ms)) as i64;
                let config = ServerConfig { wall_clock_base_ms, ..ServerConfig::sample() };
                let spec = NodeSpec::Standalone { config };
                self.post(&ToWorker::Create { node: self.server, spec });
            }
            Ok(FromWorker::Created { .. }) => {
                self.worker_state = WorkerState::Running;
                self.world.idle_until(self.virtual_now());
                self.world.boot(self.server);
                for c in self.clients.clone() {
                    self.world.boot(c);
                }
            }
            Ok(FromWorker::Effects { node, items }) => {
                self.round_trips += 1;
                for effects in items {
                    if let Err(e) = self.world.complete(node, effects) {
                        self.worker_state = WorkerState::Failed(e);
                    }
                }
            }
            Ok(FromWorker::Failed { error }) => self.worker_state = WorkerState::Failed(error),
            Err(e) => self.worker_state = WorkerState::Failed(e),
        }
    }

    /// Handle the worker's messages, run everything due by now, hand remote
    /// inputs to the worker, and feed the log to the model (whose consoles
    /// may make new calls).
    pub fn pump(&mut self) {
        let messages = std::mem::take(&mut *self.inbox.borrow_mut());
        for m in messages {
            self.on_worker_message(&m);
        }
        if self.worker_state != WorkerState::Running {
            return;
        }
        loop {
            let target = self.virtual_now();
            while self.world.next_time().is_some_and(|t| t <= target) {
                if self.world.step() == Stepped::Waiting {
                    break;
                }
            }
            for o in self.world.take_outbox() {
                self.post(&ToWorker::Step { items: vec![(o.now, o.input)] });
            }
            self.world.idle_until(target);
            let entries = self.world.take_log();
            let commands = self.model.apply(&entries);
            if commands.is_empty() {
                return;
            }
            self.run(commands);
        }
    }

    fn run(&mut self, commands: Vec<Command>) {
        for Command { node, call } in commands {
            self.world.call(node, call);
        }
    }

    /// The user typed a line into console `i`.
    pub fn submit(&mut self, i: usize, line: &str) {
        self.pump();
        let commands = self.model.submit(i, line);
        self.run(commands);
        self.pump();
    }
}
