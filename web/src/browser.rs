//! The few browser services the page uses beyond drawing: the address
//! bar and its query, the clipboard, downloads, reading a chosen file and
//! starting a worker. Every call
//! goes through `Reflect`/`Function::call`, so a browser that lacks a
//! service or refuses it (an insecure page, a denied permission) gives an
//! error value, never an uncaught exception.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Start a module worker from `script`: the bytes of each message it posts
/// go to `on_message`; its failing to load, or crashing, to `on_error`.
pub fn spawn_worker(
    script: &str,
    mut on_message: impl FnMut(Vec<u8>) + 'static,
    mut on_error: impl FnMut() + 'static,
) -> Result<web_sys::Worker, String> {
    let opts = web_sys::WorkerOptions::new();
    opts.set_type(web_sys::WorkerType::Module);
    let worker = web_sys::Worker::new_with_options(script, &opts).map_err(|e| format!("{e:?}"))?;
    let message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
        on_message(js_sys::Uint8Array::new(&e.data()).to_vec());
    });
    worker.set_onmessage(Some(message.as_ref().unchecked_ref()));
    message.forget();
    let error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_e: web_sys::Event| on_error());
    worker.set_onerror(Some(error.as_ref().unchecked_ref()));
    error.forget();
    Ok(worker)
}

/// The value of `name` in the page's query string (`?bench`, `?speed=1`).
pub fn query_param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params.has(name).then(|| params.get(name).unwrap_or_default())
}

/// The page's URL without its fragment.
pub fn page_url() -> String {
    let href = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
    href.split('#').next().unwrap_or_default().to_string()
}

/// Put a fragment in the address bar without reloading or adding history.
pub fn set_fragment(fragment: &str) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let history = window.history().map_err(|_| "no history")?;
    history
        .replace_state_with_url(&JsValue::NULL, "", Some(&format!("{}{}", page_url(), fragment)))
        .map_err(|e| format!("the address bar refused the link: {e:?}"))
}

/// Copy `text`; `done` learns whether the browser let it.
pub fn copy(text: &str, done: impl FnOnce(Result<(), String>) + 'static) {
    let promise = (|| -> Result<Promise, String> {
        let navigator = web_sys::window().ok_or("no window")?.navigator();
        let clipboard = Reflect::get(&navigator, &"clipboard".into()).map_err(|_| "no clipboard")?;
        if clipboard.is_undefined() || clipboard.is_null() {
            return Err("this page may not use the clipboard".into());
        }
        let write: Function = Reflect::get(&clipboard, &"writeText".into())
            .ok()
            .and_then(|f| f.dyn_into().ok())
            .ok_or("the clipboard cannot take text")?;
        let p = write.call1(&clipboard, &text.into()).map_err(|e| format!("the clipboard refused: {e:?}"))?;
        p.dyn_into::<Promise>().map_err(|_| "the clipboard answered strangely".to_string())
    })();
    match promise {
        Err(e) => done(Err(e)),
        Ok(p) => settle(p, move |r| done(r.map(|_| ()))),
    }
}

/// Call `done` once `p` settles, with its value or why it failed. A
/// rejection is handled here, so it never becomes an uncaught error.
pub fn settle(p: Promise, done: impl FnOnce(Result<JsValue, String>) + 'static) {
    let done = std::rc::Rc::new(std::cell::RefCell::new(Some(done)));
    let ok = {
        let done = done.clone();
        Closure::<dyn FnMut(JsValue)>::new(move |v: JsValue| {
            if let Some(f) = done.borrow_mut().take() {
                f(Ok(v));
            }
        })
    };
    let err = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
        if let Some(f) = done.borrow_mut().take() {
            f(Err(e.as_string().unwrap_or_else(|| format!("{e:?}"))));
        }
    });
    let _ = p.then2(&ok, &err);
    // Both must outlive the promise; one of each per user action.
    ok.forget();
    err.forget();
}

/// Offer `text` as a file to save.
pub fn download(name: &str, mime: &str, text: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts)
        .map_err(|e| format!("cannot make the file: {e:?}"))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| format!("cannot offer the file: {e:?}"))?;
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| "cannot make a link")?
        .dyn_into()
        .map_err(|_| "cannot make a link")?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// Read the first file an `<input type=file>` holds, as text.
pub fn read_file(input: &web_sys::HtmlInputElement, done: impl FnOnce(Result<(String, String), String>) + 'static) {
    let Some(file) = input.files().and_then(|f| f.get(0)) else {
        done(Err("no file chosen".into()));
        return;
    };
    let name = file.name();
    settle(file.text(), move |r| {
        done(r.and_then(|v| v.as_string().map(|t| (name, t)).ok_or_else(|| "the file is not text".to_string())))
    });
}
