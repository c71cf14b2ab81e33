//! Go extraction on a service-like fixture with traps.

use crate::lang_common as common;

use common::*;

#[test]
fn go_imports_with_aliases_and_guessed_package_names() {
    let f = fixture("go/billing.go");
    assert_eq!(
        imports(&f),
        vec![
            imp("context", 5, &["context"], false),
            imp("fmt", 6, &["fmt"], false),
            imp("os", 7, &["os"], false),
            imp("github.com/getsentry/sentry-go", 10, &["sentry"], false),
            imp("github.com/resend/resend-go/v2", 11, &["resend"], false),
            imp(
                "github.com/segmentio/analytics-go/v3",
                12,
                &["analytics"],
                false
            ),
            imp("github.com/stripe/stripe-go/v76", 13, &["stripe"], false),
            imp(
                "github.com/stripe/stripe-go/v76/customer",
                14,
                &["customer"],
                false
            ),
            imp("github.com/lib/pq", 15, &[], false),
        ]
    );
    // A commented-out import, an import inside a raw string, a CSS class.
    assert!(!mentions(&f, "mixpanel"));
    assert!(!mentions(&f, "posthog"));
    assert!(!mentions(&f, "sentry-banner"));
}

#[test]
fn go_struct_and_map_literals_give_keys() {
    let f = fixture("go/billing.go");
    // A method's receiver is written `self` (`s.segment` in `func (s
    // *Service)`), so that its fields are found by their declared types.
    // `params := &stripe.CustomerParams{...}` then `customer.New(params)`.
    assert_eq!(
        args(call(&f, "customer.New", 45)),
        vec![
            pos("params", 45),
            kv("Email", "stripe.String(u.Email)", 41),
            kv("Name", "stripe.String(u.Name)", 42),
        ]
    );
    assert_eq!(
        args(call(&f, "self.segment.Enqueue", 49)),
        vec![
            kv("UserId", "u.ID", 50),
            kv(
                "Traits",
                "analytics.NewTraits().SetEmail(u.Email).SetName(u.Name)",
                51
            ),
        ]
    );
    // Builder links each carry their own argument.
    assert_eq!(
        args(call(&f, "analytics.NewTraits.SetEmail", 51)),
        vec![pos("u.Email", 51)]
    );
    assert_eq!(
        args(call(&f, "analytics.NewTraits.SetEmail.SetName", 51)),
        vec![pos("u.Name", 51)]
    );
    assert_eq!(
        args(call(&f, "self.mail.Emails.Send", 53)),
        vec![
            kv("To", "u.Email", 54),
            kv("Subject", "\"Welcome\"", 55),
            kv("Tags.user", "u.ID", 56)
        ]
    );
    assert_eq!(
        args(call(&f, "sentry.CaptureException", 46)),
        vec![pos("err", 46)]
    );
}

#[test]
fn go_bindings_and_functions() {
    let f = fixture("go/billing.go");
    let b = bindings(&f);
    for expected in [
        ("stripe.Key", "os", 33),
        ("client", "resend", 34),
        ("seg", "analytics", 35),
    ] {
        assert!(
            b.contains(&(expected.0.into(), expected.1.into(), expected.2)),
            "{expected:?} in {b:#?}"
        );
    }
    let defs: Vec<(Option<&str>, &str, bool, Vec<String>)> = f
        .functions
        .iter()
        .map(|d| {
            (
                d.owner.as_deref(),
                d.name.as_str(),
                d.exported,
                d.params.clone(),
            )
        })
        .collect();
    assert_eq!(
        defs,
        vec![
            (None, "NewService", true, vec![]),
            (
                Some("Service"),
                "Register",
                true,
                vec!["ctx".into(), "u".into()]
            ),
            (None, "hasEntryInput", false, vec!["form".into()]),
        ]
    );
    assert!(
        f.functions[1]
            .calls
            .iter()
            .any(|c| c.callee == "customer.New")
    );
}
