//! Rails service objects: what a vendor call sends of the object's own
//! state (set from `initialize` or from the method that gave it the data)
//! is sent at every call of the methods around it, across files, through
//! jobs, service classes and dispatch by name; classes are told apart by
//! the modules they are in.

use crate::scan_support;

use scan_support::*;

const REFUND_SERVICE: &str = r#"# frozen_string_literal: true

module CreditNotes
  module Refunds
    class StripeService < BaseService
      def initialize(credit_note = nil)
        @credit_note = credit_note
        super
      end

      def create
        return result unless credit_note.refundable?

        stripe_refund = create_stripe_refund
        credit_note.update!(refund_status: stripe_refund.status)
        result
      end

      private

      attr_reader :credit_note

      def customer
        @customer ||= credit_note.customer
      end

      def create_stripe_refund
        ::Stripe::Refund.create(
          {
            payment_intent: credit_note.payment_intent_id,
            amount: credit_note.refund_amount_cents,
            metadata: {app_customer_id: customer.id, customer_email: customer.email}
          },
          {api_key: ENV["STRIPE_KEY"]}
        )
      end
    end
  end
end
"#;

/// Another `StripeService`, in another module, that sends nothing.
const OTHER_SERVICE: &str = r#"module Reports
  class StripeService < BaseService
    def initialize(report)
      @report = report
      super
    end

    def create
      report.update!(state: "done")
    end
  end
end
"#;

const REFUND_JOB: &str = r#"module CreditNotes
  module Refunds
    class StripeCreateJob < ApplicationJob
      queue_as :providers

      def perform(credit_note)
        CreditNotes::Refunds::StripeService.new(credit_note).create
      end
    end
  end
end
"#;

const CREDIT_NOTE_SERVICE: &str = r#"module CreditNotes
  class CreateService < BaseService
    def initialize(invoice:, amount:)
      @invoice = invoice
      @amount = amount
      super
    end

    def call
      credit_note = invoice.credit_notes.create!(amount:)
      CreditNotes::Refunds::StripeCreateJob.perform_later(credit_note)
      Reports::StripeService.new(credit_note).create
      result
    end

    private

    attr_reader :invoice, :amount
  end
end
"#;

const CONTROLLER: &str = r#"class CreditNotesController < ApplicationController
  def create
    result = CreditNotes::CreateService.call!(invoice: current_invoice, amount: params[:amount])
    render json: result.credit_note
  end

  def refund_report
    Reports::StripeService.new(current_report).create
  end
end
"#;

/// The refund's metadata (the customer's id and email) is the object's
/// own: sent by `create_stripe_refund`, by `create` that calls it by name,
/// by the job that makes the service, by the service that enqueues the
/// job and by the controller that calls that service (`call!` is its
/// `call`); four levels from the vendor. `Reports::StripeService#create`,
/// a method of the same name in a class of the same name in another
/// module, sends nothing: its callers are not call sites.
#[test]
fn a_service_objects_own_data_is_sent_by_every_call_around_it() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "Gemfile",
        "source \"https://rubygems.org\"\ngem \"stripe\"\n",
    );
    write(
        root,
        "app/services/credit_notes/refunds/stripe_service.rb",
        REFUND_SERVICE,
    );
    write(
        root,
        "app/services/reports/stripe_service.rb",
        OTHER_SERVICE,
    );
    write(
        root,
        "app/jobs/credit_notes/refunds/stripe_create_job.rb",
        REFUND_JOB,
    );
    write(
        root,
        "app/services/credit_notes/create_service.rb",
        CREDIT_NOTE_SERVICE,
    );
    write(
        root,
        "app/controllers/credit_notes_controller.rb",
        CONTROLLER,
    );
    let r = run(root);
    let calls = calls(&r, "stripe");
    assert_eq!(
        calls,
        [
            "app/controllers/credit_notes_controller.rb:3 production",
            "app/jobs/credit_notes/refunds/stripe_create_job.rb:7 production",
            "app/services/credit_notes/create_service.rb:11 production",
            "app/services/credit_notes/refunds/stripe_service.rb:14 production",
            "app/services/credit_notes/refunds/stripe_service.rb:28 production",
        ]
    );
    let fields = call_fields(&r, "stripe");
    for at in [
        "app/controllers/credit_notes_controller.rb:3",
        "app/jobs/credit_notes/refunds/stripe_create_job.rb:7",
        "app/services/credit_notes/create_service.rb:11",
        "app/services/credit_notes/refunds/stripe_service.rb:14",
    ] {
        for category in ["user.contact.email", "user.unique_id"] {
            assert!(
                fields.contains(&format!("{category} {at}")),
                "{category} {at}: {fields:?}"
            );
        }
    }
    // The chain is named, with the place of the method it reaches.
    let text = call_text(
        &r,
        "stripe",
        "app/controllers/credit_notes_controller.rb",
        3,
    );
    assert!(
        text.starts_with("call → perform (app/jobs/credit_notes/refunds/stripe_create_job.rb:6)"),
        "{text}"
    );
}

/// A Rails app with Segment's gem, its client made in an initializer, the
/// job that sends through it, and `files`.
fn segment_app(files: &[(&str, &str)]) -> tempfile::TempDir {
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
        "SEGMENT_CLIENT = Segment::Analytics.new({ write_key: ENV[\"SEGMENT_WRITE_KEY\"] })\n",
    );
    write(root, "app/jobs/segment_track_job.rb", SEGMENT_JOB);
    for (rel, text) in files {
        write(root, rel, text);
    }
    tmp
}

const SEGMENT_JOB: &str = r#"class SegmentTrackJob < ApplicationJob
  def perform(membership_id:, event:, properties:)
    return if ENV["DISABLE_SEGMENT"] == "true"

    SEGMENT_CLIENT.track(user_id: membership_id, event:, properties:)
  end
end
"#;

const SEGMENT_TRACK: &str = r#"module Utils
  class SegmentTrack
    class << self
      def invoice_created(invoice)
        SegmentTrackJob.perform_later(
          membership_id: CurrentContext.membership,
          event: "invoice_created",
          properties: {organization_id: invoice.organization_id, invoice_id: invoice.id}
        )
      end
    end
  end
end
"#;

const INVOICE_SERVICE: &str = r#"module Invoices
  class FinalizeService < BaseService
    def call(invoice)
      invoice.finalized!
      Utils::SegmentTrack.invoice_created(invoice)
      Analytics::SegmentTrack.invoice_created(invoice)
    end
  end
end
"#;

/// A class method that passes its parameter on to a job's `perform`
/// (through `perform_later`) is a wrapper of the job's vendor: its calls
/// through its class are call sites. A class of the same name in another
/// module is not it.
#[test]
fn a_class_method_around_a_job_is_called_through_its_class() {
    let tmp = segment_app(&[
        ("app/services/utils/segment_track.rb", SEGMENT_TRACK),
        ("app/services/invoices/finalize_service.rb", INVOICE_SERVICE),
    ]);
    let r = run(tmp.path());
    let calls = calls(&r, "segment");
    assert!(
        calls.contains(&"app/services/invoices/finalize_service.rb:5 production".to_string()),
        "{calls:?}"
    );
    assert!(
        !calls
            .iter()
            .any(|c| c.starts_with("app/services/invoices/finalize_service.rb:6")),
        "{calls:?}"
    );
    // What the class method writes under `organization_id:` in the job's
    // `properties` is known by that key at its call site.
    let fields = call_fields(&r, "segment");
    assert!(
        fields.contains(
            &"user.unique_id.organization app/services/invoices/finalize_service.rb:5".to_string()
        ),
        "{fields:?}"
    );
    let text = call_text(
        &r,
        "segment",
        "app/services/invoices/finalize_service.rb",
        5,
    );
    assert!(
        text.starts_with(
            "invoice_created → perform (app/jobs/segment_track_job.rb:2) → SEGMENT_CLIENT.track"
        ),
        "{text}"
    );
}

/// A job configured before it is enqueued (`.set(wait: ...)`, ActiveJob's
/// and Sidekiq's) runs its `perform` all the same. A `set` on anything
/// else (a cache) is no job.
const DELAYED_TRACK: &str = r#"module Invoices
  class NotifyService < BaseService
    def call(invoice)
      SegmentTrackJob
        .set(wait: 5.minutes)
        .perform_later(membership_id: invoice.membership_id, event: "invoice_late", properties: {})
      Rails.cache.set(invoice.id).perform_later(membership_id: invoice.membership_id)
    end
  end
end
"#;

#[test]
fn a_job_configured_before_it_is_enqueued_is_still_that_job() {
    let tmp = segment_app(&[("app/services/invoices/notify_service.rb", DELAYED_TRACK)]);
    let r = run(tmp.path());
    let calls = calls(&r, "segment");
    assert!(
        calls.contains(&"app/services/invoices/notify_service.rb:6 production".to_string()),
        "{calls:?}"
    );
    assert!(
        !calls
            .iter()
            .any(|c| c.starts_with("app/services/invoices/notify_service.rb:7")),
        "{calls:?}"
    );
}

/// A service that keeps its invoice (from `initialize`) and passes it to
/// the class method above, which sends `invoice.organization_id`, sends
/// that organization at every call: the job around the service is a call
/// site, with the organization. A service passing a fresh, empty record
/// read from nothing it holds is too, but one passing `nil` is not.
const REFRESH_SERVICE: &str = r#"module Invoices
  class RefreshService < BaseService
    def initialize(invoice:)
      @invoice = invoice
      super
    end

    def call
      after_commit do
        Utils::SegmentTrack.invoice_created(invoice)
      end
      result
    end

    def silent
      Utils::SegmentTrack.invoice_created(nil)
    end

    private

    attr_reader :invoice
  end
end
"#;

const REFRESH_JOB: &str = r#"module Invoices
  class RefreshJob < ApplicationJob
    def perform(invoice)
      Invoices::RefreshService.call(invoice:)
    end

    def quiet(invoice)
      Invoices::RefreshService.new(invoice:).silent
    end
  end
end
"#;

#[test]
fn a_service_passing_its_own_record_to_a_wrapper_sends_what_the_wrapper_reads_of_it() {
    let tmp = segment_app(&[
        ("app/services/utils/segment_track.rb", SEGMENT_TRACK),
        ("app/services/invoices/refresh_service.rb", REFRESH_SERVICE),
        ("app/jobs/invoices/refresh_job.rb", REFRESH_JOB),
    ]);
    let r = run(tmp.path());
    let fields = call_fields(&r, "segment");
    assert!(
        fields.contains(
            &"user.unique_id.organization app/jobs/invoices/refresh_job.rb:4".to_string()
        ),
        "{fields:?}"
    );
    let calls = calls(&r, "segment");
    assert!(
        !calls
            .iter()
            .any(|c| c.starts_with("app/jobs/invoices/refresh_job.rb:8")),
        "{calls:?}"
    );
    let text = call_text(&r, "segment", "app/jobs/invoices/refresh_job.rb", 4);
    assert!(text.starts_with("call → invoice_created"), "{text}");
}

/// A private helper that reads several members of its record into the
/// job's `properties`: only `organization_id` is personal data, and it is
/// not the first.
const ADD_ON_SERVICE: &str = r#"module AddOns
  class CreateService < BaseService
    def call
      add_on = AddOn.create!(name: params[:name], code: params[:code])
      track_add_on_created(add_on)
      add_on
    end

    private

    def track_add_on_created(add_on)
      SegmentTrackJob.perform_later(
        membership_id: CurrentContext.membership,
        event: "add_on_created",
        properties: {
          addon_code: add_on.code,
          addon_name: add_on.name,
          organization_id: add_on.organization_id
        }
      )
    end
  end
end
"#;

/// What a helper writes under a key of its own in the forwarded hash
/// (`organization_id:`) is what its callers' record is known by there:
/// the caller passing `add_on` sends the organization, and nothing named
/// by the add-on's own `name`.
#[test]
fn a_member_written_under_a_key_of_its_own_names_what_the_caller_passes() {
    let tmp = segment_app(&[("app/services/add_ons/create_service.rb", ADD_ON_SERVICE)]);
    let r = run(tmp.path());
    let fields = call_fields(&r, "segment");
    let at = "app/services/add_ons/create_service.rb:5";
    assert!(
        fields.contains(&format!("user.unique_id.organization {at}")),
        "{fields:?}"
    );
    assert!(
        !fields
            .iter()
            .any(|f| f.ends_with(at) && f.starts_with("user.name")),
        "{fields:?}"
    );
}

/// An application's own way to enqueue a job once the transaction
/// commits, defined on its job base class.
const APPLICATION_JOB: &str = r#"class ApplicationJob < ActiveJob::Base
  def self.perform_after_commit(...)
    AfterCommitEverywhere.after_commit do
      perform_later(...)
    end
  end

  # Enqueues another class's job: no way to enqueue its own.
  def self.perform_elsewhere(invoice)
    AuditJob.perform_later(invoice.id)
  end
end
"#;

const WEBHOOK_SERVICE: &str = r#"module WebhookEndpoints
  class CreateService < BaseService
    def call(organization)
      SegmentTrackJob.perform_after_commit(
        membership_id: CurrentContext.membership,
        event: "webhook_endpoint_created",
        properties: {organization_id: organization.id}
      )
      SegmentTrackJob.perform_elsewhere(organization)
    end
  end
end
"#;

/// A class method of the job base class that enqueues the class's own
/// job (`perform_after_commit` around `perform_later(...)`), called
/// through a job class, runs that job's `perform`: the organization goes
/// to Segment. One that enqueues another class's job does not.
#[test]
fn a_job_base_classs_own_enqueue_method_runs_the_jobs_perform() {
    let tmp = segment_app(&[
        ("app/jobs/application_job.rb", APPLICATION_JOB),
        (
            "app/services/webhook_endpoints/create_service.rb",
            WEBHOOK_SERVICE,
        ),
    ]);
    let r = run(tmp.path());
    let fields = call_fields(&r, "segment");
    assert!(
        fields.contains(
            &"user.unique_id.organization app/services/webhook_endpoints/create_service.rb:7"
                .to_string()
        ),
        "{fields:?}"
    );
    let calls = calls(&r, "segment");
    assert!(
        !calls
            .iter()
            .any(|c| c.starts_with("app/services/webhook_endpoints/create_service.rb:9")),
        "{calls:?}"
    );
}

const CUSTOMER_SERVICE: &str = r#"module PaymentProviderCustomers
  class StripeService < BaseService
    def create(stripe_customer)
      @stripe_customer = stripe_customer
      stripe_result = create_stripe_customer
      stripe_customer.update!(provider_customer_id: stripe_result.id)
      result
    end

    private

    attr_reader :stripe_customer

    def customer
      stripe_customer.customer
    end

    def create_stripe_customer
      ::Stripe::Customer.create(stripe_create_payload, {api_key: ENV["STRIPE_KEY"]})
    end

    def stripe_create_payload
      {
        email: customer.email,
        name: customer.name,
        phone: customer.phone
      }
    end
  end
end
"#;

const CUSTOMER_JOB: &str = r#"module PaymentProviderCustomers
  class StripeCreateJob < ApplicationJob
    def perform(stripe_customer)
      PaymentProviderCustomers::StripeService.call!(:create, stripe_customer)
    end

    def report(stripe_customer)
      total = stripe_customer.total
      total
    end
  end
end
"#;

/// A method given the customer record sets it on the object and calls
/// the private method that sends its customer's contact details by name
/// alone: that call is where the data goes in. The job dispatches to
/// that method by its name (`call!(:create, record)`, the service's own
/// convention, as `send(:create, record)` would).
#[test]
fn a_method_dispatched_by_name_sends_what_its_object_holds() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "Gemfile",
        "source \"https://rubygems.org\"\ngem \"stripe\"\n",
    );
    write(
        root,
        "app/services/payment_provider_customers/stripe_service.rb",
        CUSTOMER_SERVICE,
    );
    write(
        root,
        "app/jobs/payment_provider_customers/stripe_create_job.rb",
        CUSTOMER_JOB,
    );
    let r = run(root);
    let fields = call_fields(&r, "stripe");
    for at in [
        "app/services/payment_provider_customers/stripe_service.rb:5",
        "app/jobs/payment_provider_customers/stripe_create_job.rb:4",
    ] {
        for category in [
            "user.contact.email",
            "user.contact.phone_number",
            "user.name",
        ] {
            assert!(
                fields.contains(&format!("{category} {at}")),
                "{category} {at}: {fields:?}"
            );
        }
    }
    // A local read as a statement (`total`) is no call.
    assert!(
        !calls(&r, "stripe")
            .iter()
            .any(|c| c.starts_with("app/jobs/payment_provider_customers/stripe_create_job.rb:9")),
        "{:?}",
        calls(&r, "stripe")
    );
}

const VIES_SERVICE: &str = r#"module Customers
  class ViesCheckService < BaseService
    def initialize(customer:)
      @customer = customer
      super
    end

    def call
      return result if customer.tax_identification_number.blank?

      result.vies_check = check_vies
      result.valid_format = Valvat.new(customer.tax_identification_number).valid?
      result
    end

    private

    attr_reader :customer

    def check_vies
      Valvat.new(customer.tax_identification_number).exists?(detail: true, raise_error: true)
    end
  end
end
"#;

const VIES_JOB: &str = r#"module Customers
  class ViesCheckJob < ApplicationJob
    def perform(customer)
      Customers::ViesCheckService.call(customer:)
    end
  end
end
"#;

/// valvat's `Valvat.new(number).exists?` asks the EU's VIES service about
/// the number the object was made with; `valid?` checks its format
/// locally and sends nothing.
#[test]
fn a_method_called_on_an_object_made_in_place_sends_what_it_was_made_with() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "Gemfile",
        "source \"https://rubygems.org\"\ngem \"valvat\"\n",
    );
    write(
        root,
        "app/services/customers/vies_check_service.rb",
        VIES_SERVICE,
    );
    write(root, "app/jobs/customers/vies_check_job.rb", VIES_JOB);
    let r = run(root);
    let fields = call_fields(&r, "eu-vies");
    for at in [
        "app/services/customers/vies_check_service.rb:21",
        "app/jobs/customers/vies_check_job.rb:4",
    ] {
        assert!(
            fields.contains(&format!(
                "user.government_id.national_identification_number {at}"
            )),
            "{at}: {fields:?}"
        );
    }
    assert!(
        !fields
            .iter()
            .any(|f| f.ends_with("vies_check_service.rb:12")),
        "{fields:?}"
    );
}
