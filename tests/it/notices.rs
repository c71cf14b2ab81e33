//! Incident notices, pinned on the seed incident: the user notice names
//! every exposed kind of data and every kind that was not exposed, says
//! plainly that no rotation is needed, leaves what the map cannot know as
//! placeholders, and invents nothing (no date, no contact, no company name).
//! The same in Arabic, with right-to-left HTML; the regulator draft follows
//! GDPR Art. 33(3); exposed credentials turn the advice into rotation steps.

use crate::common;

use blastmap::graph::{DataGraph, Mode};
use blastmap::model::declaration::load_str;
use blastmap::report::notice::{Lang, NoticeFormat, NoticeKind, draft};
use common::{EVIL, SEED, cli, hostile, hostile_id, tag_balance};
use serde_json::Value;

fn seed_notice(kind: &str, lang: &str, format: &str) -> String {
    let (code, out, err) = cli(&[
        "blast", "mixpanel", "--map", SEED, "--notice", kind, "--lang", lang, "--format", format,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.is_empty(), "{err}");
    out
}

fn seed_report() -> Value {
    let (code, out, err) = cli(&["blast", "mixpanel", "--map", SEED, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

/// (category, plain) of each entry of a report list.
fn cats(r: &Value, list: &str) -> Vec<(String, String)> {
    r[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["category"].as_str().unwrap().to_string(),
                e["plain"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Facts the tool cannot know must not appear: dates, years, month names,
/// email addresses, web addresses, phone numbers.
fn assert_invents_nothing(notice: &str) {
    let date = regex::Regex::new(r"\b(19|20)\d\d\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b").unwrap();
    assert!(!date.is_match(notice), "a date or year: {notice}");
    for month in [
        "January",
        "February",
        "March",
        "April",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ] {
        assert!(!notice.contains(month), "a month ({month})");
    }
    let email = regex::Regex::new(r"[\w.+-]+@[\w-]+\.[\w.]+").unwrap();
    assert!(!email.is_match(notice), "an email address: {notice}");
    assert!(!notice.contains("http"), "a web address");
    assert!(!notice.contains("www."), "a web address");
    let phone = regex::Regex::new(r"\+?\d[\d ()-]{7,}\d").unwrap();
    let phones: Vec<&str> = phone
        .find_iter(notice)
        .map(|m| m.as_str())
        .filter(|m| !m.contains(','))
        .collect();
    assert!(phones.is_empty(), "a phone number: {phones:?}");
}

const NO_ROTATION_EN: &str =
    "You do not need to change your password or rotate your API keys because of this incident.";
const NO_ROTATION_AR: &str = "لا حاجة إلى تغيير كلمة المرور أو تدوير مفاتيح API بسبب هذه الحادثة.";

#[test]
fn the_seed_user_notice_names_what_was_and_was_not_exposed() {
    let r = seed_report();
    let notice = seed_notice("users", "en", "markdown");
    let exposed = cats(&r, "exposed");
    assert_eq!(exposed.len(), 8, "the seed set");
    for (_, plain) in &exposed {
        assert!(
            notice.contains(plain.as_str()),
            "exposed `{plain}` not named"
        );
    }
    let not = cats(&r, "not_exposed");
    for (_, plain) in &not {
        assert!(
            notice.contains(plain.as_str()),
            "not-exposed `{plain}` not named"
        );
    }
    // The seed incident's "not" list, in the words people read.
    for p in [
        "passwords",
        "credentials (API keys, tokens)",
        "private content (messages, chats, files)",
        "payment card details",
    ] {
        assert!(notice.contains(p), "{p}");
    }
    // Each list is under its own heading: nothing exposed is listed as spared.
    let (involved, rest) = notice
        .split_once("## What information was not involved")
        .unwrap();
    let (spared, _) = rest.split_once("## What we are doing").unwrap();
    assert!(involved.contains("email addresses") && !spared.contains("email addresses"));
    assert!(spared.contains("- passwords") && !involved.contains("passwords"));
    assert!(
        notice.contains("Developers with an API account (up to 1,200,000 people)"),
        "the group and its count"
    );
    assert!(notice.contains(NO_ROTATION_EN));
    assert!(
        !notice.contains("Create a new API key"),
        "no rotation steps"
    );
    // Contact data was exposed: the phishing advice is there.
    assert!(
        notice.contains("We will never ask you for your password, API keys or payment details")
    );
    assert!(notice.contains("two-factor authentication"));
    for p in [
        "[DATE THE VENDOR NOTIFIED US]",
        "[HOW THE VENDOR WAS BREACHED]",
        "[CONTACT ADDRESS]",
        "[COMPANY NAME]",
        "[RECIPIENT NAME]",
    ] {
        assert!(notice.contains(p), "placeholder {p}");
    }
    assert_invents_nothing(&notice);
    insta::assert_snapshot!("seed_users_notice_en", notice);
}

#[test]
fn the_seed_user_notice_in_arabic() {
    let r = seed_report();
    let notice = seed_notice("users", "ar", "markdown");
    let words = Lang::Ar.words();
    for list in ["exposed", "not_exposed"] {
        for (cat, plain) in cats(&r, list) {
            let w = words.category(&cat, &plain);
            assert!(notice.contains(&w), "{list}: `{w}` ({cat}) not named");
        }
    }
    assert!(notice.contains("عناوين البريد الإلكتروني") && notice.contains("كلمات المرور"));
    assert!(notice.contains("حتى 1,200,000 شخص"));
    assert!(notice.contains(NO_ROTATION_AR));
    for p in [
        "[تاريخ إبلاغ المورّد لنا]",
        "[كيف اختُرق المورّد]",
        "[عنوان التواصل]",
        "[اسم الشركة]",
    ] {
        assert!(notice.contains(p), "placeholder {p}");
    }
    // English wording of the template must not leak into the Arabic draft.
    for en in ["What information", "You do not need", "email addresses"] {
        assert!(!notice.contains(en), "{en}");
    }
    assert_invents_nothing(&notice);
    insta::assert_snapshot!("seed_users_notice_ar", notice);
}

#[test]
fn arabic_html_is_right_to_left_and_english_is_not() {
    let ar = seed_notice("users", "ar", "html");
    assert!(ar.contains(r#"<html lang="ar" dir="rtl">"#));
    assert!(ar.contains("<title>إشعار أمني: حادثة لدى Mixpanel</title>"));
    assert!(ar.contains(r#"<mark class="placeholder">[تاريخ إبلاغ المورّد لنا]</mark>"#));
    tag_balance(&ar).unwrap();
    let en = seed_notice("users", "en", "html");
    assert!(en.contains(r#"<html lang="en" dir="ltr">"#));
    assert!(en.contains("<li>passwords</li>"));
    tag_balance(&en).unwrap();
    // The CSP forbids every script and request.
    assert!(en.contains("default-src 'none'") && en.contains("script-src 'none'"));
}

#[test]
fn text_notices_have_no_markup() {
    let t = seed_notice("users", "en", "text");
    assert!(t.contains("Security notice: an incident at Mixpanel\n========"));
    assert!(t.contains("  - passwords\n"));
    assert!(!t.contains("## ") && !t.contains("**"));
    assert!(t.contains(NO_ROTATION_EN));
}

#[test]
fn the_regulator_draft_follows_article_33_3() {
    let n = seed_notice("regulator", "en", "markdown");
    for h in [
        "Nature of the breach (Art. 33(3)(a))",
        "Contact point (Art. 33(3)(b))",
        "Likely consequences (Art. 33(3)(c))",
        "Measures taken or proposed (Art. 33(3)(d))",
    ] {
        assert!(n.contains(h), "{h}");
    }
    let section = |from: &str, to: &str| -> String {
        let a = n.split_once(from).unwrap().1;
        a.split_once(to).map(|x| x.0).unwrap_or(a).to_string()
    };
    let a = section("(Art. 33(3)(a))", "(Art. 33(3)(b))");
    assert!(a.contains("Developers with an API account: up to 1,200,000 people"));
    assert!(a.contains("Approximate number of personal data records concerned: up to 1,200,000"));
    for c in [
        "email addresses",
        "names",
        "approximate location (city, region, country)",
    ] {
        assert!(a.contains(&format!("- {c}")), "{c}");
    }
    assert!(a.contains("[HOW THE VENDOR WAS BREACHED]"));
    let b = section("(Art. 33(3)(b))", "(Art. 33(3)(c))");
    assert!(b.contains("[NAME AND CONTACT DETAILS OF THE DATA PROTECTION OFFICER"));
    let c = section("(Art. 33(3)(c))", "(Art. 33(3)(d))");
    assert!(
        c.contains("Targeted phishing"),
        "the scenarios are the consequences"
    );
    assert!(c.contains("No passwords, API keys or other credentials were concerned."));
    let d = section("(Art. 33(3)(d))", "## Timing");
    assert!(d.contains("Revoking Mixpanel's access"));
    assert!(d.contains("warning them about phishing"));
    assert!(!d.contains("Revoking and replacing the exposed credentials"));
    assert!(n.contains("72 hours"));
    assert_invents_nothing(&n);
    let ar = seed_notice("regulator", "ar", "markdown");
    for h in [
        "المادة 33(3)(أ)",
        "المادة 33(3)(ب)",
        "المادة 33(3)(ج)",
        "المادة 33(3)(د)",
    ] {
        assert!(ar.contains(h), "{h}");
    }
    assert!(ar.contains("التصيّد الموجَّه"));
}

#[test]
fn the_internal_notice_carries_the_checklist_and_locations() {
    let n = seed_notice("internal", "en", "markdown");
    assert!(n.contains("Severity **high**"));
    assert!(n.contains("examples/api-platform/blastmap.yaml:72"));
    assert!(n.contains("no password or API key rotation is needed because of this incident"));
    assert!(n.contains("api\\_request\\_content: private content"));
    assert_invents_nothing(&n);
    let ar = seed_notice("internal", "ar", "text");
    assert!(ar.contains("لم تُكشف أي بيانات اعتماد"));
    assert!(ar.contains("examples/api-platform/blastmap.yaml:72"));
}

/// The seed map with the API key also sent to Mixpanel.
fn with_key_leak() -> blastmap::model::Map {
    let text = std::fs::read_to_string(SEED).unwrap().replace(
        "fields: [email, display_name, user_id, org_id, approx_location, os, browser, referrer]",
        "fields: [email, display_name, user_id, org_id, approx_location, os, browser, referrer, api_key, password]",
    );
    load_str(&text, SEED).unwrap()
}

#[test]
fn exposed_credentials_turn_the_advice_into_rotation_steps() {
    let map = with_key_leak();
    let r = DataGraph::build(&map)
        .blast("mixpanel", Mode::Data)
        .unwrap();
    let n = draft(&r, NoticeKind::Users, Lang::En, NoticeFormat::Markdown);
    assert!(!n.contains(NO_ROTATION_EN));
    assert!(
        n.contains("Your credentials were exposed (credentials (API keys, tokens), passwords)")
    );
    let steps: Vec<&str> = n
        .lines()
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .collect();
    assert_eq!(steps.len(), 5, "{steps:#?}");
    assert!(steps[0].starts_with("1. Change your password"));
    assert!(steps[1].starts_with("2. Create a new API key"));
    assert!(steps[4].starts_with("5. Check your account"));
    assert!(n.contains("We are revoking the exposed credentials"));
    let ar = draft(&r, NoticeKind::Users, Lang::Ar, NoticeFormat::Text);
    assert!(!ar.contains(NO_ROTATION_AR));
    assert!(ar.contains("1. غيّر كلمة المرور"));
    let reg = draft(&r, NoticeKind::Regulator, Lang::En, NoticeFormat::Markdown);
    assert!(reg.contains("Account takeover"));
    assert!(reg.contains("Revoking and replacing the exposed credentials"));
}

#[test]
fn a_vendor_that_received_nothing_gets_an_honest_notice() {
    let text = std::fs::read_to_string(SEED)
        .unwrap()
        .replace("  drift:\n", "  amplitude: {}\n  drift:\n");
    let map = load_str(&text, SEED).unwrap();
    let r = DataGraph::build(&map)
        .blast("amplitude", Mode::Data)
        .unwrap();
    let n = draft(&r, NoticeKind::Users, Lang::En, NoticeFormat::Text);
    assert!(n.contains("none of your personal information reached Amplitude"));
    assert!(
        !n.contains("Be careful with messages"),
        "no contact data, no phishing advice"
    );
}

#[test]
fn hostile_input_is_inert_in_every_notice_format() {
    let map = hostile();
    let g = DataGraph::build(&map);
    let r = g.blast(&hostile_id("vend"), Mode::Data).unwrap();
    for kind in [
        NoticeKind::Users,
        NoticeKind::Internal,
        NoticeKind::Regulator,
    ] {
        for lang in [Lang::En, Lang::Ar] {
            let html = draft(&r, kind, lang, NoticeFormat::Html);
            assert!(!html.contains("<script>alert"), "{kind:?} {lang:?}");
            assert!(!html.contains("<img"), "{kind:?} {lang:?}");
            assert!(!html.contains('\u{1b}'));
            tag_balance(&html).unwrap_or_else(|e| panic!("{kind:?} {lang:?}: {e}\n{html}"));
            // Markup in a value never becomes a heading or a placeholder mark.
            assert_eq!(html.matches("<h1>").count(), 1);
            assert!(!html.contains("<mark class=\"placeholder\">[x]"));
            let md = draft(&r, kind, lang, NoticeFormat::Markdown);
            assert!(!md.contains("<script>"), "{kind:?} {lang:?}");
            assert!(md.contains("\\<script\\>"));
            assert!(!md.contains("[x]{y}"), "brackets escaped");
            let text = draft(&r, kind, lang, NoticeFormat::Text);
            assert!(!text.contains('\u{1b}'), "no terminal escapes");
            assert!(
                text.contains("<script>alert(1)</script>"),
                "text keeps the name as it is"
            );
            for out in [&html, &md, &text] {
                assert!(!out.contains('\u{E000}') && !out.contains('\u{E001}'));
            }
        }
    }
    let _ = EVIL;
}

#[test]
fn notice_usage_errors_exit_2() {
    let (code, _, err) = cli(&[
        "blast", "mixpanel", "--map", SEED, "--notice", "users", "--format", "json",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("a notice is drafted as text, markdown or html, not json"));
    use clap::Parser;
    let e = blastmap::cli::Cli::try_parse_from([
        "blastmap",
        "blast",
        "mixpanel",
        "--notice",
        "users",
        "--without",
        "segment",
    ])
    .unwrap_err();
    assert!(e.to_string().contains("cannot be used with"), "{e}");
    let e = blastmap::cli::Cli::try_parse_from(["blastmap", "blast", "mixpanel", "--lang", "ar"])
        .unwrap_err();
    assert!(e.to_string().contains("--notice"), "{e}");
    let (code, _, err) = cli(&["blast", "mixpnael", "--map", SEED, "--notice", "users"]);
    assert_eq!(code, 1);
    assert!(err.contains("did you mean `mixpanel`?"));
}

/// Regression (regulators count the people in their region): the
/// regulator notice gave the global count (us + eu) where GDPR Art. 33
/// needs the number of data subjects in the EU/EEA. Counts per region give
/// it; a total mixing regions leaves a placeholder that says why.
#[test]
fn the_regulator_notice_counts_the_people_in_its_region() {
    let per_region = "version: 1\nsystem: shop\nsubjects:\n  customer: { description: Customers, count: { eu: 400000, us: 800000 } }\nfields:\n  email: { category: user.contact.email, subject: customer }\ncomponents:\n  web: { kind: web, holds: [email] }\nvendors:\n  mixpanel: {}\nflows:\n  - { from: web, to: mixpanel, fields: [email] }\n";
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("blastmap.yaml");
    std::fs::write(&p, per_region).unwrap();
    let map = p.display().to_string();
    let run = |args: &[&str]| {
        let (code, out, err) = cli(args);
        assert_eq!(code, 0, "{err}");
        out
    };
    let regulator = run(&["blast", "mixpanel", "--map", &map, "--notice", "regulator"]);
    assert!(
        regulator
            .contains("Data subjects concerned in the EU/EEA and the UK: up to 400,000 people."),
        "{regulator}"
    );
    assert!(
        regulator.contains("up to 1,200,000 people (eu 400,000; us 800,000)"),
        "{regulator}"
    );
    let internal = run(&["blast", "mixpanel", "--map", &map, "--notice", "internal"]);
    assert!(internal.contains("(eu 400,000; us 800,000)"), "{internal}");
    let json: Value = serde_json::from_str(&run(&[
        "blast", "mixpanel", "--map", &map, "--format", "json",
    ]))
    .unwrap();
    assert_eq!(json["affected"][0]["count"], 1_200_000);
    assert_eq!(json["affected"][0]["by_region"]["eu"], 400_000);
    assert_eq!(
        json["affected"][0]["regions"],
        serde_json::json!(["eu", "us"])
    );
    let ar = run(&[
        "blast",
        "mixpanel",
        "--map",
        &map,
        "--notice",
        "regulator",
        "--lang",
        "ar",
    ]);
    assert!(ar.contains("400,000"), "{ar}");

    // Only a total, for people in the EU and the US: the number is not known.
    std::fs::write(
        &p,
        per_region.replace(
            "count: { eu: 400000, us: 800000 }",
            "count: 1200000, regions: [eu, us]",
        ),
    )
    .unwrap();
    let regulator = run(&["blast", "mixpanel", "--map", &map, "--notice", "regulator"]);
    assert!(
        regulator.contains("Data subjects concerned in the EU/EEA and the UK: [NUMBER OF PEOPLE IN THE EU/EEA AND THE UK]"),
        "{regulator}"
    );
    // Everyone in the EU: the total is the number.
    std::fs::write(
        &p,
        per_region.replace(
            "count: { eu: 400000, us: 800000 }",
            "count: 1200000, regions: [eu]",
        ),
    )
    .unwrap();
    let regulator = run(&["blast", "mixpanel", "--map", &map, "--notice", "regulator"]);
    assert!(
        regulator.contains("in the EU/EEA and the UK: up to 1,200,000 people."),
        "{regulator}"
    );
    // A bad count per region is an error at its path.
    std::fs::write(&p, per_region.replace("us: 800000", "us: many")).unwrap();
    let (code, _, err) = cli(&["validate", &map]);
    assert_eq!(code, 2);
    assert!(err.contains("subjects.customer.count"), "{err}");
}

/// Customers and merchants, both with emails and names: a vendor that got
/// the customers' email and name must not tell anyone that emails or names
/// were "not involved" for the customers (the merchants' fields of the same
/// kind were not, and are named as theirs, by their description though no
/// field of theirs was involved). Every notice, in both languages,
/// and the checklist's `notify-subjects` step keep each group's two lists
/// apart; the regulator's "did not receive" names only kinds no one's data
/// of reached the vendor.
const TWO_GROUPS: &str = r#"version: 1
system: payments
subjects:
  customer: { description: Customers who pay, count: 50000 }
  merchant: { description: Merchants who sell, count: 300 }
fields:
  customer_email: { category: user.contact.email, subject: customer }
  customer_name: { category: user.name, subject: customer }
  customer_phone: { category: user.contact.phone_number, subject: customer }
  merchant_email: { category: user.contact.email, subject: merchant }
  merchant_name: { category: user.name, subject: merchant }
  merchant_iban: { category: user.financial.bank_account, subject: merchant }
components:
  checkout: { kind: web }
vendors:
  mixpanel: {}
flows:
  - { from: checkout, to: mixpanel, fields: [customer_email, customer_name] }
"#;

#[test]
fn each_group_of_people_has_its_own_exposed_and_spared_lists() {
    let map = load_str(TWO_GROUPS, "two-groups.yaml").unwrap();
    let r = DataGraph::build(&map)
        .blast("mixpanel", Mode::Data)
        .unwrap();
    let en = draft(&r, NoticeKind::Users, Lang::En, NoticeFormat::Markdown);
    assert!(
        en.contains("- Customers who pay (up to 50,000 people): email addresses, names."),
        "{en}"
    );
    let spared = en
        .split("## What information was not involved")
        .nth(1)
        .and_then(|t| t.split("## What we are doing").next())
        .unwrap();
    assert!(
        spared.contains("- Customers who pay: phone numbers."),
        "{spared}"
    );
    assert!(
        spared.contains("- Merchants who sell: bank account details, email addresses, names."),
        "{spared}"
    );
    let ar = draft(&r, NoticeKind::Users, Lang::Ar, NoticeFormat::Markdown);
    let spared_ar = ar
        .split("## ما المعلومات التي لم تشملها الحادثة")
        .nth(1)
        .unwrap();
    assert!(spared_ar.contains("- Customers who pay: "), "{spared_ar}");
    let reg = draft(&r, NoticeKind::Regulator, Lang::En, NoticeFormat::Markdown);
    let not = reg
        .lines()
        .find(|l| l.starts_with("Not concerned:"))
        .unwrap();
    assert!(
        !not.contains("email") && !not.contains("names") && not.contains("phone numbers"),
        "{not}"
    );
    let step = blastmap::report::words::worded(&r)
        .actions
        .iter()
        .find(|a| a.id == "notify-subjects")
        .map(|a| a.text.clone())
        .unwrap();
    assert_eq!(
        step,
        "Tell customer (50,000 people) what was exposed: email addresses, names. \
         Say as clearly what was not: phone numbers."
    );
}

/// The Arabic internal notice gives severities and sensitivities in Arabic,
/// not `critical` and `medium` in English.
#[test]
fn arabic_notices_translate_severities() {
    let ar = seed_notice("internal", "ar", "markdown");
    assert!(ar.contains("درجة الخطورة **عالية**"), "{ar}");
    assert!(ar.contains("user.contact.email، متوسطة؛"), "{ar}");
    for english in ["critical", "high", "medium", " low"] {
        assert!(!ar.contains(english), "{english} left in English");
    }
}
