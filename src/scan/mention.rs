//! Mentions: a vendor's host or key that appears where nothing is sent to
//! the vendor. A link a person clicks (`href`, a share link, `mailto:`), a
//! Content-Security-Policy or allow-list entry, a string in a locale file, a
//! JSON-Schema `$schema` URL, a form field's placeholder
//! (`placeholder="smtp.mailgun.org"`), an environment key listed in a build tool's
//! pass-through (`turbo.json`), a host in a Firebase project's client config
//! (`google-services.json`), a driver in Laravel's skeleton `config/*.php`. Such evidence keeps its place in the output
//! (kind and scope `mention`) but never, alone, makes an integration.
//!
//! Decided from the evidence line and, for a CSP written as a list over
//! several lines, the few lines above it. The rules are lexical on purpose:
//! they run on every endpoint, script and config finding and must stay
//! cheap; a real request and a link on the same line is rare enough that
//! the link wins.

use super::lines::LineIndex;

/// How many lines above an entry a CSP directive may sit
/// (`connectSrc: [` then one host per line).
const CSP_LOOKBACK: u32 = 12;

/// How many lines above a `hostname:` entry `remotePatterns` may open.
const REMOTE_PATTERNS_LOOKBACK: u32 = 60;

/// Files whose every vendor host or key is a mention, by path (relative,
/// `/` separators).
pub fn file_is_mention(rel: &str) -> bool {
    let lower = rel.to_ascii_lowercase();
    let (dirs, file) = match lower.rsplit_once('/') {
        Some((d, f)) => (d, f),
        None => ("", lower.as_str()),
    };
    let ext = file.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    if matches!(
        ext,
        "po" | "pot" | "xliff" | "xlf" | "strings" | "stringsdict" | "arb" | "resx" | "ftl"
    ) {
        return true;
    }
    if matches!(file, "turbo.json" | "turbo.jsonc") {
        return true;
    }
    // Laravel's skeleton config files list every driver the framework
    // supports (Mailgun, Postmark, SES, Pusher, DynamoDB ...) with the keys
    // it would read: present in every Laravel app, used or not.
    if let Some(("config", name)) = lower.split_once('/')
        && matches!(
            name,
            "services.php"
                | "mail.php"
                | "cache.php"
                | "filesystems.php"
                | "queue.php"
                | "broadcasting.php"
                | "logging.php"
                | "database.php"
                | "session.php"
        )
    {
        return true;
    }
    // A Firebase project's client config lists the hosts of every Firebase
    // product of the project (Realtime Database, Storage), used or not; the
    // SDKs in the manifest say which products the app uses.
    if matches!(file, "google-services.json" | "googleservice-info.plist") {
        return true;
    }
    // Rails' `content_security_policy.rb`, `csp.ts`, `csp.config.js`.
    let stem = file.split('.').next().unwrap_or("");
    if stem == "csp"
        || stem.contains("content_security_policy")
        || stem.contains("content-security-policy")
    {
        return true;
    }
    let locale_dir = dirs.split('/').any(|d| {
        matches!(
            d,
            "locales" | "locale" | "i18n" | "l10n" | "lang" | "langs" | "translations" | "messages"
        )
    });
    let data = matches!(
        ext,
        "json" | "yml" | "yaml" | "po" | "properties" | "toml" | "php"
    );
    if locale_dir && data {
        return true;
    }
    // Android: `res/values-fr/strings.xml`.
    dirs.split('/')
        .any(|d| d == "values" || d.starts_with("values-"))
        && matches!(file, "strings.xml" | "plurals.xml")
}

/// True when the finding on `line` is a mention: the line is a link, a share
/// link, a `mailto:`, a `$schema`, or an entry of a CSP (on the line or in
/// a list opened a few lines above).
pub fn line_is_mention(lines: &LineIndex<'_>, line: u32) -> bool {
    let text = lines.text_of(line);
    let lower = text.to_ascii_lowercase();
    if is_link(&lower) || is_csp(&lower) || is_placeholder(&lower) {
        return true;
    }
    // A `hostname:` entry of Next.js `images.remotePatterns`, whose list of
    // objects can run long.
    if lower.trim_start().starts_with("hostname") {
        let first = line.saturating_sub(REMOTE_PATTERNS_LOOKBACK).max(1);
        if (first..line).any(|n| {
            lines
                .text_of(n)
                .to_ascii_lowercase()
                .contains("remotepatterns")
        }) {
            return true;
        }
    }
    // An entry of a list: a CSP directive above it, with no line in
    // between that closes the list.
    let first = line.saturating_sub(CSP_LOOKBACK).max(1);
    for n in (first..line).rev() {
        let above = lines.text_of(n).to_ascii_lowercase();
        if is_csp(&above) {
            return true;
        }
        let t = above.trim_end();
        if t.ends_with(']')
            || t.ends_with("],")
            || t.ends_with(';')
            || t.ends_with(')')
            || t.ends_with("end")
        {
            return false;
        }
    }
    false
}

/// A URL compared with a value, not one the code calls or configures:
/// `if s.API != "https://api.telegram.org/bot"` (a deprecated flag's
/// default), `url.startsWith("https://hooks.slack.com/")` (a check of what
/// a person typed).
pub fn compares_url(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    const OPS: &[&str] = &[
        "== \"https://",
        "!= \"https://",
        "== 'https://",
        "!= 'https://",
        "== \"http://",
        "!= \"http://",
        "== 'http://",
        "!= 'http://",
    ];
    const TESTS: &[&str] = &[
        "startswith(",
        "start_with?(",
        "hasprefix(",
        "endswith(",
        "end_with?(",
        "hassuffix(",
    ];
    OPS.iter().any(|o| lower.contains(o))
        || TESTS.iter().any(|&t| {
            lower
                .split(t)
                .skip(1)
                .any(|after| after.trim_start().starts_with(['"', '\'']) || after.contains(", \""))
        })
}

fn is_link(lower: &str) -> bool {
    const LINK: &[&str] = &[
        "href=",
        "href =",
        "href:",
        ":href",
        "mailto:",
        "link_to ",
        "link_to(",
        "\"$schema\"",
        "'$schema'",
        "$schema:",
        // Share links: a person clicks them, the page sends nothing.
        "sharer.php",
        "sharer/sharer",
        "/share?",
        "/sharing/share-offsite",
        "sharearticle",
        "intent/tweet",
        "intent/post",
        "/submit?url=",
        "pin/create",
        "wa.me/?text",
        "t.me/share",
        "api.whatsapp.com/send",
        "reddit.com/submit",
    ];
    LINK.iter().any(|p| lower.contains(p))
}

/// A form field's example value: `placeholder="smtp.mailgun.org"` (HTML,
/// Blade, JSX), `placeholder: "..."` (an options object), `'placeholder' =>`
/// (PHP). It shows the person what to type; nothing is sent to that host.
fn is_placeholder(lower: &str) -> bool {
    let mut rest = lower;
    while let Some(i) = rest.find("placeholder") {
        let after = rest[i + "placeholder".len()..].trim_start_matches(['"', '\'', ' ']);
        if after.starts_with('=') || after.starts_with(':') {
            return true;
        }
        rest = &rest[i + "placeholder".len()..];
    }
    false
}

/// A line whose URL is a whole picture or file on a storage or CDN host,
/// written out in full: `"https://ph-avatars.imgix.net/2743360/28744c72?w=120"`,
/// `<img src="https://res.cloudinary.com/acme/image/upload/v1/logo.png">`.
/// A page that shows someone's hotlinked avatar uses no API, SDK or account
/// of the CDN; the app's own use of it shows in its SDK, keys, or a base URL
/// it builds paths on (`https://acme.imgix.net`, `` `${CDN}/${path}` ``),
/// which stay evidence. Checked only for storage and CDN vendors' endpoint
/// evidence (the caller's part): a tracking pixel's `.gif` on an analytics
/// host is not a picture.
pub fn hotlinked_asset(line: &str) -> bool {
    let Some(start) = line.find("https://").or_else(|| line.find("http://")) else {
        return false;
    };
    // The first argument of a call (`fetch("https://...")`) is a request.
    let before = line[..start].trim_end_matches(['"', '\'', '`']).trim_end();
    if before.ends_with('(') {
        return false;
    }
    let url = &line[start..];
    let end = url
        .find(['"', '\'', '`', ' ', ')', '<', '>'])
        .unwrap_or(url.len());
    let url = &url[..end];
    if url.contains("${") || url.contains("#{") || url.contains("{{") || url.contains('%') {
        return false;
    }
    // The quote right after it closes the literal: no `+ path` concatenation.
    let after = line[start + end..]
        .trim_start_matches(['"', '\'', '`'])
        .trim_start();
    if after.starts_with('+') || after.starts_with('.') {
        return false;
    }
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or("");
    let path = rest.split_once('/').map(|(_, p)| p).unwrap_or("");
    let path = path.split(['?', '#']).next().unwrap_or("");
    let segments = path.split('/').filter(|s| !s.is_empty()).count();
    let last = path.rsplit('/').next().unwrap_or("").to_ascii_lowercase();
    let media = [
        ".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".avif", ".ico", ".mp4", ".webm", ".mp3",
        ".pdf", ".woff", ".woff2",
    ]
    .iter()
    .any(|e| last.ends_with(e));
    media || segments >= 2
}

fn is_csp(lower: &str) -> bool {
    const CSP: &[&str] = &[
        "content-security-policy",
        "content_security_policy",
        "contentsecuritypolicy",
        "script-src",
        "connect-src",
        "img-src",
        "frame-src",
        "style-src",
        "font-src",
        "media-src",
        "worker-src",
        "child-src",
        "default-src",
        "form-action",
        "frame-ancestors",
        "scriptsrc",
        "connectsrc",
        "imgsrc",
        "framesrc",
        "stylesrc",
        "fontsrc",
        "defaultsrc",
        "formaction",
        "script_src",
        "connect_src",
        "img_src",
        "frame_src",
        "style_src",
        "font_src",
        "default_src",
        "form_action",
        // Next.js `images.remotePatterns`: hosts the app may show images
        // from, an allow-list like a CSP's img-src.
        "remotepatterns",
    ];
    CSP.iter().any(|p| lower.contains(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(src: &str, line: u32) -> bool {
        line_is_mention(&LineIndex::new(src), line)
    }

    #[test]
    fn a_url_compared_with_a_value_is_no_endpoint() {
        for line in [
            r#"	if s.Notify.Telegram.API != "https://api.telegram.org/bot" {"#,
            "    if endpoint == 'https://www.linkedin.com/oauth/v2/accessToken':",
            r#"  if (url.startsWith("https://hooks.slack.com/")) {"#,
            r#"	if strings.HasPrefix(u, "https://api.telegram.org") {"#,
            "    return unless url.start_with?('https://hooks.slack.com')",
        ] {
            assert!(compares_url(line), "{line}");
        }
        // A host compared (the vendor a webhook goes to), a scheme
        // compared beside it, and a URL that is used are not.
        for line in [
            "        return $scheme === 'https' && $host === 'hooks.slack.com';",
            r#"  const res = await fetch("https://api.hubapi.com/crm/v3/objects/contacts", opts);"#,
            r#"  url = x == y ? "https://api.eu.opsgenie.com" : "https://api.opsgenie.com""#,
        ] {
            assert!(!compares_url(line), "{line}");
        }
    }

    #[test]
    fn links_share_links_schemas_and_csp_lines() {
        for line in [
            r#"<a href="https://stripe.com/docs">Stripe</a>"#,
            r#"<a class="x" :href="'https://www.facebook.com/sharer/sharer.php?u=' + url">"#,
            r#"const tweet = `https://twitter.com/intent/tweet?text=${t}`;"#,
            r#"  "$schema": "https://turbo.build/schema.json","#,
            r#"policy.connect_src :self, "https://api.mixpanel.com""#,
            r#"res.setHeader("Content-Security-Policy", "script-src https://js.stripe.com")"#,
            r#"<%= link_to "Intercom", "https://www.intercom.com" %>"#,
            r#"<x-forms.input id="smtpHost" placeholder="smtp.mailgun.org" label="Host" />"#,
            r#"<TextInput placeholder={"https://hooks.slack.com/services/..."} />"#,
            r#"    'placeholder' => 'https://api.pushover.net',"#,
        ] {
            assert!(at(line, 1), "{line}");
        }
        for line in [
            r#"fetch("https://api.mixpanel.com/track", { body })"#,
            r#"const stripe = new Stripe(process.env.STRIPE_KEY)"#,
            r#"<script src="https://js.stripe.com/v3/"></script>"#,
            r#"requests.post("https://api.hubapi.com/crm/v3/objects/contacts", json=data)"#,
            // Recognising a webhook URL the app then posts to is no mention
            // (an equality test is the same: `$host === 'hooks.slack.com'`).
            r#"if (!url.startsWith("https://hooks.slack.com/")) throw new Error("not Slack");"#,
            r#"return $scheme === 'https' && $host === 'hooks.slack.com';"#,
            r#"const placeholders = await fetch("https://api.mixpanel.com/track", body);"#,
        ] {
            assert!(!at(line, 1), "{line}");
        }
    }

    #[test]
    fn hotlinked_pictures_are_whole_literal_urls() {
        for line in [
            r#"      "https://ph-avatars.imgix.net/2743360/28744c72-2267?auto=compress&w=120","#,
            r#"<img src="https://res.cloudinary.com/acme/image/upload/v1/logo.png" alt="">"#,
            r#"const hero = 'https://cdn.example-cdn.net/hero.webp';"#,
        ] {
            assert!(hotlinked_asset(line), "{line}");
        }
        for line in [
            // A base URL the app builds paths on, a built path, an upload.
            r#"const IMGIX = "https://acme.imgix.net";"#,
            r#"const src = `https://acme.imgix.net/${photo.path}?w=${w}`;"#,
            r#"const url = "https://acme.imgix.net/users/" + user.id;"#,
            r#"IMGIX_DOMAIN = "https://acme.imgix.net/""#,
            r#"fetch("https://api.cloudinary.com/v1_1/acme")"#,
        ] {
            assert!(!hotlinked_asset(line), "{line}");
        }
    }

    #[test]
    fn next_image_remote_patterns_are_an_allow_list() {
        let long = format!(
            "images: {{\n  remotePatterns: [\n{}    {{\n      hostname: \"cdn.sanity.io\",\n    }},\n  ],\n}},\n",
            "    { protocol: \"https\", hostname: \"a.example.com\" },\n".repeat(20)
        );
        assert!(at(&long, 24));
        let src = "module.exports = {\n  images: {\n    remotePatterns: [\n      { protocol: \"https\", hostname: \"ph-avatars.imgix.net\" },\n      {\n        hostname: \"cdn.sanity.io\",\n      },\n    ],\n  },\n  rewrites: () => [{ source: \"/x\", destination: \"https://cdn.sanity.io\" }],\n};\n";
        assert!(at(src, 4));
        assert!(at(src, 6));
        assert!(!at(src, 10));
    }

    #[test]
    fn a_csp_list_over_several_lines() {
        let src = "const csp = {\n  connectSrc: [\n    \"'self'\",\n    \"https://api.mixpanel.com\",\n  ],\n};\nfetch(\"https://api.mixpanel.com/track\");\n";
        assert!(at(src, 4));
        // After the list closes, a request is a request.
        assert!(!at(src, 7));
    }

    #[test]
    fn mention_files() {
        for p in [
            "config/locales/en.yml",
            "public/locales/de/common.json",
            "app/src/main/res/values-fr/strings.xml",
            "ios/App/en.lproj/Localizable.strings",
            "turbo.json",
            "config/initializers/content_security_policy.rb",
            "locale/fr/LC_MESSAGES/django.po",
            "app/src/release/google-services.json",
            "ios/App/GoogleService-Info.plist",
            "config/services.php",
            "config/mail.php",
        ] {
            assert!(file_is_mention(p), "{p}");
        }
        for p in [
            "app/services/stripe.rb",
            "src/lib/analytics.ts",
            "config/initializers/sentry.rb",
            "src/i18n/index.ts",
            "config/initializers/sentry.rb",
            "config/sentry.php",
            "app/config/services.php",
        ] {
            assert!(!file_is_mention(p), "{p}");
        }
    }
}
