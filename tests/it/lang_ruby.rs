//! Ruby extraction on a Rails-like controller with traps.

use crate::lang_common as common;

use common::*;

#[test]
fn ruby_requires_and_traps() {
    let f = fixture("ruby/accounts_controller.rb");
    assert_eq!(
        imports(&f),
        vec![
            imp("stripe", 3, &[], false),
            imp("mixpanel-ruby", 4, &[], false),
            imp("../lib/segment_client", 5, &[], false),
            imp("twilio-ruby", 33, &[], true),
        ]
    );
    // A require in a comment and in a string, a CSS class, `has_entry_input?`.
    assert!(!mentions(&f, "intercom"));
    assert!(!mentions(&f, "rollbar"));
    assert!(!mentions(&f, "sentry-banner"));
    assert!(!mentions(&f, "has_entry"));
}

#[test]
fn ruby_calls_with_hashes_keywords_and_receivers() {
    let f = fixture("ruby/accounts_controller.rb");
    // String keys, `$`-keys and `:sym =>` keys.
    assert_eq!(
        args(call(&f, "tracker.people.set", 15)),
        vec![
            pos("@account.id", 15),
            kv("$email", "@account.email", 16),
            kv("$first_name", "@account.first_name", 17),
            kv("plan", "@account.plan", 18),
        ]
    );
    assert_eq!(
        args(call(&f, "Stripe.Customer.create", 20)),
        vec![
            kv("email", "@account.email", 20),
            kv("name", "@account.name", 20),
            kv("metadata.account_id", "@account.id", 20),
        ]
    );
    assert_eq!(
        args(call(&f, "Analytics.identify", 21)),
        vec![
            kv("user_id", "@account.id", 21),
            kv("traits.email", "@account.email", 21),
            kv("traits.company", "@account.company_name", 21),
        ]
    );
    // A hash in a local, extended by `[]=`, passed as `**props` and as is.
    let recorded = vec![
        kv("to", "account.phone", 35),
        kv("from", "'+15550100'", 35),
        kv("body", "\"Welcome, #{account.first_name}!\"", 36),
    ];
    let mut splat = vec![pos("**props", 37)];
    splat.extend(recorded.clone());
    assert_eq!(args(call(&f, "@twilio.messages.create", 37)), splat);
    let mut plain = vec![pos("props", 38)];
    plain.extend(recorded);
    assert_eq!(args(call(&f, "@twilio.messages.create", 38)), plain);
    assert_eq!(
        args(call(&f, "Sentry.set_user", 39)),
        vec![kv("id", "account.id", 39), kv("email", "account.email", 39)]
    );
    assert_eq!(
        args(call(&f, "scope.set_context", 44)),
        vec![pos("'account'", 44), kv("email", "user.email", 44)]
    );
    call(&f, "Sentry.with_scope", 43);
    call(&f, "Mixpanel.Tracker.new", 14);
    // Attribute reads are not calls.
    assert!(!f.calls.iter().any(|c| c.callee == "@account.email"));
}

#[test]
fn ruby_bindings_and_methods() {
    let f = fixture("ruby/accounts_controller.rb");
    assert_eq!(
        bindings(&f),
        vec![
            ("@account".into(), "Account".into(), 13),
            ("tracker".into(), "Mixpanel".into(), 14),
            ("customer".into(), "Stripe".into(), 20),
            ("@twilio".into(), "Twilio".into(), 34),
        ]
    );
    let defs: Vec<(&str, Vec<String>)> = f
        .functions
        .iter()
        .map(|d| (d.name.as_str(), d.params.clone()))
        .collect();
    assert_eq!(
        defs,
        vec![
            ("create", vec![]),
            ("has_entry_input?", vec![]),
            ("notify_signup", vec!["account".to_string()]),
            ("report", vec!["error".to_string(), "user".to_string()]),
        ]
    );
    assert!(
        f.functions
            .iter()
            .all(|d| d.owner.as_deref() == Some("AccountsController"))
    );
    let report: Vec<&str> = f.functions[3]
        .calls
        .iter()
        .map(|c| c.callee.as_str())
        .collect();
    assert_eq!(
        report,
        [
            "Sentry.with_scope",
            "scope.set_context",
            "Sentry.capture_exception"
        ]
    );
}

/// A Rails service object: classes are named by the modules they are
/// nested in; a method called by its name alone (`result =
/// create_refund`) or on a class or an object made there without
/// arguments (`Refunds::StripeService.new(note).create`,
/// `SyncService.call`) is a call; a dispatch by a method's name
/// (`call!(:create, customer)`, `send(:notify, user)`) is a call of that
/// method with the arguments after the name. A local read, an attribute
/// read on a value and a `call` on a proc are not calls.
#[test]
fn ruby_service_objects_name_their_calls_and_classes() {
    let src = r#"module Billing
  module Refunds
    class StripeService < BaseService
      def create
        refund = create_refund
        total = refund
        log_refund
        total
      end

      def retry_all(notes)
        notes.each { |n| Billing::Refunds::StripeService.new(n).create }
        SyncService.call
        Customers::StripeService.call!(:create, notes.first.customer)
        mailer.send(:notify, notes.first.customer, subject: "refund")
        handler.call(:create, notes)
        notes.first.customer.email
      end
    end
  end
end
"#;
    let f = blastmap::scan::lang::extract(blastmap::scan::lang::Lang::Ruby, src).unwrap();
    assert!(
        f.functions
            .iter()
            .all(|d| d.owner.as_deref() == Some("Billing.Refunds.StripeService")),
        "{:?}",
        f.functions.iter().map(|d| &d.owner).collect::<Vec<_>>()
    );
    let callees = |name: &str| -> Vec<(String, u32)> {
        f.functions
            .iter()
            .find(|d| d.name == name)
            .unwrap()
            .calls
            .iter()
            .map(|c| (c.callee.clone(), c.line))
            .collect()
    };
    // `total` is a local read; `refund` is assigned, then read.
    assert_eq!(
        callees("create"),
        [
            ("create_refund".to_string(), 5),
            ("log_refund".to_string(), 7)
        ]
    );
    let retry = callees("retry_all");
    assert!(
        retry.contains(&("Billing.Refunds.StripeService.new.create".to_string(), 12)),
        "{retry:?}"
    );
    assert!(
        retry.contains(&("SyncService.call".to_string(), 13)),
        "{retry:?}"
    );
    assert!(
        retry.contains(&("Customers.StripeService.create".to_string(), 14)),
        "{retry:?}"
    );
    assert!(
        retry.contains(&("mailer.notify".to_string(), 15)),
        "{retry:?}"
    );
    // A proc's `call` is not a dispatch; an attribute read is no call.
    assert!(
        retry.contains(&("handler.call".to_string(), 16)),
        "{retry:?}"
    );
    assert!(
        !retry.iter().any(|(c, _)| c.ends_with("email")),
        "{retry:?}"
    );
    // The dispatched call's arguments are those after the method's name.
    let create = f.functions[1]
        .calls
        .iter()
        .find(|c| c.callee == "Customers.StripeService.create")
        .unwrap();
    assert_eq!(
        args(create),
        vec![pos("notes.first.customer", 14)],
        "{create:?}"
    );
    let notify = f.functions[1]
        .calls
        .iter()
        .find(|c| c.callee == "mailer.notify")
        .unwrap();
    assert_eq!(
        args(notify),
        vec![
            pos("notes.first.customer", 15),
            kv("subject", "\"refund\"", 15)
        ]
    );
}

/// A method called without arguments by a name no local can have
/// (`create_credit_note!`), wherever it stands, and a bare name as the
/// statement of a modifier (`notify_customer unless quiet`), not its
/// condition; a predicate in a condition is not recorded.
#[test]
fn ruby_bang_methods_and_modifier_statements_are_calls() {
    let src = r#"class VoidService < BaseService
  def create_credit_notes!
    result = create_credit_note! if requested?
    create_remaining_credit_note!
    notify_customer unless quiet
    result
  end
end
"#;
    let f = blastmap::scan::lang::extract(blastmap::scan::lang::Lang::Ruby, src).unwrap();
    let calls: Vec<(String, u32)> = f.functions[0]
        .calls
        .iter()
        .map(|c| (c.callee.clone(), c.line))
        .collect();
    assert_eq!(
        calls,
        [
            ("create_credit_note!".to_string(), 3),
            ("create_remaining_credit_note!".to_string(), 4),
            ("notify_customer".to_string(), 5),
        ]
    );
}
