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

fn main() {
    #[cfg(target_arch = "wasm32")]
    // `?paxos` opens the Paxos page instead of the ZooKeeper one.
    if browser::query_param("paxos").is_some() {
        yew::Renderer::<components::paxos::PaxosPage>::new().render();
    } else {
        yew::Renderer::<app::App>::new().render();
    }
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("zooscope-web is the page's wasm binary; run `make serve` and open http://localhost:8080");
}
