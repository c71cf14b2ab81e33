//! Integrations named by the code's structure, and vendors reached through
//! an integration platform.
//!
//! **Integration folders.** Applications that talk to many services keep
//! one folder or file per service under a folder that says so:
//! `hc/integrations/googlechat/transport.py`,
//! `server/notification-providers/pushover.js`, `app/notifiers/slack.rb`.
//! When the service's address is one a user types in (an incoming-webhook
//! URL for Google Chat or Microsoft Teams, a Splunk On-Call REST endpoint),
//! the folder's name is the only thing in the code that says which vendor
//! the request goes to. A request made from such a file (a `post`, `put`,
//! `patch`, `request` or `fetch` call) is therefore a request to the vendor
//! the folder names; see `http::detect`. The folder must sit directly under
//! one of [`PARENTS`] and its name must be the vendor's id (also without
//! hyphens, or with underscores) or one of the catalog's `folder_names`
//! for it, four letters at least. A folder so named with no request in it
//! (a settings form, a model) names no integration. A file whose name says
//! it sends to the vendor (a verb of sending and the vendor's name as
//! whole words: `app/Jobs/SendMessageToDiscordJob.php`) counts the same
//! way wherever it is.
//!
//! **Nango provider keys.** Nango is a platform that holds customers'
//! credentials for hundreds of APIs and makes the calls on the
//! application's behalf: the application sends NetSuite's or HubSpot's
//! data to Nango with the provider's key (`netsuite-tba`, `hubspot`) in the
//! path. In a production file that reaches Nango (its host, key or SDK), a
//! string literal equal to a provider key the catalog lists
//! (`nango_providers`) is evidence of that vendor.

use std::collections::BTreeSet;

use super::Finding;
use super::index::{Index, VendorIx};
use super::lang::FileFacts;
use crate::model::{EvidenceKind, Scope};

/// Folders whose sub-folders or files are each one service.
pub const PARENTS: &[&str] = &[
    "integrations",
    "integration",
    "notifiers",
    "notifier",
    "notifications",
    "notification-providers",
    "notification_providers",
    "providers",
    "transports",
    "channels",
    "connectors",
    "adapters",
    "plugins",
    "payment_providers",
    "payment-providers",
    "gateways",
];

/// The vendors a file's path names as its integration: a folder (or the
/// file's own name, without its extension) directly under one of
/// [`PARENTS`]. Relative path, `/` separators.
pub fn vendors_of_path(rel: &str, index: &Index) -> Vec<VendorIx> {
    let mut segs: Vec<&str> = rel.split('/').collect();
    let Some(file) = segs.pop() else {
        return Vec::new();
    };
    let stem = file.split('.').next().unwrap_or(file);
    segs.push(stem);
    let mut out = BTreeSet::new();
    for pair in segs.windows(2) {
        if PARENTS.iter().any(|p| p.eq_ignore_ascii_case(pair[0]))
            && let Some(vs) = index.folder(pair[1])
        {
            out.extend(vs.iter().copied());
        }
    }
    out.extend(sender_named(stem, index));
    out.into_iter().collect()
}

/// The vendors a file's path names anywhere, by a word of a folder's or of
/// the file's own name (four letters at least) that is a vendor's folder
/// name: `app/jobs/invoices/payments/stripe_create_job.rb` names Stripe,
/// `payment_provider_customers/stripe/update_payment_method_service.rb`
/// too. A file so named that calls a provider-generic service (one that
/// picks the provider through a factory) reaches that vendor's branch
/// only (see `wrappers::resolve`).
pub fn named_by_path(rel: &str, index: &Index) -> Vec<VendorIx> {
    let mut out = BTreeSet::new();
    for seg in rel.split('/') {
        let seg = seg.split('.').next().unwrap_or(seg);
        for w in super::calls::identifier_words(seg) {
            if w.len() >= 4
                && let Some(vs) = index.folder(&w)
            {
                out.extend(vs.iter().copied());
            }
        }
    }
    out.into_iter().collect()
}

/// The vendors a file's name says it sends to: a verb of sending and the
/// vendor's name as whole words of it (`SendMessageToDiscordJob`,
/// `slack_notifier`, `notify-pushover`), where the file's one job is
/// delivering to that service.
fn sender_named(stem: &str, index: &Index) -> Vec<VendorIx> {
    const SENDS: &[&str] = &["send", "notify", "notifier", "deliver", "post"];
    let words = super::calls::identifier_words(stem);
    if !words.iter().any(|w| SENDS.contains(&w.as_str())) {
        return Vec::new();
    }
    words
        .iter()
        .filter(|w| w.len() >= 4 && !SENDS.contains(&w.as_str()))
        .filter_map(|w| index.folder(w))
        .flatten()
        .copied()
        .collect()
}

/// Evidence of the vendors whose Nango provider keys a file names; the
/// caller has found that the file reaches Nango.
pub fn nango_keys(facts: &FileFacts, index: &Index) -> Vec<Finding> {
    let mut out = Vec::new();
    for s in &facts.strings {
        let Some(vs) = index.nango_provider(s.value.trim()) else {
            continue;
        };
        for &v in vs {
            out.push(Finding {
                vendor: v,
                kind: EvidenceKind::Call,
                line: s.line,
                text: Some(format!("through Nango (provider key `{}`)", s.value.trim())),
                scope: Scope::Production,
            });
        }
    }
    out
}
