//! First-party functions and methods around a plain HTTP request to a
//! vendor's API: an API client class whose `send` posts to the vendor is
//! called by the class's other methods (`self.send(...)`) and by other
//! files through the class (`Telegram.send(...)`) or an instance; what
//! those calls pass in the forwarded places reaches the vendor.

use crate::scan_support;

use scan_support::*;

/// A notification transport, as Django projects write them: the request
/// is built in a class method, the message composed in `notify`.
const TRANSPORT: &str = r#"from django.conf import settings

from hc.lib import curl


class Telegram(HttpTransport):
    SM = f"https://api.telegram.org/bot{settings.TELEGRAM_TOKEN}/sendMessage"

    @classmethod
    def send(cls, chat_id: int, text: str) -> None:
        payload = {
            "chat_id": chat_id,
            "text": text,
            "parse_mode": "html",
        }
        cls.post(cls.SM, json=payload)

    def notify(self, flip, notification) -> None:
        text = self.tmpl("telegram_message.html", flip=flip)
        self.send(self.channel.telegram_id, text)

    def describe(self) -> str:
        # Not a request: a first-party `send` of another object.
        self.mailer.send(self.channel.email, "described")
        return "Telegram"
"#;

const VIEWS: &str = r#"from hc.integrations.telegram.transport import Telegram


def bot(request):
    doc = parse(request.body)
    message = doc.message.text
    Telegram.send(doc.message.chat.id, message)


def other(request):
    # A different class's `send`: not the Telegram transport.
    Mailer.send(request.user.email, "hello")
"#;

/// A TypeScript API client: `request` serialises whatever body its
/// callers give. `createContact` passes its parameter on, so its own
/// callers are the call sites; `ping` sends nothing of a person's.
const CLIENT: &str = r#"export class CrmClient {
  private async request(path: string, { method, body }: { method: string; body?: unknown }) {
    const response = await fetch(`https://api.hubapi.com${path}`, {
      method,
      headers: { Authorization: `Bearer ${process.env.HUBSPOT_TOKEN}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return response.json();
  }

  async createContact(user: { email: string }) {
    const properties = { plan: "free" };
    return this.request("/crm/v3/objects/contacts", {
      method: "POST",
      body: { email: user.email, properties },
    });
  }

  async ping() {
    return this.request("/health", { method: "GET" });
  }
}
"#;

const SIGNUP: &str = r#"import { CrmClient } from "../lib/crm/client";

const crm = new CrmClient();

export async function signup(user: User) {
  await crm.createContact({ email: user.email });
}
"#;

#[test]
fn a_method_around_a_request_is_a_wrapper_called_through_self_and_its_class() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "hc/integrations/telegram/transport.py", TRANSPORT);
    write(root, "hc/integrations/telegram/views.py", VIEWS);
    let r = run(root);
    let ev = evidence(&r, "telegram");
    // The class's own call of its request method, with the message the
    // caller composed, and another file's call through the class.
    for at in [
        "hc/integrations/telegram/transport.py:20",
        "hc/integrations/telegram/views.py:7",
    ] {
        assert!(ev.iter().any(|e| e.contains(at)), "{at}: {ev:?}");
    }
    let fields = call_fields(&r, "telegram");
    for f in [
        "user.content.private hc/integrations/telegram/transport.py:20",
        "user.content.private hc/integrations/telegram/views.py:7",
    ] {
        assert!(fields.contains(&f.to_string()), "{f}: {fields:?}");
    }
    // Another object's `send` (a mailer, another class) is not the
    // transport's.
    assert!(
        ev.iter()
            .all(|e| !e.contains("transport.py:24") && !e.contains("views.py:12")),
        "{ev:?}"
    );
}

#[test]
fn a_serialised_body_is_forwarded_to_the_request() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "src/lib/crm/client.ts", CLIENT);
    write(root, "src/app/signup.ts", SIGNUP);
    let r = run(root);
    let fields = call_fields(&r, "hubspot");
    assert!(
        fields.contains(&"user.contact.email src/app/signup.ts:6".to_string()),
        "{fields:?}"
    );
    // The API token in the request's headers is how it is sent, the
    // health check passes nothing of a person's, and `createContact`'s own
    // call passes on what its callers give (reported there, once).
    assert_eq!(fields.len(), 1, "{fields:?}");
}

/// A lookup by email through a vendor's REST API: the email rides in the
/// URL's query, set on a URL object; the helper is called through another
/// function of its module and, from elsewhere, with the person's email.
const PERSONS: &str = r#"import { env } from "@/env";

async function getPersonId(options: { email: string }) {
  const url = new URL(`https://app.posthog.com/api/projects/${env.POSTHOG_PROJECT_ID}/persons/`);
  url.searchParams.set("distinct_id", options.email);
  const res = await fetch(url.toString(), {
    headers: { Authorization: `Bearer ${env.POSTHOG_API_SECRET}` },
  });
  return res.json();
}

export async function deletePerson(options: { email: string }) {
  const id = await getPersonId(options);
  return id;
}

export async function countPersons(projectId: string) {
  const res = await fetch(`https://app.posthog.com/api/projects/${projectId}/persons/count`);
  return res.json();
}
"#;

const DELETE: &str = r#"import { deletePerson, countPersons } from "@/lib/posthog-admin";

export async function deleteUser(user: User) {
  await deletePerson({ email: user.email });
  await countPersons(user.projectId);
}
"#;

#[test]
fn a_parameter_sent_in_a_request_url_query_is_forwarded() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "src/lib/posthog-admin.ts", PERSONS);
    write(root, "src/app/delete.ts", DELETE);
    let r = run(root);
    let fields = call_fields(&r, "posthog");
    assert!(
        fields.contains(&"user.contact.email src/app/delete.ts:4".to_string()),
        "{fields:?}"
    );
    // An id in the URL's path names the vendor's own object.
    assert!(
        fields.iter().all(|f| !f.contains("delete.ts:5")),
        "{fields:?}"
    );
}

/// A Laravel service around a cloud provider's REST API: a private
/// `request` sends whatever array its callers give (PHP parameters are
/// `$data` in the body and `data` in the signature), `createServer` passes
/// its own on, and a Livewire component calls it through a parameter typed
/// with the service.
const CLOUD_SERVICE: &str = r#"<?php

namespace App\Services;

use Illuminate\Support\Facades\Http;

class HetznerService
{
    private string $baseUrl = 'https://api.hetzner.cloud/v1';

    public function __construct(private string $token) {}

    private function request(string $method, string $endpoint, array $data = [])
    {
        $response = Http::withHeaders(['Authorization' => 'Bearer '.$this->token])
            ->timeout(30)
            ->{$method}($this->baseUrl.$endpoint, $data);

        return $response->json();
    }

    public function getLocations(): array
    {
        return $this->request('get', '/locations')['locations'] ?? [];
    }

    public function createServer(array $params): array
    {
        return $this->request('post', '/servers', $params)['server'] ?? [];
    }
}
"#;

const CLOUD_COMPONENT: &str = r#"<?php

namespace App\Livewire\Server;

use App\Services\HetznerService;

class ByHetzner
{
    private function createHetznerServer(HetznerService $hetznerService, $user): array
    {
        $params = [
            'name' => $this->normalizedServerName,
            'image' => $this->selected_image,
        ];
        $params['labels'] = ['owner' => $user->email];

        return $hetznerService->createServer($params);
    }
}
"#;

#[test]
fn a_php_service_around_a_request_is_called_through_a_typed_parameter() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "app/Services/HetznerService.php", CLOUD_SERVICE);
    write(root, "app/Livewire/Server/ByHetzner.php", CLOUD_COMPONENT);
    let r = run(root);
    let ev = evidence(&r, "hetzner");
    assert!(
        ev.iter()
            .any(|e| e.contains("app/Livewire/Server/ByHetzner.php:17")),
        "{ev:?}"
    );
    // The owner's email added to the array before the call is sent; the
    // server's name is the server's, not a person's.
    assert_eq!(
        call_fields(&r, "hetzner"),
        vec!["user.contact.email app/Livewire/Server/ByHetzner.php:17".to_string()]
    );
}

/// A Rails service object: the vendor's base URL is a constant of a model
/// in another file, the request sits in a private method that sends the
/// body it is given, and the public method calls it by name alone
/// (Ruby's implicit `self`) with a payload method's hash.
const PROVIDER_RB: &str = r#"module PaymentProviders
  class CashfreeProvider < BaseProvider
    BASE_URL = (Rails.env.production? ? "https://api.cashfree.com/pg/links" : "https://sandbox.cashfree.com/pg/links")
  end
end
"#;

const SERVICE_RB: &str = r#"module Invoices
  class CashfreeService < BaseService
    def generate_payment_url(invoice, payment_intent)
      @invoice = invoice
      response = create_payment_link(payment_url_params(payment_intent))
      JSON.parse(response.body)["link_url"]
    end

    private

    attr_reader :invoice

    def client
      @client ||= LagoHttpClient::Client.new(::PaymentProviders::CashfreeProvider::BASE_URL)
    end

    def create_payment_link(body)
      client.post_with_response(body, { "x-client-id" => provider.client_id })
    end

    def payment_url_params(payment_intent)
      {
        customer_details: {
          customer_email: customer.email,
          customer_name: customer.name
        },
        link_purpose: invoice.id,
        link_expiry_time: payment_intent.expires_at.iso8601
      }
    end
  end
end
"#;

#[test]
fn a_ruby_method_around_a_request_to_another_files_url_is_called_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "app/models/payment_providers/cashfree_provider.rb",
        PROVIDER_RB,
    );
    write(
        root,
        "app/services/invoices/cashfree_service.rb",
        SERVICE_RB,
    );
    let r = run(root);
    // Reported at the call that passes the payload; `invoice.id` in the
    // payload method is the reader's invoice, so `generate_payment_url` is
    // no wrapper of its own and its call is the call site.
    assert_eq!(
        call_fields(&r, "cashfree"),
        vec![
            "user.contact.email app/services/invoices/cashfree_service.rb:5".to_string(),
            "user.name app/services/invoices/cashfree_service.rb:5".to_string(),
        ]
    );
}

/// A bot API helper as Next.js apps write it: the body is sent only when
/// given (`...(body ? { body } : {})`). Its callers configure the bot with
/// form bodies whose keys are all written out (no person's data), and one
/// sends a chat message.
const BOT_API_TS: &str = r#"export async function callBotApi<T>({
  botToken,
  apiMethod,
  body,
}: {
  botToken: string;
  apiMethod: string;
  body?: BodyInit;
}): Promise<T> {
  const response = await fetch(
    `https://api.telegram.org/bot${botToken}/${apiMethod}`,
    {
      method: "POST",
      ...(body ? { body } : {}),
      cache: "no-store",
    },
  );
  return (await response.json()) as T;
}
"#;

const BOT_SETUP_TS: &str = r#"import { callBotApi } from "@/lib/telegram/api";

export async function setCommands(botToken: string) {
  await callBotApi({
    botToken,
    apiMethod: "setMyCommands",
    body: new URLSearchParams({ commands: JSON.stringify(COMMANDS) }),
  });
}

export async function notify(botToken: string, chatId: string, rule: Rule, email: Email) {
  await callBotApi<unknown>({
    botToken,
    apiMethod: "sendMessage",
    body: new URLSearchParams({ chat_id: chatId, text: email.snippet }),
  });
}
"#;

#[test]
fn a_request_body_written_out_is_read_by_its_keys_not_by_its_name() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "package.json",
        r#"{"dependencies":{"next":"15.0.0"}}"#,
    );
    write(root, "lib/telegram/api.ts", BOT_API_TS);
    write(root, "lib/telegram/setup.ts", BOT_SETUP_TS);
    let r = run(root);
    // The helper's own request sends what its callers give it as a
    // message (reported there too, as any wrapper's call is); of its
    // callers, the one that writes a message.
    assert_eq!(
        call_fields(&r, "telegram"),
        vec![
            "user.content.private lib/telegram/api.ts:14".to_string(),
            "user.content.private lib/telegram/setup.ts:15".to_string(),
        ]
    );
}

/// A webhook transport whose payload is built by another method: the
/// request's `json=` holds nothing the scan can read, and what a messenger
/// is posted is a message. An OAuth exchange with the same vendor writes
/// its form out whole: its keys say what it is (an app credential and a
/// one-time code), no message.
const DISCORD_PY: &str = r#"from django.conf import settings

from hc.lib import curl


class Discord:
    def notify(self, flip):
        prepared_payload = self.payload(flip)
        curl.post("https://discord.com/api/webhooks/" + self.channel.value, json=prepared_payload)

    def exchange(self, code):
        curl.post(
            "https://discord.com/api/oauth2/token",
            data={"client_id": settings.DISCORD_CLIENT_ID, "code": code},
        )
"#;

#[test]
fn an_opaque_body_posted_to_a_messenger_is_a_message() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "requirements.txt", "Django==5.0\n");
    write(root, "hc/integrations/discord/transport.py", DISCORD_PY);
    let r = run(root);
    assert_eq!(
        call_fields(&r, "discord-api"),
        vec!["user.content.private hc/integrations/discord/transport.py:9".to_string()]
    );
}

/// A card posted to a Google Chat space: the body is written out, and
/// what people wrote is in its widgets, not under a key named for text.
/// The card's settings and a literal list of widgets are not a message.
const GOOGLE_CHAT_PY: &str = r#"from hc.lib import curl


class GoogleChat:
    def notify(self, flip):
        rows = [{"decoratedText": {"topLabel": "Name", "text": flip.owner.name_then_code()}}]
        payload = {
            "cardsV2": [
                {
                    "card": {
                        "sections": {
                            "collapsible": True,
                            "widgets": rows,
                        }
                    }
                }
            ]
        }
        curl.post("https://chat.googleapis.com/v1/spaces/" + self.channel.value, json=payload)

    def ping(self):
        card = {"cardsV2": [{"card": {"sections": {"widgets": []}}}]}
        curl.post("https://chat.googleapis.com/v1/spaces/" + self.channel.value, json=card)
"#;

#[test]
fn the_widgets_of_a_card_posted_to_a_messenger_are_a_message() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "requirements.txt", "Django==5.0\n");
    write(
        root,
        "hc/integrations/googlechat/transport.py",
        GOOGLE_CHAT_PY,
    );
    let r = run(root);
    assert_eq!(
        call_fields(&r, "google-chat"),
        vec!["user.content.private hc/integrations/googlechat/transport.py:19".to_string()]
    );
}

/// Laravel jobs named for the service they deliver to, posting to a
/// webhook URL a user typed in: the name says which vendor, and the body
/// is the argument after the URL.
const DISCORD_JOB: &str = r#"<?php

namespace App\Jobs;

use Illuminate\Support\Facades\Http;

class SendMessageToDiscordJob
{
    public function __construct(public DiscordMessage $message, public string $webhookUrl)
    {
    }

    public function handle(): void
    {
        Http::timeout(10)->post($this->webhookUrl, $this->message->toPayload());
    }
}
"#;

/// The Slack job also speaks Mattermost's dialect, in a method named for
/// it: that request is not Slack's.
const SLACK_JOB: &str = r#"<?php

namespace App\Jobs;

use Illuminate\Support\Facades\Http;

class SendMessageToSlackJob
{
    public function __construct(public SlackMessage $message, public string $webhookUrl)
    {
    }

    public function handle(): void
    {
        if (str($this->webhookUrl)->contains('mattermost')) {
            $this->sendToMattermost();
            return;
        }
        $this->sendToSlack();
    }

    private function sendToSlack(): void
    {
        Http::post($this->webhookUrl, ['text' => $this->message->description]);
    }

    private function sendToMattermost(): void
    {
        Http::post($this->webhookUrl, ['text' => $this->message->description]);
    }
}
"#;

/// Named for the vendor but not for sending to it.
const ROLES_JOB: &str = r#"<?php

namespace App\Jobs;

use Illuminate\Support\Facades\Http;

class SyncDiscordRolesJob
{
    public function handle(string $url, array $roles): void
    {
        Http::post($url, $roles);
    }
}
"#;

#[test]
fn a_job_named_for_sending_to_a_vendor_posts_to_it() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "composer.json",
        r#"{ "require": { "laravel/framework": "^11.0" } }"#,
    );
    write(root, "app/Jobs/SendMessageToDiscordJob.php", DISCORD_JOB);
    write(root, "app/Jobs/SendMessageToSlackJob.php", SLACK_JOB);
    write(root, "app/Jobs/SyncDiscordRolesJob.php", ROLES_JOB);
    let r = run(root);
    assert_eq!(
        call_fields(&r, "discord-api"),
        vec!["user.content.private app/Jobs/SendMessageToDiscordJob.php:15".to_string()]
    );
    assert_eq!(
        call_fields(&r, "slack"),
        vec!["user.content.private app/Jobs/SendMessageToSlackJob.php:24".to_string()]
    );
}

/// A business's VAT number checked against public registries: a URL
/// formatted with `%` into a local a few lines up, a SOAP operation
/// through a client made with the registry's WSDL URL, and a SOAP envelope
/// formatted with `%` from a three-quoted template. The traps: a
/// remainder is no format, the vendor's own object id in a path tells it
/// nothing new, and a `service` attribute of an object that is no client
/// is not a SOAP call.
const REGISTRIES_PY: &str = r#"import requests
from zeep import Client


def check_no(vat_id):
    organization_number = vat_id[2:].replace("MVA", "")
    validation_url = "https://data.brreg.no/enhetsregisteret/api/enheter/%s" % organization_number
    response = requests.get(validation_url, timeout=10)
    return response.status_code == 200


def check_ch(vat_id):
    client = Client("https://www.uid-wse.admin.ch/V5.0/PublicServices.svc?wsdl")
    return client.service.ValidateUID(uid=vat_id)


def page_of(total, batch_size, unit_id):
    pages = total % batch_size
    url = "https://data.brreg.no/enhetsregisteret/api/enheter/%s" % unit_id
    requests.get(url, params={"page": pages})


def restart(worker, vat_id):
    worker.service.Restart(vat_id)


def check_eu(vat_id):
    number = vat_id[2:]
    payload = """
        <checkVat>
            <countryCode>%s</countryCode>
            <vatNumber>%s</vatNumber>
        </checkVat>
    """.strip() % (vat_id[:2], number)
    return requests.post(
        "https://ec.europa.eu/taxation_customs/vies/services/checkVatService",
        data=payload,
        timeout=10,
    )
"#;

#[test]
fn a_vat_number_sent_in_a_url_formatted_above_or_through_a_soap_operation() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "requirements.txt", "requests==2.32\nzeep==4.3\n");
    write(root, "tax/registries.py", REGISTRIES_PY);
    let r = run(root);
    assert_eq!(
        call_fields(&r, "brreg"),
        vec!["user.unique_id.organization tax/registries.py:8".to_string()]
    );
    assert_eq!(
        call_fields(&r, "ch-uid-register"),
        vec!["user.unique_id.organization tax/registries.py:14".to_string()]
    );
    // A SOAP envelope written as a template and filled with `%`.
    assert_eq!(
        call_fields(&r, "eu-vies"),
        vec!["user.unique_id.organization tax/registries.py:35".to_string()]
    );
}
