//! Kotlin extraction on an Android-like repository class with traps.

use crate::lang_common as common;

use common::*;

#[test]
fn kotlin_imports_aliases_wildcards_and_traps() {
    let f = fixture("kotlin/AnalyticsRepository.kt");
    assert_eq!(
        imports(&f),
        vec![
            imp("android.content.Context", 3, &["Context"], false),
            imp(
                "com.mixpanel.android.mpmetrics.MixpanelAPI",
                4,
                &["MixpanelAPI"],
                false
            ),
            imp(
                "com.segment.analytics.kotlin.android.Analytics",
                5,
                &["SegmentAnalytics"],
                false
            ),
            imp("io.sentry.Sentry", 6, &["Sentry"], false),
            imp("io.sentry.protocol.User", 7, &["SentryUser"], false),
            imp("com.stripe.android", 8, &[], false),
        ]
    );
    assert!(!mentions(&f, "amplitude"));
    assert!(!mentions(&f, "posthog"));
    assert!(!mentions(&f, "sentry-banner"));
}

#[test]
fn kotlin_named_args_map_of_and_trailing_lambdas() {
    let f = fixture("kotlin/AnalyticsRepository.kt");
    assert_eq!(
        args(call(&f, "mixpanel.people.set", 22)),
        vec![pos("\"\\$email\"", 22), pos("user.email", 22)]
    );
    // Named arguments, and `props = mapOf(...)` followed one step.
    assert_eq!(
        args(call(&f, "segment.identify", 24)),
        vec![
            kv("userId", "user.id", 24),
            kv("traits", "props", 24),
            kv("traits.plan", "user.plan", 23),
            kv("traits.company", "user.companyName", 23),
        ]
    );
    assert_eq!(
        args(call(&f, "JSONObject", 30)),
        vec![kv("$name", "user?.displayName", 30)]
    );
    assert_eq!(
        args(call(&f, "put", 29)),
        vec![pos("\"email\"", 29), pos("user?.email", 29)]
    );
    call(&f, "this.mixpanel.track", 30);
    // `SegmentAnalytics(key, ctx) { ... }` is one call, not two.
    assert_eq!(
        args(call(&f, "SegmentAnalytics", 16)),
        vec![
            pos("BuildConfig.SEGMENT_KEY", 16),
            pos("context.applicationContext", 16)
        ]
    );
}

#[test]
fn kotlin_bindings_and_functions() {
    let f = fixture("kotlin/AnalyticsRepository.kt");
    let b = bindings(&f);
    assert!(b.contains(&("mixpanel".into(), "MixpanelAPI".into(), 15)));
    assert!(b.contains(&("segment".into(), "SegmentAnalytics".into(), 16)));
    assert!(!b.iter().any(|(_, root, _)| root == "true"));
    let defs: Vec<(Option<&str>, &str, bool)> = f
        .functions
        .iter()
        .map(|d| (d.owner.as_deref(), d.name.as_str(), d.exported))
        .collect();
    assert_eq!(
        defs,
        vec![
            (Some("AnalyticsRepository"), "identify", true),
            (Some("AnalyticsRepository"), "track", true),
            (Some("AnalyticsRepository"), "hasEntryInput", false),
            (None, "reportCrash", true),
        ]
    );
    assert_eq!(f.functions[1].params, ["event", "user"]);
}
