//! Email sent through a web framework's mailer, whose transport is a
//! vendor: Laravel's `Mail::send(...)`/`Mail::to($user)->send(...)`, a
//! Rails mailer's `mail(to: ...)`, Django's `send_mail(...)` and
//! `EmailMessage(...)`. The code names no vendor at the call: the
//! framework hands the message to the transport the application installed.
//!
//! The transport is known from the manifest: a package whose only purpose
//! is to make a vendor the framework's mail transport (the catalog's
//! `mailer_packages`: `resend/resend-laravel`, `postmark-rails`,
//! `symfony/postmark-mailer`, ...), in production dependencies. A general
//! SDK (`resend/resend-php`) is not one: it is called by name, and
//! `calls` sees those calls. With no such package the framework sends over
//! SMTP to a host the deployment configures, which the code cannot name.
//!
//! At each framework send, what the calls written inside it give the
//! message is classified with the vendor's rules: the recipients (`to`,
//! `cc`, `bcc`, `replyTo`, Django's `recipient_list` and `to`) are email
//! addresses, the subject and body are the message someone's data is
//! rendered into. The sender (`from`) is the application's own address.

use std::collections::BTreeSet;

use super::Finding;
use super::calls::{self, CallField};
use super::index::VendorIx;
use super::lang::{Arg, Call, FileFacts, Lang};
use crate::model::{EvidenceKind, Scope};

/// Texts without which a file holds no framework send.
pub const MARKERS: &[&str] = &[
    "Mail::",
    "mail(",
    "send_mail(",
    "send_mass_mail(",
    "EmailMessage(",
    "EmailMultiAlternatives(",
];

/// Message builder methods whose argument is a recipient, or the message.
const PARTS: &[&str] = &[
    "to", "cc", "bcc", "replyTo", "reply_to", "subject", "html", "text", "body", "raw",
];

/// Django's positional parameters: `send_mail(subject, message,
/// from_email, recipient_list, ...)`, `EmailMessage(subject, body,
/// from_email, to, bcc, ...)`.
const DJANGO_POSITIONS: &[(&str, &[&str])] = &[
    (
        "send_mail",
        &["subject", "message", "from_email", "recipient_list"],
    ),
    ("send_mass_mail", &["datatuple"]),
    (
        "EmailMessage",
        &["subject", "body", "from_email", "to", "bcc"],
    ),
    (
        "EmailMultiAlternatives",
        &["subject", "body", "from_email", "to", "bcc"],
    ),
];

/// True when `call` hands a message to the framework's mailer in `lang`;
/// `text` is the file's.
fn is_send(lang: Lang, call: &Call, text: &str) -> bool {
    let callee = calls::dotted(&call.callee);
    match lang {
        // `Mail::send(...)`, `Mail::raw(...)`, `Mail::to($u)->send(...)`,
        // `Mail::mailer('x')->to($u)->queue(...)`.
        Lang::Php => {
            callee.starts_with("Mail.")
                && callee.rsplit('.').next().is_some_and(|m| {
                    matches!(m, "send" | "raw" | "queue" | "later" | "html" | "sendNow")
                })
        }
        // A mailer's `mail(to: ...)`, in a class of ActionMailer.
        Lang::Ruby => {
            callee == "mail"
                && (text.contains("ActionMailer::Base") || text.contains("ApplicationMailer"))
        }
        Lang::Python => {
            let last = callee.rsplit('.').next().unwrap_or(&callee);
            DJANGO_POSITIONS.iter().any(|(n, _)| *n == last) && text.contains("django.core.mail")
        }
        _ => false,
    }
}

/// The framework sends of a file and what they carry, as calls of each of
/// `vendors` (the transports the manifest installs).
pub fn detect(
    lang: Lang,
    facts: &FileFacts,
    text: &str,
    vendors: &[VendorIx],
    specs: &calls::Specs,
) -> (Vec<Finding>, Vec<CallField>) {
    let mut findings = Vec::new();
    let mut fields: BTreeSet<CallField> = BTreeSet::new();
    if vendors.is_empty() {
        return (findings, Vec::new());
    }
    let all: Vec<&Call> = facts.all_calls().collect();
    let mut done: BTreeSet<u32> = BTreeSet::new();
    for send in all.iter().filter(|c| is_send(lang, c, text)) {
        if !done.insert(send.line) {
            continue;
        }
        for &v in vendors {
            findings.push(Finding {
                vendor: v,
                kind: EvidenceKind::Call,
                line: send.line,
                text: (!send.text.trim().is_empty()).then(|| send.text.trim().to_string()),
                scope: Scope::Production,
            });
        }
        // The calls written inside the send (`->to($email)` in its
        // closure) and the send itself.
        let inside = all
            .iter()
            .filter(|c| c.line >= send.line && c.end_line <= send.end_line.max(send.line));
        for c in inside {
            for arg in named_parts(lang, c) {
                for &v in vendors {
                    if let Some(category) = calls::classify_for(&arg, v, specs) {
                        let (line, name) = calls::at_call(send, &arg);
                        fields.insert(CallField {
                            vendor: v,
                            category,
                            name,
                            line,
                        });
                    }
                }
            }
        }
    }
    (findings, fields.into_iter().collect())
}

/// A call's arguments named by the message part they fill: a builder
/// method's argument by the method (`->to($email)` is `to`), Django's
/// positional arguments by their parameter, keyword arguments by their
/// key. The sender is left out.
fn named_parts(lang: Lang, call: &Call) -> Vec<Arg> {
    let callee = calls::dotted(&call.callee);
    let method = callee.rsplit('.').next().unwrap_or(&callee);
    let positions = (lang == Lang::Python)
        .then(|| DJANGO_POSITIONS.iter().find(|(n, _)| *n == method))
        .flatten()
        .map(|(_, p)| *p);
    let mut out = Vec::new();
    for arg in &call.args {
        let key = match (&arg.key, positions, arg.position) {
            (Some(k), _, _) => Some(k.clone()),
            (None, Some(p), Some(i)) => p.get(usize::from(i)).map(|s| s.to_string()),
            (None, None, _) if PARTS.contains(&method) => Some(method.to_string()),
            _ => None,
        };
        let Some(key) = key else {
            continue;
        };
        let last = key.rsplit('.').next().unwrap_or(&key);
        if matches!(last, "from" | "from_email" | "sender") {
            continue;
        }
        out.push(Arg {
            key: Some(key),
            ..arg.clone()
        });
    }
    out
}
