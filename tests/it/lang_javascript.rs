//! JavaScript, TypeScript and TSX extraction, on fixtures that look like
//! application code using vendor SDKs, with the usual traps.

use crate::lang_common as common;

use blastmap::scan::lang::{Lang, extract};
use common::*;

#[test]
fn js_imports_all_forms_and_no_imports_from_comments_or_strings() {
    let f = fixture("javascript/tracking.js");
    assert_eq!(
        imports(&f),
        vec![
            imp("mixpanel-browser", 3, &["mixpanel"], false),
            imp("@sentry/browser", 4, &["Sentry"], false),
            imp("posthog-js", 5, &["PH", "initPosthog"], false),
            imp("intercom-polyfill", 6, &[], false),
            imp("@segment/analytics-next", 7, &[], false),
            imp("stripe", 9, &["Stripe"], false),
            imp("openai", 10, &["Configuration"], false),
            imp("twilio", 34, &["twilio"], true),
            imp("@sendgrid/mail", 39, &["sgMail"], true),
        ]
    );
    assert_eq!(f.imports[5].text, "const Stripe = require('stripe');");
    // Traps: a commented-out import, a require inside a string, a CSS class.
    assert!(!mentions(&f, "mixpanel-legacy"));
    assert!(!mentions(&f, "fake-module"));
    assert!(
        f.calls
            .iter()
            .all(|c| !c.callee.to_lowercase().contains("sentry") || c.callee == "Sentry.setUser")
    );
}

#[test]
fn js_data_sending_calls_with_flattened_args() {
    let f = fixture("javascript/tracking.js");
    assert_eq!(
        args(call(&f, "mixpanel.people.set", 22)),
        vec![
            kv("$email", "user.email", 23),
            kv("$name", "`${user.firstName} ${user.lastName}`", 24),
            kv("plan", "org.plan", 25),
        ]
    );
    assert_eq!(
        args(call(&f, "Sentry.setUser", 27)),
        vec![kv("id", "user.id", 27), kv("email", "user.email", 27)]
    );
    // Optional chaining is dropped; `props` is followed one step, including
    // a key added after the literal.
    assert_eq!(
        args(call(&f, "posthog.capture", 33)),
        vec![
            pos("'signed_up'", 33),
            pos("props", 33),
            kv("email", "user.email", 31),
            kv("referrer", "document.referrer", 31),
            kv("country", "user.country", 32),
        ]
    );
    // Nested objects give dotted keys; spreads are kept as written.
    assert_eq!(
        args(call(&f, "stripe.customers.create", 44)),
        vec![
            kv("email", "customer.email", 45),
            kv("name", "customer.name", 46),
            kv("metadata.userId", "customer.id", 47),
            pos("...customer.extra", 48),
        ]
    );
    // Shorthand properties.
    assert_eq!(
        args(call(&f, "window.Intercom", 53)),
        vec![
            pos("'boot'", 53),
            kv("app_id", "'abc'", 53),
            kv("email", "email", 53),
            kv("user_id", "user.id", 53)
        ]
    );
    assert_eq!(
        call(&f, "PH", 18).text,
        "new PH('phc_123', { api_host: 'https://eu.posthog.com' })"
    );
}

#[test]
fn js_bindings_functions_and_strings() {
    let f = fixture("javascript/tracking.js");
    let b = bindings(&f);
    for expected in [
        ("Stripe", "require", 9),
        ("stripe", "Stripe", 17),
        ("posthog", "PH", 18),
        ("sgMail", "require", 39),
        ("created", "stripe", 44),
        ("hasEntryInput", "Boolean", 14),
    ] {
        assert!(
            b.contains(&(expected.0.into(), expected.1.into(), expected.2)),
            "{expected:?} in {b:#?}"
        );
    }
    let names: Vec<(&str, bool, Vec<String>)> = f
        .functions
        .iter()
        .map(|d| (d.name.as_str(), d.exported, d.params.clone()))
        .collect();
    assert_eq!(
        names,
        vec![
            ("identifyUser", true, vec!["user".into(), "org".into()]),
            ("trackSignup", true, vec!["user".into()]),
            ("loadSendgrid", true, vec![]),
            (
                "chargeCustomer",
                true,
                vec!["customer".into(), "amount".into()]
            ),
        ]
    );
    let identify = &f.functions[0];
    let callees: Vec<&str> = identify.calls.iter().map(|c| c.callee.as_str()).collect();
    assert_eq!(
        callees,
        ["mixpanel.identify", "mixpanel.people.set", "Sentry.setUser"]
    );
    assert!(
        f.strings
            .iter()
            .any(|s| s.value == "https://eu.posthog.com" && s.line == 18)
    );
}

#[test]
fn ts_imports_classes_and_this_receivers() {
    let f = fixture("typescript/billing.service.ts");
    assert_eq!(
        imports(&f),
        vec![
            imp("openai", 1, &["OpenAI"], false),
            // Line 2 is `import type`: it loads nothing.
            imp("stripe", 3, &["Stripe"], false),
            imp("@sentry/node", 4, &["Sentry"], false),
            imp("@segment/analytics-node", 5, &["Analytics"], false),
            imp("@sentry/node", 48, &["captureException"], true),
        ]
    );
    assert!(!mentions(&f, "mixpanel"));
    assert_eq!(
        args(call(&f, "this.stripe.customers.create", 26)),
        vec![
            kv("email", "account.email", 27),
            kv("name", "account.companyName", 28)
        ]
    );
    assert_eq!(
        args(call(&f, "this.analytics.identify", 30)),
        vec![
            kv("userId", "account.id", 31),
            kv("traits.email", "account.email", 32),
            kv("traits.company.name", "account.companyName", 32),
        ]
    );
    // `!` non-null assertions are not part of the path.
    let chat = call(&f, "this.openai.chat.completions.create", 38);
    assert!(args(chat).contains(&kv("user", "account.id", 41)));
    assert_eq!(
        args(call(&f, "scope.setUser", 50)),
        vec![
            kv("id", "account?.id", 50),
            kv("email", "account?.email", 50)
        ]
    );
    let b = bindings(&f);
    assert!(b.contains(&("this.stripe".into(), "Stripe".into(), 17)));
    assert!(b.contains(&("this.openai".into(), "OpenAI".into(), 22)));
    assert!(b.contains(&("customer".into(), "this.stripe".into(), 26)));
    let methods: Vec<(Option<&str>, &str)> = f
        .functions
        .iter()
        .map(|d| (d.owner.as_deref(), d.name.as_str()))
        .collect();
    assert_eq!(
        methods,
        vec![
            (Some("BillingService"), "constructor"),
            (Some("BillingService"), "createCustomer"),
            (Some("BillingService"), "summarize"),
            (None, "reportFailure"),
        ]
    );
    assert_eq!(f.functions[3].params, ["err", "account"]);
}

#[test]
fn tsx_components_hooks_and_jsx_handlers() {
    let f = fixture("tsx/ProfilePage.tsx");
    assert_eq!(
        imports(&f),
        vec![
            imp("react", 1, &["React", "useEffect"], false),
            imp("posthog-js/react", 2, &["usePostHog"], false),
            imp("@amplitude/analytics-browser", 3, &["amplitude"], false),
            imp("@sentry/react", 4, &["ErrorBoundary"], false),
        ]
    );
    assert!(!mentions(&f, "heap"));
    assert_eq!(
        args(call(&f, "posthog.identify", 13)),
        vec![
            pos("user.id", 13),
            kv("email", "user.email", 13),
            kv("name", "user.fullName", 13)
        ]
    );
    assert_eq!(
        args(call(&f, "window.analytics.identify", 19)),
        vec![
            pos("user.id", 19),
            pos("traits", 19),
            kv("email", "user.email", 18)
        ]
    );
    assert_eq!(
        args(call(&f, "amplitude.track", 25)),
        vec![pos("'Save Clicked'", 25), kv("plan", "user.plan", 25)]
    );
    let page = &f.functions[0];
    assert_eq!((page.name.as_str(), page.exported), ("ProfilePage", true));
    assert!(
        f.strings
            .iter()
            .any(|s| s.value.starts_with("https://cdn.segment.com/") && s.line == 26)
    );
}

#[test]
fn builder_chains_give_one_call_per_link_with_its_own_args() {
    let src =
        "Analytics.track()\n  .userId(user.id)\n  .properties({ email: user.email })\n  .send();\n";
    let f = extract(Lang::JavaScript, src).unwrap();
    let links: Vec<(&str, u32)> = f
        .calls
        .iter()
        .map(|c| (c.callee.as_str(), c.line))
        .collect();
    assert_eq!(
        links,
        vec![
            ("Analytics.track.userId.properties.send", 4),
            ("Analytics.track.userId.properties", 3),
            ("Analytics.track.userId", 2),
            ("Analytics.track", 1),
        ]
    );
    assert_eq!(f.calls[1].args[0].key.as_deref(), Some("email"));
    assert_eq!(f.calls[1].text, "properties({ email: user.email })");
}

#[test]
fn lazy_requires_and_dynamic_imports_are_marked_dynamic() {
    let src = "function load() {\n  return require('mixpanel');\n}\nconst p = import('posthog-js').then(m => m.default);\nconst { init } = require('@sentry/node');\n";
    let f = extract(Lang::JavaScript, src).unwrap();
    assert_eq!(
        imports(&f),
        vec![
            imp("mixpanel", 2, &[], true),
            imp("posthog-js", 4, &[], true),
            imp("@sentry/node", 5, &["init"], false),
        ]
    );
}

#[test]
fn computed_and_odd_callees() {
    let src =
        "window['analytics'].track('x');\n(a || b).identify(u.id);\n(function () { init(); })();\n";
    let f = extract(Lang::JavaScript, src).unwrap();
    let callees: Vec<&str> = f.calls.iter().map(|c| c.callee.as_str()).collect();
    assert_eq!(callees, ["window.analytics.track", "_.identify", "init"]);
}

#[test]
fn a_first_party_wrapper_exposes_its_params_and_forwarding_call() {
    let wrapper = "import posthog from 'posthog-js';\n\nexport function capture(event, props) {\n  posthog.capture(event, { ...props, source: 'web' });\n}\n\nconst internal = (x) => posthog.flush(x);\n";
    let f = extract(Lang::JavaScript, wrapper).unwrap();
    assert_eq!(f.functions.len(), 2);
    let capture = &f.functions[0];
    assert_eq!(
        (capture.name.as_str(), capture.exported, capture.line),
        ("capture", true, 3)
    );
    assert_eq!(capture.params, ["event", "props"]);
    assert_eq!(capture.calls.len(), 1);
    assert_eq!(capture.calls[0].callee, "posthog.capture");
    assert_eq!(
        args(&capture.calls[0]),
        vec![
            pos("event", 4),
            pos("...props", 4),
            kv("source", "'web'", 4)
        ]
    );
    assert_eq!(
        (f.functions[1].name.as_str(), f.functions[1].exported),
        ("internal", false)
    );

    let caller =
        "import { capture } from './analytics';\ncapture('signed_up', { email: user.email });\n";
    let g = extract(Lang::JavaScript, caller).unwrap();
    assert_eq!(
        imports(&g),
        vec![imp("./analytics", 1, &["capture"], false)]
    );
    assert_eq!(
        args(call(&g, "capture", 2)),
        vec![pos("'signed_up'", 2), kv("email", "user.email", 2)]
    );
}

/// `import type` loads nothing at run time: not an integration. A mixed
/// import with one value name still is.
#[test]
fn ts_type_only_imports_are_not_imports() {
    let src = "import type { Stripe } from 'stripe';\n\
import { type PostHog } from 'posthog-node';\n\
import { type Scope, captureException } from '@sentry/node';\n\
export type { Mixpanel } from 'mixpanel';\n\
import Analytics from '@segment/analytics-node';\n";
    let f = extract(Lang::TypeScript, src).expect("parses");
    let got: Vec<(&str, u32)> = f
        .imports
        .iter()
        .map(|i| (i.module.as_str(), i.line))
        .collect();
    assert_eq!(
        got,
        vec![("@sentry/node", 3), ("@segment/analytics-node", 5)]
    );
}

/// A function literal a named function returns is named after it with
/// `()` (a method's, or an anonymous function's, is not); an element
/// destructured by its place and a template string's names are bindings
/// of their own (`args[0]`, `${text}`).
#[test]
fn ts_returned_functions_places_and_template_names() {
    let src = "export function createSend(opts: Opts) {
  return async (...args) => {
    const [options, , extra = {}, ...rest] = args;
    const prompt = `Summarise ${options.text} for ${opts.user.name} (${options.text})`;
    return send(prompt, extra, rest);
  };
}
const make = (label) => (event) => log(label, event);
items.map((x) => () => x);
class Client {
  build() {
    return () => this.send();
  }
}
";
    let f = extract(Lang::TypeScript, src).expect("parses");
    let defs: Vec<(&str, u32, bool, Option<u32>)> = f
        .functions
        .iter()
        .map(|d| (d.name.as_str(), d.line, d.exported, d.within))
        .collect();
    assert_eq!(
        defs,
        vec![
            ("createSend", 1, true, None),
            ("createSend()", 2, true, Some(1)),
            ("make", 8, false, None),
            ("make()", 8, false, Some(8)),
            ("build", 11, false, None),
        ]
    );
    let b = bindings(&f);
    for want in [
        ("options", "args[0]", 3),
        ("extra", "args[2]", 3),
        ("prompt", "${options}", 4),
        ("prompt", "${opts}", 4),
    ] {
        assert!(
            b.contains(&(want.0.into(), want.1.into(), want.2)),
            "{want:?} in {b:?}"
        );
    }
    assert!(
        !b.iter().any(|x| x.1 == "args[3]"),
        "a rest element has no one place"
    );
    assert_eq!(
        b.iter().filter(|x| x.0 == "prompt").count(),
        2,
        "each name once"
    );
}

/// A destructuring parameter is kept whole however long it is written:
/// its keys and names, without defaults, types or nested patterns.
#[test]
fn ts_long_destructuring_parameters_keep_every_key() {
    let keys: Vec<String> = (0..40)
        .map(|i| format!("someRatherLongOptionName{i}"))
        .collect();
    let src = format!(
        "export function f({{ {}, messages, subject: title, surface = \"web\", nested: {{ a }}, ...rest }}: Options) {{}}\n",
        keys.join(", ")
    );
    let f = extract(Lang::TypeScript, &src).expect("parses");
    let p = &f.functions[0].params[0];
    assert!(p.starts_with("{ someRatherLongOptionName0, "), "{p}");
    assert!(
        p.ends_with("someRatherLongOptionName39, messages, subject: title, surface }"),
        "{p}"
    );
}

/// What a helper formats into a template string is in the string, and
/// in what the string's own methods give back.
#[test]
fn ts_template_names_include_a_helpers_arguments() {
    let src = "function ask(email: Email, user: User, thread: Thread) {\n  const prompt = `Reply to:\\n${stringifyEmail(email, 500)}`;\n  const trimmed = `${user.name}`.trim();\n  const listed = `${formatThread({ messages: thread.messages, user, ...rest })}`;\n  return prompt;\n}\n";
    let f = extract(Lang::TypeScript, src).expect("parses");
    let b = bindings(&f);
    assert!(
        b.contains(&("prompt".into(), "${email}".into(), 2)),
        "{b:?}"
    );
    // A template's own methods give a string that still holds its names.
    assert!(
        b.contains(&("trimmed".into(), "${user}".into(), 3)),
        "{b:?}"
    );
    // The values of an object a helper is given there: a member's value,
    // a shorthand member and a spread.
    for name in ["${thread}", "${user}", "${rest}"] {
        assert!(b.contains(&("listed".into(), name.into(), 4)), "{b:?}");
    }
}

#[test]
fn ts_a_fallback_is_bound_to_the_name_it_prefers_but_a_count_of_it_is_not() {
    let src = "function f(timezone: string, options: Options) {\n  const tz = timezone || \"UTC\";\n  const size = timezone?.length ?? 0;\n  const to = options.to ?? admin;\n}\n";
    let f = extract(Lang::TypeScript, src).expect("parses");
    let b = bindings(&f);
    assert!(b.contains(&("tz".into(), "${timezone}".into(), 2)), "{b:?}");
    assert!(b.contains(&("to".into(), "${options}".into(), 4)), "{b:?}");
    assert!(!b.iter().any(|(name, _, _)| name == "size"), "{b:?}");
}
