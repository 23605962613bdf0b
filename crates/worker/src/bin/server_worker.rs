//! The Web Worker entry: one ZooKeeper server per worker, reached only by
//! postMessage. Each message is a `ToWorker` as bytes; each answer a
//! `FromWorker`. The worker says `Ready` first, because messages the page
//! posts before the wasm is instantiated are lost.

#[cfg(target_arch = "wasm32")]
fn main() {
    use std::cell::RefCell;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};
    use worker::{encode, FromWorker, WorkerHost};

    let Ok(scope) = js_sys::global().dyn_into::<DedicatedWorkerGlobalScope>() else {
        return;
    };
    let host = RefCell::new(WorkerHost::new());
    let reply_scope = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let bytes = js_sys::Uint8Array::new(&e.data()).to_vec();
        let answer = host.borrow_mut().handle_bytes(&bytes);
        let array = js_sys::Uint8Array::from(answer.as_slice());
        let _ = reply_scope.post_message(&array);
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let ready = js_sys::Uint8Array::from(encode(&FromWorker::Ready).as_slice());
    let _ = scope.post_message(&ready);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("server_worker runs only inside a browser's Web Worker (built by `make serve`).");
    std::process::exit(2);
}
