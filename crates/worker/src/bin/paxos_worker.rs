//! The Web Worker entry of the Paxos page: one single-decree Paxos node per
//! worker. Each message is a `ToPaxosWorker` as bytes; each answer a
//! `FromPaxosWorker`.

#[cfg(target_arch = "wasm32")]
fn main() {
    use worker::paxos::{FromPaxosWorker, PaxosHost};
    use worker::{encode, serve};
    let mut host = PaxosHost::new();
    serve(move |bytes| host.handle_bytes(bytes), encode(&FromPaxosWorker::Ready));
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("paxos_worker runs only inside a browser's Web Worker (built by `make serve`).");
    std::process::exit(2);
}
