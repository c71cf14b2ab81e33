//! Which vendor the scan names, on code shaped like the real applications
//! of `benches/realworld`: integrations named by their folder (a webhook URL
//! a user typed in), vendors reached through Nango by provider key, a
//! repository that is the vendor's own product, and evidence that configures
//! nothing (a form placeholder, an empty dotenv key, a docs site's config).

use crate::scan_support;

use scan_support::*;

/// A notification transport in `integrations/<service>/`: the URL comes
/// from the user's settings, the folder says which service it is.
const GOOGLECHAT_TRANSPORT: &str = r#"from hc.lib import curl


class GoogleChat(HttpTransport):
    def payload(self, flip):
        return {"text": f"{flip.owner.name} is {flip.new_status}"}

    def notify(self, flip, notification):
        payload = self.payload(flip)
        self.post(self.channel.value, json=payload)
"#;

const GOOGLECHAT_FORMS: &str = r#"from django import forms


class AddGoogleChatForm(forms.Form):
    value = forms.URLField(max_length=1000)
"#;

#[test]
fn a_request_from_an_integration_folder_goes_to_the_vendor_it_names() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "hc/integrations/googlechat/transport.py",
        GOOGLECHAT_TRANSPORT,
    );
    write(
        root,
        "hc/integrations/googlechat/forms.py",
        GOOGLECHAT_FORMS,
    );
    // Splunk On-Call's old name, from the catalog's `folder_names`.
    write(
        root,
        "hc/integrations/victorops/transport.py",
        "class VictorOps(HttpTransport):\n    def notify(self, flip, n):\n        self.post(self.channel.value, json={\"state_message\": flip.check.desc})\n",
    );
    // Two letters name nothing; a folder that is no service's.
    write(
        root,
        "hc/integrations/po/transport.py",
        "class Pushover(HttpTransport):\n    def notify(self, flip, n):\n        self.post(self.channel.value, data={\"message\": flip.check.name})\n",
    );
    write(
        root,
        "hc/integrations/webhook/transport.py",
        "class Webhook(HttpTransport):\n    def notify(self, flip, n):\n        self.post(self.channel.url, json={})\n",
    );
    let r = run(root);
    let prod = production_vendors(&r);
    assert!(prod.contains("google-chat"), "{prod:?}");
    assert!(prod.contains("splunk-on-call"), "{prod:?}");
    assert!(!prod.contains("pushover"), "{prod:?}");
    // The evidence is the request, not the form that stores the URL.
    let ev = evidence(&r, "google-chat");
    assert!(
        ev.iter()
            .all(|e| e.contains("hc/integrations/googlechat/transport.py:10")),
        "{ev:?}"
    );
}

#[test]
fn an_integration_folder_in_tests_or_without_a_request_is_no_integration() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "hc/integrations/googlechat/forms.py",
        GOOGLECHAT_FORMS,
    );
    write(
        root,
        "hc/integrations/googlechat/tests/test_notify.py",
        GOOGLECHAT_TRANSPORT,
    );
    // A `get` reads; a folder not under an integrations parent is no service.
    write(
        root,
        "app/integrations/trello/views.py",
        "def boards(request):\n    return cache.get(request.user.id)\n",
    );
    write(root, "app/googlechat/transport.py", GOOGLECHAT_TRANSPORT);
    let r = run(root);
    let prod = production_vendors(&r);
    assert!(prod.is_empty(), "{prod:?}");
}

const NANGO_BASE: &str = r#"module Integrations
  module Aggregator
    class BaseService
      BASE_URL = "https://api.nango.dev/"

      def provider
        case integration.type
        when "Integrations::NetsuiteIntegration"
          "netsuite-tba"
        when "Integrations::XeroIntegration"
          "xero"
        end
      end

      def secret_key
        ENV["NANGO_SECRET_KEY"]
      end
    end
  end
end
"#;

#[test]
fn vendors_reached_through_nango_are_named_by_their_provider_key() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "app/services/integrations/aggregator/base_service.rb",
        NANGO_BASE,
    );
    // The same words where Nango is not reached name nothing.
    write(
        root,
        "app/models/integration.rb",
        "class Integration\n  KINDS = [\"xero\", \"hubspot\"]\nend\n",
    );
    let r = run(root);
    let prod = production_vendors(&r);
    assert!(prod.contains("nango"), "{prod:?}");
    assert!(prod.contains("netsuite"), "{prod:?}");
    assert!(prod.contains("xero"), "{prod:?}");
    assert!(!prod.contains("hubspot"), "{prod:?}");
    let ev = evidence(&r, "xero");
    assert!(
        ev.iter().any(|e| e.contains("base_service.rb:11")),
        "{ev:?}"
    );
}

#[test]
fn a_repository_that_is_the_vendors_own_product_does_not_report_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "package.json",
        r#"{"name": "umami", "version": "2.0.0"}"#,
    );
    write(
        root,
        "next.config.ts",
        "const rewrites = [{ source: '/script.js', destination: 'https://cloud.umami.is/script.js' }];\nexport default { rewrites };\n",
    );
    write(
        root,
        "src/lib/sentry.ts",
        "import * as Sentry from \"@sentry/nextjs\";\nSentry.init({ dsn: process.env.SENTRY_DSN });\n",
    );
    let r = run(root);
    let prod = production_vendors(&r);
    assert!(!prod.contains("umami"), "{prod:?}");
    // Other vendors of the same repository are still reported.
    assert!(prod.contains("sentry"), "{prod:?}");
}

#[test]
fn placeholders_empty_dotenv_keys_and_docs_site_config_configure_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "resources/views/notifications/email.blade.php",
        "<x-forms.input id=\"smtpHost\" placeholder=\"smtp.mailgun.org\" label=\"Host\" />\n",
    );
    write(
        root,
        ".env.production",
        "APP_NAME=Coolify\nSENDGRID_API_KEY=\nPUSHER_APP_CLUSTER=\"\"\n",
    );
    write(
        root,
        "site/hugo.toml",
        "[params]\n  githubApiUrl = \"https://api.github.com/repos/acme/app\"\n",
    );
    let r = run(root);
    let prod = production_vendors(&r);
    assert!(prod.is_empty(), "{prod:?}");

    // A value makes it configuration.
    write(root, ".env.production", "SENDGRID_API_KEY=SG.x1y2z3\n");
    let r = run(root);
    assert!(production_vendors(&r).contains("sendgrid"));
}

#[test]
fn a_picture_hotlinked_from_a_cdn_is_no_integration_but_a_base_url_is() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "app/(landing)/Testimonials.tsx",
        "export const t = {\n  author: {\n    imageUrl:\n      \"https://ph-avatars.imgix.net/2743360/28744c72?auto=compress&w=120&h=120\",\n  },\n};\n",
    );
    let r = run(root);
    assert!(
        production_vendors(&r).is_empty(),
        "{:?}",
        production_vendors(&r)
    );
    assert_eq!(
        evidence(&r, "imgix"),
        ["mention app/(landing)/Testimonials.tsx:4 mention"]
    );

    // The app's own imgix source, on which it builds picture URLs.
    write(
        root,
        "src/lib/images.ts",
        "const IMGIX = \"https://acme.imgix.net\";\nexport const src = (p: string) => `${IMGIX}/${p}?w=640`;\n",
    );
    let r = run(root);
    assert!(production_vendors(&r).contains("imgix"));
}

#[test]
fn a_sign_in_endpoint_in_code_is_an_endpoint_not_a_script() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "hc/integrations/github/client.py",
        "from hc.lib import curl\n\n\ndef get_token(code):\n    url = \"https://github.com/login/oauth/access_token\"\n    return curl.post(url, data={\"code\": code}).json()\n",
    );
    write(
        root,
        "web/index.html",
        "<script>!function(){var s=document.createElement('script');s.src='https://connect.facebook.net/en_US/fbevents.js';}()</script>\n",
    );
    let r = run(root);
    let gh = evidence(&r, "github-oauth");
    assert!(
        gh.iter()
            .any(|e| e.starts_with("endpoint hc/integrations/github/client.py:5")),
        "{gh:?}"
    );
    assert!(!gh.iter().any(|e| e.starts_with("script ")), "{gh:?}");
    let pixel = evidence(&r, "meta-pixel");
    assert!(
        pixel
            .iter()
            .any(|e| e.starts_with("script web/index.html:1")),
        "{pixel:?}"
    );
}

#[test]
fn pusher_protocol_clients_against_a_self_hosted_server_are_not_pusher() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // A Laravel app broadcasting through Soketi (or Reverb): Pusher's own
    // client libraries, pointed at the app's host.
    write(
        root,
        "composer.json",
        r#"{"name": "acme/app", "require": {"pusher/pusher-php-server": "^7.3"}}"#,
    );
    write(
        root,
        "package.json",
        r#"{"name": "app", "dependencies": {"pusher-js": "8.4.0", "@pusher/push-notifications-web": "1.1.0"}}"#,
    );
    write(
        root,
        "resources/js/echo.js",
        "import Pusher from 'pusher-js';\nwindow.Echo = new Echo({ broadcaster: 'pusher', key: import.meta.env.VITE_PUSHER_APP_KEY, wsHost: import.meta.env.VITE_PUSHER_HOST });\n",
    );
    write(root, ".env", "PUSHER_HOST=soketi\nPUSHER_APP_KEY=app-key\n");
    let r = run(root);
    let prod = production_vendors(&r);
    assert!(!prod.contains("pusher"), "{prod:?}");
    // Beams is a hosted service whatever the host of Channels.
    assert!(prod.contains("pusher-beams"), "{prod:?}");

    // A cluster is Pusher's hosted service.
    write(
        root,
        ".env",
        "PUSHER_APP_KEY=app-key\nPUSHER_APP_CLUSTER=eu\n",
    );
    let r = run(root);
    assert!(production_vendors(&r).contains("pusher"));
}

/// A webhook URL read from the application's configuration under a key
/// that says whose webhook it is: the key names the vendor. Traps: a
/// webhook key that names no vendor, a vendor's key that is no webhook,
/// and a webhook named in a comment only.
const FEEDBACK_PHP: &str = r#"<?php

namespace App\Http\Controllers;

use Illuminate\Support\Facades\Http;

class FeedbackController
{
    public function store(Request $request)
    {
        $data = $request->validate(['content' => ['required', 'string']]);
        $webhook_url = config('constants.webhooks.feedback_discord_webhook');
        if ($webhook_url) {
            Http::timeout(5)->post($webhook_url, [
                'content' => $data['content'],
            ]);
        }
    }

    public function ping(Request $request)
    {
        // Posts to the app's own webhook receiver.
        $url = config('app.webhook_url');
        Http::post($url, ['note' => $request->input('note')]);
        $endpoint = config('services.discord.api_base');
        Http::post($endpoint, ['note' => $request->input('note')]);
    }
}
"#;

const ALERTS_TS: &str = r#"export async function alertOps(message: string) {
  await fetch(process.env.SLACK_ALERTS_WEBHOOK_URL!, {
    method: "POST",
    body: JSON.stringify({ text: message }),
  });
}
"#;

#[test]
fn a_webhook_url_read_from_configuration_is_the_vendor_its_key_names() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "composer.json",
        r#"{"require": {"laravel/framework": "^11.0"}}"#,
    );
    write(
        root,
        "package.json",
        r#"{"name": "ops", "dependencies": {}}"#,
    );
    write(
        root,
        "app/Http/Controllers/FeedbackController.php",
        FEEDBACK_PHP,
    );
    write(root, "src/alerts.ts", ALERTS_TS);
    let r = run(root);
    assert_eq!(
        call_fields(&r, "discord-api"),
        vec!["user.content.private app/Http/Controllers/FeedbackController.php:15".to_string()]
    );
    assert_eq!(
        calls(&r, "discord-api"),
        Vec::<String>::new(),
        "a request is http evidence, not an SDK call"
    );
    assert_eq!(
        call_fields(&r, "slack"),
        vec!["user.content.private src/alerts.ts:4".to_string()]
    );
}

/// The user a Sentry scope is given is sent with each exception captured
/// after it (Laravel's exception handler). A capture before the user is
/// set sends none.
const HANDLER_PHP: &str = r#"<?php

namespace App\Exceptions;

use Sentry\Laravel\Integration;
use Sentry\State\Scope;

class Handler extends ExceptionHandler
{
    public function register(): void
    {
        $this->reportable(function (Throwable $e) {
            if ($e instanceof BootError) {
                Integration::captureUnhandledException($e);
                return;
            }
            app('sentry')->configureScope(
                function (Scope $scope) {
                    $email = auth()->user()?->email;
                    $scope->setUser(['email' => $email]);
                }
            );
            Integration::captureUnhandledException($e);
        });
    }
}
"#;

#[test]
fn the_user_set_on_a_sentry_scope_goes_with_the_exceptions_captured_after_it() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "composer.json",
        r#"{"require": {"laravel/framework": "^11.0", "sentry/sentry-laravel": "^4.0"}}"#,
    );
    write(root, "app/Exceptions/Handler.php", HANDLER_PHP);
    let r = run(root);
    assert_eq!(
        call_fields(&r, "sentry"),
        vec![
            "user.contact.email app/Exceptions/Handler.php:20".to_string(),
            "user.contact.email app/Exceptions/Handler.php:23".to_string(),
        ]
    );
}

/// A Go package that holds several services' clients
/// (`github.com/go-pkgz/notify`) names the vendor by the type a file uses:
/// its `Telegram` embedded in a struct, its `Slack` in a field. The
/// struct's methods reach them through their receiver. The traps: the
/// package's e-mail client and its helpers named after Telegram
/// (`TelegramSupportedHTML`) are no Telegram client.
const NOTIFY_TELEGRAM_GO: &str = r#"package notify

import (
	"context"

	ntf "github.com/go-pkgz/notify"
)

type Telegram struct {
	*ntf.Telegram
	AdminChannelID string
}

func NewTelegram(token string) (*Telegram, error) {
	client, err := ntf.NewTelegram(ntf.TelegramParams{Token: token})
	if err != nil {
		return nil, err
	}
	return &Telegram{Telegram: client}, nil
}

func (t *Telegram) Send(ctx context.Context, text string) error {
	return t.Telegram.Send(ctx, "telegram:"+t.AdminChannelID, text)
}
"#;

const NOTIFY_SLACK_GO: &str = r#"package notify

import (
	"context"

	ntf "github.com/go-pkgz/notify"
)

type Slack struct {
	client  *ntf.Slack
	channel string
}

func (s *Slack) Send(ctx context.Context, text string) error {
	return s.client.Send(ctx, "slack:"+s.channel, text)
}
"#;

const NOTIFY_EMAIL_GO: &str = r#"package notify

import (
	"context"

	ntf "github.com/go-pkgz/notify"
)

type Email struct {
	*ntf.Email
}

func (e *Email) Send(ctx context.Context, to, text string) error {
	return e.Email.Send(ctx, "mailto:"+to, ntf.TelegramSupportedHTML(text))
}
"#;

#[test]
fn a_package_of_several_services_names_the_vendor_by_the_type_used() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "go.mod",
        "module example.com/comments\n\ngo 1.22\n\nrequire github.com/go-pkgz/notify v1.2.0\n",
    );
    write(root, "notify/telegram.go", NOTIFY_TELEGRAM_GO);
    write(root, "notify/slack.go", NOTIFY_SLACK_GO);
    write(root, "notify/email.go", NOTIFY_EMAIL_GO);
    let r = run(root);
    assert_eq!(
        evidence(&r, "telegram"),
        [
            "call notify/telegram.go:23 production",
            "import notify/telegram.go:15 production",
        ]
    );
    assert_eq!(
        evidence(&r, "slack"),
        [
            "call notify/slack.go:15 production",
            "import notify/slack.go:6 production",
        ]
    );
}
