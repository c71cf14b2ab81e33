//! Prompts sent through a provider-neutral model SDK, the Vercel AI SDK
//! (npm `ai`): `generateText({ model, system, prompt })`, `streamText`,
//! `generateObject`, `streamObject`, `embed`, `embedMany`, and an agent's
//! `generate` and `stream` (`new ToolLoopAgent({ model })`). The call names
//! no vendor: its `model` is made by a provider package (`@ai-sdk/openai`,
//! `@ai-sdk/anthropic`, `@openrouter/ai-sdk-provider`), often chosen at run
//! time from the application's settings or the user's own key.
//!
//! So a call's vendors are the providers whose packages a production
//! manifest installs: the catalog's npm packages of a vendor named
//! `@ai-sdk/<name>` or ending in `ai-sdk-provider` (the SDK's naming for
//! official and community providers). A breach of any of them exposes what
//! the application sends through the SDK, whichever one a deployment is
//! configured with.
//!
//! A provider whose model is written into a call where it is imported
//! (`createGenerateText({ modelOptions: { model: perplexity("sonar-pro")
//! } })`, [`pins`]) is not among the run-time choices: when every
//! production file that imports it does that, it is the vendor of the
//! SDK's sends in those files only. Not done: a send made there through a
//! function of another file (the one `createGenerateText` returns) is
//! reported for the run-time choices, not for the pinned provider.
//!
//! The calls are matched as calls of each provider (`seed`), so the
//! functions around them are wrappers like any other, followed across
//! files. What the calls send is classified as at any vendor call; an AI
//! model's prompt (`prompt`, `messages`, `system`) is text people wrote or
//! that was written from their data.

use std::collections::BTreeSet;

use super::Finding;
use super::calls::{self, CallField, Seed, Specs};
use super::index::{Index, VendorIx};
use super::lang::{FileFacts, Lang};
use super::wrappers::{self, Wrapper};
use crate::catalog::CallSpec;

/// The SDK's package.
pub const SDK: &str = "ai";

/// Its functions that send a prompt (or text to embed) to the model.
pub const SENDS: &[&str] = &[
    "generateText",
    "streamText",
    "generateObject",
    "streamObject",
    "embed",
    "embedMany",
];

/// Its agent classes (`new ToolLoopAgent({ model, tools })`), whose
/// objects send with [`AGENT_SENDS`] (`agent.stream({ messages })`).
pub const AGENTS: &[&str] = &["ToolLoopAgent", "Experimental_Agent", "Agent"];

/// An agent's methods that send a prompt to the model.
pub const AGENT_SENDS: &[&str] = &["generate", "stream"];

/// True when the npm package `name` is a provider of the SDK.
pub fn is_provider_package(name: &str) -> bool {
    name.starts_with("@ai-sdk/") || name.ends_with("ai-sdk-provider")
}

/// True when `text` may import the SDK (`from "ai"`, `require('ai')`).
pub fn may_import(text: &str) -> bool {
    ["\"ai\"", "'ai'"].iter().any(|q| text.contains(q))
}

/// `specs` with each of `providers`' calls extended by the SDK's sending
/// functions: what [`detect`] matches calls against.
pub fn specs_for(specs: &Specs, providers: &[VendorIx]) -> Specs {
    let mut calls = specs.calls.clone();
    for &v in providers {
        if let Some(list) = calls.get_mut(usize::from(v)) {
            list.extend(
                SENDS
                    .iter()
                    .chain(AGENT_SENDS)
                    .map(|m| CallSpec::Method((*m).to_string())),
            );
        }
    }
    Specs {
        calls,
        messengers: specs.messengers.clone(),
        mailers: specs.mailers.clone(),
        ids: specs.ids.clone(),
    }
}

/// The names under which the file sees the SDK's sending functions, its
/// agent classes (or the SDK itself, `import * as ai from "ai"`), each
/// bound to `providers`.
fn seed(facts: &FileFacts, providers: &[VendorIx]) -> Seed {
    let mut out = Seed::default();
    let all: BTreeSet<VendorIx> = providers.iter().copied().collect();
    for imp in facts.imports.iter().filter(|i| i.module == SDK) {
        for b in &imp.bindings {
            let b = b.trim();
            let original = imp
                .renamed
                .iter()
                .find(|(_, alias)| alias == b)
                .map_or(b, |(o, _)| o.as_str());
            // A namespace or default import binds the SDK itself; a named
            // one, only the functions that send.
            let whole = !SENDS.contains(&original) && imp.renamed.is_empty() && {
                let t = imp.text.as_str();
                t.contains("* as") || !t.contains('{')
            };
            if SENDS.contains(&original) || AGENTS.contains(&original) || whole {
                out.bound.insert(b.to_string(), all.clone());
            }
        }
    }
    out
}

/// The SDK's sends in a file and what they carry, as calls of each of
/// `providers`, and the file's functions around them. `specs` is
/// [`specs_for`]'s.
///
/// A function that writes what it is given into one provider's entry of
/// the options sent with a request (`providerOptions.openrouter.user =
/// userId`) is a wrapper of that provider ([`wrappers::option_writers`]);
/// `keys` are each provider's names for its entry ([`entry_keys`]).
pub fn detect(
    lang: Lang,
    facts: &FileFacts,
    text: &str,
    index: &Index,
    specs: &Specs,
    keys: &[(VendorIx, Vec<String>)],
) -> (Vec<Finding>, Vec<CallField>, Vec<Wrapper>) {
    let providers: Vec<VendorIx> = keys.iter().map(|(v, _)| *v).collect();
    let seed = seed(facts, &providers);
    if seed.is_empty() {
        return (Vec::new(), Vec::new(), Vec::new());
    }
    let (findings, fields) = calls::detect_seeded(lang, facts, index, specs, &seed);
    let writers = wrappers::option_writers(lang, facts, text, keys);
    let defined = wrappers::defined_with(lang, facts, index, specs, &seed, writers);
    (findings, fields, defined)
}

/// The names of a provider's entry in the SDK's `providerOptions`, from
/// its provider packages: `@ai-sdk/openai` → `openai`,
/// `@ai-sdk/amazon-bedrock` → `amazon-bedrock` and `bedrock`,
/// `@openrouter/ai-sdk-provider` → `openrouter`, `ollama-ai-sdk-provider`
/// → `ollama`.
pub fn entry_keys(packages: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for p in packages {
        let name = if let Some(n) = p.strip_prefix("@ai-sdk/") {
            n
        } else if let Some(scope) = p.strip_suffix("/ai-sdk-provider") {
            scope.trim_start_matches('@')
        } else if let Some(n) = p.strip_suffix("-ai-sdk-provider") {
            n.trim_start_matches('@')
        } else {
            continue;
        };
        out.push(name.to_string());
        if let Some((_, last)) = name.rsplit_once('-') {
            out.push(last.to_string());
        }
    }
    out.retain(|k| !k.is_empty() && !k.contains('/'));
    out.sort();
    out.dedup();
    out
}

/// True when the file writes one of `provider`'s models into a call's
/// arguments (`model: perplexity("sonar-pro")`, the key's last part being
/// `model`): the model of that call is chosen where it is written.
pub fn pins(lang: Lang, facts: &FileFacts, index: &Index, provider: VendorIx) -> bool {
    let bound = calls::bound_names(lang, facts, index);
    let names: Vec<&str> = bound
        .iter()
        .filter(|(_, vs)| vs.contains(&provider))
        .map(|(n, _)| n.as_str())
        .collect();
    if names.is_empty() {
        return false;
    }
    facts.all_calls().flat_map(|c| c.args.iter()).any(|a| {
        a.key
            .as_deref()
            .is_some_and(|k| k.rsplit('.').next() == Some("model"))
            && names.iter().any(|n| {
                a.expr
                    .trim_start()
                    .strip_prefix(n)
                    .is_some_and(|r| r.starts_with('('))
            })
    })
}
