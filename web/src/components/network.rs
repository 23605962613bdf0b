//! The network editor: the selected link's latency, jitter, loss and
//! duplication, cutting it one way or both; a board to drag servers and
//! clients into partition sides (or click a chip to move it on); and the
//! presets. Every edit becomes a fault in the recorded scenario, so it
//! replays.

use crate::presets::Preset;
use sim::LinkSpec;
use std::collections::BTreeMap;
use std::rc::Rc;
use yew::prelude::*;

/// What the editor asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum NetAction {
    SelectLink(Option<(u32, u32)>),
    /// Set the link `a → b` (and `b → a` if `both`).
    SetLink { a: u32, b: u32, spec: LinkSpec, both: bool },
    Cut { a: u32, b: u32, both: bool },
    Restore { a: u32, b: u32 },
    Partition(Vec<Vec<u32>>),
    Heal,
    Preset(Preset),
}

/// One direction of the selected link, as it is now.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkState {
    pub spec: LinkSpec,
    pub cut: bool,
}

#[derive(Properties, PartialEq)]
pub struct NetworkProps {
    /// Every node that can be put on a side: (id, label).
    pub nodes: Rc<Vec<(u32, String)>>,
    /// The selected link and both its directions.
    pub link: Option<(u32, u32, LinkState, LinkState)>,
    /// The partition in force: side of each node (nodes on no side reach
    /// everyone).
    pub sides: Rc<BTreeMap<u32, usize>>,
    pub on_action: Callback<NetAction>,
    /// Offer ZooKeeper's presets (the Paxos page has its own).
    #[prop_or(true)]
    pub presets: bool,
    /// Links to choose from in the editor itself, for a page with no
    /// drawing of the cluster to click a line in.
    #[prop_or_default]
    pub pairs: Option<Rc<Vec<(u32, u32)>>>,
}

/// How many sides the board offers.
const SIDES: usize = 3;

fn ms(us: u64) -> String {
    format!("{}", us as f64 / 1000.0)
}

fn pct(ppm: u32) -> String {
    format!("{}", ppm as f64 / 10_000.0)
}

fn input_value(id: &str) -> Option<f64> {
    let doc = web_sys::window()?.document()?;
    let el = doc.get_element_by_id(id)?;
    let input: web_sys::HtmlInputElement = wasm_bindgen::JsCast::dyn_into(el).ok()?;
    input.value().trim().parse::<f64>().ok().filter(|v| v.is_finite() && *v >= 0.0)
}

fn checked(id: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|el| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(el).ok())
        .is_some_and(|i| i.checked())
}

/// The link form's values, or what is wrong with them.
fn read_spec() -> Result<LinkSpec, String> {
    let get = |id: &str, what: &str| input_value(id).ok_or_else(|| format!("{what} must be a number ≥ 0"));
    let latency = get("net-latency", "latency")?;
    let jitter = get("net-jitter", "jitter")?;
    let loss = get("net-loss", "loss")?;
    let dup = get("net-dup", "duplication")?;
    if loss > 100.0 || dup > 100.0 {
        return Err("loss and duplication are percentages (0–100)".into());
    }
    let spec = LinkSpec {
        latency_us: (latency * 1000.0).round() as u64,
        jitter_us: (jitter * 1000.0).round() as u64,
        loss_ppm: (loss * 10_000.0).round() as u32,
        dup_ppm: (dup * 10_000.0).round() as u32,
    };
    spec.validate()?;
    Ok(spec)
}

#[component]
pub fn Network(props: &NetworkProps) -> Html {
    // The board's own arrangement until applied; reset when the partition
    // in force changes.
    let board = use_state(|| (*props.sides).clone());
    let error = use_state(|| None::<String>);
    {
        let board = board.clone();
        use_effect_with(props.sides.clone(), move |sides| {
            board.set((**sides).clone());
        });
    }
    let dragging = use_mut_ref(|| None::<u32>);

    let link_editor = match (&props.link, &props.pairs) {
        (None, Some(pairs)) => html! {
            <div class="pairs" data-role="link-hint">
                <span class="hint">{ "Edit a link: " }</span>
                { for pairs.iter().map(|(a, b)| {
                    let cb = props.on_action.clone();
                    let (a, b) = (*a, *b);
                    html! {
                        <button class="chip" onclick={Callback::from(move |_: MouseEvent| cb.emit(NetAction::SelectLink(Some((a, b)))))}
                            data-pair={format!("{a}-{b}")}>{ format!("{a} ↔ {b}") }</button>
                    }
                }) }
            </div>
        },
        (None, None) => html! {
            <p class="hint" data-role="link-hint">{ "Click a line between two servers to edit that link." }</p>
        },
        (Some((a, b, ab, ba)), _) => {
            let (a, b) = (*a, *b);
            let apply = {
                let cb = props.on_action.clone();
                let error = error.clone();
                Callback::from(move |_: MouseEvent| match read_spec() {
                    Ok(spec) => {
                        error.set(None);
                        cb.emit(NetAction::SetLink { a, b, spec, both: checked("net-both") });
                    }
                    Err(e) => error.set(Some(e)),
                })
            };
            let cut = {
                let cb = props.on_action.clone();
                Callback::from(move |_: MouseEvent| cb.emit(NetAction::Cut { a, b, both: checked("net-both") }))
            };
            let restore = {
                let cb = props.on_action.clone();
                Callback::from(move |_: MouseEvent| cb.emit(NetAction::Restore { a, b }))
            };
            let close = {
                let cb = props.on_action.clone();
                Callback::from(move |_: MouseEvent| cb.emit(NetAction::SelectLink(None)))
            };
            let dir = |from: u32, to: u32, s: &LinkState| {
                format!(
                    "{from} → {to}: {} ms ± {} ms, {} % loss, {} % dup{}",
                    ms(s.spec.latency_us),
                    ms(s.spec.jitter_us),
                    pct(s.spec.loss_ppm),
                    pct(s.spec.dup_ppm),
                    if s.cut { " · CUT" } else { "" }
                )
            };
            html! {
                <div class="link-editor" data-role="link-editor" data-link={format!("{a}-{b}")}>
                    <h3>{ format!("Link {a} ↔ {b}") }</h3>
                    <p class="small">{ dir(a, b, ab) }<br />{ dir(b, a, ba) }</p>
                    <div class="fields" key={format!("{a}-{b}")}>
                        <label>{ "latency ms" }<input id="net-latency" type="number" min="0" step="1" value={ms(ab.spec.latency_us)} /></label>
                        <label>{ "jitter ms" }<input id="net-jitter" type="number" min="0" step="1" value={ms(ab.spec.jitter_us)} /></label>
                        <label>{ "loss %" }<input id="net-loss" type="number" min="0" max="100" step="0.1" value={pct(ab.spec.loss_ppm)} /></label>
                        <label>{ "dup %" }<input id="net-dup" type="number" min="0" max="100" step="0.1" value={pct(ab.spec.dup_ppm)} /></label>
                        <label class="check"><input id="net-both" type="checkbox" checked=true />{ format!("both ways (else only {a} → {b})") }</label>
                    </div>
                    <div class="row">
                        <button onclick={apply} data-action="set-link">{ "Apply" }</button>
                        <button onclick={cut} data-action="cut">{ "Cut" }</button>
                        <button onclick={restore} data-action="restore" disabled={!ab.cut && !ba.cut}>{ "Restore" }</button>
                        <button onclick={close}>{ "Done" }</button>
                    </div>
                    if let Some(e) = &*error {
                        <p class="error" role="alert">{ e.clone() }</p>
                    }
                </div>
            }
        }
    };

    let chip = |id: u32, label: &str| {
        let on_click = {
            let board = board.clone();
            Callback::from(move |_: MouseEvent| {
                let mut b = (*board).clone();
                let next = b.get(&id).map_or(0, |s| s + 1);
                if next >= SIDES {
                    b.remove(&id);
                } else {
                    b.insert(id, next);
                }
                board.set(b);
            })
        };
        let on_drag = {
            let dragging = dragging.clone();
            Callback::from(move |e: DragEvent| {
                *dragging.borrow_mut() = Some(id);
                if let Some(dt) = e.data_transfer() {
                    let _ = dt.set_data("text/plain", &id.to_string());
                }
            })
        };
        html! {
            <button class="chip" draggable="true" ondragstart={on_drag} onclick={on_click} data-node={id.to_string()}
                title="drag to a side, or click to move it to the next side">{ label.to_string() }</button>
        }
    };
    let zone = |side: Option<usize>, title: &str| {
        let on_over = Callback::from(|e: DragEvent| e.prevent_default());
        let on_drop = {
            let board = board.clone();
            let dragging = dragging.clone();
            Callback::from(move |e: DragEvent| {
                e.prevent_default();
                let Some(id) = dragging.borrow_mut().take() else { return };
                let mut b = (*board).clone();
                match side {
                    Some(s) => b.insert(id, s),
                    None => b.remove(&id),
                };
                board.set(b);
            })
        };
        let members = props.nodes.iter().filter(|(id, _)| board.get(id).copied() == side).map(|(id, l)| chip(*id, l));
        html! {
            <div class="zone" ondragover={on_over} ondrop={on_drop}
                data-side={side.map_or("none".to_string(), |s| (s + 1).to_string())}>
                <span class="zone-title">{ title.to_string() }</span>
                { for members }
            </div>
        }
    };
    let apply_partition = {
        let cb = props.on_action.clone();
        let board = board.clone();
        Callback::from(move |_: MouseEvent| {
            let mut groups = vec![Vec::new(); SIDES];
            for (id, s) in board.iter() {
                groups[*s].push(*id);
            }
            groups.retain(|g| !g.is_empty());
            cb.emit(if groups.is_empty() { NetAction::Heal } else { NetAction::Partition(groups) });
        })
    };
    let heal = {
        let cb = props.on_action.clone();
        Callback::from(move |_: MouseEvent| cb.emit(NetAction::Heal))
    };
    let presets = Preset::ALL.iter().map(|p| {
        let cb = props.on_action.clone();
        let p = *p;
        html! {
            <button onclick={Callback::from(move |_: MouseEvent| cb.emit(NetAction::Preset(p)))} data-preset={p.id()}
                title={p.explain()}>{ p.name() }</button>
        }
    });
    let changed = *board != *props.sides;
    html! {
        <section class="network panel" aria-label="network editor">
            <h2>{ "Network" }</h2>
            if props.presets {
                <div class="presets" aria-label="presets">{ for presets }</div>
            }
            { link_editor }
            <h3>{ "Partition" }</h3>
            <p class="hint">{ "Drag nodes onto sides (or click one to move it on); a node on no side reaches everyone." }</p>
            <div class="board">
                { zone(None, "reaches everyone") }
                { for (0..SIDES).map(|s| zone(Some(s), &format!("side {}", s + 1))) }
            </div>
            <div class="row">
                <button onclick={apply_partition} disabled={!changed} data-action="apply-partition">{ "Apply partition" }</button>
                <button onclick={heal} data-action="heal">{ "Heal everything" }</button>
            </div>
        </section>
    }
}
