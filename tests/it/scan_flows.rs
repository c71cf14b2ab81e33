//! Data flow at vendor call sites, end to end through the scanner: one step
//! of local data flow (an object/dict/hash/map/struct literal assigned in the
//! same function, then passed), first-party wrappers (and wrappers of
//! them) followed across files, PHP and Go call sites, Sentry's opt-in PII
//! (`send_default_pii`), and Close's calls. Exact (category, file, line)
//! triples, with the traps: calls in comments and strings, a variable of the
//! same name assigned in another function, a function that calls the vendor
//! without forwarding its parameter, a same-named function from another
//! module, call sites in tests.

use crate::scan_support;

use std::path::Path;

use scan_support::*;

/// A TypeScript app's root: its `package.json`, and a `tsconfig.json` that
/// maps `@/` to the root.
fn write_ts_root(root: &Path, package_json: &str) {
    write(root, "package.json", package_json);
    write(
        root,
        "tsconfig.json",
        r#"{"compilerOptions":{"paths":{"@/*":["./*"]}}}"#,
    );
}

/// A Next.js app that installs posthog-node, with `files` written in.
fn posthog_app(files: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "package.json",
        r#"{"dependencies":{"posthog-node":"4.0.0","next":"15.0.0"}}"#,
    );
    for (rel, text) in files {
        write(tmp.path(), rel, text);
    }
    tmp
}

/// A TypeScript app that installs the AI SDK and one provider, `provider`
/// (`openai` or `anthropic`), whose model `lib/model.ts` selects.
fn write_ai_app(root: &Path, provider: &str) {
    write_ts_root(
        root,
        &format!(r#"{{"dependencies":{{"ai":"6.0.0","@ai-sdk/{provider}":"3.0.0"}}}}"#),
    );
    let factory = match provider {
        "openai" => "createOpenAI",
        "anthropic" => "createAnthropic",
        other => panic!("no factory for {other}"),
    };
    write(
        root,
        "lib/model.ts",
        &format!(
            "import {{ {factory} }} from \"@ai-sdk/{provider}\";\n\nexport function getModel() {{\n  return {factory}({{ apiKey: process.env.LLM_API_KEY }})(\"default\");\n}}\n"
        ),
    );
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

// ---------------------------------------------------------------------------
// 1. One step of local data flow

const SIGNUP_TS: &str = r#"import mixpanel from "mixpanel-browser";

function profileProps(user: User) {
  const payload = { $email: user.email };
  return payload;
}

export function onSignup(user: User, plan: string) {
  const props = {
    email: user.email,
    plan,
  };
  props.phone = user.phoneNumber;
  mixpanel.track("Signed up", props);
  // mixpanel.people.set({ $email: user.email });
  const help = "call mixpanel.people.set({ $name: user.name }) to add a profile";
}

export function onLogin(user: User, payload: LoginEvent) {
  mixpanel.track("Logged in", payload);
}
"#;

const EVENTS_PY: &str = r#"import posthog


def record_signup(user):
    payload = {"email": user.email, "plan": user.plan}
    payload["name"] = user.full_name
    posthog.capture(user.id, "signed_up", properties=payload)
    # posthog.capture(user.id, "x", properties={"phone": user.phone_number})


def build(user):
    props = {"phone": user.phone_number}
    return props


def record_login(user, props):
    posthog.capture(user.id, "logged_in", properties=props)
"#;

const TRACKER_RB: &str = r#"require "mixpanel-ruby"

class SignupTracker
  def track(user)
    tracker = Mixpanel::Tracker.new(ENV["MIXPANEL_TOKEN"])
    props = { "$email" => user.email, "plan" => user.plan }
    tracker.people.set(user.id, props)
  end

  def other(user, props)
    extra = { "$phone" => user.phone }
    tracker = Mixpanel::Tracker.new(ENV["MIXPANEL_TOKEN"])
    tracker.people.set(user.id, props)
  end
end
"#;

const TRACK_GO: &str = r#"package events

import (
	"os"

	"github.com/segmentio/analytics-go/v3"
)

var client = analytics.New(os.Getenv("SEGMENT_WRITE_KEY"))

func SignedUp(u *User) error {
	props := analytics.NewProperties()
	props.Set("plan", u.Plan)
	traits := map[string]interface{}{
		"email": u.Email,
	}
	return client.Enqueue(analytics.Track{
		UserId:     u.ID,
		Event:      "Signed Up",
		Properties: traits,
	})
}
"#;

const ANALYTICS_JAVA: &str = r#"package com.acme.app;

import com.mixpanel.android.mpmetrics.MixpanelAPI;
import org.json.JSONException;
import org.json.JSONObject;

public class Analytics {
    public void signedUp(Context context, User user) throws JSONException {
        MixpanelAPI mixpanel = MixpanelAPI.getInstance(context, BuildConfig.MIXPANEL_TOKEN, true);
        JSONObject props = new JSONObject();
        props.put("plan", user.getPlan());
        props.put("$email", user.getEmail());
        mixpanel.track("Signed Up", props);
    }
}
"#;

#[test]
fn literals_assigned_in_the_same_function_are_followed_to_the_call() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "web/package.json",
        r#"{ "name": "web", "dependencies": { "mixpanel-browser": "^2.56.0" } }"#,
    );
    write(root, "web/src/signup.ts", SIGNUP_TS);
    write(root, "api/requirements.txt", "posthog==3.7.0\n");
    write(root, "api/app/events.py", EVENTS_PY);
    write(root, "worker/Gemfile", "gem \"mixpanel-ruby\"\n");
    write(root, "worker/app/signup_tracker.rb", TRACKER_RB);
    let r = run(root);

    // Values built before the call are reported at the call, where the data
    // leaves ("built at line N" in the name); `plan` and the event names are
    // not user data; the
    // comment and the string are no calls; `payload` in onLogin is its
    // parameter, not the literal profileProps assigned earlier.
    assert_eq!(
        call_fields(&r, "mixpanel")
            .into_iter()
            .filter(|f| f.contains("web/"))
            .collect::<Vec<_>>(),
        s(&[
            "user.contact.email web/src/signup.ts:14",
            "user.contact.phone_number web/src/signup.ts:14",
        ])
    );
    assert_eq!(
        calls(&r, "mixpanel")
            .into_iter()
            .filter(|f| f.contains("web/"))
            .collect::<Vec<_>>(),
        s(&[
            "web/src/signup.ts:14 production",
            "web/src/signup.ts:20 production"
        ])
    );

    // Python: the dict, and a key added to it afterwards.
    assert_eq!(
        call_fields(&r, "posthog"),
        s(&[
            "user.contact.email api/app/events.py:7",
            "user.name api/app/events.py:7",
            "user.unique_id api/app/events.py:17",
            "user.unique_id api/app/events.py:7",
        ])
    );

    // Ruby: a hash in a local, passed to people.set.
    assert_eq!(
        call_fields(&r, "mixpanel")
            .into_iter()
            .filter(|f| f.contains("worker/"))
            .collect::<Vec<_>>(),
        s(&[
            "user.contact.email worker/app/signup_tracker.rb:7",
            "user.unique_id worker/app/signup_tracker.rb:13",
            "user.unique_id worker/app/signup_tracker.rb:7",
        ])
    );
}

#[test]
fn go_maps_and_java_map_builders_are_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "go.mod",
        "module github.com/acme/shop\n\ngo 1.22\n\nrequire github.com/segmentio/analytics-go/v3 v3.3.0\n",
    );
    write(root, "internal/events/track.go", TRACK_GO);
    write(
        root,
        "android/app/build.gradle",
        "dependencies {\n    implementation 'com.mixpanel.android:mixpanel-android:7.5.2'\n}\n",
    );
    write(
        root,
        "android/app/src/main/java/com/acme/app/Analytics.java",
        ANALYTICS_JAVA,
    );
    let r = run(root);
    assert_eq!(
        call_fields(&r, "segment"),
        s(&[
            "user.contact.email internal/events/track.go:17",
            "user.unique_id internal/events/track.go:18",
        ])
    );
    assert_eq!(
        call_fields(&r, "mixpanel"),
        s(&["user.contact.email android/app/src/main/java/com/acme/app/Analytics.java:13"])
    );
}

// ---------------------------------------------------------------------------
// 2. First-party wrappers, one level, across files

const WRAPPER_TS: &str = r#"import posthog from "posthog-js";

export function capture(event: string, props: Record<string, unknown> = {}) {
  posthog.capture(event, props);
}

export function identify(user: { id: string; email: string }) {
  posthog.identify(user.id, { email: user.email });
}

export function pageview(path: string) {
  posthog.capture("$pageview");
  console.debug(path);
}

export function trackSignup(user: User) {
  capture("signup_started", { email: user.email });
}
"#;

const SIGNUP_TSX: &str = r#"import { capture, pageview, trackSignup } from "@/lib/analytics";
import * as analytics from "../lib/analytics";

export function SignupForm({ user }: Props) {
  const onSubmit = () => {
    capture("signup_completed", { email: user.email, plan: "pro" });
    analytics.capture("form_viewed", { phone: user.phoneNumber });
    pageview(user.email);
    trackSignup(user);
  };
  // capture("commented", { email: user.email });
  const hint = 'capture("in a string", { email: user.email })';
  return <form onSubmit={onSubmit} title={hint} />;
}
"#;

const RECORDER_TS: &str = r#"import { capture } from "./camera";

export function snap(user: User, stream: MediaStream) {
  return capture("frame", { email: user.email, stream });
}
"#;

const CAMERA_TS: &str = r#"export function capture(name: string, opts: object) {
  return { name, opts };
}
"#;

const WRAPPER_TEST_TS: &str = r#"import { capture } from "./analytics";

test("capture forwards", () => {
  capture("x", { email: user.email });
});
"#;

const ANALYTICS_PY: &str = r#"import posthog


def capture(distinct_id, event, properties=None):
    posthog.capture(distinct_id, event, properties=properties)


def flush(reason):
    posthog.capture("system", "flush")
    print(reason)
"#;

const VIEWS_PY: &str = r#"from app.analytics import capture, flush
from app import analytics


def signup(request, user):
    capture(user.id, "signed_up", properties={"email": user.email})
    analytics.capture(user.id, "plan_chosen", {"plan": user.plan, "phone": user.phone_number})
    flush(user.email)
"#;

const MEDIA_PY: &str = r#"from app.camera import capture


def snapshot(user, frame):
    return capture(frame, {"email": user.email})
"#;

const LOCAL_PY: &str = r#"def capture(event, properties):
    return (event, properties)


def record(user):
    capture("x", {"email": user.email})
"#;

fn wrapper_tree(root: &Path) {
    write(
        root,
        "web/package.json",
        r#"{ "name": "web", "dependencies": { "posthog-js": "^1.160.0" } }"#,
    );
    write(root, "web/src/lib/analytics.ts", WRAPPER_TS);
    write(root, "web/src/pages/signup.tsx", SIGNUP_TSX);
    write(root, "web/src/media/recorder.ts", RECORDER_TS);
    write(root, "web/src/media/camera.ts", CAMERA_TS);
    write(root, "web/src/lib/analytics.test.ts", WRAPPER_TEST_TS);
    write(root, "api/requirements.txt", "posthog==3.7.0\n");
    write(root, "api/app/analytics.py", ANALYTICS_PY);
    write(root, "api/app/views.py", VIEWS_PY);
    write(root, "api/app/media.py", MEDIA_PY);
    write(root, "api/app/local.py", LOCAL_PY);
}

#[test]
fn typescript_wrapper_call_sites_are_flows_to_the_vendor() {
    let tmp = tempfile::tempdir().unwrap();
    wrapper_tree(tmp.path());
    let r = run(tmp.path());
    let web: Vec<String> = call_fields(&r, "posthog")
        .into_iter()
        .filter(|f| f.contains("web/"))
        .collect();
    // Line 6 by a named import through an alias path, line 7 by a namespace
    // import; `pageview` calls PostHog but forwards nothing; `trackSignup`
    // is a wrapper of a wrapper: its own `capture` call is a call site, and
    // so is its caller on line 9, whose `user` reaches PostHog as the
    // `email` that `trackSignup` reads from it; the comment and the string
    // are no calls; the camera's `capture` is another function; the test
    // sends nothing.
    assert_eq!(
        web,
        s(&[
            "user.contact.email web/src/lib/analytics.ts:17",
            "user.contact.email web/src/lib/analytics.ts:8",
            "user.contact.email web/src/pages/signup.tsx:6",
            "user.contact.email web/src/pages/signup.tsx:9",
            "user.contact.phone_number web/src/pages/signup.tsx:7",
            "user.unique_id web/src/lib/analytics.ts:8",
        ])
    );
    let web_calls: Vec<String> = calls(&r, "posthog")
        .into_iter()
        .filter(|f| f.contains("web/"))
        .collect();
    assert_eq!(
        web_calls,
        s(&[
            "web/src/lib/analytics.test.ts:4 test",
            "web/src/lib/analytics.ts:12 production",
            "web/src/lib/analytics.ts:17 production",
            "web/src/lib/analytics.ts:4 production",
            "web/src/lib/analytics.ts:8 production",
            "web/src/pages/signup.tsx:6 production",
            "web/src/pages/signup.tsx:7 production",
            "web/src/pages/signup.tsx:9 production",
        ])
    );
    let text = call_text(&r, "posthog", "web/src/pages/signup.tsx", 9);
    assert!(
        text.starts_with("trackSignup → capture → posthog.capture (web/src/lib/analytics.ts:16)"),
        "{text}"
    );
    let text = call_text(&r, "posthog", "web/src/pages/signup.tsx", 6);
    assert!(
        text.starts_with("capture → posthog.capture (web/src/lib/analytics.ts:3): capture("),
        "{text}"
    );
    // The page's component sends to PostHog through the wrapper.
    assert!(r.integrations.iter().any(|i| {
        i.vendor == "posthog"
            && i.evidence
                .iter()
                .any(|e| e.file == "web/src/pages/signup.tsx")
    }));
}

#[test]
fn python_wrapper_call_sites_are_flows_to_the_vendor() {
    let tmp = tempfile::tempdir().unwrap();
    wrapper_tree(tmp.path());
    let r = run(tmp.path());
    let api: Vec<String> = call_fields(&r, "posthog")
        .into_iter()
        .filter(|f| f.contains("api/"))
        .collect();
    // `from app.analytics import capture` (keyword argument) and `from app
    // import analytics` (positional dict); `flush` forwards nothing; media.py
    // imports another module's `capture`; local.py defines its own. The
    // wrapper's own call names a `distinct_id`.
    assert_eq!(
        api,
        s(&[
            "user.contact.email api/app/views.py:6",
            "user.contact.phone_number api/app/views.py:7",
            "user.unique_id api/app/analytics.py:5",
            "user.unique_id api/app/views.py:6",
            "user.unique_id api/app/views.py:7",
        ])
    );
    assert!(
        !calls(&r, "posthog")
            .iter()
            .any(|c| c.contains("media.py") || c.contains("local.py") || c.contains("views.py:8"))
    );
    let text = call_text(&r, "posthog", "api/app/views.py", 7);
    assert!(
        text.starts_with("capture → posthog.capture (api/app/analytics.py:4): analytics.capture("),
        "{text}"
    );
}

#[test]
fn wrapper_call_sites_reach_blast_from_code_alone() {
    let tmp = tempfile::tempdir().unwrap();
    wrapper_tree(tmp.path());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_blastmap"))
        .args(["blast", "posthog", "--scan"])
        .arg(tmp.path())
        .args(["-f", "json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("user.contact.phone_number"), "{stdout}");
    assert!(stdout.contains("web/src/pages/signup.tsx"), "{stdout}");
}

// ---------------------------------------------------------------------------
// 3. Sentry's opt-in PII

const MAIN_PY: &str = r#"import os

import sentry_sdk
from fastapi import FastAPI

sentry_sdk.init(
    dsn=os.environ["SENTRY_DSN"],
    traces_sample_rate=0.1,
    send_default_pii=True,
)

app = FastAPI()
"#;

const SENTRY_TS: &str = r#"import * as Sentry from "@sentry/browser";

Sentry.init({
  dsn: import.meta.env.VITE_SENTRY_DSN,
  sendDefaultPii: true,
});
"#;

#[test]
fn send_default_pii_turns_sentrys_user_fields_on() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "api/requirements.txt",
        "sentry-sdk[fastapi]==2.19.0\nfastapi==0.115.0\n",
    );
    write(root, "api/main.py", MAIN_PY);
    write(
        root,
        "web/package.json",
        r#"{ "name": "web", "dependencies": { "@sentry/browser": "^8.0.0" } }"#,
    );
    write(root, "web/src/sentry.ts", SENTRY_TS);
    let on = collected(&run(root), "sentry");
    for c in [
        "user.device.ip_address api/main.py:3",
        "user.location.imprecise api/main.py:3",
        "user.device.cookie api/main.py:3",
        "user.unique_id api/main.py:3",
        "user.contact.email api/main.py:3",
        "user.device.ip_address web/src/sentry.ts:1",
        "user.device.cookie web/src/sentry.ts:1",
    ] {
        assert!(on.contains(&c.to_string()), "{c} missing from {on:#?}");
    }
    // User fields come from server framework integrations, not the browser.
    assert!(!on.contains(&"user.contact.email web/src/sentry.ts:1".to_string()));

    // The same app without the opt-in (or with it off) sends none of them.
    write(
        root,
        "api/main.py",
        &MAIN_PY.replace("send_default_pii=True", "send_default_pii=False"),
    );
    write(
        root,
        "web/src/sentry.ts",
        &SENTRY_TS.replace("  sendDefaultPii: true,\n", ""),
    );
    let off = collected(&run(root), "sentry");
    for cat in [
        "user.device.ip_address",
        "user.location.imprecise",
        "user.device.cookie ",
        "user.unique_id",
        "user.contact.email",
    ] {
        assert!(!off.iter().any(|c| c.starts_with(cat)), "{cat} in {off:#?}");
    }
    // What Sentry sends regardless stays.
    assert!(
        off.contains(&"user.content api/main.py:3".to_string()),
        "{off:#?}"
    );
}

// ---------------------------------------------------------------------------
// 4. PHP and Go call sites

const TRACK_PHP: &str = r#"<?php

require __DIR__ . '/../vendor/autoload.php';

function track_signup($user)
{
    $mp = Mixpanel::getInstance(getenv('MIXPANEL_TOKEN'));
    $mp->people->set($user->id, ['$email' => $user->email, '$first_name' => $user->first_name]);
    // $mp->people->set($user->id, ['$phone' => $user->phone]);
    $mp->track('Signed Up', ['plan' => $user->plan, 'emailTemplate' => $template]);
}
"#;

const BILLING_PHP: &str = r#"<?php

namespace App\Billing;

class Customers
{
    public function create($user)
    {
        \Stripe\Stripe::setApiKey(getenv('STRIPE_SECRET'));
        $customer = \Stripe\Customer::create([
            'email' => $user->email,
            'name' => $user->name,
        ]);
        $stripe = new \Stripe\StripeClient(getenv('STRIPE_SECRET'));
        $params = ['phone' => $user->phone];
        $stripe->customers->create($params);
        return $customer;
    }
}
"#;

const IDENTIFY_GO: &str = r#"package events

import (
	"os"

	"github.com/segmentio/analytics-go/v3"
)

var client = analytics.New(os.Getenv("SEGMENT_WRITE_KEY"))

func Identify(u *User) error {
	// client.Enqueue(analytics.Identify{UserId: u.Phone})
	return client.Enqueue(analytics.Identify{
		UserId: u.ID,
		Traits: analytics.NewTraits().
			SetEmail(u.Email).
			SetName(u.Name),
	})
}
"#;

const BILLING_GO: &str = r#"package billing

import (
	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/customer"
)

func CreateCustomer(u *User) (*stripe.Customer, error) {
	return customer.New(&stripe.CustomerParams{Email: stripe.String(u.Email)})
}

func UpdateCustomer(id string, u *User) (*stripe.Customer, error) {
	params := &stripe.CustomerParams{
		Phone: stripe.String(u.Phone),
	}
	return customer.Update(id, params)
}
"#;

#[test]
fn php_call_sites_give_exact_fields() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "composer.json",
        r#"{ "name": "acme/shop", "require": { "mixpanel/mixpanel-php": "^2.11", "stripe/stripe-php": "^13.0" } }"#,
    );
    write(root, "src/track.php", TRACK_PHP);
    write(root, "src/Billing/Customers.php", BILLING_PHP);
    let r = run(root);
    // The global class `Mixpanel` without a `use`; the commented call is
    // none; `emailTemplate` and the plan are not user data.
    assert_eq!(
        call_fields(&r, "mixpanel"),
        s(&[
            "user.contact.email src/track.php:8",
            "user.name.first src/track.php:8",
            "user.unique_id src/track.php:8",
        ])
    );
    assert_eq!(
        calls(&r, "mixpanel"),
        s(&["src/track.php:10 production", "src/track.php:8 production"])
    );
    assert_eq!(
        call_fields(&r, "stripe"),
        s(&[
            "user.contact.email src/Billing/Customers.php:11",
            "user.contact.phone_number src/Billing/Customers.php:16",
            "user.name src/Billing/Customers.php:12",
        ])
    );
}

#[test]
fn go_call_sites_give_exact_fields() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "go.mod",
        "module github.com/acme/shop\n\ngo 1.22\n\nrequire (\n\tgithub.com/segmentio/analytics-go/v3 v3.3.0\n\tgithub.com/stripe/stripe-go/v76 v76.25.0\n)\n",
    );
    write(root, "internal/events/identify.go", IDENTIFY_GO);
    write(root, "internal/billing/customer.go", BILLING_GO);
    let r = run(root);
    // The builder chain's setters name their own categories.
    assert_eq!(
        call_fields(&r, "segment"),
        s(&[
            "user.contact.email internal/events/identify.go:16",
            "user.name internal/events/identify.go:17",
            "user.unique_id internal/events/identify.go:14",
        ])
    );
    assert_eq!(
        call_fields(&r, "stripe"),
        s(&[
            "user.contact.email internal/billing/customer.go:9",
            "user.contact.phone_number internal/billing/customer.go:16",
        ])
    );
}

// ---------------------------------------------------------------------------
// 5. Close

const CRM_PY: &str = r#"import os

from closeio_api import Client

api = Client(os.environ["CLOSE_API_KEY"])


def sync_contact(lead_id, user):
    api.post("contact", data={"lead_id": lead_id, "name": user.full_name, "title": user.job_title})
    requests.post("https://example.com/hook", data={"email": user.email})
"#;

#[test]
fn close_calls_send_contact_fields() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "requirements.txt", "closeio==2.1\nrequests==2.32.3\n");
    write(root, "app/crm.py", CRM_PY);
    let r = run(root);
    // `requests.post` is not Close's: `post` counts on a bound client only.
    assert_eq!(calls(&r, "close"), s(&["app/crm.py:9 production"]));
    assert_eq!(
        call_fields(&r, "close"),
        s(&[
            "user.job_title app/crm.py:9",
            "user.name app/crm.py:9",
            "user.unique_id app/crm.py:9",
        ])
    );
}

const EVENTS_GO: &str = r#"package events

import (
	"os"

	"github.com/segmentio/analytics-go/v3"
)

var client = analytics.New(os.Getenv("SEGMENT_WRITE_KEY"))

func Track(userID string, event string, props map[string]interface{}) error {
	return client.Enqueue(analytics.Track{UserId: userID, Event: event, Properties: props})
}

func flush(reason string) {
	client.Close()
}

func trackLocal(u *User) {
	Track(u.ID, "local", map[string]interface{}{"phone": u.Phone})
}
"#;

const HANDLER_GO: &str = r#"package handlers

import (
	"github.com/acme/shop/internal/events"
	"github.com/acme/shop/internal/metrics"
)

func Signup(u *User) error {
	metrics.Track(u.ID, "signup", map[string]interface{}{"name": u.Name})
	return events.Track(u.ID, "signup", map[string]interface{}{
		"email": u.Email,
	})
}
"#;

#[test]
fn go_wrappers_are_followed_within_and_across_packages() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "go.mod",
        "module github.com/acme/shop\n\ngo 1.22\n\nrequire github.com/segmentio/analytics-go/v3 v3.3.0\n",
    );
    write(root, "internal/events/events.go", EVENTS_GO);
    write(
        root,
        "internal/metrics/metrics.go",
        "package metrics\n\nfunc Track(id string, name string, tags map[string]interface{}) {}\n",
    );
    write(root, "internal/handlers/signup.go", HANDLER_GO);
    let r = run(root);
    // `metrics.Track` is another package's function of the same name.
    assert_eq!(
        call_fields(&r, "segment"),
        s(&[
            "user.contact.email internal/handlers/signup.go:11",
            "user.contact.phone_number internal/events/events.go:20",
            "user.unique_id internal/events/events.go:12",
            "user.unique_id internal/events/events.go:20",
            "user.unique_id internal/handlers/signup.go:10",
        ])
    );
    let text = call_text(&r, "segment", "internal/handlers/signup.go", 10);
    assert!(
        text.starts_with("Track → client.Enqueue (internal/events/events.go:11): "),
        "{text}"
    );
}

#[test]
fn a_wrapper_imported_under_another_name_is_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "web/package.json",
        r#"{ "name": "web", "dependencies": { "posthog-js": "^1.180.0" } }"#,
    );
    write(root, "web/src/lib/analytics.ts", WRAPPER_TS);
    write(
        root,
        "web/src/pages/billing.tsx",
        r#"import { capture as track } from "../lib/analytics";
import { capture } from "../media/camera";

export function Upgrade({ user }: Props) {
  track("upgrade_clicked", { phone: user.phoneNumber });
  capture({ email: user.email });
}
"#,
    );
    write(root, "web/src/media/camera.ts", CAMERA_TS);
    write(root, "api/requirements.txt", "posthog==3.7.0\n");
    write(root, "api/app/analytics.py", ANALYTICS_PY);
    write(
        root,
        "api/app/orders.py",
        r#"from app.analytics import capture as send_event


def ordered(user):
    send_event(user.id, "ordered", properties={"email": user.email})
"#,
    );
    let r = run(root);
    let got: Vec<String> = call_fields(&r, "posthog")
        .into_iter()
        .filter(|f| f.contains("billing.tsx") || f.contains("orders.py"))
        .collect();
    // `track` is the analytics wrapper renamed; the camera's `capture` is
    // another function; `send_event` is the Python wrapper renamed.
    assert_eq!(
        got,
        s(&[
            "user.contact.email api/app/orders.py:5",
            "user.contact.phone_number web/src/pages/billing.tsx:5",
            "user.unique_id api/app/orders.py:5",
        ])
    );
}

// ---------------------------------------------------------------------------
// Clients passed in as typed parameters (TypeScript)

const SLACK_SEND_TS: &str = r#"import type { WebClient } from "@slack/web-api";
import type { gmail_v1 } from "@googleapis/gmail";

export async function postWithJoin(client: WebClient, channel: string, text: string) {
  return client.chat.postMessage({ channel, text });
}

export async function sendRaw(gmail: gmail_v1.Gmail, to: string) {
  return gmail.users.messages.send({ userId: "me", requestBody: { to } });
}

export async function notFromSlack(db: Database, text: string) {
  // client.chat.postMessage({ text }) in a comment is no call
  return db.chat.postMessage({ text });
}

// Options typed inline, destructured in the body or in the parameter.
export async function forward(options: { gmail: gmail_v1.Gmail; to: string; db: Database }) {
  const { gmail, to, db } = options;
  await db.users.messages.send({ requestBody: { to } });
  return gmail.users.messages.send({ userId: "me", requestBody: { to } });
}

export async function reply({ gmail, to }: { gmail: gmail_v1.Gmail; to: string }) {
  return gmail.users.messages.send({ userId: "me", requestBody: { to } });
}
"#;

const SLACK_CALLER_TS: &str = r#"import { postWithJoin } from "./send";
import { createSlackClient } from "./client";

export async function announce(token: string, channel: string, user: { email: string }) {
  const client = createSlackClient(token);
  await postWithJoin(client, channel, `Filed for ${user.email}`);
}
"#;

const TYPES_ONLY_TS: &str = r#"import type { Stripe } from "stripe";

export function describe(customer: Stripe.Customer): string {
  return customer.email ?? "unknown";
}
"#;

/// A parameter declared of a vendor's client type (`client: WebClient`,
/// `gmail: gmail_v1.Gmail`) is that vendor's client, even when the file
/// imports the type only; its calls are the vendor's, and a function
/// forwarding its parameters to them is a wrapper. An `import type` alone
/// is still no integration, and a parameter of another type is not bound.
#[test]
fn typed_parameters_carry_the_vendor_of_their_type() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "package.json",
        r#"{ "name": "app", "dependencies": { "@slack/web-api": "^7.0.0" } }"#,
    );
    write(tmp.path(), "src/send.ts", SLACK_SEND_TS);
    write(tmp.path(), "src/announce.ts", SLACK_CALLER_TS);
    write(tmp.path(), "src/describe.ts", TYPES_ONLY_TS);
    let r = run(tmp.path());
    assert_eq!(
        call_fields(&r, "slack"),
        s(&[
            "user.content.private src/announce.ts:6",
            "user.content.private src/send.ts:5",
        ])
    );
    assert_eq!(
        calls(&r, "slack"),
        s(&["src/announce.ts:6 production", "src/send.ts:5 production",])
    );
    // Also through an options object typed inline (not its `db` member).
    assert_eq!(
        call_fields(&r, "gmail-api"),
        s(&[
            "user.contact.email src/send.ts:21",
            "user.contact.email src/send.ts:25",
            "user.contact.email src/send.ts:9",
        ])
    );
    assert!(
        !r.integrations.iter().any(|i| i.vendor == "stripe"),
        "a type import alone is no integration: {:?}",
        integrations(&r)
    );
}

// ---------------------------------------------------------------------------
// Ruby: clients in global constants (Rails initializers)

/// A constant made at the top level of a Rails initializer
/// (`SEGMENT_CLIENT = Segment::Analytics.new(...)`, inside an `unless`) is
/// seen by every file: its calls elsewhere are Segment's, and Ruby 3.1's
/// `traits:` shorthand passes the local hash built above. A constant inside
/// a module is that module's (`Billing::CLIENT`), not a global one. A job
/// whose `perform` sends to Segment is enqueued with `perform_later`: the
/// enqueuing call site passes what the job forwards.
#[test]
fn ruby_global_constants_are_clients_everywhere() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "Gemfile",
        "source \"https://rubygems.org\"\ngem \"analytics-ruby\"\n",
    );
    write(
        root,
        "config/initializers/analytics.rb",
        "unless ENV[\"DISABLE_SEGMENT\"] == \"true\"\n  SEGMENT_CLIENT = Segment::Analytics.new({ write_key: ENV[\"SEGMENT_WRITE_KEY\"] })\nend\n",
    );
    write(
        root,
        "app/jobs/identify_job.rb",
        "class IdentifyJob < ApplicationJob\n  def perform(membership)\n    traits = {\n      email: membership.user.email,\n      plan: membership.plan\n    }\n    SEGMENT_CLIENT.identify(user_id: membership.id, traits:)\n  end\nend\n",
    );
    write(
        root,
        "app/models/billing.rb",
        "module Billing\n  CLIENT = Segment::Analytics.new({ write_key: \"x\" })\nend\n",
    );
    write(
        root,
        "app/jobs/other_job.rb",
        "class OtherJob < ApplicationJob\n  def perform(user)\n    CLIENT.identify(user_id: user.id, traits: { email: user.email })\n  end\nend\n",
    );
    write(
        root,
        "app/jobs/track_job.rb",
        "class TrackJob < ApplicationJob\n  def perform(membership_id:, event:, properties:)\n    SEGMENT_CLIENT.track(user_id: membership_id, event:, properties: properties.merge(source: \"app\"))\n  end\nend\n",
    );
    write(
        root,
        "app/services/signup_service.rb",
        "class SignupService\n  def call(user, org)\n    TrackJob.perform_later(\n      membership_id: user.membership_id,\n      event: \"signed_up\",\n      properties: { email: user.email, organization_id: org.id }\n    )\n    ReportJob.perform_later(email: user.email)\n  end\nend\n",
    );
    write(
        root,
        "app/jobs/report_job.rb",
        "class ReportJob < ApplicationJob\n  def perform(email:)\n    Rails.logger.info(email)\n  end\nend\n",
    );
    let r = run(root);
    assert_eq!(
        call_fields(&r, "segment"),
        s(&[
            "user.contact.email app/jobs/identify_job.rb:7",
            "user.contact.email app/services/signup_service.rb:6",
            "user.unique_id app/jobs/identify_job.rb:7",
            "user.unique_id app/jobs/track_job.rb:3",
            "user.unique_id app/services/signup_service.rb:4",
            "user.unique_id.organization app/services/signup_service.rb:6",
        ])
    );
    // Enqueuing a job (`perform_later`) runs its `perform`: the service's
    // call is Segment's through the job; a job that sends nothing is not.
    let text = call_text(&r, "segment", "app/services/signup_service.rb", 3);
    assert!(
        text.starts_with("perform → SEGMENT_CLIENT.track (app/jobs/track_job.rb:2)"),
        "{text}"
    );
    assert!(
        !calls(&r, "segment")
            .iter()
            .any(|c| c.starts_with("app/services/signup_service.rb:8")),
        "{:?}",
        calls(&r, "segment")
    );
}

// ---------------------------------------------------------------------------
// Clients made by first-party factories, named like the vendor's import

const POSTHOG_CLIENT_SWIFT: &str = r#"import AnalyticsEvents
import PostHog

class PostHogAnalyticsClient: AnalyticsClientProtocol {
    private var posthogFactory: PostHogFactory = DefaultPostHogFactory()
    private var postHog: PHGPostHogProtocol?
    private var analyticsService: AnalyticsService?

    func start(configuration: PostHogConfig) {
        postHog = posthogFactory.createPostHog(config: configuration)
    }

    func identify(userID: String) {
        postHog?.identify(userID)
        analyticsService?.identify(userID)
    }
}
"#;

const DUB_TS: &str = r#"import { Dub } from "dub";
import { env } from "@/env";

function getDub() {
  if (!env.DUB_API_KEY) return null;
  return new Dub({ token: env.DUB_API_KEY });
}

export async function trackLead(user: { id: string; email: string }) {
  const dub = getDub();
  if (!dub) return;
  await dub.track.lead({
    customerExternalId: user.id,
    customerEmail: user.email,
    clickId: env.DUB_TEST_CLICK_ID,
  });
}
"#;

/// A receiver named like the vendor's import, differing only in case
/// (`postHog` beside `import PostHog`, `dub` beside `import { Dub }`), is
/// that vendor's client whatever first-party factory made it; a receiver
/// named otherwise (`analyticsService`) is not. A value read from the
/// application's configuration (`env.DUB_TEST_CLICK_ID`) is no one's data.
#[test]
fn clients_named_like_their_import_are_the_vendors() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "ios/Analytics/PostHogAnalyticsClient.swift",
        POSTHOG_CLIENT_SWIFT,
    );
    write(tmp.path(), "web/utils/dub.ts", DUB_TS);
    let r = run(tmp.path());
    assert_eq!(
        calls(&r, "posthog"),
        s(&["ios/Analytics/PostHogAnalyticsClient.swift:14 production"])
    );
    assert_eq!(
        call_fields(&r, "dub"),
        s(&[
            "user.contact.email web/utils/dub.ts:14",
            "user.unique_id web/utils/dub.ts:13",
        ])
    );
}

// ---------------------------------------------------------------------------
// Vendors whose API receives text someone wrote (issues, alerts)

const ISSUE_PY: &str = r#"import requests


def open_issue(repo, check, token):
    url = f"https://api.github.com/repos/{repo}/issues"
    payload = {
        "title": check.title,
        "body": render_body(check),
        "labels": ["monitoring"],
    }
    requests.post(url, json=payload, headers={"Authorization": f"Bearer {token}"})


def charge(customer_id, plan):
    requests.post(
        "https://api.stripe.com/v1/charges",
        data={"customer": customer_id, "description": plan.summary},
    )
"#;

/// An issue tracker is not a messaging product, but an issue's body is
/// text someone wrote: the catalog's `carries_messages` makes a `body`
/// sent to GitHub private content. A `description` sent to Stripe stays
/// unclassified.
#[test]
fn issue_bodies_are_private_content() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "app/issues.py", ISSUE_PY);
    let r = run(tmp.path());
    assert_eq!(
        call_fields(&r, "github-api"),
        s(&["user.content.private app/issues.py:11"])
    );
    assert!(
        !call_fields(&r, "stripe")
            .iter()
            .any(|f| f.starts_with("user.content")),
        "{:?}",
        call_fields(&r, "stripe")
    );
}

// ---------------------------------------------------------------------------
// A dict grown with `.update(...)` from methods that subclasses override

const PAYMENT_PY: &str = r#"import stripe


class StripeMethod:
    def _intent_kwargs(self, request, payment):
        return {}

    @property
    def api_kwargs(self):
        return {"stripe_account": self.settings.connect_user_id}

    def charge(self, request, payment):
        params = {}
        params.update(self.api_kwargs)
        params.update(self._intent_kwargs(request, payment))
        params.update({"receipt_email": payment.order.email})
        # params.update({"phone": payment.order.phone})
        intent = stripe.PaymentIntent.create(
            amount=payment.amount,
            currency="eur",
            **params
        )
        return intent


class StripeCard(StripeMethod):
    def _intent_kwargs(self, request, payment):
        return {"payment_method_data": {"type": "card"}}


class StripeSepa(StripeMethod):
    def _intent_kwargs(self, request, payment):
        return {
            "mandate_data": {
                "customer_acceptance": {
                    "online": {
                        "ip_address": get_client_ip(request),
                        "user_agent": request.META["HTTP_USER_AGENT"],
                    }
                }
            }
        }


def refund(payment):
    other = {"note": "manual"}
    other_list = []
    other_list.update({"email": payment.order.email})
    stripe.Refund.create(payment_intent=payment.intent_id, **other)
"#;

#[test]
fn python_dicts_grown_by_update_and_overridden_methods_reach_the_call() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "requirements.txt", "stripe==7.9.0\n");
    write(root, "shop/payment.py", PAYMENT_PY);
    let r = run(root);
    // Every override of `_intent_kwargs` may run (the SEPA one sends the
    // buyer's IP address and user agent); the dict literal given to
    // `update` adds the receipt email, the `api_kwargs` property the
    // connected account's user id. The commented-out update adds nothing,
    // and an `update` on another variable does not reach the refund's
    // `**other`.
    assert_eq!(
        call_fields(&r, "stripe"),
        s(&[
            "user.contact.email shop/payment.py:18",
            "user.device.ip_address shop/payment.py:18",
            "user.device.user_agent shop/payment.py:18",
            "user.unique_id shop/payment.py:18",
        ])
    );
}

const CHECKOUT_TS: &str = r#"import Stripe from "stripe";

const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!);

export async function checkout(user: User, cart: Cart) {
  const params = { mode: "payment", line_items: cart.items };
  Object.assign(params, { customer_email: user.email });
  Object.assign({}, { phone: user.phone });
  return stripe.checkout.sessions.create(params);
}
"#;

const BILLING_RB: &str = r#"require "stripe"

class Billing
  def charge(user, amount)
    params = { amount: amount, currency: "eur" }
    params.merge!(receipt_email: user.email)
    Stripe::PaymentIntent.create(params)
  end
end
"#;

#[test]
fn object_assign_and_merge_bang_grow_the_literal_passed_to_the_vendor() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "web/package.json",
        r#"{ "name": "web", "dependencies": { "stripe": "^17.0.0" } }"#,
    );
    write(root, "web/src/checkout.ts", CHECKOUT_TS);
    write(root, "billing/Gemfile", "gem \"stripe\"\n");
    write(root, "billing/app/billing.rb", BILLING_RB);
    let r = run(root);
    // The phone goes into a fresh object, not into `params`.
    assert_eq!(
        call_fields(&r, "stripe"),
        s(&[
            "user.contact.email billing/app/billing.rb:7",
            "user.contact.email web/src/checkout.ts:9",
        ])
    );
}

// ---------------------------------------------------------------------------
// Kotlin top-level functions called from other files

const IDENTIFY_KT: &str = r#"package com.acme.analytics

import com.posthog.PostHog

fun identifyUser(userId: String, email: String) {
    PostHog.identify(distinctId = userId, userProperties = mapOf("email" to email))
}
"#;

const LOGIN_TRACKER_KT: &str = r#"package com.acme.analytics

class LoginTracker(private val debugPanel: DebugPanel) {
    fun onLogin(account: Account) {
        identifyUser(account.id, account.email)
        debugPanel.identifyUser(account.id, account.email)
    }
}
"#;

const DEBUG_PANEL_KT: &str = r#"package com.acme.analytics

class DebugPanel {
    private fun identifyUser(id: String, email: String) {
        Log.d("debug", "would identify")
    }

    fun show(account: Account) {
        identifyUser(account.id, account.email)
    }
}
"#;

const SIGNUP_VM_KT: &str = r#"package com.acme.auth

import com.acme.analytics.identifyUser

class SignupViewModel {
    fun onSignedUp(user: User) {
        identifyUser(user.id, user.email)
    }
}
"#;

const PROFILE_VM_KT: &str = r#"package com.acme.profile

class ProfileViewModel {
    fun refresh(profile: Profile) {
        identifyUser(profile.id, profile.email)
    }
}
"#;

#[test]
fn kotlin_top_level_functions_are_wrappers_in_their_package_and_where_imported() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "app/build.gradle.kts",
        "dependencies {\n    implementation(\"com.posthog:posthog-android:3.8.0\")\n}\n",
    );
    let src = "app/src/main/java/com/acme";
    write(root, &format!("{src}/analytics/Identify.kt"), IDENTIFY_KT);
    write(
        root,
        &format!("{src}/analytics/LoginTracker.kt"),
        LOGIN_TRACKER_KT,
    );
    write(
        root,
        &format!("{src}/analytics/DebugPanel.kt"),
        DEBUG_PANEL_KT,
    );
    write(
        root,
        &format!("{src}/auth/SignupViewModel.kt"),
        SIGNUP_VM_KT,
    );
    write(
        root,
        &format!("{src}/profile/ProfileViewModel.kt"),
        PROFILE_VM_KT,
    );
    let r = run(root);

    // The same package with no import, another one with `import
    // pkg.identifyUser`; not the class's own method of the same name, not a
    // call on a receiver (`identifyUser` is no extension function), nor a
    // package that neither shares the folder nor imports it.
    let got: Vec<String> = call_fields(&r, "posthog")
        .into_iter()
        .filter(|f| !f.contains("Identify.kt"))
        .collect();
    assert_eq!(
        got,
        s(&[
            "user.contact.email app/src/main/java/com/acme/analytics/LoginTracker.kt:5",
            "user.contact.email app/src/main/java/com/acme/auth/SignupViewModel.kt:7",
            "user.unique_id app/src/main/java/com/acme/analytics/LoginTracker.kt:5",
            "user.unique_id app/src/main/java/com/acme/auth/SignupViewModel.kt:7",
        ])
    );
}

/// An analytics class behind an interface, as Android apps inject it: its
/// `screen` hands the screen object's name to PostHog through a
/// consent-gated chain (`posthog?.takeIf { .. }?.screen(..)`).
const ANALYTICS_KT: &str = r#"package com.acme.analytics

import com.posthog.android.PostHog

interface AnalyticsTracker {
    fun screen(screen: Screen)
}

class DefaultAnalytics(private val posthog: PostHog?) : AnalyticsTracker {
    private var consent: Boolean = false

    override fun screen(screen: Screen) {
        posthog?.takeIf { consent }?.screen(screen.getName(), screen.getProperties())
    }

    fun welcome() {
        // A literal screen name: no value of the user's.
        posthog?.screen("Welcome")
    }
}
"#;

const BASE_FRAGMENT_KT: &str = r#"package com.acme.ui

import com.acme.analytics.AnalyticsTracker

abstract class BaseFragment : Fragment() {
    @Inject lateinit var analyticsTracker: AnalyticsTracker
    @Inject lateinit var navigator: Navigator

    open val screenName: String? = null

    override fun onResume() {
        super.onResume()
        screenName?.let {
            analyticsTracker.screen(MobileScreen(screenName = it))
        }
        // A first-party navigator's `screen`: not the tracker's.
        navigator.screen(MobileScreen(screenName = "home"))
    }
}
"#;

#[test]
fn a_screen_view_is_behaviour_also_through_a_tracker_that_reads_its_name() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "app/build.gradle.kts",
        "dependencies {\n    implementation(\"com.posthog:posthog-android:3.8.0\")\n}\n",
    );
    let src = "app/src/main/java/com/acme";
    write(
        root,
        &format!("{src}/analytics/DefaultAnalytics.kt"),
        ANALYTICS_KT,
    );
    write(root, &format!("{src}/ui/BaseFragment.kt"), BASE_FRAGMENT_KT);
    let r = run(root);
    // PostHog records which screen was viewed, under the id it holds: the
    // SDK call in the tracker and the fragment's call of the tracker; not
    // the literal screen name, nor the navigator.
    assert_eq!(
        call_fields(&r, "posthog"),
        s(&[
            "user.behavior.browsing_history app/src/main/java/com/acme/analytics/DefaultAnalytics.kt:13",
            "user.behavior.browsing_history app/src/main/java/com/acme/ui/BaseFragment.kt:14",
        ])
    );
}

/// A Rails service whose client is made by a reader method (`def client`,
/// memoised with `@client ||` but no assignment) and whose payload is a
/// hash literal with its blank values dropped (`{ ... }.compact`).
const GOCARDLESS_RB: &str = r#"module PaymentProviderCustomers
  class GocardlessService < BaseService
    def create_gocardless_customer
      customer_params = {
        email: customer.email&.strip,
        given_name: customer.firstname.presence,
        family_name: customer.lastname.presence
      }.compact

      client.customers.create(params: customer_params)
    end

    def create_billing_request(mandate)
      ledger.customers.create(params: { email: customer.email })
    end

    private

    def client
      @client || GoCardlessPro::Client.new(
        access_token: provider.access_token,
        environment: provider.environment
      )
    end

    # A first-party ledger: not GoCardless's.
    def ledger
      @ledger ||= Ledger.new(provider)
    end
  end
end
"#;

#[test]
fn a_ruby_reader_method_makes_the_client_and_a_compacted_hash_is_the_payload() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "Gemfile",
        "source \"https://rubygems.org\"\n\ngem \"gocardless_pro\", \"~> 2.34\"\n",
    );
    let f = "app/services/payment_provider_customers/gocardless_service.rb";
    write(root, f, GOCARDLESS_RB);
    let r = run(root);
    assert_eq!(
        call_fields(&r, "gocardless"),
        [
            format!("user.contact.email {f}:10"),
            format!("user.name.first {f}:10"),
            format!("user.name.last {f}:10"),
        ]
    );
}

/// An error reporter of the application's own, as Next.js apps write it:
/// Sentry's `captureException` imported under another name (the app's
/// function has its name), the context destructured in the body, and
/// values sent only when present (`...(userId && { userId })`, `extra:
/// cond ? extra : undefined`).
const ERROR_TS: &str = r#"import {
  captureException as sentryCaptureException,
  setUser,
} from "@sentry/nextjs";

export type ErrorContext = {
  userEmail?: string;
  userId?: string;
  extra?: Record<string, unknown>;
};

export function captureException(error: unknown, context: ErrorContext = {}) {
  const { userEmail, userId, extra } = context;
  if (userEmail) setUser({ email: userEmail });

  const sentryExtra = {
    ...extra,
    ...(userId && { userId }),
    ...(process.env.REGION ? { region: process.env.REGION } : {}),
  };

  sentryCaptureException(error, {
    extra: Object.keys(sentryExtra).length > 0 ? sentryExtra : undefined,
  });
}
"#;

const ROUTE_TS: &str = r#"import { captureException } from "@/utils/error";

export async function POST(request: Request) {
  const user = await currentUser(request);
  if (!user) {
    captureException(new Error("Unauthorized request"));
    return new Response(null, { status: 401 });
  }
  try {
    await sync(user);
  } catch (error) {
    captureException(error, {
      userId: user.id,
      userEmail: user.email,
    });
  }
}
"#;

/// Called only with type arguments: the file must still be read again for
/// the wrapper's calls.
const JOB_TS: &str = r#"import { captureException } from "@/utils/error";

export async function runJob(account: Account) {
  try {
    await process(account);
  } catch (error) {
    captureException<unknown>(error, { extra: { accountEmail: account.email } });
  }
}
"#;

#[test]
fn a_renamed_sdk_function_is_the_vendors_and_a_destructured_context_is_forwarded() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "package.json",
        r#"{"dependencies":{"@sentry/nextjs":"9.0.0","next":"15.0.0"}}"#,
    );
    write(root, "utils/error.ts", ERROR_TS);
    write(root, "app/api/sync/route.ts", ROUTE_TS);
    write(root, "jobs/sync.ts", JOB_TS);
    let r = run(root);
    // The reporter's own calls (what its callers put in the context), and
    // its two callers that pass a person's data; not the call with no
    // context, nor the region the reporter adds of its own.
    assert_eq!(
        call_fields(&r, "sentry"),
        s(&[
            "user.contact.email app/api/sync/route.ts:14",
            "user.contact.email jobs/sync.ts:7",
            "user.contact.email utils/error.ts:14",
            "user.unique_id app/api/sync/route.ts:13",
            "user.unique_id utils/error.ts:22",
        ])
    );
}

/// A model factory as AI apps write it: the function it returns makes a
/// nested `generate` that traces each call under the account's email. The
/// account reaches PostHog from the factory's callers; another factory's
/// own `generate` (same name, no tracing) is not the first one's.
const LLM_TS: &str = r#"import { PostHog } from "posthog-node";

const posthog = new PostHog(process.env.POSTHOG_KEY!);

function traced({ model, userEmail, userId }: TraceOptions) {
  posthog.capture({ distinctId: userEmail, event: "llm_call", properties: { userId, model } });
  return model;
}

export function createGenerateText({ emailAccount, label }: { emailAccount: Account; label: string }) {
  return async (prompt: string) => {
    const generate = async (model: string) => {
      const m = traced({ model, userEmail: emailAccount.email, userId: emailAccount.userId });
      return callModel(m, prompt, label);
    };
    return generate("small");
  };
}

export function createGenerateObject({ label }: { label: string }) {
  return async (prompt: string) => {
    const generate = async (model: string) => callModel(model, prompt, label);
    return generate("large");
  };
}
"#;

const SUMMARY_TS: &str = r#"import { createGenerateText, createGenerateObject } from "@/lib/llm";

export async function summarise(emailAccount: Account, text: string) {
  const generateText = createGenerateText({ emailAccount, label: "Summary" });
  const generateObject = createGenerateObject({ label: "Summary object" });
  return generateText(`Summarise: ${text}`);
}

export async function reply(user: Account, text: string) {
  const generateText = createGenerateText({ emailAccount: user, label: "Reply" });
  return generateText(text);
}
"#;

#[test]
fn what_a_nested_function_reads_of_its_factorys_parameter_comes_from_the_factorys_callers() {
    let tmp = posthog_app(&[("lib/llm.ts", LLM_TS), ("app/summary.ts", SUMMARY_TS)]);
    let r = run(tmp.path());
    // The factory's callers send the members it reads of the account they
    // pass (whatever they call it); the factory's own `generate("small")`
    // adds nothing of its own, and the other factory sends nothing.
    assert_eq!(
        call_fields(&r, "posthog"),
        s(&[
            "user.contact.email app/summary.ts:10",
            "user.contact.email app/summary.ts:4",
            "user.contact.email lib/llm.ts:13",
            "user.contact.email lib/llm.ts:6",
            "user.unique_id app/summary.ts:10",
            "user.unique_id app/summary.ts:4",
            "user.unique_id lib/llm.ts:13",
            "user.unique_id lib/llm.ts:6",
        ])
    );
    let sites = calls(&r, "posthog");
    assert!(
        !sites.iter().any(|c| c.starts_with("lib/llm.ts:23")),
        "{sites:?}"
    );
    assert!(
        sites.iter().any(|c| c.starts_with("app/summary.ts:4")),
        "{sites:?}"
    );
}

/// The same with the SDK called in the nested function itself.
const TRACKER_TS: &str = r#"import { PostHog } from "posthog-node";

const posthog = new PostHog(process.env.POSTHOG_KEY!);

export function makeTracker({ account }: { account: Account }) {
  const send = (event: string) => {
    posthog.capture({ distinctId: account.email, event });
  };
  return { signedIn: () => send("signed_in") };
}
"#;

const LOGIN_TS: &str = r#"import { makeTracker } from "@/lib/tracker";

export function onLogin(user: Account) {
  makeTracker({ account: user }).signedIn();
}
"#;

#[test]
fn a_nested_function_calling_the_sdk_sends_what_its_factorys_callers_pass() {
    let tmp = posthog_app(&[("lib/tracker.ts", TRACKER_TS), ("app/login.ts", LOGIN_TS)]);
    let r = run(tmp.path());
    // Not the account's email again at `send("signed_in")`: it is the
    // factory's caller's, reported there.
    assert_eq!(
        call_fields(&r, "posthog"),
        s(&[
            "user.contact.email app/login.ts:4",
            "user.contact.email lib/tracker.ts:7",
        ])
    );
}

// ---------------------------------------------------------------------------
// Wrappers of another file's wrapper, level after level across files

const LEVEL_ERROR_TS: &str = r#"import * as Sentry from "@sentry/nextjs";

export function captureException(error: unknown, context?: { extra?: Record<string, unknown> }) {
  Sentry.captureException(error, context);
}
"#;

const LEVEL_MESSAGES_TS: &str = r#"import { captureException } from "@/lib/error";

export async function clearErrors({ userId, kinds }: { userId: string; kinds: string[] }) {
  try {
    await store(userId, kinds);
  } catch (error) {
    captureException(error, { extra: { userId, kinds } });
  }
}

export async function clearDisconnected({ userId }: { userId: string }) {
  await clearErrors({ userId, kinds: ["disconnected"] });
}

// Passes no one's data on: not a wrapper, and its call is no call site.
export async function clearAll() {
  await clearErrors({ userId: "system", kinds: [] });
}

async function store(id: string, kinds: string[]) {}
"#;

const LEVEL_SETTINGS_TS: &str = r#"import { clearDisconnected, clearAll } from "@/utils/messages";

export async function saveSettings(user: { id: string }) {
  // clearDisconnected({ userId: user.email }) in a comment is no call
  await clearDisconnected({ userId: user.id });
}

export async function reset() {
  await clearAll();
}
"#;

const LEVEL_ROUTE_TS: &str = r#"import { saveSettings } from "@/utils/settings";

export async function POST(request: Request) {
  const user = await currentUser(request);
  await saveSettings(user);
  return new Response(null, { status: 204 });
}

async function currentUser(request: Request) {
  return { id: "u1" };
}
"#;

const LEVEL_SETTINGS_TEST_TS: &str = r#"import { saveSettings } from "@/utils/settings";

test("saves", async () => {
  await saveSettings({ id: "fixture-user" });
});
"#;

#[test]
fn a_function_around_another_files_wrapper_is_one_too_and_so_are_the_functions_around_it() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write_ts_root(
        root,
        r#"{"dependencies":{"@sentry/nextjs":"8.0.0","next":"15.0.0"}}"#,
    );
    write(root, "lib/error.ts", LEVEL_ERROR_TS);
    write(root, "utils/messages.ts", LEVEL_MESSAGES_TS);
    write(root, "utils/settings.ts", LEVEL_SETTINGS_TS);
    write(root, "app/api/settings/route.ts", LEVEL_ROUTE_TS);
    write(root, "utils/settings.test.ts", LEVEL_SETTINGS_TEST_TS);
    let r = run(root);
    // The user id at every level: the wrapper's own call (messages.ts:7),
    // the same file's function around it (:12), another file's function
    // around that (settings.ts:5), and the route that passes the user on
    // (route.ts:5, the id the chain reads). Not `clearAll`'s literal, not
    // the comment, not the test.
    assert_eq!(
        call_fields(&r, "sentry"),
        s(&[
            "user.unique_id app/api/settings/route.ts:5",
            "user.unique_id utils/messages.ts:12",
            "user.unique_id utils/messages.ts:7",
            "user.unique_id utils/settings.ts:5",
        ])
    );
    let calls = calls(&r, "sentry");
    assert!(
        calls.contains(&"utils/settings.test.ts:4 test".to_string()),
        "{calls:?}"
    );
    assert!(
        !calls.iter().any(|c| c.starts_with("utils/settings.ts:9")),
        "{calls:?}"
    );
    // The evidence names the chain, with the place of each imported step
    // and, last, of the function called.
    assert_eq!(
        call_text(&r, "sentry", "app/api/settings/route.ts", 5),
        "saveSettings → clearDisconnected (utils/messages.ts:11) → clearErrors → \
         captureException (lib/error.ts:3) → Sentry.captureException \
         (utils/settings.ts:3): saveSettings(user)"
    );
}

#[test]
fn a_python_function_around_another_modules_wrapper_is_one_too() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "requirements.txt", "posthog==3.0.0\nDjango==5.0\n");
    write(
        root,
        "app/analytics.py",
        "import posthog\n\n\ndef identify(user_id, email):\n    posthog.identify(user_id, {\"email\": email})\n",
    );
    write(
        root,
        "app/accounts/signup.py",
        "from app.analytics import identify\n\n\ndef finish_signup(account):\n    identify(account.id, account.email)\n\n\ndef welcome(user):\n    finish_signup(user)\n",
    );
    write(
        root,
        "app/views/signup.py",
        "from app.accounts.signup import welcome\n\n\ndef post(request):\n    welcome(request.user)\n    # welcome(request.user) in a comment is no call\n",
    );
    let r = run(root);
    let at = |file: &str, line: u32| {
        call_fields(&r, "posthog")
            .into_iter()
            .filter(|f| f.ends_with(&format!(" {file}:{line}")))
            .map(|f| f.split(' ').next().unwrap().to_string())
            .collect::<std::collections::BTreeSet<_>>()
    };
    // Two levels above the wrapper, in a third module: the person the view
    // passes on is identified by id and email.
    for (file, line) in [("app/accounts/signup.py", 9), ("app/views/signup.py", 5)] {
        assert!(
            at(file, line).contains("user.contact.email")
                && at(file, line).contains("user.unique_id"),
            "{file}:{line}: {:?}",
            call_fields(&r, "posthog")
        );
    }
    assert!(at("app/views/signup.py", 6).is_empty());
}

/// A workspace package whose factory makes the client only when a token is
/// set, and a function that client makes, exported for the app.
const FACTORY_CLIENT_TS: &str = r#"import { Tinybird } from "@chronark/zod-bird";

let tb: Tinybird;

export const getTinybird = () => {
  if (!process.env.TINYBIRD_TOKEN) return;
  if (!tb) {
    tb = new Tinybird({ token: process.env.TINYBIRD_TOKEN });
  }
  return tb;
};
"#;

const FACTORY_PUBLISH_TS: &str = r#"import { z } from "zod";
import { getTinybird } from "./client";

const usageEvent = z.object({ userId: z.string(), accountId: z.string() });

const tb = getTinybird();

export const publishUsage = tb
  ? tb.buildIngestEndpoint({
      datasource: "usage",
      event: usageEvent,
    })
  : () => {};
"#;

const FACTORY_USAGE_TS: &str = r#"import { publishUsage } from "@acme/usage";

export async function saveUsage({
  userId,
  email,
  accountId,
}: {
  userId?: string;
  email: string;
  accountId: string;
}) {
  await publishUsage({ userId: userId ?? email, accountId, cost: 1 });
}
"#;

const FACTORY_CALLERS_TS: &str = r#"import { saveUsage } from "@/utils/usage";

export async function afterCompletion(account: Account) {
  await saveUsage({
    userId: account.userId,
    email: account.email,
    accountId: account.id,
  });
}

export async function forGuest(guest: Guest) {
  await saveUsage({ email: guest.email, accountId: guest.accountId });
}

// Not the factory: a function of this file with the same name.
function getTinybird() {
  return { buildIngestEndpoint: (x: unknown) => x };
}
export const local = getTinybird().buildIngestEndpoint({ email: "x" });
"#;

#[test]
fn a_client_a_factory_returns_and_a_function_it_makes_are_the_vendors_in_other_packages() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "package.json",
        r#"{"private":true,"workspaces":["apps/*","packages/*"]}"#,
    );
    write(
        root,
        "packages/usage/package.json",
        r#"{"name":"@acme/usage","dependencies":{"@chronark/zod-bird":"0.3.0","zod":"3.0.0"}}"#,
    );
    write(root, "packages/usage/src/client.ts", FACTORY_CLIENT_TS);
    write(root, "packages/usage/src/publish.ts", FACTORY_PUBLISH_TS);
    write(
        root,
        "packages/usage/src/index.ts",
        "export * from \"./client\";\nexport * from \"./publish\";\n",
    );
    write(
        root,
        "apps/web/package.json",
        r#"{"name":"web","dependencies":{"@acme/usage":"workspace:*","next":"15.0.0"}}"#,
    );
    write(
        root,
        "apps/web/tsconfig.json",
        r#"{"compilerOptions":{"paths":{"@/*":["./*"]}}}"#,
    );
    write(root, "apps/web/utils/usage.ts", FACTORY_USAGE_TS);
    write(root, "apps/web/utils/completion.ts", FACTORY_CALLERS_TS);
    let r = run(root);
    // `publishUsage` is Tinybird's `buildIngestEndpoint` function, made of
    // the client `getTinybird()` returns: its call in another package
    // sends the account id and the user id, or the email where no user id
    // is passed. `afterCompletion` passes a user id (line 5), so its email
    // (line 6) is not sent; the guest's is. Nothing of the file's own
    // `getTinybird`.
    assert_eq!(
        call_fields(&r, "tinybird"),
        s(&[
            "user.contact.email apps/web/utils/completion.ts:12",
            "user.unique_id apps/web/utils/completion.ts:5",
            "user.unique_id apps/web/utils/usage.ts:12",
            "user.unique_id.organization apps/web/utils/completion.ts:12",
            "user.unique_id.organization apps/web/utils/completion.ts:7",
            "user.unique_id.organization apps/web/utils/usage.ts:12",
        ])
    );
    assert_eq!(
        call_text(&r, "tinybird", "apps/web/utils/completion.ts", 4),
        "saveUsage → publishUsage.buildIngestEndpoint (apps/web/utils/usage.ts:3): saveUsage({"
    );
}

#[test]
fn a_python_factory_returns_the_client_its_callers_use() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "requirements.txt", "posthog==3.0.0\n");
    write(
        root,
        "app/clients.py",
        "from posthog import Posthog\n\n_client = Posthog(\"phc_key\")\n\n\ndef get_posthog():\n    return _client\n",
    );
    write(
        root,
        "app/signup.py",
        "from app.clients import get_posthog\n\n\ndef finished(user):\n    ph = get_posthog()\n    ph.identify(user.id, {\"email\": user.email})\n",
    );
    let r = run(root);
    assert_eq!(
        call_fields(&r, "posthog"),
        s(&[
            "user.contact.email app/signup.py:6",
            "user.unique_id app/signup.py:6",
        ])
    );
}

const MODEL_LLM_TS: &str = r#"import { generateText as generate, streamText } from "ai";
import { getModel } from "./model";

export async function summarise(body: string) {
  const { text } = await generate({
    model: getModel(),
    system: "Summarise the email in two sentences.",
    prompt: body,
  });
  return text;
}

export function chat(history: Message[]) {
  return streamText({ model: getModel(), messages: history });
}
"#;

const MODEL_MODEL_TS: &str = r#"import { createOpenAI } from "@ai-sdk/openai";
import { createAnthropic } from "@ai-sdk/anthropic";

export function getModel() {
  return process.env.LLM === "anthropic"
    ? createAnthropic({ apiKey: process.env.ANTHROPIC_API_KEY })("claude-sonnet-4")
    : createOpenAI({ apiKey: process.env.OPENAI_API_KEY })("gpt-4.1");
}
"#;

const MODEL_ROUTE_TS: &str = r#"import { summarise, chat } from "@/lib/llm";
// import { generateText } from "ai" in a comment is no send

export async function POST(req: Request, email: Email) {
  const summary = await summarise(email.body);
  const reply = chat(req.messages);
  const tokens = countTokens(summary, "generateText");
  return { summary, reply, tokens };
}
"#;

/// A first-party `generateText` that is not the SDK's.
const MODEL_OWN_TS: &str = r#"import { generateText } from "./fake-ai";

export function local(user: User) {
  return generateText({ prompt: user.email });
}
"#;

#[test]
fn a_provider_neutral_model_sdk_sends_prompts_to_every_installed_provider() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write_ts_root(
        root,
        r#"{"dependencies":{"ai":"6.0.0","@ai-sdk/openai":"3.0.0","@ai-sdk/anthropic":"3.0.0","next":"15.0.0"},"devDependencies":{"@ai-sdk/groq":"2.0.0"}}"#,
    );
    write(root, "lib/llm.ts", MODEL_LLM_TS);
    write(root, "lib/model.ts", MODEL_MODEL_TS);
    write(root, "app/api/summary/route.ts", MODEL_ROUTE_TS);
    write(root, "lib/own.ts", MODEL_OWN_TS);
    let r = run(root);
    // The prompt and the chat's messages, at the SDK's calls and at the
    // route that passes the email's body and the request's messages on;
    // the system prompt is the application's own text. The same for both
    // providers the manifest installs; nothing to Groq, a dev dependency,
    // and nothing of a first-party `generateText`.
    let expected = s(&[
        "user.content.private app/api/summary/route.ts:5",
        "user.content.private app/api/summary/route.ts:6",
        "user.content.private lib/llm.ts:14",
        "user.content.private lib/llm.ts:8",
    ]);
    assert_eq!(call_fields(&r, "openai"), expected);
    assert_eq!(call_fields(&r, "anthropic"), expected);
    assert!(
        call_fields(&r, "groq").is_empty(),
        "{:?}",
        call_fields(&r, "groq")
    );
    assert_eq!(
        call_text(&r, "anthropic", "app/api/summary/route.ts", 5),
        "summarise → generate (lib/llm.ts:4): summarise(email.body)"
    );
}

const DERIVED_ASK_TS: &str = r#"import OpenAI from "openai";

const openai = new OpenAI();

export async function ask({ messages, userId }: AskOptions) {
  const hardenedMessages = harden({ messages });
  const protectedMessages = redact({
    options: { messages: hardenedMessages },
    userId,
  }).messages;
  const tokenCount = countTokens(messages);
  return openai.chat.completions.create({
    model: "gpt-4.1",
    messages: protectedMessages as ChatMessage[],
    metadata: { tokens: tokenCount },
  });
}
"#;

const DERIVED_ROUTE_TS: &str = r#"import { ask } from "@/lib/ask";

export async function POST(thread: Thread, user: User) {
  return ask({ messages: thread.messages, userId: user.id });
}
"#;

#[test]
fn a_value_a_first_party_call_derives_from_a_parameter_and_names_like_it_is_that_parameter() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write_ts_root(
        root,
        r#"{"dependencies":{"openai":"5.0.0","next":"15.0.0"}}"#,
    );
    write(root, "lib/ask.ts", DERIVED_ASK_TS);
    write(root, "app/api/ask/route.ts", DERIVED_ROUTE_TS);
    let r = run(root);
    // The messages, hardened then redacted, are what the route passes;
    // the user id only goes to `redact`, and the token count is computed
    // from the messages but is not them (nor a credential, for its key).
    assert_eq!(
        call_fields(&r, "openai"),
        s(&[
            "user.content.private app/api/ask/route.ts:4",
            "user.content.private lib/ask.ts:14",
        ])
    );
}

// ---------------------------------------------------------------------------
// A function a factory returns, strings built from parameters, a provider
// pinned where its model is written

const RETURNED_LLM_TS: &str = r#"import { generateText } from "ai";

export function createGenerateText({ account, label }: Options): typeof generateText {
  return async (...args) => {
    const [options, ...rest] = args;
    const protectedOptions = redact({ options: { ...options }, label });
    return generateText({ ...protectedOptions, model: pick(account) }, ...rest);
  };
}

export function createMaker(opts: Options) {
  // A function it returns that sends nothing of its arguments.
  return (event: string) => log(event, opts.label);
}
"#;

const RETURNED_SUMMARY_TS: &str = r#"import { createGenerateText, createMaker } from "@/lib/llm";

export async function summarise(account: Account, email: Email) {
  const prompt = `Summarise this email from ${email.from}:
${email.body}`;
  const generateText = createGenerateText({ account, label: "Summarise" });
  const log = createMaker({ label: "x" });
  log(email.subject);
  return generateText({ system: "You summarise emails.", prompt });
}

export async function categorise({ sender, count }: { sender: string; count: number }) {
  const generate = createGenerateText({ account: null, label: "Categorise" });
  const prompt = `Categorise ${sender}; ${count} emails so far`;
  return generate({ prompt });
}

// A `generateText` of its own, in another function, is not the returned one.
export async function other(user: User) {
  return generateText(user.email);
}
"#;

const RETURNED_ROUTE_TS: &str = r#"import { categorise } from "@/lib/summary";

export async function POST(message: Message) {
  return categorise({ sender: message.from.email, count: 3 });
}
"#;

#[test]
fn a_function_a_factory_returns_is_called_where_its_result_is_bound_and_a_prompt_carries_what_it_interpolates()
 {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write_ai_app(root, "openai");
    write(root, "lib/llm.ts", RETURNED_LLM_TS);
    write(root, "lib/summary.ts", RETURNED_SUMMARY_TS);
    write(root, "app/api/categorise/route.ts", RETURNED_ROUTE_TS);
    let r = run(root);
    // The prompts, where the returned function is called (lines 9 and
    // 15); the sender's address a route passes into the second, through
    // `categorise` (line 4 of the route). Not the returned function of
    // `createMaker`, nor the count, nor a `generateText` of another
    // function's own.
    assert_eq!(
        call_fields(&r, "openai"),
        s(&[
            "user.contact.email app/api/categorise/route.ts:4",
            "user.content.private lib/summary.ts:15",
            "user.content.private lib/summary.ts:9",
        ]),
    );
    assert_eq!(
        call_text(&r, "openai", "app/api/categorise/route.ts", 4),
        "categorise → createGenerateText() (lib/llm.ts:4) → generateText (lib/summary.ts:12): categorise({ sender: message.from.email, count: 3 })"
    );
    assert_eq!(
        call_text(&r, "openai", "lib/summary.ts", 9),
        "createGenerateText() → generateText (lib/llm.ts:4): generateText({ system: \"You summarise emails.\", prompt })"
    );
}

const PINNED_BRIEF_TS: &str = r#"import { generateText } from "ai";
import { createPerplexity } from "@ai-sdk/perplexity";

export async function research(attendee: Attendee) {
  const perplexity = createPerplexity({ apiKey: process.env.PERPLEXITY_API_KEY });
  return generateText({
    model: perplexity("sonar-pro"),
    prompt: `Who is ${attendee.email}?`,
  });
}
"#;

const PINNED_ROUTE_TS: &str = r#"import { generateText } from "ai";
import { getModel } from "@/lib/model";

export async function POST(email: Email) {
  return generateText({ model: getModel(), prompt: email.body });
}
"#;

#[test]
fn a_provider_whose_model_is_written_into_a_call_is_not_a_run_time_choice_of_other_calls() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write_ts_root(
        root,
        r#"{"dependencies":{"ai":"6.0.0","@ai-sdk/openai":"3.0.0","@ai-sdk/perplexity":"2.0.0"}}"#,
    );
    write(
        root,
        "lib/model.ts",
        MODEL_MODEL_TS
            .replace("createAnthropic", "createOpenAI")
            .as_str(),
    );
    write(root, "lib/brief.ts", PINNED_BRIEF_TS);
    write(root, "app/api/route.ts", PINNED_ROUTE_TS);
    let r = run(root);
    // Perplexity's model is written where it is imported: it is the
    // vendor of that file's send, not of the route's, whose model comes
    // from the selection module.
    assert_eq!(
        call_fields(&r, "perplexity"),
        s(&["user.content.private lib/brief.ts:8"])
    );
    assert!(
        call_fields(&r, "openai").contains(&"user.content.private app/api/route.ts:5".to_string()),
        "{:?}",
        call_fields(&r, "openai")
    );
}

const AGENT_LLM_TS: &str = r#"import { ToolLoopAgent } from "ai";
import { getModel } from "@/lib/model";

export async function agentStream({ messages, userId }: AgentOptions) {
  const { messages: orderedMessages } = order({ conversation: messages });
  const messagesWithCacheControl = addCacheControl(orderedMessages, 2);
  const messagesTokenCount = countTokens(messagesWithCacheControl);
  const agent = new ToolLoopAgent({ model: getModel(), tools: {} });
  return agent.stream({
    messages: messagesWithCacheControl,
    providerOptions: { budget: messagesTokenCount },
  });
}
"#;

const AGENT_ROUTE_TS: &str = r#"import { agentStream } from "@/lib/agent";

export async function POST(thread: Thread, user: User) {
  return agentStream({ messages: thread.messages, userId: user.id });
}
"#;

#[test]
fn an_agent_of_the_model_sdk_sends_and_a_value_named_after_a_parameter_is_it() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write_ai_app(root, "anthropic");
    write(root, "lib/agent.ts", AGENT_LLM_TS);
    write(root, "app/api/chat/route.ts", AGENT_ROUTE_TS);
    let r = run(root);
    // The messages, reordered then given cache marks, reach the agent's
    // `stream` (line 10), so the route's are sent; the token count made
    // from them is a number, and the user id is never sent.
    assert_eq!(
        call_fields(&r, "anthropic"),
        s(&[
            "user.content.private app/api/chat/route.ts:4",
            "user.content.private lib/agent.ts:10",
        ])
    );
    assert_eq!(
        call_text(&r, "anthropic", "app/api/chat/route.ts", 4),
        "agentStream → agent.stream (lib/agent.ts:4): agentStream({ messages: thread.messages, userId: user.id })"
    );
}

const CHAINED_LLM_TS: &str = r#"import { generateText } from "ai";

export async function availability({ messages, timezone }: Options) {
  const threadContent = messages
    .map((m) => `${m.subject} ${m.content}`)
    .join("\n\n");
  const messageCount = messages.filter(Boolean).length;
  const prompt = `Find meeting requests in:
${threadContent}`;
  return generateText({ prompt, maxOutputTokens: messageCount * 10 });
}
"#;

const CHAINED_ROUTE_TS: &str = r#"import { availability } from "@/lib/availability";

export async function POST(thread: Thread) {
  return availability({ messages: thread.messages, timezone: "UTC" });
}
"#;

#[test]
fn what_a_parameters_own_methods_give_back_is_it_and_a_prompt_built_from_that_carries_it() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write_ai_app(root, "openai");
    write(root, "lib/availability.ts", CHAINED_LLM_TS);
    write(root, "app/api/route.ts", CHAINED_ROUTE_TS);
    let r = run(root);
    // The thread's messages, mapped and joined into the prompt; not the
    // count made of them.
    assert_eq!(
        call_fields(&r, "openai"),
        s(&[
            "user.content.private app/api/route.ts:4",
            "user.content.private lib/availability.ts:10",
        ])
    );
}

const INJECTED_RULES_TS: &str = r#"import { createGenerateText } from "@/lib/llm";

export async function chooseRule(account: Account, email: Email) {
  const generateText = createGenerateText({ account, label: "Choose rule" });
  return pick({ email, generateText });
}

async function pick({
  email,
  generateText,
}: {
  email: Email;
  generateText: ReturnType<typeof createGenerateText>;
}) {
  const prompt = `Which rule fits this email?
${email.body}`;
  return generateText({ prompt });
}
"#;

#[test]
fn a_parameter_declared_as_the_function_a_factory_returns_is_that_function() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write_ai_app(root, "openai");
    write(root, "lib/llm.ts", RETURNED_LLM_TS);
    write(root, "lib/rules.ts", INJECTED_RULES_TS);
    let r = run(root);
    // The prompt where the injected function is called (line 17), and the
    // email `chooseRule` passes on to `pick` (line 5).
    assert_eq!(
        call_fields(&r, "openai"),
        s(&[
            "user.contact.email lib/rules.ts:5",
            "user.content.private lib/rules.ts:17",
        ])
    );
}

const FORMATTED_LLM_TS: &str = r#"import { generateText } from "ai";

export async function summariseMeeting({ title, transcript, attendees }: Meeting) {
  return generateText({
    system: buildSystem(title),
    prompt: buildUserPrompt({ title, transcript }),
    maxOutputTokens: countTokens(attendees) * 2,
  });
}
"#;

const FORMATTED_ROUTE_TS: &str = r#"import { summariseMeeting } from "@/lib/summarise";

export async function POST(meeting: Meeting) {
  return summariseMeeting({
    title: meeting.title,
    transcript: meeting.transcript,
    attendees: meeting.attendeeEmails,
  });
}
"#;

#[test]
fn message_text_a_helper_writes_from_a_parameter_carries_it_and_a_number_computed_from_one_does_not()
 {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write_ai_app(root, "openai");
    write(root, "lib/summarise.ts", FORMATTED_LLM_TS);
    write(root, "app/api/route.ts", FORMATTED_ROUTE_TS);
    let r = run(root);
    // The title and the transcript, through the prompt a helper writes
    // from them (and the prompt itself at the SDK's call); not the
    // attendees' addresses, of which only a count is sent.
    assert_eq!(
        call_fields(&r, "openai"),
        s(&[
            "user.content.private app/api/route.ts:5",
            "user.content.private app/api/route.ts:6",
            "user.content.private lib/summarise.ts:6",
        ])
    );
}

const PROMPTS_LLM_TS: &str = r#"import { generateText } from "ai";

export async function aiThreadStatus({ threadMessages, modelType }: StatusArgs) {
  const prompt = `Decide where this thread stands.
<thread>
${formatThread({ messages: threadMessages, maxLength: 3000 })}
</thread>`;
  return generateText({ model: modelType, prompt });
}

export async function aiDraft({ thread, tone }: DraftArgs) {
  const prompt = getUserPrompt({ thread, tone });
  return generateText({ prompt });
}

export async function aiFollowUp({ userId, question }: FollowUpArgs) {
  const answerText = await lookupAnswer({ userId });
  return generateText({ messages: answerText, prompt: question });
}
"#;

const PROMPTS_ROUTE_TS: &str = r#"import { aiThreadStatus, aiDraft, aiFollowUp } from "@/lib/prompts";

export async function POST(req: Request, user: User) {
  const { threadMessages, draft } = await req.json();
  await aiThreadStatus({ threadMessages, modelType: "fast" });
  await aiDraft({ thread: draft.body, tone: "warm" });
  return aiFollowUp({ userId: user.id, question: draft.question });
}
"#;

#[test]
fn a_prompt_a_helper_writes_holds_what_it_is_given_and_a_model_answer_does_not_hold_its_inputs() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write_ai_app(root, "openai");
    write(root, "lib/prompts.ts", PROMPTS_LLM_TS);
    write(root, "app/api/route.ts", PROMPTS_ROUTE_TS);
    let r = run(root);
    let fields = call_fields(&r, "openai");
    // Line 5: the thread's messages, which the prompt holds through the
    // object given to the helper that formats them; `threadMessages` says
    // nothing by its name, so it is known by the prompt it goes into.
    // Line 6: the draft's body, through the prompt `getUserPrompt` writes.
    // Line 7: the question; not the user's id, which only looks up the
    // answer sent along with it.
    for want in [
        "user.content.private app/api/route.ts:5",
        "user.content.private app/api/route.ts:6",
        "user.content.private app/api/route.ts:7",
    ] {
        assert!(fields.contains(&want.to_string()), "{want} in {fields:?}");
    }
    assert!(
        !fields.iter().any(|f| f.starts_with("user.unique_id")),
        "{fields:?}"
    );
}

const LEVELS_TRACK_TS: &str = r#"import { PostHog } from "posthog-node";

const posthog = new PostHog(process.env.POSTHOG_KEY!);

export function track(email: string, event: string) {
  posthog.capture({ distinctId: email, event });
}

export function audit(email: string) {
  track(email, "audit");
}

export function auditTwice(email: string) {
  audit(email);
  audit(email);
}
"#;

const LEVELS_SIGNUP_TS: &str = r#"import { auditTwice, track } from "@/lib/track";

export function onSignup(email: string) {
  auditTwice(email);
  track(email, "signup");
}
"#;

const LEVELS_WELCOME_TS: &str = r#"import { onSignup } from "@/lib/signup";

export function welcome(email: string) {
  onSignup(email);
}
"#;

const LEVELS_ROUTE_TS: &str = r#"import { welcome } from "@/lib/welcome";

export function POST(user: User) {
  welcome(user.email);
}
"#;

#[test]
fn a_function_around_two_wrappers_is_as_far_from_the_vendor_as_the_nearer_one() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write_ts_root(root, r#"{"dependencies":{"posthog-node":"4.0.0"}}"#);
    write(root, "lib/track.ts", LEVELS_TRACK_TS);
    write(root, "lib/signup.ts", LEVELS_SIGNUP_TS);
    write(root, "lib/welcome.ts", LEVELS_WELCOME_TS);
    write(root, "app/api/route.ts", LEVELS_ROUTE_TS);
    let r = run(root);
    // `onSignup` calls `track` itself (level 2), though it calls the
    // deeper `auditTwice` first: `welcome` around it is level 3, and the
    // route's call of `welcome` is a call site, four steps from PostHog.
    let fields = call_fields(&r, "posthog");
    assert!(
        fields.contains(&"user.contact.email app/api/route.ts:4".to_string()),
        "{fields:?}"
    );
}

const FALLBACK_DATE_TS: &str = r#"import * as Sentry from "@sentry/nextjs";

export function formatInUserTimezone(date: Date, timezone: string | null) {
  const tz = timezone || "UTC";
  const label = timezone?.length ?? 0;
  try {
    return date.toLocaleString("en", { timeZone: tz });
  } catch (error) {
    Sentry.captureException(error, { extra: { timezone: tz, label } });
    return "";
  }
}
"#;

const FALLBACK_PAGE_TS: &str = r#"import { formatInUserTimezone } from "@/lib/date";

export function meetingTime(meeting: Meeting, user: User) {
  return formatInUserTimezone(meeting.start, user.timezone);
}
"#;

#[test]
fn a_local_that_falls_back_from_a_parameter_is_the_parameter() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write_ts_root(root, r#"{"dependencies":{"@sentry/nextjs":"8.0.0"}}"#);
    write(root, "lib/date.ts", FALLBACK_DATE_TS);
    write(root, "app/page.ts", FALLBACK_PAGE_TS);
    let r = run(root);
    // `tz` is the caller's timezone unless it has none: the page's call
    // sends the user's timezone to Sentry when it is invalid.
    assert_eq!(
        call_fields(&r, "sentry"),
        s(&[
            "user.location.imprecise app/page.ts:4",
            "user.location.imprecise lib/date.ts:9",
        ])
    );
}

const OPTIONS_AGENT_TS: &str = r#"import { generateText } from "ai";

async function runAgent(options: AgentOptions, tools: ToolSet) {
  const { messages } = options;
  const prompt = `The thread:\n${formatThread(messages)}`;
  return generateText({ prompt, tools });
}

export async function agent(options: AgentOptions) {
  return runAgent(options, {});
}
"#;

const OPTIONS_ROUTE_TS: &str = r#"import { agent } from "@/lib/agent";

export async function POST(thread: Thread) {
  return agent({ messages: thread.messages, ownerId: thread.ownerId });
}
"#;

#[test]
fn an_options_object_passed_whole_sends_the_members_the_wrapper_reads_off_it() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write_ai_app(root, "openai");
    write(root, "lib/agent.ts", OPTIONS_AGENT_TS);
    write(root, "app/api/route.ts", OPTIONS_ROUTE_TS);
    let r = run(root);
    // `agent(options)` passes its options on whole, and `runAgent` reads
    // their messages into the prompt: the route's messages are sent (and
    // the options at the inner call), not the owner's id, which nothing
    // reads.
    assert_eq!(
        call_fields(&r, "openai"),
        s(&[
            "user.content.private app/api/route.ts:4",
            "user.content.private lib/agent.ts:10",
            "user.content.private lib/agent.ts:6",
        ])
    );
}

const LONG_PROMPT_TS: &str = r#"import { generateText } from "ai";

export async function summariseConversation(conversation: string) {
  return generateText({
    prompt: `Summarise the following conversation between a user and an assistant.

Keep every action taken, with the exact names and ids of what it touched,
every preference the user stated, and every task still open at the end.
Be brief, but leave nothing out that a later reply would need.

<conversation>
${conversation}
</conversation>`,
  });
}
"#;

const LONG_PROMPT_ROUTE_TS: &str = r#"import { summariseConversation } from "@/lib/summarise";

export async function POST(chat: Chat) {
  return summariseConversation(chat.transcript);
}
"#;

#[test]
fn a_long_prompt_still_holds_the_names_it_interpolates_at_its_end() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write_ai_app(root, "openai");
    write(root, "lib/summarise.ts", LONG_PROMPT_TS);
    write(root, "app/api/route.ts", LONG_PROMPT_ROUTE_TS);
    let r = run(root);
    // The prompt runs past the text kept of an argument; the conversation
    // it ends with is still forwarded, so the route's transcript is sent.
    assert!(
        call_fields(&r, "openai").contains(&"user.content.private app/api/route.ts:4".to_string()),
        "{:?}",
        call_fields(&r, "openai")
    );
}

const FILING_PARSE_TS: &str = r#"import { generateText } from "ai";

export async function aiParseFilingReply({ messages, folder }: ParseArgs) {
  const formatted = messages.map((m) => `${m.role}: ${m.content}`).join("\n");
  const prompt = `<conversation>
${formatted}
</conversation>`;
  return generateText({ prompt });
}
"#;

const FILING_HANDLE_TS: &str = r#"import { aiParseFilingReply } from "@/lib/parse";

export async function processFilingReply({ message, folder }: ReplyArgs) {
  const replyContent = emailToContentForAI(message, {
    extractReply: true,
  }).trim();
  const messages: { role: string; content: string }[] = [
    { role: "user", content: replyContent },
  ];
  return aiParseFilingReply({ messages, folder });
}
"#;

const FILING_ROUTE_TS: &str = r#"import { processFilingReply } from "@/lib/handle";

export async function POST(parsed: ParsedMessage, filing: Filing) {
  return processFilingReply({ message: parsed, folder: filing.folderPath });
}
"#;

#[test]
fn text_a_helper_writes_from_a_parameter_reaches_the_prompt_through_a_list_of_messages() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write_ai_app(root, "openai");
    write(root, "lib/parse.ts", FILING_PARSE_TS);
    write(root, "lib/handle.ts", FILING_HANDLE_TS);
    write(root, "app/api/route.ts", FILING_ROUTE_TS);
    let r = run(root);
    // `replyContent` is the message's content (a helper named for content
    // writes it, in a chained call spanning three lines); the list
    // `{ messages }` names holds it and reaches the prompt. So the route's
    // message is sent; the folder is not.
    let fields = call_fields(&r, "openai");
    assert!(
        fields.contains(&"user.content.private app/api/route.ts:4".to_string()),
        "{fields:?}"
    );
    assert!(
        fields.contains(&"user.content.private lib/handle.ts:10".to_string()),
        "{fields:?}"
    );
}

const CHOOSE_RULE_TS: &str = r#"import { generateText } from "ai";

export async function aiChooseRule({ email, rules }: ChooseArgs) {
  const prompt = `Pick the rule for this email:
${stringifyEmail(email)}`;
  return generateText({ prompt });
}

export async function findRules(message: ParsedMessage, rules: Rule[]) {
  return aiChooseRule({
    email: getEmailForLLM(message),
    rules: countRules(rules),
  });
}
"#;

const CHOOSE_ROUTE_TS: &str = r#"import { findRules } from "@/lib/choose";

export async function POST(parsed: ParsedMessage, account: Account) {
  return findRules(parsed, account.rules);
}
"#;

#[test]
fn what_a_helper_writes_from_a_parameter_into_a_prompts_place_carries_it() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write_ai_app(root, "openai");
    write(root, "lib/choose.ts", CHOOSE_RULE_TS);
    write(root, "app/api/route.ts", CHOOSE_ROUTE_TS);
    let r = run(root);
    // `email` goes into the prompt, and `findRules` fills it with what a
    // helper writes from its message: the route's message is sent. Its
    // rules go elsewhere (not into the prompt), so the route's call sends
    // nothing in their place.
    let fields = call_fields(&r, "openai");
    assert!(
        fields.contains(&"user.content.private app/api/route.ts:4".to_string()),
        "{fields:?}"
    );
}

const CHAT_ASSISTANT_TS: &str = r#"import { generateText } from "ai";

export async function aiAssistantChat({ messages, stats }: ChatArgs) {
  return generateText({ messages, system: `Inbox has ${stats.count} threads` });
}
"#;

const CHAT_HANDLER_TS: &str = r#"import { aiAssistantChat } from "@/lib/assistant";

export async function handleChatMessage({ thread, message }: Incoming) {
  const { modelUserMessage } = buildUserMessages({ messageText: message.text });
  const stats = await loadStats(thread.id);
  await aiAssistantChat({
    messages: await convertToModelMessages([...thread.history, modelUserMessage]),
    stats: await countThreads(thread),
  });
}
"#;

const CHAT_BOT_TS: &str = r#"import { handleChatMessage } from "@/lib/handler";

export function register(bot: Bot) {
  bot.onNewMention(async (thread, message) => {
    await handleChatMessage({ thread, message });
  });
}
"#;

#[test]
fn an_awaited_helper_that_writes_a_parameter_into_the_messages_carries_it() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write_ai_app(root, "openai");
    write(root, "lib/assistant.ts", CHAT_ASSISTANT_TS);
    write(root, "lib/handler.ts", CHAT_HANDLER_TS);
    write(root, "app/bot.ts", CHAT_BOT_TS);
    let r = run(root);
    // `modelUserMessage` is written from the message's text, and the
    // awaited `convertToModelMessages(...)` puts it in the messages: the
    // bot's message is sent. The thread only goes into a count, which
    // is no message text, so nothing is sent in its place.
    let fields = call_fields(&r, "openai");
    assert!(
        fields.contains(&"user.content.private app/bot.ts:5".to_string()),
        "{fields:?}"
    );
    let at_bot: Vec<&String> = fields
        .iter()
        .filter(|f| f.ends_with("app/bot.ts:5"))
        .collect();
    assert_eq!(at_bot, ["user.content.private app/bot.ts:5"], "{fields:?}");
}

const SLASH_HANDLER_TS: &str = r#"import { aiAssistantChat } from "@/lib/assistant";

export async function runSlashCommand({ messageText, userId }: SlashArgs) {
  const newUserMessage: UIMessage = {
    id: userId,
    role: "user",
    parts: [{ type: "text", text: messageText }],
  };
  return aiAssistantChat({
    messages: await convertToModelMessages([newUserMessage]),
    stats: { count: 0 },
  });
}
"#;

const SLASH_ROUTE_TS: &str = r#"import { runSlashCommand } from "@/lib/slash";

export async function POST(body: SlashBody, user: User) {
  return runSlashCommand({ messageText: body.text, userId: user.id });
}
"#;

#[test]
fn a_message_a_local_object_holds_reaches_the_messages_through_a_helper() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write_ai_app(root, "openai");
    write(root, "lib/assistant.ts", CHAT_ASSISTANT_TS);
    write(root, "lib/slash.ts", SLASH_HANDLER_TS);
    write(root, "app/api/slash/route.ts", SLASH_ROUTE_TS);
    let r = run(root);
    // `newUserMessage` holds the text under `parts.text`; the helper that
    // turns it into model messages is given it, in the messages' place.
    // The id beside the text is no part of the message.
    let fields = call_fields(&r, "openai");
    let at_route: Vec<&String> = fields
        .iter()
        .filter(|f| f.ends_with("app/api/slash/route.ts:4"))
        .collect();
    assert_eq!(
        at_route,
        ["user.content.private app/api/slash/route.ts:4"],
        "{fields:?}"
    );
}

const CONTACT_RESEARCH_TS: &str = r#"import { generateText } from "ai";

export async function researchContact({ email, name, botUserId }: ContactArgs) {
  const identity = identitySchema.safeParse({ email, name });
  if (!identity.success) return null;
  return generateText({
    prompt: `<name>${escapeHtml(identity.data.name)}</name>
<email>${escapeHtml(identity.data.email)}</email>
Mention ${formatMention(botUserId)} in replies.`,
  });
}
"#;

const CONTACT_ROUTE_TS: &str = r#"import { researchContact } from "@/lib/research";

export async function GET(sender: Sender, bot: Bot) {
  return researchContact({ email: sender.email, name: sender.name, botUserId: bot.userId });
}
"#;

#[test]
fn what_a_schema_validates_is_the_value_and_escaping_it_still_writes_it() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write_ai_app(root, "openai");
    write(root, "lib/research.ts", CONTACT_RESEARCH_TS);
    write(root, "app/api/contact/route.ts", CONTACT_ROUTE_TS);
    let r = run(root);
    // `identity` is `{ email, name }` validated; the prompt escapes its
    // members into the text. A helper that makes a mention of the bot's id
    // writes something else: no id is sent.
    let fields = call_fields(&r, "openai");
    let at_route: Vec<&String> = fields
        .iter()
        .filter(|f| f.ends_with("app/api/contact/route.ts:4"))
        .collect();
    assert_eq!(
        at_route,
        [
            "user.contact.email app/api/contact/route.ts:4",
            "user.name app/api/contact/route.ts:4"
        ],
        "{fields:?}"
    );
}

const SPREAD_ACTIONS_TS: &str = r#"import { generateText } from "ai";

const reply = async ({ message, args }: ActionOptions) => {
  return generateText({ prompt: `Reply to ${message.textPlain} as ${args.tone}` });
};

export const runAction = async (options: ActionOptions) => {
  const { type, ...args } = options.action;
  const opts = { ...options, args };
  switch (type) {
    case "reply":
      return reply(opts);
  }
};
"#;

const SPREAD_EXECUTE_TS: &str = r#"import { runAction } from "@/lib/actions";

export async function execute(message: ParsedMessage, action: Action) {
  return runAction({ message, action });
}
"#;

#[test]
fn an_object_that_spreads_a_parameter_is_that_parameter_with_more() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write_ai_app(root, "openai");
    write(root, "lib/actions.ts", SPREAD_ACTIONS_TS);
    write(root, "app/api/execute.ts", SPREAD_EXECUTE_TS);
    let r = run(root);
    // `opts` is `options` with `args` added; `reply(opts)` reads its
    // message into the prompt, so the caller's message is sent.
    let fields = call_fields(&r, "openai");
    assert!(
        fields.contains(&"user.content.private app/api/execute.ts:4".to_string()),
        "{fields:?}"
    );
}

const SPREAD_TOOLS_TS: &str = r#"import { PostHog } from "posthog-node";

const posthog = new PostHog(process.env.POSTHOG_KEY!);

type ToolOptions = { email: string; accountId: string; provider: string };

const buildListTool = ({ email, provider, terms }: ToolOptions & { terms: string[] }) => {
  posthog.capture({ distinctId: email, event: "list_tool", properties: { provider } });
  return terms;
};

export const listLabelsTool = (options: ToolOptions) =>
  buildListTool({ ...options, terms: ["label"] });

export const listRobotTool = (options: ToolOptions) =>
  buildListTool({ ...options, email: "robot@example.com", terms: ["robot"] });

export function listRecentTool(account: Account) {
  const overrides = loadOverrides(account);
  return buildListTool({ ...overrides, terms: [] });
}
"#;

#[test]
fn an_options_parameter_spread_into_the_object_passed_sends_its_members() {
    let tmp = posthog_app(&[("lib/tools.ts", SPREAD_TOOLS_TS)]);
    let r = run(tmp.path());
    // `listLabelsTool` spreads its options into the object `buildListTool`
    // destructures, which sends the email: the options' email is sent
    // there. Not at line 16, where the literal writes its own (constant)
    // email over the spread one, nor at line 20, which spreads a local
    // whose members the scan cannot see.
    assert_eq!(
        call_fields(&r, "posthog"),
        s(&[
            "user.contact.email lib/tools.ts:13",
            "user.contact.email lib/tools.ts:8",
        ])
    );
}

const SPREAD_READ_TS: &str = r#"import { PostHog } from "posthog-node";

const posthog = new PostHog(process.env.POSTHOG_KEY!);

export function trackFiling({ emailAccount, count }: { emailAccount: EmailAccount; count: number }) {
  posthog.capture({ distinctId: emailAccount.email, event: "filed", properties: { count } });
}
"#;

const SPREAD_READ_CALLER_TS: &str = r#"import { trackFiling } from "@/lib/track";

export async function fileAll(emailAccount: EmailAccount, files: File[]) {
  await trackFiling({
    emailAccount: { ...emailAccount, filingEnabled: true },
    count: files.length,
  });
  await trackFiling({
    emailAccount: { ...emailAccount, email: "filing-robot@example.com" },
    count: 0,
  });
}
"#;

#[test]
fn an_object_spread_in_a_parameters_place_gives_the_member_the_wrapper_reads() {
    let tmp = posthog_app(&[
        ("lib/track.ts", SPREAD_READ_TS),
        ("app/file.ts", SPREAD_READ_CALLER_TS),
    ]);
    let r = run(tmp.path());
    // `{ ...emailAccount, filingEnabled: true }` is the account with one
    // more member: the wrapper reads its email, which the first call sends.
    // The second writes a constant email over the spread one.
    assert_eq!(
        call_fields(&r, "posthog"),
        s(&[
            "user.contact.email app/file.ts:5",
            "user.contact.email lib/track.ts:6",
        ])
    );
}
