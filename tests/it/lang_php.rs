//! PHP extraction on a Laravel-like controller with traps.

use crate::lang_common as common;

use common::*;

#[test]
fn php_use_require_and_traps() {
    let f = fixture("php/BillingController.php");
    assert_eq!(
        imports(&f),
        vec![
            imp("/../../vendor/autoload.php", 5, &[], false),
            imp("Stripe\\StripeClient", 7, &["StripeClient"], false),
            imp("Twilio\\Rest\\Client", 8, &["TwilioClient"], false),
            imp("Segment\\Segment", 9, &["Segment"], false),
            imp("Segment\\Analytics", 9, &["SegmentAnalytics"], false),
            imp("Sentry\\captureException", 10, &["captureException"], false),
            // Fully qualified names in code count too.
            imp("Stripe\\StripeClient", 20, &[], false),
            imp("Sentry\\configureScope", 36, &[], false),
            imp("Sentry\\State\\Scope", 36, &[], false),
        ]
    );
    assert!(!mentions(&f, "Mixpanel"));
    assert!(!mentions(&f, "Intercom"));
    assert!(!mentions(&f, "sentry-banner"));
}

#[test]
fn php_arrow_chains_static_calls_and_arrays() {
    let f = fixture("php/BillingController.php");
    assert_eq!(
        args(call(&f, "this.stripe.customers.create", 26)),
        vec![
            kv("email", "$user->email", 27),
            kv("name", "$user->name", 28),
            kv("metadata.user_id", "$user->id", 29),
        ]
    );
    // `$traits` built then extended by `[]=`, passed nested.
    assert_eq!(
        args(call(&f, "Segment.identify", 33)),
        vec![
            kv("userId", "$user->id", 33),
            kv("traits", "$traits", 33),
            kv("traits.email", "$user->email", 31),
            kv("traits.plan", "$request->input('plan')", 32),
        ]
    );
    assert_eq!(
        args(call(&f, "twilio.messages.create", 35)),
        vec![
            pos("$user->phone", 35),
            kv("from", "'+15550100'", 35),
            kv("body", "\"Welcome {$user->first_name}\"", 35),
        ]
    );
    assert_eq!(
        args(call(&f, "scope.setUser", 37)),
        vec![kv("id", "$user->id", 37), kv("email", "$user->email", 37)]
    );
    call(&f, "Stripe.StripeClient", 20);
    call(&f, "Sentry.configureScope", 36);
}

#[test]
fn php_bindings_and_methods() {
    let f = fixture("php/BillingController.php");
    assert_eq!(
        bindings(&f),
        vec![
            // Typed parameters and promoted properties bind to their class.
            ("this.stripe".into(), "StripeClient".into(), 18),
            ("stripe".into(), "StripeClient".into(), 18),
            ("this.stripe".into(), "Stripe".into(), 20),
            ("request".into(), "Request".into(), 24),
            ("user".into(), "User".into(), 24),
            ("customer".into(), "this.stripe".into(), 26),
            ("twilio".into(), "TwilioClient".into(), 34),
            ("scope".into(), "Scope".into(), 36),
        ]
    );
    let defs: Vec<(&str, bool, Vec<String>)> = f
        .functions
        .iter()
        .map(|d| (d.name.as_str(), d.exported, d.params.clone()))
        .collect();
    assert_eq!(
        defs,
        vec![
            ("__construct", true, vec!["stripe".to_string()]),
            (
                "subscribe",
                true,
                vec!["request".to_string(), "user".to_string()]
            ),
            ("hasEntryInput", false, vec!["form".to_string()]),
        ]
    );
}

/// A fully qualified class in an expression is an import without a
/// binding (Laravel apps name Socialite providers this way); one segment
/// (`\InvalidArgumentException`), comments and strings are not.
#[test]
fn php_fully_qualified_classes_are_imports() {
    let f = fixture("php/socialite.php");
    assert_eq!(
        imports(&f),
        vec![
            imp(
                "Laravel\\Socialite\\Facades\\Socialite",
                5,
                &["Socialite"],
                false
            ),
            imp("Laravel\\Socialite\\Two\\GithubProvider", 12, &[], false),
            imp("SocialiteProviders\\Discord\\Provider", 13, &[], false),
            imp("GuzzleHttp\\Client", 19, &[], false),
        ]
    );
}
