//! Sharing and files: the Share button (the whole situation as a link in
//! the address bar, and on the clipboard when the browser allows), the
//! link shown to select, and export and import of the scenario and trace.

use yew::prelude::*;

#[derive(Clone, Debug, PartialEq)]
pub enum ShareAction {
    Share,
    ExportScenario,
    ExportTrace,
    /// The file input changed (the runtime reads the file).
    Import(web_sys::HtmlInputElement),
}

/// A link that was shared, as the bar shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct SharedLink {
    pub url: String,
    pub bytes: usize,
    pub at: String,
    /// `None` while the clipboard has not answered.
    pub copied: Option<Result<(), String>>,
}

#[derive(Properties, PartialEq)]
pub struct ShareProps {
    pub shared: Option<SharedLink>,
    /// A trace export in progress (0..=1).
    pub exporting: Option<f64>,
    pub on_action: Callback<ShareAction>,
}

#[component]
pub fn ShareBar(props: &ShareProps) -> Html {
    let act = |a: ShareAction| {
        let cb = props.on_action.clone();
        Callback::from(move |_: MouseEvent| cb.emit(a.clone()))
    };
    let on_import = {
        let cb = props.on_action.clone();
        Callback::from(move |e: Event| cb.emit(ShareAction::Import(e.target_unchecked_into())))
    };
    let select_all = Callback::from(|e: FocusEvent| {
        let input: web_sys::HtmlInputElement = e.target_unchecked_into();
        input.select();
    });
    let shared = props.shared.as_ref().map(|s| {
        let note = match &s.copied {
            None => "copying…".to_string(),
            Some(Ok(())) => "copied to the clipboard".to_string(),
            Some(Err(_)) => "the browser did not allow copying: select the link and copy it".to_string(),
        };
        html! {
            <div class="shared" data-role="shared">
                <label>{ format!("Link to this moment ({}, {} bytes): ", s.at, s.bytes) }
                    <input class="link" readonly=true value={s.url.clone()} onfocus={select_all} data-role="share-link" />
                </label>
                <span class="note" data-role="copy-note">{ note }</span>
            </div>
        }
    });
    html! {
        <section class="share-bar" aria-label="share and files">
            <button class="primary" onclick={act(ShareAction::Share)} data-action="share"
                title="Put the whole scenario, up to this moment, in the address bar and copy it">{ "Share" }</button>
            <button onclick={act(ShareAction::ExportScenario)} data-action="export-scenario">{ "Export scenario" }</button>
            <button onclick={act(ShareAction::ExportTrace)} data-action="export-trace" disabled={props.exporting.is_some()}>
                { match props.exporting {
                    Some(p) => format!("Exporting trace… {:.0} %", p * 100.0),
                    None => "Export trace (JSON lines)".to_string(),
                } }
            </button>
            <label class="import">{ "Import scenario " }
                <input type="file" accept=".json,application/json" onchange={on_import} data-action="import" />
            </label>
            { for shared }
        </section>
    }
}
