//! The sentences of a blast report: each action's text and the notes.
//! `DataGraph::blast` returns the facts (which actions apply, their
//! locations and matched regions, the credentials held); every renderer of
//! a [`BlastReport`] words it here first ([`worded`]), so the JSON's
//! `actions[].text` and `notes` and every other format read the same
//! sentences.

use std::collections::BTreeSet;

use crate::graph::Mode;
use crate::graph::blast::{ActionReport, BlastReport, is_credential};

/// The report with its actions' texts and its notes written.
pub fn worded(r: &BlastReport) -> BlastReport {
    let mut out = r.clone();
    out.actions = r
        .actions
        .iter()
        .map(|a| ActionReport {
            text: action_text(r, a),
            ..a.clone()
        })
        .collect();
    out.notes = notes(r);
    out
}

/// What exactly to do for one action, from the exposure; an action id
/// this does not know gets its title.
fn action_text(report: &BlastReport, a: &ActionReport) -> String {
    let name = &report.vendor_name;
    match a.id.as_str() {
        "remove-integration" => {
            let locs = &a.locations;
            if locs.is_empty() {
                format!("Revoke the keys and tokens {name} holds. No flow into {name} has a known location.")
            } else if locs.len() == 1 {
                format!("Revoke the keys and tokens {name} holds, and remove or disable the integration at the location below.")
            } else {
                format!("Revoke the keys and tokens {name} holds, and remove or disable the integration at each of the {} locations below.", locs.len())
            }
        }
        "notify-subjects" => notify_subjects(report),
        "warn-phishing" => "Warn them that messages using their name and their relationship to this system may follow; say that you never ask for passwords, API keys or payment details by email, and recommend two-factor authentication.".to_string(),
        "rotate-credentials" => {
            let creds: Vec<String> = report
                .exposed
                .iter()
                .filter(|e| is_credential(&e.category))
                .map(|e| format!("{} ({})", e.field, e.category))
                .collect();
            format!("Rotate or revoke: {}; force re-authentication where they are passwords or session tokens.", creds.join(", "))
        }
        "review-sub-processors" => {
            if report.sub_processors.is_empty() {
                format!("Ask {name} which sub-processors stored or processed the data; none are known to the catalog or the declarations.")
            } else {
                format!("Ask {name} whether its sub-processors ({}) were affected, and what they hold.", report.sub_processors.join(", "))
            }
        }
        "notify-regulator" => format!("Affected people live in: {}. Under GDPR Art. 33, notify the supervisory authority within 72 hours of becoming aware of the breach, unless it is unlikely to result in a risk to them; record the decision either way.", a.regions.join(", ")),
        _ => a.title.clone(),
    }
}

/// "Tell customers (50,000 people) what was exposed: ...; say as clearly
/// what was not: ...", one sentence per group of people, each with only
/// its own fields, so that no kind of information is said to be both
/// exposed and not exposed for the same people.
fn notify_subjects(report: &BlastReport) -> String {
    let mut out = Vec::new();
    for a in &report.affected {
        // Fields of no subject are the `unassigned` group of `affected`.
        let theirs = |s: &Option<String>| s.as_deref().unwrap_or("unassigned") == a.subject;
        let who = match a.count {
            Some(c) => format!("{} ({} people)", a.subject, group_digits(c)),
            None => format!("{} (count unknown)", a.subject),
        };
        let what: Vec<&str> = dedup_plain(
            report
                .exposed
                .iter()
                .filter(|e| theirs(&e.subject))
                .map(|e| e.plain.as_str()),
        );
        let not: Vec<&str> = dedup_plain(
            report
                .not_exposed
                .iter()
                .filter(|e| theirs(&e.subject))
                .map(|e| e.plain.as_str())
                .filter(|p| !what.contains(p)),
        );
        let mut text = format!("Tell {who} what was exposed: {}.", what.join(", "));
        if !not.is_empty() {
            text.push_str(&format!(
                " Say as clearly what was not: {}.",
                not.join(", ")
            ));
        }
        out.push(text);
    }
    out.join(" ")
}

fn dedup_plain<'a>(it: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut seen = BTreeSet::new();
    it.filter(|s| seen.insert(*s)).collect()
}

/// `1200000` → `1,200,000`.
pub fn group_digits(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Statements the reader must not miss: nothing reaches the vendor, no
/// credentials were exposed, code mode, exposed fields with no subject.
fn notes(report: &BlastReport) -> Vec<String> {
    let mut notes = Vec::new();
    if report.exposed.is_empty() {
        notes.push(format!(
            "No user data known to this map reaches {}.",
            report.vendor_name
        ));
    }
    if !report.credentials_exposed {
        let held = &report.credentials_held;
        if held.is_empty() {
            notes.push("No credentials were exposed: rotating passwords or API keys is not needed because of this incident.".into());
        } else {
            notes.push(format!(
                "No credentials were exposed ({} did not reach {}): rotating passwords or API keys is not needed because of this incident.",
                held.join(", "),
                report.vendor_name
            ));
        }
    }
    if report.mode == Mode::Code {
        notes.push(format!("Code mode: {}'s SDK is assumed compromised, so everything held by the components that embed it is counted as exposed.", report.vendor_name));
    }
    if report.exposed.iter().any(|e| e.subject.is_none()) {
        notes.push("Some exposed fields have no subject: declare `subject:` on them to count the people affected.".into());
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::DataGraph;
    use crate::model::declaration::load_str;

    #[test]
    fn no_credentials_exposed_is_noted_with_those_that_stayed() {
        let m = load_str(
            "version: 1
subjects:
  u: { count: 100 }
fields:
  email: { category: user.contact.email, subject: u }
  key: { category: user.authorization.credentials, subject: u }
components:
  web: { holds: [email, key] }
vendors:
  mixpanel: {}
flows:
  - { from: web, to: mixpanel, fields: [email] }
",
            "test.yaml",
        )
        .unwrap();
        let g = DataGraph::build(&m);
        let r = g.blast("mixpanel", Mode::Data).unwrap();
        assert!(r.notes.is_empty() && r.actions.iter().all(|a| a.text.is_empty()));
        let w = worded(&r);
        assert!(
            w.notes
                .iter()
                .any(|n| n.contains("No credentials were exposed (key did not reach Mixpanel)")),
            "{:?}",
            w.notes
        );
        assert!(w.actions.iter().all(|a| !a.text.is_empty()));
        assert_eq!(group_digits(1_200_000), "1,200,000");
    }
}
