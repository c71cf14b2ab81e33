//! Ruby extraction on a Rails-like controller with traps.

use crate::lang_common as common;

use common::*;

#[test]
fn ruby_requires_and_traps() {
    let f = fixture("ruby/accounts_controller.rb");
    assert_eq!(
        imports(&f),
        vec![
            imp("stripe", 3, &[], false),
            imp("mixpanel-ruby", 4, &[], false),
            imp("../lib/segment_client", 5, &[], false),
            imp("twilio-ruby", 33, &[], true),
        ]
    );
    // A require in a comment and in a string, a CSS class, `has_entry_input?`.
    assert!(!mentions(&f, "intercom"));
    assert!(!mentions(&f, "rollbar"));
    assert!(!mentions(&f, "sentry-banner"));
    assert!(!mentions(&f, "has_entry"));
}

#[test]
fn ruby_calls_with_hashes_keywords_and_receivers() {
    let f = fixture("ruby/accounts_controller.rb");
    // String keys, `$`-keys and `:sym =>` keys.
    assert_eq!(
        args(call(&f, "tracker.people.set", 15)),
        vec![
            pos("@account.id", 15),
            kv("$email", "@account.email", 16),
            kv("$first_name", "@account.first_name", 17),
            kv("plan", "@account.plan", 18),
        ]
    );
    assert_eq!(
        args(call(&f, "Stripe.Customer.create", 20)),
        vec![
            kv("email", "@account.email", 20),
            kv("name", "@account.name", 20),
            kv("metadata.account_id", "@account.id", 20),
        ]
    );
    assert_eq!(
        args(call(&f, "Analytics.identify", 21)),
        vec![
            kv("user_id", "@account.id", 21),
            kv("traits.email", "@account.email", 21),
            kv("traits.company", "@account.company_name", 21),
        ]
    );
    // A hash in a local, extended by `[]=`, passed as `**props` and as is.
    let recorded = vec![
        kv("to", "account.phone", 35),
        kv("from", "'+15550100'", 35),
        kv("body", "\"Welcome, #{account.first_name}!\"", 36),
    ];
    let mut splat = vec![pos("**props", 37)];
    splat.extend(recorded.clone());
    assert_eq!(args(call(&f, "@twilio.messages.create", 37)), splat);
    let mut plain = vec![pos("props", 38)];
    plain.extend(recorded);
    assert_eq!(args(call(&f, "@twilio.messages.create", 38)), plain);
    assert_eq!(
        args(call(&f, "Sentry.set_user", 39)),
        vec![kv("id", "account.id", 39), kv("email", "account.email", 39)]
    );
    assert_eq!(
        args(call(&f, "scope.set_context", 44)),
        vec![pos("'account'", 44), kv("email", "user.email", 44)]
    );
    call(&f, "Sentry.with_scope", 43);
    call(&f, "Mixpanel.Tracker.new", 14);
    // Attribute reads are not calls.
    assert!(!f.calls.iter().any(|c| c.callee == "@account.email"));
}

#[test]
fn ruby_bindings_and_methods() {
    let f = fixture("ruby/accounts_controller.rb");
    assert_eq!(
        bindings(&f),
        vec![
            ("@account".into(), "Account".into(), 13),
            ("tracker".into(), "Mixpanel".into(), 14),
            ("customer".into(), "Stripe".into(), 20),
            ("@twilio".into(), "Twilio".into(), 34),
        ]
    );
    let defs: Vec<(&str, Vec<String>)> = f
        .functions
        .iter()
        .map(|d| (d.name.as_str(), d.params.clone()))
        .collect();
    assert_eq!(
        defs,
        vec![
            ("create", vec![]),
            ("has_entry_input?", vec![]),
            ("notify_signup", vec!["account".to_string()]),
            ("report", vec!["error".to_string(), "user".to_string()]),
        ]
    );
    assert!(
        f.functions
            .iter()
            .all(|d| d.owner.as_deref() == Some("AccountsController"))
    );
    let report: Vec<&str> = f.functions[3]
        .calls
        .iter()
        .map(|c| c.callee.as_str())
        .collect();
    assert_eq!(
        report,
        [
            "Sentry.with_scope",
            "scope.set_context",
            "Sentry.capture_exception"
        ]
    );
}
