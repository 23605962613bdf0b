//! Playback from the keyboard, for the lectern: space plays or pauses, `.`
//! steps, `-` and `+` change the speed. Keys typed into an input (a
//! console) are left alone.

use crate::components::playback::SPEEDS;
use crate::runtime::Runtime;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Removes the listener when dropped.
pub struct Listener {
    closure: Closure<dyn FnMut(web_sys::KeyboardEvent)>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            let _ = doc.remove_event_listener_with_callback("keydown", self.closure.as_ref().unchecked_ref());
        }
    }
}

fn typing(e: &web_sys::KeyboardEvent) -> bool {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"))
}

/// The next speed up or down the list (`max` is the fastest).
fn next_speed(current: f64, faster: bool) -> f64 {
    let order: Vec<f64> = SPEEDS.iter().map(|(v, _)| *v).collect();
    let i = order.iter().position(|v| (v - current).abs() < 1e-9).unwrap_or(2);
    let j = if faster { (i + 1).min(order.len() - 1) } else { i.saturating_sub(1) };
    order[j]
}

pub fn listen(rt: Rc<RefCell<Runtime>>, redraw: Rc<dyn Fn()>) -> Option<Listener> {
    let closure = Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(move |e: web_sys::KeyboardEvent| {
        if typing(&e) || e.ctrl_key() || e.meta_key() || e.alt_key() {
            return;
        }
        let Ok(mut r) = rt.try_borrow_mut() else { return };
        match e.key().as_str() {
            " " => {
                e.prevent_default();
                if r.playing {
                    r.pause();
                } else {
                    r.play();
                }
            }
            "." => r.step(),
            "-" => {
                let s = next_speed(r.speed, false);
                r.set_speed(s);
            }
            "+" | "=" => {
                let s = next_speed(r.speed, true);
                r.set_speed(s);
            }
            _ => return,
        }
        r.pump();
        drop(r);
        redraw();
    });
    let doc = web_sys::window()?.document()?;
    doc.add_event_listener_with_callback("keydown", closure.as_ref().unchecked_ref()).ok()?;
    Some(Listener { closure })
}
