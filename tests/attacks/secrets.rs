//! Secrets planted two to five to a line, in every language's syntax, are
//! redacted in every output. Regression: only the secret that matched the
//! finding's vendor was redacted (`{ accessKeyId: "[REDACTED]",
//! secretAccessKey: "<in full>" }`), a generic secret holding a comma was
//! printed, and so was a secret in a file name.
//!
//! The keys are built at run time, so that this file holds none.

use super::{blastmap, git, repo, write};

/// Pseudo-random alphanumerics (a fixed generator: the same every run).
fn noise(seed: u64, len: usize, alphabet: &[u8]) -> String {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            alphabet[(x % alphabet.len() as u64) as usize] as char
        })
        .collect()
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const HEX: &[u8] = b"0123456789abcdef";

struct Keys {
    stripe: String,
    aws_id: String,
    aws_secret: String,
    github: String,
    slack: String,
    anthropic: String,
    openai: String,
    sendgrid: String,
    twilio: String,
    password: String,
}

impl Keys {
    fn new() -> Keys {
        Keys {
            stripe: format!("sk_{}_{}", "live", noise(1, 28, ALNUM)),
            aws_id: format!("AK{}{}", "IA", noise(2, 16, UPPER)),
            aws_secret: noise(3, 40, ALNUM),
            github: format!("gh{}_{}", "p", noise(4, 36, ALNUM)),
            slack: format!(
                "xo{}-{}-{}",
                "xb",
                noise(5, 12, b"0123456789"),
                noise(6, 24, ALNUM)
            ),
            anthropic: format!("sk-{}-api03-{}", "ant", noise(7, 40, ALNUM)),
            openai: format!("sk-{}-{}", "proj", noise(8, 48, ALNUM)),
            sendgrid: format!("S{}.{}.{}", "G", noise(9, 22, ALNUM), noise(10, 43, ALNUM)),
            twilio: format!("S{}{}", "K", noise(11, 32, HEX)),
            // A generic secret with a comma and symbols in it.
            password: format!(
                "{},{}#{}",
                noise(12, 7, ALNUM),
                noise(13, 6, ALNUM),
                noise(14, 5, ALNUM)
            ),
        }
    }

    /// The parts of each key that must never appear: the whole body and
    /// every 10-character window of it (a cut line must not leave a piece).
    fn bodies(&self) -> Vec<String> {
        let all = [
            &self.stripe[8..],
            &self.aws_id[4..],
            &self.aws_secret[..],
            &self.github[4..],
            &self.slack[5..],
            &self.anthropic[14..],
            &self.openai[8..],
            &self.sendgrid[3..],
            &self.twilio[2..],
            &self.password[..],
        ];
        let mut out = Vec::new();
        for body in all {
            let chars: Vec<char> = body.chars().collect();
            for w in chars.windows(10) {
                out.push(w.iter().collect());
            }
        }
        out
    }
}

/// A tree that uses Stripe and PostHog, with keys planted in every
/// language's syntax, several to a line, and one in a file name.
fn planted() -> (tempfile::TempDir, Keys) {
    let k = Keys::new();
    let r = repo();
    let d = r.path();
    let files = [
        (
            "web/src/billing.js",
            format!(
                "import Stripe from 'stripe';\nimport posthog from 'posthog-js';\nconst stripe = new Stripe(\"{}\"); const gh = \"{}\"; const slack = '{}';\nconst aws = {{ accessKeyId: \"{}\", secretAccessKey: \"{}\" }};\nposthog.identify(user.id, {{ email: user.email, token: \"{}\" }});\n",
                k.stripe, k.github, k.slack, k.aws_id, k.aws_secret, k.openai
            ),
        ),
        (
            "web/src/keys.ts",
            format!(
                "import Stripe from 'stripe';\nexport const keys: string[] = [\"{}\", \"{}\", \"{}\", \"{}\"];\nexport const stripe = new Stripe(keys[0]);\n",
                k.stripe, k.anthropic, k.sendgrid, k.twilio
            ),
        ),
        (
            "api/settings.py",
            format!(
                "import stripe\nstripe.api_key = \"{}\"; OPENAI = \"{}\"; AWS = (\"{}\", \"{}\")\nDB_PASSWORD = \"{}\"\n",
                k.stripe, k.openai, k.aws_id, k.aws_secret, k.password
            ),
        ),
        (
            "api/config/initializers/stripe.rb",
            format!(
                "require 'stripe'\nStripe.api_key = '{}'; SLACK = '{}'; GH = '{}'\n",
                k.stripe, k.slack, k.github
            ),
        ),
        (
            "svc/main.go",
            format!(
                "package main\n\nimport \"github.com/stripe/stripe-go/v76\"\n\nfunc init() {{ stripe.Key = \"{}\"; aws := []string{{\"{}\", \"{}\"}}; _ = aws }}\n",
                k.stripe, k.aws_id, k.aws_secret
            ),
        ),
        (
            "app/src/main/java/com/acme/Pay.java",
            format!(
                "package com.acme;\nimport com.stripe.Stripe;\nclass Pay {{ static {{ Stripe.apiKey = \"{}\"; String gh = \"{}\"; String sg = \"{}\"; }} }}\n",
                k.stripe, k.github, k.sendgrid
            ),
        ),
        (
            "app/src/main/kotlin/Pay.kt",
            format!(
                "import com.stripe.Stripe\nfun init() {{ Stripe.apiKey = \"{}\"; val t = \"{}\"; val a = \"{}\" }}\n",
                k.stripe, k.twilio, k.anthropic
            ),
        ),
        (
            "php/pay.php",
            format!(
                "<?php\nuse Stripe\\StripeClient;\n$stripe = new StripeClient('{}'); $gh = '{}'; $pw = ['password' => '{}'];\n",
                k.stripe, k.github, k.password
            ),
        ),
        (
            "ios/Pay.swift",
            format!(
                "import Stripe\nlet keys = [\"{}\", \"{}\", \"{}\"]\n",
                k.stripe, k.slack, k.openai
            ),
        ),
        (
            "deploy/values.yaml",
            format!(
                "stripe_secret_key: {}\naws: {{ id: {}, secret_access_key: {} }}\npassword: \"{}\"\n",
                k.stripe, k.aws_id, k.aws_secret, k.password
            ),
        ),
        (
            ".env",
            format!(
                "STRIPE_SECRET_KEY={}\nGITHUB_TOKEN={}\nSLACK_TOKEN={}\n",
                k.stripe, k.github, k.slack
            ),
        ),
    ];
    for (rel, text) in &files {
        write(d, rel, text);
    }
    // A key in a file name.
    write(
        d,
        &format!("web/src/{}.js", k.stripe),
        "import Stripe from 'stripe';\n",
    );
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "pay"]);
    (r, k)
}

fn assert_no_secret(what: &str, text: &str, k: &Keys) {
    for b in k.bodies() {
        assert!(
            !text.contains(&b),
            "{what} prints a piece of a secret ({b}):\n{text}"
        );
    }
}

#[test]
fn no_output_carries_a_planted_secret() {
    let (r, k) = planted();
    let d = r.path();
    // The tree is really found: the outputs below are not empty.
    let json = blastmap(d, &["scan", ".", "--format", "json"]);
    assert!(json.stdout.contains("\"stripe\""), "{}", json.stdout);
    assert!(json.stdout.contains("REDACTED"), "{}", json.stdout);
    let out_dir = tempfile::tempdir().unwrap();
    let saved = |name: &str| out_dir.path().join(name).display().to_string();
    let runs: Vec<Vec<String>> = vec![
        vec!["scan", ".", "--format", "text"],
        vec!["scan", ".", "--format", "json"],
        vec!["scan", ".", "--format", "yaml"],
        vec!["check", "--base", "HEAD~1", "--format", "text"],
        vec!["check", "--base", "HEAD~1", "--format", "json"],
        vec!["check", "--base", "HEAD~1", "--format", "markdown"],
        vec!["check", "--base", "HEAD~1", "--format", "sarif"],
        vec!["check", "--scan", ".", "--format", "text"],
        vec!["blast", "stripe", "--scan", ".", "--format", "text"],
        vec!["blast", "stripe", "--scan", ".", "--format", "json"],
        vec!["blast", "stripe", "--scan", ".", "--format", "markdown"],
        vec!["blast", "stripe", "--scan", ".", "--format", "html"],
        vec!["rank", "--scan", ".", "--format", "json"],
        vec!["graph", "--scan", ".", "--format", "json"],
        vec!["export", "--scan", ".", "--format", "cyclonedx"],
    ]
    .into_iter()
    .map(|v| v.into_iter().map(String::from).collect())
    .collect();
    for args in &runs {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = blastmap(d, &a);
        assert!(out.code <= 1, "{a:?}: {}", out.stderr);
        assert_no_secret(&a.join(" "), &out.all(), &k);
    }
    // Files written with --save, and a baseline read back.
    let md = saved("check.md");
    let sarif = saved("check.sarif");
    let out = blastmap(
        d,
        &[
            "check",
            "--base",
            "HEAD~1",
            "--save",
            &format!("markdown={md}"),
            "--save",
            &format!("sarif={sarif}"),
        ],
    );
    assert!(out.code <= 1, "{}", out.stderr);
    for f in [&md, &sarif] {
        assert_no_secret(f, &std::fs::read_to_string(f).unwrap(), &k);
    }
    let base = saved("scan.json");
    std::fs::write(&base, &json.stdout).unwrap();
    let out = blastmap(d, &["check", "--baseline", &base, "--format", "json"]);
    assert_no_secret("check --baseline", &out.all(), &k);
}

#[test]
fn a_saved_scan_that_carries_secrets_is_redacted_when_read() {
    // A scan JSON from anywhere (an attacker's artifact) is redacted on the
    // way in: merged, ranked or compared, its secrets do not come out.
    let k = Keys::new();
    let dir = tempfile::tempdir().unwrap();
    let scan = format!(
        r#"{{"version": 1, "integrations": [{{"vendor": "stripe", "component": "web", "scope": "production",
  "evidence": [{{"kind": "import", "file": "web/{}.js", "line": 1, "text": "new Stripe(\"{}\"); const gh = \"{}\"; password = \"{}\""}}],
  "fields": []}}], "skipped": {{"total": 0, "by_reason": {{}}, "files": []}}}}"#,
        k.stripe, k.stripe, k.github, k.password
    );
    write(dir.path(), "web.scan.json", &scan);
    for args in [
        vec!["merge", "web.scan.json"],
        vec!["rank", "--map", "web.scan.json", "--format", "json"],
        vec![
            "blast",
            "stripe",
            "--map",
            "web.scan.json",
            "--format",
            "json",
        ],
        vec!["graph", "--map", "web.scan.json", "--format", "json"],
    ] {
        let out = blastmap(dir.path(), &args);
        assert!(out.code <= 1, "{args:?}: {}", out.stderr);
        assert_no_secret(&args.join(" "), &out.all(), &k);
    }
}
