//! Fields at vendor call sites and fields SDKs collect by themselves, end to
//! end through the scanner: exact (category, file, line) triples per
//! language, with the traps (a `track()` on an object that is not the SDK, an
//! `emailTemplate` key, event names, literals, calls in tests).

use crate::scan_support;

use std::fs;
use std::path::Path;

use scan_support::*;

const ANALYTICS_TS: &str = r#"import mixpanel from "mixpanel-browser";
import { tracker } from "./tracker";
import type { Cart, User } from "./types";

export function identifyUser(user: User, cart: Cart): void {
  mixpanel.identify(user.id);
  mixpanel.people.set({
    $email: user.email,
    emailTemplate: settings.welcomeTemplate,
    plan: "pro",
  });
  mixpanel.track("Signed up", { email: user.email, items: cart.items.length });
  cart.track(user.email);
  tracker.track("checkout", { email: user.email });
}

export function trackEvent(name: string, props: Record<string, unknown> = {}): void {
  mixpanel.track(name, props);
}
"#;

const AI_TS: &str = r#"import OpenAI from "openai";

const client = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });
const chat = client.chat;

export async function summarise(ticket: Ticket) {
  const a = await client.chat.completions.create({
    model: "gpt-4o-mini",
    user: ticket.customerEmail,
  });
  return chat.completions.create({ model: "gpt-4o-mini", user: ticket.requesterPhone });
}
"#;

const BILLING_PY: &str = r#"import stripe
import sentry_sdk
from openai import OpenAI

client = OpenAI()


def create_customer(user, email_template, analytics):
    stripe.Customer.create(
        email=user.email,
        name=user.full_name,
        description=email_template,
    )
    sentry_sdk.set_user({"id": user.id})
    client.moderations.create(input=user.phone_number)
    analytics.track(user.email)
    sentry_sdk.capture_message("customer created")
"#;

fn tree(root: &Path) {
    write(
        root,
        "web/package.json",
        r#"{ "name": "shop-web", "dependencies": { "mixpanel-browser": "^2.56.0", "openai": "^4.0.0" } }"#,
    );
    write(root, "web/src/analytics.ts", ANALYTICS_TS);
    write(root, "web/src/ai.ts", AI_TS);
    write(
        root,
        "api/requirements.txt",
        "stripe==11.1.0\nsentry-sdk==2.19.0\nopenai==1.55.3\n",
    );
    write(root, "api/app/billing.py", BILLING_PY);
    write(
        root,
        "api/tests/test_billing.py",
        "import stripe\n\n\ndef test_customer(user):\n    stripe.Customer.create(email=user.email)\n",
    );
}

#[test]
fn typescript_call_sites_give_exact_fields_and_skip_the_traps() {
    let tmp = tempfile::tempdir().unwrap();
    tree(tmp.path());
    let r = run(tmp.path());
    // `cart.track` and `tracker.track` are not Mixpanel's; `emailTemplate`
    // and `plan: "pro"` are not user data; the event names ("Signed up",
    // and `name` in `trackEvent`) are not a person's name.
    assert_eq!(
        calls(&r, "mixpanel"),
        [
            "web/src/analytics.ts:12 production",
            "web/src/analytics.ts:18 production",
            "web/src/analytics.ts:6 production",
            "web/src/analytics.ts:7 production",
        ]
    );
    assert_eq!(
        call_fields(&r, "mixpanel"),
        [
            "user.contact.email web/src/analytics.ts:12",
            "user.contact.email web/src/analytics.ts:8",
            "user.unique_id web/src/analytics.ts:6",
        ]
    );
    // `new OpenAI()` bound to `client`, then `chat = client.chat`: two steps.
    assert_eq!(
        call_fields(&r, "openai")
            .into_iter()
            .filter(|f| f.contains("web/"))
            .collect::<Vec<_>>(),
        [
            "user.contact.email web/src/ai.ts:9",
            "user.contact.phone_number web/src/ai.ts:11",
        ]
    );
}

#[test]
fn python_call_sites_give_exact_fields_and_tests_carry_none() {
    let tmp = tempfile::tempdir().unwrap();
    tree(tmp.path());
    let r = run(tmp.path());
    assert_eq!(
        call_fields(&r, "stripe"),
        [
            "user.contact.email api/app/billing.py:10",
            "user.name api/app/billing.py:11",
        ]
    );
    // The call in a test is evidence (test scope) but sends no user data.
    assert_eq!(
        calls(&r, "stripe"),
        [
            "api/app/billing.py:9 production",
            "api/tests/test_billing.py:5 test"
        ]
    );
    // The user set on the scope, and the message captured after it, which
    // carries that user.
    assert_eq!(
        call_fields(&r, "sentry"),
        [
            "user.unique_id api/app/billing.py:14",
            "user.unique_id api/app/billing.py:17"
        ]
    );
    assert_eq!(
        call_fields(&r, "openai")
            .into_iter()
            .filter(|f| f.contains("api/"))
            .collect::<Vec<_>>(),
        ["user.contact.phone_number api/app/billing.py:15"]
    );
    // `analytics.track(user.email)` is not a vendor call.
    assert!(
        r.integrations
            .iter()
            .flat_map(|i| i.fields.iter())
            .all(|f| f.line != 16 || f.file != "api/app/billing.py")
    );
}

#[test]
fn browser_sdk_collects_by_itself_at_the_import_unless_configured_off() {
    let tmp = tempfile::tempdir().unwrap();
    tree(tmp.path());
    let r = run(tmp.path());
    let got = collected(&r, "mixpanel");
    assert!(got.contains(&"user.location.imprecise web/src/analytics.ts:1".to_string()));
    assert!(got.contains(&"user.device.cookie_id web/src/analytics.ts:1".to_string()));
    // The server-side Python SDK of Sentry collects server things only.
    let sentry = collected(&r, "sentry");
    assert!(sentry.contains(&"user.content api/app/billing.py:2".to_string()));
    assert!(!sentry.iter().any(|c| c.starts_with("user.device.browser")));

    // Turning IP geolocation and cookies off in the init call.
    let off = tmp.path().join("web/src/analytics.ts");
    let init = "mixpanel.init(TOKEN, { ip: false, persistence: \"localStorage\" });\n";
    fs::write(&off, format!("{ANALYTICS_TS}{init}")).unwrap();
    let r = run(tmp.path());
    let got = collected(&r, "mixpanel");
    assert!(!got.iter().any(|c| c.starts_with("user.location.imprecise")));
    assert!(!got.iter().any(|c| c.starts_with("user.device.cookie_id")));
    assert!(got.contains(&"user.device.os web/src/analytics.ts:1".to_string()));
}

#[test]
fn the_seed_example_from_code_alone() {
    let r = run(Path::new("examples/api-platform"));
    let mut cats: Vec<String> = r
        .integrations
        .iter()
        .filter(|i| i.vendor == "mixpanel" && i.component.as_deref() == Some("platform-dashboard"))
        .flat_map(|i| i.fields.iter().map(|f| f.category.clone()))
        .collect();
    cats.sort();
    cats.dedup();
    // The eight declared categories, plus three the catalog says the browser
    // SDK sends by default and the dashboard does not turn off ($device and
    // screen size, $current_url, the random $device_id). The cookie is off:
    // the dashboard sets `persistence: "localStorage"`.
    assert_eq!(
        cats,
        [
            "user.behavior.browsing_history",
            "user.behavior.referrer",
            "user.contact.email",
            "user.device",
            "user.device.browser",
            "user.device.device_id",
            "user.device.os",
            "user.location.imprecise",
            "user.name",
            "user.unique_id",
            "user.unique_id.organization",
        ]
    );
}

#[test]
fn swift_kotlin_and_ruby_call_sites() {
    let ios = run(&fixture("ios-app"));
    assert_eq!(
        call_fields(&ios, "mixpanel"),
        [
            "user.contact.email Sources/App/Analytics.swift:17",
            "user.unique_id Sources/App/Analytics.swift:16",
        ]
    );
    let jvm = run(&fixture("jvm-android"));
    assert_eq!(
        call_fields(&jvm, "mixpanel"),
        ["user.unique_id android/app/src/main/java/com/acme/app/Analytics.kt:11"]
    );
    // `require "stripe"` stands for `Stripe`; the call in a comment is not
    // one. The application's user id in the metadata is the person's; the
    // Stripe customer id is Stripe's own.
    let rails = run(&fixture("rails-app"));
    assert_eq!(
        call_fields(&rails, "stripe"),
        ["user.unique_id app/services/payment_service.rb:10"]
    );
    // The spec's `PaymentService.new.charge(build(:user), 500)` calls
    // the wrapper on an object it makes: a call site, in test scope.
    assert_eq!(
        calls(&rails, "stripe"),
        [
            "app/services/payment_service.rb:10 production",
            "spec/services/payment_service_spec.rb:7 test"
        ]
    );
}

/// An id a vendor made for its own object tells that vendor nothing new;
/// the application's own id for the person does, and another vendor's id
/// sent elsewhere is a person's id there.
#[test]
fn a_vendors_own_object_id_sent_back_to_it_is_no_persons_data() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "app/Jobs/UpdateStripeCustomer.php",
        r#"<?php

namespace App\Jobs;

use Stripe\Customer;
use Stripe\Checkout\Session;

class UpdateStripeCustomer
{
    public function handle($team, $user)
    {
        Customer::update($team->stripe_customer_id, ['email' => $user->email]);
        Session::create([
            'customer' => $stripe_customer_id,
            'client_reference_id' => $user->id,
        ]);
    }
}
"#,
    );
    let r = run(root);
    let fields = call_fields(&r, "stripe");
    assert!(
        fields.contains(&"user.contact.email app/Jobs/UpdateStripeCustomer.php:12".to_string()),
        "{fields:?}"
    );
    assert!(
        fields.contains(&"user.unique_id app/Jobs/UpdateStripeCustomer.php:15".to_string()),
        "{fields:?}"
    );
    assert!(
        fields.iter().all(
            |f| !(f.ends_with(":14") || f.starts_with("user.unique_id") && f.ends_with(":12"))
        ),
        "{fields:?}"
    );
}

/// Payloads as payment SDKs want them: the payee sits in a dict inside a
/// list (`transactions: [{payee: ...}]`), assigned in one branch with an
/// empty default in the other, and a dict or array is added under a key
/// after the literal was written.
#[test]
fn values_in_lists_branches_and_nested_additions_reach_the_call() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "shop/payment.py",
        r#"import paypalrestsdk


def start(request, order):
    if request.event.settings.connected:
        payee = {"email": request.event.settings.merchant_email}
    else:
        payee = {}
    options = {"intent": "sale"}
    options["payer"] = {"payer_info": {"email": order.email}}
    payment = paypalrestsdk.Payment({
        "options": options,
        "transactions": [
            {"payee": payee, "description": "Event tickets"},
        ],
    })
    return payment
"#,
    );
    let r = run(root);
    let fields = call_fields(&r, "paypal");
    assert_eq!(
        fields,
        vec!["user.contact.email shop/payment.py:11".to_string()],
        "both emails, reported once at the call"
    );
    let names: Vec<String> = r.integrations[0]
        .fields
        .iter()
        .map(|f| f.name.clone())
        .collect();
    for n in [
        "transactions.payee.email (built at line 6)",
        "options.payer.payer_info.email (built at line 10)",
    ] {
        assert!(names.iter().any(|x| x == n), "{n}: {names:?}");
    }
}

/// A Go method reaches the clients kept in its struct's fields through its
/// receiver (`s.mail.Emails.Send(...)` in `func (s *Service)`): what it
/// sends there is a field of that vendor.
#[test]
fn go_methods_send_through_the_clients_in_their_receivers_fields() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "billing.go",
        include_str!("../fixtures/lang/go/billing.go"),
    );
    let r = run(root);
    let resend = call_fields(&r, "resend");
    assert!(
        resend.contains(&"user.contact.email billing.go:54".to_string()),
        "{resend:?}"
    );
    let segment = call_fields(&r, "segment");
    assert!(
        segment.contains(&"user.unique_id billing.go:50".to_string()),
        "{segment:?}"
    );
}
