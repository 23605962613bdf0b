//! The Web Worker entry: one ZooKeeper server per worker, reached only by
//! postMessage. Each message is a `ToWorker` as bytes; each answer a
//! `FromWorker`.

#[cfg(target_arch = "wasm32")]
fn main() {
    use worker::{encode, serve, FromWorker, WorkerHost};
    let mut host = WorkerHost::new();
    serve(move |bytes| host.handle_bytes(bytes), encode(&FromWorker::Ready));
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("server_worker runs only inside a browser's Web Worker (built by `make serve`).");
    std::process::exit(2);
}
