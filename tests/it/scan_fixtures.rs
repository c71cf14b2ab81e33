//! End-to-end scans of fixture trees that look like real projects, one per
//! ecosystem, each with the traps a naive scanner falls into: names in
//! comments, strings, CSS classes and docs; identifier substrings
//! (`hasEntryInput`, `Scrollbars`); test-only and dev-only dependencies;
//! dynamic, lazy and aliased imports; raw HTTP endpoints and look-alike hosts;
//! commented-out script tags. Assertions are on exact vendor sets and lines.

use crate::scan_support;

use scan_support::*;

#[test]
fn js_monorepo_finds_each_package_and_skips_the_traps() {
    let r = run(&fixture("js-monorepo"));
    assert_eq!(
        integrations(&r),
        [
            "firebase acme-web production",
            "mixpanel acme-web production",
            "posthog acme-platform dev",
            "segment acme-web test",
            "sentry acme-web production",
            "stripe acme-web production",
            "taxjar acme-tax production",
        ]
    );
    // Rollbar is only inside a string and a component name, Intercom only in
    // CSS classes, PostHog only in a comment and docs. The test calls the
    // first-party wrapper `identify` (it spreads `extra` into people.set):
    // a call, in test scope.
    assert_eq!(
        evidence(&r, "mixpanel"),
        [
            "call apps/web/src/__tests__/analytics.test.ts:8 test",
            "call apps/web/src/lib/analytics.ts:14 production",
            "call apps/web/src/lib/analytics.ts:15 production",
            "collects apps/web/src/lib/analytics.ts:3 production",
            "config apps/web/.env.example:2 dev",
            "config apps/web/src/lib/analytics.ts:10 production",
            "import apps/web/src/__tests__/analytics.test.ts:2 test",
            "import apps/web/src/lib/analytics.ts:3 production",
            // Line 4 is `import type`: it loads nothing, so it is no evidence.
            "manifest apps/web/package.json:9 production"
        ]
    );
    assert_eq!(
        evidence(&r, "firebase"),
        [
            "import apps/web/src/lib/lazy-firebase.ts:2 production",
            "import apps/web/src/lib/lazy-firebase.ts:3 production",
            "manifest apps/web/package.json:8 production",
        ]
    );
    assert_eq!(
        evidence(&r, "stripe"),
        [
            "collects apps/web/src/components/Checkout.tsx:2 production",
            "config apps/web/src/components/Checkout.tsx:4 production",
            "import apps/web/src/components/Checkout.tsx:2 production",
            "manifest apps/web/package.json:7 production",
            "script apps/web/src/components/Checkout.tsx:9 production"
        ]
    );
    // The raw HTTP integration: the real host counts, the look-alike and the
    // URL in a comment do not; `fetch(TAXJAR_URL, ...)` is the request.
    assert_eq!(
        evidence(&r, "taxjar"),
        [
            "config packages/tax/src/index.js:9 production",
            "endpoint packages/tax/src/index.js:2 production",
            "http packages/tax/src/index.js:7 production",
        ]
    );
    assert_eq!(
        evidence(&r, "segment"),
        [
            "import apps/web/src/__tests__/analytics.test.ts:1 test",
            "manifest apps/web/package.json:14 dev",
        ]
    );
    assert_eq!(
        evidence(&r, "posthog"),
        ["endpoint docs/integrations.md:6 dev"]
    );
    assert_eq!(r.skipped.files.len(), 1);
    assert_eq!(r.skipped.files[0].path, "apps/web/public/js/hotjar.min.js");
    assert_eq!(r.skipped.files[0].reason.as_str(), "minified");
}

#[test]
fn python_service_aliases_lazy_and_dynamic_imports() {
    let r = run(&fixture("python-service"));
    assert_eq!(
        production_vendors(&r),
        set(&["openai", "sentry", "stripe", "taxjar", "twilio"])
    );
    assert_eq!(non_production_vendors(&r), set(&["posthog"]));
    assert_eq!(
        evidence(&r, "sentry"),
        [
            "collects app/main.py:3 production",
            "config .env.example:1 dev",
            "config app/main.py:6 production",
            // A Kubernetes manifest describes the deployment: its own scope.
            "config deploy/k8s/deployment.yaml:15 deploy",
            "import app/main.py:3 production",
            "manifest pyproject.toml:7 production"
        ]
    );
    // `from twilio.rest import Client` inside a function; not the docstring
    // or the commented-out Mixpanel import.
    assert_eq!(
        evidence(&r, "twilio"),
        [
            "call app/notify.py:11 production",
            "config docker-compose.yml:6 deploy",
            "import app/notify.py:9 production",
            "manifest pyproject.toml:10 production"
        ]
    );
    assert!(evidence(&r, "mixpanel").is_empty());
    assert_eq!(
        evidence(&r, "openai"),
        [
            "call app/llm.py:7 production",
            "config deploy/k8s/deployment.yaml:12 deploy",
            "import app/llm.py:5 production",
            "manifest pyproject.toml:11 production"
        ]
    );
    assert_eq!(
        evidence(&r, "posthog"),
        [
            "import tests/test_billing.py:3 test",
            "manifest pyproject.toml:15 test",
        ]
    );
    // The live key in .env.example never reaches the output.
    let text = all_text(&r);
    assert!(!text.contains("Zx81Hx9QpLkR2mN8vT4yZ7aB3cD6eF"), "{text}");
    assert!(text.contains("STRIPE_SECRET_KEY=[REDACTED]"));
}

#[test]
fn rails_app_groups_templates_and_raw_webhooks() {
    let r = run(&fixture("rails-app"));
    assert_eq!(
        integrations(&r),
        [
            "hubspot rails-app production",
            "posthog rails-app test",
            "segment rails-app production",
            "sentry rails-app production",
            "stripe rails-app production",
        ]
    );
    assert_eq!(
        evidence(&r, "stripe"),
        [
            "call app/services/payment_service.rb:10 production",
            "call spec/services/payment_service_spec.rb:7 test",
            "config app/services/payment_service.rb:5 production",
            "endpoint spec/services/payment_service_spec.rb:6 test",
            "import app/services/payment_service.rb:1 production",
            "manifest Gemfile:7 production"
        ]
    );
    // The Intercom widget is inside an HTML comment; `intercom-hidden` is a class.
    assert!(evidence(&r, "intercom").is_empty());
    assert_eq!(
        evidence(&r, "segment"),
        [
            "collects app/views/layouts/application.html.erb:6 production",
            "script app/views/layouts/application.html.erb:6 production"
        ]
    );
    assert_eq!(
        evidence(&r, "posthog"),
        [
            "import spec/services/payment_service_spec.rb:2 test",
            "manifest Gemfile:19 test",
        ]
    );
}

#[test]
fn go_service_module_paths_and_test_only_modules() {
    let r = run(&fixture("go-service"));
    assert_eq!(
        integrations(&r),
        [
            "posthog payments test",
            "sentry payments production",
            "stripe payments production",
        ]
    );
    assert_eq!(
        evidence(&r, "stripe"),
        [
            "call internal/billing/charge.go:15 production",
            "import internal/billing/charge.go:7 production",
            "import internal/billing/charge.go:8 production",
            "manifest go.mod:7 production"
        ]
    );
    // go.mod cannot say "test only"; the imports can.
    assert_eq!(
        evidence(&r, "posthog"),
        [
            "import internal/billing/charge_test.go:6 test",
            "manifest go.mod:8 test",
        ]
    );
    assert!(evidence(&r, "launchdarkly").is_empty());
    assert!(evidence(&r, "segment").is_empty());
}

#[test]
fn jvm_and_android_maven_gradle_and_imports() {
    let r = run(&fixture("jvm-android"));
    assert_eq!(
        integrations(&r),
        [
            "mixpanel android production",
            "mixpanel app production",
            "sendgrid billing-server test",
            "sentry app test",
            "sentry billing-server production",
            "stripe billing-server production",
        ]
    );
    assert_eq!(
        evidence(&r, "stripe"),
        [
            "call server/src/main/java/com/acme/billing/BillingService.java:18 production",
            "config server/src/main/java/com/acme/billing/BillingService.java:13 production",
            "import server/src/main/java/com/acme/billing/BillingService.java:3 production",
            "import server/src/main/java/com/acme/billing/BillingService.java:4 production",
            "import server/src/main/java/com/acme/billing/BillingService.java:5 production",
            "manifest server/pom.xml:20 production"
        ]
    );
    assert_eq!(
        evidence(&r, "mixpanel"),
        [
            "call android/app/src/main/java/com/acme/app/Analytics.kt:11 production",
            "call android/app/src/main/java/com/acme/app/Analytics.kt:12 production",
            "collects android/app/src/main/java/com/acme/app/Analytics.kt:4 production",
            "import android/app/src/main/java/com/acme/app/Analytics.kt:4 production",
            "manifest android/gradle/libs.versions.toml:5 production"
        ]
    );
    // Twilio is commented out in the POM and in the Java source; Amplitude in Gradle.
    assert!(evidence(&r, "twilio").is_empty());
    assert!(evidence(&r, "amplitude").is_empty());
    assert_eq!(
        evidence(&r, "sendgrid"),
        [
            "import server/src/test/java/com/acme/billing/BillingServiceTest.java:3 test",
            "manifest server/pom.xml:36 test",
        ]
    );
}

#[test]
fn php_shop_namespaces_and_require_dev() {
    let r = run(&fixture("php-shop"));
    assert_eq!(
        integrations(&r),
        [
            "mixpanel acme-shop dev",
            "sentry acme-shop production",
            "stripe acme-shop production",
            "taxjar acme-shop production",
        ]
    );
    // `$this->stripe`, promoted from a constructor parameter typed
    // `StripeClient`, is Stripe's client.
    assert_eq!(
        evidence(&r, "stripe"),
        [
            "call src/Payment/Checkout.php:21 production",
            "import src/Payment/Checkout.php:8 production",
            "manifest composer.json:7 production",
        ]
    );
    assert_eq!(
        evidence(&r, "taxjar"),
        [
            "endpoint src/Payment/Checkout.php:13 production",
            // Guzzle's post(self::TAXJAR, ...): the constant resolves.
            "http src/Payment/Checkout.php:22 production"
        ]
    );
}

#[test]
fn ios_app_pods_swiftpm_and_imports() {
    let r = run(&fixture("ios-app"));
    assert_eq!(
        integrations(&r),
        ["mixpanel AcmeKit production", "sentry AcmeKit production"]
    );
    assert_eq!(
        evidence(&r, "mixpanel"),
        [
            "call Sources/App/Analytics.swift:16 production",
            "call Sources/App/Analytics.swift:17 production",
            "collects Sources/App/Analytics.swift:2 production",
            "import Sources/App/Analytics.swift:2 production",
            "manifest Podfile:5 production"
        ]
    );
    assert_eq!(
        evidence(&r, "sentry"),
        [
            "collects Sources/App/Analytics.swift:3 production",
            "endpoint Sources/App/Analytics.swift:11 production",
            "import Sources/App/Analytics.swift:3 production",
            "manifest Package.swift:8 production"
        ]
    );
    // Commented out in the Podfile, Package.swift and the source.
    assert!(evidence(&r, "amplitude").is_empty());
    assert!(evidence(&r, "posthog").is_empty());
}

#[test]
fn static_site_script_tags_snippets_and_commented_tags() {
    let r = run(&fixture("static-site"));
    assert_eq!(
        integrations(&r),
        [
            "mixpanel static-site production",
            "sentry static-site production"
        ]
    );
    assert_eq!(
        evidence(&r, "mixpanel"),
        [
            "collects public/index.html:7 production",
            "script public/index.html:7 production",
            "script public/index.html:9 production"
        ]
    );
    assert_eq!(
        evidence(&r, "sentry"),
        [
            "collects templates/base.html.j2:5 production",
            "script templates/base.html.j2:5 production"
        ]
    );
    assert!(evidence(&r, "hotjar").is_empty());
}

#[test]
fn every_manifest_kind_with_its_dev_and_test_scopes() {
    let r = run(&fixture("manifests-misc"));
    assert_eq!(
        integrations(&r),
        [
            "intercom acme-client production",
            "mixpanel worker dev",
            "openai acme-edge dev",
            "openai acme-legacy test",
            "posthog worker dev",
            "rollbar acme-client dev",
            "sendgrid Acme.Api production",
            "sendgrid Acme.Api.Tests test",
            "sendgrid acme-legacy production",
            "sentry Acme.Api production",
            "sentry acme-edge production",
            "sentry worker production",
            "stripe worker production",
            "twilio Acme.Api production",
            "twilio worker production",
        ]
    );
    assert_eq!(
        evidence(&r, "sentry"),
        [
            "config dotnet/Acme.Api/Program.cs:4 production",
            "manifest dotnet/Acme.Api/Acme.Api.csproj:6 production",
            "manifest edge/Cargo.toml:8 production",
            "manifest worker/requirements.txt:4 production",
        ]
    );
    // Commented out: openai in requirements.txt, launchdarkly in setup.cfg,
    // Stripe.net in the csproj.
    assert_eq!(
        evidence(&r, "openai"),
        [
            "manifest edge/Cargo.toml:11 dev",
            "manifest legacy/setup.cfg:12 test",
        ]
    );
    assert!(evidence(&r, "launchdarkly").is_empty());
    // C# has no parser: quoted keys and URLs are still read; comments are not.
    assert_eq!(
        evidence(&r, "twilio"),
        [
            "manifest dotnet/Acme.Api/Acme.Api.csproj:8 production",
            "manifest worker/requirements.txt:6 production",
        ]
    );
    assert!(
        evidence(&r, "sendgrid")
            .contains(&"endpoint dotnet/Acme.Api/Program.cs:6 production".to_string())
    );
    assert_eq!(
        evidence(&r, "stripe"),
        ["manifest worker/Pipfile:7 production"]
    );
}

#[test]
fn a_loader_served_from_another_vendors_host_is_its_own_vendor() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "site/index.html",
        r#"<!doctype html>
<html>
<head>
  <script async src="https://www.googletagmanager.com/gtag/js?id=G-7QX2B1ZK9L"></script>
  <script>
    window.dataLayer = window.dataLayer || [];
    function gtag(){dataLayer.push(arguments);}
    gtag('js', new Date());
  </script>
</head>
</html>
"#,
    );
    write(
        tmp.path(),
        "shop/index.html",
        r#"<!doctype html>
<html>
<head>
  <script>(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':new Date().getTime(),event:'gtm.js'});var f=d.getElementsByTagName(s)[0],j=d.createElement(s);j.async=true;j.src='https://www.googletagmanager.com/gtm.js?id='+i;f.parentNode.insertBefore(j,f);})(window,document,'script','dataLayer','GTM-K8Q2ZP');</script>
</head>
</html>
"#,
    );
    let r = run(tmp.path());
    let by_file = |file: &str| -> Vec<String> {
        let mut v: Vec<String> = r
            .integrations
            .iter()
            .filter(|i| i.evidence.iter().any(|e| e.file == file))
            .map(|i| i.vendor.clone())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    // gtag.js is Google Analytics's loader, though served from Tag
    // Manager's host; the GTM container loader is Tag Manager.
    assert_eq!(by_file("site/index.html"), ["google-analytics"]);
    assert_eq!(by_file("shop/index.html"), ["google-tag-manager"]);
}

/// Issue #12's scope and mention rules on one Next.js-like app: only the
/// Stripe SDK that the code calls is a production integration. A link, a
/// share link, a `mailto:`, a CSP list, a locale string and `turbo.json`
/// keys are mentions; a CI workflow is `ci`, a Helm chart `deploy`, a
/// `scripts/` folder `dev`; `import type` is no evidence at all.
#[test]
fn mentions_ci_deploy_and_scripts_are_not_production() {
    let r = run(&fixture("mentions-app"));
    assert_eq!(production_vendors(&r), set(&["stripe"]));
    assert_eq!(
        integrations(&r),
        [
            "datadog acme-shop deploy",
            "hubspot acme-shop dev",
            "intercom acme-shop mention",
            // The share link's host, www.facebook.com, is no Meta product
            // (the Pixel is www.facebook.com/tr only).
            "mixpanel acme-shop mention",
            "posthog acme-shop mention",
            "segment acme-shop mention",
            "sentry acme-shop ci",
            "stripe acme-shop production",
        ]
    );
    assert_eq!(
        evidence(&r, "mixpanel"),
        ["mention next.config.js:6 mention"]
    );
    // The CSP lists Stripe's API too, but the SDK makes Stripe production.
    assert!(evidence(&r, "stripe").contains(&"mention next.config.js:5 mention".to_string()));
    assert!(
        evidence(&r, "posthog")
            .iter()
            .all(|e| !e.contains("stripe.ts"))
    );
}

/// A database or search driver is not the vendor's hosted service: pymongo
/// and the Elasticsearch client pointed at servers of our own make no
/// integration; pymongo with an Atlas connection string is MongoDB Atlas.
#[test]
fn drivers_are_vendors_only_when_pointed_at_the_hosted_service() {
    let r = run(&fixture("drivers-app"));
    assert_eq!(integrations(&r), ["mongodb-atlas billing-api production"]);
    assert!(
        evidence(&r, "mongodb-atlas").contains(&"endpoint atlas/db.py:3 production".to_string()),
        "{:?}",
        evidence(&r, "mongodb-atlas")
    );
}

/// Plain HTTP requests to vendor APIs, one per language (#11 item 2): the
/// URL resolves through a class constant, a module constant, a template or a
/// `const`, whatever the client (requests, fetch, axios, Faraday, Laravel's
/// Http, Go's net/http); the body is classified where it is written, inline,
/// serialised in place or built a few lines up. Configuration values (API
/// keys) are not user data, and a returned docs URL is not a request.
#[test]
fn http_requests_to_vendor_apis_in_every_language() {
    let r = run(&fixture("http-flows"));
    assert_eq!(
        field_lines(&r),
        [
            // A client made with the vendor's base URL (a memoised Ruby
            // reader, an axios instance) sends what its requests carry.
            "cashfree user.contact.email rb/payment_links.rb:12",
            "cashfree user.contact.phone_number rb/payment_links.rb:12",
            "flutterwave user.contact.email js/payouts.ts:13",
            "flutterwave user.name js/payouts.ts:13",
            "hubspot user.contact.email js/crm.ts:9",
            // In the URL: a value after a query key, and a query parameter
            // set on the URL object; not an id in the path, and not what was
            // set on another URL under the same name.
            "hubspot user.contact.email js/lookup.ts:18",
            "hubspot user.name.first js/crm.ts:9",
            "mailgun user.contact.email rb/mailer.rb:7",
            // A body built over several lines, serialised inside another
            // object at the request; a callback's body is not sent
            // (js/capi.ts:24, Stripe's script load, sends nothing).
            "meta-pixel user.device.ip_address js/capi.ts:14",
            // An AI vendor's `inputs` is what the person wrote; its URL is
            // built by interpolating a constant (`"#{URL}/#{id}"`).
            "mistral user.content.private rb/assistant.rb:10",
            "posthog user.contact.email js/lookup.ts:6",
            "postmark user.contact.email php/Notify.php:14",
            "sendgrid user.contact.email js/crm.ts:15",
            // The recipient's name, in an object nested in arrays.
            "sendgrid user.name js/crm.ts:15",
            "slack user.account.username go/notify.go:13",
            // A message's text to a messaging vendor is private content;
            // Mailgun's literal `text: "Hi"` is not.
            "slack user.content.private go/notify.go:13",
            "twilio user.contact.phone_number py/sms.py:14",
            "twilio user.content.private py/sms.py:14",
        ]
    );
    let twilio = evidence(&r, "twilio");
    assert!(
        twilio.contains(&"http py/sms.py:14 production".to_string()),
        "{twilio:?}"
    );
    assert!(
        !twilio.iter().any(|e| e.starts_with("http py/sms.py:19")),
        "{twilio:?}"
    );
    // A value built before the call is reported where it leaves, with the
    // line it was built on.
    let built = r
        .integrations
        .iter()
        .flat_map(|i| i.fields.iter())
        .find(|f| f.file == "py/sms.py")
        .map(|f| f.name.clone());
    assert_eq!(built.as_deref(), Some("data.To (built at line 11)"));
    // A route's JSON answer to its browser names Slack's sign-in URL: it is
    // not a request to Slack (the URL literal stays an endpoint mention).
    let slack = evidence(&r, "slack");
    assert!(
        slack.iter().all(|e| !e.starts_with("http js/payouts.ts")),
        "{slack:?}"
    );
    assert!(
        slack.contains(&"endpoint js/payouts.ts:20 production".to_string()),
        "{slack:?}"
    );
}

/// Clients kept in fields and gems Bundler loaded (#11 item 1): a client
/// assigned to `this.stripe` / `self.client` / `$this->stripe` in a
/// constructor and used in another method, a Ruby `@client ||=` behind a
/// `client` reader, `Stripe::Customer.create` in a Rails service with no
/// `require`, a Kotlin constructor-injected `StripeClient` given a builder's
/// params, and a `lateinit` PostHog property. A first-party Ruby class
/// named `Analytics` stays first-party.
#[test]
fn clients_in_fields_and_rails_globals() {
    let r = run(&fixture("client-fields"));
    assert_eq!(
        field_lines(&r),
        [
            "posthog user.contact.email Track.kt:9",
            "posthog user.unique_id Track.kt:9",
            // Sentry.configureScope((scope) => scope.setUser(...))
            "sentry user.contact.email errors.ts:5",
            // sentry.ConfigureScope(func(scope *sentry.Scope) { scope.SetUser(...) })
            "sentry user.contact.email report.go:7",
            "sentry user.unique_id errors.ts:5",
            "stripe user.contact.email Billing.kt:9",
            "stripe user.contact.email Billing.php:15",
            "stripe user.contact.email billing.py:9",
            "stripe user.contact.email billing.rb:11",
            "stripe user.contact.email billing.rb:7",
            "stripe user.contact.email billing.ts:9",
            "stripe user.name billing.rb:7",
        ]
    );
    assert!(
        evidence(&r, "segment").is_empty(),
        "{:?}",
        evidence(&r, "segment")
    );
}

/// Payload helpers: the hash or dict a method returns is what a call that
/// passes the method's result sends (Ruby service objects' `update_payload`,
/// a payload built in a variable and returned, Python's
/// `**self.payload()`, a TypeScript `this.customerPayload()`, a helper's
/// result wrapped in a conversion, `Params.new(payment_method_params).to_h`),
/// reported at the call; a member of another object named like the helper
/// (`order.payment_method_params`) is not the helper. A top-level `::Stripe` constant is the gem's; the application's
/// own `Billing::Stripe` is not. The request's `api_key:` option
/// authenticates the application and is not a person's data; a dict method
/// never passed to the vendor gives nothing.
#[test]
fn payloads_returned_by_helper_methods() {
    let r = run(&fixture("payload-methods"));
    assert_eq!(
        field_lines(&r),
        [
            "adyen user.contact.email app/services/adyen_checkout_service.rb:15",
            "adyen user.contact.email app/services/adyen_checkout_service.rb:6",
            "adyen user.unique_id app/services/adyen_checkout_service.rb:6",
            "gocardless user.contact.email app/services/adyen_checkout_service.rb:11",
            // `args = disableUnfurls(cond ? {...} : {...})`: a helper that
            // spreads its argument into what it returns; `threadKey({ email })`
            // returns a string, so line 31 sends no email. One finding per
            // branch of the condition (`text` built at lines 21 and 22),
            // and the message's `blocks` (line 21).
            "slack user.content.private notify.ts:24",
            "slack user.content.private notify.ts:24",
            "slack user.content.private notify.ts:24",
            "stripe user.contact.address.city app/services/stripe_customer_service.rb:10",
            "stripe user.contact.address.postal_code app/services/stripe_customer_service.rb:10",
            "stripe user.contact.email app/services/stripe_customer_service.rb:10",
            "stripe user.contact.email billing.py:9",
            "stripe user.contact.email billing.ts:9",
            "stripe user.contact.phone_number app/services/stripe_customer_service.rb:10",
            "stripe user.contact.phone_number billing.py:9",
            "stripe user.name app/services/stripe_customer_service.rb:10",
            "stripe user.name billing.ts:9",
            "stripe user.unique_id app/services/stripe_customer_service.rb:10",
            "stripe user.unique_id app/services/stripe_customer_service.rb:18",
        ]
    );
    let named: Vec<(String, u32)> = r
        .integrations
        .iter()
        .filter(|i| i.vendor == "stripe")
        .flat_map(|i| i.fields.iter())
        .map(|f| (f.name.clone(), f.line))
        .collect();
    assert!(
        named.contains(&("email (built at line 25)".to_string(), 10)),
        "{named:?}"
    );
    assert!(
        !evidence(&r, "stripe")
            .iter()
            .any(|e| e.contains("billing_stripe_report.rb")),
        "{:?}",
        evidence(&r, "stripe")
    );
}

/// Clients one file creates and others use: a Resend client exported from a
/// workspace package's `client.ts` (built behind a `key ? new Resend(key) :
/// null`), used by the package's functions, which the web app calls through
/// the package's name (`@acme/mailer`) under another name; a Stripe client
/// imported from `app.clients`; a Go package-level OpenAI client used by
/// another file of its package. An email's recipients and its body are what
/// an email vendor receives. A same-named local stub is not the client, and
/// a test's use of it carries no fields.
#[test]
fn clients_shared_across_files_and_workspace_packages() {
    let r = run(&fixture("shared-clients"));
    assert_eq!(
        field_lines(&r),
        [
            "openai user.content.private svc/internal/ai/summarise.go:12",
            "resend user.contact.email apps/web/lib/signup.ts:5",
            "resend user.contact.email apps/web/lib/signup.ts:6",
            "resend user.contact.email packages/mailer/src/send.ts:14",
            "resend user.contact.email packages/mailer/src/send.ts:7",
            "resend user.content.private packages/mailer/src/send.ts:9",
            "resend user.name apps/web/lib/signup.ts:5",
            "stripe user.contact.email api/app/billing.py:5",
            "stripe user.name api/app/billing.py:5",
        ]
    );
    assert_eq!(
        calls(&r, "resend"),
        [
            "apps/web/lib/signup.ts:5 production",
            "apps/web/lib/signup.ts:6 production",
            "apps/web/tests/signup.test.ts:4 test",
            "packages/mailer/src/send.ts:14 production",
            "packages/mailer/src/send.ts:5 production",
        ]
    );
}

/// Methods that wrap a vendor, called through an interface: an Android app's
/// `DefaultVectorAnalytics : VectorAnalytics` (itself `: AnalyticsTracker`)
/// wraps PostHog and adds the analytics id to every event; view models hold
/// it as an injected `AnalyticsTracker`, a fragment inherits the field from
/// its base class, and Java code calls it too. Each of those calls sends
/// the id. The class calling its own method is plumbing, not a call site,
/// and a first-party `CartTracker.capture` is not PostHog's.
#[test]
fn method_wrappers_through_interfaces() {
    let r = run(&fixture("typed-wrappers"));
    let d = "app/src/main/java/com/acme";
    assert_eq!(
        calls(&r, "posthog"),
        [
            format!("{d}/analytics/CheckoutJava.java:9 production"),
            format!("{d}/analytics/DefaultVectorAnalytics.kt:18 production"),
            format!("{d}/analytics/DefaultVectorAnalytics.kt:22 production"),
            format!("{d}/room/RoomViewModel.kt:10 production"),
            format!("{d}/settings/SettingsFragment.kt:6 production"),
        ]
    );
    assert_eq!(
        field_lines(&r),
        [
            // `screen` records which screen was viewed.
            format!(
                "posthog user.behavior.browsing_history {d}/analytics/DefaultVectorAnalytics.kt:22"
            ),
            format!("posthog user.unique_id.pseudonymous {d}/analytics/CheckoutJava.java:9"),
            format!(
                "posthog user.unique_id.pseudonymous {d}/analytics/DefaultVectorAnalytics.kt:18"
            ),
            format!("posthog user.unique_id.pseudonymous {d}/room/RoomViewModel.kt:10"),
            format!("posthog user.unique_id.pseudonymous {d}/settings/SettingsFragment.kt:6"),
        ]
    );
    assert!(
        !evidence(&r, "posthog")
            .iter()
            .any(|e| e.contains("CheckoutScreen") || e.contains("DefaultVectorAnalytics.kt:31")),
        "{:?}",
        evidence(&r, "posthog")
    );
}

/// Sign-in providers registered by name with a login library: go-pkgz/auth's
/// `AddProvider("github", ...)`, Laravel Socialite's `driver('azure')`,
/// OmniAuth's `provider :discord`, Passport's `authenticate("apple")`,
/// go-pkgz/auth's `AddAppleProvider(...)`, each in a file with no other
/// mention of the vendor. A provider named at run
/// time, a storage `driver('s3')`, a name in a log line or a comment, and
/// OmniAuth's development provider are not.
#[test]
fn login_providers_registered_by_name() {
    let r = run(&fixture("login-providers"));
    let mut got: Vec<String> = r
        .integrations
        .iter()
        .flat_map(|i| {
            i.evidence
                .iter()
                .filter(|e| e.kind == blastmap::model::EvidenceKind::Call)
                .map(move |e| format!("{} {}:{}", i.vendor, e.file, e.line))
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            "discord-oauth config/initializers/omniauth.rb:3",
            "github-oauth backend/cmd/server.go:10",
            "google-sign-in backend/cmd/server.go:13",
            "microsoft-entra app/Http/Controllers/OauthController.php:12",
            "microsoft-entra backend/cmd/providers.go:16",
            "sign-in-with-apple backend/cmd/providers.go:11",
            "sign-in-with-apple web/routes.js:4",
        ]
    );
    assert!(production_vendors(&r).contains("github-oauth"));
    assert!(!production_vendors(&r).contains("twitter-oauth"));
}

/// Wrappers of wrappers, with destructured parameters, as a monorepo's
/// mail package and analytics module write them: the web app calls
/// `sendInviteEmail({ to, emailProps })` through the package's name;
/// `sendInviteEmail` renames `to` and calls the file's private `sendEmail`,
/// which sends `to` (or a test address) to Resend. The recipient and the
/// inviter's name reach Resend from the web app's call; the message text
/// rendered inside the package is not added to every caller. A billing
/// route's `trackTrialStarted(customer.email)` reaches PostHog through
/// `captureEvent`; `trackFirstEvent` looks the owner's email up itself and
/// sends it with each call, and its event name (a constant named
/// `..._MESSAGE`) is an event's name, not a message. `owner.email` reads one
/// member of what `lookupOwner` returns, not the whole of it. A function
/// that Tinybird's zod-bird client makes (`tb.buildIngestEndpoint(...)`)
/// sends what it is called with, so `publishArchive({ ownerEmail })`, two
/// wrappers away, sends the owner's email to Tinybird.
#[test]
fn wrappers_of_wrappers_and_destructured_parameters() {
    let r = run(&fixture("wrapper-chains"));
    assert_eq!(
        field_lines(&r),
        [
            "posthog user.contact.email apps/web/app/api/billing/route.ts:5",
            "posthog user.contact.email apps/web/app/api/billing/route.ts:6",
            "posthog user.contact.email apps/web/lib/analytics.ts:12",
            "posthog user.contact.email apps/web/lib/analytics.ts:17",
            "posthog user.contact.email apps/web/lib/analytics.ts:8",
            "posthog user.unique_id.organization apps/web/app/api/billing/route.ts:6",
            "posthog user.unique_id.organization apps/web/lib/analytics.ts:17",
            "resend user.contact.email apps/web/lib/invite.ts:6",
            "resend user.contact.email packages/mailer/src/send.tsx:23",
            "resend user.contact.email packages/mailer/src/send.tsx:41",
            "resend user.content.private packages/mailer/src/send.tsx:24",
            "resend user.content.private packages/mailer/src/send.tsx:25",
            "resend user.content.private packages/mailer/src/send.tsx:26",
            "resend user.content.private packages/mailer/src/send.tsx:42",
            "resend user.content.private packages/mailer/src/send.tsx:43",
            "resend user.name apps/web/lib/invite.ts:7",
            "tinybird user.contact.email apps/web/lib/archive.ts:4",
        ]
    );
    assert_eq!(
        calls(&r, "tinybird"),
        [
            "apps/web/lib/archive.ts:4 production",
            "packages/events/src/index.ts:12 production",
            "packages/events/src/index.ts:16 production",
            "packages/events/src/index.ts:6 production",
        ]
    );
    let invite = call_text(&r, "resend", "apps/web/lib/invite.ts", 4);
    assert!(
        invite.starts_with(
            "sendInviteEmail → sendEmail → resend.emails.send (packages/mailer/src/send.tsx:30)"
        ),
        "{invite}"
    );
    let names: Vec<&str> = r
        .integrations
        .iter()
        .filter(|i| i.vendor == "posthog")
        .flat_map(|i| i.fields.iter())
        .filter(|f| f.file == "apps/web/app/api/billing/route.ts" && f.line == 6)
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "owner.email (added by trackFirstEvent at apps/web/lib/analytics.ts:15)",
            "accountId"
        ],
        "{names:?}"
    );
}

/// A package name of another language on an import line names nothing:
/// `avatax` is Avalara's npm and RubyGems package, so in Python `import
/// avatax` is a module of the application, and the file is not parsed for it (#18: on a Go service, half the parses were such names). The same
/// name in a Ruby file, and Avalara's own PyPI package in Python, still are.
#[test]
fn another_languages_package_name_is_no_reason_to_parse() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let first_party = "import avatax\nfrom avatax.plugin import AvataxPlugin\n\n\ndef tax(order):\n    return AvataxPlugin().quote(order)\n";
    std::fs::create_dir_all(root.join("shop/plugins")).unwrap();
    std::fs::write(root.join("shop/plugins/tax.py"), first_party).unwrap();
    let r = run(root);
    assert_eq!(r.stats.files_analysed, 0, "{:?}", r.stats);
    assert!(integrations(&r).is_empty(), "{:?}", integrations(&r));

    std::fs::write(root.join("shop/plugins/avalara_tax.py"), "import avalara\n").unwrap();
    std::fs::write(root.join("shop/billing.rb"), "require \"avatax\"\n").unwrap();
    let r = run(root);
    assert_eq!(r.stats.files_analysed, 2, "{:?}", r.stats);
    assert_eq!(
        integrations(&r)
            .iter()
            .filter(|i| i.starts_with("avalara "))
            .count(),
        1,
        "{:?}",
        integrations(&r)
    );
}
