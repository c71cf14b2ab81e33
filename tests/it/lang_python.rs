//! Python extraction on an application-like fixture with traps.

use crate::lang_common as common;

use blastmap::scan::lang::{Lang, extract};
use common::*;

#[test]
fn python_imports_aliases_lazy_and_dynamic() {
    let f = fixture("python/services.py");
    assert_eq!(
        imports(&f),
        vec![
            imp("logging", 5, &["logging"], false),
            imp("os.path", 6, &["os.path"], false),
            imp("sentry_sdk", 7, &["sentry_sdk"], false),
            imp("segment.analytics", 8, &["analytics"], false),
            imp("stripe", 9, &["StripeCustomer", "PaymentIntent"], false),
            imp("openai", 10, &["OpenAI"], false),
            imp("twilio.rest", 11, &["TwilioClient"], false),
            imp(".models", 12, &["User"], false),
            imp("sendgrid", 45, &["sendgrid"], true),
            imp("posthog", 51, &["posthog"], true),
            imp("importlib", 64, &["importlib"], true),
            imp("mixpanel", 65, &["plugin"], true),
        ]
    );
    // Traps: an import in a docstring, in a comment, in a string; a CSS
    // class; `has_entry_input` is not Sentry.
    assert!(!mentions(&f, "mixpanel_legacy"));
    assert!(!mentions(&f, "intercom"));
    assert!(!f.imports.iter().any(|i| i.line == 15));
    assert!(!mentions(&f, "sentry-banner"));
    assert!(!mentions(&f, "has_entry_input"));
}

#[test]
fn python_calls_keyword_args_dicts_and_local_flow() {
    let f = fixture("python/services.py");
    assert_eq!(
        args(call(&f, "sentry_sdk.init", 18)),
        vec![
            kv("dsn", "os.environ[\"SENTRY_DSN\"]", 18),
            kv("send_default_pii", "False", 18),
            kv("traces_sample_rate", "0.2", 18),
        ]
    );
    assert_eq!(
        args(call(&f, "analytics.identify", 32)),
        vec![
            pos("user.id", 32),
            kv("email", "user.email", 33),
            kv("name", "user.get_full_name()", 34),
            kv("address.city", "user.city", 35),
        ]
    );
    assert_eq!(
        args(call(&f, "StripeCustomer.create", 37)),
        vec![
            kv("email", "user.email", 37),
            kv("name", "user.full_name", 37),
            kv("metadata.user_id", "user.id", 37)
        ]
    );
    // `traits` assigned a dict, then extended by subscript, then passed.
    assert_eq!(
        args(call(&f, "analytics.track", 40)),
        vec![
            pos("user.id", 40),
            pos("\"Signed Up\"", 40),
            pos("traits", 40),
            kv("plan", "plan", 38),
            kv("phone", "user.phone_number", 39),
        ]
    );
    assert_eq!(
        args(call(&f, "self.sms.messages.create", 41)),
        vec![
            kv("to", "user.phone_number", 41),
            kv("from_", "\"+15550100\"", 41),
            kv("body", "f\"Welcome {user.first_name}\"", 41),
        ]
    );
    // `dict(...)` is a literal; `**extra` is kept as written.
    assert_eq!(
        args(call(&f, "mail.send", 47)),
        vec![
            kv("to_emails", "user.email", 47),
            kv("subject", "\"Hi\"", 47),
            pos("**extra", 47)
        ]
    );
    assert_eq!(
        args(call(&f, "posthog.capture", 52)),
        vec![
            pos("user.id", 52),
            pos("\"ticket_summarized\"", 52),
            kv("properties.email", "user.email", 52)
        ]
    );
    let chat = call(&f, "openai_client.chat.completions.create", 53);
    assert!(args(chat).contains(&kv("user", "str(user.id)", 56)));
    assert_eq!(
        args(call(&f, "scope.set_user", 59)),
        vec![
            kv("id", "user.id", 59),
            kv("email", "user.email", 59),
            kv("ip_address", "\"{{auto}}\"", 59)
        ]
    );
}

#[test]
fn python_bindings_and_functions() {
    let f = fixture("python/services.py");
    let b = bindings(&f);
    for expected in [
        ("openai_client", "OpenAI", 20),
        ("self.sms", "TwilioClient", 29),
        ("customer", "StripeCustomer", 37),
        ("mail", "sendgrid", 46),
        ("response", "openai_client", 53),
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
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        defs,
        vec![
            (None, "has_entry_input", true, s(&["form"])),
            (
                Some("AccountService"),
                "__init__",
                true,
                s(&["twilio_sid", "twilio_token"])
            ),
            (
                Some("AccountService"),
                "register",
                true,
                s(&["user", "plan"])
            ),
            (
                Some("AccountService"),
                "_notify",
                false,
                s(&["user", "**extra"])
            ),
            (None, "summarize_ticket", true, s(&["ticket", "user"])),
            (None, "load_plugin", true, s(&["name"])),
        ]
    );
    let summarize: Vec<&str> = f.functions[4]
        .calls
        .iter()
        .map(|c| c.callee.as_str())
        .collect();
    assert!(summarize.contains(&"posthog.capture"));
    assert!(summarize.contains(&"scope.set_user"));
}

#[test]
fn python_strings_have_values_without_quotes_or_prefixes() {
    let f = extract(
        Lang::Python,
        "URL = f\"https://api.mixpanel.com/track?ip={ip}\"\nRAW = rb'x'\n",
    )
    .unwrap();
    let values: Vec<(&str, u32)> = f
        .strings
        .iter()
        .map(|s| (s.value.as_str(), s.line))
        .collect();
    assert_eq!(
        values,
        [("https://api.mixpanel.com/track?ip={ip}", 1), ("x", 2)]
    );
}
