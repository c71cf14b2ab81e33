//! Email a web framework sends through the transport the application
//! installed: Laravel's `Mail` facade with `resend/resend-laravel`, a Rails
//! mailer with `postmark-rails`, Django's `send_mail` with `django-ses`.
//! Without such a package the framework sends over SMTP to a host the
//! deployment configures, which the code cannot name.

use crate::scan_support;

use scan_support::*;

const COMPOSER: &str = r#"{
    "name": "acme/panel",
    "require": {
        "php": "^8.2",
        "laravel/framework": "^11.0",
        "resend/resend-laravel": "^0.20.0"
    },
    "require-dev": {
        "phpunit/phpunit": "^11.0"
    }
}
"#;

const HELPERS: &str = r#"<?php

use Illuminate\Mail\Message;
use Illuminate\Support\Facades\Mail;

function send_user_an_email(MailMessage $mail, string $email, ?string $cc = null): void
{
    if ($cc) {
        Mail::send(
            [],
            [],
            fn (Message $message) => $message
                ->to($email)
                ->cc($cc)
                ->subject($mail->subject)
                ->html((string) $mail->render())
        );
    }
    // Mail::send([], [], fn ($m) => $m->to($email));
    $log = "Mail::send is how we mail";
}
"#;

const MAIL_TEST: &str = r#"<?php

use Illuminate\Support\Facades\Mail;

test('invites', function () {
    Mail::fake();
    Mail::send([], [], fn ($m) => $m->to('someone@example.com'));
});
"#;

#[test]
fn a_laravel_mail_send_goes_to_the_installed_transport() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "composer.json", COMPOSER);
    write(root, "bootstrap/helpers/notifications.php", HELPERS);
    write(root, "tests/Feature/InviteTest.php", MAIL_TEST);
    let r = run(root);
    let calls = calls(&r, "resend");
    assert_eq!(
        calls,
        [
            "bootstrap/helpers/notifications.php:9 production",
            "tests/Feature/InviteTest.php:7 test"
        ]
        .iter()
        .filter(|c| c.ends_with("production"))
        .map(|c| c.to_string())
        .collect::<Vec<_>>(),
        "the send in the comment, the string and the test are no production call"
    );
    let fields = call_fields(&r, "resend");
    for want in [
        "user.contact.email bootstrap/helpers/notifications.php:13",
        "user.contact.email bootstrap/helpers/notifications.php:14",
        "user.content.private bootstrap/helpers/notifications.php:16",
    ] {
        assert!(fields.contains(&want.to_string()), "{want} in {fields:?}");
    }
}

#[test]
fn without_a_transport_package_the_framework_mails_name_no_vendor() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // The general SDK is called by name; the framework's mails go over
    // SMTP to a host the deployment configures. A transport installed for
    // development only sends nothing in production.
    write(
        root,
        "composer.json",
        "{\n  \"require\": {\n    \"resend/resend-php\": \"^0.14\"\n  },\n  \"require-dev\": {\n    \"symfony/postmark-mailer\": \"^7.0\"\n  }\n}\n",
    );
    write(root, "bootstrap/helpers/notifications.php", HELPERS);
    let r = run(root);
    assert!(calls(&r, "resend").is_empty(), "{:?}", calls(&r, "resend"));
    assert!(
        calls(&r, "postmark").is_empty(),
        "{:?}",
        calls(&r, "postmark")
    );
}

const GEMFILE: &str =
    "source \"https://rubygems.org\"\n\ngem \"rails\", \"~> 7.1\"\ngem \"postmark-rails\"\n";

const MAILER: &str = r#"class InvoiceMailer < ApplicationMailer
  def finalized
    @invoice = params[:invoice]
    @customer = @invoice.customer

    mail(
      to: @customer.email,
      from: ENV["LAGO_FROM_EMAIL"],
      subject: I18n.t("email.invoice.finalized.subject", name: @invoice.organization.name)
    )
  end
end
"#;

#[test]
fn a_rails_mailer_sends_through_the_installed_delivery_method() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "Gemfile", GEMFILE);
    write(root, "app/mailers/invoice_mailer.rb", MAILER);
    // A `mail(` outside a mailer (a model's method) is not ActionMailer's.
    write(
        root,
        "app/models/contact.rb",
        "class Contact < ApplicationRecord\n  def mail(to:)\n    update!(email: to)\n  end\n\n  def notify\n    mail(to: owner.email)\n  end\nend\n",
    );
    let r = run(root);
    assert_eq!(
        calls(&r, "postmark"),
        ["app/mailers/invoice_mailer.rb:6 production"]
    );
    let fields = call_fields(&r, "postmark");
    assert!(
        fields.contains(&"user.contact.email app/mailers/invoice_mailer.rb:7".to_string()),
        "{fields:?}"
    );
    // The sender is the application's own address.
    assert!(fields.iter().all(|f| !f.ends_with(":8")), "{fields:?}");
}

const DJANGO_VIEW: &str = r#"from django.conf import settings
from django.core.mail import send_mail


def send_invite(request, project):
    email = request.POST["email"]
    send_mail(
        "You are invited",
        f"Join {project.name} on our site",
        settings.DEFAULT_FROM_EMAIL,
        [email],
    )
"#;

#[test]
fn a_django_send_mail_goes_to_the_email_backend_package() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "requirements.txt", "Django==5.1\ndjango-ses==4.2.0\n");
    write(root, "hc/accounts/views.py", DJANGO_VIEW);
    let r = run(root);
    assert_eq!(
        calls(&r, "amazon-ses"),
        ["hc/accounts/views.py:7 production"]
    );
    let fields = call_fields(&r, "amazon-ses");
    assert!(
        fields.contains(&"user.contact.email hc/accounts/views.py:11".to_string()),
        "{fields:?}"
    );
}
