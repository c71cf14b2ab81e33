//! Mail sent from TypeScript. Classes that implement an interface: an application that
//! speaks to several mail providers keeps one class per provider behind
//! one interface, and its code calls the interface (`mailer.sendHtml(...)`
//! where `mailer` is a `Mailer`). A class's method around an imported
//! wrapper of a vendor is a wrapper itself, and a call through a receiver
//! declared of the interface, or named after it (also as a member of
//! another object, `request.mailer`), reaches each class that
//! implements it. A class that implements another interface, and a method
//! of the same name on a receiver of another type, are not reached.

use crate::scan_support;

use scan_support::*;

const PACKAGE: &str = r#"{
  "name": "mail-app",
  "dependencies": { "@sendgrid/mail": "^8.1.0" }
}
"#;

/// The vendor's wrapper: a free function that sends what it is given.
const SEND: &str = r#"import sgMail from "@sendgrid/mail";

export async function sendHtmlMail(body: { to: string; subject: string; html: string }) {
  await sgMail.send({
    to: body.to,
    from: "noreply@example.com",
    subject: body.subject,
    html: body.html,
  });
}
"#;

const TYPES: &str = r#"export interface Mailer {
  sendHtml(body: { to: string; subject: string; html: string }): Promise<void>;
}

export interface Archive {
  sendHtml(body: { to: string; subject: string; html: string }): Promise<void>;
}
"#;

/// The class that implements the interface, around the imported wrapper.
const SENDGRID_MAILER: &str = r#"import type { Mailer } from "./types";
import { sendHtmlMail } from "./send";

export class SendgridMailer implements Mailer {
  constructor(private readonly region: string) {}

  async sendHtml(body: { to: string; subject: string; html: string }) {
    await sendHtmlMail(body);
  }
}
"#;

/// A class of another interface with a method of the same name: it sends
/// nothing to the vendor.
const DISK_ARCHIVE: &str = r#"import type { Archive } from "./types";
import { writeFile } from "node:fs/promises";

export class DiskArchive implements Archive {
  async sendHtml(body: { to: string; subject: string; html: string }) {
    await writeFile(`/tmp/${body.subject}.html`, body.html);
  }
}
"#;

/// Callers: through a receiver named after the interface (made by a
/// factory), through a parameter declared of it, and through one of the
/// other interface.
const CALLERS: &str = r#"import type { Archive, Mailer } from "./types";
import { createMailer } from "./factory";

export async function notifyOwner(ownerEmail: string, report: string) {
  const mailer = await createMailer("eu");
  await mailer.sendHtml({
    to: ownerEmail,
    subject: "Your weekly report",
    html: report,
  });
}

export async function remind(client: Mailer, userEmail: string, note: string) {
  await client.sendHtml({ to: userEmail, subject: "Reminder", html: note });
}

export async function keep(archive: Archive, userEmail: string, note: string) {
  await archive.sendHtml({ to: userEmail, subject: "Kept", html: note });
}

export async function route(request: Ctx, userEmail: string, note: string) {
  await request.mailer.sendHtml({ to: userEmail, subject: "Routed", html: note });
  await request.archive.sendHtml({ to: userEmail, subject: "Kept", html: note });
}
"#;

const FACTORY: &str = r#"import type { Mailer } from "./types";
import { SendgridMailer } from "./sendgrid-mailer";

export async function createMailer(region: string): Promise<Mailer> {
  return new SendgridMailer(region);
}
"#;

#[test]
fn calls_through_an_interface_reach_the_class_that_sends() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "package.json", PACKAGE);
    write(root, "src/mail/send.ts", SEND);
    write(root, "src/mail/types.ts", TYPES);
    write(root, "src/mail/sendgrid-mailer.ts", SENDGRID_MAILER);
    write(root, "src/mail/disk-archive.ts", DISK_ARCHIVE);
    write(root, "src/mail/factory.ts", FACTORY);
    write(root, "src/mail/callers.ts", CALLERS);
    let r = run(root);
    let calls = calls(&r, "sendgrid");
    // The class's method is a call site of the wrapper; the interface's
    // callers are call sites of the class's method; the other
    // interface's caller is not.
    for at in [
        "src/mail/sendgrid-mailer.ts:8 production",
        "src/mail/callers.ts:6 production",
        "src/mail/callers.ts:14 production",
        // A member named after the interface (`request.mailer`, a
        // middleware's context).
        "src/mail/callers.ts:22 production",
    ] {
        assert!(calls.contains(&at.to_string()), "{at}: {calls:?}");
    }
    for other in ["src/mail/callers.ts:18", "src/mail/callers.ts:23"] {
        assert!(
            !calls.iter().any(|c| c.starts_with(other)),
            "a receiver of another interface: {calls:?}"
        );
    }
    assert!(
        !calls
            .iter()
            .any(|c| c.starts_with("src/mail/disk-archive.ts")),
        "{calls:?}"
    );
    let fields = call_fields(&r, "sendgrid");
    for want in [
        "user.contact.email src/mail/callers.ts:7",
        "user.contact.email src/mail/callers.ts:14",
    ] {
        assert!(fields.contains(&want.to_string()), "{want}: {fields:?}");
    }
    assert!(
        !fields.iter().any(|f| f.ends_with("src/mail/callers.ts:18")),
        "{fields:?}"
    );
    // The evidence names the chain, with the class's method's place.
    let text = call_text(&r, "sendgrid", "src/mail/callers.ts", 6);
    assert!(text.contains("sendHtml"), "{text}");
    assert!(text.contains("sendHtmlMail"), "{text}");
}

/// A message composed by a helper from the person's data, then sent whole
/// (`requestBody: { raw }`), sends that data; a value another call gives
/// back (a profile looked up by the email) does not, and each call sends
/// the message composed nearest above it in its own function.
const GMAIL_SEND: &str = r#"import { google } from "googleapis";
import { buildMailMessage } from "./mime";
import { lookupProfile } from "./profiles";

const gmail = google.gmail({ version: "v1" });

export async function sendWelcome(user: { email: string; name: string }, note: string) {
  const raw = await buildMailMessage({
    to: user.email,
    subject: "Welcome",
    messageText: note,
  });
  await gmail.users.messages.send({ userId: "me", requestBody: { raw } });
}

export async function sendDigest(user: { email: string }) {
  const raw = await lookupProfile({ email: user.email });
  await gmail.users.messages.send({ userId: "me", requestBody: { raw } });
}
"#;

#[test]
fn a_composed_message_sends_what_it_was_made_of() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "package.json",
        r#"{ "dependencies": { "googleapis": "^140.0.0" } }"#,
    );
    write(root, "src/mail/welcome.ts", GMAIL_SEND);
    let r = run(root);
    let fields = call_fields(&r, "gmail-api");
    for want in [
        "user.contact.email src/mail/welcome.ts:13",
        "user.content.private src/mail/welcome.ts:13",
    ] {
        assert!(fields.contains(&want.to_string()), "{want}: {fields:?}");
    }
    assert!(
        !fields.iter().any(|f| f.ends_with("src/mail/welcome.ts:18")),
        "a looked-up value is not a composed message: {fields:?}"
    );
    let named = r
        .integrations
        .iter()
        .filter(|i| i.vendor == "gmail-api")
        .flat_map(|i| i.fields.iter())
        .any(|f| f.line == 13 && f.name == "raw.to (built at line 9)");
    assert!(named, "the field names where the message was built");
}

const TRACKING: &str = r#"import { PostHog } from "posthog-node";

const posthog = new PostHog(process.env.POSTHOG_KEY ?? "");

export function trackArchive(ownerEmail: string, threadId: string) {
  posthog.capture({ distinctId: ownerEmail, event: "archive", properties: { threadId } });
}

export function trackTrash(ownerEmail: string, threadId: string) {
  posthog.capture({ distinctId: ownerEmail, event: "trash", properties: { threadId } });
}
"#;

/// A local chosen between two wrappers is called as either; a parameter
/// of the same name elsewhere is not one of them.
const BULK: &str = r#"import { trackArchive, trackTrash } from "./tracking";

export async function recordBulk(ownerEmail: string, ids: string[], archive: boolean) {
  const track = archive ? trackArchive : trackTrash;
  for (const id of ids) {
    track(ownerEmail, id);
  }
}

export function replay(track: (who: string, id: string) => void, ownerEmail: string) {
  track(ownerEmail, "last");
}

export async function archiveAll(ownerEmail: string, ids: string[]) {
  await recordBulk(ownerEmail, ids, true);
}
"#;

#[test]
fn a_function_chosen_by_a_condition_is_called_as_each_choice() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "package.json",
        r#"{ "dependencies": { "posthog-node": "^4.0.0" } }"#,
    );
    write(root, "src/tracking.ts", TRACKING);
    write(root, "src/bulk.ts", BULK);
    let r = run(root);
    let fields = call_fields(&r, "posthog");
    // The call of the chosen local, and the call of the function around
    // it (its caller passes the email on).
    for want in [
        "user.contact.email src/bulk.ts:6",
        "user.contact.email src/bulk.ts:15",
    ] {
        assert!(fields.contains(&want.to_string()), "{want}: {fields:?}");
    }
    assert!(
        !fields.iter().any(|f| f.ends_with("src/bulk.ts:11")),
        "a parameter named like the local is not it: {fields:?}"
    );
}
