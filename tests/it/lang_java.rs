//! Java extraction on a Spring-like service with traps.

use crate::lang_common as common;

use common::*;

#[test]
fn java_imports_full_paths_and_traps() {
    let f = fixture("java/SignupService.java");
    let got = imports(&f);
    assert_eq!(got.len(), 10);
    assert_eq!(
        got[0],
        imp("com.segment.analytics.Analytics", 3, &["Analytics"], false)
    );
    assert_eq!(
        got[5],
        imp(
            "com.twilio.rest.api.v2010.account.Message",
            8,
            &["Message"],
            false
        )
    );
    assert_eq!(got[7], imp("io.sentry.Sentry", 10, &["Sentry"], false));
    assert_eq!(
        got[9],
        imp(
            "java.util.Objects.requireNonNull",
            12,
            &["requireNonNull"],
            false
        )
    );
    assert!(!mentions(&f, "mixpanel"));
    assert!(!mentions(&f, "intercom"));
    assert!(!mentions(&f, "sentry-banner"));
}

#[test]
fn java_builder_links_map_of_and_receivers() {
    let f = fixture("java/SignupService.java");
    assert_eq!(
        args(call(&f, "CustomerCreateParams.builder.setEmail", 29)),
        vec![pos("user.getEmail()", 29)]
    );
    assert_eq!(
        call(&f, "CustomerCreateParams.builder.setEmail", 29).text,
        "setEmail(user.getEmail())"
    );
    assert_eq!(
        args(call(
            &f,
            "CustomerCreateParams.builder.setEmail.setName",
            30
        )),
        vec![pos("user.getFullName()", 30)]
    );
    // `traits = Map.of(...)` is followed into the builder link that takes it.
    assert_eq!(
        args(call(&f, "IdentifyMessage.builder.userId.traits", 35)),
        vec![
            pos("traits", 35),
            kv("email", "user.getEmail()", 34),
            kv("plan", "user.getPlan()", 34)
        ]
    );
    assert_eq!(
        args(call(&f, "IdentifyMessage.builder.userId", 35)),
        vec![pos("user.getId()", 35)]
    );
    assert_eq!(
        args(call(&f, "Message.creator", 36)),
        vec![
            pos("new PhoneNumber(user.getPhone())", 36),
            pos("new PhoneNumber(\"+15550100\")", 36),
            pos("\"Welcome!\"", 36),
        ]
    );
    assert_eq!(
        args(call(&f, "scope.setExtra", 45)),
        vec![pos("\"email\"", 45), pos("user.getEmail()", 45)]
    );
    let phones = f.calls.iter().filter(|c| c.callee == "PhoneNumber").count();
    assert_eq!(phones, 2);
}

#[test]
fn java_bindings_and_methods() {
    let f = fixture("java/SignupService.java");
    assert_eq!(
        bindings(&f),
        vec![
            ("analytics".into(), "Analytics".into(), 19),
            ("Stripe.apiKey".into(), "System".into(), 22),
            // Typed parameters bind their name to their type (an SDK type
            // makes an injected client the vendor's).
            ("user".into(), "User".into(), 25),
            ("params".into(), "CustomerCreateParams".into(), 27),
            ("customer".into(), "Customer".into(), 33),
            ("form".into(), "Form".into(), 40),
            ("e".into(), "Exception".into(), 44),
            ("user".into(), "User".into(), 44),
        ]
    );
    let defs: Vec<(&str, bool)> = f
        .functions
        .iter()
        .map(|d| (d.name.as_str(), d.exported))
        .collect();
    assert_eq!(
        defs,
        vec![
            ("SignupService", true),
            ("register", true),
            ("hasEntryInput", false),
            ("report", false)
        ]
    );
    assert_eq!(f.functions[3].params, ["e", "user"]);
}
