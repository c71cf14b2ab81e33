//! HTML pages, server templates, Vue and Svelte components.

use crate::lang_common as common;

use blastmap::scan::lang::{Lang, extract};
use common::*;

#[test]
fn erb_layout_script_tags_inline_scripts_and_traps() {
    let f = fixture("html/layout.html.erb");
    assert_eq!(
        imports(&f),
        vec![
            imp("https://js.stripe.com/v3/", 6, &[], false),
            imp(
                "https://www.googletagmanager.com/gtag/js?id=<%= ENV['GA_ID'] %>",
                7,
                &[],
                false
            ),
        ]
    );
    // A commented-out script tag, a CSS class, an id, an onclick handler.
    assert!(!mentions(&f, "mxpnl"));
    assert!(!mentions(&f, "sentry"));
    assert!(!mentions(&f, "hasEntryInput"));
    assert!(
        !f.strings
            .iter()
            .any(|s| s.value.contains("sentry") || s.value.contains("Intercom"))
    );
    // Inline scripts keep the page's line numbers; template tags do not
    // break them, and the quoted text is the file as written.
    let gtag = call(&f, "gtag", 13);
    assert_eq!(
        gtag.text,
        "gtag('config', '<%= ENV['GA_ID'] %>', { user_id: '<%= current_user.id %>' })"
    );
    assert_eq!(gtag.args[2].key.as_deref(), Some("user_id"));
    assert!(gtag.args[2].expr.contains("current_user.id"));
    let identify = call(&f, "analytics.identify", 20);
    assert_eq!(
        identify.args[0],
        blastmap::scan::lang::Arg {
            key: None,
            expr: "current_user.id".into(),
            line: 20,
            position: Some(0),
        }
    );
    assert_eq!(identify.args[1].key.as_deref(), Some("email"));
    assert_eq!(identify.args[1].line, 21);
    assert!(identify.args[1].expr.contains("current_user.email"));
    assert_eq!(identify.args[2].key.as_deref(), Some("name"));
    call(&f, "analytics.group", 24);
    // Consent-gated scripts (`type="text/plain"`) are still parsed; JSON-LD is not.
    assert_eq!(
        args(call(&f, "posthog.init", 28)),
        vec![
            pos("'phc_abc'", 28),
            kv("api_host", "'https://eu.i.posthog.com'", 28)
        ]
    );
    assert!(!f.strings.iter().any(|s| s.value.contains("schema.org")));
    assert!(
        f.strings
            .iter()
            .any(|s| s.value == "https://fonts.googleapis.com/css2?family=Inter" && s.line == 8)
    );
}

#[test]
fn jinja_template_tags_do_not_break_scripts() {
    let f = fixture("html/base.jinja");
    assert_eq!(
        imports(&f),
        vec![imp(
            "https://cdn.segment.com/analytics.js/v1/{{ segment_key }}/analytics.min.js",
            4,
            &[],
            false
        )]
    );
    assert!(!mentions(&f, "mxpnl"));
    let identify = call(&f, "analytics.identify", 7);
    let keys: Vec<Option<&str>> = identify.args.iter().map(|a| a.key.as_deref()).collect();
    assert_eq!(keys, [None, Some("email"), Some("company")]);
    assert!(identify.args[1].expr.contains("user.email"));
    assert_eq!(identify.args[2].line, 9);
    call(&f, "analytics.page", 12);
}

#[test]
fn other_template_languages_parse_as_html() {
    let cases: &[(&str, &str)] = &[
        (
            "ejs",
            "<script>\n  mixpanel.identify('<%= user.id %>');\n  mixpanel.people.set({ $email: '<%- user.email %>' });\n</script>",
        ),
        (
            "hbs",
            "{{!-- <script src=\"https://x.invalid\"></script> --}}\n<script>\n  {{#if user}}mixpanel.identify('{{user.id}}');{{/if}}\n  mixpanel.people.set({ $email: '{{{user.email}}}' });\n</script>",
        ),
        (
            "twig",
            "{# comment #}\n<script>\n  {% if user %}mixpanel.identify('{{ user.id }}');{% endif %}\n  mixpanel.people.set({ $email: '{{ user.email|e('js') }}' });\n</script>",
        ),
        (
            "liquid",
            "<script>\n  {%- if customer -%}mixpanel.identify('{{ customer.id }}');{%- endif -%}\n  mixpanel.people.set({ $email: '{{ customer.email }}' });\n</script>",
        ),
        (
            "blade.php",
            "@if($user)\n<script>\n  mixpanel.identify('{{ $user->id }}');\n  mixpanel.people.set({ $email: '{!! $user->email !!}' });\n</script>\n@endif",
        ),
    ];
    for (ext, src) in cases {
        let lang = Lang::from_path(std::path::Path::new(&format!("page.{ext}"))).unwrap();
        assert_eq!(lang, Lang::Html, "{ext}");
        let f = extract(lang, src).unwrap();
        let identify = f.calls.iter().find(|c| c.callee == "mixpanel.identify");
        assert!(
            identify.is_some_and(|c| c.line == 2 || c.line == 3),
            "{ext}: {:#?}",
            f.calls
        );
        let set = f
            .calls
            .iter()
            .find(|c| c.callee == "mixpanel.people.set")
            .unwrap_or_else(|| panic!("{ext}: {:#?}", f.calls));
        assert_eq!(set.args.len(), 1, "{ext}");
        assert_eq!(set.args[0].key.as_deref(), Some("$email"), "{ext}");
        assert!(
            set.args[0].expr.contains("email"),
            "{ext}: {}",
            set.args[0].expr
        );
        assert!(f.imports.is_empty(), "{ext}: {:?}", f.imports);
    }
}

#[test]
fn vue_script_setup_in_typescript_keeps_file_lines() {
    let f = fixture("vue/CheckoutForm.vue");
    assert_eq!(
        imports(&f),
        vec![
            imp("vue", 9, &["ref"], false),
            imp("@stripe/stripe-js", 10, &["loadStripe"], false),
            imp("posthog-js", 11, &["posthog"], false),
        ]
    );
    // The placeholder text is a string, not an import; the class is nothing.
    assert!(!mentions(&f, "mixpanel"));
    assert!(!f.strings.iter().any(|s| s.value.contains("sentry")));
    assert_eq!(
        args(call(&f, "posthog.capture", 18)),
        vec![
            pos("'checkout_started'", 18),
            kv("email", "email.value", 18)
        ]
    );
    assert_eq!(
        args(call(&f, "stripe.redirectToCheckout", 19)),
        vec![kv("customerEmail", "email.value", 19)]
    );
    assert!(bindings(&f).contains(&("stripe".into(), "loadStripe".into(), 17)));
    assert_eq!(f.functions[0].name, "submit");
}

#[test]
fn svelte_module_and_instance_scripts() {
    let f = fixture("svelte/Signup.svelte");
    assert_eq!(
        imports(&f),
        vec![
            imp("@sentry/svelte", 6, &["Sentry"], false),
            imp("mixpanel-browser", 7, &["mixpanel"], false)
        ]
    );
    assert_eq!(
        args(call(&f, "mixpanel.people.set", 12)),
        vec![kv("$email", "user.email", 12), kv("$name", "user.name", 12)]
    );
    assert_eq!(
        args(call(&f, "Sentry.setUser", 13)),
        vec![kv("email", "user.email", 13)]
    );
    assert!(!f.strings.iter().any(|s| s.value.contains("sentry-banner")));
}
