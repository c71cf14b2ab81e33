//! Swift extraction on an iOS-like service with traps.

use crate::lang_common as common;

use common::*;

#[test]
fn swift_imports_and_traps() {
    let f = fixture("swift/AnalyticsService.swift");
    assert_eq!(
        imports(&f),
        vec![
            imp("Foundation", 1, &["Foundation"], false),
            imp("Mixpanel", 2, &["Mixpanel"], false),
            imp("Sentry", 3, &["Sentry"], false),
            imp(
                "StripePaymentSheet.PaymentSheet",
                4,
                &["PaymentSheet"],
                false
            ),
        ]
    );
    assert!(!mentions(&f, "Amplitude"));
    assert!(!mentions(&f, "PostHog"));
    assert!(!mentions(&f, "sentry-banner"));
    // A subscript is not a call.
    assert!(!f.calls.iter().any(|c| c.callee == "form"));
}

#[test]
fn swift_labelled_args_dictionaries_and_optional_chaining() {
    let f = fixture("swift/AnalyticsService.swift");
    assert_eq!(
        args(call(&f, "Mixpanel.initialize", 11)),
        vec![
            kv("token", "Config.mixpanelToken", 11),
            kv("trackAutomaticEvents", "true", 11)
        ]
    );
    assert_eq!(
        args(call(&f, "mixpanel.people.set", 24)),
        vec![
            kv("properties.$email", "user.email", 24),
            kv("properties.$name", "user.fullName", 24),
            kv("properties.plan", "user.plan", 24),
        ]
    );
    assert_eq!(
        args(call(&f, "Mixpanel.mainInstance.track", 26)),
        vec![
            kv("event", "\"Signed In\"", 26),
            kv("properties", "traits", 26),
            kv("properties.company", "user.companyName", 25),
        ]
    );
    assert_eq!(
        args(call(&f, "User", 27)),
        vec![kv("userId", "user.id", 27)]
    );
    assert!(args(call(&f, "ChatQuery", 31)).contains(&kv("user", "user.id", 31)));
    call(&f, "client.chats", 31);
    call(&f, "SentrySDK.start", 15);
}

#[test]
fn swift_bindings_and_functions() {
    let f = fixture("swift/AnalyticsService.swift");
    let b = bindings(&f);
    assert!(b.contains(&("mixpanel".into(), "Mixpanel".into(), 11)));
    assert!(b.contains(&("client".into(), "OpenAIClient".into(), 19)));
    assert!(b.contains(&("result".into(), "client".into(), 31)));
    let defs: Vec<(&str, bool, Vec<String>)> = f
        .functions
        .iter()
        .map(|d| (d.name.as_str(), d.exported, d.params.clone()))
        .collect();
    assert_eq!(
        defs,
        vec![
            ("init", true, vec![]),
            ("identify", true, vec!["user".to_string()]),
            (
                "summarize",
                true,
                vec!["text".to_string(), "user".to_string()]
            ),
            ("hasEntryInput", false, vec!["form".to_string()]),
        ]
    );
}
