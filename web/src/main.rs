//! ZooScope's page. The model, the player and the views' data are plain
//! Rust, built and tested natively too; the app and its runtime exist only
//! in the browser.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod bench;
#[cfg(target_arch = "wasm32")]
mod browser;
#[cfg(target_arch = "wasm32")]
mod hash;
#[cfg(target_arch = "wasm32")]
mod keys;
mod cap;
mod components;
mod model;
mod paxos_view;
mod player;
mod presets;
#[cfg(target_arch = "wasm32")]
mod runtime;
mod view;

/// `?paxos` opens the Paxos page instead of the ZooKeeper one.
#[cfg(target_arch = "wasm32")]
fn paxos_requested() -> bool {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .and_then(|s| web_sys::UrlSearchParams::new_with_str(&s).ok())
        .is_some_and(|p| p.has("paxos"))
}

fn main() {
    #[cfg(target_arch = "wasm32")]
    if paxos_requested() {
        yew::Renderer::<components::paxos::PaxosPage>::new().render();
    } else {
        yew::Renderer::<app::App>::new().render();
    }
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("zooscope-web is the page's wasm binary; run `make serve` and open http://localhost:8080");
}
