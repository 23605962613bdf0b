//! A link pasted into the address bar of an open page changes only the
//! fragment, so the browser does not reload: the page opens it itself.
//! (The page's own fragment updates use `history.replaceState`, which
//! fires no `hashchange`, so every event here comes from the user.)

use crate::runtime::Runtime;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Removes the listener when dropped.
pub struct Listener {
    closure: Closure<dyn FnMut(web_sys::Event)>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let Some(w) = web_sys::window() {
            let _ = w.remove_event_listener_with_callback("hashchange", self.closure.as_ref().unchecked_ref());
        }
    }
}

pub fn listen(rt: Rc<RefCell<Runtime>>, redraw: Rc<dyn Fn()>) -> Option<Listener> {
    let closure = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
        let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
        if hash.len() <= 1 {
            return;
        }
        let Ok(mut r) = rt.try_borrow_mut() else { return };
        match sim::link::decode(&hash) {
            Ok(s) => r.load(s),
            Err(e) => r.notice = Some(format!("This link cannot be opened ({e}); the page goes on with what it showed.")),
        }
        r.version += 1;
        drop(r);
        redraw();
    });
    let w = web_sys::window()?;
    w.add_event_listener_with_callback("hashchange", closure.as_ref().unchecked_ref()).ok()?;
    Some(Listener { closure })
}
