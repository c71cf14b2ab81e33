//! Rails payment code: a service that posts its own object's data to a
//! payment API is called where that data goes in, and a provider-generic
//! service reaches each provider through a factory class method that
//! picks one service class among several (`CreatePaymentFactory
//! .new_instance(...).call!`, `Factory.for(invoice).call!(:generate_payment_url,
//! invoice)`). A file named for one provider reaches that provider only.

use crate::scan_support;

use scan_support::*;

const GEMFILE: &str =
    "source \"https://rubygems.org\"\ngem \"stripe\"\ngem \"adyen-ruby-api-library\"\n";

/// A payment link posted to Paystack's API with no SDK: the body is built
/// from the invoice's customer, which the object holds.
const PAYSTACK_SERVICE: &str = r#"# frozen_string_literal: true

module Invoices
  module Payments
    class PaystackService < BaseService
      def initialize(invoice = nil)
        @invoice = invoice
        super
      end

      def generate_payment_url(invoice)
        @invoice = invoice
        response = create_checkout_session
        result.payment_url = response["data"]["authorization_url"]
        result
      end

      def health
        status = ping_api
        result.status = status
        result
      end

      private

      attr_reader :invoice

      delegate :customer, to: :invoice

      def create_checkout_session
        body = {
          email: customer.email,
          amount: invoice.total_amount_cents,
          metadata: {customer_id: customer.external_id}
        }
        client.post_with_response(body, headers)
      end

      # Posts nothing of anyone's.
      def ping_api
        client.post_with_response({check: "ok"}, headers)
      end

      def client
        @client ||= LagoHttpClient::Client.new("https://api.paystack.co/transaction/initialize")
      end

      def headers
        {"Authorization" => "Bearer #{ENV["PAYSTACK_SECRET_KEY"]}"}
      end
    end
  end
end
"#;

const STRIPE_PAYMENT: &str = r#"module PaymentProviders
  module Stripe
    module Payments
      class CreateService < BaseService
        def initialize(payment:)
          @payment = payment
          super
        end

        def call
          stripe_result = create_payment_intent
          payment.update!(provider_payment_id: stripe_result.id)
          result
        end

        private

        attr_reader :payment

        def create_payment_intent
          ::Stripe::PaymentIntent.create(
            {
              amount: payment.amount_cents,
              customer: payment.customer.stripe_customer_id,
              receipt_email: payment.customer.email
            },
            {api_key: ENV["STRIPE_KEY"]}
          )
        end
      end
    end
  end
end
"#;

const ADYEN_PAYMENT: &str = r#"module PaymentProviders
  module Adyen
    module Payments
      class CreateService < BaseService
        def initialize(payment:)
          @payment = payment
          super
        end

        def call
          adyen_result = create_adyen_payment
          payment.update!(provider_payment_id: adyen_result.response["pspReference"])
          result
        end

        private

        attr_reader :payment

        def create_adyen_payment
          client.checkout.payments_api.payments(
            {
              amount: {value: payment.amount_cents, currency: payment.currency},
              shopperReference: payment.customer.external_id,
              shopperEmail: payment.customer.email
            }
          )
        end

        def client
          @client ||= ::Adyen::Client.new(api_key: ENV["ADYEN_API_KEY"])
        end
      end
    end
  end
end
"#;

const PAYMENT_FACTORY: &str = r#"# frozen_string_literal: true

module PaymentProviders
  class CreatePaymentFactory
    def self.new_instance(provider:, payment:)
      service_class(provider:).new(payment:)
    end

    def self.service_class(provider:)
      case provider.to_sym
      when :stripe
        PaymentProviders::Stripe::Payments::CreateService
      when :adyen
        PaymentProviders::Adyen::Payments::CreateService
      end
    end

    # A list of error classes is not a choice of service.
    def self.retryable_errors
      [
        Timeout::Error, Errno::ECONNRESET
      ]
    end
  end
end
"#;

const CREATE_PAYMENT: &str = r#"module Invoices
  module Payments
    class CreateService < BaseService
      def initialize(invoice:, payment_provider: nil)
        @invoice = invoice
        @provider = payment_provider&.to_sym
        super
      end

      def call
        payment = Payment.create!(payable: invoice, customer: invoice.customer)

        payment_result = ::PaymentProviders::CreatePaymentFactory.new_instance(
          provider:,
          payment:
        ).call!

        result.payment = payment_result.payment
        result
      end

      private

      attr_reader :invoice

      def provider
        @provider || invoice.customer.payment_provider
      end
    end
  end
end
"#;

const URL_FACTORY: &str = r#"module Invoices
  module Payments
    module PaymentProviders
      class Factory
        def self.for(invoice)
          service_class(invoice.customer&.payment_provider)
        end

        def self.service_class(payment_provider)
          case payment_provider&.to_s
          when "paystack" then Invoices::Payments::PaystackService
          when "stripe" then Invoices::Payments::StripeService
          else
            raise(NotImplementedError)
          end
        end
      end
    end
  end
end
"#;

const FETCH_URL: &str = r#"module PaymentIntents
  class FetchService < BaseService
    def initialize(invoice:)
      @invoice = invoice
      super
    end

    def call
      payment_url_result = Invoices::Payments::PaymentProviders::Factory
        .for(invoice)
        .call!(:generate_payment_url, invoice)

      result.payment_url = payment_url_result.payment_url
      result
    end

    private

    attr_reader :invoice
  end
end
"#;

const GENERIC_JOB: &str = r#"module Invoices
  module Payments
    class CreateJob < ApplicationJob
      def perform(invoice:)
        Invoices::Payments::CreateService.call!(invoice:)
      end
    end
  end
end
"#;

const STRIPE_JOB: &str = r#"module Invoices
  module Payments
    class StripeCreateJob < ApplicationJob
      def perform(invoice)
        # Legacy job, kept for jobs already enqueued.
        Invoices::Payments::CreateService.call!(invoice:, payment_provider: :stripe)
      end
    end
  end
end
"#;

fn tree() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "Gemfile", GEMFILE);
    for (rel, text) in [
        (
            "app/services/invoices/payments/paystack_service.rb",
            PAYSTACK_SERVICE,
        ),
        (
            "app/services/payment_providers/stripe/payments/create_service.rb",
            STRIPE_PAYMENT,
        ),
        (
            "app/services/payment_providers/adyen/payments/create_service.rb",
            ADYEN_PAYMENT,
        ),
        (
            "app/services/payment_providers/create_payment_factory.rb",
            PAYMENT_FACTORY,
        ),
        (
            "app/services/invoices/payments/create_service.rb",
            CREATE_PAYMENT,
        ),
        (
            "app/services/invoices/payments/payment_providers/factory.rb",
            URL_FACTORY,
        ),
        ("app/services/payment_intents/fetch_service.rb", FETCH_URL),
        ("app/jobs/invoices/payments/create_job.rb", GENERIC_JOB),
        (
            "app/jobs/invoices/payments/stripe_create_job.rb",
            STRIPE_JOB,
        ),
    ] {
        write(root, rel, text);
    }
    tmp
}

/// `create_checkout_session` takes no parameter: what its request posts
/// (the customer's email and id) is the object's own, sent wherever the
/// method is called (`response = create_checkout_session`, after the
/// invoice was set). `ping_api` posts a literal: its caller sends nothing.
#[test]
fn a_request_of_the_objects_own_data_is_sent_where_its_method_is_called() {
    let tmp = tree();
    let r = run(tmp.path());
    let fields = call_fields(&r, "paystack");
    let at = "app/services/invoices/payments/paystack_service.rb:13";
    for category in ["user.contact.email", "user.unique_id"] {
        assert!(
            fields.contains(&format!("{category} {at}")),
            "{category} {at}: {fields:?}"
        );
    }
    let calls = calls(&r, "paystack");
    assert!(
        !calls
            .iter()
            .any(|c| c.starts_with("app/services/invoices/payments/paystack_service.rb:19")),
        "{calls:?}"
    );
    let text = call_text(
        &r,
        "paystack",
        "app/services/invoices/payments/paystack_service.rb",
        13,
    );
    assert!(
        text.starts_with("create_checkout_session → a request (client.post_with_response)"),
        "{text}"
    );
}

/// The generic payment service calls whichever class the factory picks:
/// its `call!` on what `new_instance` made is a call of each provider's
/// `call`, which sends the payment's customer, and the job around it is
/// the next level. `retryable_errors` lists classes but chooses none.
#[test]
fn a_factory_method_reaches_every_class_it_chooses_among() {
    let tmp = tree();
    let r = run(tmp.path());
    let both: [(&str, &[&str]); 2] = [
        ("stripe", &["user.contact.email"]),
        ("adyen", &["user.contact.email", "user.unique_id"]),
    ];
    for (vendor, categories) in both {
        let fields = call_fields(&r, vendor);
        for at in [
            "app/services/invoices/payments/create_service.rb:16",
            "app/jobs/invoices/payments/create_job.rb:5",
        ] {
            for category in categories {
                assert!(
                    fields.contains(&format!("{category} {at}")),
                    "{vendor} {category} {at}: {fields:?}"
                );
            }
        }
    }
    let text = call_text(
        &r,
        "adyen",
        "app/services/invoices/payments/create_service.rb",
        16,
    );
    assert!(text.starts_with("call → create_adyen_payment"), "{text}");
}

/// `Factory.for(invoice).call!(:generate_payment_url, invoice)` is a call
/// of `generate_payment_url` on the class `for` picks: Paystack's, which
/// posts the invoice's customer.
#[test]
fn a_method_dispatched_by_name_on_a_factorys_choice_is_followed() {
    let tmp = tree();
    let r = run(tmp.path());
    let fields = call_fields(&r, "paystack");
    let at = "app/services/payment_intents/fetch_service.rb:11";
    assert!(
        fields.contains(&format!("user.contact.email {at}")),
        "{at}: {fields:?}"
    );
}

/// The Stripe job calls the generic service for Stripe: through the
/// factory it reaches Stripe's branch, not Adyen's.
#[test]
fn a_file_named_for_one_provider_reaches_that_provider_through_a_factory() {
    let tmp = tree();
    let r = run(tmp.path());
    let job = "app/jobs/invoices/payments/stripe_create_job.rb";
    assert!(
        calls(&r, "stripe")
            .iter()
            .any(|c| c.starts_with(&format!("{job}:6"))),
        "{:?}",
        calls(&r, "stripe")
    );
    assert!(
        !calls(&r, "adyen").iter().any(|c| c.starts_with(job)),
        "{:?}",
        calls(&r, "adyen")
    );
}

/// The integration platform's base class: its URL and the client its
/// subclasses post with. Nango is in the catalog (api.nango.dev).
const AGGREGATOR_BASE: &str = r##"# frozen_string_literal: true

require "lago_http_client"

module Integrations
  module Aggregator
    class BaseService < BaseService
      BASE_URL = "https://api.nango.dev/"

      def initialize(integration:)
        @integration = integration
        super
      end

      private

      attr_reader :integration

      def http_client
        LagoHttpClient::Client.new(endpoint_url, retries_on: [OpenSSL::SSL::SSLError])
      end

      def endpoint_url
        "#{BASE_URL}#{action_path}"
      end

      def headers
        {"Connection-Id" => integration.connection_id, "Authorization" => "Bearer #{ENV["NANGO_SECRET_KEY"]}"}
      end
    end
  end
end
"##;

/// A subclass two levels down (`Contacts::BaseService` in between), whose
/// body is a method that asks a payload factory for the create body.
const CONTACTS_BASE: &str = r##"module Integrations
  module Aggregator
    module Contacts
      class BaseService < Integrations::Aggregator::BaseService
        def action_path
          "v1/#{provider}/contacts"
        end
      end
    end
  end
end
"##;

const CONTACTS_CREATE: &str = r#"module Integrations
  module Aggregator
    module Contacts
      class CreateService < BaseService
        def initialize(integration:, customer:)
          @customer = customer
          super(integration:)
        end

        def call
          response = http_client.post_with_response(params, headers)
          result.contact_id = JSON.parse(response.body)["id"]
          result
        end

        private

        attr_reader :customer

        def params
          Integrations::Aggregator::Contacts::Payloads::Factory.new_instance(
            integration:,
            customer:
          ).create_body
        end
      end
    end
  end
end
"#;

const PAYLOAD_FACTORY: &str = r#"module Integrations
  module Aggregator
    module Contacts
      module Payloads
        class Factory
          def self.new_instance(integration:, customer:)
            case integration.type.to_s
            when "Integrations::HubspotIntegration"
              Integrations::Aggregator::Contacts::Payloads::Hubspot.new(integration:, customer:)
            when "Integrations::XeroIntegration"
              Integrations::Aggregator::Contacts::Payloads::Xero.new(integration:, customer:)
            end
          end
        end
      end
    end
  end
end
"#;

const HUBSPOT_PAYLOAD: &str = r#"module Integrations
  module Aggregator
    module Contacts
      module Payloads
        class Hubspot < BasePayload
          def create_body
            {
              "properties" => {
                "email" => customer.email,
                "firstname" => customer.firstname,
                "lastname" => customer.lastname,
                "phone" => customer.phone
              }
            }
          end
        end
      end
    end
  end
end
"#;

const XERO_PAYLOAD: &str = r#"module Integrations
  module Aggregator
    module Contacts
      module Payloads
        class Xero < BasePayload
          def create_body
            [{"name" => customer.name, "city" => customer.city}]
          end
        end
      end
    end
  end
end
"#;

/// A class that defines its own `http_client` (to another host) is not
/// the base class's heir.
const OWN_CLIENT: &str = r#"module Integrations
  module Aggregator
    class SelfHostedService < BaseService
      def call
        http_client.post_with_response({email: customer.email}, headers)
      end

      private

      def http_client
        LagoHttpClient::Client.new(ENV["SELF_HOSTED_URL"])
      end
    end
  end
end
"#;

const CUSTOMER_SYNC: &str = r#"module IntegrationCustomers
  class HubspotService < BaseService
    def create
      result = Integrations::Aggregator::Contacts::CreateService.call(integration:, customer:)
      result
    end
  end
end
"#;

/// The contact create service posts through the client its base class's
/// base class makes (Nango's URL); the body is the hash the payload
/// factory's classes build, read through `params`. The service's callers
/// are the next level. A subclass with its own client is not Nango's.
#[test]
fn a_subclass_posts_through_its_base_class_client_a_body_its_payloads_build() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "Gemfile",
        "source \"https://rubygems.org\"\ngem \"rails\"\n",
    );
    let dir = "app/services/integrations/aggregator";
    for (rel, text) in [
        (format!("{dir}/base_service.rb"), AGGREGATOR_BASE),
        (format!("{dir}/contacts/base_service.rb"), CONTACTS_BASE),
        (format!("{dir}/contacts/create_service.rb"), CONTACTS_CREATE),
        (
            format!("{dir}/contacts/payloads/factory.rb"),
            PAYLOAD_FACTORY,
        ),
        (
            format!("{dir}/contacts/payloads/hubspot.rb"),
            HUBSPOT_PAYLOAD,
        ),
        (format!("{dir}/contacts/payloads/xero.rb"), XERO_PAYLOAD),
        (format!("{dir}/self_hosted_service.rb"), OWN_CLIENT),
        (
            "app/services/integration_customers/hubspot_service.rb".to_string(),
            CUSTOMER_SYNC,
        ),
    ] {
        write(root, &rel, text);
    }
    let r = run(root);
    let fields = call_fields(&r, "nango");
    let request = format!("{dir}/contacts/create_service.rb:11");
    for category in [
        "user.contact.email",
        "user.contact.phone_number",
        "user.name",
        "user.contact.address.city",
    ] {
        assert!(
            fields.contains(&format!("{category} {request}")),
            "{category} {request}: {fields:?}"
        );
    }
    let caller = "app/services/integration_customers/hubspot_service.rb:4";
    assert!(
        fields.contains(&format!("user.contact.email {caller}")),
        "{caller}: {fields:?}"
    );
    assert!(
        !calls(&r, "nango")
            .iter()
            .any(|c| c.starts_with(&format!("{dir}/self_hosted_service.rb"))),
        "{:?}",
        calls(&r, "nango")
    );
}
